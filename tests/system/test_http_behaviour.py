"""HTTP-level behaviour of the gateway that S3 clients rely on, checked with raw sockets."""

from __future__ import annotations

import socket
import time

import pytest

from tests.system.conftest import GATEWAY_PORT, Cloud

pytestmark = pytest.mark.system


def exchange(raw: bytes, *, read_timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", GATEWAY_PORT), timeout=read_timeout) as conn:
        conn.sendall(raw)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and _complete(received):
                    break
        except TimeoutError:
            pass
        return received


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return head.startswith(b"HTTP/1.1 100")


def test_a_refused_upload_is_answered_before_its_body_is_sent(cloud: Cloud) -> None:
    """With Expect: 100-continue the gateway answers the bad signature instead of 100."""
    head = (
        f"PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64 + "\r\n"
        "x-amz-date: 20260101T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
        "Content-Length: 1048576\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    reply = exchange(head)
    assert not reply.startswith(b"HTTP/1.1 100"), reply[:200]
    assert reply.startswith(b"HTTP/1.1 403"), reply[:200]
    assert b"connection: close" in reply.lower()


def test_an_oversized_header_section_gets_s3s_error(cloud: Cloud) -> None:
    reply = exchange(
        f"GET /bucket HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\nx-amz-meta-big: {'a' * 20000}"
        "\r\n\r\n".encode()
    )
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in reply


def test_a_huge_header_section_is_cut_off_without_buffering_it(cloud: Cloud) -> None:
    reply = exchange(
        f"GET /bucket HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\nx-big: {'a' * 200_000}"
        "\r\n\r\n".encode()
    )
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b"RequestHeaderSectionTooLarge" in reply


def test_a_body_arriving_with_the_end_of_its_head_is_not_counted_as_header(
    cloud: Cloud,
) -> None:
    """A whole request after a first short read (head end + a 70 KiB body in one read) once
    made the guard count the body as header bytes and refuse a normal upload."""
    body = b"x" * 70 * 1024
    head = (
        f"PUT /guard-bucket/key HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", GATEWAY_PORT), timeout=5) as conn:
        conn.sendall(head[:10])
        time.sleep(0.2)
        conn.sendall(head[10:] + body)
        reply = conn.recv(65536)
    # Unsigned and anonymous: refused by authorization, never by the header guard.
    assert b"RequestHeaderSectionTooLarge" not in reply, reply[:300]
    assert reply.startswith((b"HTTP/1.1 403", b"HTTP/1.1 404")), reply[:300]


def test_chunked_request_bodies_are_read(cloud: Cloud) -> None:
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    chunked = (
        b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:]))
        + b"0\r\n\r\n"
    )
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    reply = exchange(head.encode() + chunked)
    # Unsigned, so STS refuses it, which proves the body was read and parsed up to auth.
    assert reply.startswith(b"HTTP/1.1 403"), reply[:300]
    assert b"MissingAuthenticationToken" in reply


def test_a_body_over_the_limit_is_refused_before_it_is_uploaded(cloud: Cloud) -> None:
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{GATEWAY_PORT}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {64 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n"
    )
    reply = exchange(head.encode())
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]
    assert b"RequestEntityTooLarge" in reply
    assert b"connection: close" in reply.lower()
