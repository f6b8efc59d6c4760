"""Checks and formats every bucket-level operation shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3.buckets import Bucket
from nimbus_s3.errors import access_denied

_ACCOUNT_ID = re.compile(r"\d{12}")


def check_expected_owner(bucket: Bucket, params: Mapping[str, Any]) -> None:
    """x-amz-expected-bucket-owner: S3 answers 403 when the bucket belongs to someone else."""
    expected = params.get("ExpectedBucketOwner")
    if expected is None:
        return
    if not _ACCOUNT_ID.fullmatch(str(expected)):
        raise AwsError(
            "InvalidBucketOwnerAWSAccountID",
            "The value of the expected bucket owner parameter must be an AWS Account ID..."
            f" [{expected}]",
            400,
        )
    if str(expected) != bucket.account_id:
        raise access_denied()


def iso(moment: datetime) -> str:
    """A timestamp as the services send them: ISO 8601 UTC with milliseconds."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
