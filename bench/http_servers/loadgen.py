"""The load generator, run in its own process by bench/http_server.py; prints one JSON line.

  python -m bench.http_servers.loadgen trivial --port N --connections 32 --duration 5
      keep-alive POSTs of the trivial operation, each connection one request at a time
      (a raw asyncio protocol on uvloop: far cheaper per request than an HTTP client library,
      so the client takes as little of the 2 cores as a Python client can)
  python -m bench.http_servers.loadgen wrk --port N --connections 32 --duration 5
      the same with wrk (C, one thread), when it is installed
  python -m bench.http_servers.loadgen bulk --port N [--kinds put100,putchunked,get]
      8 MiB bodies (PUT with Expect: 100-continue, PUT chunked, GET): `sequential` requests
      on one keep-alive connection, then `concurrent` connections doing `per_connection`
      requests each; bytes and seconds of both, for the caller to turn into MiB/s.
Every loop is bounded by a request count and by a time cap. Only 127.0.0.1 is ever dialled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import uvloop

from bench.http_servers import common

HOST = "127.0.0.1"
FORM = b"Action=GetCallerIdentity&Version=2011-06-15"
MIB = 1024 * 1024


def trivial_request(port: int) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"Content-Length: {len(FORM)}\r\n\r\n"
    ).encode() + FORM


class _Client(asyncio.Protocol):
    """One keep-alive connection sending the trivial request back to back."""

    def __init__(self, request: bytes, stop_at: float, latencies: list[float]) -> None:
        self.request = request
        self.stop_at = stop_at
        self.latencies = latencies
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.errors = 0
        self.non_200 = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        match = re.search(rb"\r\ncontent-length: *(\d+)", head)
        if match is None:
            self._fail()
            return
        total = end + 4 + int(match.group(1))
        if len(self.buffer) < total:
            return
        now = time.perf_counter()
        self.latencies.append(now - self.sent_at)
        if not head.startswith(b"http/1.1 200"):
            self.non_200 += 1
        del self.buffer[:total]
        if now >= self.stop_at or b"\r\nconnection: close" in head:
            self._finish()
        else:
            self._send()

    def _fail(self) -> None:
        self.errors += 1
        self._finish()

    def _finish(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.errors += 1
            self.done.set_result(None)


async def _trivial_round(port: int, connections: int, seconds: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    request = trivial_request(port)
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + seconds
    clients = []
    for _ in range(connections):
        _, client = await loop.create_connection(
            lambda: _Client(request, stop_at, latencies), HOST, port
        )
        clients.append(client)
    await asyncio.wait_for(asyncio.gather(*(c.done for c in clients)), seconds + 10)
    elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "seconds": elapsed,
        "rps": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else None,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else None,
        "errors": sum(c.errors for c in clients),
        "non_200": sum(c.non_200 for c in clients),
    }


async def trivial(port: int, connections: int, warmup: float, duration: float) -> dict[str, Any]:
    if warmup > 0:
        await _trivial_round(port, connections, warmup)
    result = await _trivial_round(port, connections, duration)
    result["generator"] = f"python raw-protocol client on uvloop, {connections} connections"
    return result


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = "Action=GetCallerIdentity&Version=2011-06-15"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _wrk_ms(text: str, label: str) -> float | None:
    match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def run_wrk(port: int, connections: int, warmup: float, duration: float) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed")
    url = f"http://{HOST}:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(_WRK_SCRIPT)
        base = [wrk, "-t1", f"-c{connections}", "-s", str(script), "--timeout", "5s"]
        if warmup > 0:
            subprocess.run(
                [*base, f"-d{max(1, round(warmup))}s", url],
                check=True,
                capture_output=True,
                timeout=warmup + 15,
            )
        out = subprocess.run(
            [*base, f"-d{max(1, round(duration))}s", "--latency", url],
            check=True,
            capture_output=True,
            text=True,
            timeout=duration + 15,
        ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(total.group(1)) if total else None,
        "seconds": float(total.group(2)) * _UNITS[total.group(3)] / 1000 if total else None,
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": _wrk_ms(out, "50"),
        "p99_ms": _wrk_ms(out, "99"),
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "non_200": int(non_2xx.group(1)) if non_2xx else 0,
        "generator": f"wrk -t1 -c{connections} (Lua POST)",
    }


# --- 8 MiB bodies -------------------------------------------------------------------------


def _bodies() -> tuple[bytes, bytes]:
    plain = common.CHUNK * (common.OBJECT_BYTES // common.CHUNK_BYTES)
    frame = f"{common.CHUNK_BYTES:x}\r\n".encode() + common.CHUNK + b"\r\n"
    chunked = frame * (common.OBJECT_BYTES // common.CHUNK_BYTES) + b"0\r\n\r\n"
    return plain, chunked


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> int:
    """Read (and drop) a response body framed by Content-Length or chunked; its size."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            length = int(line.split(b";")[0], 16)
            if length == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return size
            await reader.readexactly(length + 2)
            size += length
    remaining = int(headers.get("content-length", "0"))
    size = remaining
    while remaining:
        data = await reader.read(min(remaining, MIB))
        if not data:
            raise ConnectionError("body cut short")
        remaining -= len(data)
    return size


class _Conn:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def streams(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=MIB)
            self.opened += 1
        return self.reader, self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _write(writer: asyncio.StreamWriter, body: bytes) -> None:
    view = memoryview(body)
    for offset in range(0, len(view), MIB):
        writer.write(view[offset : offset + MIB])
        await writer.drain()


async def one_bulk(conn: _Conn, kind: str, plain: bytes, chunked: bytes) -> int:
    """One 8 MiB request on `conn`; the payload bytes moved."""
    reader, writer = await conn.streams()
    host = f"Host: {HOST}:{conn.port}\r\n"
    if kind == "get":
        writer.write(f"GET /bucket/key HTTP/1.1\r\n{host}\r\n".encode())
    elif kind == "put100":
        writer.write(
            f"PUT /bucket/key HTTP/1.1\r\n{host}Content-Length: {len(plain)}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        status, _ = await read_head(reader)
        if status != 100:
            raise RuntimeError(f"expected 100 Continue, got {status}")
        await _write(writer, plain)
    else:
        writer.write(
            f"PUT /bucket/key HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        await _write(writer, chunked)
    status, headers = await read_head(reader)
    size = await read_body(reader, headers)
    if status != 200:
        raise RuntimeError(f"status {status}")
    if kind == "get":
        moved = size
    else:
        moved = int(headers.get("x-nimbus-bytes", "0"))
        if headers.get("etag", "").strip('"') != common.OBJECT_MD5:
            raise RuntimeError("ETag does not match the body sent")
    if moved != common.OBJECT_BYTES:
        raise RuntimeError(f"moved {moved} bytes")
    if headers.get("connection", "").lower() == "close":
        conn.close()
    return moved


async def _run_connection(
    port: int, kind: str, count: int, deadline: float, bodies: tuple[bytes, bytes]
) -> tuple[int, int, int]:
    conn = _Conn(port)
    moved = done = 0
    try:
        for _ in range(count):
            if done and time.perf_counter() > deadline:
                break
            moved += await one_bulk(conn, kind, *bodies)
            done += 1
    finally:
        conn.close()
    return moved, done, conn.opened


async def bulk(
    port: int, kind: str, sequential: int, concurrent: int, per_connection: int, cap: float
) -> dict[str, Any]:
    """One kind: sums (bytes, seconds, requests) so rounds can be added up by the caller."""
    bodies = _bodies()
    started = time.perf_counter()
    moved, seq_done, opened = await asyncio.wait_for(
        _run_connection(port, kind, sequential, started + cap, bodies), cap + 30
    )
    seq_s = time.perf_counter() - started
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(
            *(
                _run_connection(port, kind, per_connection, started + cap, bodies)
                for _ in range(concurrent)
            )
        ),
        cap + 30,
    )
    conc_s = time.perf_counter() - started
    return {
        "sequential_bytes": moved,
        "sequential_seconds": seq_s,
        "sequential_requests": seq_done,
        "sequential_connections": opened,
        "concurrent_bytes": sum(r[0] for r in results),
        "concurrent_seconds": conc_s,
        "concurrent_requests": sum(r[1] for r in results),
        "concurrent_connections": sum(r[2] for r in results),
    }


async def bulk_all(
    port: int, kinds: list[str], sequential: int, concurrent: int, per_connection: int, cap: float
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for kind in kinds:
        try:
            result[kind] = await bulk(port, kind, sequential, concurrent, per_connection, cap)
        except Exception as exc:  # reported per kind: one failing kind must not hide the others
            result[kind] = {"error": f"{type(exc).__name__}: {exc}"}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["trivial", "wrk", "bulk"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--kinds", default="put100,putchunked,get", help="bulk kinds, in order")
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--per-connection", type=int, default=5)
    parser.add_argument("--cap", type=float, default=4.0, help="seconds per phase, at most")
    options = parser.parse_args()
    result: dict[str, Any]
    try:
        if options.mode == "wrk":
            result = run_wrk(options.port, options.connections, options.warmup, options.duration)
        elif options.mode == "trivial":
            result = uvloop.run(
                trivial(options.port, options.connections, options.warmup, options.duration)
            )
        else:
            result = uvloop.run(
                bulk_all(
                    options.port,
                    options.kinds.split(","),
                    options.sequential,
                    options.concurrent,
                    options.per_connection,
                    options.cap,
                )
            )
    except Exception as exc:  # reported, not raised: one failing server must not stop the run
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
