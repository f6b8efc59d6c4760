"""SQL for accounts and access keys; every function runs on the connection it is given.

Callers own the transaction, so a change and its outbox event commit together.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

from nimbus_iam.models import AccessKey, Account, KeyStatus, PrincipalType, SessionDetails

# A pool or a connection: both have fetch, fetchrow, fetchval and execute.
Executor: TypeAlias = asyncpg.Pool | asyncpg.Connection

_KEY_COLUMNS = """
access_key_id, secret_access_key, account_id, principal_type, principal_arn, user_id,
status, created_at, session_token, expires_at, last_used_at, last_used_service,
last_used_region, role_arn, session_policies, session_tags, transitive_tag_keys,
source_identity
"""


def _account(row: Any) -> Account:
    return Account(row["account_id"], row["name"], row["created_at"])


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def _session(row: Any) -> SessionDetails | None:
    if row["session_token"] is None:
        return None
    return SessionDetails(
        role_arn=row["role_arn"],
        policies=tuple(_json(row["session_policies"]) or ()),
        tags=dict(_json(row["session_tags"]) or {}),
        transitive_tag_keys=tuple(_json(row["transitive_tag_keys"]) or ()),
        source_identity=row["source_identity"],
    )


def _access_key(row: Any) -> AccessKey:
    return AccessKey(
        access_key_id=row["access_key_id"],
        secret_access_key=row["secret_access_key"],
        account_id=row["account_id"],
        principal_type=PrincipalType(row["principal_type"]),
        principal_arn=row["principal_arn"],
        user_id=row["user_id"],
        status=KeyStatus(row["status"]),
        created=row["created_at"],
        session_token=row["session_token"],
        expiration=row["expires_at"],
        last_used_at=row["last_used_at"],
        last_used_service=row["last_used_service"],
        last_used_region=row["last_used_region"],
        session=_session(row),
    )


async def insert_account(db: Executor, account_id: str, name: str) -> Account | None:
    """The new account, or None if the id is taken."""
    row = await db.fetchrow(
        "INSERT INTO accounts (account_id, name) VALUES ($1, $2)"
        " ON CONFLICT (account_id) DO NOTHING RETURNING account_id, name, created_at",
        account_id,
        name,
    )
    return _account(row) if row is not None else None


async def list_accounts(db: Executor) -> list[Account]:
    rows = await db.fetch(
        "SELECT account_id, name, created_at FROM accounts ORDER BY created_at, account_id"
    )
    return [_account(row) for row in rows]


async def insert_access_key(
    db: Executor,
    *,
    access_key_id: str,
    secret_access_key: str,
    account_id: str,
    principal_type: PrincipalType,
    principal_arn: str,
    user_id: str,
    session_token: str | None = None,
    expiration: datetime | None = None,
    session: SessionDetails | None = None,
) -> AccessKey | None:
    """The new key, or None if the id is taken (then nothing was written)."""
    details = session or SessionDetails()
    row = await db.fetchrow(
        "INSERT INTO access_keys (access_key_id, secret_access_key, account_id,"
        " principal_type, principal_arn, user_id, session_token, expires_at, role_arn,"
        " session_policies, session_tags, transitive_tag_keys, source_identity)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13)"
        f" ON CONFLICT (access_key_id) DO NOTHING RETURNING {_KEY_COLUMNS}",
        access_key_id,
        secret_access_key,
        account_id,
        principal_type.value,
        principal_arn,
        user_id,
        session_token,
        expiration,
        details.role_arn,
        json.dumps(list(details.policies)),
        json.dumps(dict(details.tags)),
        json.dumps(list(details.transitive_tag_keys)),
        details.source_identity,
    )
    return _access_key(row) if row is not None else None


async def get_access_key(db: Executor, access_key_id: str) -> AccessKey | None:
    row = await db.fetchrow(
        f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1", access_key_id
    )
    return _access_key(row) if row is not None else None


async def record_use(
    db: Executor, access_key_id: str, service: str, region: str, min_interval_seconds: float
) -> bool:
    """Stamp the key's last use unless one was stamped within min_interval_seconds."""
    status = await db.execute(
        "UPDATE access_keys SET last_used_at = now(), last_used_service = $2,"
        " last_used_region = $3"
        " WHERE access_key_id = $1 AND (last_used_at IS NULL"
        " OR last_used_at < now() - make_interval(secs => $4))",
        access_key_id,
        service,
        region,
        min_interval_seconds,
    )
    return bool(status == "UPDATE 1")


async def get_account(db: Executor, account_id: str) -> Account | None:
    row = await db.fetchrow(
        "SELECT account_id, name, created_at FROM accounts WHERE account_id = $1", account_id
    )
    return _account(row) if row is not None else None


async def list_access_keys(db: Executor, principal_arn: str) -> list[AccessKey]:
    """The principal's long-term keys (STS session keys are not access keys to IAM)."""
    rows = await db.fetch(
        f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE principal_arn = $1"
        " AND expires_at IS NULL ORDER BY created_at",
        principal_arn,
    )
    return [_access_key(row) for row in rows]


async def set_access_key_status(db: Executor, access_key_id: str, status: KeyStatus) -> None:
    await db.execute(
        "UPDATE access_keys SET status = $2 WHERE access_key_id = $1", access_key_id, status.value
    )


async def delete_access_key(db: Executor, access_key_id: str) -> None:
    await db.execute("DELETE FROM access_keys WHERE access_key_id = $1", access_key_id)


async def move_access_keys(db: Executor, old_arn: str, new_arn: str) -> list[AccessKey]:
    """Point a renamed principal's keys at its new ARN; the keys as they are now."""
    rows = await db.fetch(
        f"UPDATE access_keys SET principal_arn = $2 WHERE principal_arn = $1"
        f" RETURNING {_KEY_COLUMNS}",
        old_arn,
        new_arn,
    )
    return [_access_key(row) for row in rows]


async def expire_access_key(db: Executor, access_key_id: str, when: datetime) -> AccessKey | None:
    """Move a temporary key's expiry to when (never a long-term key's); the key, or None."""
    row = await db.fetchrow(
        f"UPDATE access_keys SET expires_at = $2 WHERE access_key_id = $1"
        f" AND expires_at IS NOT NULL RETURNING {_KEY_COLUMNS}",
        access_key_id,
        when,
    )
    return _access_key(row) if row is not None else None


async def delete_expired_access_keys(db: Executor, expired_for_seconds: float) -> int:
    """Delete temporary keys expired more than expired_for_seconds ago; how many."""
    status = await db.execute(
        "DELETE FROM access_keys WHERE expires_at IS NOT NULL"
        " AND expires_at < now() - make_interval(secs => $1)",
        expired_for_seconds,
    )
    return int(status.split()[-1])
