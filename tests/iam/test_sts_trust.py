"""Trust policy evaluation for AssumeRole (pure: no servers)."""

from __future__ import annotations

import json
from typing import Any

from nimbus_iam.callers import Caller
from nimbus_iam.models import PrincipalType
from nimbus_iam.trust import CallerPolicies, trust_denies
from nimbus_policy import parse_policy

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"
ROOT = Caller(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT, PrincipalType.ROOT)
USER = Caller(f"arn:aws:iam::{ACCOUNT}:user/u", ACCOUNT, "AIDAEXAMPLE", PrincipalType.USER)


def trust(principal: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def denies(document: str, caller: Caller, context: dict[str, Any] | None = None, **kw: Any) -> Any:
    actions = kw.get("actions", ["sts:AssumeRole"])
    account = kw.get("account", ACCOUNT)
    role = kw.get("role", ROLE)
    policies = kw.get("policies", CallerPolicies())
    return trust_denies(
        document, caller.principal(), role, account, actions, context or {}, policies
    )


def test_the_account_root_principal_lets_root_in() -> None:
    assert denies(trust(f"arn:aws:iam::{ACCOUNT}:root"), ROOT) is None


def test_root_needs_the_trust_policy_even_in_its_own_account() -> None:
    assert denies(trust(f"arn:aws:iam::{ACCOUNT}:user/other"), ROOT) == "sts:AssumeRole"


def test_a_named_user_is_trusted_and_another_is_not() -> None:
    assert denies(trust(USER.arn), USER) is None
    assert denies(trust(f"arn:aws:iam::{ACCOUNT}:user/other"), USER) == "sts:AssumeRole"


def test_another_accounts_role_trusts_only_who_it_names() -> None:
    other = "arn:aws:iam::111111111111:role/r"
    assert denies(trust("111111111111"), ROOT, role=other, account="111111111111") is not None
    assert denies(trust(ACCOUNT), ROOT, role=other, account="111111111111") is None


def test_external_id_condition() -> None:
    document = trust(ACCOUNT, {"StringEquals": {"sts:ExternalId": "xyz"}})
    assert denies(document, ROOT, {"sts:ExternalId": "xyz"}) is None
    assert denies(document, ROOT, {"sts:ExternalId": "abc"}) == "sts:AssumeRole"
    assert denies(document, ROOT) == "sts:AssumeRole"


def test_tags_need_sts_tag_session() -> None:
    actions = ["sts:AssumeRole", "sts:TagSession"]
    assert denies(trust(ACCOUNT), ROOT, actions=actions) == "sts:TagSession"


def test_an_unparsable_stored_trust_policy_denies() -> None:
    assert denies("{", ROOT) == "sts:AssumeRole"


def allows(action: str) -> CallerPolicies:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
    )
    return CallerPolicies(identity=[parse_policy(document, "identity")])


def test_a_trust_naming_the_account_also_needs_the_users_identity_allow() -> None:
    document = trust(f"arn:aws:iam::{ACCOUNT}:root")
    assert denies(document, USER) == "sts:AssumeRole"
    assert denies(document, USER, policies=allows("sts:AssumeRole")) is None


def test_a_boundary_limits_the_identity_allow() -> None:
    document = trust(f"arn:aws:iam::{ACCOUNT}:root")
    boundary = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
            }
        ),
        "boundary",
    )
    limited = CallerPolicies(identity=allows("sts:AssumeRole").identity, boundary=boundary)
    assert denies(document, USER, policies=limited) == "sts:AssumeRole"
