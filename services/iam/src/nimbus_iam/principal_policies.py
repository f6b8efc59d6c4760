"""What the gateway's authorizer needs about one principal: its identity policies (inline,
attached managed default versions, and its groups'), its permissions boundary and tags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import asyncpg

from nimbus_iam import aws_managed, policy_store, principal_store
from nimbus_iam.entity_models import Kind, Principal
from nimbus_iam.iam_errors import invalid_input, no_such_entity

_ROOT = re.compile(r"^arn:aws:iam::(\d{12}):root$")
_ENTITY_ARN = re.compile(r"^arn:aws:iam::\d{12}:(user|group|role)/(?:.*/)?([^/]+)$")
_ASSUMED_ROLE = re.compile(r"^arn:aws:sts::(\d{12}):assumed-role/([^/]+)/.+$")


@dataclass(frozen=True)
class EffectivePolicy:
    kind: str  # "inline" or "managed"
    name: str
    document: str
    source_arn: str
    policy_id: str = ""
    policy_arn: str = ""
    version_id: str = ""


@dataclass(frozen=True)
class PrincipalPolicies:
    account_id: str
    principal_arn: str
    principal_type: str
    principal_id: str
    identity_policies: list[EffectivePolicy] = field(default_factory=list)
    permissions_boundary: EffectivePolicy | None = None
    tags: dict[str, str] = field(default_factory=dict)


class PrincipalPolicyReader:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get_principal_policies(self, principal_arn: str) -> PrincipalPolicies:
        """Read in one snapshot (REPEATABLE READ) so a concurrent change is seen whole."""
        root = _ROOT.match(principal_arn)
        if root:
            return PrincipalPolicies(root.group(1), principal_arn, "root", root.group(1))
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            principal = await _principal(conn, principal_arn)
            policies = await _policies_of(conn, principal)
            if principal.kind is Kind.USER:
                for group in await principal_store.groups_of(conn, principal.principal_id):
                    policies += await _policies_of(conn, group)
            boundary = None
            if principal.permissions_boundary_arn:
                boundary = await _managed(conn, principal.permissions_boundary_arn, principal.arn)
            return PrincipalPolicies(
                account_id=principal.account_id,
                principal_arn=principal_arn,
                principal_type=principal.kind.value,
                principal_id=principal.principal_id,
                identity_policies=policies,
                permissions_boundary=boundary,
                tags={t.key: t.value for t in principal.tags},
            )


async def _principal(conn: asyncpg.Connection, arn: str) -> Principal:
    assumed = _ASSUMED_ROLE.match(arn)
    if assumed:
        found = await principal_store.get_by_name(
            conn, assumed.group(1), Kind.ROLE, assumed.group(2)
        )
    else:
        found = await principal_store.get_by_arn(conn, arn)
    if found is None or found.kind is Kind.GROUP:
        raise no_such_entity(f"The principal {arn} cannot be found.")
    return found


async def _policies_of(conn: asyncpg.Connection, principal: Principal) -> list[EffectivePolicy]:
    inline = await policy_store.inline_policies(conn, principal.principal_id)
    found = [
        EffectivePolicy("inline", name, document, principal.arn)
        for name, document in sorted(inline.items())
    ]
    for arn in sorted(await policy_store.attached_arns(conn, principal.principal_id)):
        managed = await _managed(conn, arn, principal.arn)
        if managed is not None:
            found.append(managed)
    return found


async def _managed(conn: asyncpg.Connection, arn: str, source_arn: str) -> EffectivePolicy | None:
    if aws_managed.is_aws_managed(arn):
        policy = aws_managed.get(arn)
        version = aws_managed.default_version(arn)
        if policy is None or version is None:
            return None
        return EffectivePolicy(
            "managed",
            policy.name,
            version.document,
            source_arn,
            policy.policy_id,
            arn,
            version.version_id,
        )
    customer = await policy_store.get_policy(conn, arn)
    if customer is None:
        return None
    default = next(v for v in await policy_store.versions(conn, customer.policy_id) if v.is_default)
    return EffectivePolicy(
        "managed",
        customer.name,
        default.document,
        source_arn,
        customer.policy_id,
        arn,
        default.version_id,
    )


async def default_document(conn: asyncpg.Connection, arn: str) -> str | None:
    """The default version's document of a managed policy (AWS or customer), or None."""
    found = await _managed(conn, arn, arn)
    return found.document if found is not None else None


async def simulation_sources(
    pool: asyncpg.Pool, account_id: str, arn: str
) -> tuple[Principal, list[EffectivePolicy], EffectivePolicy | None]:
    """A user's, group's or role's identity policies (a user's groups' too) and boundary, as
    SimulatePrincipalPolicy evaluates them."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        principal = await principal_store.get_by_arn(conn, arn)
        if principal is None or principal.account_id != account_id:
            entity = _ENTITY_ARN.match(arn)
            if entity is None:
                raise invalid_input(f"Invalid ARN: {arn}")
            raise no_such_entity(
                f"The {entity.group(1)} with name {entity.group(2)} cannot be found."
            )
        policies = await _policies_of(conn, principal)
        if principal.kind is Kind.USER:
            for group in await principal_store.groups_of(conn, principal.principal_id):
                policies += await _policies_of(conn, group)
        boundary = None
        if principal.permissions_boundary_arn:
            boundary = await _managed(conn, principal.permissions_boundary_arn, principal.arn)
        return principal, policies, boundary
