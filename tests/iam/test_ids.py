"""AWS's formats for generated ids and secrets (no servers)."""

from __future__ import annotations

import re

import pytest
from nimbus_iam import ids
from nimbus_iam.settings import IamSettings


def test_account_ids_are_twelve_digits() -> None:
    made = {ids.new_account_id() for _ in range(1000)}
    assert all(ids.ACCOUNT_ID.match(a) for a in made)
    assert len(made) == 1000


def test_access_key_ids_are_akia_or_asia_and_sixteen_base32_characters() -> None:
    long_term = [ids.new_access_key_id() for _ in range(200)]
    temporary = [ids.new_access_key_id(temporary=True) for _ in range(200)]
    assert all(re.fullmatch(r"AKIA[A-Z2-7]{16}", k) for k in long_term)
    assert all(re.fullmatch(r"ASIA[A-Z2-7]{16}", k) for k in temporary)
    assert len(set(long_term)) == 200


def test_secrets_are_forty_base64_characters() -> None:
    made = [ids.new_secret_access_key() for _ in range(200)]
    assert all(re.fullmatch(r"[A-Za-z0-9+/]{40}", s) for s in made)
    assert len(set(made)) == 200


def test_root_arn() -> None:
    assert ids.root_arn("123456789012") == "arn:aws:iam::123456789012:root"


def test_bootstrap_settings_come_from_nimbus_iam_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        IamSettings().iam_bootstrap_root_key,
        IamSettings().iam_bootstrap_root_secret,
        IamSettings().iam_default_account,
        IamSettings().service_name,
    ) == ("test", "test", "000000000000", "iam")
    monkeypatch.setenv("NIMBUS_IAM_BOOTSTRAP_ROOT_KEY", "local")
    monkeypatch.setenv("NIMBUS_IAM_BOOTSTRAP_ROOT_SECRET", "s3cret")
    monkeypatch.setenv("NIMBUS_IAM_DEFAULT_ACCOUNT", "111111111111")
    settings = IamSettings()
    assert (
        settings.iam_bootstrap_root_key,
        settings.iam_bootstrap_root_secret,
        settings.iam_default_account,
    ) == ("local", "s3cret", "111111111111")
