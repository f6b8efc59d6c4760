"""IAM's Marker/MaxItems/IsTruncated paging over a sorted list, with an opaque marker.

IAM lists are small (thousands at most per account), so a page is cut from the whole sorted
result: the marker names the last key returned, so pages stay stable when items are added
or removed between calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nimbus_iam.iam_errors import validation_error
from nimbus_iam.validation import Checks

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    # Set only when more items follow (AWS omits Marker when IsTruncated is false).
    marker: str | None

    @property
    def truncated(self) -> bool:
        return self.marker is not None


def check_paging(checks: Checks, marker: Any, max_items: Any) -> None:
    checks.string(marker, "marker", min_len=1, max_len=320, pattern=r"[\u0020-\u00FF]+")
    checks.integer(max_items, "maxItems", 1, 1000)


def _encode(key: str) -> str:
    raw = json.dumps({"k": key}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(marker: str) -> str:
    try:
        padded = marker + "=" * (-len(marker) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = value["k"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise validation_error("Invalid Marker.") from exc
    if not isinstance(key, str):
        raise validation_error("Invalid Marker.")
    return key


def paginate(
    items: Sequence[T], key: Callable[[T], str], marker: str | None, max_items: int | None
) -> Page[T]:
    """The page after marker of items sorted by key (unique per item)."""
    ordered = sorted(items, key=key)
    if marker:
        after = _decode(marker)
        ordered = [item for item in ordered if key(item) > after]
    limit = max_items or DEFAULT_MAX_ITEMS
    page = ordered[:limit]
    more = len(ordered) > limit
    return Page(page, _encode(key(page[-1])) if more and page else None)
