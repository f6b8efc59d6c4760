"""Object Lock: the bucket's default retention, and per-object retention rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3.errors import invalid_argument, malformed_xml

MODES = ("GOVERNANCE", "COMPLIANCE")
MAX_DAYS = 36500
MAX_YEARS = 100


def locked() -> AwsError:
    return AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403)


def validate_lock_configuration(config: Any) -> dict[str, Any]:
    """The ObjectLockConfiguration input member, checked as S3 checks it."""
    if not isinstance(config, dict) or config.get("ObjectLockEnabled") != "Enabled":
        raise malformed_xml()
    rule = config.get("Rule")
    if rule is None:
        return {"ObjectLockEnabled": "Enabled"}
    retention = rule.get("DefaultRetention") if isinstance(rule, dict) else None
    if not isinstance(retention, dict) or retention.get("Mode") not in MODES:
        raise malformed_xml()
    days, years = retention.get("Days"), retention.get("Years")
    if (days is None) == (years is None):
        raise malformed_xml()
    value = days if days is not None else years
    name = "Days" if days is not None else "Years"
    if not isinstance(value, int) or value <= 0:
        raise invalid_argument(
            "Default retention period must be a positive integer value.", name, str(value)
        )
    if (days is not None and value > MAX_DAYS) or (years is not None and value > MAX_YEARS):
        raise invalid_argument("Default retention period too large.", name, str(value))
    return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": dict(retention)}}


def parse_instant(value: Any) -> datetime:
    """An ISO 8601 timestamp from the gateway, as an aware datetime."""
    if not isinstance(value, str):
        raise malformed_xml()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise malformed_xml() from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def validate_retention(retention: Any) -> tuple[str | None, datetime | None]:
    """(mode, retain-until) of a Retention input member; (None, None) removes retention."""
    if not isinstance(retention, dict):
        raise malformed_xml()
    mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
    if mode is None and until is None:
        return None, None
    if mode not in MODES or until is None:
        raise malformed_xml()
    moment = parse_instant(until)
    if moment <= datetime.now(UTC):
        raise invalid_argument(
            "The retain until date must be in the future!", "RetainUntilDate", str(until)
        )
    return str(mode), moment


def check_retention_change(
    current_mode: str | None,
    current_until: datetime | None,
    mode: str | None,
    until: datetime | None,
    *,
    bypass_governance: bool,
) -> None:
    """S3's rule: a retention may always be extended; COMPLIANCE may never be weakened,
    GOVERNANCE only with x-amz-bypass-governance-retention."""
    if current_mode is None or current_until is None or current_until <= datetime.now(UTC):
        return
    # Any change of mode counts as weakening: GOVERNANCE needs the bypass even to become
    # COMPLIANCE, and COMPLIANCE never changes.
    weaker = mode is None or until is None or until < current_until or mode != current_mode
    if not weaker:
        return
    if current_mode == "COMPLIANCE" or not bypass_governance:
        raise locked()
