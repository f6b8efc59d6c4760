"""Login profiles (console passwords) of IAM users: one method per AWS operation."""

from __future__ import annotations

import base64
import hashlib
import secrets

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import account_store, entity_events, principals
from nimbus_iam.account_store import LoginProfile
from nimbus_iam.entity_models import Kind, Principal
from nimbus_iam.iam_errors import already_exists, no_such_entity
from nimbus_iam.scope import Scope

_ITERATIONS = 100_000
# AWS's default password policy (no account policy set): 8 to 128 characters, at least three
# of uppercase, lowercase, digits and symbols, and not the account's name or email.
MIN_LENGTH = 8


def _violation() -> AwsError:
    return AwsError(
        "PasswordPolicyViolation", "Password does not conform to the account password policy.", 400
    )


def check_password(password: str, user_name: str) -> None:
    """AWS's default password policy."""
    kinds = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if len(password) < MIN_LENGTH or sum(kinds) < 3 or password.lower() == user_name.lower():
        raise _violation()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)
    encoded = base64.b64encode(salt + digest).decode()
    return f"pbkdf2-sha256${_ITERATIONS}${encoded}"


def _missing(name: str) -> AwsError:
    return no_such_entity(f"Login Profile for User {name} cannot be found.")


class LoginProfiles:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _changed(
        self, conn: asyncpg.Connection, scope: Scope, user: Principal, what: str
    ) -> None:
        await entity_events.emit(
            conn,
            f"LoginProfile{what}",
            account_id=scope.account_id,
            region=scope.region,
            principal_arns=[user.arn],
        )

    async def create_login_profile(
        self, scope: Scope, name: str, password: str, reset_required: bool
    ) -> tuple[Principal, LoginProfile]:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            check_password(password, user.name)
            profile = await account_store.insert_login_profile(
                conn, user.principal_id, hash_password(password), reset_required
            )
            if profile is None:
                raise already_exists(f"Login Profile for user {user.name} already exists.")
            await self._changed(conn, scope, user, "Created")
            return user, profile

    async def get_login_profile(self, scope: Scope, name: str) -> tuple[Principal, LoginProfile]:
        user = await principals.find(self._pool, scope, Kind.USER, name)
        profile = await account_store.get_login_profile(self._pool, user.principal_id)
        if profile is None:
            raise _missing(user.name)
        return user, profile

    async def update_login_profile(
        self, scope: Scope, name: str, password: str | None, reset_required: bool | None
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            if password is not None:
                check_password(password, user.name)
            hashed = hash_password(password) if password is not None else None
            if not await account_store.update_login_profile(
                conn, user.principal_id, hashed, reset_required
            ):
                raise _missing(user.name)
            await self._changed(conn, scope, user, "Updated")

    async def delete_login_profile(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            user = await principals.find(conn, scope, Kind.USER, name, lock=True)
            if not await account_store.delete_login_profile(conn, user.principal_id):
                raise _missing(user.name)
            await self._changed(conn, scope, user, "Deleted")
