"""Refuse NUL characters in any S3 input string before it reaches PostgreSQL.

PostgreSQL text cannot hold U+0000, and S3 keys, prefixes, markers and tag values are stored
or compared as text; without this guard such input would fail deep in a query as an internal
error. A NUL-bearing bucket name can never exist; anything else is an invalid argument.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import (
    DownloadHandler,
    Input,
    Output,
    UnaryHandler,
    UploadBody,
    UploadHandler,
)

from nimbus_s3.errors import no_such_bucket


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def check_input(params: Input) -> None:
    bucket = params.get("Bucket")
    if isinstance(bucket, str) and "\x00" in bucket:
        raise no_such_bucket(bucket.replace("\x00", ""))
    if _has_nul(params):
        raise AwsError("InvalidArgument", "Invalid Argument: input contains a NUL character", 400)


def guard_unary(handler: UnaryHandler) -> UnaryHandler:
    async def guarded(ctx: RequestContext, params: Input) -> Output:
        check_input(params)
        return await handler(ctx, params)

    return guarded


def guard_upload(handler: UploadHandler) -> UploadHandler:
    async def guarded(ctx: RequestContext, params: Input, body: UploadBody) -> Output:
        check_input(params)
        return await handler(ctx, params, body)

    return guarded


def guard_download(handler: DownloadHandler) -> DownloadHandler:
    async def guarded(ctx: RequestContext, params: Input) -> tuple[Output, AsyncIterator[bytes]]:
        check_input(params)
        return await handler(ctx, params)

    return guarded
