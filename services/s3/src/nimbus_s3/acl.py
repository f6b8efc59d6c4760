"""S3 access control lists: canned ACLs, x-amz-grant-* headers and AccessControlPolicy bodies.

ACLs are stored in GetBucketAcl/GetObjectAcl output shape, {"Owner": {...}, "Grants": [...]},
which is also what the gateway reads through S3Internal to authorize requests. Canonical user
ids are derived from account ids, so an ACL names accounts without a lookup table.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from nimbus_core.errors import AwsError

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")
CANNED = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
)
# The canonical user S3 grants READ to for aws-exec-read (EC2's AMI bundling).
EC2_CANONICAL_ID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

# Input member -> permission, in the order S3 lists header grants.
GRANT_HEADERS = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ACCOUNT = re.compile(r"\d{12}")
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*', re.IGNORECASE)


def canonical_id(account_id: str) -> str:
    """The canonical user id of an account (64 hex digits)."""
    return hashlib.sha256(f"nimbus-canonical:{account_id}".encode()).hexdigest()


def owner(account_id: str) -> dict[str, str]:
    """An Owner element for account_id."""
    return {"ID": canonical_id(account_id), "DisplayName": account_id}


def _user(account_id: str) -> dict[str, str]:
    return {"Type": "CanonicalUser", **owner(account_id)}


def _group(uri: str) -> dict[str, str]:
    return {"Type": "Group", "URI": uri}


def _grant(grantee: dict[str, str], permission: str) -> dict[str, Any]:
    return {"Grantee": grantee, "Permission": permission}


def invalid_canned(name: str) -> AwsError:
    return AwsError(
        "InvalidArgument", "", 400, extra={"ArgumentName": "x-amz-acl", "ArgumentValue": name}
    )


def canned(
    name: str, owner_account: str, bucket_owner_account: str | None = None
) -> dict[str, Any]:
    """The ACL a canned ACL name stands for; bucket_owner_account matters for objects only."""
    grants = [_grant(_user(owner_account), "FULL_CONTROL")]
    if name == "private":
        pass
    elif name == "public-read":
        grants.append(_grant(_group(ALL_USERS), "READ"))
    elif name == "public-read-write":
        grants += [_grant(_group(ALL_USERS), "READ"), _grant(_group(ALL_USERS), "WRITE")]
    elif name == "authenticated-read":
        grants.append(_grant(_group(AUTHENTICATED_USERS), "READ"))
    elif name == "aws-exec-read":
        grants.append(_grant({"Type": "CanonicalUser", "ID": EC2_CANONICAL_ID}, "READ"))
    elif name in ("bucket-owner-read", "bucket-owner-full-control"):
        if bucket_owner_account is not None and bucket_owner_account != owner_account:
            permission = "READ" if name == "bucket-owner-read" else "FULL_CONTROL"
            grants.append(_grant(_user(bucket_owner_account), permission))
    elif name == "log-delivery-write":
        grants += [_grant(_group(LOG_DELIVERY), "WRITE"), _grant(_group(LOG_DELIVERY), "READ_ACP")]
    else:
        raise invalid_canned(name)
    return {"Owner": owner(owner_account), "Grants": grants}


def _header_grantee(text: str, owner_account: str | None) -> dict[str, str]:
    match = _GRANTEE.fullmatch(text)
    if match is None:
        raise AwsError("InvalidArgument", "Invalid grant header", 400)
    kind, value = match.group(1).lower(), match.group(2).strip()
    if kind == "id":
        return _canonical_grantee(value, owner_account)
    if kind == "uri":
        return _group_grantee(value)
    raise unresolvable_email(value)


def from_grant_headers(
    params: Mapping[str, Any], owner_account: str | None = None
) -> dict[str, Any] | None:
    """The ACL that x-amz-grant-* headers (Grant* input members) describe, or None if none.

    Only the listed grantees get access (the owner gets no implicit grant), as in S3. The
    Owner is set when owner_account is given.
    """
    grants: list[dict[str, Any]] = []
    seen = False
    for member, permission in GRANT_HEADERS.items():
        value = params.get(member)
        if value is None:
            continue
        seen = True
        for part in _split_grantees(str(value)):
            grants.append(_grant(_header_grantee(part, owner_account), permission))
    if not seen:
        return None
    acl: dict[str, Any] = {"Grants": grants}
    if owner_account is not None:
        acl = {"Owner": owner(owner_account), "Grants": grants}
    return acl


def _split_grantees(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def unresolvable_email(email: str) -> AwsError:
    return AwsError(
        "UnresolvableGrantByEmailAddress",
        "The e-mail address you provided does not match any account on record.",
        400,
        extra={"EmailAddress": email},
    )


def malformed_acl() -> AwsError:
    return AwsError(
        "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def _canonical_grantee(value: str, owner_account: str | None) -> dict[str, str]:
    if _ACCOUNT.fullmatch(value):  # S3 also takes an account id for a canonical user
        return _user(value)
    if not _HEX64.fullmatch(value):
        raise AwsError(
            "InvalidArgument",
            "Invalid id",
            400,
            extra={"ArgumentName": "CanonicalUser/ID", "ArgumentValue": value},
        )
    if owner_account is not None and value == canonical_id(owner_account):
        return _user(owner_account)
    return {"Type": "CanonicalUser", "ID": value}


def _group_grantee(uri: str) -> dict[str, str]:
    if uri not in GROUPS:
        raise AwsError(
            "InvalidArgument",
            "Invalid group uri",
            400,
            extra={"ArgumentName": "Group/URI", "ArgumentValue": uri},
        )
    return _group(uri)


def from_policy(policy: Mapping[str, Any], owner_account: str) -> dict[str, Any]:
    """A validated ACL from an AccessControlPolicy body; the owner stays the resource's."""
    if not isinstance(policy.get("Owner"), Mapping) or not policy["Owner"].get("ID"):
        raise malformed_acl()
    grants: list[dict[str, Any]] = []
    for raw in policy.get("Grants") or []:
        grantee = raw.get("Grantee") if isinstance(raw, Mapping) else None
        permission = raw.get("Permission") if isinstance(raw, Mapping) else None
        if not isinstance(grantee, Mapping) or permission not in PERMISSIONS:
            raise malformed_acl()
        kind = grantee.get("Type")
        if kind == "CanonicalUser" and grantee.get("ID"):
            entry = _canonical_grantee(str(grantee["ID"]), owner_account)
        elif kind == "Group" and grantee.get("URI"):
            entry = _group_grantee(str(grantee["URI"]))
        elif kind == "AmazonCustomerByEmail" and grantee.get("EmailAddress"):
            raise unresolvable_email(str(grantee["EmailAddress"]))
        else:
            raise malformed_acl()
        grants.append(_grant(entry, str(permission)))
    return {"Owner": owner(owner_account), "Grants": grants}


def has_acl_input(params: Mapping[str, Any]) -> bool:
    """Whether a request carries a canned ACL or grant headers."""
    return params.get("ACL") is not None or any(params.get(m) is not None for m in GRANT_HEADERS)


def from_request(
    params: Mapping[str, Any], owner_account: str, bucket_owner_account: str | None = None
) -> dict[str, Any] | None:
    """The ACL a write request's x-amz-acl or x-amz-grant-* headers ask for, or None.

    Both at once is S3's InvalidRequest.
    """
    headers = from_grant_headers(params, owner_account)
    name = params.get("ACL")
    if name is not None and headers is not None:
        raise AwsError(
            "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400
        )
    if name is not None:
        return canned(str(name), owner_account, bucket_owner_account)
    return headers


def is_public(acl: Mapping[str, Any] | None) -> bool:
    """Whether an ACL grants anything to AllUsers or AuthenticatedUsers (BlockPublicAcls)."""
    if not acl:
        return False
    for grant in acl.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        if grantee.get("Type") == "Group" and grantee.get("URI") in PUBLIC_GROUPS:
            return True
    return False


def only_owner(document: Mapping[str, Any], account_id: str) -> bool:
    """Whether an ACL gives access to nobody but account_id (what S3 still accepts while
    ACLs are disabled by BucketOwnerEnforced)."""
    me = canonical_id(account_id)
    return all(
        grant["Grantee"].get("Type") == "CanonicalUser" and grant["Grantee"].get("ID") == me
        for grant in document.get("Grants") or []
    )


def allowed_when_acls_disabled(document: Mapping[str, Any], bucket_owner: str) -> bool:
    """Whether BucketOwnerEnforced still accepts this ACL: one that, resolved, gives the
    bucket owner FULL_CONTROL and nobody else anything (bucket-owner-full-control, and as
    S3 answers, private and bucket-owner-read from the bucket's owner)."""
    grants = document.get("Grants") or []
    return only_owner(document, bucket_owner) and any(
        grant.get("Permission") == "FULL_CONTROL" for grant in grants
    )
