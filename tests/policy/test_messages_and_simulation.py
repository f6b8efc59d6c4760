"""AccessDenied wording and the simulator helper."""

from __future__ import annotations

import pytest
from nimbus_policy import (
    AuthorizationRequest,
    EvalDecision,
    PolicyType,
    access_denied_message,
    evaluate,
    simulate,
)

from .helpers import ALICE, NOW, OBJ, SESSION, allow, deny, doc, policy, when

PUT = "s3:PutObject"
PREFIX = f'User: {ALICE.arn} is not authorized to perform: {PUT} on resource: "{OBJ}" '


def _request(principal: object = ALICE) -> AuthorizationRequest:
    return AuthorizationRequest(principal=principal, action=PUT, resources=(OBJ,), now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case_id", "kwargs", "suffix"),
    [
        ("no-identity", {}, f"because no identity-based policy allows the {PUT} action"),
        (
            "identity-deny",
            {"identity_policies": [policy(doc(deny(PUT)), "identity")]},
            "with an explicit deny in an identity-based policy",
        ),
        (
            "resource-deny",
            {
                "identity_policies": [policy(doc(allow("*")), "identity")],
                "resource_policy": policy(
                    doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
                    "resource",
                ),
            },
            "with an explicit deny in a resource-based policy",
        ),
        (
            "boundary-missing",
            {
                "identity_policies": [policy(doc(allow("*")), "identity")],
                "permissions_boundary": policy(doc(allow("ec2:*")), "boundary"),
            },
            f"because no permissions boundary allows the {PUT} action",
        ),
        (
            "boundary-deny",
            {
                "identity_policies": [policy(doc(allow("*")), "identity")],
                "permissions_boundary": policy(doc(allow("*"), deny("*")), "boundary"),
            },
            "with an explicit deny in a permissions boundary",
        ),
        (
            "scp-deny",
            {
                "identity_policies": [policy(doc(allow("*")), "identity")],
                "scps": [policy(doc(allow("*"), deny("s3:*")), "identity")],
            },
            "with an explicit deny in a service control policy",
        ),
        (
            "scp-missing",
            {
                "identity_policies": [policy(doc(allow("*")), "identity")],
                "scps": [policy(doc(allow("ec2:*")), "identity")],
            },
            f"because no service control policy allows the {PUT} action",
        ),
    ],
)
def test_user_messages(case_id: str, kwargs: dict[str, object], suffix: str) -> None:
    request = _request()
    decision = evaluate(request, **kwargs)  # type: ignore[arg-type]
    assert access_denied_message(request, decision) == PREFIX + suffix


def test_session_policy_message_names_session() -> None:
    request = _request(SESSION)
    decision = evaluate(
        request,
        identity_policies=[policy(doc(allow("*")), "identity")],
        session_policies=[policy(doc(allow("ec2:*")), "session")],
    )
    assert access_denied_message(request, decision) == (
        f'User: {SESSION.arn} is not authorized to perform: {PUT} on resource: "{OBJ}" '
        f"because no session policy allows the {PUT} action"
    )
    explicit = evaluate(
        request,
        identity_policies=[policy(doc(allow("*")), "identity")],
        session_policies=[policy(doc(allow("*"), deny("*")), "session")],
    )
    assert access_denied_message(request, explicit).endswith(
        "with an explicit deny in a session policy"
    )


def test_cross_account_resource_message() -> None:
    request = AuthorizationRequest(
        principal=ALICE, action=PUT, resources=(OBJ,), resource_account="444455556666", now=NOW
    )
    decision = evaluate(request, identity_policies=[policy(doc(allow("*")), "identity")])
    assert decision.policy_type is PolicyType.RESOURCE
    assert access_denied_message(request, decision).endswith(
        f"because no resource-based policy allows the {PUT} action"
    )


def test_message_refused_for_allowed() -> None:
    request = _request()
    decision = evaluate(request, identity_policies=[policy(doc(allow("*")), "identity")])
    with pytest.raises(ValueError):
        access_denied_message(request, decision)


def test_decision_names_statements() -> None:
    request = _request()
    ident = policy(doc(allow("*"), {"Sid": "NoPut", **deny(PUT)}), "identity", "arn:pol/Mine")
    decision = evaluate(request, identity_policies=[ident])
    assert decision.decision is EvalDecision.EXPLICIT_DENY
    (matched,) = decision.matched_statements
    assert (matched.policy_id, matched.sid, matched.statement_index) == ("arn:pol/Mine", "NoPut", 1)
    assert matched.policy_type is PolicyType.IDENTITY


def test_multiple_resources_all_must_be_allowed() -> None:
    request = AuthorizationRequest(
        principal=ALICE, action=PUT, now=NOW, resources=(OBJ, "arn:aws:s3:::secret/k")
    )
    decision = evaluate(
        request, identity_policies=[policy(doc(allow(PUT, "arn:aws:s3:::bucket/*")), "identity")]
    )
    assert decision.decision is EvalDecision.IMPLICIT_DENY
    assert decision.resource == "arn:aws:s3:::secret/k"


def test_simulate_grid_and_missing_context() -> None:
    ident = policy(
        doc(
            {"Sid": "Read", **allow("s3:Get*", "arn:aws:s3:::bucket/*")},
            {
                "Sid": "Ip",
                **allow("s3:PutObject", "*", **when("IpAddress", "aws:SourceIp", "10.0.0.0/8")),
            },
            {"Sid": "NoDel", **deny("s3:DeleteObject")},
        ),
        "identity",
        "inline:p",
    )
    results = simulate(
        ALICE,
        ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        [OBJ, "arn:aws:s3:::other/k"],
        identity_policies=[ident],
        now=NOW,
    )
    grid = {(r.action, r.resource): r for r in results}
    assert len(results) == 6
    assert [r.action for r in results][:2] == ["s3:GetObject", "s3:GetObject"]
    assert grid["s3:GetObject", OBJ].decision is EvalDecision.ALLOWED
    assert grid["s3:GetObject", OBJ].matched_statements[0].sid == "Read"
    assert grid["s3:GetObject", "arn:aws:s3:::other/k"].decision is EvalDecision.IMPLICIT_DENY
    put = grid["s3:PutObject", OBJ]
    assert put.decision is EvalDecision.IMPLICIT_DENY
    assert put.missing_context_values == ("aws:SourceIp",)
    assert grid["s3:DeleteObject", OBJ].decision is EvalDecision.EXPLICIT_DENY
    assert grid["s3:DeleteObject", OBJ].decision.value == "explicitDeny"


def test_simulate_with_context() -> None:
    ident = policy(
        doc(allow("s3:PutObject", "*", **when("IpAddress", "aws:SourceIp", "10.0.0.0/8"))),
        "identity",
    )
    (result,) = simulate(
        ALICE,
        ["s3:PutObject"],
        context={"aws:SourceIp": "10.1.1.1"},
        identity_policies=[ident],
        now=NOW,
    )
    assert result.decision is EvalDecision.ALLOWED
    assert result.missing_context_values == ()
