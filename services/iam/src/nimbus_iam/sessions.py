"""STS temporary credentials: GetSessionToken and AssumeRole.

A session is an ASIA... key with a random session token and an expiry, stored in
access_keys like any key (so ResolveAccessKey serves it) and announced with AccessKeyChanged.
An assumed-role session also keeps its role, its session policy documents (the inline Policy
and the PolicyArns' default versions, resolved when the role is assumed), its session tags
and its source identity.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
from nimbus_policy import ContextValue, MalformedPolicyDocument, Policy, PolicyKind, parse_policy

from nimbus_iam import credential_events, ids, principal_policies, principal_store, store
from nimbus_iam.callers import Caller, CallerRef, resolve_caller
from nimbus_iam.entity_models import Kind, Principal
from nimbus_iam.iam_errors import (
    access_denied,
    invalid_parameter_value,
    malformed_policy,
    packed_policy_too_large,
    validation_error,
)
from nimbus_iam.models import AccessKey, PrincipalType, SessionDetails
from nimbus_iam.principal_policies import PrincipalPolicyReader
from nimbus_iam.trust import CallerPolicies, trust_denies

GET_SESSION_TOKEN_DEFAULT = 43200
ROOT_SESSION_MAX = 3600
ASSUME_ROLE_DEFAULT = 3600
ROLE_CHAINING_MAX = 3600
# Budget of the packed (compressed) session policies and tags; PackedPolicySize is a percentage.
PACKED_BUDGET_BYTES = 1024
_ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?[\w+=,.@-]+$", re.ASCII)
# What a session keeps when none of its PolicyArns exists any more: it allows nothing.
_NOTHING = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'
_ATTEMPTS = 8


@dataclass(frozen=True)
class AssumeRoleInput:
    role_arn: str
    session_name: str
    duration: int | None = None
    external_id: str | None = None
    policy: str | None = None
    policy_arns: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: Sequence[str] = ()
    source_identity: str | None = None


@dataclass(frozen=True)
class AssumedRole:
    key: AccessKey
    role: Principal
    # Percentage of the packed budget, when session policies or tags were passed.
    packed_policy_size: int | None


def _expiry(seconds: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)


def not_authorized(caller: Caller, action: str, role_arn: str) -> Exception:
    return access_denied(
        f"User: {caller.arn} is not authorized to perform: {action} on resource: {role_arn}"
    )


def _packed_size(request: AssumeRoleInput) -> int | None:
    """The packed size's percentage of the budget; None when nothing was passed."""
    if request.policy is None and not request.policy_arns and not request.tags:
        return None
    packed = json.dumps(
        {
            "p": "".join((request.policy or "").split()),
            "a": list(request.policy_arns),
            "t": dict(request.tags),
        },
        separators=(",", ":"),
    ).encode()
    return math.ceil(100 * len(zlib.compress(packed, 9)) / PACKED_BUDGET_BYTES)


def _check_inline_policy(document: str | None) -> None:
    if document is None:
        return
    try:
        parse_policy(document, "session")
    except MalformedPolicyDocument as exc:
        raise malformed_policy(exc.message) from None


def _session_tags(caller: Caller, request: AssumeRoleInput) -> tuple[dict[str, str], list[str]]:
    """Tags and transitive keys of the new session: the caller's transitive tags (role
    chaining) and the request's; a request may not override an inherited one."""
    inherited: dict[str, str] = {}
    keys: list[str] = []
    if caller.key is not None and caller.key.session is not None:
        session = caller.key.session
        keys = list(session.transitive_tag_keys)
        inherited = {k: v for k, v in session.tags.items() if k in keys}
    lowered = {k.lower() for k in inherited}
    if len({k.lower() for k in request.tags}) != len(request.tags):
        raise invalid_parameter_value(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    clash = [k for k in request.tags if k.lower() in lowered]
    if clash:
        raise invalid_parameter_value(
            f"Cannot override the transitive session tag with key: {clash[0]}"
        )
    for key in request.transitive_tag_keys:
        if key not in request.tags:
            raise invalid_parameter_value(
                f"The transitive tag key {key} is not among the session tags."
            )
        if key not in keys:
            keys.append(key)
    return {**inherited, **request.tags}, keys


def _trust_context(caller: Caller, request: AssumeRoleInput) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {"sts:RoleSessionName": request.session_name}
    if caller.source_ip:
        context["aws:SourceIp"] = caller.source_ip
    if request.external_id is not None:
        context["sts:ExternalId"] = request.external_id
    if request.source_identity is not None:
        context["sts:SourceIdentity"] = request.source_identity
    if request.tags:
        context["aws:TagKeys"] = list(request.tags)
        for key, value in request.tags.items():
            context[f"aws:RequestTag/{key}"] = value
    if request.transitive_tag_keys:
        context["sts:TransitiveTagKeys"] = list(request.transitive_tag_keys)
    return context


class Sessions:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._reader = PrincipalPolicyReader(pool)

    async def caller(self, ref: CallerRef) -> Caller:
        return await resolve_caller(self._pool, ref)

    async def _insert(
        self,
        conn: asyncpg.Connection,
        region: str,
        *,
        account_id: str,
        principal_type: PrincipalType,
        principal_arn: str,
        user_id: str,
        seconds: int,
        session: SessionDetails,
    ) -> AccessKey:
        for _ in range(_ATTEMPTS):
            key = await store.insert_access_key(
                conn,
                access_key_id=ids.new_access_key_id(temporary=True),
                secret_access_key=ids.new_secret_access_key(),
                account_id=account_id,
                principal_type=principal_type,
                principal_arn=principal_arn,
                user_id=user_id,
                session_token=ids.new_session_token(),
                expiration=_expiry(seconds),
                session=session,
            )
            if key is not None:
                await credential_events.emit(conn, key, credential_events.Change.CREATED, region)
                return key
        raise RuntimeError("no free access key id found")

    async def _caller_policies(self, caller: Caller) -> CallerPolicies:
        """The caller's identity policies, boundary and session policies, parsed.

        A stored document that no longer parses is skipped (it can only narrow nothing).
        """
        found = await self._reader.get_principal_policies(caller.arn)
        identity = [p for e in found.identity_policies if (p := _parsed(e.document, "identity"))]
        boundary = (
            _parsed(found.permissions_boundary.document, "boundary")
            if found.permissions_boundary
            else None
        )
        session = None
        if (
            caller.key is not None
            and caller.key.session is not None
            and caller.key.session.policies
        ):
            session = [p for d in caller.key.session.policies if (p := _parsed(d, "session"))]
        return CallerPolicies(identity, boundary, session)

    async def get_session_token(
        self, caller: Caller, region: str, duration: int | None
    ) -> AccessKey:
        """Temporary credentials of the caller itself; root's last at most an hour."""
        if caller.temporary:
            raise access_denied("Cannot call GetSessionToken with session credentials")
        seconds = duration or GET_SESSION_TOKEN_DEFAULT
        if caller.type is PrincipalType.ROOT:
            seconds = min(seconds, ROOT_SESSION_MAX)
        async with self._pool.acquire() as conn, conn.transaction():
            return await self._insert(
                conn,
                region,
                account_id=caller.account_id,
                principal_type=caller.type,
                principal_arn=caller.arn,
                user_id=caller.user_id,
                seconds=seconds,
                session=SessionDetails(),
            )

    async def assume_role(
        self, caller: Caller, region: str, request: AssumeRoleInput
    ) -> AssumedRole:
        """A role session, if the role's trust policy allows the caller (AccessDenied for an
        unknown role too, as AWS answers)."""
        found = _ROLE_ARN.match(request.role_arn)
        async with self._pool.acquire() as conn, conn.transaction():
            role = await principal_store.get_by_arn(conn, request.role_arn) if found else None
            if role is None or role.kind is not Kind.ROLE or not role.assume_role_policy:
                raise not_authorized(caller, "sts:AssumeRole", request.role_arn)
            actions = ["sts:AssumeRole"]
            if request.tags:
                actions.append("sts:TagSession")
            if request.source_identity is not None:
                actions.append("sts:SetSourceIdentity")
            refused = trust_denies(
                role.assume_role_policy,
                caller.principal(),
                role.arn,
                role.account_id,
                actions,
                _trust_context(caller, request),
                await self._caller_policies(caller),
            )
            if refused is not None:
                raise not_authorized(caller, refused, request.role_arn)
            seconds = self._duration(caller, role, request.duration)
            _check_inline_policy(request.policy)
            packed = _packed_size(request)
            if packed is not None and packed > 100:
                raise packed_policy_too_large(packed)
            tags, transitive = _session_tags(caller, request)
            source_identity = request.source_identity
            if caller.key is not None and caller.key.session is not None:
                source_identity = caller.key.session.source_identity or source_identity
            session = SessionDetails(
                role_arn=role.arn,
                policies=await self._session_policies(conn, request),
                tags=tags,
                transitive_tag_keys=tuple(transitive),
                source_identity=source_identity,
            )
            key = await self._insert(
                conn,
                region,
                account_id=role.account_id,
                principal_type=PrincipalType.ASSUMED_ROLE,
                principal_arn=ids.assumed_role_arn(
                    role.account_id, role.name, request.session_name
                ),
                user_id=f"{role.principal_id}:{request.session_name}",
                seconds=seconds,
                session=session,
            )
        return AssumedRole(key, role, packed)

    @staticmethod
    def _duration(caller: Caller, role: Principal, requested: int | None) -> int:
        seconds = requested or ASSUME_ROLE_DEFAULT
        if caller.type is PrincipalType.ASSUMED_ROLE and seconds > ROLE_CHAINING_MAX:
            raise validation_error(
                "The requested DurationSeconds exceeds the 1 hour session limit"
                " for roles assumed by role chaining."
            )
        if seconds > (role.max_session_duration or ASSUME_ROLE_DEFAULT):
            raise validation_error(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        return seconds

    @staticmethod
    async def _session_policies(
        conn: asyncpg.Connection, request: AssumeRoleInput
    ) -> tuple[str, ...]:
        documents = [request.policy] if request.policy is not None else []
        resolved = 0
        for arn in request.policy_arns:
            document = await principal_policies.default_document(conn, arn)
            if document is not None:
                documents.append(document)
                resolved += 1
        if request.policy_arns and not resolved and request.policy is None:
            documents.append(_NOTHING)
        return tuple(documents)

    async def access_key_account(self, access_key_id: str) -> str | None:
        key = await store.get_access_key(self._pool, access_key_id)
        return key.account_id if key is not None else None

    async def delete_long_expired(self, seconds: float) -> int:
        """Forget temporary keys expired more than seconds ago (no cache can hold them)."""
        return await store.delete_expired_access_keys(self._pool, seconds)


def _parsed(document: str, kind: PolicyKind) -> Policy | None:
    try:
        return parse_policy(document, kind)
    except MalformedPolicyDocument:
        return None
