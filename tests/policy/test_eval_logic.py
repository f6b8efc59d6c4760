"""Evaluation-logic cases: the AWS flow chart, resource policies, cross-account, boundaries,
session policies, principals, root, anonymous and service callers."""

from __future__ import annotations

import pytest
from nimbus_policy import PolicyType

from .helpers import (
    ACCT,
    ALICE,
    ALICE_ARN,
    ANON,
    BOB_OTHER,
    BUCKET,
    CAROL,
    FED_USER,
    OBJ,
    OTHER,
    OTHER_ROOT,
    OTHER_SESSION,
    ROLE_DEV,
    ROOT,
    SESSION,
    TRAIL,
    Case,
    allow,
    deny,
    doc,
    run,
)

ID = PolicyType.IDENTITY
RES = PolicyType.RESOURCE
PB = PolicyType.BOUNDARY
SP = PolicyType.SESSION
SCP = PolicyType.SCP
A, E, N = "allowed", "explicitDeny", "implicitDeny"
OTHER_OBJ_ACCT = OTHER  # a bucket owned by the other account

ALLOW_ALL = doc(allow("*", "*"))
ALLOW_S3 = doc(allow("s3:*", "*"))
SESSION_ARN = SESSION.arn


def rp(*principal_and_statements: dict[str, object]) -> dict[str, object]:
    return doc(*principal_and_statements)


def to(
    principal: object,
    *,
    effect: str = "Allow",
    action: object = "s3:GetObject",
    resource: object = OBJ,
    **extra: object,
) -> dict[str, object]:
    """A resource-policy statement granting (or denying) `principal`."""
    out: dict[str, object] = {
        "Effect": effect,
        "Principal": principal,
        "Action": action,
        "Resource": resource,
    }
    out.update(extra)
    return out


BASICS = [
    Case("default-deny-no-policies", N, policy_type=ID),
    Case("identity-allow-exact", A, identity=[doc(allow("s3:GetObject", OBJ))]),
    Case("identity-allow-star", A, identity=[ALLOW_ALL]),
    Case("identity-allow-service-wildcard", A, identity=[ALLOW_S3]),
    Case("identity-allow-prefix-wildcard", A, identity=[doc(allow("s3:Get*"))]),
    Case("identity-allow-qmark", A, identity=[doc(allow("s3:GetObjec?"))]),
    Case("identity-qmark-needs-one-char", N, identity=[doc(allow("s3:GetObject?"))]),
    Case("action-case-insensitive", A, identity=[doc(allow("S3:getobject"))]),
    Case("action-other-service", N, identity=[doc(allow("ec2:*"))], policy_type=ID),
    Case("action-list-one-matches", A, identity=[doc(allow(["ec2:Run*", "s3:GetObject"]))]),
    Case("resource-mismatch", N, identity=[doc(allow(resource="arn:aws:s3:::other/*"))]),
    Case("resource-wildcard-suffix", A, identity=[doc(allow(resource="arn:aws:s3:::bucket/*"))]),
    Case("resource-wildcard-middle", A, identity=[doc(allow(resource="arn:aws:s3:::b*t/k*"))]),
    Case("resource-case-sensitive", N, identity=[doc(allow(resource="arn:aws:s3:::BUCKET/key"))]),
    Case("resource-qmark", A, identity=[doc(allow(resource="arn:aws:s3:::bucket/k?y"))]),
    Case("resource-list", A, identity=[doc(allow(resource=["arn:aws:s3:::x", OBJ]))]),
    Case("bucket-arn-not-object", N, identity=[doc(allow(resource=BUCKET))]),
    Case("explicit-deny-beats-allow", E, identity=[doc(allow("*", "*"), deny())], policy_type=ID),
    Case("deny-in-other-policy", E, identity=[ALLOW_ALL, doc(deny("s3:*"))], policy_type=ID),
    Case("deny-other-action-irrelevant", A, identity=[ALLOW_ALL, doc(deny("s3:PutObject"))]),
    Case(
        "deny-other-resource-irrelevant",
        A,
        identity=[ALLOW_ALL, doc(deny(resource="arn:aws:s3:::secret/*"))],
    ),
    Case("not-action-allow-matches-other", A, identity=[doc(allow(None, NotAction="iam:*"))]),
    Case("not-action-allow-excludes", N, identity=[doc(allow(None, NotAction="s3:*"))]),
    Case(
        "not-action-deny-all-but-iam",
        E,
        identity=[ALLOW_ALL, doc(deny(None, NotAction=["iam:*", "sts:*"]))],
    ),
    Case(
        "not-action-deny-spares-listed",
        A,
        identity=[ALLOW_ALL, doc(deny(None, NotAction=["s3:GetObject"]))],
    ),
    Case(
        "not-resource-allow",
        A,
        identity=[doc(allow(resource=None, NotResource="arn:aws:s3:::secret/*"))],
    ),
    Case(
        "not-resource-allow-excludes",
        N,
        identity=[doc(allow(resource=None, NotResource="arn:aws:s3:::bucket/*"))],
    ),
    Case(
        "not-resource-deny-outside",
        E,
        identity=[ALLOW_ALL, doc(deny("s3:*", None, NotResource="arn:aws:s3:::other/*"))],
    ),
    Case(
        "not-resource-deny-inside-spared",
        A,
        identity=[ALLOW_ALL, doc(deny("s3:*", None, NotResource="arn:aws:s3:::bucket/*"))],
    ),
    Case("single-statement-object", A, identity=[{"Version": "2012-10-17", "Statement": allow()}]),
    Case("version-2008-still-evaluates", A, identity=[doc(allow(), version="2008-10-17")]),
    Case("no-version-still-evaluates", A, identity=[doc(allow(), version=None)]),
    Case("unknown-action-accepted-no-match", N, identity=[doc(allow("s3:NoSuchThing"))]),
    Case(
        "unknown-action-matched-literally",
        A,
        action="s3:NoSuchThing",
        identity=[doc(allow("s3:NoSuchThing"))],
    ),
    Case(
        "star-resource-request-needs-star",
        N,
        resource="*",
        identity=[doc(allow("s3:ListAllMyBuckets", BUCKET))],
        action="s3:ListAllMyBuckets",
    ),
    Case(
        "star-resource-request-allowed",
        A,
        resource="*",
        identity=[doc(allow("s3:ListAllMyBuckets"))],
        action="s3:ListAllMyBuckets",
    ),
]

SAME_ACCOUNT_RESOURCE = [
    Case("rp-user-arn-grants-without-identity", A, resource_policy=rp(to({"AWS": ALICE_ARN}))),
    Case("rp-user-unique-id-grants", A, resource_policy=rp(to({"AWS": ALICE.user_id}))),
    Case("rp-star-grants", A, resource_policy=rp(to("*"))),
    Case("rp-aws-star-grants", A, resource_policy=rp(to({"AWS": "*"}))),
    Case("rp-other-user-no-grant", N, resource_policy=rp(to({"AWS": CAROL.arn})), policy_type=ID),
    Case(
        "rp-account-root-delegates-only",
        N,
        resource_policy=rp(to({"AWS": f"arn:aws:iam::{ACCT}:root"})),
        policy_type=ID,
    ),
    Case("rp-account-id-delegates-only", N, resource_policy=rp(to({"AWS": ACCT})), policy_type=ID),
    Case("rp-account-plus-identity", A, resource_policy=rp(to({"AWS": ACCT})), identity=[ALLOW_S3]),
    Case(
        "rp-no-allow-identity-allows",
        A,
        resource_policy=rp(to({"AWS": CAROL.arn})),
        identity=[ALLOW_S3],
    ),
    Case(
        "rp-deny-beats-identity-allow",
        E,
        identity=[ALLOW_ALL],
        resource_policy=rp(to("*", effect="Deny")),
        policy_type=RES,
    ),
    Case(
        "rp-deny-account-principal",
        E,
        identity=[ALLOW_ALL],
        resource_policy=rp(to({"AWS": ACCT}, effect="Deny")),
        policy_type=RES,
    ),
    Case(
        "rp-deny-other-user-irrelevant",
        A,
        identity=[ALLOW_ALL],
        resource_policy=rp(to({"AWS": CAROL.arn}, effect="Deny")),
    ),
    Case(
        "identity-deny-beats-rp-allow",
        E,
        identity=[doc(deny())],
        resource_policy=rp(to({"AWS": ALICE_ARN})),
        policy_type=ID,
    ),
    Case(
        "rp-resource-mismatch",
        N,
        resource_policy=rp(to({"AWS": ALICE_ARN}, resource="arn:aws:s3:::bucket/other")),
    ),
    Case(
        "rp-action-mismatch", N, resource_policy=rp(to({"AWS": ALICE_ARN}, action="s3:PutObject"))
    ),
    Case(
        "rp-role-arn-grants-session",
        A,
        principal=SESSION,
        resource_policy=rp(to({"AWS": ROLE_DEV})),
    ),
    Case(
        "rp-session-arn-grants-session",
        A,
        principal=SESSION,
        resource_policy=rp(to({"AWS": SESSION_ARN})),
    ),
    Case(
        "rp-role-unique-id-grants-session",
        A,
        principal=SESSION,
        resource_policy=rp(to({"AWS": "AROADEV0000000000000"})),
    ),
    Case(
        "rp-other-role-no-grant",
        N,
        principal=SESSION,
        resource_policy=rp(to({"AWS": f"arn:aws:iam::{ACCT}:role/Other"})),
    ),
    Case(
        "rp-user-arn-does-not-match-session",
        N,
        principal=SESSION,
        resource_policy=rp(to({"AWS": ALICE_ARN})),
    ),
    Case("rp-list-of-principals", A, resource_policy=rp(to({"AWS": [CAROL.arn, ALICE_ARN]}))),
    Case(
        "rp-federated-user-arn",
        A,
        principal=FED_USER,
        resource_policy=rp(to({"AWS": FED_USER.arn})),
    ),
]

CROSS_ACCOUNT = [
    Case(
        "xacct-identity-only-denied",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_ALL],
        policy_type=RES,
    ),
    Case(
        "xacct-resource-only-denied",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": BOB_OTHER.arn})),
        policy_type=ID,
    ),
    Case(
        "xacct-both-allow",
        A,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to({"AWS": BOB_OTHER.arn})),
    ),
    Case(
        "xacct-account-principal-plus-identity",
        A,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to({"AWS": OTHER})),
    ),
    Case(
        "xacct-root-arn-principal-plus-identity",
        A,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to({"AWS": f"arn:aws:iam::{OTHER}:root"})),
    ),
    Case(
        "xacct-account-principal-no-identity",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": OTHER})),
        policy_type=ID,
    ),
    Case(
        "xacct-wrong-account-principal",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to({"AWS": "999988887777"})),
        policy_type=RES,
    ),
    Case(
        "xacct-star-plus-identity",
        A,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to("*")),
    ),
    Case(
        "xacct-rp-deny",
        E,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to("*"), to({"AWS": OTHER}, effect="Deny")),
        policy_type=RES,
    ),
    Case(
        "xacct-identity-deny",
        E,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3, doc(deny())],
        resource_policy=rp(to("*")),
        policy_type=ID,
    ),
    Case(
        "xacct-session-via-role-arn",
        A,
        principal=OTHER_SESSION,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        resource_policy=rp(to({"AWS": OTHER_SESSION.role_arn})),
    ),
    Case(
        "xacct-session-role-arn-no-identity",
        N,
        principal=OTHER_SESSION,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": OTHER_SESSION.role_arn})),
        policy_type=ID,
    ),
    Case(
        "xacct-no-resource-policy",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_ALL],
        policy_type=RES,
    ),
    Case(
        "xacct-boundary-limits",
        N,
        principal=BOB_OTHER,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        boundary=doc(allow("ec2:*")),
        resource_policy=rp(to({"AWS": BOB_OTHER.arn})),
        policy_type=PB,
    ),
    Case(
        "xacct-session-policy-limits",
        N,
        principal=OTHER_SESSION,
        resource_account=ACCT,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:PutObject"))],
        resource_policy=rp(to({"AWS": OTHER_SESSION.arn})),
        policy_type=SP,
    ),
    Case("same-account-explicit-owner", A, resource_account=ACCT, identity=[ALLOW_S3]),
    Case(
        "xacct-own-bucket-other-owner-deny",
        N,
        resource_account=OTHER_OBJ_ACCT,
        identity=[ALLOW_S3],
        policy_type=RES,
    ),
]

BOUNDARY_AND_SESSION = [
    Case("boundary-allows-identity-allows", A, identity=[ALLOW_S3], boundary=doc(allow("s3:*"))),
    Case(
        "boundary-lacks-action",
        N,
        identity=[ALLOW_S3],
        boundary=doc(allow("ec2:*")),
        policy_type=PB,
    ),
    Case("boundary-alone-grants-nothing", N, boundary=doc(allow("*")), policy_type=ID),
    Case(
        "boundary-explicit-deny",
        E,
        identity=[ALLOW_ALL],
        boundary=doc(allow("*"), deny("s3:GetObject")),
        policy_type=PB,
    ),
    Case(
        "boundary-resource-scoped",
        N,
        identity=[ALLOW_S3],
        boundary=doc(allow("s3:*", "arn:aws:s3:::other/*")),
        policy_type=PB,
    ),
    Case(
        "boundary-not-limit-rp-user-arn",
        A,
        boundary=doc(allow("ec2:*")),
        resource_policy=rp(to({"AWS": ALICE_ARN})),
    ),
    Case(
        "boundary-deny-still-beats-rp-user-arn",
        E,
        boundary=doc(allow("*"), deny()),
        resource_policy=rp(to({"AWS": ALICE_ARN})),
        policy_type=PB,
    ),
    Case(
        "boundary-limits-rp-role-arn",
        N,
        principal=SESSION,
        boundary=doc(allow("ec2:*")),
        resource_policy=rp(to({"AWS": ROLE_DEV})),
        policy_type=PB,
    ),
    Case(
        "boundary-not-limit-rp-session-arn",
        A,
        principal=SESSION,
        boundary=doc(allow("ec2:*")),
        resource_policy=rp(to({"AWS": SESSION_ARN})),
    ),
    Case(
        "boundary-allows-rp-role-arn",
        A,
        principal=SESSION,
        boundary=doc(allow("s3:*")),
        resource_policy=rp(to({"AWS": ROLE_DEV})),
    ),
    Case(
        "boundary-with-rp-account-needs-identity",
        N,
        boundary=doc(allow("s3:*")),
        resource_policy=rp(to({"AWS": ACCT})),
        policy_type=ID,
    ),
    Case(
        "session-policy-allows",
        A,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:GetObject"))],
    ),
    Case(
        "session-policy-lacks",
        N,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:PutObject"))],
        policy_type=SP,
    ),
    Case(
        "session-policy-alone-grants-nothing",
        N,
        principal=SESSION,
        session=[doc(allow("*"))],
        policy_type=ID,
    ),
    Case(
        "session-policy-explicit-deny",
        E,
        principal=SESSION,
        identity=[ALLOW_ALL],
        session=[doc(allow("*"), deny("s3:*"))],
        policy_type=SP,
    ),
    Case(
        "session-policies-union",
        A,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[doc(allow("ec2:*")), doc(allow("s3:Get*"))],
    ),
    Case(
        "session-and-boundary-both-allow",
        A,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:*"))],
        boundary=doc(allow("s3:GetObject")),
    ),
    Case(
        "session-ok-boundary-lacks",
        N,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:*"))],
        boundary=doc(allow("ec2:*")),
        policy_type=PB,
    ),
    Case(
        "session-limits-rp-role-arn",
        N,
        principal=SESSION,
        session=[doc(allow("ec2:*"))],
        resource_policy=rp(to({"AWS": ROLE_DEV})),
        policy_type=SP,
    ),
    Case(
        "session-not-limit-rp-session-arn",
        A,
        principal=SESSION,
        session=[doc(allow("ec2:*"))],
        resource_policy=rp(to({"AWS": SESSION_ARN})),
    ),
    Case(
        "session-allows-rp-role-arn",
        A,
        principal=SESSION,
        session=[doc(allow("s3:*"))],
        resource_policy=rp(to({"AWS": ROLE_DEV})),
    ),
    Case(
        "federated-user-session-policy",
        N,
        principal=FED_USER,
        identity=[ALLOW_S3],
        session=[doc(allow("ec2:*"))],
        policy_type=SP,
    ),
    Case(
        "federated-user-intersection",
        A,
        principal=FED_USER,
        identity=[ALLOW_S3],
        session=[doc(allow("s3:GetObject"))],
    ),
    Case(
        "empty-session-list-grants-nothing",
        N,
        principal=SESSION,
        identity=[ALLOW_S3],
        session=[],
        policy_type=SP,
    ),
]

SCPS = [
    Case("scp-allows", A, identity=[ALLOW_S3], scps=[doc(allow("*"))]),
    Case("scp-lacks", N, identity=[ALLOW_S3], scps=[doc(allow("ec2:*"))], policy_type=SCP),
    Case("scp-deny", E, identity=[ALLOW_S3], scps=[doc(allow("*"), deny("s3:*"))], policy_type=SCP),
    Case(
        "scp-every-level-must-allow",
        N,
        identity=[ALLOW_S3],
        scps=[doc(allow("*")), doc(allow("ec2:*"))],
        policy_type=SCP,
    ),
    Case(
        "scp-applies-to-root",
        E,
        principal=ROOT,
        scps=[doc(allow("*"), deny("s3:*"))],
        policy_type=SCP,
    ),
]

SPECIAL_PRINCIPALS = [
    Case("root-allowed-without-policies", A, principal=ROOT),
    Case("root-ignores-identity-deny", A, principal=ROOT, identity=[doc(deny("*"))]),
    Case(
        "root-rp-deny",
        E,
        principal=ROOT,
        resource_policy=rp(to("*", effect="Deny")),
        policy_type=RES,
    ),
    Case(
        "root-rp-deny-account",
        E,
        principal=ROOT,
        resource_policy=rp(to({"AWS": ACCT}, effect="Deny")),
        policy_type=RES,
    ),
    Case(
        "root-other-account-needs-rp",
        N,
        principal=OTHER_ROOT,
        resource_account=ACCT,
        policy_type=RES,
    ),
    Case(
        "root-other-account-rp-account",
        A,
        principal=OTHER_ROOT,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": OTHER})),
    ),
    Case("anonymous-denied", N, principal=ANON, resource_account=ACCT, policy_type=RES),
    Case(
        "anonymous-public-bucket",
        A,
        principal=ANON,
        resource_account=ACCT,
        resource_policy=rp(to("*")),
    ),
    Case(
        "anonymous-aws-star",
        A,
        principal=ANON,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": "*"})),
    ),
    Case(
        "anonymous-not-account",
        N,
        principal=ANON,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": ACCT})),
    ),
    Case(
        "service-principal-granted",
        A,
        principal=TRAIL,
        resource_account=ACCT,
        action="s3:PutObject",
        resource_policy=rp(to({"Service": "cloudtrail.amazonaws.com"}, action="s3:PutObject")),
    ),
    Case(
        "service-principal-other-service",
        N,
        principal=TRAIL,
        resource_account=ACCT,
        resource_policy=rp(to({"Service": "config.amazonaws.com"})),
    ),
    Case(
        "service-principal-not-aws",
        N,
        principal=TRAIL,
        resource_account=ACCT,
        resource_policy=rp(to({"AWS": ACCT})),
    ),
    Case(
        "service-identity-policies-ignored",
        N,
        principal=TRAIL,
        resource_account=ACCT,
        identity=[ALLOW_ALL],
    ),
]

NOT_PRINCIPAL = [
    Case(
        "notprincipal-deny-others",
        E,
        principal=CAROL,
        identity=[ALLOW_ALL],
        resource_policy=rp(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [ALICE_ARN, ACCT]},
                "Action": "s3:*",
                "Resource": OBJ,
            }
        ),
        policy_type=RES,
    ),
    Case(
        "notprincipal-deny-spares-listed",
        A,
        identity=[ALLOW_ALL],
        resource_policy=rp(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [ALICE_ARN, ACCT]},
                "Action": "s3:*",
                "Resource": OBJ,
            }
        ),
    ),
    Case(
        "notprincipal-user-without-account-still-denied",
        E,
        identity=[ALLOW_ALL],
        resource_policy=rp(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": ALICE_ARN},
                "Action": "s3:*",
                "Resource": OBJ,
            }
        ),
        policy_type=RES,
    ),
    Case(
        "notprincipal-session-needs-all-three",
        A,
        principal=SESSION,
        identity=[ALLOW_ALL],
        resource_policy=rp(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [SESSION_ARN, ROLE_DEV, ACCT]},
                "Action": "s3:*",
                "Resource": OBJ,
            }
        ),
    ),
    Case(
        "notprincipal-role-only-session-denied",
        E,
        principal=SESSION,
        identity=[ALLOW_ALL],
        resource_policy=rp(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [ROLE_DEV, ACCT]},
                "Action": "s3:*",
                "Resource": OBJ,
            }
        ),
        policy_type=RES,
    ),
    Case(
        "notprincipal-allow-grants-unlisted",
        A,
        principal=CAROL,
        resource_policy=rp(
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": ALICE_ARN},
                "Action": "s3:GetObject",
                "Resource": OBJ,
            }
        ),
    ),
    Case(
        "notprincipal-deny-anonymous",
        E,
        principal=ANON,
        resource_account=ACCT,
        resource_policy=rp(
            to("*"),
            {"Effect": "Deny", "NotPrincipal": {"AWS": ACCT}, "Action": "s3:*", "Resource": OBJ},
        ),
        policy_type=RES,
    ),
]

ALL = BASICS + SAME_ACCOUNT_RESOURCE + CROSS_ACCOUNT + BOUNDARY_AND_SESSION + SCPS
ALL += SPECIAL_PRINCIPALS + NOT_PRINCIPAL


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_evaluation(case: Case) -> None:
    decision = run(case)
    assert decision.decision.value == case.expect
    if case.policy_type is not None:
        assert decision.policy_type is case.policy_type
    if case.expect == "allowed":
        assert decision.policy_type is None


def test_case_ids_unique() -> None:
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids))
