"""Tag sets of buckets and objects, with S3's limits and InvalidTag messages."""

from __future__ import annotations

import unicodedata
from typing import Any

from nimbus_s3.config_errors import invalid_tag
from nimbus_s3.errors import malformed_xml

MAX_BUCKET_TAGS = 50
MAX_OBJECT_TAGS = 10
MAX_KEY = 128
MAX_VALUE = 256


_SYMBOLS = frozenset("_.:/=+-@")


def utf16_length(text: str) -> int:
    """Length as S3 counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def allowed_text(text: str) -> bool:
    """Unicode letters, digits, white space and _ . : / = + - @ (S3's tag character set)."""
    return all(
        char in _SYMBOLS or unicodedata.category(char)[0] in "LNZ" or char in " \t" for char in text
    )


def validate_tag_set(tagging: Any, *, limit: int) -> list[dict[str, str]]:
    """The TagSet of a Tagging input member, checked; limit is 50 (bucket) or 10 (object)."""
    if not isinstance(tagging, dict) or not isinstance(tagging.get("TagSet"), list):
        raise malformed_xml()
    tag_set: list[dict[str, str]] = []
    seen: set[str] = set()
    for tag in tagging["TagSet"]:
        if not isinstance(tag, dict) or tag.get("Key") is None or tag.get("Value") is None:
            raise malformed_xml()
        key, value = str(tag["Key"]), str(tag["Value"])
        if utf16_length(key) > MAX_KEY:
            raise invalid_tag("The TagKey you have provided is too long, max 128")
        if utf16_length(value) > MAX_VALUE:
            raise invalid_tag("The TagValue you have provided is too long, max 256")
        if not key or not allowed_text(key):
            raise invalid_tag("The TagKey you have provided is invalid")
        if not allowed_text(value):
            raise invalid_tag("The TagValue you have provided is invalid")
        if key.lower().startswith("aws:"):
            raise invalid_tag("System tags cannot be added/updated by requester")
        if key in seen:
            raise invalid_tag("Cannot provide multiple Tags with the same key")
        seen.add(key)
        tag_set.append({"Key": key, "Value": value})
    if len(tag_set) > limit:
        if limit == MAX_OBJECT_TAGS:
            raise invalid_tag("Object tags cannot be greater than 10")
        raise invalid_tag("Bucket tag count cannot be greater than 50")
    return tag_set
