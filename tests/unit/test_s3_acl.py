"""The ACL model: canned ACLs, grant headers, AccessControlPolicy bodies, public checks."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_s3 import acl

OWNER = "111122223333"
OTHER = "444455556666"


def test_canonical_id_is_sha256_of_the_account() -> None:
    expected = hashlib.sha256(b"nimbus-canonical:111122223333").hexdigest()
    assert acl.canonical_id(OWNER) == expected
    assert len(expected) == 64
    assert acl.owner(OWNER) == {"ID": expected, "DisplayName": OWNER}


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("private", []),
        ("public-read", [("Group", acl.ALL_USERS, "READ")]),
        (
            "public-read-write",
            [("Group", acl.ALL_USERS, "READ"), ("Group", acl.ALL_USERS, "WRITE")],
        ),
        ("authenticated-read", [("Group", acl.AUTHENTICATED_USERS, "READ")]),
        ("aws-exec-read", [("CanonicalUser", acl.EC2_CANONICAL_ID, "READ")]),
        (
            "log-delivery-write",
            [("Group", acl.LOG_DELIVERY, "WRITE"), ("Group", acl.LOG_DELIVERY, "READ_ACP")],
        ),
    ],
)
def test_canned(name: str, extra: list[tuple[str, str, str]]) -> None:
    document = acl.canned(name, OWNER)
    assert document["Owner"] == acl.owner(OWNER)
    grants = document["Grants"]
    assert grants[0] == {
        "Grantee": {"Type": "CanonicalUser", **acl.owner(OWNER)},
        "Permission": "FULL_CONTROL",
    }
    rest = [
        (g["Grantee"]["Type"], g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"])
        for g in grants[1:]
    ]
    assert rest == extra


def test_bucket_owner_canned_acls_for_objects() -> None:
    read = acl.canned("bucket-owner-read", OTHER, OWNER)["Grants"]
    assert read[1] == {
        "Grantee": {"Type": "CanonicalUser", **acl.owner(OWNER)},
        "Permission": "READ",
    }
    full = acl.canned("bucket-owner-full-control", OTHER, OWNER)["Grants"]
    assert full[1]["Permission"] == "FULL_CONTROL"
    # The object writer owns the bucket: one grant only.
    assert len(acl.canned("bucket-owner-full-control", OWNER, OWNER)["Grants"]) == 1


def test_unknown_canned_acl() -> None:
    with pytest.raises(AwsError) as excinfo:
        acl.canned("everyone-everything", OWNER)
    assert excinfo.value.code == "InvalidArgument"


def test_grant_headers() -> None:
    other_id = acl.canonical_id(OTHER)
    document = acl.from_grant_headers(
        {
            "GrantRead": f'id="{other_id}", uri="{acl.ALL_USERS}"',
            "GrantFullControl": f'id="{acl.canonical_id(OWNER)}"',
        },
        OWNER,
    )
    assert document is not None
    assert document["Owner"] == acl.owner(OWNER)
    assert [(g["Permission"], g["Grantee"]["Type"]) for g in document["Grants"]] == [
        ("FULL_CONTROL", "CanonicalUser"),
        ("READ", "CanonicalUser"),
        ("READ", "Group"),
    ]
    # The owner's grantee gets its display name; others are ids only.
    assert document["Grants"][0]["Grantee"]["DisplayName"] == OWNER
    assert document["Grants"][1]["Grantee"] == {"Type": "CanonicalUser", "ID": other_id}
    assert acl.from_grant_headers({}) is None
    by_account = acl.from_grant_headers({"GrantWrite": f"id={OTHER}"}, OWNER)
    assert by_account is not None
    assert by_account["Grants"][0]["Grantee"] == {"Type": "CanonicalUser", **acl.owner(OTHER)}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ('id="short"', "InvalidArgument"),
        ('uri="http://acs.amazonaws.com/groups/global/Nobody"', "InvalidArgument"),
        ('emailAddress="a@example.com"', "UnresolvableGrantByEmailAddress"),
        ("garbage", "InvalidArgument"),
    ],
)
def test_bad_grant_headers(header: str, code: str) -> None:
    with pytest.raises(AwsError) as excinfo:
        acl.from_grant_headers({"GrantRead": header}, OWNER)
    assert excinfo.value.code == code


def test_canned_and_headers_together() -> None:
    with pytest.raises(AwsError) as excinfo:
        acl.from_request({"ACL": "private", "GrantRead": f'uri="{acl.ALL_USERS}"'}, OWNER)
    assert excinfo.value.code == "InvalidRequest"
    assert acl.from_request({}, OWNER) is None


def test_access_control_policy_body() -> None:
    body = {
        "Owner": {"ID": "whatever"},
        "Grants": [
            {"Grantee": {"Type": "Group", "URI": acl.ALL_USERS}, "Permission": "READ"},
            {
                "Grantee": {
                    "Type": "CanonicalUser",
                    "ID": acl.canonical_id(OWNER),
                    "DisplayName": "x",
                },
                "Permission": "WRITE_ACP",
            },
        ],
    }
    document = acl.from_policy(body, OWNER)
    assert document["Owner"] == acl.owner(OWNER)  # the owner cannot be changed
    assert document["Grants"][1]["Grantee"]["DisplayName"] == OWNER
    bad: dict[str, Any]
    for bad in (
        {"Grants": []},
        {"Owner": {"ID": "x"}, "Grants": [{"Grantee": {"Type": "Group"}, "Permission": "READ"}]},
        {
            "Owner": {"ID": "x"},
            "Grants": [{"Grantee": {"Type": "Group", "URI": acl.ALL_USERS}, "Permission": "ALL"}],
        },
    ):
        with pytest.raises(AwsError) as excinfo:
            acl.from_policy(bad, OWNER)
        assert excinfo.value.code == "MalformedACLError"


def test_public_and_owner_only() -> None:
    assert not acl.is_public(acl.canned("private", OWNER))
    assert acl.is_public(acl.canned("public-read", OWNER))
    assert acl.is_public(acl.canned("authenticated-read", OWNER))
    assert not acl.is_public(acl.canned("log-delivery-write", OWNER))
    assert not acl.is_public(None)
    assert acl.only_owner(acl.canned("private", OWNER), OWNER)
    assert acl.only_owner(acl.canned("bucket-owner-full-control", OWNER, OWNER), OWNER)
    assert not acl.only_owner(acl.canned("private", OWNER), OTHER)
    assert not acl.only_owner(acl.canned("aws-exec-read", OWNER), OWNER)
    assert acl.allowed_when_acls_disabled(acl.canned("private", OWNER), OWNER)
    assert acl.allowed_when_acls_disabled(acl.canned("bucket-owner-read", OWNER, OWNER), OWNER)
    assert not acl.allowed_when_acls_disabled(acl.canned("public-read", OWNER), OWNER)
    assert not acl.allowed_when_acls_disabled(acl.canned("private", OTHER), OWNER)
