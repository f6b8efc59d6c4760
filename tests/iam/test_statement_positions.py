"""Statement positions for the simulator and the default password policy (no servers)."""

from __future__ import annotations

import json

import pytest
from nimbus_core.errors import AwsError
from nimbus_iam.login_profiles import check_password
from nimbus_iam.statement_positions import statement_positions


def test_one_statement_object_and_a_list_over_lines() -> None:
    single = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow"}})
    assert statement_positions(single) == [((1, 40), (1, len(single) - 1))]
    text = '{\n "Statement": [\n  {"Effect": "Allow"},\n  {"Effect":\n "Deny"}\n ]\n}'
    assert statement_positions(text) == [((3, 3), (3, 21)), ((4, 3), (5, 8))]


@pytest.mark.parametrize("text", ["", "[]", "{", '{"Statement": [', "not json", "{}"])
def test_unreadable_documents_have_no_positions(text: str) -> None:
    assert statement_positions(text) == []


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Correct-Horse-9", True),
        ("alllowercase1!", True),
        ("Short1!", False),
        ("onlylowercase", False),
        ("NoSymbolsOrDigits", False),
    ],
)
def test_default_password_policy(password: str, ok: bool) -> None:
    if ok:
        check_password(password, "someone")
    else:
        with pytest.raises(AwsError, match="account password policy"):
            check_password(password, "someone")
