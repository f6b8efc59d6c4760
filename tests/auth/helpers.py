"""Shared test helpers: botocore as the independent signer, and the request shape the
gateway hands the auth library."""

from __future__ import annotations

import email.utils
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import boto3
import botocore.auth
import botocore.crt.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from multidict import CIMultiDict
from nimbus_gateway.auth import SigningCredential
from nimbus_gateway.protocol.http import HttpRequest

ACCESS_KEY = "AKIDNIMBUSTEST000001"
SECRET_KEY = "nimbus/secret+key/0123456789abcdefghijkl"
TOKEN = "FwoGZXIvYXdzEBYaDNimbusSessionToken//+/=="
NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


class Captured(Exception):
    """Raised by the before-send hook: the signed request never leaves the process."""

    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def lookup_of(*credentials: SigningCredential) -> Any:
    table = {credential.access_key_id: credential for credential in credentials}

    async def lookup(access_key_id: str) -> SigningCredential | None:
        return table.get(access_key_id)

    return lookup


DEFAULT_LOOKUP = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY))


@contextmanager
def frozen_signing_clock(moment: datetime = NOW) -> Iterator[None]:
    """botocore signs with this time instead of the wall clock."""
    aware = moment.astimezone(UTC)

    def now(remove_tzinfo: bool = True) -> datetime:
        return aware.replace(tzinfo=None) if remove_tzinfo else aware

    # With awscrt installed, botocore signs SigV4 with its CRT signers, which read the clock
    # through botocore.crt.auth; both are frozen.
    with (
        mock.patch.object(botocore.auth, "get_current_datetime", side_effect=now),
        mock.patch.object(botocore.crt.auth, "get_current_datetime", side_effect=now),
        mock.patch.object(botocore.auth.HmacV1Auth, "_get_date", _header_date(aware)),
        mock.patch.object(botocore.auth.HmacV1QueryAuth, "_get_date", _expires_at(aware)),
    ):
        yield


def _header_date(moment: datetime) -> Any:
    """SigV2 (header form) signs the Date header botocore writes from the wall clock."""

    def get_date(self: Any) -> str:
        return email.utils.formatdate(moment.timestamp(), usegmt=True)

    return get_date


def _expires_at(moment: datetime) -> Any:
    """SigV2 (query form) signs Expires, which botocore counts from the wall clock."""

    def get_date(self: Any) -> str:
        return str(int(moment.timestamp() + int(self._expires)))

    return get_date


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else data.encode()
    return b"".join(body)


def to_http_request(method: str, url: str, headers: Mapping[str, Any], body: Any) -> HttpRequest:
    """What the gateway would receive: raw path and query, headers incl. Host, body bytes."""
    parts = urlsplit(url)
    received: CIMultiDict[str] = CIMultiDict()
    received["Host"] = parts.netloc
    for name, value in headers.items():
        if name.lower() == "host":  # botocore's CRT signers add the Host header they sign
            received["Host"] = value.decode() if isinstance(value, bytes) else str(value)
            continue
        received.add(name, value.decode() if isinstance(value, bytes) else str(value))
    return HttpRequest(
        method=method,
        path=parts.path or "/",
        query=parts.query,
        headers=received,
        body=body_bytes(body),
    )


def from_prepared(prepared: Any) -> HttpRequest:
    return to_http_request(prepared.method, prepared.url, prepared.headers, prepared.body)


def client(
    service: str,
    *,
    endpoint: str = "http://127.0.0.1:9",
    token: str | None = None,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    region: str = "us-east-1",
    **config: Any,
) -> Any:
    """A boto3 client whose requests are captured after signing, never sent."""
    session = boto3.session.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=token,
        region_name=region,
    )
    made = session.client(
        service,
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 1}, **config),
    )

    def capture(request: Any, **_: Any) -> None:
        raise Captured(request)

    made.meta.events.register("before-send", capture)
    return made


def capture(call: Any, *args: Any, **kwargs: Any) -> HttpRequest:
    """Run a client call with a frozen clock and return the signed request it built."""
    with frozen_signing_clock():
        try:
            call(*args, **kwargs)
        except Captured as captured:
            return from_prepared(captured.request)
    raise AssertionError("the call sent nothing")


def sign_with_botocore(
    method: str,
    url: str,
    *,
    service: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    s3: bool = False,
    token: str | None = None,
    moment: datetime = NOW,
    region: str = "us-east-1",
) -> HttpRequest:
    """Sign a hand-built request with botocore's SigV4Auth / S3SigV4Auth."""
    request = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
    signer_cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    signer = signer_cls(Credentials(ACCESS_KEY, SECRET_KEY, token), service, region)
    with frozen_signing_clock(moment):
        signer.add_auth(request)
    return to_http_request(method, request.url, request.headers, io.BytesIO(body))
