"""Queue tags: SQS's rules and errors for TagQueue, UntagQueue and CreateQueue's tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimbus_sqs.errors import invalid_parameter_value, missing_parameter

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_TAG_SYMBOLS = set("_.:/=+-@")


def validate_tags(raw: Any, *, required: bool) -> dict[str, str]:
    """A tag map under SQS's rules (key 1-128, value 0-256 characters of letters, digits,
    whitespace and _ . : / = + - @; no aws: prefix)."""
    if raw is None or (isinstance(raw, Mapping) and not raw):
        if required:
            raise missing_parameter("Tags")
        return {}
    if not isinstance(raw, Mapping):
        raise invalid_parameter_value("Tags must be a map of strings.")
    tags: dict[str, str] = {}
    for key, value in raw.items():
        key, value = str(key), "" if value is None else str(value)
        check_tag_key(key)
        if len(value) > MAX_TAG_VALUE:
            raise invalid_parameter_value(
                "Tag values must be between 0 and 256 characters in length."
            )
        if not _tag_text(value):
            raise invalid_parameter_value(
                "Tag values may only contain unicode letters, digits, whitespace, or one of "
                "these symbols: _ . : / = + - @"
            )
        tags[key] = value
    return tags


def check_tag_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_TAG_KEY:
        raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
    if not _tag_text(key):
        raise invalid_parameter_value(
            "Tag keys may only contain unicode letters, digits, whitespace, or one of these "
            "symbols: _ . : / = + - @"
        )
    if key.lower().startswith("aws:"):
        raise invalid_parameter_value("Tag keys must not start with the reserved prefix aws:.")


def _tag_text(text: str) -> bool:
    return all(c.isalnum() or c.isspace() or c in _TAG_SYMBOLS for c in text)


def validate_tag_keys(raw: Any) -> list[str]:
    """UntagQueue's TagKeys."""
    if raw is None:
        raise missing_parameter("TagKeys")
    keys = [str(k) for k in raw] if isinstance(raw, list) else [str(raw)]
    if not keys:
        raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
    for key in keys:
        if not 1 <= len(key) <= MAX_TAG_KEY:
            raise invalid_parameter_value(
                "Tag keys must be between 1 and 128 characters in length."
            )
    return keys


def check_tag_count(queue_name: str, tags: Mapping[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter_value(f"Too many tags added for queue {queue_name}.")
