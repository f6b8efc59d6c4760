"""Customer managed policies and their versions, and AWS managed ones (read-only): one
method per AWS operation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import aws_managed, entity_events, ids, policy_store, principal_store, principals
from nimbus_iam.entity_models import ManagedPolicy, PolicyVersion, Tag
from nimbus_iam.iam_errors import already_exists, delete_conflict, limit_exceeded, no_such_entity
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.policy_documents import (
    PolicyKind,
    size_without_whitespace,
    validate_policy_document,
)
from nimbus_iam.scope import Scope

MAX_POLICY_SIZE = 6144
MAX_VERSIONS = 5
_ATTEMPTS = 8


def check_managed_document(document: str) -> None:
    validate_policy_document(document, PolicyKind.IDENTITY)
    if size_without_whitespace(document) > MAX_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")


def policy_not_found(arn: str) -> AwsError:
    return no_such_entity(f"Policy {arn} was not found.")


def not_attachable(arn: str) -> AwsError:
    return no_such_entity(f"Policy {arn} does not exist or is not attachable.")


def aws_managed_read_only() -> AwsError:
    return AwsError("AccessDenied", "You are not authorized to modify AWS managed policies.", 403)


def parse_version(version_id: str) -> int:
    """v3 -> 3 (the model's pattern allows a suffix after a dot; Nimbus makes none)."""
    return int(version_id[1:].split(".", 1)[0])


async def find_policy(
    conn: asyncpg.Connection | asyncpg.Pool,
    scope: Scope,
    arn: str,
    *,
    lock: bool = False,
    attachable: bool = False,
) -> ManagedPolicy:
    """A customer policy of the caller's account, or an AWS managed one."""
    missing = not_attachable(arn) if attachable else policy_not_found(arn)
    if aws_managed.is_aws_managed(arn):
        counts = await policy_store.attachment_counts(conn, scope.account_id)
        found = aws_managed.get(arn, counts.get(arn, 0))
        if found is None:
            raise missing
        return found
    policy = await policy_store.get_policy(conn, arn, lock=lock)
    if policy is None or policy.account_id != scope.account_id:
        raise missing
    return policy


async def users_of_policy(conn: asyncpg.Connection, scope: Scope, arn: str) -> list[str]:
    """ARNs whose effective policies a change to policy arn changes."""
    affected: list[str] = []
    for principal_id in await policy_store.attached_principal_ids(conn, scope.account_id, arn):
        principal = await principal_store.get_by_id(conn, principal_id)
        if principal is not None:
            affected += await principals.affected_arns(conn, principal)
    affected += [p.arn for p in await principal_store.with_boundary(conn, scope.account_id, arn)]
    return affected


class ManagedPolicies:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_policy(
        self,
        scope: Scope,
        name: str,
        document: str,
        path: str = "/",
        description: str | None = None,
        tags: Sequence[Tag] = (),
    ) -> ManagedPolicy:
        check_managed_document(document)
        async with self._pool.acquire() as conn, conn.transaction():
            for _ in range(_ATTEMPTS):
                now = datetime.now(UTC)
                candidate = ManagedPolicy(
                    policy_id=ids.new_unique_id(ids.POLICY_ID_PREFIX),
                    account_id=scope.account_id,
                    name=name,
                    path=path,
                    arn=ids.entity_arn(scope.account_id, "policy", path, name),
                    default_version=1,
                    created=now,
                    updated=now,
                    description=description,
                    tags=principals.merge_tags([], tags),
                )
                if await policy_store.insert_policy(conn, candidate, document):
                    await entity_events.emit(
                        conn,
                        "PolicyCreated",
                        account_id=scope.account_id,
                        region=scope.region,
                        principal_arns=[],
                        detail={"policyArn": candidate.arn},
                    )
                    return await find_policy(conn, scope, candidate.arn)
                existing = {
                    p.name.lower() for p in await policy_store.list_policies(conn, scope.account_id)
                }
                if name.lower() in existing:
                    raise already_exists(
                        f"A policy called {name} already exists. Duplicate names are not allowed."
                    )
        raise RuntimeError("no free policy id found")

    async def get_policy(self, scope: Scope, arn: str) -> ManagedPolicy:
        return await find_policy(self._pool, scope, arn)

    async def list_policies(
        self,
        scope: Scope,
        policy_scope: str = "All",
        only_attached: bool = False,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[ManagedPolicy]:
        found: list[ManagedPolicy] = []
        if policy_scope in ("All", "Local"):
            found += await policy_store.list_policies(self._pool, scope.account_id)
        if policy_scope in ("All", "AWS"):
            counts = await policy_store.attachment_counts(self._pool, scope.account_id)
            found += aws_managed.all_policies(counts)
        found = [
            p
            for p in found
            if p.path.startswith(path_prefix) and (not only_attached or p.attachment_count > 0)
        ]
        return paginate(found, lambda p: f"{p.name.lower()} {p.arn}", marker, max_items)

    async def delete_policy(self, scope: Scope, arn: str) -> None:
        if aws_managed.is_aws_managed(arn):
            raise aws_managed_read_only()
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await find_policy(conn, scope, arn, lock=True)
            if policy.attachment_count:
                raise delete_conflict("Cannot delete a policy attached to entities.")
            if policy.boundary_usage_count:
                raise delete_conflict("Cannot delete a policy used as a permissions boundary.")
            if len(await policy_store.versions(conn, policy.policy_id)) > 1:
                raise delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must"
                    " delete the policy's versions. The default version is deleted with the policy."
                )
            await policy_store.delete_policy(conn, policy.policy_id)
            await entity_events.emit(
                conn,
                "PolicyDeleted",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[],
                detail={"policyArn": arn},
            )

    async def create_policy_version(
        self, scope: Scope, arn: str, document: str, set_as_default: bool = False
    ) -> PolicyVersion:
        if aws_managed.is_aws_managed(arn):
            raise aws_managed_read_only()
        check_managed_document(document)
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await find_policy(conn, scope, arn, lock=True)
            if len(await policy_store.versions(conn, policy.policy_id)) >= MAX_VERSIONS:
                raise limit_exceeded(
                    f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create"
                    " a new version, you must delete an existing version."
                )
            number = await policy_store.add_version(
                conn, policy.policy_id, document, set_as_default
            )
            if set_as_default:
                await entity_events.emit(
                    conn,
                    "PolicyDefaultVersionChanged",
                    account_id=scope.account_id,
                    region=scope.region,
                    principal_arns=await users_of_policy(conn, scope, arn),
                    detail={"policyArn": arn, "versionId": f"v{number}"},
                )
            versions = await policy_store.versions(conn, policy.policy_id)
            return next(v for v in versions if v.version == number)

    async def get_policy_version(self, scope: Scope, arn: str, version_id: str) -> PolicyVersion:
        for version in await self.list_policy_versions(scope, arn):
            if version.version_id == version_id:
                return version
        raise no_such_entity(
            f"Policy {arn} version {version_id} does not exist or is not attachable."
        )

    async def list_policy_versions(self, scope: Scope, arn: str) -> list[PolicyVersion]:
        """Newest first, as AWS lists them."""
        if aws_managed.is_aws_managed(arn):
            version = aws_managed.default_version(arn)
            if version is None:
                raise policy_not_found(arn)
            return [version]
        policy = await find_policy(self._pool, scope, arn)
        return await policy_store.versions(self._pool, policy.policy_id)

    async def delete_policy_version(self, scope: Scope, arn: str, version_id: str) -> None:
        if aws_managed.is_aws_managed(arn):
            raise aws_managed_read_only()
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await find_policy(conn, scope, arn, lock=True)
            versions = {
                v.version_id: v for v in await policy_store.versions(conn, policy.policy_id)
            }
            version = versions.get(version_id)
            if version is None:
                raise no_such_entity(
                    f"Policy {arn} version {version_id} does not exist or is not attachable."
                )
            if version.is_default:
                raise delete_conflict("Cannot delete the default version of a policy.")
            await policy_store.delete_version(conn, policy.policy_id, version.version)

    async def set_default_policy_version(self, scope: Scope, arn: str, version_id: str) -> None:
        if aws_managed.is_aws_managed(arn):
            raise aws_managed_read_only()
        async with self._pool.acquire() as conn, conn.transaction():
            policy = await find_policy(conn, scope, arn, lock=True)
            versions = {
                v.version_id: v for v in await policy_store.versions(conn, policy.policy_id)
            }
            if version_id not in versions:
                raise no_such_entity(
                    f"Policy {arn} version {version_id} does not exist or is not attachable."
                )
            await policy_store.set_default_version(
                conn, policy.policy_id, versions[version_id].version
            )
            await entity_events.emit(
                conn,
                "PolicyDefaultVersionChanged",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=await users_of_policy(conn, scope, arn),
                detail={"policyArn": arn, "versionId": version_id},
            )
