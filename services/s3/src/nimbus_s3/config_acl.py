"""Putting an ACL on a bucket or object: which ACL a request asks for, and whether Block
Public Access lets it be stored."""

from __future__ import annotations

from typing import Any

from nimbus_core.errors import AwsError
from nimbus_core.operations import Input

from nimbus_s3 import acl
from nimbus_s3.buckets import Bucket
from nimbus_s3.config_errors import missing_security_header
from nimbus_s3.configs import get_config
from nimbus_s3.errors import access_denied


def requested_acl(
    params: Input, owner_account: str, bucket_owner_account: str | None
) -> dict[str, Any]:
    """The ACL a PutBucketAcl/PutObjectAcl asks for: a body, or canned/grant headers."""
    from_headers = acl.from_request(params, owner_account, bucket_owner_account)
    body = params.get("AccessControlPolicy")
    if body is not None and from_headers is not None:
        raise AwsError("UnexpectedContent", "This request does not support content", 400)
    if body is not None:
        return acl.from_policy(body, owner_account)
    if from_headers is None:
        raise missing_security_header("x-amz-acl")
    return from_headers


async def check_public_acl(db: Any, bucket: Bucket, document: dict[str, Any]) -> None:
    """BlockPublicAcls: S3 refuses to store a public ACL on a bucket or object."""
    if not acl.is_public(document):
        return
    block = await get_config(db, bucket.name, "public_access_block") or {}
    if block.get("BlockPublicAcls"):
        raise access_denied()
