"""What users, groups and roles share: lookup by name, creation with a fresh unique id,
tags and permissions boundaries, all with AWS's errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import aws_managed, entity_events, ids, policy_store, principal_store
from nimbus_iam.entity_models import Kind, Principal, Tag
from nimbus_iam.iam_errors import already_exists, invalid_input, limit_exceeded, no_such_entity
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope
from nimbus_iam.validation import TAG_KEY, TAG_VALUE, Checks

MAX_TAGS = 50
_ID_PREFIX = {
    Kind.USER: ids.USER_ID_PREFIX,
    Kind.GROUP: ids.GROUP_ID_PREFIX,
    Kind.ROLE: ids.ROLE_ID_PREFIX,
}
_ATTEMPTS = 8


def not_found(kind: Kind, name: str) -> AwsError:
    return no_such_entity(f"The {kind.value} with name {name} cannot be found.")


async def find(
    conn: asyncpg.Connection | asyncpg.Pool,
    scope: Scope,
    kind: Kind,
    name: str,
    *,
    lock: bool = False,
) -> Principal:
    """The principal or NoSuchEntity; lock serializes count-then-insert changes to it."""
    principal = await principal_store.get_by_name(conn, scope.account_id, kind, name, lock=lock)
    if principal is None:
        raise not_found(kind, name)
    return principal


async def create(
    conn: asyncpg.Connection,
    scope: Scope,
    kind: Kind,
    name: str,
    path: str,
    *,
    tags: Sequence[Tag] = (),
    boundary_arn: str | None = None,
    description: str | None = None,
    assume_role_policy: str | None = None,
    max_session_duration: int | None = None,
) -> Principal:
    """Insert a new principal with a fresh unique id, or EntityAlreadyExists."""
    if boundary_arn is not None:
        await check_boundary_policy(conn, boundary_arn)
    for _ in range(_ATTEMPTS):
        candidate = Principal(
            principal_id=ids.new_unique_id(_ID_PREFIX[kind]),
            account_id=scope.account_id,
            kind=kind,
            name=name,
            path=path,
            arn=ids.entity_arn(scope.account_id, kind.value, path, name),
            created=datetime.now(UTC),  # the database stamps the real one
            tags=merge_tags([], tags),
            permissions_boundary_arn=boundary_arn,
            description=description,
            assume_role_policy=assume_role_policy,
            max_session_duration=max_session_duration,
        )
        created = await principal_store.insert(conn, candidate)
        if created is not None:
            await entity_events.emit(
                conn,
                f"{kind.value.capitalize()}Created",
                account_id=scope.account_id,
                region=scope.region,
                principal_arns=[created.arn],
            )
            return created
        if await principal_store.get_by_name(conn, scope.account_id, kind, name) is not None:
            raise already_exists(f"{kind.value.capitalize()} with name {name} already exists.")
    raise RuntimeError("no free unique id found")


def check_tags(checks: Checks, tags: Sequence[Tag] | None, member: str = "tags") -> None:
    if tags is None:
        return
    checks.count(list(tags), member, MAX_TAGS)
    for index, tag in enumerate(tags, 1):
        checks.string(
            tag.key, f"{member}.{index}.member.key", min_len=1, max_len=128, pattern=TAG_KEY
        )
        checks.string(tag.value, f"{member}.{index}.member.value", max_len=256, pattern=TAG_VALUE)


def merge_tags(current: Sequence[Tag], new: Sequence[Tag]) -> list[Tag]:
    """current with new applied (keys compare without case, as IAM's do)."""
    lowered = [t.key.lower() for t in new]
    if len(set(lowered)) != len(lowered):
        raise invalid_input(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    merged = {t.key.lower(): t for t in current}
    for tag in new:
        merged[tag.key.lower()] = tag
    if len(merged) > MAX_TAGS:
        raise limit_exceeded(f"Cannot exceed quota for TagsPerEntity: {MAX_TAGS}.")
    return list(merged.values())


def without_tags(current: Sequence[Tag], keys: Sequence[str]) -> list[Tag]:
    drop = {k.lower() for k in keys}
    return [t for t in current if t.key.lower() not in drop]


async def tag(
    conn: asyncpg.Connection, scope: Scope, principal: Principal, tags: Sequence[Tag]
) -> None:
    await principal_store.set_tags(conn, principal.principal_id, merge_tags(principal.tags, tags))
    await _tags_changed(conn, scope, principal)


async def untag(
    conn: asyncpg.Connection, scope: Scope, principal: Principal, keys: Sequence[str]
) -> None:
    await principal_store.set_tags(conn, principal.principal_id, without_tags(principal.tags, keys))
    await _tags_changed(conn, scope, principal)


async def _tags_changed(conn: asyncpg.Connection, scope: Scope, principal: Principal) -> None:
    await entity_events.emit(
        conn,
        f"{principal.kind.value.capitalize()}TagsChanged",
        account_id=scope.account_id,
        region=scope.region,
        principal_arns=[principal.arn],
    )


async def check_boundary_policy(conn: asyncpg.Connection, policy_arn: str) -> None:
    """A permissions boundary must be an existing managed policy."""
    if aws_managed.get(policy_arn) is not None:
        return
    if await policy_store.get_policy(conn, policy_arn) is None:
        raise invalid_input(f"ARN {policy_arn} is not valid.")


async def set_boundary(
    conn: asyncpg.Connection, scope: Scope, principal: Principal, policy_arn: str | None
) -> None:
    if policy_arn is not None:
        await check_boundary_policy(conn, policy_arn)
    await principal_store.set_boundary(conn, principal.principal_id, policy_arn)
    await entity_events.emit(
        conn,
        "PermissionsBoundaryChanged",
        account_id=scope.account_id,
        region=scope.region,
        principal_arns=[principal.arn],
        detail={"policyArn": policy_arn},
    )


async def affected_arns(conn: asyncpg.Connection | asyncpg.Pool, principal: Principal) -> list[str]:
    """Whose effective policies change with principal's: a group's members too."""
    if principal.kind is not Kind.GROUP:
        return [principal.arn]
    return [
        principal.arn,
        *(u.arn for u in await principal_store.members(conn, principal.principal_id)),
    ]


def tag_page(tags: list[Tag], marker: str | None, max_items: int | None) -> Page[Tag]:
    """Tags page in the order they were set."""
    order = {t.key: f"{i:04d}" for i, t in enumerate(tags)}
    return paginate(tags, lambda t: order[t.key], marker, max_items)
