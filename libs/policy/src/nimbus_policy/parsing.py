"""Parse and validate a policy document the way IAM does, raising AWS's messages.

The checks run in the order AWS appears to run them: JSON syntax, grammar shape, legacy parsing
(Effect case, dates), then the semantic checks (principal presence, actions, resources, vendors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from nimbus_policy.conditions import BASE_OPERATORS, split_operator
from nimbus_policy.dates import parse_date
from nimbus_policy.errors import MalformedPolicyDocument
from nimbus_policy.model import (
    VERSION_2008,
    VERSION_2012,
    ConditionClause,
    Effect,
    Policy,
    PolicyKind,
    PrincipalElement,
    Statement,
)

SYNTAX_ERROR = "Syntax errors in policy."
LEGACY_PARSING = "The policy failed legacy parsing"
NO_PRINCIPAL_ALLOWED = "Policy document should not specify a principal."
MISSING_PRINCIPAL = "Missing required field Principal"
EMPTY_PRINCIPAL = "Missing required field Principal cannot be empty!"
MISSING_ACTIONS = "Policy statement must contain actions."
MISSING_RESOURCES = "Policy statement must contain resources."
VENDOR_REQUIRED = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
EMPTY_STATEMENT = "Could not parse the policy: Statement is empty!"
TRUST_PROHIBITED_RESOURCE = "Has prohibited field Resource"
TRUST_NO_RESOURCES = "AssumeRole policy must not contain resources."
TRUST_STS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."
TRUST_ALLOW_NOT_PRINCIPAL = "Allow with NotPrincipal is not allowed."

TOP_FIELDS = frozenset({"Version", "Id", "Statement"})
STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_VENDOR = re.compile(r"^[A-Za-z0-9\-.*?]+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,127}$")
_KINDS_WITHOUT_PRINCIPAL: frozenset[str] = frozenset({"identity", "boundary", "session"})


def parse_policy(text: str, kind: PolicyKind, *, policy_id: str = "") -> Policy:
    """Parse `text` as a policy of `kind`; raise MalformedPolicyDocument as AWS would."""
    try:
        return _parse(text, kind, policy_id)
    except MalformedPolicyDocument:
        raise
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        # Anything the grammar checks missed (absurd nesting, huge numbers) is still a syntax
        # error to the caller, never a crash of the IAM API.
        raise MalformedPolicyDocument(SYNTAX_ERROR) from exc


def _parse(text: str, kind: PolicyKind, policy_id: str) -> Policy:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedPolicyDocument(SYNTAX_ERROR) from exc
    if not isinstance(doc, dict):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    for name in doc:
        if name not in TOP_FIELDS:
            raise MalformedPolicyDocument(f"Unknown field {name}")
    version = doc.get("Version", VERSION_2008)
    if version not in (VERSION_2008, VERSION_2012):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    policy_doc_id = doc.get("Id")
    if policy_doc_id is not None and not isinstance(policy_doc_id, str):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    if "Statement" not in doc:
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    raw = doc["Statement"]
    raw_statements = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw_statements, list):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    if not raw_statements:
        raise MalformedPolicyDocument(EMPTY_STATEMENT)
    statements = tuple(_statement(i, s, kind) for i, s in enumerate(raw_statements))
    _check_semantics(statements, raw_statements, kind)
    return Policy(
        kind=kind, version=version, statements=statements, id=policy_doc_id, policy_id=policy_id
    )


def _statement(index: int, raw: Any, kind: PolicyKind) -> Statement:
    """Shape checks for one statement (syntax and legacy parsing)."""
    if not isinstance(raw, dict):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    for name in raw:
        if name not in STATEMENT_FIELDS:
            raise MalformedPolicyDocument(f"Unknown field {name}")
    for a in ("Action", "Resource", "Principal"):
        if a in raw and f"Not{a}" in raw:
            raise MalformedPolicyDocument(SYNTAX_ERROR)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    effect = _effect(raw.get("Effect"))
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        actions=_string_list(raw, "Action"),
        not_actions=_string_list(raw, "NotAction"),
        resources=_string_list(raw, "Resource"),
        not_resources=_string_list(raw, "NotResource"),
        principal=_principal(raw["Principal"]) if "Principal" in raw else None,
        not_principal=_principal(raw["NotPrincipal"]) if "NotPrincipal" in raw else None,
        conditions=_conditions(raw.get("Condition")),
    )


def _effect(value: Any) -> Effect:
    if not isinstance(value, str) or value.lower() not in ("allow", "deny"):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    if value == "Allow":
        return "Allow"
    if value == "Deny":
        return "Deny"
    # AWS's grammar accepts any case, its legacy parser then refuses anything but exact case.
    raise MalformedPolicyDocument(LEGACY_PARSING)


def _string_list(raw: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    if name not in raw:
        return None
    value = raw[name]
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MalformedPolicyDocument(SYNTAX_ERROR)


def _principal(value: Any) -> PrincipalElement:
    if value == "*":
        return PrincipalElement(wildcard=True)
    if not isinstance(value, dict):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    entries: dict[str, tuple[str, ...]] = {}
    for ptype, ids in value.items():
        ids_tuple = (ids,) if isinstance(ids, str) else ids
        if not isinstance(ids_tuple, list) and not isinstance(ids_tuple, tuple):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        if not all(isinstance(i, str) for i in ids_tuple):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        for ident in ids_tuple:
            if ptype not in PRINCIPAL_TYPES or not _valid_principal_id(ptype, ident):
                raise MalformedPolicyDocument(f'Invalid principal in policy: "{ptype}":"{ident}"')
        entries[ptype] = tuple(ids_tuple)
    return PrincipalElement(wildcard=False, entries=entries)


def _valid_principal_id(ptype: str, ident: str) -> bool:
    if ptype == "AWS":
        return (
            ident == "*"
            or bool(_ACCOUNT_ID.match(ident))
            or bool(_UNIQUE_ID.match(ident))
            or (ident.startswith("arn:") and ident.count(":") >= 5 and "*" not in ident)
        )
    return bool(ident) and (ident == "*" or "*" not in ident)


def _conditions(value: Any) -> tuple[ConditionClause, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    clauses: list[ConditionClause] = []
    for operator, body in value.items():
        if not isinstance(body, dict):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        split = split_operator(operator)
        if split is None or split[1] not in BASE_OPERATORS:
            if body:
                raise MalformedPolicyDocument(SYNTAX_ERROR)
            continue
        qualifier, base, if_exists = split
        for key, raw_values in body.items():
            values = _condition_values(raw_values)
            if base.startswith("Date"):
                for v in values:
                    if parse_date(v) is None and "${" not in v:
                        raise MalformedPolicyDocument(LEGACY_PARSING)
            clauses.append(
                ConditionClause(
                    operator=operator,
                    base=base,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=key,
                    values=values,
                )
            )
    return tuple(clauses)


def _condition_values(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str):
            out.append(item)
        elif isinstance(item, int | float):
            out.append(json.dumps(item))
        else:
            raise MalformedPolicyDocument(SYNTAX_ERROR)
    return tuple(out)


def _check_semantics(
    statements: tuple[Statement, ...], raw_statements: list[Any], kind: PolicyKind
) -> None:
    """Checks AWS makes once the document is well formed, in AWS's order."""
    sids = [s.sid for s in statements if s.sid]
    if len(sids) != len(set(sids)):
        raise MalformedPolicyDocument(DUPLICATE_SID)
    for stmt, raw in zip(statements, raw_statements, strict=True):
        has_principal = stmt.principal is not None or stmt.not_principal is not None
        if kind in _KINDS_WITHOUT_PRINCIPAL and has_principal:
            raise MalformedPolicyDocument(NO_PRINCIPAL_ALLOWED)
        # A trust policy with a Resource (an identity policy pasted in) is reported as such
        # before its missing Principal, as IAM does.
        if kind == "trust" and "Resource" in raw:
            raise MalformedPolicyDocument(TRUST_PROHIBITED_RESOURCE)
        if kind in ("resource", "trust"):
            if not has_principal:
                raise MalformedPolicyDocument(MISSING_PRINCIPAL)
            element = stmt.principal or stmt.not_principal
            if element is not None and not element.wildcard and not element.entries:
                raise MalformedPolicyDocument(EMPTY_PRINCIPAL)
        if kind == "trust":
            if "NotResource" in raw:
                raise MalformedPolicyDocument(TRUST_NO_RESOURCES)
            if stmt.effect == "Allow" and stmt.not_principal is not None:
                raise MalformedPolicyDocument(TRUST_ALLOW_NOT_PRINCIPAL)
        if not (stmt.actions or stmt.not_actions):
            raise MalformedPolicyDocument(MISSING_ACTIONS)
        if kind != "trust" and not (stmt.resources or stmt.not_resources):
            raise MalformedPolicyDocument(MISSING_RESOURCES)
        for resource in (stmt.resources or ()) + (stmt.not_resources or ()):
            if resource != "*" and ":" not in resource:
                raise MalformedPolicyDocument(f'Resource {resource} must be in ARN format or "*".')
        for action in (stmt.actions or ()) + (stmt.not_actions or ()):
            _check_vendor(action)
            if kind == "trust" and not _is_sts_action(action):
                raise MalformedPolicyDocument(TRUST_STS_ONLY)
        for clause in stmt.conditions:
            if ":" not in clause.key:
                raise MalformedPolicyDocument(VENDOR_REQUIRED)


def _check_vendor(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise MalformedPolicyDocument(VENDOR_REQUIRED)
    if len(parts) > 2:
        raise MalformedPolicyDocument(ONE_COLON)
    if not _VENDOR.match(parts[0]):
        raise MalformedPolicyDocument(f"Vendor {parts[0]} is not valid")


def _is_sts_action(action: str) -> bool:
    vendor = action.split(":", 1)[0].lower()
    return vendor == "sts"
