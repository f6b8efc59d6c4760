"""SQL for login profiles and account aliases; callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nimbus_iam.store import Executor


@dataclass(frozen=True)
class LoginProfile:
    user_id: str
    password_hash: str
    reset_required: bool
    created: datetime


async def insert_login_profile(
    db: Executor, user_id: str, password_hash: str, reset_required: bool
) -> LoginProfile | None:
    """None if the user already has one."""
    row = await db.fetchrow(
        "INSERT INTO login_profiles (user_id, password_hash, password_reset_required)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING created_at",
        user_id,
        password_hash,
        reset_required,
    )
    if row is None:
        return None
    return LoginProfile(user_id, password_hash, reset_required, row["created_at"])


async def get_login_profile(db: Executor, user_id: str) -> LoginProfile | None:
    row = await db.fetchrow(
        "SELECT password_hash, password_reset_required, created_at FROM login_profiles"
        " WHERE user_id = $1",
        user_id,
    )
    if row is None:
        return None
    return LoginProfile(
        user_id, row["password_hash"], row["password_reset_required"], row["created_at"]
    )


async def update_login_profile(
    db: Executor, user_id: str, password_hash: str | None, reset_required: bool | None
) -> bool:
    """False if the user has none; None leaves a field as it is."""
    status: str = await db.execute(
        "UPDATE login_profiles SET password_hash = coalesce($2, password_hash),"
        " password_reset_required = coalesce($3, password_reset_required) WHERE user_id = $1",
        user_id,
        password_hash,
        reset_required,
    )
    return status != "UPDATE 0"


async def delete_login_profile(db: Executor, user_id: str) -> bool:
    status: str = await db.execute("DELETE FROM login_profiles WHERE user_id = $1", user_id)
    return status != "DELETE 0"


async def count_login_profiles(db: Executor, account_id: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM login_profiles l JOIN principals p ON p.principal_id = l.user_id"
        " WHERE p.account_id = $1",
        account_id,
    )
    return count


async def insert_alias(db: Executor, account_id: str, alias: str) -> bool:
    """False if the alias is taken (by any account)."""
    row = await db.fetchrow(
        "INSERT INTO account_aliases (account_id, alias) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING alias",
        account_id,
        alias,
    )
    return row is not None


async def get_alias(db: Executor, account_id: str) -> str | None:
    alias: str | None = await db.fetchval(
        "SELECT alias FROM account_aliases WHERE account_id = $1", account_id
    )
    return alias


async def delete_alias(db: Executor, account_id: str, alias: str) -> bool:
    status: str = await db.execute(
        "DELETE FROM account_aliases WHERE account_id = $1 AND alias = $2", account_id, alias
    )
    return status != "DELETE 0"


async def entity_counts(db: Executor, account_id: str) -> dict[str, int]:
    """What GetAccountSummary counts, by its SummaryMap key."""
    row = await db.fetchrow(
        "SELECT"
        " (SELECT count(*) FROM principals WHERE account_id = $1 AND kind = 'user') AS users,"
        " (SELECT count(*) FROM principals WHERE account_id = $1 AND kind = 'group') AS groups,"
        " (SELECT count(*) FROM principals WHERE account_id = $1 AND kind = 'role') AS roles,"
        " (SELECT count(*) FROM managed_policies WHERE account_id = $1) AS policies,"
        " (SELECT count(*) FROM policy_attachments WHERE account_id = $1) AS attachments,"
        " (SELECT count(*) FROM instance_profiles WHERE account_id = $1) AS profiles,"
        " (SELECT count(*) FROM access_keys WHERE account_id = $1 AND principal_type = 'root'"
        "   AND session_token IS NULL) AS root_keys",
        account_id,
    )
    return {
        "Users": int(row["users"]),
        "Groups": int(row["groups"]),
        "Roles": int(row["roles"]),
        "Policies": int(row["policies"]),
        # AWS counts managed policy attachments (AWS managed ones too) against this quota.
        "PolicyVersionsInUse": int(row["attachments"]),
        "InstanceProfiles": int(row["profiles"]),
        "AccountAccessKeysPresent": 1 if int(row["root_keys"]) else 0,
    }
