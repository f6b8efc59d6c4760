"""parse_policy: accepted documents, and refused ones with AWS's MalformedPolicyDocument text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from nimbus_policy import MalformedPolicyDocument, PolicyKind, parse_policy, policy_size
from nimbus_policy.limits import MANAGED_POLICY_MAX_CHARS

V = "2012-10-17"
OK_STMT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST_STMT = {
    "Effect": "Allow",
    "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


@dataclass(frozen=True)
class Bad:
    id: str
    text: str
    message: str
    kind: PolicyKind = "identity"


def j(statement: Any, **top: Any) -> str:
    return json.dumps({"Version": V, "Statement": statement, **top})


def s(**fields: Any) -> str:
    """An identity statement: OK_STMT with `fields` overriding (None deletes)."""
    stmt = {**OK_STMT, **fields}
    return j([{k: v for k, v in stmt.items() if v is not None}])


def t(**fields: Any) -> str:
    stmt = {**TRUST_STMT, **fields}
    return j([{k: v for k, v in stmt.items() if v is not None}])


SYNTAX = "Syntax errors in policy."
BAD = [
    Bad("not-json", "{", SYNTAX),
    Bad("json-array", "[]", SYNTAX),
    Bad("json-string", '"x"', SYNTAX),
    Bad("empty-text", "", SYNTAX),
    Bad(
        "unknown-top-field",
        json.dumps({"Version": V, "Statement": [OK_STMT], "Comment": "x"}),
        "Unknown field Comment",
    ),
    Bad(
        "lowercase-statement",
        json.dumps({"Version": V, "statement": [OK_STMT]}),
        "Unknown field statement",
    ),
    Bad("unknown-statement-field", s(Resources="*"), "Unknown field Resources"),
    Bad("bad-version", json.dumps({"Version": "2020-01-01", "Statement": [OK_STMT]}), SYNTAX),
    Bad("missing-statement", json.dumps({"Version": V}), SYNTAX),
    Bad("statement-string", j("x"), SYNTAX),
    Bad("statement-empty-list", j([]), "Could not parse the policy: Statement is empty!"),
    Bad("statement-item-not-object", j(["x"]), SYNTAX),
    Bad("missing-effect", s(Effect=None), SYNTAX),
    Bad("invalid-effect", s(Effect="Permit"), SYNTAX),
    Bad("effect-wrong-case", s(Effect="allow"), "The policy failed legacy parsing"),
    Bad("effect-not-string", s(Effect=True), SYNTAX),
    Bad("action-and-notaction", s(NotAction="s3:*"), SYNTAX),
    Bad("resource-and-notresource", s(NotResource="*"), SYNTAX),
    Bad("action-object", s(Action={"a": 1}), SYNTAX),
    Bad("action-list-with-number", s(Action=["s3:GetObject", 3]), SYNTAX),
    Bad("sid-number", s(Sid=3), SYNTAX),
    Bad("missing-action", s(Action=None), "Policy statement must contain actions."),
    Bad("empty-action-list", s(Action=[]), "Policy statement must contain actions."),
    Bad("missing-resource", s(Resource=None), "Policy statement must contain resources."),
    Bad("empty-resource-list", s(Resource=[]), "Policy statement must contain resources."),
    Bad(
        "action-without-vendor",
        s(Action="GetObject"),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    Bad(
        "action-two-colons",
        s(Action="s3:Get:Object"),
        "Actions/Condition can contain only one colon.",
    ),
    Bad("action-bad-vendor", s(Action="s 3:GetObject"), "Vendor s 3 is not valid"),
    Bad(
        "condition-key-without-vendor",
        s(Condition={"StringEquals": {"prefix": "a"}}),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    Bad("resource-not-arn", s(Resource="bucket"), 'Resource bucket must be in ARN format or "*".'),
    Bad(
        "duplicate-sid",
        j([{**OK_STMT, "Sid": "A"}, {**OK_STMT, "Sid": "A"}]),
        "Statement IDs (SID) in a single policy must be unique.",
    ),
    Bad(
        "identity-with-principal",
        s(Principal="*"),
        "Policy document should not specify a principal.",
    ),
    Bad(
        "identity-with-notprincipal",
        s(NotPrincipal={"AWS": "*"}),
        "Policy document should not specify a principal.",
    ),
    Bad(
        "boundary-with-principal",
        s(Principal="*"),
        "Policy document should not specify a principal.",
        "boundary",
    ),
    Bad(
        "session-with-principal",
        s(Principal="*"),
        "Policy document should not specify a principal.",
        "session",
    ),
    Bad("condition-not-object", s(Condition="x"), SYNTAX),
    Bad("condition-body-not-object", s(Condition={"StringEquals": "x"}), SYNTAX),
    Bad("condition-value-object", s(Condition={"StringEquals": {"s3:prefix": {"a": 1}}}), SYNTAX),
    Bad("unknown-operator", s(Condition={"StringMatches": {"s3:prefix": "a"}}), SYNTAX),
    Bad("bad-set-prefix", s(Condition={"ForSomeValues:StringEquals": {"s3:prefix": "a"}}), SYNTAX),
    Bad(
        "bad-date-value",
        s(Condition={"DateLessThan": {"aws:CurrentTime": "tomorrow"}}),
        "The policy failed legacy parsing",
    ),
    Bad("resource-missing-principal", s(), "Missing required field Principal", "resource"),
    Bad(
        "resource-empty-principal",
        s(Principal={}),
        "Missing required field Principal cannot be empty!",
        "resource",
    ),
    Bad(
        "resource-bad-principal-type",
        s(Principal={"Users": "x"}),
        'Invalid principal in policy: "Users":"x"',
        "resource",
    ),
    Bad(
        "resource-bad-aws-principal",
        s(Principal={"AWS": "alice"}),
        'Invalid principal in policy: "AWS":"alice"',
        "resource",
    ),
    Bad(
        "resource-principal-partial-wildcard",
        s(Principal={"AWS": "arn:aws:iam::1:user/*"}),
        'Invalid principal in policy: "AWS":"arn:aws:iam::1:user/*"',
        "resource",
    ),
    Bad("principal-and-notprincipal", s(Principal="*", NotPrincipal="*"), SYNTAX, "resource"),
    Bad("trust-missing-principal", t(Principal=None), "Missing required field Principal", "trust"),
    Bad("trust-with-resource", t(Resource="*"), "Has prohibited field Resource", "trust"),
    Bad(
        "trust-with-notresource",
        t(NotResource="*"),
        "AssumeRole policy must not contain resources.",
        "trust",
    ),
    Bad(
        "trust-non-sts-action",
        t(Action="s3:GetObject"),
        "AssumeRole policy may only specify STS AssumeRole actions.",
        "trust",
    ),
    Bad(
        "trust-star-action",
        t(Action="*"),
        "AssumeRole policy may only specify STS AssumeRole actions.",
        "trust",
    ),
    Bad(
        "trust-allow-notprincipal",
        t(Principal=None, NotPrincipal={"AWS": "*"}),
        "Allow with NotPrincipal is not allowed.",
        "trust",
    ),
    Bad("trust-missing-action", t(Action=None), "Policy statement must contain actions.", "trust"),
]


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_refused(bad: Bad) -> None:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(bad.text, bad.kind)
    assert info.value.message == bad.message
    assert str(info.value) == bad.message


GOOD: list[tuple[str, str, PolicyKind]] = [
    ("minimal", s(), "identity"),
    ("single-statement-object", json.dumps({"Version": V, "Statement": OK_STMT}), "identity"),
    ("no-version", json.dumps({"Statement": [OK_STMT]}), "identity"),
    ("version-2008", json.dumps({"Version": "2008-10-17", "Statement": [OK_STMT]}), "identity"),
    ("with-id", j([OK_STMT], Id="my-policy"), "identity"),
    ("unknown-action-accepted", s(Action="s3:NoSuchThing"), "identity"),
    ("wildcard-action", s(Action="*"), "identity"),
    ("not-action", s(Action=None, NotAction=["iam:*"]), "identity"),
    ("not-resource", s(Resource=None, NotResource="arn:aws:s3:::x"), "identity"),
    (
        "all-operator-forms",
        s(
            Condition={
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]},
                "NumericLessThan": {"s3:max-keys": 10},
                "Bool": {"aws:SecureTransport": False},
                "Null": {"aws:TokenIssueTime": True},
                "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                "DateLessThan": {"aws:EpochTime": "1735689600"},
                "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
            }
        ),
        "identity",
    ),
    ("empty-condition-block", s(Condition={}), "identity"),
    (
        "date-variable-value",
        s(Condition={"DateLessThan": {"aws:CurrentTime": "${x:y}"}}),
        "identity",
    ),
    ("resource-star-principal", s(Principal="*"), "resource"),
    ("resource-account-principal", s(Principal={"AWS": "123456789012"}), "resource"),
    (
        "resource-principal-list",
        s(Principal={"AWS": ["arn:aws:iam::123456789012:user/a", "*"]}),
        "resource",
    ),
    (
        "resource-service-principal",
        s(Principal={"Service": "cloudtrail.amazonaws.com"}),
        "resource",
    ),
    (
        "resource-canonical-user",
        s(Principal={"CanonicalUser": "79a59df900b949e55d96a1e6"}),
        "resource",
    ),
    ("resource-unique-id-principal", s(Principal={"AWS": "AIDAJQABLZS4A3QDU576Q"}), "resource"),
    (
        "resource-deny-notprincipal",
        s(Effect="Deny", NotPrincipal={"AWS": "123456789012"}),
        "resource",
    ),
    ("trust-service", t(), "trust"),
    (
        "trust-federated",
        t(
            Principal={"Federated": "cognito-identity.amazonaws.com"},
            Action="sts:AssumeRoleWithWebIdentity",
        ),
        "trust",
    ),
    ("trust-tag-session", t(Action=["sts:AssumeRole", "sts:TagSession"]), "trust"),
    ("boundary", s(), "boundary"),
    ("session", s(), "session"),
]


@pytest.mark.parametrize(("text", "kind"), [(g[1], g[2]) for g in GOOD], ids=[g[0] for g in GOOD])
def test_accepted(text: str, kind: PolicyKind) -> None:
    policy = parse_policy(text, kind, policy_id="p")
    assert policy.kind == kind
    assert policy.policy_id == "p"
    assert policy.statements


def test_parsed_shape() -> None:
    policy = parse_policy(
        s(
            Sid="S1",
            Action=["s3:Get*"],
            Condition={"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a", "b"]}},
        ),
        "identity",
    )
    (stmt,) = policy.statements
    assert stmt.sid == "S1"
    assert stmt.effect == "Allow"
    assert stmt.actions == ("s3:Get*",)
    (clause,) = stmt.conditions
    assert (clause.qualifier, clause.base, clause.if_exists) == (
        "ForAllValues",
        "StringEquals",
        True,
    )
    assert clause.values == ("a", "b")
    assert policy.variables_enabled


def test_condition_scalars_become_strings() -> None:
    policy = parse_policy(
        s(
            Condition={
                "NumericEquals": {"s3:max-keys": [10, 2.5]},
                "Bool": {"aws:SecureTransport": True},
            }
        ),
        "identity",
    )
    values = {c.base: c.values for c in policy.statements[0].conditions}
    assert values == {"NumericEquals": ("10", "2.5"), "Bool": ("true",)}


def test_policy_size_ignores_whitespace() -> None:
    assert policy_size('{ "a" :\n\t"b c" }') == len('{"a":"bc"}')
    assert MANAGED_POLICY_MAX_CHARS == 6144
