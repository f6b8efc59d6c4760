"""Condition cases: every operator family, IfExists, Null, set qualifiers, multi key/value logic."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ALICE, SESSION, Case, allow, deny, doc, run, when

A, E, N = "allowed", "explicitDeny", "implicitDeny"


def c(
    case_id: str,
    expect: str,
    operator: str,
    key: str,
    values: Any,
    context: dict[str, Any] | None = None,
    **kw: Any,
) -> Case:
    """An identity Allow guarded by one condition, evaluated in `context`."""
    return Case(
        case_id,
        expect,
        identity=[doc(allow(**when(operator, key, values)))],
        context=context or {},
        **kw,
    )


def dc(
    case_id: str,
    expect: str,
    operator: str,
    key: str,
    values: Any,
    context: dict[str, Any] | None = None,
) -> Case:
    """Allow everything, Deny s3:GetObject when the condition holds."""
    return Case(
        case_id,
        expect,
        identity=[doc(allow("*"), deny(**when(operator, key, values)))],
        context=context or {},
    )


IP = "aws:SourceIp"
V4 = {IP: "203.0.113.7"}
V6 = {IP: "2001:db8::1"}

STRING = [
    c("str-eq", A, "StringEquals", "s3:prefix", "home/", {"s3:prefix": "home/"}),
    c("str-eq-case-sensitive", N, "StringEquals", "s3:prefix", "Home/", {"s3:prefix": "home/"}),
    c("str-eq-no-wildcards", N, "StringEquals", "s3:prefix", "home/*", {"s3:prefix": "home/x"}),
    c("str-eq-values-or", A, "StringEquals", "s3:prefix", ["a", "b"], {"s3:prefix": "b"}),
    c("str-eq-missing-key", N, "StringEquals", "s3:prefix", "a"),
    c("str-eq-key-name-case-insensitive", A, "StringEquals", "S3:PREFIX", "a", {"s3:prefix": "a"}),
    c("str-eq-principal-tag", A, "StringEquals", "aws:PrincipalTag/team", "blue"),
    c("str-eq-principal-tag-wrong", N, "StringEquals", "aws:PrincipalTag/team", "red"),
    c("str-ne", A, "StringNotEquals", "s3:prefix", "secret/", {"s3:prefix": "home/"}),
    c("str-ne-equal", N, "StringNotEquals", "s3:prefix", "home/", {"s3:prefix": "home/"}),
    c("str-ne-nor-first", N, "StringNotEquals", "s3:prefix", ["a", "b"], {"s3:prefix": "a"}),
    c("str-ne-nor-none", A, "StringNotEquals", "s3:prefix", ["a", "b"], {"s3:prefix": "c"}),
    c("str-ne-missing-key-true", A, "StringNotEquals", "s3:prefix", "a"),
    c("str-eq-ic", A, "StringEqualsIgnoreCase", "s3:prefix", "HOME/", {"s3:prefix": "home/"}),
    c("str-ne-ic", N, "StringNotEqualsIgnoreCase", "s3:prefix", "HOME/", {"s3:prefix": "home/"}),
    c("str-like-star", A, "StringLike", "s3:prefix", "home/*", {"s3:prefix": "home/a/b"}),
    c("str-like-qmark", A, "StringLike", "s3:prefix", "v?", {"s3:prefix": "v1"}),
    c("str-like-case-sensitive", N, "StringLike", "s3:prefix", "HOME/*", {"s3:prefix": "home/"}),
    c("str-like-no-match", N, "StringLike", "s3:prefix", "home/*", {"s3:prefix": "other/"}),
    c("str-not-like", A, "StringNotLike", "s3:prefix", "secret*", {"s3:prefix": "home/"}),
    c("str-not-like-matches", N, "StringNotLike", "s3:prefix", "h*", {"s3:prefix": "home/"}),
    c("str-eq-ifexists-missing", A, "StringEqualsIfExists", "s3:prefix", "a"),
    c(
        "str-eq-ifexists-present-wrong",
        N,
        "StringEqualsIfExists",
        "s3:prefix",
        "a",
        {"s3:prefix": "b"},
    ),
    c("str-like-ifexists-present", A, "StringLikeIfExists", "s3:prefix", "a*", {"s3:prefix": "ab"}),
    dc("deny-str-ne-ifexists-missing-denies", E, "StringNotEqualsIfExists", "s3:prefix", "a"),
    dc("deny-str-eq-missing-no-deny", A, "StringEquals", "s3:prefix", "a"),
    Case(
        "str-multi-keys-and",
        N,
        context={"s3:prefix": "a", "s3:delimiter": "x"},
        identity=[doc(allow(Condition={"StringEquals": {"s3:prefix": "a", "s3:delimiter": "/"}}))],
    ),
    Case(
        "str-multi-keys-and-both",
        A,
        context={"s3:prefix": "a", "s3:delimiter": "/"},
        identity=[doc(allow(Condition={"StringEquals": {"s3:prefix": "a", "s3:delimiter": "/"}}))],
    ),
    Case(
        "multi-operators-and",
        N,
        context={"s3:prefix": "a", IP: "10.0.0.1"},
        identity=[
            doc(
                allow(
                    Condition={
                        "StringEquals": {"s3:prefix": "a"},
                        "IpAddress": {IP: "192.0.2.0/24"},
                    }
                )
            )
        ],
    ),
    Case(
        "multi-operators-and-both",
        A,
        context={"s3:prefix": "a", IP: "192.0.2.9"},
        identity=[
            doc(
                allow(
                    Condition={
                        "StringEquals": {"s3:prefix": "a"},
                        "IpAddress": {IP: "192.0.2.0/24"},
                    }
                )
            )
        ],
    ),
]

NUMERIC = [
    c("num-eq", A, "NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}),
    c("num-eq-int-value", A, "NumericEquals", "s3:max-keys", 10, {"s3:max-keys": 10}),
    c("num-eq-decimal-forms", A, "NumericEquals", "s3:max-keys", "10.0", {"s3:max-keys": "10"}),
    c("num-ne", A, "NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}),
    c("num-ne-equal", N, "NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}),
    c("num-lt", A, "NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": "9"}),
    c("num-lt-equal", N, "NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": "10"}),
    c("num-lte", A, "NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}),
    c("num-gt", A, "NumericGreaterThan", "s3:max-keys", "10", {"s3:max-keys": "10.5"}),
    c("num-gt-less", N, "NumericGreaterThan", "s3:max-keys", "10", {"s3:max-keys": "2"}),
    c("num-gte", A, "NumericGreaterThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}),
    c("num-not-a-number", N, "NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "ten"}),
    c("num-missing", N, "NumericLessThan", "s3:max-keys", "10"),
    c("num-ifexists-missing", A, "NumericLessThanIfExists", "s3:max-keys", "10"),
    c("num-negative", A, "NumericLessThan", "s3:max-keys", "0", {"s3:max-keys": "-1"}),
]

DATES = [
    c("date-lt-current-time", A, "DateLessThan", "aws:CurrentTime", "2025-01-01T00:00:00Z"),
    c("date-lt-past", N, "DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"),
    c("date-gt", A, "DateGreaterThan", "aws:CurrentTime", "2024-01-01T00:00:00Z"),
    c("date-gte-equal", A, "DateGreaterThanEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z"),
    c("date-lte-equal", A, "DateLessThanEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z"),
    c("date-eq", A, "DateEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z"),
    c("date-eq-offset", A, "DateEquals", "aws:CurrentTime", "2024-06-01T14:00:00+02:00"),
    c("date-ne", A, "DateNotEquals", "aws:CurrentTime", "2024-06-01T12:00:01Z"),
    c("date-date-only", A, "DateGreaterThan", "aws:CurrentTime", "2024-05-31"),
    c("date-epoch-policy-value", A, "DateLessThan", "aws:CurrentTime", "1735689600"),
    c("date-epoch-time-key", A, "DateGreaterThan", "aws:EpochTime", "2024-01-01T00:00:00Z"),
    c("date-epoch-vs-epoch", N, "DateLessThan", "aws:EpochTime", "1700000000"),
    c("date-token-issue-missing", N, "DateGreaterThan", "aws:TokenIssueTime", "2024-01-01"),
    c(
        "date-token-issue",
        A,
        "DateGreaterThan",
        "aws:TokenIssueTime",
        "2024-01-01",
        {"aws:TokenIssueTime": "2024-05-01T00:00:00Z"},
    ),
    c("date-fractional-seconds", A, "DateLessThan", "aws:CurrentTime", "2024-06-01T12:00:00.5Z"),
]

BOOL_BINARY = [
    c("bool-true", A, "Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": True}),
    c("bool-json-true", A, "Bool", "aws:SecureTransport", True, {"aws:SecureTransport": "true"}),
    c(
        "bool-false-vs-true",
        N,
        "Bool",
        "aws:SecureTransport",
        "false",
        {"aws:SecureTransport": True},
    ),
    c(
        "bool-case-insensitive",
        A,
        "Bool",
        "aws:MultiFactorAuthPresent",
        "TRUE",
        {"aws:MultiFactorAuthPresent": "true"},
    ),
    c("bool-missing", N, "Bool", "aws:MultiFactorAuthPresent", "true"),
    c("bool-ifexists-missing", A, "BoolIfExists", "aws:MultiFactorAuthPresent", "true"),
    dc(
        "deny-insecure-transport",
        E,
        "Bool",
        "aws:SecureTransport",
        "false",
        {"aws:SecureTransport": False},
    ),
    dc(
        "deny-insecure-transport-secure",
        A,
        "Bool",
        "aws:SecureTransport",
        "false",
        {"aws:SecureTransport": True},
    ),
    dc("deny-no-mfa-ifexists-missing", E, "BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
    c("binary-equals", A, "BinaryEquals", "kms:blob", "QmluYXJ5", {"kms:blob": "QmluYXJ5"}),
    c("binary-differs", N, "BinaryEquals", "kms:blob", "QmluYXJ5", {"kms:blob": "T3RoZXI="}),
]

IP_CASES = [
    c("ip-v4-in", A, "IpAddress", IP, "203.0.113.0/24", V4),
    c("ip-v4-out", N, "IpAddress", IP, "198.51.100.0/24", V4),
    c("ip-v4-single", A, "IpAddress", IP, "203.0.113.7", V4),
    c("ip-v4-single-32", A, "IpAddress", IP, "203.0.113.7/32", V4),
    c("ip-v4-list-or", A, "IpAddress", IP, ["10.0.0.0/8", "203.0.113.0/24"], V4),
    c("ip-v6-in", A, "IpAddress", IP, "2001:db8::/32", V6),
    c("ip-v6-out", N, "IpAddress", IP, "2001:db9::/32", V6),
    c("ip-v6-vs-v4-range", N, "IpAddress", IP, "0.0.0.0/0", V6),
    c("ip-not-in", A, "NotIpAddress", IP, "198.51.100.0/24", V4),
    c("ip-not-in-inside", N, "NotIpAddress", IP, ["10.0.0.0/8", "203.0.113.0/24"], V4),
    c("ip-missing", N, "IpAddress", IP, "0.0.0.0/0"),
    c("ip-host-bits-set", A, "IpAddress", IP, "203.0.113.9/24", V4),
    dc("deny-not-ip-outside", E, "NotIpAddress", IP, "10.0.0.0/8", V4),
    dc("deny-not-ip-inside", A, "NotIpAddress", IP, "203.0.113.0/24", V4),
]

ARN = [
    c(
        "arn-equals",
        A,
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:us-east-1:111122223333:t",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"},
    ),
    c(
        "arn-like-wild-region",
        A,
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:sns:*:111122223333:*",
        {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic"},
    ),
    c(
        "arn-like-wrong-account",
        N,
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:sns:*:999988887777:*",
        {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic"},
    ),
    c(
        "arn-like-resource-part-with-colons",
        A,
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:logs:*:*:log-group:*",
        {"aws:SourceArn": "arn:aws:logs:us-east-1:111122223333:log-group:g:*"},
    ),
    c("arn-not-like", A, "ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin*"),
    c("arn-not-equals-same", N, "ArnNotEquals", "aws:PrincipalArn", ALICE.arn),
    c("arn-not-an-arn", N, "ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", {"aws:SourceArn": "x"}),
    c(
        "arn-principal-arn-of-session-is-role",
        A,
        "ArnEquals",
        "aws:PrincipalArn",
        "arn:aws:iam::111122223333:role/Dev",
        principal=SESSION,
    ),
]

NULL_AND_SETS = [
    c("null-true-missing", A, "Null", "aws:TokenIssueTime", "true"),
    c(
        "null-true-present",
        N,
        "Null",
        "aws:TokenIssueTime",
        "true",
        {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"},
    ),
    c("null-false-present", A, "Null", "aws:RequestTag/env", "false", {"aws:RequestTag/env": "x"}),
    c("null-false-missing", N, "Null", "aws:RequestTag/env", "false"),
    c("null-empty-list-is-null", A, "Null", "aws:TagKeys", "true", {"aws:TagKeys": []}),
    c("null-bool-json", A, "Null", "aws:TokenIssueTime", True),
    c(
        "forall-subset",
        A,
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env", "team"],
        {"aws:TagKeys": ["env"]},
    ),
    c(
        "forall-not-subset",
        N,
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env", "team"],
        {"aws:TagKeys": ["env", "owner"]},
    ),
    c("forall-missing-true", A, "ForAllValues:StringEquals", "aws:TagKeys", ["env"]),
    c(
        "forall-empty-true",
        A,
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": []},
    ),
    c(
        "forall-like",
        A,
        "ForAllValues:StringLike",
        "aws:TagKeys",
        ["env*", "team"],
        {"aws:TagKeys": ["env1", "env2", "team"]},
    ),
    c(
        "forany-one-matches",
        A,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": ["owner", "env"]},
    ),
    c(
        "forany-none-matches",
        N,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": ["owner"]},
    ),
    c("forany-missing-false", N, "ForAnyValue:StringEquals", "aws:TagKeys", ["env"]),
    c(
        "forany-empty-false",
        N,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": []},
    ),
    c("forany-ifexists-missing", A, "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["env"]),
    c(
        "forall-not-equals",
        A,
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        {"aws:TagKeys": ["env", "team"]},
    ),
    c(
        "forall-not-equals-hit",
        N,
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        {"aws:TagKeys": ["env", "secret"]},
    ),
    c(
        "forany-not-equals",
        A,
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        {"aws:TagKeys": ["secret", "env"]},
    ),
    dc(
        "deny-forany-secret-tag",
        E,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["secret"],
        {"aws:TagKeys": ["env", "secret"]},
    ),
    dc("deny-forall-missing-denies", E, "ForAllValues:StringEquals", "aws:TagKeys", ["env"]),
    c(
        "multivalued-no-qualifier-any",
        A,
        "StringEquals",
        "aws:TagKeys",
        "env",
        {"aws:TagKeys": ["owner", "env"]},
    ),
    c(
        "forany-ip",
        A,
        "ForAnyValue:IpAddress",
        "x:ips",
        "10.0.0.0/8",
        {"x:ips": ["192.0.2.1", "10.1.2.3"]},
    ),
    c("forall-numeric", N, "ForAllValues:NumericLessThan", "x:nums", "10", {"x:nums": [1, 20]}),
]

ALL = STRING + NUMERIC + DATES + BOOL_BINARY + IP_CASES + ARN + NULL_AND_SETS


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_condition(case: Case) -> None:
    assert run(case).decision.value == case.expect


def test_case_ids_unique() -> None:
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids))
