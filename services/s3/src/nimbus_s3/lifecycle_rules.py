"""Pure lifecycle logic: which rules apply to an object, and when an action comes due.

The lifecycle clock: AWS adds the rule's days to the object's time and rounds up to the
next midnight UTC. A scaled clock (tests: scale 86400, one real second per lifecycle day)
counts plain elapsed days instead, elapsed real time x scale, since midnights would make a
scaled day meaningless. Date rules compare with real time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

DAY = 86400.0


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class Rule:
    """One enabled or disabled rule, its filter flattened."""

    id: str
    enabled: bool
    prefix: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    size_gt: int | None = None
    size_lt: int | None = None
    expiration_days: int | None = None
    expiration_date: datetime | None = None
    expired_delete_marker: bool = False
    noncurrent_days: int | None = None
    newer_noncurrent: int | None = None
    abort_days: int | None = None

    def matches(self, key: str, tags: Mapping[str, str], size: int) -> bool:
        """Whether the rule's filter selects an object (version) with these properties."""
        if not key.startswith(self.prefix):
            return False
        if any(tags.get(k) != v for k, v in self.tags.items()):
            return False
        if self.size_gt is not None and not size > self.size_gt:
            return False
        return self.size_lt is None or size < self.size_lt

    def matches_marker(self, key: str) -> bool:
        """Delete markers have no tags and no size: tag or size filters never pick them."""
        return (
            key.startswith(self.prefix)
            and not self.tags
            and self.size_gt is None
            and self.size_lt is None
        )

    @property
    def filters_on_properties(self) -> bool:
        return bool(self.tags) or self.size_gt is not None or self.size_lt is not None


def parse_rule(raw: Mapping[str, Any]) -> Rule:
    """A LifecycleRule (botocore input shape) as a Rule."""
    flt = raw.get("Filter") or {}
    conj = flt.get("And") or {}
    prefix = str(flt.get("Prefix") or conj.get("Prefix") or raw.get("Prefix") or "")
    tags: dict[str, str] = {}
    if flt.get("Tag"):
        tags[str(flt["Tag"]["Key"])] = str(flt["Tag"].get("Value", ""))
    for tag in conj.get("Tags") or []:
        tags[str(tag["Key"])] = str(tag.get("Value", ""))
    size_gt = flt.get("ObjectSizeGreaterThan", conj.get("ObjectSizeGreaterThan"))
    size_lt = flt.get("ObjectSizeLessThan", conj.get("ObjectSizeLessThan"))
    expiration = raw.get("Expiration") or {}
    noncurrent = raw.get("NoncurrentVersionExpiration") or {}
    abort = raw.get("AbortIncompleteMultipartUpload") or {}
    return Rule(
        id=str(raw.get("ID") or ""),
        enabled=raw.get("Status") == "Enabled",
        prefix=prefix,
        tags=tags,
        size_gt=_int(size_gt),
        size_lt=_int(size_lt),
        expiration_days=_int(expiration.get("Days")),
        expiration_date=_when(expiration.get("Date")),
        expired_delete_marker=bool(expiration.get("ExpiredObjectDeleteMarker")),
        noncurrent_days=_int(noncurrent.get("NoncurrentDays")),
        newer_noncurrent=_int(noncurrent.get("NewerNoncurrentVersions")),
        abort_days=_int(abort.get("DaysAfterInitiation")),
    )


def enabled_rules(config: Mapping[str, Any]) -> list[Rule]:
    return [r for r in (parse_rule(raw) for raw in config.get("Rules") or []) if r.enabled]


def due(start: datetime, days: int, scale: float) -> datetime:
    """When an action `days` lifecycle days after `start` comes due."""
    if scale == 1.0:
        moment = start + timedelta(days=days)
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight if midnight == moment else midnight + timedelta(days=1)
    return start + timedelta(seconds=days * DAY / scale)


def cutoff(now: datetime, days: int, scale: float) -> datetime:
    """The latest start time whose `days`-day action is due at `now` (due(t) <= now)."""
    if scale == 1.0:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - timedelta(days=days)
    return now - timedelta(seconds=days * DAY / scale)


def lifecycle_days(start: datetime, now: datetime, scale: float) -> float:
    """Elapsed lifecycle days (scaled clock), for tests and logs."""
    return max(0.0, (now - start).total_seconds() * scale / DAY)


def expiry(
    rules: list[Rule],
    key: str,
    tags: Mapping[str, str],
    size: int,
    modified: datetime,
    scale: float,
) -> tuple[datetime, str] | None:
    """The earliest expiration of a current version under the rules: (when, rule id)."""
    best: tuple[datetime, str] | None = None
    for rule in rules:
        if not rule.matches(key, tags, size):
            continue
        when: datetime | None = None
        if rule.expiration_days is not None:
            when = due(modified, rule.expiration_days, scale)
        elif rule.expiration_date is not None:
            when = rule.expiration_date
        if when is not None and (best is None or when < best[0]):
            best = (when, rule.id)
    return best


def expiration_header(
    config: Mapping[str, Any],
    key: str,
    tags: Mapping[str, str],
    size: int,
    modified: datetime,
    scale: float,
) -> str | None:
    """x-amz-expiration for a current version: expiry-date="...", rule-id="..."."""
    found = expiry(enabled_rules(config), key, tags, size, modified, scale)
    if found is None:
        return None
    when, rule_id = found
    stamp = format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)
    return f'expiry-date="{stamp}", rule-id="{rule_id}"'


def abort_date(
    config: Mapping[str, Any], key: str, initiated: datetime, scale: float
) -> tuple[datetime, str] | None:
    """When a lifecycle rule aborts an upload of key initiated then: (when, rule id)."""
    best: tuple[datetime, str] | None = None
    for rule in enabled_rules(config):
        if rule.abort_days is None or rule.filters_on_properties:
            continue
        if not key.startswith(rule.prefix):
            continue
        when = due(initiated, rule.abort_days, scale)
        if best is None or when < best[0]:
            best = (when, rule.id)
    return best


def noncurrent_expired(
    rule: Rule, position: int, became_noncurrent: datetime, now: datetime, scale: float
) -> bool:
    """Whether the position-th newest noncurrent version (1 = newest) is due for removal."""
    if rule.noncurrent_days is None:
        return False
    if rule.newer_noncurrent is not None and position <= rule.newer_noncurrent:
        return False
    return became_noncurrent <= cutoff(now, rule.noncurrent_days, scale)
