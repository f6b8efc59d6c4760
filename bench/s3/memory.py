"""Peak resident memory of server processes during a run, read from /proc.

Two readings agree on the peak: a thread samples VmRSS every few milliseconds, and the
kernel's own high-water mark (VmHWM, reset through /proc/<pid>/clear_refs at the start)
catches a spike between two samples.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

_FIELD = re.compile(r"^(VmRSS|VmHWM):\s+(\d+) kB", re.MULTILINE)


def _read(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of pid in bytes; empty once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {name: int(kb) * 1024 for name, kb in _FIELD.findall(text)}


def rss(pid: int) -> int:
    return _read(pid).get("VmRSS", 0)


def _reset_high_water_mark(pid: int) -> None:
    with contextlib.suppress(OSError):  # not ours or gone: the sampled peak still stands
        Path(f"/proc/{pid}/clear_refs").write_text("5")


class PeakRss:
    """`with PeakRss({"gateway": pid, ...}) as peaks:` then peaks.peak / peaks.baseline."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.02) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.baseline: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        for name, pid in self.pids.items():
            _reset_high_water_mark(pid)
            self.baseline[name] = rss(pid)
            self.peak[name] = self.baseline[name]
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss(pid))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], _read(pid).get("VmHWM", 0))

    def growth(self, name: str) -> int:
        return self.peak[name] - self.baseline[name]
