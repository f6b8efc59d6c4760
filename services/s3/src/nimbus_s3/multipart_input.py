"""What a CreateMultipartUpload request says the finished object will be: metadata, system
headers, storage class, tags, encryption, ACL and Object Lock, checked as S3 checks them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext

from nimbus_s3.buckets import Bucket
from nimbus_s3.configs import get_config
from nimbus_s3.errors import invalid_request
from nimbus_s3.object_inputs import (
    check_key,
    encryption,
    metadata,
    object_acl,
    object_lock,
    sse_c,
    storage_class,
    system_headers,
    tagging_header,
)


@dataclass
class ObjectFields:
    owner_account: str
    storage_class: str = "STANDARD"
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    encryption: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    acl: dict[str, Any] | None = None
    lock_mode: str | None = None
    lock_retain_until: datetime | None = None
    legal_hold: bool = False


async def object_fields(
    db: asyncpg.Pool,
    params: dict[str, Any],
    bucket: Bucket,
    ctx: RequestContext,
) -> ObjectFields:
    """Everything CreateMultipartUpload fixes about the object it will produce, checked by
    the same rules PutObject applies."""
    check_key(str(params["Key"]))
    mode, retain, hold, _ = object_lock(params, bucket)
    default_sse = await get_config(db, bucket.name, "encryption")
    return ObjectFields(
        owner_account=ctx.account_id or bucket.account_id,
        storage_class=storage_class(params),
        metadata=metadata(params),
        headers=system_headers(params),
        encryption=encryption(params, bucket, default_sse),
        tags=tagging_header(params.get("Tagging")),
        acl=await object_acl(db, params, bucket, ctx.account_id or bucket.account_id),
        lock_mode=mode,
        lock_retain_until=retain,
        legal_hold=hold,
    )


def check_part_encryption(upload_encryption: Mapping[str, Any], params: dict[str, Any]) -> None:
    """UploadPart(Copy) of an SSE-C upload must repeat the upload's customer key."""
    given = sse_c(params)
    if upload_encryption.get("SSECustomerAlgorithm"):
        if given is None:
            raise invalid_request(
                "The multipart upload initiate requested encryption. Subsequent part requests "
                "must include the appropriate encryption parameters."
            )
        if given["SSECustomerKeyMD5"] != upload_encryption.get("SSECustomerKeyMD5"):
            raise invalid_request(
                "The provided encryption parameters did not match the ones used originally."
            )
    elif given is not None:
        raise invalid_request(
            "The multipart upload initiate did not request encryption. Subsequent part "
            "requests must not include encryption parameters."
        )
