"""S3 access control lists: which IAM actions each ACL permission grants, and to whom.

ACLs predate IAM; S3 still honours them unless the bucket's ObjectOwnership is
BucketOwnerEnforced. A grant to a group (AllUsers, AuthenticatedUsers) lets its members in
directly, like a bucket policy naming "*"; a grant to an account's canonical user delegates to
that account, as a policy naming the account does (its root is in, its users need their own
identity policies too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

# Bucket ACL permissions -> the actions they grant (S3 User Guide, "ACL permissions").
BUCKET_GRANTS: Mapping[str, frozenset[str]] = {
    "READ": frozenset({"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"}),
    "WRITE": frozenset(
        {
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        }
    ),
    "READ_ACP": frozenset({"s3:GetBucketAcl"}),
    "WRITE_ACP": frozenset({"s3:PutBucketAcl"}),
}
# Object ACL permissions -> actions; WRITE means nothing on an object.
OBJECT_GRANTS: Mapping[str, frozenset[str]] = {
    "READ": frozenset({"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent"}),
    "READ_ACP": frozenset({"s3:GetObjectAcl", "s3:GetObjectVersionAcl"}),
    "WRITE_ACP": frozenset({"s3:PutObjectAcl", "s3:PutObjectVersionAcl"}),
}
BUCKET_ACTIONS = frozenset().union(*BUCKET_GRANTS.values())
OBJECT_ACTIONS = frozenset().union(*OBJECT_GRANTS.values())
# The owner of an ACL may always read and change it, whatever its grants say.
_OWNER_ACP = ("READ_ACP", "WRITE_ACP")


class AclGrant(Enum):
    """How an ACL lets the caller in (ordered weakest first)."""

    NONE = 0
    ACCOUNT = 1  # granted to the caller's account: its IAM users need identity policies too
    DIRECT = 2  # granted to a group the caller belongs to


def canonical_user_id(account_id: str) -> str:
    """An account's canonical user id: 64 hex characters, stable per account."""
    return hashlib.sha256(f"nimbus-canonical:{account_id}".encode()).hexdigest()


def permissions_for(action: str, table: Mapping[str, frozenset[str]]) -> set[str]:
    """The ACL permissions any of which grants action (FULL_CONTROL grants all)."""
    found = {permission for permission, actions in table.items() if action in actions}
    return found | {"FULL_CONTROL"} if found else set()


def _grants(acl: Mapping[str, Any]) -> Iterable[tuple[Mapping[str, Any], str]]:
    for grant in acl.get("Grants") or ():
        if isinstance(grant, Mapping) and isinstance(grant.get("Grantee"), Mapping):
            yield grant["Grantee"], str(grant.get("Permission", ""))


def acl_grant(
    acl: Mapping[str, Any] | None,
    action: str,
    *,
    table: Mapping[str, frozenset[str]],
    caller_account: str | None,
    ignore_public: bool,
) -> AclGrant:
    """How acl grants action to the caller (caller_account None: an anonymous caller).

    ignore_public drops grants to AllUsers and AuthenticatedUsers (IgnorePublicAcls).
    """
    if not acl:
        return AclGrant.NONE
    wanted = permissions_for(action, table)
    if not wanted:
        return AclGrant.NONE
    mine = canonical_user_id(caller_account) if caller_account else None
    best = AclGrant.NONE
    owner = acl.get("Owner")
    is_owner = mine is not None and isinstance(owner, Mapping) and owner.get("ID") == mine
    if is_owner and wanted & set(_OWNER_ACP):
        best = AclGrant.ACCOUNT
    for grantee, permission in _grants(acl):
        if permission not in wanted:
            continue
        uri = grantee.get("URI")
        if uri in PUBLIC_GROUPS:
            if ignore_public:
                continue
            if uri == ALL_USERS or caller_account:
                return AclGrant.DIRECT
        elif mine and grantee.get("ID") == mine:
            best = AclGrant.ACCOUNT
    return best
