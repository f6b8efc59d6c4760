"""Policy-variable cases: substitution in Resource and Condition values, defaults, escapes,
unresolvable variables, and no substitution under Version 2008-10-17."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CAROL, SESSION, Case, allow, deny, doc, run, when

A, E, N = "allowed", "explicitDeny", "implicitDeny"
HOME = "arn:aws:s3:::bucket/home/${aws:username}/*"


def res(
    case_id: str,
    expect: str,
    pattern: str,
    resource: str,
    version: str | None = "2012-10-17",
    **kw: Any,
) -> Case:
    return Case(
        case_id,
        expect,
        identity=[doc(allow(resource=pattern), version=version)],
        resource=resource,
        **kw,
    )


CASES = [
    res("var-username-own-home", A, HOME, "arn:aws:s3:::bucket/home/alice/f"),
    res("var-username-other-home", N, HOME, "arn:aws:s3:::bucket/home/bob/f"),
    res(
        "var-username-missing-for-session",
        N,
        HOME,
        "arn:aws:s3:::bucket/home/sess/f",
        principal=SESSION,
    ),
    res(
        "var-username-default-used",
        A,
        "arn:aws:s3:::bucket/home/${aws:username, 'nobody'}/*",
        "arn:aws:s3:::bucket/home/nobody/f",
        principal=SESSION,
    ),
    res(
        "var-username-default-ignored-when-present",
        N,
        "arn:aws:s3:::bucket/home/${aws:username, 'nobody'}/*",
        "arn:aws:s3:::bucket/home/nobody/f",
    ),
    res(
        "var-userid",
        A,
        "arn:aws:s3:::bucket/${aws:userid}/*",
        "arn:aws:s3:::bucket/AIDAALICE00000000000/x",
    ),
    res(
        "var-userid-session",
        A,
        "arn:aws:s3:::bucket/${aws:userid}/*",
        "arn:aws:s3:::bucket/AROADEV0000000000000:sess/x",
        principal=SESSION,
    ),
    res(
        "var-principal-tag",
        A,
        "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::bucket/blue/x",
    ),
    res(
        "var-principal-tag-missing",
        N,
        "arn:aws:s3:::bucket/${aws:PrincipalTag/nope}/*",
        "arn:aws:s3:::bucket/blue/x",
    ),
    res(
        "var-principal-account",
        A,
        "arn:aws:s3:::bucket-${aws:PrincipalAccount}/*",
        "arn:aws:s3:::bucket-111122223333/x",
    ),
    res(
        "var-key-name-case-insensitive",
        A,
        "arn:aws:s3:::bucket/home/${AWS:UserName}/*",
        "arn:aws:s3:::bucket/home/alice/f",
    ),
    res(
        "var-request-key",
        A,
        "arn:aws:s3:::bucket/${s3:prefix}*",
        "arn:aws:s3:::bucket/pre-x",
        context={"s3:prefix": "pre-"},
    ),
    res(
        "var-requested-region",
        A,
        "arn:aws:sqs:${aws:RequestedRegion}:111122223333:q",
        "arn:aws:sqs:eu-west-1:111122223333:q",
        context={"aws:RequestedRegion": "eu-west-1"},
    ),
    res("var-escape-star-literal", A, "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*"),
    res("var-escape-star-not-wild", N, "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/key"),
    res("var-escape-qmark-literal", N, "arn:aws:s3:::bucket/a${?}", "arn:aws:s3:::bucket/ab"),
    res("var-escape-dollar", A, "arn:aws:s3:::bucket/${$}x", "arn:aws:s3:::bucket/$x"),
    res(
        "var-value-star-is-literal",
        N,
        "arn:aws:s3:::bucket/${s3:prefix}",
        "arn:aws:s3:::bucket/anything",
        context={"s3:prefix": "*"},
    ),
    res(
        "var-version-2008-literal",
        N,
        HOME,
        "arn:aws:s3:::bucket/home/alice/f",
        version="2008-10-17",
    ),
    res(
        "var-version-2008-matches-text",
        A,
        HOME,
        "arn:aws:s3:::bucket/home/${aws:username}/f",
        version="2008-10-17",
    ),
    res("var-no-version-literal", N, HOME, "arn:aws:s3:::bucket/home/alice/f", version=None),
    Case(
        "var-unresolved-pattern-other-matches",
        A,
        principal=SESSION,
        identity=[doc(allow(resource=["arn:aws:s3:::x/${aws:username}", "*"]))],
    ),
    Case(
        "var-not-resource-unresolved-no-match",
        N,
        principal=SESSION,
        identity=[doc(allow(resource=None, NotResource="arn:aws:s3:::x/${aws:username}"))],
    ),
    Case(
        "var-in-condition",
        A,
        context={"s3:prefix": "home/alice/"},
        identity=[doc(allow(**when("StringLike", "s3:prefix", "home/${aws:username}/*")))],
    ),
    Case(
        "var-in-condition-other-user",
        N,
        principal=CAROL,
        context={"s3:prefix": "home/alice/"},
        identity=[doc(allow(**when("StringLike", "s3:prefix", "home/${aws:username}/*")))],
    ),
    Case(
        "var-in-condition-unresolved",
        N,
        principal=SESSION,
        context={"s3:prefix": "x"},
        identity=[doc(allow(**when("StringLike", "s3:prefix", "${aws:username}")))],
    ),
    Case(
        "var-in-condition-or-other-value",
        A,
        principal=SESSION,
        context={"s3:prefix": "x"},
        identity=[doc(allow(**when("StringEquals", "s3:prefix", ["${aws:username}", "x"])))],
    ),
    Case(
        "var-in-negated-condition-unresolved",
        N,
        principal=SESSION,
        context={"s3:prefix": "x"},
        identity=[doc(allow(**when("StringNotEquals", "s3:prefix", "${aws:username}")))],
    ),
    Case(
        "var-condition-tag-match",
        A,
        context={"aws:ResourceTag/owner": "alice"},
        identity=[doc(allow(**when("StringEquals", "aws:ResourceTag/owner", "${aws:username}")))],
    ),
    Case(
        "var-condition-2008-literal",
        N,
        context={"s3:prefix": "alice"},
        identity=[
            doc(allow(**when("StringEquals", "s3:prefix", "${aws:username}")), version="2008-10-17")
        ],
    ),
    Case("var-action-not-substituted", N, identity=[doc(allow("s3:Get${*}"))]),
    Case(
        "var-deny-own-prefix",
        E,
        context={"s3:prefix": "alice"},
        identity=[doc(allow("*"), deny(**when("StringEquals", "s3:prefix", "${aws:username}")))],
    ),
    Case(
        "var-source-ip-in-condition",
        A,
        context={"aws:SourceIp": "192.0.2.5", "x:ip": "192.0.2.5"},
        identity=[doc(allow(**when("StringEquals", "x:ip", "${aws:SourceIp}")))],
    ),
    Case(
        "var-principal-type",
        A,
        identity=[doc(allow(resource="arn:aws:s3:::bucket/${aws:PrincipalType}/*"))],
        resource="arn:aws:s3:::bucket/User/x",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_variables(case: Case) -> None:
    assert run(case).decision.value == case.expect


def test_case_ids_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
