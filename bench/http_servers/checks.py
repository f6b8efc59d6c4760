"""Protocol checks with raw sockets to 127.0.0.1 (bytes out, bytes in); prints one JSON line.

  python -m bench.http_servers.checks --port N --pid P [--graceful]

Each check gives a short verdict for the table and a line of details. --graceful ends with
SIGTERM to P while a request is in flight (so it goes last).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import socket
import time
from collections.abc import Callable

from bench.http_servers import proc

HOST = "127.0.0.1"
FORM = b"Action=GetCallerIdentity&Version=2011-06-15"
MIB = 1024 * 1024


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"{self.status} {self.body[:60]!r}"


class Conn:
    """A blocking socket with a read buffer; every read is bounded by the socket timeout."""

    def __init__(self, port: int, timeout: float = 3.0, rcvbuf: int | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((HOST, port))
        self.buffer = b""
        self.port = port

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> None:
        data = self.sock.recv(256 * 1024)
        if not data:
            raise ConnectionError("closed by server")
        self.buffer += data

    def read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(marker, 1)
        return head + marker

    def read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def response(self) -> Response:
        head = self.read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if status < 200:
            return Response(status, headers, b"")
        if "chunked" in headers.get("transfer-encoding", ""):
            parts = []
            while True:
                size = int(self.read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    while self.read_until(b"\r\n") != b"\r\n":
                        pass
                    break
                parts.append(self.read_exactly(size + 2)[:-2])
            return Response(status, headers, b"".join(parts))
        return Response(status, headers, self.read_exactly(int(headers.get("content-length", "0"))))

    def closed_by_peer(self, wait: float) -> bool:
        """Whether the server closes (EOF or reset) within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except TimeoutError:
            return False
        except OSError:
            return True


def head(method: str, path: str, port: int, extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{extra}\r\n".encode()


def post(port: int, extra: str = "") -> bytes:
    return (
        head(
            "POST",
            "/",
            port,
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(FORM)}\r\n{extra}",
        )
        + FORM
    )


def _app_said(response: Response, code: str) -> bool:
    return f"<Code>{code}</Code>".encode() in response.body


# --- the checks: each gives (short verdict for the table, the details) --------------------

Verdict = tuple[str, str]


def keep_alive(port: int) -> Verdict:
    conn = Conn(port)
    try:
        for n in range(3):
            conn.send(post(port))
            response = conn.response()
            if response.status != 200:
                return "FAIL", f"request {n + 1} got {response.status}"
            if response.headers.get("connection", "").lower() == "close":
                return "FAIL", f"Connection: close on request {n + 1}"
        return "ok", "3 requests on 1 connection"
    except (OSError, ConnectionError) as exc:
        return "FAIL", repr(exc)
    finally:
        conn.close()


def expect_continue(port: int, path: str) -> tuple[Verdict, float | None]:
    """Headers only, wait for 100 Continue, then a 1 MiB body; the verdict and the delay."""
    body = os.urandom(MIB)
    conn = Conn(port)
    try:
        conn.send(
            head("PUT", path, port, f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n")
        )
        started = time.perf_counter()
        conn.sock.settimeout(4.0)
        try:
            interim = conn.response()
        except TimeoutError:
            conn.send(body)
            final = conn.response()
            return ("no 100", f"no 100 in 4 s; final {final.status} once body sent"), None
        delay = time.perf_counter() - started
        if interim.status != 100:
            return ("FAIL", f"{interim.status} instead of 100"), delay
        conn.send(body)
        final = conn.response()
        if final.status == 200 and final.headers.get("etag", "").strip('"') == (
            hashlib.md5(body).hexdigest()
        ):
            return ("ok", f"100 after {delay * 1000:.0f} ms, then 200 with the body's md5"), delay
        return ("FAIL", f"final {final!r}"), delay
    except (OSError, ConnectionError) as exc:
        return ("FAIL", repr(exc)), None
    finally:
        conn.close()


def expect_when(port: int) -> Verdict:
    """Is 100 Continue sent when the app first reads the body (the app is in control) or by
    the server as soon as the headers arrive? The app under /slow/ reads after 1 s."""
    (short, detail), delay = expect_continue(port, "/slow/key")
    if short != "ok" or delay is None:
        return short, detail
    if delay > 0.7:
        return "on read", f"100 after {delay:.2f} s: when the app reads (it does at 1 s)"
    return "at once", f"100 after {delay:.2f} s although the app reads only at 1 s"


def expect_refused(port: int, path: str) -> Verdict:
    """A 6 GiB PUT with Expect: the app refuses it from the headers alone. Does the client get
    the app's 400 without a 100 first? Then, the body never having been sent, what becomes of
    the connection: closed, or left open -- and if open, is a next request on it (what a
    pooling client such as botocore does after a complete response) answered, or swallowed
    as the old request's body? Under /closing/ the app's 400 says Connection: close."""
    conn = Conn(port)
    try:
        conn.send(
            head("PUT", path, port, f"Content-Length: {6 * 1024**3}\r\nExpect: 100-continue\r\n")
        )
        response = conn.response()
        sent_100 = response.status == 100
        if sent_100:
            response = conn.response()
        if not (response.status == 400 and _app_said(response, "EntityTooLarge")):
            return "FAIL", f"got {response!r}"
        says_close = response.headers.get("connection", "").lower() == "close"
        detail = ("100 Continue, then the app's 400" if sent_100 else "app's 400, no 100") + (
            ", Connection: close" if says_close else ""
        )
        first = "100+400" if sent_100 else "400"
        if conn.closed_by_peer(0.5):
            return f"{first}, closes", detail + ", connection closed"
        if says_close:
            return f"{first}, lingers", detail + ", but the server keeps reading (lingers)"
        try:
            conn.sock.settimeout(1.5)
            conn.send(post(port))
            follow = conn.response()
            return f"{first}, reuse ok", detail + f", open; a next request got {follow.status}"
        except TimeoutError:
            return f"{first}, SWALLOWS", detail + ", open; a next request is taken as the body"
        except (OSError, ConnectionError):
            return f"{first}, cut", detail + ", open; a next request is cut"
    except TimeoutError:
        return "FAIL", "no answer in 3 s"
    except (OSError, ConnectionError) as exc:
        return "FAIL", repr(exc)
    finally:
        conn.close()


def chunked(port: int) -> Verdict:
    sizes = [1, 100, 65536, 7, 300000, 4096, 1 << 20, 13]
    body = os.urandom(sum(sizes))
    frames, offset = [], 0
    for size in sizes:
        frames.append(f"{size:x}\r\n".encode() + body[offset : offset + size] + b"\r\n")
        offset += size
    conn = Conn(port)
    try:
        conn.send(head("PUT", "/bucket/chunked", port, "Transfer-Encoding: chunked\r\n"))
        for frame in frames:
            conn.send(frame)
        conn.send(b"0\r\n\r\n")
        response = conn.response()
        if response.status != 200:
            return "FAIL", repr(response)
        if response.headers.get("etag", "").strip('"') != hashlib.md5(body).hexdigest():
            return "FAIL", "md5 differs"
        conn.send(post(port))  # and the connection is still usable after it
        if conn.response().status != 200:
            return "FAIL", "next request on the connection"
        return "ok", f"{len(body)} B in {len(sizes)} chunks, md5 ok, connection reused"
    except (OSError, ConnectionError) as exc:
        return "FAIL", repr(exc)
    finally:
        conn.close()


def midbody_refusal(port: int) -> Verdict:
    """A 32 MiB chunked PUT where the app allows 1 MiB: it answers 400 EntityTooLarge as soon
    as it has read past the limit, while the client is still sending. The client here, like
    botocore, sends the whole body and then reads: does it get the app's 400, or is its
    connection reset under it (the 400 lost)? And what becomes of the connection after?"""
    frame = f"{64 * 1024:x}\r\n".encode() + b"z" * (64 * 1024) + b"\r\n"
    conn = Conn(port, timeout=2.0)
    sent = 0
    stalled = ""
    try:
        conn.send(head("PUT", "/limited/key", port, "Transfer-Encoding: chunked\r\n"))
        try:
            for _ in range(512):
                conn.send(frame)
                sent += 64 * 1024
            conn.send(b"0\r\n\r\n")
        except TimeoutError:
            stalled = f", server stopped reading at {sent / MIB:.1f} MiB"
        except OSError as exc:
            stalled = f", send failed at {sent / MIB:.1f} MiB ({type(exc).__name__})"
        try:
            response = conn.response()
        except TimeoutError:
            return "no answer", "no response in 2 s" + stalled
        except (OSError, ConnectionError) as exc:
            return "400 LOST", f"reset before the response could be read ({exc!r})" + stalled
        if not (response.status == 400 and _app_said(response, "EntityTooLarge")):
            return "FAIL", f"got {response!r}" + stalled
        detail = "the app's 400" + stalled
        if conn.closed_by_peer(0.5):
            return "400, closes", detail + ", then closed"
        try:
            conn.sock.settimeout(1.5)
            conn.send(post(port))
            status = conn.response().status
            return "400, reuse ok", detail + f", body drained; a next request got {status}"
        except TimeoutError:
            return "400, SWALLOWS", detail + ", open; a next request gets no answer"
        except (OSError, ConnectionError):
            return "400, cut", detail + ", open; a next request is cut"
    finally:
        conn.close()


def big_header(port: int, size: int, count: int = 1) -> Verdict:
    """`count` headers of `size` bytes each: who answers -- the app (its S3-style XML 400, or
    200 when under its limit), the uvicorn header guard (the same XML 400, before the app),
    the server (its own status and body), or nobody (connection cut / no answer)?"""
    extra = "".join(f"x-amz-meta-h{n:03d}: {'a' * size}\r\n" for n in range(count))
    conn = Conn(port, timeout=4.0)
    try:
        try:
            conn.send(post(port, extra))
        except OSError as exc:
            return "cut", f"cut while sending ({type(exc).__name__})"
        try:
            response = conn.response()
        except TimeoutError:
            return "hangs", "no answer in 4 s"
        except (OSError, ConnectionError) as exc:
            return "cut", f"cut ({type(exc).__name__}: {exc})"
        if _app_said(response, "RequestHeaderSectionTooLarge"):
            # The gateway's guard (nimbus_gateway.http_guard) names no size: it answers
            # before the head is complete, so it never knew the size.
            if b"maximum allowed size.<" in response.body:
                return "guard 400", "the header guard's S3-style XML 400, before the app"
            return "app 400", "the app saw all of it and answered its S3-style XML 400"
        if response.status == 200:
            return "app 200", "passed through to the app"
        ctype = response.headers.get("content-type", "-")
        return (
            f"srv {response.status}",
            f"server's own {response.status} ({ctype}) {response.body[:48]!r}",
        )
    finally:
        conn.close()


def download_backpressure(port: int, pid: int) -> Verdict:
    """GET a 64 MiB stream and read nothing for 1 s: does the server keep taking chunks
    from the app into memory (RSS grows) or make the app wait for the socket (it must)?"""
    before = proc.rss_bytes(pid)
    conn = Conn(port, rcvbuf=64 * 1024)
    try:
        conn.send(head("GET", "/bucket/big", port))
        time.sleep(1.0)
        grown = (proc.rss_bytes(pid) - before) / MIB
    finally:
        _abort(conn)
    short = "ok" if grown < 16 else "BUFFERS"
    return f"{short} +{grown:.0f}M", f"server RSS +{grown:.0f} MiB while the client reads nothing"


def upload_backpressure(port: int, pid: int) -> Verdict:
    """PUT 64 MiB to an app that waits 1 s before reading: does the server stop reading the
    socket (bounded buffer) or swallow the body into memory?"""
    before = proc.rss_bytes(pid)
    conn = Conn(port)
    sent = 0
    try:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        conn.send(head("PUT", "/slow/key", port, f"Content-Length: {64 * MIB}\r\n"))
        conn.sock.setblocking(False)
        chunk = b"x" * (256 * 1024)
        stop_at = time.perf_counter() + 0.8
        while time.perf_counter() < stop_at and sent < 64 * MIB:
            try:
                sent += conn.sock.send(chunk)
            except BlockingIOError:
                time.sleep(0.005)
        grown = (proc.rss_bytes(pid) - before) / MIB
    finally:
        _abort(conn)
    short = "ok" if grown < 16 else "BUFFERS"
    return (
        f"{short} +{grown:.0f}M",
        f"{sent / MIB:.1f} MiB taken from the client before the app read; RSS +{grown:.0f} MiB",
    )


def _abort(conn: Conn) -> None:
    """Close with a reset (SO_LINGER 0): the client gives up mid-body."""
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def graceful(port: int, pid: int) -> Verdict:
    """SIGTERM while a 1 s request is in flight and another connection sits idle: does the
    in-flight request complete, is the idle one closed, is the listener closed, and when does
    the process exit?"""
    idle = Conn(port)
    busy = Conn(port, timeout=8.0)
    try:
        idle.send(post(port))
        idle.response()
        busy.send(head("GET", "/slow", port))
        time.sleep(0.3)
        os.kill(pid, signal.SIGTERM)
        sent_at = time.perf_counter()
        time.sleep(0.1)
        try:
            Conn(port, timeout=0.5).close()
            listener = "still accepting"
        except OSError:
            listener = "listener closed"
        try:
            status = busy.response().status
            inflight = f"in-flight {status}"
        except (OSError, ConnectionError) as exc:
            status, inflight = 0, f"in-flight LOST ({type(exc).__name__})"
        idle_closed = idle.closed_by_peer(3.0)
        exited = None
        while time.perf_counter() - sent_at < 12:
            if proc.gone(pid):
                exited = time.perf_counter() - sent_at
                break
            time.sleep(0.05)
        detail = (
            f"{inflight}, {listener}, idle connection {'closed' if idle_closed else 'kept'}, "
            + (f"exited {exited:.1f} s after SIGTERM" if exited is not None else "no exit in 12 s")
        )
        if status == 200 and exited is not None:
            return f"ok {exited:.1f}s", detail
        return "FAIL", detail
    finally:
        idle.close()
        busy.close()


def run(port: int, pid: int, with_graceful: bool) -> dict[str, Verdict]:
    results: dict[str, Verdict] = {}

    def check(name: str, fn: Callable[[], Verdict]) -> None:
        try:
            results[name] = fn()
        except Exception as exc:  # a verdict, not a crash
            results[name] = ("ERROR", f"{type(exc).__name__}: {exc}")

    check("keep-alive reuse", lambda: keep_alive(port))
    check("100-continue", lambda: expect_continue(port, "/bucket/key")[0])
    check("100 sent when", lambda: expect_when(port))
    check("early 400 (Expect)", lambda: expect_refused(port, "/bucket/huge"))
    check("early 400 + close", lambda: expect_refused(port, "/closing/huge"))
    check("chunked request", lambda: chunked(port))
    check("400 mid-body", lambda: midbody_refusal(port))
    check("header 16 KiB", lambda: big_header(port, 16 * 1024))
    check("header 1 MiB", lambda: big_header(port, MIB))
    check("150 headers", lambda: big_header(port, 16, 150))
    check("GET backpressure", lambda: download_backpressure(port, pid))
    time.sleep(0.2)
    check("PUT backpressure", lambda: upload_backpressure(port, pid))
    time.sleep(0.3)
    if with_graceful:
        check("SIGTERM graceful", lambda: graceful(port, pid))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--graceful", action="store_true")
    options = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        print(json.dumps(run(options.port, options.pid, options.graceful)))


if __name__ == "__main__":
    main()
