"""The supervisor's status file: written by it every second, read by `nimbus status`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class ProcessStatus:
    service: str
    replica: int
    zone: str
    pid: int | None
    port: int
    health: str
    restarts: int


@dataclass
class CloudStatus:
    supervisor_pid: int
    endpoint: str
    processes: list[ProcessStatus]

    @property
    def all_healthy(self) -> bool:
        return all(p.health == "SERVING" for p in self.processes)


def write(path: Path, status: CloudStatus) -> None:
    """Replace the file atomically so a reader never sees half of it."""
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(asdict(status), indent=2))
    scratch.replace(path)


def read(path: Path) -> CloudStatus | None:
    try:
        raw = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return CloudStatus(
        supervisor_pid=raw["supervisor_pid"],
        endpoint=raw["endpoint"],
        processes=[ProcessStatus(**p) for p in raw["processes"]],
    )


def render(status: CloudStatus) -> str:
    """The table `nimbus status` prints: one row per process."""
    header = ("SERVICE", "REPLICA", "ZONE", "PID", "PORT", "HEALTH", "RESTARTS")
    rows = [header] + [
        (
            p.service,
            str(p.replica),
            p.zone,
            str(p.pid or "-"),
            str(p.port),
            p.health,
            str(p.restarts),
        )
        for p in status.processes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
