"""Date values as AWS reads them: ISO 8601 (date, date-time, offset) or epoch seconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_EPOCH = re.compile(r"^-?\d{1,12}$")
_EPOCH_ZERO = datetime(1970, 1, 1, tzinfo=UTC)


def parse_date(text: str) -> datetime | None:
    """A timezone-aware datetime, or None when AWS would not read `text` as a date."""
    value = text.strip()
    if _EPOCH.match(value) and "-" not in value[1:]:
        try:
            return _EPOCH_ZERO + timedelta(seconds=int(value))
        except OverflowError:
            return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def iso_utc(moment: datetime) -> str:
    """The aws:CurrentTime rendering: ISO 8601 in UTC with a Z suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
