"""SQL for users, groups and roles, their tags and group membership.

Every function runs on the connection it is given; callers own the transaction.
"""

from __future__ import annotations

import json
from typing import Any

from nimbus_iam.entity_models import Kind, Principal, Tag
from nimbus_iam.store import Executor

_COLUMNS = """
principal_id, account_id, kind, name, path, arn, created_at, tags, permissions_boundary_arn,
description, assume_role_policy, max_session_duration
"""


def tags_from_json(raw: Any) -> list[Tag]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [Tag(item["Key"], item["Value"]) for item in items or []]


def tags_to_json(tags: list[Tag]) -> str:
    return json.dumps([{"Key": t.key, "Value": t.value} for t in tags])


def _principal(row: Any) -> Principal:
    return Principal(
        principal_id=row["principal_id"],
        account_id=row["account_id"],
        kind=Kind(row["kind"]),
        name=row["name"],
        path=row["path"],
        arn=row["arn"],
        created=row["created_at"],
        tags=tags_from_json(row["tags"]),
        permissions_boundary_arn=row["permissions_boundary_arn"],
        description=row["description"],
        assume_role_policy=row["assume_role_policy"],
        max_session_duration=row["max_session_duration"],
    )


async def insert(db: Executor, principal: Principal) -> Principal | None:
    """The new principal, or None if the name (any case) or id is taken."""
    row = await db.fetchrow(
        "INSERT INTO principals (principal_id, account_id, kind, name, path, arn, tags,"
        " permissions_boundary_arn, description, assume_role_policy, max_session_duration)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)"
        f" ON CONFLICT DO NOTHING RETURNING {_COLUMNS}",
        principal.principal_id,
        principal.account_id,
        principal.kind.value,
        principal.name,
        principal.path,
        principal.arn,
        tags_to_json(principal.tags),
        principal.permissions_boundary_arn,
        principal.description,
        principal.assume_role_policy,
        principal.max_session_duration,
    )
    return _principal(row) if row is not None else None


async def get_by_name(
    db: Executor, account_id: str, kind: Kind, name: str, *, lock: bool = False
) -> Principal | None:
    """The principal of that name (any case); lock holds its row until the transaction ends,
    which serializes changes that check a count first (keys, versions, attachments)."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM principals"
        " WHERE account_id = $1 AND kind = $2 AND lower(name) = lower($3)"
        + (" FOR UPDATE" if lock else ""),
        account_id,
        kind.value,
        name,
    )
    return _principal(row) if row is not None else None


async def get_by_id(db: Executor, principal_id: str) -> Principal | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM principals WHERE principal_id = $1", principal_id
    )
    return _principal(row) if row is not None else None


async def get_by_arn(db: Executor, arn: str) -> Principal | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM principals WHERE arn = $1", arn)
    return _principal(row) if row is not None else None


async def list_all(
    db: Executor, account_id: str, kind: Kind, path_prefix: str = "/"
) -> list[Principal]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM principals WHERE account_id = $1 AND kind = $2"
        " AND starts_with(path, $3)",
        account_id,
        kind.value,
        path_prefix,
    )
    return [_principal(row) for row in rows]


async def rename(db: Executor, principal_id: str, name: str, path: str, arn: str) -> bool:
    """False if the new name is taken."""
    row = await db.fetchrow(
        "UPDATE principals p SET name = $2, path = $3, arn = $4 WHERE principal_id = $1"
        " AND NOT EXISTS (SELECT 1 FROM principals o WHERE o.account_id = p.account_id"
        " AND o.kind = p.kind AND lower(o.name) = lower($2) AND o.principal_id <> $1)"
        " RETURNING principal_id",
        principal_id,
        name,
        path,
        arn,
    )
    return row is not None


async def set_tags(db: Executor, principal_id: str, tags: list[Tag]) -> None:
    await db.execute(
        "UPDATE principals SET tags = $2::jsonb WHERE principal_id = $1",
        principal_id,
        tags_to_json(tags),
    )


async def set_boundary(db: Executor, principal_id: str, policy_arn: str | None) -> None:
    await db.execute(
        "UPDATE principals SET permissions_boundary_arn = $2 WHERE principal_id = $1",
        principal_id,
        policy_arn,
    )


async def update_role(
    db: Executor,
    principal_id: str,
    *,
    description: str | None = None,
    max_session_duration: int | None = None,
    assume_role_policy: str | None = None,
) -> None:
    """Sets whichever of the role's fields are given."""
    await db.execute(
        "UPDATE principals SET description = coalesce($2, description),"
        " max_session_duration = coalesce($3, max_session_duration),"
        " assume_role_policy = coalesce($4, assume_role_policy) WHERE principal_id = $1",
        principal_id,
        description,
        max_session_duration,
        assume_role_policy,
    )


async def delete(db: Executor, principal_id: str) -> None:
    await db.execute("DELETE FROM principals WHERE principal_id = $1", principal_id)


async def count_access_keys(db: Executor, principal_arn: str) -> int:
    value = await db.fetchval(
        "SELECT count(*) FROM access_keys WHERE principal_arn = $1 AND expires_at IS NULL",
        principal_arn,
    )
    return int(value)


async def count_groups_of(db: Executor, user_id: str) -> int:
    value = await db.fetchval("SELECT count(*) FROM group_members WHERE user_id = $1", user_id)
    return int(value)


async def count_members(db: Executor, group_id: str) -> int:
    value = await db.fetchval("SELECT count(*) FROM group_members WHERE group_id = $1", group_id)
    return int(value)


async def add_member(db: Executor, group_id: str, user_id: str) -> bool:
    """False if the user already was a member."""
    status = await db.execute(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        group_id,
        user_id,
    )
    return bool(status == "INSERT 0 1")


async def remove_member(db: Executor, group_id: str, user_id: str) -> bool:
    status = await db.execute(
        "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2", group_id, user_id
    )
    return bool(status == "DELETE 1")


async def members(db: Executor, group_id: str) -> list[Principal]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS.replace('principal_id', 'p.principal_id')} FROM principals p"
        " JOIN group_members m ON m.user_id = p.principal_id WHERE m.group_id = $1",
        group_id,
    )
    return [_principal(row) for row in rows]


async def groups_of(db: Executor, user_id: str) -> list[Principal]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS.replace('principal_id', 'p.principal_id')} FROM principals p"
        " JOIN group_members m ON m.group_id = p.principal_id WHERE m.user_id = $1",
        user_id,
    )
    return [_principal(row) for row in rows]


async def with_boundary(db: Executor, account_id: str, policy_arn: str) -> list[Principal]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM principals WHERE account_id = $1"
        " AND permissions_boundary_arn = $2",
        account_id,
        policy_arn,
    )
    return [_principal(row) for row in rows]
