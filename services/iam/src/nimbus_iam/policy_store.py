"""SQL for customer managed policies, their versions, attachments and inline policies.

Every function runs on the connection it is given; callers own the transaction.
"""

from __future__ import annotations

from typing import Any

from nimbus_iam.entity_models import ManagedPolicy, PolicyVersion, Tag
from nimbus_iam.principal_store import tags_from_json, tags_to_json
from nimbus_iam.store import Executor

_POLICY_COLUMNS = """
p.policy_id, p.account_id, p.name, p.path, p.arn, p.description, p.default_version,
p.tags, p.created_at, p.updated_at,
(SELECT count(*) FROM policy_attachments a WHERE a.policy_arn = p.arn) AS attachments,
(SELECT count(*) FROM principals b WHERE b.permissions_boundary_arn = p.arn) AS boundaries
"""


def _policy(row: Any) -> ManagedPolicy:
    return ManagedPolicy(
        policy_id=row["policy_id"],
        account_id=row["account_id"],
        name=row["name"],
        path=row["path"],
        arn=row["arn"],
        default_version=row["default_version"],
        created=row["created_at"],
        updated=row["updated_at"],
        description=row["description"],
        tags=tags_from_json(row["tags"]),
        attachment_count=int(row["attachments"]),
        boundary_usage_count=int(row["boundaries"]),
    )


async def insert_policy(db: Executor, policy: ManagedPolicy, document: str) -> bool:
    """Insert the policy and its v1; False if the name (any case) is taken."""
    row = await db.fetchrow(
        "INSERT INTO managed_policies (policy_id, account_id, name, path, arn, description,"
        " tags) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT DO NOTHING"
        " RETURNING policy_id",
        policy.policy_id,
        policy.account_id,
        policy.name,
        policy.path,
        policy.arn,
        policy.description,
        tags_to_json(policy.tags),
    )
    if row is None:
        return False
    await db.execute(
        "INSERT INTO policy_versions (policy_id, version, document) VALUES ($1, 1, $2)",
        policy.policy_id,
        document,
    )
    return True


async def get_policy(db: Executor, arn: str, *, lock: bool = False) -> ManagedPolicy | None:
    row = await db.fetchrow(
        f"SELECT {_POLICY_COLUMNS} FROM managed_policies p WHERE p.arn = $1"
        + (" FOR UPDATE OF p" if lock else ""),
        arn,
    )
    return _policy(row) if row is not None else None


async def list_policies(db: Executor, account_id: str) -> list[ManagedPolicy]:
    rows = await db.fetch(
        f"SELECT {_POLICY_COLUMNS} FROM managed_policies p WHERE p.account_id = $1", account_id
    )
    return [_policy(row) for row in rows]


async def delete_policy(db: Executor, policy_id: str) -> None:
    await db.execute("DELETE FROM managed_policies WHERE policy_id = $1", policy_id)


async def versions(db: Executor, policy_id: str) -> list[PolicyVersion]:
    rows = await db.fetch(
        "SELECT v.version, v.document, v.created_at, v.version = p.default_version AS dflt"
        " FROM policy_versions v JOIN managed_policies p USING (policy_id)"
        " WHERE v.policy_id = $1 ORDER BY v.version DESC",
        policy_id,
    )
    return [PolicyVersion(r["version"], r["document"], r["created_at"], r["dflt"]) for r in rows]


async def add_version(db: Executor, policy_id: str, document: str, set_default: bool) -> int:
    """The new version's number (never a reused one)."""
    number: int = await db.fetchval(
        "UPDATE managed_policies SET next_version = next_version + 1,"
        " default_version = CASE WHEN $2 THEN next_version ELSE default_version END,"
        " updated_at = CASE WHEN $2 THEN now() ELSE updated_at END"
        " WHERE policy_id = $1 RETURNING next_version - 1",
        policy_id,
        set_default,
    )
    await db.execute(
        "INSERT INTO policy_versions (policy_id, version, document) VALUES ($1, $2, $3)",
        policy_id,
        number,
        document,
    )
    return number


async def delete_version(db: Executor, policy_id: str, version: int) -> None:
    await db.execute(
        "DELETE FROM policy_versions WHERE policy_id = $1 AND version = $2", policy_id, version
    )


async def set_default_version(db: Executor, policy_id: str, version: int) -> None:
    await db.execute(
        "UPDATE managed_policies SET default_version = $2, updated_at = now() WHERE policy_id = $1",
        policy_id,
        version,
    )


async def attach(db: Executor, principal_id: str, account_id: str, policy_arn: str) -> bool:
    """False if it was attached already."""
    status = await db.execute(
        "INSERT INTO policy_attachments (principal_id, account_id, policy_arn)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        principal_id,
        account_id,
        policy_arn,
    )
    return bool(status == "INSERT 0 1")


async def detach(db: Executor, principal_id: str, policy_arn: str) -> bool:
    status = await db.execute(
        "DELETE FROM policy_attachments WHERE principal_id = $1 AND policy_arn = $2",
        principal_id,
        policy_arn,
    )
    return bool(status == "DELETE 1")


async def attached_arns(db: Executor, principal_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT policy_arn FROM policy_attachments WHERE principal_id = $1", principal_id
    )
    return [row["policy_arn"] for row in rows]


async def attachment_counts(db: Executor, account_id: str) -> dict[str, int]:
    """Policy ARN -> how many principals of account_id it is attached to."""
    rows = await db.fetch(
        "SELECT policy_arn, count(*) AS n FROM policy_attachments WHERE account_id = $1"
        " GROUP BY policy_arn",
        account_id,
    )
    return {row["policy_arn"]: int(row["n"]) for row in rows}


async def attached_principal_ids(db: Executor, account_id: str, policy_arn: str) -> list[str]:
    rows = await db.fetch(
        "SELECT principal_id FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2",
        account_id,
        policy_arn,
    )
    return [row["principal_id"] for row in rows]


async def put_inline(db: Executor, principal_id: str, name: str, document: str) -> None:
    await db.execute(
        "INSERT INTO inline_policies (principal_id, name, document) VALUES ($1, $2, $3)"
        " ON CONFLICT (principal_id, name) DO UPDATE SET document = excluded.document",
        principal_id,
        name,
        document,
    )


async def get_inline(db: Executor, principal_id: str, name: str) -> str | None:
    value: str | None = await db.fetchval(
        "SELECT document FROM inline_policies WHERE principal_id = $1 AND name = $2",
        principal_id,
        name,
    )
    return value


async def delete_inline(db: Executor, principal_id: str, name: str) -> bool:
    status = await db.execute(
        "DELETE FROM inline_policies WHERE principal_id = $1 AND name = $2", principal_id, name
    )
    return bool(status == "DELETE 1")


async def inline_policies(db: Executor, principal_id: str) -> dict[str, str]:
    """Name -> document of every inline policy of the principal."""
    rows = await db.fetch(
        "SELECT name, document FROM inline_policies WHERE principal_id = $1", principal_id
    )
    return {row["name"]: row["document"] for row in rows}


async def set_policy_tags(db: Executor, policy_id: str, tags: list[Tag]) -> None:
    await db.execute(
        "UPDATE managed_policies SET tags = $2::jsonb WHERE policy_id = $1",
        policy_id,
        tags_to_json(tags),
    )
