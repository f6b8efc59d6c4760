"""Condition key values in the types the policy engine accepts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def condition_keys(keys: Mapping[str, Any]) -> dict[str, Any]:
    """Condition keys as the policy engine takes them: strings, numbers, booleans or lists of
    them; timestamps in ISO 8601 (UTC), as date conditions compare them; others left out."""
    found: dict[str, Any] = {}
    for key, value in keys.items():
        if isinstance(value, datetime):
            moment = value.astimezone(UTC) if value.tzinfo else value
            found[key] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(value, str | bool | int | float):
            found[key] = value
        elif isinstance(value, list | tuple) and all(
            isinstance(v, str | bool | int | float) for v in value
        ):
            found[key] = list(value)
    return found
