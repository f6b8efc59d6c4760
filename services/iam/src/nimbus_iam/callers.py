"""Who is calling STS: the signing key's principal with what trust evaluation needs of it."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from nimbus_policy import Principal

from nimbus_iam import ids, principal_store, store
from nimbus_iam.models import AccessKey, PrincipalType


@dataclass(frozen=True)
class CallerRef:
    """The caller as the gateway authenticated it (RequestContext)."""

    account_id: str
    arn: str
    user_id: str
    access_key_id: str
    source_ip: str = ""


@dataclass(frozen=True)
class Caller:
    arn: str
    account_id: str
    user_id: str
    type: PrincipalType
    # The key the request was signed with, when iam knows it (None in open mode's fallback).
    key: AccessKey | None = None
    # aws:PrincipalTag/...: a user's tags; a session's role tags overlaid by its session tags.
    tags: dict[str, str] = field(default_factory=dict)
    role_arn: str | None = None
    source_ip: str = ""

    @property
    def temporary(self) -> bool:
        return self.key is not None and self.key.temporary

    def principal(self) -> Principal:
        """The policy engine's view of the caller."""
        if self.type is PrincipalType.ROOT:
            return Principal(self.arn, self.account_id, "root", user_id=self.account_id)
        if self.type is PrincipalType.USER:
            name = self.arn.rsplit("/", 1)[-1]
            return Principal(self.arn, self.account_id, "user", self.user_id, name, self.tags)
        if self.type is PrincipalType.ASSUMED_ROLE:
            return Principal(
                self.arn,
                self.account_id,
                "assumed-role",
                self.user_id,
                tags=self.tags,
                role_arn=self.role_arn,
            )
        return Principal(self.arn, self.account_id, "federated", self.user_id)


def _type_of(arn: str) -> PrincipalType:
    resource = arn.split(":", 5)[-1]
    if resource == "root":
        return PrincipalType.ROOT
    if resource.startswith("user/"):
        return PrincipalType.USER
    if resource.startswith("assumed-role/"):
        return PrincipalType.ASSUMED_ROLE
    return PrincipalType.FEDERATED_USER


async def resolve_caller(conn: asyncpg.Connection | asyncpg.Pool, ref: CallerRef) -> Caller:
    """The caller with its key, tags and (for a session) role."""
    arn = ref.arn or ids.root_arn(ref.account_id)
    key = await store.get_access_key(conn, ref.access_key_id) if ref.access_key_id else None
    if key is not None and key.principal_arn != arn:
        key = None
    kind = key.principal_type if key is not None else _type_of(arn)
    user_id = ref.user_id or (ref.account_id if kind is PrincipalType.ROOT else "")
    tags: dict[str, str] = {}
    role_arn = None
    if kind is PrincipalType.USER:
        user = await principal_store.get_by_arn(conn, arn)
        tags = {t.key: t.value for t in user.tags} if user is not None else {}
    elif kind is PrincipalType.ASSUMED_ROLE and key is not None and key.session is not None:
        role_arn = key.session.role_arn
        role = await principal_store.get_by_arn(conn, role_arn) if role_arn else None
        tags = {t.key: t.value for t in role.tags} if role is not None else {}
        tags.update(key.session.tags)
    return Caller(arn, ref.account_id, user_id, kind, key, tags, role_arn, ref.source_ip)
