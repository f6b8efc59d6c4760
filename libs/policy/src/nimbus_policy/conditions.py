"""Condition operators: AWS's matching rules per family, IfExists, Null and the set qualifiers.

Rules (IAM User Guide, condition operators and multi-valued keys):
- keys in one operator are ANDed; values for one key are ORed, NORed for negated operators;
- a missing key makes a positive operator false and a negated one true, except with IfExists
  (true either way) and Null (which tests presence);
- ForAllValues is true when the key is missing or empty, ForAnyValue false.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from nimbus_policy.context import RequestContext
from nimbus_policy.dates import parse_date
from nimbus_policy.model import ConditionClause, SetQualifier
from nimbus_policy.variables import resolve
from nimbus_policy.wildcard import Pattern, literal_of, matches, tokens_of


@dataclass(frozen=True)
class _Family:
    """A base operator: its positive matcher and whether the operator is the negation."""

    match: Callable[[str, Pattern], bool]
    negated: bool


def _string_equals(value: str, pattern: Pattern) -> bool:
    return value == literal_of(pattern)


def _string_equals_ic(value: str, pattern: Pattern) -> bool:
    return value.casefold() == literal_of(pattern).casefold()


def _string_like(value: str, pattern: Pattern) -> bool:
    return matches(pattern, value)


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> Callable[[str, Pattern], bool]:
    def match(value: str, pattern: Pattern) -> bool:
        left, right = _number(value), _number(literal_of(pattern))
        return left is not None and right is not None and compare(left, right)

    return match


def _date(compare: Callable[[float, float], bool]) -> Callable[[str, Pattern], bool]:
    def match(value: str, pattern: Pattern) -> bool:
        left, right = parse_date(value), parse_date(literal_of(pattern))
        if left is None or right is None:
            return False
        return compare(left.timestamp(), right.timestamp())

    return match


def _bool(value: str, pattern: Pattern) -> bool:
    return value.lower() == literal_of(pattern).lower()


def _binary(value: str, pattern: Pattern) -> bool:
    expected = literal_of(pattern)
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(expected, validate=True)
    except (binascii.Error, ValueError):
        return value == expected


def _ip(value: str, pattern: Pattern) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
        network = ipaddress.ip_network(literal_of(pattern).strip(), strict=False)
    except ValueError:
        return False
    return address.version == network.version and address in network


def _arn_like(value: str, pattern: Pattern) -> bool:
    """ARNs compare component by component (six colon-separated parts), each a glob."""
    text = literal_of(pattern)
    if text == "*":
        return True
    want = text.split(":", 5)
    have = value.split(":", 5)
    if len(want) != 6 or len(have) != 6:
        return False
    return all(matches(tokens_of(w), h) for w, h in zip(want, have, strict=True))


BASE_OPERATORS: dict[str, _Family] = {
    "StringEquals": _Family(_string_equals, False),
    "StringNotEquals": _Family(_string_equals, True),
    "StringEqualsIgnoreCase": _Family(_string_equals_ic, False),
    "StringNotEqualsIgnoreCase": _Family(_string_equals_ic, True),
    "StringLike": _Family(_string_like, False),
    "StringNotLike": _Family(_string_like, True),
    "NumericEquals": _Family(_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": _Family(_numeric(lambda a, b: a == b), True),
    "NumericLessThan": _Family(_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": _Family(_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": _Family(_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": _Family(_numeric(lambda a, b: a >= b), False),
    "DateEquals": _Family(_date(lambda a, b: a == b), False),
    "DateNotEquals": _Family(_date(lambda a, b: a == b), True),
    "DateLessThan": _Family(_date(lambda a, b: a < b), False),
    "DateLessThanEquals": _Family(_date(lambda a, b: a <= b), False),
    "DateGreaterThan": _Family(_date(lambda a, b: a > b), False),
    "DateGreaterThanEquals": _Family(_date(lambda a, b: a >= b), False),
    "Bool": _Family(_bool, False),
    "BinaryEquals": _Family(_binary, False),
    "IpAddress": _Family(_ip, False),
    "NotIpAddress": _Family(_ip, True),
    "ArnEquals": _Family(_arn_like, False),
    "ArnLike": _Family(_arn_like, False),
    "ArnNotEquals": _Family(_arn_like, True),
    "ArnNotLike": _Family(_arn_like, True),
    "Null": _Family(_bool, False),
}

# Operators whose values are globs; the rest treat `*` and `?` literally.
_WILDCARD_OPERATORS = frozenset({"StringLike", "StringNotLike"})


def split_operator(operator: str) -> tuple[SetQualifier | None, str, bool] | None:
    """`ForAnyValue:StringLikeIfExists` -> ("ForAnyValue", "StringLike", True)."""
    qualifier: SetQualifier | None = None
    rest = operator
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        if prefix == "ForAllValues":
            qualifier = "ForAllValues"
        elif prefix == "ForAnyValue":
            qualifier = "ForAnyValue"
        else:
            return None
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base == "Null" and if_exists:
        return None
    return qualifier, base, if_exists


def evaluate_clause(
    clause: ConditionClause, ctx: RequestContext, *, variables: bool, missing: set[str]
) -> bool:
    """Whether one operator/key pair holds; records keys the request lacked in `missing`."""
    present = ctx.get(clause.key)
    if clause.base == "Null":
        wants_absent = {v.lower() for v in clause.values}
        return ("true" in wants_absent and present is None) or (
            "false" in wants_absent and present is not None
        )
    family = BASE_OPERATORS[clause.base]
    if present is None:
        missing.add(clause.key)
        if clause.if_exists:
            return True
        if clause.qualifier == "ForAllValues":
            return True
        if clause.qualifier == "ForAnyValue":
            return False
        return family.negated
    patterns = _patterns(clause, ctx, variables=variables, missing=missing)
    if patterns is None:
        return False
    if clause.base not in _WILDCARD_OPERATORS:
        patterns = [_literal(p) for p in patterns]

    def one(value: str) -> bool:
        hit = any(family.match(value, p) for p in patterns)
        return not hit if family.negated else hit

    if clause.qualifier == "ForAllValues":
        return all(one(v) for v in present)
    if clause.qualifier == "ForAnyValue":
        return any(one(v) for v in present)
    if family.negated:
        return all(one(v) for v in present)
    return any(one(v) for v in present)


def _literal(pattern: Pattern) -> Pattern:
    return (literal_of(pattern),)


def _patterns(
    clause: ConditionClause, ctx: RequestContext, *, variables: bool, missing: set[str]
) -> list[Pattern] | None:
    """Policy values with variables substituted; None when the clause cannot hold.

    An unresolvable value drops out of a positive operator's OR; a negated operator (NOR)
    with an unresolvable value cannot be decided, so the clause is false.
    """
    out: list[Pattern] = []
    unresolved = False
    for raw in clause.values:
        pattern, absent = resolve(raw, ctx.single, variables=variables)
        missing.update(absent)
        if pattern is None:
            unresolved = True
            continue
        out.append(pattern)
    if unresolved and BASE_OPERATORS[clause.base].negated:
        return None
    return out or None
