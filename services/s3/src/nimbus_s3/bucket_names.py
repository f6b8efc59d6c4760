"""General purpose bucket naming rules, as S3 enforces them on CreateBucket."""

from __future__ import annotations

import re

from nimbus_core.errors import AwsError

_ALLOWED = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def invalid_bucket_name(name: str) -> AwsError:
    return AwsError(
        "InvalidBucketName", "The specified bucket is not valid.", 400, extra={"BucketName": name}
    )


def bucket_name_problem(name: str) -> str | None:
    """Why name cannot be a new bucket's name, or None when it can."""
    if not _ALLOWED.fullmatch(name):
        return "not 3-63 lowercase letters, digits, dots or hyphens between a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "adjacent dots, or a dot next to a hyphen"
    if _IP_ADDRESS.fullmatch(name):
        return "formatted as an IP address"
    if name.startswith(_RESERVED_PREFIXES):
        return "reserved prefix"
    if name.endswith(_RESERVED_SUFFIXES):
        return "reserved suffix"
    return None


def validate_bucket_name(name: str) -> None:
    """Raise S3's InvalidBucketName unless name is a valid new general purpose bucket name."""
    if bucket_name_problem(name) is not None:
        raise invalid_bucket_name(name)
