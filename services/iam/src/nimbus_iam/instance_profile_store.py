"""SQL for instance profiles and their roles; callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nimbus_iam.entity_models import Tag
from nimbus_iam.principal_store import tags_from_json, tags_to_json
from nimbus_iam.store import Executor

_COLUMNS = "profile_id, account_id, name, path, arn, tags, created_at"


@dataclass(frozen=True)
class InstanceProfile:
    profile_id: str
    account_id: str
    name: str
    path: str
    arn: str
    created: datetime
    tags: list[Tag] = field(default_factory=list)


def _profile(row: Any) -> InstanceProfile:
    return InstanceProfile(
        profile_id=row["profile_id"],
        account_id=row["account_id"],
        name=row["name"],
        path=row["path"],
        arn=row["arn"],
        created=row["created_at"],
        tags=tags_from_json(row["tags"]),
    )


async def insert(db: Executor, profile: InstanceProfile) -> InstanceProfile | None:
    """None if the name (any case) or the id is taken."""
    row = await db.fetchrow(
        "INSERT INTO instance_profiles (profile_id, account_id, name, path, arn, tags)"
        f" VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT DO NOTHING RETURNING {_COLUMNS}",
        profile.profile_id,
        profile.account_id,
        profile.name,
        profile.path,
        profile.arn,
        tags_to_json(profile.tags),
    )
    return _profile(row) if row is not None else None


async def get_by_name(
    db: Executor, account_id: str, name: str, *, lock: bool = False
) -> InstanceProfile | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM instance_profiles WHERE account_id = $1"
        " AND lower(name) = lower($2)" + (" FOR UPDATE" if lock else ""),
        account_id,
        name,
    )
    return _profile(row) if row is not None else None


async def list_all(db: Executor, account_id: str, path_prefix: str = "/") -> list[InstanceProfile]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM instance_profiles WHERE account_id = $1 AND starts_with(path, $2)",
        account_id,
        path_prefix,
    )
    return [_profile(row) for row in rows]


async def of_role(db: Executor, role_id: str) -> list[InstanceProfile]:
    rows = await db.fetch(
        f"SELECT {', '.join('p.' + c for c in _COLUMNS.split(', '))} FROM instance_profiles p"
        " JOIN instance_profile_roles r ON r.profile_id = p.profile_id WHERE r.role_id = $1",
        role_id,
    )
    return [_profile(row) for row in rows]


async def role_ids(db: Executor, profile_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT role_id FROM instance_profile_roles WHERE profile_id = $1 ORDER BY added_at",
        profile_id,
    )
    return [row["role_id"] for row in rows]


async def add_role(db: Executor, profile_id: str, role_id: str) -> None:
    await db.execute(
        "INSERT INTO instance_profile_roles (profile_id, role_id) VALUES ($1, $2)",
        profile_id,
        role_id,
    )


async def remove_role(db: Executor, profile_id: str, role_id: str) -> bool:
    status: str = await db.execute(
        "DELETE FROM instance_profile_roles WHERE profile_id = $1 AND role_id = $2",
        profile_id,
        role_id,
    )
    return status != "DELETE 0"


async def set_tags(db: Executor, profile_id: str, tags: list[Tag]) -> None:
    await db.execute(
        "UPDATE instance_profiles SET tags = $2::jsonb WHERE profile_id = $1",
        profile_id,
        tags_to_json(tags),
    )


async def delete(db: Executor, profile_id: str) -> None:
    await db.execute("DELETE FROM instance_profiles WHERE profile_id = $1", profile_id)
