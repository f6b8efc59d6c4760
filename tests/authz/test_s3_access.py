"""S3 authorization decisions: identity policies, bucket policies, ACLs and public access block.

The bucket answers come from an in-memory stand-in for the s3 service's S3Internal; the
decision logic (gateway + nimbus_policy) is the real one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_gateway import authz
from nimbus_gateway.authz.acl import ALL_USERS, AUTHENTICATED_USERS, canonical_user_id
from nimbus_gateway.bucket_access import BucketAccess, bucket_policy
from nimbus_gateway.chain.exchange import Caller
from nimbus_gateway.chain.principal import principal_of
from nimbus_gateway.chain.s3_access import S3Access, Subject
from nimbus_gateway.policies import NO_POLICIES, PrincipalPolicies
from nimbus_policy import parse_policy

OWNER = "111111111111"
OTHER = "222222222222"
BUCKET = "shared-bucket"


class Buckets:
    """What S3Internal would answer: bucket access documents and object ACLs."""

    def __init__(
        self, *found: BucketAccess, object_acls: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self._found = {b.bucket: b for b in found}
        self._object_acls = dict(object_acls or {})
        self.object_acl_calls = 0
        self.object_tags_by_key: dict[str, dict[str, str]] = {}
        self.object_tags_calls = 0

    async def get(self, bucket: str) -> BucketAccess | None:
        return self._found.get(bucket, BucketAccess(bucket=bucket, exists=False))

    async def object_acl(self, bucket: str, key: str, version_id: str | None) -> Mapping[str, Any]:
        self.object_acl_calls += 1
        return self._object_acls.get(key, {})

    async def object_tags(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        self.object_tags_calls += 1
        return self.object_tags_by_key.get(key, {})


def statement(effect: str, action: str, resource: str, principal: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        found["Principal"] = principal
    return found


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def acl(*grants: tuple[dict[str, str], str], owner: str = OWNER) -> dict[str, Any]:
    return {
        "Owner": {"ID": canonical_user_id(owner)},
        "Grants": [
            {
                "Grantee": {"Type": "CanonicalUser", "ID": canonical_user_id(owner)},
                "Permission": "FULL_CONTROL",
            },
            *({"Grantee": grantee, "Permission": p} for grantee, p in grants),
        ],
    }


def group(uri: str) -> dict[str, str]:
    return {"Type": "Group", "URI": uri}


def account(account_id: str) -> dict[str, str]:
    return {"Type": "CanonicalUser", "ID": canonical_user_id(account_id)}


def bucket(
    policy: str = "",
    *,
    grants: tuple[tuple[dict[str, str], str], ...] = (),
    ownership: str = "ObjectWriter",
    block: dict[str, bool] | None = None,
) -> BucketAccess:
    return BucketAccess(
        bucket=BUCKET,
        exists=True,
        owner_account=OWNER,
        region="us-east-1",
        policy=bucket_policy(policy) if policy else None,
        acl=acl(*grants),
        public_access_block=block or {},
        object_ownership=ownership,
    )


def root(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id)


def user(account_id: str, name: str = "alice") -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:user/{name}", f"AIDA{name.upper()}")


ANONYMOUS = Caller(account_id="", principal_arn="", user_id="", anonymous=True)


def decide(
    operation: str,
    params: dict[str, Any],
    who: Caller,
    buckets: Buckets | None,
    identity: str | None = None,
) -> list[int]:
    """The authorizer's verdict: denied item indexes, or AccessDenied raised."""
    policies = (
        PrincipalPolicies((parse_policy(identity, "identity", policy_id="inline"),), None, {})
        if identity
        else NO_POLICIES
    )
    needed = authz.requirements("s3", operation, params, account=who.account_id, region="us-east-1")
    subject = Subject(who, principal_of(who, {}), policies, None)
    context = {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": "false"}
    return asyncio.run(S3Access(buckets).authorize(operation, needed, subject, context))


def denied(*args: Any, **kwargs: Any) -> str:
    with pytest.raises(AwsError) as caught:
        decide(*args, **kwargs)
    assert caught.value.code == "AccessDenied" and caught.value.http_status == 403
    return caught.value.message


GET = ("GetObject", {"Bucket": BUCKET, "Key": "k"})
LIST = ("ListObjectsV2", {"Bucket": BUCKET})
PUT = ("PutObject", {"Bucket": BUCKET, "Key": "k"})
OBJECT_ARN = f"arn:aws:s3:::{BUCKET}/*"
READ_ALL = document(statement("Allow", "s3:GetObject", OBJECT_ARN))


# --- same account -------------------------------------------------------------------------


def test_owner_root_is_allowed_without_any_policy() -> None:
    assert decide(*GET, root(OWNER), Buckets(bucket())) == []


def test_owner_user_needs_identity_or_bucket_policy() -> None:
    message = denied(*GET, user(OWNER), Buckets(bucket()))
    assert message == (
        f"User: arn:aws:iam::{OWNER}:user/alice is not authorized to perform: s3:GetObject "
        f'on resource: "arn:aws:s3:::{BUCKET}/k" because no identity-based policy allows '
        "the s3:GetObject action"
    )
    assert decide(*GET, user(OWNER), Buckets(bucket()), identity=READ_ALL) == []
    by_bucket = document(
        statement("Allow", "s3:GetObject", OBJECT_ARN, {"AWS": f"arn:aws:iam::{OWNER}:user/alice"})
    )
    assert decide(*GET, user(OWNER), Buckets(bucket(by_bucket))) == []


def test_an_explicit_deny_in_the_bucket_policy_beats_the_owner() -> None:
    deny = document(statement("Deny", "s3:GetObject", OBJECT_ARN, "*"))
    message = denied(*GET, root(OWNER), Buckets(bucket(deny)))
    assert "with an explicit deny in a resource-based policy" in message
    denied(*GET, user(OWNER), Buckets(bucket(deny)), identity=READ_ALL)
    assert decide(*LIST, root(OWNER), Buckets(bucket(deny))) == []


def test_a_bucket_policy_naming_the_owner_account_does_not_let_its_users_in() -> None:
    """Naming an account delegates to its IAM policies, even in the owner's own account."""
    by_account = document(
        statement("Allow", "s3:GetObject", OBJECT_ARN, {"AWS": f"arn:aws:iam::{OWNER}:root"})
    )
    denied(*GET, user(OWNER), Buckets(bucket(by_account)))


# --- across accounts ----------------------------------------------------------------------

GRANT_OTHER = document(
    statement("Allow", "s3:GetObject", OBJECT_ARN, {"AWS": f"arn:aws:iam::{OTHER}:root"})
)


def test_another_account_needs_the_bucket_policy() -> None:
    message = denied(*GET, root(OTHER), Buckets(bucket()))
    assert "because no resource-based policy allows the s3:GetObject action" in message
    assert decide(*GET, root(OTHER), Buckets(bucket(GRANT_OTHER))) == []


def test_another_accounts_user_needs_both_sides() -> None:
    buckets = Buckets(bucket(GRANT_OTHER))
    message = denied(*GET, user(OTHER), buckets)
    assert "because no identity-based policy allows" in message
    assert decide(*GET, user(OTHER), buckets, identity=READ_ALL) == []
    denied(*GET, user(OTHER), Buckets(bucket()), identity=READ_ALL)


def test_the_owners_root_is_not_another_accounts_root() -> None:
    denied(*PUT, root(OTHER), Buckets(bucket(GRANT_OTHER)))


# --- anonymous ----------------------------------------------------------------------------

PUBLIC_READ_POLICY = document(statement("Allow", "s3:GetObject", OBJECT_ARN, "*"))


def test_anonymous_callers_need_a_public_policy() -> None:
    assert denied(*GET, ANONYMOUS, Buckets(bucket())) == "Access Denied"
    assert decide(*GET, ANONYMOUS, Buckets(bucket(PUBLIC_READ_POLICY))) == []
    assert denied(*PUT, ANONYMOUS, Buckets(bucket(PUBLIC_READ_POLICY))) == "Access Denied"


def test_anonymous_requests_to_a_missing_bucket_reach_the_service() -> None:
    """S3 answers NoSuchBucket to anyone."""
    assert decide(*GET, ANONYMOUS, Buckets()) == []


def test_without_bucket_answers_anonymous_callers_are_refused() -> None:
    assert denied(*GET, ANONYMOUS, None) == "Access Denied"


def test_a_missing_bucket_is_judged_by_identity_alone() -> None:
    assert decide(*GET, root(OTHER), Buckets()) == []
    denied(*GET, user(OTHER), Buckets())


def test_create_bucket_is_judged_by_identity_even_when_the_name_is_taken() -> None:
    create = ("CreateBucket", {"Bucket": BUCKET})
    assert decide(*create, root(OTHER), Buckets(bucket())) == []
    denied(*create, ANONYMOUS, Buckets(bucket()))


# --- ACLs ---------------------------------------------------------------------------------


def test_a_public_read_bucket_acl_lets_anyone_list() -> None:
    buckets = Buckets(bucket(grants=((group(ALL_USERS), "READ"),)))
    assert decide(*LIST, ANONYMOUS, buckets) == []
    assert decide(*LIST, root(OTHER), buckets) == []
    denied(*PUT, ANONYMOUS, buckets)
    denied(*GET, ANONYMOUS, buckets)  # bucket READ is listing, not reading objects


def test_public_read_write_lets_anyone_write() -> None:
    buckets = Buckets(bucket(grants=((group(ALL_USERS), "READ"), (group(ALL_USERS), "WRITE"))))
    assert decide(*PUT, ANONYMOUS, buckets) == []
    assert decide("DeleteObject", {"Bucket": BUCKET, "Key": "k"}, ANONYMOUS, buckets) == []
    denied("PutBucketAcl", {"Bucket": BUCKET, "ACL": "private"}, ANONYMOUS, buckets)


def test_authenticated_users_excludes_anonymous_callers() -> None:
    buckets = Buckets(bucket(grants=((group(AUTHENTICATED_USERS), "READ"),)))
    denied(*LIST, ANONYMOUS, buckets)
    assert decide(*LIST, root(OTHER), buckets) == []


def test_ignore_public_acls() -> None:
    buckets = Buckets(
        bucket(grants=((group(ALL_USERS), "READ"),), block={"IgnorePublicAcls": True})
    )
    denied(*LIST, ANONYMOUS, buckets)


def test_bucket_owner_enforced_disables_acls() -> None:
    buckets = Buckets(bucket(grants=((group(ALL_USERS), "READ"),), ownership="BucketOwnerEnforced"))
    denied(*LIST, ANONYMOUS, buckets)


def test_a_grant_to_an_account_delegates_to_its_iam_policies() -> None:
    buckets = Buckets(bucket(grants=((account(OTHER), "READ"),)))
    assert decide(*LIST, root(OTHER), buckets) == []
    denied(*LIST, user(OTHER), buckets)
    lister = document(statement("Allow", "s3:ListBucket", "*"))
    assert decide(*LIST, user(OTHER), buckets, identity=lister) == []


def test_full_control_grants_acl_access() -> None:
    buckets = Buckets(bucket(grants=((account(OTHER), "FULL_CONTROL"),)))
    assert decide("GetBucketAcl", {"Bucket": BUCKET}, root(OTHER), buckets) == []
    assert decide("PutBucketAcl", {"Bucket": BUCKET}, root(OTHER), buckets) == []
    denied("GetBucketPolicy", {"Bucket": BUCKET}, root(OTHER), buckets)


def test_object_acls_are_read_only_when_policies_did_not_decide() -> None:
    public = acl((group(ALL_USERS), "READ"))
    buckets = Buckets(bucket(PUBLIC_READ_POLICY), object_acls={"k": public})
    assert decide(*GET, ANONYMOUS, buckets) == []
    assert buckets.object_acl_calls == 0
    buckets = Buckets(bucket(), object_acls={"k": public})
    assert decide(*GET, ANONYMOUS, buckets) == []
    assert decide("HeadObject", {"Bucket": BUCKET, "Key": "k"}, ANONYMOUS, buckets) == []
    assert buckets.object_acl_calls == 2
    denied("GetObjectAcl", {"Bucket": BUCKET, "Key": "k"}, ANONYMOUS, buckets)
    denied("GetObject", {"Bucket": BUCKET, "Key": "other"}, ANONYMOUS, buckets)


def test_object_acl_owner_may_always_read_and_write_the_acl() -> None:
    written_by_other = {"Owner": {"ID": canonical_user_id(OTHER)}, "Grants": []}
    buckets = Buckets(bucket(), object_acls={"k": written_by_other})
    assert decide("GetObjectAcl", {"Bucket": BUCKET, "Key": "k"}, root(OTHER), buckets) == []
    assert decide("PutObjectAcl", {"Bucket": BUCKET, "Key": "k"}, root(OTHER), buckets) == []
    denied(*GET, root(OTHER), buckets)


def test_object_acls_obey_ignore_public_acls_and_ownership() -> None:
    public = acl((group(ALL_USERS), "READ"))
    for setting in (
        bucket(block={"IgnorePublicAcls": True}),
        bucket(ownership="BucketOwnerEnforced"),
    ):
        denied(*GET, ANONYMOUS, Buckets(setting, object_acls={"k": public}))


# --- public access block ------------------------------------------------------------------


def test_restrict_public_buckets_admits_only_the_owners_principals() -> None:
    public_and_other = document(
        statement("Allow", "s3:GetObject", OBJECT_ARN, "*"),
        statement("Allow", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", {"AWS": OTHER}),
    )
    restricted = Buckets(bucket(public_and_other, block={"RestrictPublicBuckets": True}))
    denied(*GET, ANONYMOUS, restricted)
    denied(*LIST, root(OTHER), restricted)
    assert decide(*GET, user(OWNER), restricted) == []
    open_ = Buckets(bucket(public_and_other))
    assert decide(*GET, ANONYMOUS, open_) == []
    assert decide(*LIST, root(OTHER), open_) == []


def test_restrict_public_buckets_keeps_denies() -> None:
    policy = document(
        statement("Allow", "s3:GetObject", OBJECT_ARN, "*"),
        statement("Deny", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/secret", "*"),
    )
    restricted = Buckets(bucket(policy, block={"RestrictPublicBuckets": True}))
    denied(
        "GetObject", {"Bucket": BUCKET, "Key": "secret"}, user(OWNER), restricted, identity=READ_ALL
    )


def test_a_policy_pinned_to_a_source_ip_is_not_public() -> None:
    pinned = document(
        {
            **statement("Allow", "s3:GetObject", OBJECT_ARN, "*"),
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    )
    restricted = Buckets(bucket(pinned, block={"RestrictPublicBuckets": True}))
    assert decide(*GET, ANONYMOUS, restricted) == []


# --- conditions and batch deletes ---------------------------------------------------------


def test_bucket_policy_conditions_on_prefix() -> None:
    policy = document(
        {
            **statement("Allow", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", "*"),
            "Condition": {"StringEquals": {"s3:prefix": "public/"}},
        }
    )
    buckets = Buckets(bucket(policy))
    assert (
        decide("ListObjectsV2", {"Bucket": BUCKET, "Prefix": "public/"}, ANONYMOUS, buckets) == []
    )
    denied("ListObjectsV2", {"Bucket": BUCKET, "Prefix": "private/"}, ANONYMOUS, buckets)
    denied(*LIST, ANONYMOUS, buckets)


def test_delete_objects_reports_denied_keys_instead_of_failing() -> None:
    policy = document(statement("Allow", "s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/tmp/*", "*"))
    params = {
        "Bucket": BUCKET,
        "Delete": {"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}, {"Key": "tmp/c"}]},
    }
    assert decide("DeleteObjects", params, ANONYMOUS, Buckets(bucket(policy))) == [1]


def test_timestamp_condition_keys_are_compared_as_dates() -> None:
    """PutObjectRetention's s3:object-lock-retain-until-date arrives as a datetime."""
    from datetime import UTC, datetime

    policy = document(
        {
            **statement("Deny", "s3:PutObjectRetention", OBJECT_ARN, "*"),
            "Condition": {
                "DateGreaterThan": {"s3:object-lock-retain-until-date": "2030-01-01T00:00:00Z"}
            },
        }
    )
    buckets = Buckets(bucket(policy))

    def retain(until: datetime) -> list[int]:
        params = {
            "Bucket": BUCKET,
            "Key": "k",
            "Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": until},
        }
        return decide("PutObjectRetention", params, root(OWNER), buckets)

    assert retain(datetime(2029, 6, 1, tzinfo=UTC)) == []
    with pytest.raises(AwsError):
        retain(datetime(2031, 6, 1, tzinfo=UTC))


def test_the_owners_root_can_always_mend_a_policy_that_locks_everyone_out() -> None:
    lockout = document(statement("Deny", "s3:*", "*", "*"))
    buckets = Buckets(bucket(lockout))
    denied(*GET, root(OWNER), buckets)
    for operation in ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"):
        assert decide(operation, {"Bucket": BUCKET}, root(OWNER), buckets) == []
        denied(operation, {"Bucket": BUCKET}, user(OWNER), buckets, identity=READ_ALL)
