"""validate_policy_document and the opaque pagination marker, without servers."""

from __future__ import annotations

import pytest
from nimbus_core.errors import AwsError
from nimbus_iam.pagination import paginate
from nimbus_iam.policy_documents import PolicyKind, url_encoded, validate_policy_document


def test_identity_and_trust_documents() -> None:
    ok = '{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}}'
    assert validate_policy_document(ok, PolicyKind.IDENTITY)["Version"] == "2012-10-17"
    trust = '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
    validate_policy_document(trust, PolicyKind.TRUST)
    with pytest.raises(AwsError, match="Missing required field Principal"):
        validate_policy_document(
            '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}', PolicyKind.TRUST
        )
    with pytest.raises(AwsError, match="Syntax errors in policy"):
        validate_policy_document(ok.replace("2012-10-17", "2020-01-01"), PolicyKind.IDENTITY)


def test_url_encoding_matches_what_the_sdks_decode() -> None:
    assert url_encoded('{"a": "b c"}') == "%7B%22a%22%3A%20%22b%20c%22%7D"


def test_marker_resumes_after_the_last_key_and_rejects_garbage() -> None:
    first = paginate(["c", "a", "b"], lambda s: s, None, 2)
    assert first.items == ["a", "b"] and first.marker
    assert paginate(["a", "b", "c"], lambda s: s, first.marker, 2).items == ["c"]
    with pytest.raises(AwsError):
        paginate(["a"], lambda s: s, "!!!", 2)
