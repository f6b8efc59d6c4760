"""Typed form of the map's JSON entries and of what the resolver returns.

An operation's entry is either ``{"no_authorization": "<AWS's reason>"}`` or
``{"rules": [...]}``; each rule yields at most one :class:`Requirement` per request (or one per
list item, with ``each``). The JSON keys are documented in ``data/FORMAT.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One IAM action an operation may need, and when it needs it."""

    action: str
    resources: tuple[str, ...]
    context: dict[str, str] = field(default_factory=dict)
    when: tuple[str, ...] = ()  # every test holds (see conditions.py for the test syntax)
    when_any: tuple[str, ...] = ()  # at least one test holds
    unless: tuple[str, ...] = ()  # no test holds
    each: str | None = None  # list path: one requirement per item, "@" = the item
    caller_default: str | None = None  # absent member -> the caller's own ARN is the resource
    request_tags: str | None = None  # tags -> aws:RequestTag/<k> and aws:TagKeys
    tag_keys: str | None = None  # tag key list -> aws:TagKeys
    request_object_tags: str | None = None  # S3 object tags -> s3:RequestObjectTag/<k>, ...Keys

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Rule:
        """Build from a JSON rule, rejecting unknown keys so typos fail loudly."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(raw) - known - {"note"}
        if unknown:
            raise ValueError(f"unknown rule keys {sorted(unknown)} in {raw}")
        return cls(
            action=raw["action"],
            resources=tuple(raw["resources"]),
            context=dict(raw.get("context", {})),
            when=_tuple(raw.get("when")),
            when_any=_tuple(raw.get("when_any")),
            unless=_tuple(raw.get("unless")),
            each=raw.get("each"),
            caller_default=raw.get("caller_default"),
            request_tags=raw.get("request_tags"),
            tag_keys=raw.get("tag_keys"),
            request_object_tags=raw.get("request_object_tags"),
        )


@dataclass(frozen=True)
class Entry:
    """Everything the map says about one operation."""

    api: str
    operation: str
    rules: tuple[Rule, ...] = ()
    no_authorization: str | None = None  # AWS allows it always; the text says why
    unsigned: bool = False  # not SigV4-signed: only the target's resource policy decides
    note: str | None = None
    uncertain: str | None = None  # what could not be confirmed against AWS's reference

    @classmethod
    def from_json(cls, api: str, operation: str, raw: dict[str, Any]) -> Entry:
        """Build from a JSON entry; an entry has rules xor a no-authorization reason."""
        known = {"rules", "no_authorization", "unsigned", "note", "uncertain"}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{api}:{operation}: unknown keys {sorted(unknown)}")
        rules = tuple(Rule.from_json(r) for r in raw.get("rules", ()))
        reason = raw.get("no_authorization")
        if bool(rules) == bool(reason):
            raise ValueError(f"{api}:{operation}: needs rules or no_authorization, not both")
        return cls(
            api=api,
            operation=operation,
            rules=rules,
            no_authorization=reason,
            unsigned=bool(raw.get("unsigned", False)),
            note=raw.get("note"),
            uncertain=raw.get("uncertain"),
        )


@dataclass(frozen=True)
class ResourceOwner:
    """Who owns a resource, as far as its ARN tells.

    ``account`` when the ARN names it (SQS, IAM, STS); for S3 the ARN has no account, so
    ``bucket`` names the bucket whose owner only the S3 service knows.
    """

    account: str | None = None
    bucket: str | None = None


@dataclass(frozen=True)
class Requirement:
    """One IAM action the caller must be allowed, on these resources, in this context."""

    action: str
    resources: list[str]
    context: dict[str, Any] = field(default_factory=dict)
    item: int | None = None  # index in the input list the rule iterates (DeleteObjects keys)

    def owners(self) -> list[ResourceOwner]:
        """The owner hint of each resource, in order (for cross-account evaluation)."""
        from nimbus_gateway.authz.owner import resource_owner

        return [resource_owner(arn) for arn in self.resources]


def _tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)
