"""Which HTTP server should the gateway run? All candidates side by side, in one run.

Each candidate (bench/http_servers/) serves the same minimal app -- the trivial STS-style
POST, an 8 MiB streamed PUT (md5'd, not kept) and an 8 MiB streamed GET -- as one process
on a free 127.0.0.1 port. A load generator in its own process drives it (wrk when installed,
else a raw-protocol Python client; --loadgen picks), and raw-socket checks probe what the
gateway needs from the protocol: keep-alive, 100-continue under the app's control, chunked
request bodies, the app's own 400 before and in the middle of a body (and what becomes of
the connection), header limits, backpressure both ways, graceful SIGTERM.

All servers are started up front and take turns under load, round after round, so that a
drift in this (shared, 2-core) machine's speed hits them all alike; then each gets the
protocol checks, the last of which stops it with SIGTERM.

Needs no infrastructure: `uv run python bench/http_server.py` (about 2.5 minutes).
Ratios are to plain aiohttp (what the gateway runs today): quote those, not the absolute
rates of this machine. With 2 cores, the server and the load generator share the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.http_servers` importable
    sys.path.insert(0, str(ROOT))

from bench.http_servers import proc  # noqa: E402

HOST = "127.0.0.1"
FORM = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Candidate:
    name: str
    module: str
    args: list[str] = field(default_factory=list)


CANDIDATES = [
    Candidate("aiohttp", "aiohttp_server"),
    Candidate("aiohttp+uvloop", "aiohttp_server", ["--uvloop"]),
    Candidate("uvicorn", "uvicorn_server"),
    Candidate("uvicorn+guard", "uvicorn_server", ["--header-guard"]),
    Candidate("granian-asgi", "granian_server"),
    Candidate("granian-rsgi", "granian_server", ["--rsgi"]),
    Candidate("hypercorn", "hypercorn_server"),
    Candidate("hypercorn+uvloop", "hypercorn_server", ["--uvloop"]),
]
NOTES = {
    "aiohttp": "aiohttp web server, asyncio loop (the gateway today)",
    "aiohttp+uvloop": "aiohttp web server, uvloop",
    "uvicorn": "uvicorn, http=httptools, loop=uvloop, raw ASGI app",
    "uvicorn+guard": "uvicorn as above with a 64 KiB header-section cap (HeaderGuardProtocol)",
    "granian-asgi": "granian, 1 worker, 1 runtime thread, uvloop, raw ASGI app",
    "granian-rsgi": "granian, 1 worker, 1 runtime thread, uvloop, RSGI app",
    "hypercorn": "hypercorn (h11), asyncio loop, raw ASGI app",
    "hypercorn+uvloop": "hypercorn (h11), uvloop, raw ASGI app",
}
PACKAGES = ["aiohttp", "uvicorn", "httptools", "uvloop", "granian", "hypercorn", "h11"]
BULK_KINDS = [("put100", "PUT Expect:100"), ("putchunked", "PUT chunked"), ("get", "GET")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"bench.http_servers.{module}", *args]


def run_json(command: list[str], timeout: float) -> dict[str, Any]:
    """Run a helper process that prints one JSON line; its result, or {"error": ...}."""
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


class Server:
    """One candidate as a subprocess in its own process group (so it can be ended whole)."""

    def __init__(self, candidate: Candidate, log_dir: Path) -> None:
        self.name = candidate.name
        self.trivial: list[dict[str, Any]] = []
        self.bulk: list[dict[str, Any]] = []
        self.checks: dict[str, Any] = {}
        self.error: str | None = None
        self.port = free_port()
        self.log = log_dir / f"{candidate.name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                python(candidate.module, *candidate.args, "--port", str(self.port)),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.process.pid

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Until the trivial operation answers 200 (granian's worker starts after it binds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited {self.process.returncode}: {self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                try:
                    conn.request("POST", "/", body=FORM, headers=FORM_HEADERS)
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        return
                finally:
                    conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"not ready after {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-400:]

    def stop(self) -> None:
        """Reap it (the graceful check has usually sent SIGTERM already), else end its group;
        then end anything left in the group (a worker orphaned by its supervisor)."""
        for sig in (None, signal.SIGTERM):
            if self.process.poll() is not None:
                break
            if sig is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def rotated(items: list[Server], shift: int) -> list[Server]:
    shift %= len(items)
    return items[shift:] + items[:shift]


def run_trivial(servers: list[Server], options: argparse.Namespace) -> None:
    """A 1 s warm-up each, then `rounds` rounds of `duration` s each, the servers taking turns
    (in a rotated order) so that drift of this machine's speed hits them all alike."""

    def loadgen(server: Server, seconds: float) -> dict[str, Any]:
        args = ["--port", str(server.port), "--connections", str(options.connections)]
        command = python("loadgen", options.loadgen, *args, "--warmup", "0")
        return run_json([*command, "--duration", str(seconds)], seconds + 30)

    for server in servers:
        loadgen(server, 1)
    for n in range(options.rounds):
        for server in rotated(servers, n):
            cpu_before = proc.cpu_seconds(server.pid)
            result = loadgen(server, options.duration)
            result["cpu_seconds"] = proc.cpu_seconds(server.pid) - cpu_before
            server.trivial.append(result)


def run_bulk(servers: list[Server], options: argparse.Namespace) -> None:
    """8 MiB bodies in `bulk_rounds` rounds, taking turns like the trivial op; per round and
    kind, `sequential` requests on one connection and 4 connections x `per_connection`."""
    for n in range(options.bulk_rounds):
        for server in rotated(servers, n):
            server.bulk.append(
                run_json(
                    python(
                        "loadgen",
                        "bulk",
                        "--port",
                        str(server.port),
                        "--sequential",
                        str(options.sequential),
                        "--per-connection",
                        str(options.per_connection),
                        "--cap",
                        "3",
                    ),
                    120,
                )
            )


def run_checks(server: Server) -> None:
    server.checks = run_json(
        python("checks", "--port", str(server.port), "--pid", str(server.pid), "--graceful"), 90
    )


# --- the report ---------------------------------------------------------------------------


def versions(loadgen: str) -> list[str]:
    lines = [
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "  ".join(f"{name} {importlib.metadata.version(name)}" for name in PACKAGES),
    ]
    if loadgen == "wrk":
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        lines.append("load generator: " + (wrk.stdout or wrk.stderr).splitlines()[0].strip())
    else:
        lines.append("load generator: python raw-protocol client on uvloop")
    return lines


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value and base else "-"


def number(value: Any, digits: int = 0) -> str:
    return f"{value:,.{digits}f}" if isinstance(value, int | float) else "-"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    out = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if n == 0 else cell.rjust(width)
            for n, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def trivial_summary(server: Server) -> dict[str, Any]:
    rounds = [r for r in server.trivial if "error" not in r and r.get("seconds")]
    if not rounds:
        return {}
    seconds = sum(r["seconds"] for r in rounds)
    requests = sum(r["requests"] for r in rounds)
    cpu = sum(r["cpu_seconds"] for r in rounds)
    rates = [r["rps"] for r in rounds]
    return {
        "rps": requests / seconds,
        "spread": 100 * (max(rates) - min(rates)) / (requests / seconds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "cpu_pct": 100 * cpu / seconds,
        "cpu_us_per_req": 1e6 * cpu / requests if requests else None,
        "failed": sum(r["errors"] + r["non_200"] for r in rounds),
    }


def bulk_summary(server: Server, kind: str) -> dict[str, float]:
    rounds = [r[kind] for r in server.bulk if "error" not in r[kind]] if server.bulk else []
    if not rounds or any("error" in r for r in server.bulk):
        return {}
    out = {}
    for phase in ("sequential", "concurrent"):
        seconds = sum(r[f"{phase}_seconds"] for r in rounds)
        out[phase] = sum(r[f"{phase}_bytes"] for r in rounds) / 2**20 / seconds
        out[f"{phase}_requests"] = sum(r[f"{phase}_requests"] for r in rounds)
    return out


def report(servers: list[Server], options: argparse.Namespace) -> None:
    base = next((s for s in servers if s.name == "aiohttp"), servers[0])
    trivial = {s.name: trivial_summary(s) for s in servers}
    base_trivial = trivial[base.name]
    print()
    print(
        f"Trivial op: POST / Action=GetCallerIdentity, {options.connections} keep-alive "
        f"connections, {options.rounds} rounds x {options.duration:.0f} s per server "
        "(servers taking turns) after a 1 s warm-up"
    )
    rows = [
        [
            "server",
            "req/s",
            "vs aiohttp",
            "spread",
            "p50 ms",
            "p99 ms",
            "srv CPU%",
            "CPU us/req",
            "efficiency",
            "failed",
        ]
    ]
    for server in servers:
        t = trivial[server.name]
        us = t.get("cpu_us_per_req")
        base_us = base_trivial.get("cpu_us_per_req")
        rows.append(
            [
                server.name,
                number(t.get("rps")),
                ratio(t.get("rps"), base_trivial.get("rps")),
                f"{t['spread']:.0f}%" if t else "-",
                number(t.get("p50_ms"), 2),
                number(t.get("p99_ms"), 2),
                number(t.get("cpu_pct")),
                number(us),
                ratio(base_us, us),  # CPU efficiency: higher is better, like req/s
                str(t.get("failed", "-")),
            ]
        )
    print(table(rows))
    print(
        "  spread: max-min of the rounds' req/s over the mean; CPU us/req: the server's CPU "
        "time per request (all its threads and processes); efficiency: aiohttp's us/req over it"
    )
    sequential = options.sequential * options.bulk_rounds
    concurrent = 4 * options.per_connection * options.bulk_rounds
    print()
    print(
        f"8 MiB bodies, MiB/s of payload (ratio to aiohttp): seq = {sequential} requests one "
        f"at a time on a keep-alive connection, x4 = {concurrent} requests over 4 connections; "
        f"{options.bulk_rounds} rounds, servers taking turns"
    )
    header = ["server"]
    for _, label in BULK_KINDS:
        header += [f"{label} seq", "x4"]
    rows = [header]
    for server in servers:
        row = [server.name]
        for kind, _ in BULK_KINDS:
            mine, theirs = bulk_summary(server, kind), bulk_summary(base, kind)
            for phase in ("sequential", "concurrent"):
                value = mine.get(phase)
                row.append(f"{value:,.0f} ({ratio(value, theirs.get(phase))})" if value else "ERR")
        rows.append(row)
    print(table(rows))
    errors = [f"  {s.name}: {s.error}" for s in servers if s.error]
    errors += [
        f"  {s.name} trivial: {r['error']}" for s in servers for r in s.trivial if "error" in r
    ]
    errors += [
        f"  {s.name} {kind}: {r[kind]['error'] if kind in r else r.get('error')}"
        for s in servers
        for r in s.bulk
        for kind, _ in BULK_KINDS
        if "error" in r or "error" in r.get(kind, {})
    ]
    if errors:
        print("errors:\n" + "\n".join(dict.fromkeys(errors)))
    check_names = list(dict.fromkeys(name for s in servers for name in s.checks if name != "error"))
    print()
    print("Protocol checks (raw sockets to 127.0.0.1); details below")
    rows = [["check", *(s.name for s in servers)]]
    for check in check_names:
        rows.append([check, *(s.checks.get(check, ["-", ""])[0] for s in servers)])
    print(table(rows))
    print(
        "  app 400 / guard 400: an S3-style XML error of ours; srv NNN: the server's own answer, "
        "not AWS-shaped\n"
        "  SWALLOWS: after the app's early 400 the connection stays open and a next request on "
        "it is read as the unsent body (a pooling client hangs); lingers: says close, keeps "
        "reading\n"
        "  BUFFERS +NM: server memory grows by N MiB while the client does not read"
    )
    print()
    for server in servers:
        print(f"{server.name}: {NOTES.get(server.name, '')}")
        if "error" in server.checks:
            print(f"  checks failed: {server.checks['error']}")
        for check in check_names:
            if check in server.checks:
                print(f"  {check:<20} {server.checks[check][1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated candidate names")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=6, help="trivial-op rounds per server")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per round")
    parser.add_argument("--bulk-rounds", type=int, default=2)
    parser.add_argument("--sequential", type=int, default=10, help="per bulk round and kind")
    parser.add_argument("--per-connection", type=int, default=3, help="per bulk round and kind")
    options = parser.parse_args()
    if options.loadgen == "auto":
        options.loadgen = "wrk" if shutil.which("wrk") else "python"
    chosen = CANDIDATES
    if options.only:
        wanted = options.only.split(",")
        chosen = [c for c in CANDIDATES if c.name in wanted]
    started = time.monotonic()

    def stage(text: str) -> None:
        print(f"  [{time.monotonic() - started:5.0f} s] {text}", flush=True)

    print("\n".join(versions(options.loadgen)))
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    if options.loadgen == "python":
        options.loadgen = "trivial"  # the loadgen's mode name
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        servers = [Server(candidate, Path(tmp)) for candidate in chosen]
        try:
            for server in servers:
                try:
                    server.wait_ready()
                except RuntimeError as exc:
                    server.error = str(exc)
            ready = [s for s in servers if s.error is None]
            stage(f"{len(ready)} servers up; trivial op")
            run_trivial(ready, options)
            stage("8 MiB bodies")
            run_bulk(ready, options)
            for server in ready:
                stage(f"checks: {server.name}")
                run_checks(server)
                server.stop()
        finally:
            for server in servers:
                server.stop()
    report(servers, options)
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
