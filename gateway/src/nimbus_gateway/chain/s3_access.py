"""S3's authorization: identity policies, the bucket policy and ACLs, decided as AWS does.

S3 ARNs name no account, so the bucket's owner (from S3Internal, cached) is the resource
account: the caller's identity policies or the bucket policy suffice in the owner's account,
both must allow across accounts (nimbus_policy's evaluation). Where policies leave the request
implicitly denied, ACL grants may still let it in (unless the bucket enforces its ownership);
an object's ACL is fetched only then. Anonymous callers get in only through a bucket policy
naming everyone or a grant to AllUsers, and are refused with S3's bare "Access Denied".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from nimbus_core.errors import AwsError
from nimbus_policy import (
    AuthorizationRequest,
    Decision,
    EvalDecision,
    Policy,
    Principal,
    access_denied_message,
    evaluate,
    is_public_policy,
)

from nimbus_gateway.authz import Requirement
from nimbus_gateway.authz.acl import (
    BUCKET_ACTIONS,
    BUCKET_GRANTS,
    OBJECT_ACTIONS,
    OBJECT_GRANTS,
    AclGrant,
    acl_grant,
)
from nimbus_gateway.authz.object_tags import existing_tag_keys, names_existing_tags
from nimbus_gateway.authz.public import denies_only
from nimbus_gateway.bucket_access import BucketAccess
from nimbus_gateway.chain.conditions import condition_keys
from nimbus_gateway.chain.exchange import Caller
from nimbus_gateway.policies import PrincipalPolicies

ANONYMOUS_DENIED = "Access Denied"
# Operations authorized by identity alone: the bucket they name is not (yet) the caller's to
# be judged by; CreateBucket of a taken name must answer BucketAlreadyExists, not AccessDenied.
IDENTITY_ONLY = frozenset({"CreateBucket", "ListBuckets", "ListDirectoryBuckets"})
# The owner's root may always mend a bucket policy that locks everyone out (S3 User Guide,
# "I accidentally denied everyone access to my bucket").
ROOT_ALWAYS = frozenset({"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"})


class BucketSource(Protocol):
    """Where bucket access answers come from (bucket_access.BucketAccessCache)."""

    async def get(self, bucket: str) -> BucketAccess | None: ...

    async def object_acl(
        self, bucket: str, key: str, version_id: str | None
    ) -> Mapping[str, Any]: ...

    async def object_tags(
        self, bucket: str, key: str, version_id: str | None
    ) -> dict[str, str]: ...


def anonymous_denied() -> AwsError:
    return AwsError("AccessDenied", ANONYMOUS_DENIED, 403)


@dataclass(frozen=True)
class Subject:
    """The caller and everything of its own that takes part in the decision."""

    caller: Caller
    principal: Principal
    policies: PrincipalPolicies
    session: Sequence[Policy] | None

    def evaluate(self, request: AuthorizationRequest, resource: Policy | None) -> Decision:
        return evaluate(
            request,
            identity_policies=self.policies.identity,
            resource_policy=resource,
            permissions_boundary=self.policies.boundary,
            session_policies=self.session,
        )


def object_of(arn: str) -> tuple[str, str] | None:
    """(bucket, key) of an object ARN, None for a bucket ARN."""
    _, sep, path = arn.partition(":::")
    bucket, slash, key = path.partition("/")
    return (bucket, key) if sep and slash else None


class S3Access:
    def __init__(self, buckets: BucketSource | None) -> None:
        self._buckets = buckets

    async def authorize(
        self,
        operation: str,
        needed: Sequence[Requirement],
        subject: Subject,
        context: Mapping[str, object],
    ) -> list[int]:
        """Raise AccessDenied unless every requirement is allowed.

        Requirements of one list item (DeleteObjects' keys) do not fail the request: their
        indexes are returned, for the key to be reported as an error of its own.
        """
        denied: set[int] = set()
        for requirement in needed:
            failure = await self._check(operation, requirement, subject, context)
            if failure is None:
                continue
            if requirement.item is not None:
                denied.add(requirement.item)
                continue
            raise failure
        return sorted(denied)

    async def bucket(self, name: str) -> BucketAccess | None:
        return await self._buckets.get(name) if self._buckets is not None else None

    async def _check(
        self,
        operation: str,
        requirement: Requirement,
        subject: Subject,
        context: Mapping[str, object],
    ) -> AwsError | None:
        caller, principal = subject.caller, subject.principal
        bucket = next((o.bucket for o in requirement.owners() if o.bucket), None)
        access = None
        if bucket is not None and operation not in IDENTITY_ONLY:
            access = await self.bucket(bucket)
        keys = condition_keys({**context, **requirement.context})
        if access is None or not access.exists:
            if caller.anonymous:
                # A bucket that does not exist: S3 answers NoSuchBucket, even to strangers.
                return None if access is not None else anonymous_denied()
            request = AuthorizationRequest(
                principal=principal,
                action=requirement.action,
                resources=tuple(requirement.resources),
                resource_account=caller.account_id,
                context=keys,
            )
            decision = subject.evaluate(request, None)
            return None if decision.allowed else _denied(request, decision)
        owner = access.owner_account
        keys.update({"aws:ResourceAccount": owner, "s3:ResourceAccount": owner})
        keys.update(await self._existing_tags(requirement, subject, access))
        request = AuthorizationRequest(
            principal=principal,
            action=requirement.action,
            resources=tuple(requirement.resources),
            resource_account=owner,
            context=keys,
        )
        policy = access.policy
        if (
            policy is not None
            and principal.account != owner
            and access.blocks("RestrictPublicBuckets")
            and is_public_policy(policy)
        ):
            policy = denies_only(policy)
        decision = subject.evaluate(request, policy)
        if decision.allowed:
            return None
        if (
            principal.type == "root"
            and owner == principal.account
            and (requirement.action in ROOT_ALWAYS)
        ):
            return None
        if decision.decision is EvalDecision.EXPLICIT_DENY or not access.acls_enabled:
            return _denied(request, decision)
        grant = await self._acl_grant(access, requirement, caller)
        if grant is AclGrant.NONE:
            return _denied(request, decision)
        if grant is AclGrant.DIRECT and (
            principal.type in ("anonymous", "root") or not request.cross_account
        ):
            return None
        if principal.type == "root":
            return None
        # Granted to the caller's account (or publicly, across accounts): the caller's own
        # account must still allow it, through its identity policies.
        own = replace(request, resource_account=caller.account_id)
        if subject.evaluate(own, None).allowed:
            return None
        return _denied(request, decision)

    async def _existing_tags(
        self, requirement: Requirement, subject: Subject, access: BucketAccess
    ) -> dict[str, object]:
        """s3:ExistingObjectTag/<key> values, fetched only when a policy in play names one."""
        found = object_of(requirement.resources[0]) if requirement.resources else None
        if found is None or self._buckets is None:
            return {}
        policies = [access.policy, subject.policies.boundary, *subject.policies.identity]
        if not names_existing_tags([*policies, *(subject.session or ())]):
            return {}
        version = requirement.context.get("s3:versionid")
        tags = await self._buckets.object_tags(
            found[0], found[1], version if isinstance(version, str) else None
        )
        return existing_tag_keys(tags)

    async def _acl_grant(
        self, access: BucketAccess, requirement: Requirement, caller: Caller
    ) -> AclGrant:
        action = requirement.action
        account = None if caller.anonymous else caller.account_id
        ignore_public = access.blocks("IgnorePublicAcls")
        if action in BUCKET_ACTIONS:
            return acl_grant(
                access.acl,
                action,
                table=BUCKET_GRANTS,
                caller_account=account,
                ignore_public=ignore_public,
            )
        if action not in OBJECT_ACTIONS or self._buckets is None:
            return AclGrant.NONE
        found = object_of(requirement.resources[0]) if requirement.resources else None
        if found is None:
            return AclGrant.NONE
        version = requirement.context.get("s3:versionid")
        acl = await self._buckets.object_acl(
            found[0], found[1], version if isinstance(version, str) else None
        )
        return acl_grant(
            acl, action, table=OBJECT_GRANTS, caller_account=account, ignore_public=ignore_public
        )


def _denied(request: AuthorizationRequest, decision: Decision) -> AwsError:
    if request.principal.type == "anonymous":
        return anonymous_denied()
    return AwsError("AccessDenied", access_denied_message(request, decision), 403)


def unreadable_copy_source(value: object) -> AwsError:
    """x-amz-copy-source naming no bucket and key, answered as S3 answers it (the same words
    as the s3 service's own check, which an unreadable source never reaches)."""
    return AwsError(
        "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        400,
        extra={"ArgumentName": "x-amz-copy-source", "ArgumentValue": str(value)},
    )
