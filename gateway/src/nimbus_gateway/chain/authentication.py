"""Authenticate the caller: SigV4 (or S3's SigV2) against IAM's secrets (enforce), or trust
it (open).

Also the place where a streamed or aws-chunked body becomes its plain payload, since
checking it is part of checking the signature.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import unquote

from nimbus_gateway import catalog
from nimbus_gateway.auth import (
    Authenticated,
    AwsChunkedDecoder,
    SigningCredential,
    authenticate,
    decode_chunked_body,
    missing_authentication,
    verify_sha256,
)
from nimbus_gateway.chain.exchange import Caller, Exchange
from nimbus_gateway.credentials import AccessKeyIdentity, CredentialStore

log = logging.getLogger(__name__)

_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")
_V2_ACCESS_KEY = re.compile(r"AWS ([^:\s]+):")  # SigV2: "AWS AKID:signature"
_V2_QUERY_ACCESS_KEY = re.compile(r"(?:^|&)AWSAccessKeyId=([^&]+)")
_STREAMING = "STREAMING-"


@dataclass(frozen=True)
class _KnownKey(SigningCredential):
    identity: AccessKeyIdentity | None = None


def caller_of(identity: AccessKeyIdentity) -> Caller:
    return Caller(
        account_id=identity.account_id,
        principal_arn=identity.principal_arn,
        user_id=identity.user_id,
        access_key_id=identity.access_key_id,
        role_arn=identity.role_arn,
        session_policies=identity.session_policies,
        session_tags=identity.session_tags,
    )


def root_caller(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id)


def anonymous_caller() -> Caller:
    return Caller(account_id="", principal_arn="", user_id="", anonymous=True)


class Authenticator:
    def __init__(
        self,
        store: CredentialStore,
        *,
        mode: Literal["enforce", "open"],
        default_account: str,
        record_use: bool = True,
    ) -> None:
        self._store = store
        self._mode = mode
        self._default_account = default_account
        self._record_use = record_use
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def open_mode(self) -> bool:
        """Whether any well-formed request is trusted (no signature check)."""
        return self._mode == "open"

    @property
    def default_account(self) -> str:
        """The account open-mode and unsigned-but-trusted requests act as."""
        return self._default_account

    async def handle(self, exchange: Exchange, body: AsyncIterator[bytes] | None) -> None:
        """Set exchange.caller, and exchange.body_stream for a streamed body."""
        if self._mode == "open":
            await self._trust(exchange, body)
            return
        assert exchange.api is not None
        api = catalog.BY_NAME[exchange.api]
        result = await authenticate(
            exchange.request,
            self.lookup,
            is_s3=exchange.api == "s3",
            now=datetime.now(UTC),
            service=api.signing_name,
        )
        if result is None:
            # S3 and SQS admit unsigned callers as anonymous: a bucket or queue policy may
            # let everyone in; authorization refuses them otherwise.
            if exchange.api not in ("s3", "sqs"):
                raise missing_authentication()
            exchange.caller = anonymous_caller()
            exchange.body_stream = body
            return
        assert isinstance(result.credential, _KnownKey) and result.credential.identity
        exchange.caller = caller_of(result.credential.identity)
        exchange.region = result.region or exchange.region
        await self._payload(exchange, result, body)
        self._note_use(result.access_key_id, exchange.api, exchange.region)

    async def lookup(self, access_key_id: str) -> SigningCredential | None:
        """The signing secret of an active key (None for unknown or inactive keys)."""
        identity = await self._store.resolve(access_key_id)
        if identity is None or not identity.active:
            return None
        return _KnownKey(
            access_key_id=identity.access_key_id,
            secret_access_key=identity.secret_access_key,
            session_token=identity.session_token or None,
            expired=identity.expired,
            identity=identity,
        )

    async def _payload(
        self, exchange: Exchange, result: Authenticated, body: AsyncIterator[bytes] | None
    ) -> None:
        streaming = result.payload.startswith("streaming")
        if body is not None:
            if streaming:
                # The decoder itself: dispatching reads its trailers once the body has ended.
                exchange.body_stream = AwsChunkedDecoder.for_request(result, body)
            elif result.payload == "signed" and result.content_sha256:
                exchange.body_stream = verify_sha256(body, result.content_sha256)
            else:
                exchange.body_stream = body
        elif streaming:
            exchange.request.body, trailers = await decode_chunked_body(
                result, exchange.request.body
            )
            # Trailing checksums (x-amz-checksum-*) count as headers for the operation.
            exchange.request.headers.extend(trailers)

    async def _trust(self, exchange: Exchange, body: AsyncIterator[bytes] | None) -> None:
        """Open mode: the signer's identity if IAM knows the key, else the default root."""
        request = exchange.request
        authorization = request.headers.get("authorization", "")
        found = (
            _ACCESS_KEY.search(authorization)
            or _ACCESS_KEY.search(unquote(request.query))
            or _V2_ACCESS_KEY.match(authorization)
            or _V2_QUERY_ACCESS_KEY.search(request.query)
        )
        identity = await self._store.resolve(unquote(found[1])) if found else None
        exchange.caller = caller_of(identity) if identity else root_caller(self._default_account)
        sha = request.headers.get("x-amz-content-sha256", "")
        if not sha.startswith(_STREAMING):
            exchange.body_stream = body
            return
        decoded_length = request.headers.get("x-amz-decoded-content-length")
        trailers = [t.strip() for t in request.headers.get("x-amz-trailer", "").split(",") if t]

        def decoder(source: AsyncIterator[bytes]) -> AwsChunkedDecoder:
            return AwsChunkedDecoder(
                source,
                declared_trailers=trailers,
                decoded_length=int(decoded_length) if decoded_length else None,
            )

        if body is not None:
            exchange.body_stream = decoder(body)
        else:
            whole = decoder(_once(request.body))
            exchange.request.body = b"".join([piece async for piece in whole])
            exchange.request.headers.extend(whole.trailers)

    def _note_use(self, access_key_id: str, api: str, region: str) -> None:
        """Tell IAM the key was used, without making the caller wait for it."""
        if not self._record_use:
            return
        task = asyncio.create_task(self._store.record_use(access_key_id, api, region))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
