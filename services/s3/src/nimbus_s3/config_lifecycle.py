"""Lifecycle configurations: S3's checks on PutBucketLifecycle(Configuration).

The stored document is the LifecycleConfiguration input member ({"Rules": [...]}), which the
lifecycle reconciler reads. Rules sent without an ID get one as S3 makes them (base64 of a
UUID). Messages are S3's as recorded against it where a recording exists.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from nimbus_s3.errors import invalid_argument, invalid_request, malformed_xml

MAX_RULES = 1000
MAX_ID = 255
MAX_OBJECT_SIZE = 1099511627776000
STORAGE_CLASSES = (
    "GLACIER",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
)
_MIN_IA_DAYS = 30
ACTIONS = (
    "Expiration",
    "Transitions",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionTransitions",
    "AbortIncompleteMultipartUpload",
)
_FILTER_FORMS = ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")


def new_rule_id() -> str:
    """An ID as S3 gives a rule sent without one: base64 of a version 4 UUID."""
    return base64.b64encode(str(uuid.uuid4()).encode()).decode()


def validate_lifecycle(config: Any) -> dict[str, Any]:
    """The LifecycleConfiguration input member, checked as S3 checks it, with IDs filled in."""
    if not isinstance(config, dict):
        raise malformed_xml()
    rules = config.get("Rules")
    if not isinstance(rules, list) or not rules:
        raise malformed_xml()
    if len(rules) > MAX_RULES:
        raise invalid_request(
            "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."
        )
    _check_one_form(rules)
    ids: set[str] = set()
    stored: list[dict[str, Any]] = []
    for rule in rules:
        _check_rule(rule)
        rule_id = rule.get("ID")
        if rule_id:
            if rule_id in ids:
                raise invalid_argument(
                    "Rule ID must be unique. Found same ID for more than one rule", "ID", rule_id
                )
            ids.add(rule_id)
        stored.append(rule if rule_id else {"ID": new_rule_id(), **rule})
    return {"Rules": stored}


def _legacy(rule: Any) -> bool:
    return isinstance(rule, dict) and rule.get("Prefix") is not None and "Filter" not in rule


def _check_one_form(rules: list[Any]) -> None:
    """Rule-level prefixes (V1) and filters (V2) cannot be mixed in one configuration."""
    seen_legacy = seen_filter = False
    for rule in rules:
        if not isinstance(rule, dict):
            raise malformed_xml()
        if _legacy(rule):
            if seen_filter:
                raise invalid_request(
                    "Base level prefix cannot be used in Lifecycle V2, prefixes are only"
                    " supported in the Filter."
                )
            seen_legacy = True
        elif rule.get("Filter") is not None:
            if seen_legacy:
                raise invalid_request("Filter element can only be used in Lifecycle V2.")
            seen_filter = True


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_rule(rule: dict[str, Any]) -> None:
    rule_id = rule.get("ID")
    if rule_id is not None and len(str(rule_id)) > MAX_ID:
        raise invalid_argument(
            "ID length should not exceed allowed limit of 255", "ID", str(rule_id)
        )
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise malformed_xml()
    has_tags, has_sizes = _check_filter(rule)
    if not any(rule.get(action) is not None for action in ACTIONS):
        raise invalid_request("At least one action needs to be specified in a rule")
    _check_expiration(rule.get("Expiration"), has_tags, has_sizes)
    transition_days = _check_transitions(rule)
    expiration = rule.get("Expiration") or {}
    days = expiration.get("Days")
    if transition_days and days is not None and days <= max(transition_days):
        raise invalid_argument(
            "'Days' in the Expiration action for filter must be greater than 'Days' in the"
            " Transition action"
        )
    _check_noncurrent(rule.get("NoncurrentVersionExpiration"), _legacy(rule))
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort is not None:
        if not isinstance(abort, dict) or abort.get("DaysAfterInitiation") is None:
            raise malformed_xml()
        if not _positive(abort["DaysAfterInitiation"]):
            raise invalid_argument(
                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a "
                "positive integer"
            )
        if has_tags:
            raise invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")
        if has_sizes:
            raise invalid_request(
                "AbortIncompleteMultipartUpload cannot be specified with Object Size."
            )


def _check_noncurrent(noncurrent: Any, legacy: bool) -> None:
    if noncurrent is None:
        return
    if not isinstance(noncurrent, dict) or noncurrent.get("NoncurrentDays") is None:
        raise malformed_xml()
    if not _positive(noncurrent["NoncurrentDays"]):
        raise invalid_argument(
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"
        )
    newer = noncurrent.get("NewerNoncurrentVersions")
    if newer is not None:
        if legacy:
            raise invalid_request(
                "NewerNoncurrentVersions element can only be used in Lifecycle V2."
            )
        if not _positive(newer):
            raise invalid_argument(
                "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a"
                " positive integer"
            )


def _check_filter(rule: dict[str, Any]) -> tuple[bool, bool]:
    """Prefix xor Filter, a Filter of at most one form (an And of two or more);
    whether it filters on tags, and on object sizes."""
    has_prefix = rule.get("Prefix") is not None
    lifecycle_filter = rule.get("Filter")
    if has_prefix == (lifecycle_filter is not None):
        raise malformed_xml()
    if lifecycle_filter is None:
        return False, False
    if not isinstance(lifecycle_filter, dict):
        raise malformed_xml()
    forms = [form for form in _FILTER_FORMS if lifecycle_filter.get(form) is not None]
    if len(forms) > 1:
        raise malformed_xml()
    conjunction = lifecycle_filter.get("And")
    scope = conjunction if isinstance(conjunction, dict) else lifecycle_filter
    tags = list(scope.get("Tags") or [])
    if lifecycle_filter.get("Tag") is not None:
        tags.append(lifecycle_filter["Tag"])
    for tag in tags:
        if not isinstance(tag, dict) or not tag.get("Key"):
            raise malformed_xml()
    if conjunction is not None:
        if not isinstance(conjunction, dict):
            raise malformed_xml()
        predicates = len(tags) + sum(
            1
            for name in ("Prefix", "ObjectSizeGreaterThan", "ObjectSizeLessThan")
            if conjunction.get(name) is not None
        )
        if predicates < 2:
            raise malformed_xml()
        keys = [tag["Key"] for tag in tags]
        if len(keys) != len(set(keys)):
            raise invalid_request("Duplicate Tag Keys are not allowed.")
    has_sizes = _check_sizes(scope)
    return bool(tags), has_sizes


def _check_sizes(scope: dict[str, Any]) -> bool:
    greater = scope.get("ObjectSizeGreaterThan")
    less = scope.get("ObjectSizeLessThan")
    if greater is not None and not (isinstance(greater, int) and 0 <= greater < MAX_OBJECT_SIZE):
        raise invalid_request(
            f"'ObjectSizeGreaterThan' should be between 0 and {MAX_OBJECT_SIZE - 1}."
        )
    if less is not None and not (isinstance(less, int) and 1 <= less <= MAX_OBJECT_SIZE):
        raise invalid_request(f"'ObjectSizeLessThan' should be between 1 and {MAX_OBJECT_SIZE}.")
    if greater is not None and less is not None and less <= greater:
        raise invalid_request(
            "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."
        )
    return greater is not None or less is not None


def _midnight(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    offset = moment.utcoffset()
    if offset is not None:
        moment = (moment - offset).replace(tzinfo=None)
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def _check_expiration(expiration: Any, has_tags: bool, has_sizes: bool) -> None:
    if expiration is None:
        return
    if not isinstance(expiration, dict):
        raise malformed_xml()
    given = [
        f for f in ("Days", "Date", "ExpiredObjectDeleteMarker") if expiration.get(f) is not None
    ]
    if len(given) != 1:
        raise malformed_xml()
    if "Days" in given and not _positive(expiration["Days"]):
        raise invalid_argument("'Days' for Expiration action must be a positive integer")
    if "Date" in given and not _midnight(expiration["Date"]):
        raise invalid_argument("'Date' must be at midnight GMT")
    if "ExpiredObjectDeleteMarker" in given:
        if has_tags:
            raise invalid_request("ExpiredObjectDeleteMarker cannot be specified with object tags")
        if has_sizes:
            raise invalid_request("ExpiredObjectDeleteMarker cannot be specified with Object Size.")


def _check_transitions(rule: dict[str, Any]) -> list[int]:
    days_seen: list[int] = []
    for name, days_field in (
        ("Transitions", "Days"),
        ("NoncurrentVersionTransitions", "NoncurrentDays"),
    ):
        action = "Transition" if name == "Transitions" else "NoncurrentVersionTransition"
        for transition in rule.get(name) or []:
            if not isinstance(transition, dict):
                raise malformed_xml()
            storage_class = transition.get("StorageClass")
            if storage_class not in STORAGE_CLASSES:
                raise malformed_xml()
            days = transition.get(days_field)
            if days is None and (action != "Transition" or transition.get("Date") is None):
                raise malformed_xml()
            if days is not None:
                if not isinstance(days, int) or days < 0:
                    raise invalid_argument(f"'{days_field}' in {action} action must be nonnegative")
                if storage_class in ("STANDARD_IA", "ONEZONE_IA") and days < _MIN_IA_DAYS:
                    raise invalid_argument(
                        f"'{days_field}' in {action} action must be greater than or equal to 30"
                        f" for storageClass '{storage_class}'"
                    )
                if action == "Transition":
                    days_seen.append(days)
            elif not _midnight(transition.get("Date")):
                raise invalid_argument("'Date' must be at midnight GMT")
    return days_seen
