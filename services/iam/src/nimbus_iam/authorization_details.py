"""GetAccountAuthorizationDetails: every user, group, role and managed policy in use, with
their policies, in one paged listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from nimbus_iam import aws_managed, instance_profile_store, policy_store, principal_store
from nimbus_iam.entity_models import Kind, ManagedPolicy, PolicyVersion, Principal
from nimbus_iam.instance_profiles import ProfileWithRoles, roles_of
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope

FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
_ORDER = {
    "User": "0",
    "Group": "1",
    "Role": "2",
    "LocalManagedPolicy": "3",
    "AWSManagedPolicy": "4",
}


@dataclass(frozen=True)
class PrincipalDetail:
    principal: Principal
    inline: dict[str, str]
    attached: list[str]
    groups: list[str] = field(default_factory=list)
    instance_profiles: list[ProfileWithRoles] = field(default_factory=list)


@dataclass(frozen=True)
class PolicyDetail:
    policy: ManagedPolicy
    versions: list[PolicyVersion]


Detail = PrincipalDetail | PolicyDetail


def policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class AuthorizationDetails:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get_account_authorization_details(
        self,
        scope: Scope,
        filters: Sequence[str] = (),
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[Detail]:
        wanted = set(filters or FILTERS)
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            entries: list[tuple[str, Principal | ManagedPolicy]] = []
            for kind, label in ((Kind.USER, "User"), (Kind.GROUP, "Group"), (Kind.ROLE, "Role")):
                if label in wanted:
                    for p in await principal_store.list_all(conn, scope.account_id, kind):
                        entries.append((label, p))
            if "LocalManagedPolicy" in wanted:
                for policy in await policy_store.list_policies(conn, scope.account_id):
                    entries.append(("LocalManagedPolicy", policy))
            if "AWSManagedPolicy" in wanted:
                counts = await policy_store.attachment_counts(conn, scope.account_id)
                for policy in aws_managed.all_policies(counts):
                    if policy.attachment_count:
                        entries.append(("AWSManagedPolicy", policy))
            page = paginate(
                entries,
                lambda e: f"{_ORDER[e[0]]}{e[1].name.lower()} {e[1].arn}",
                marker,
                max_items,
            )
            return Page([await self._detail(conn, item) for _, item in page.items], page.marker)

    async def _detail(self, conn: asyncpg.Connection, item: Principal | ManagedPolicy) -> Detail:
        if isinstance(item, ManagedPolicy):
            if aws_managed.is_aws_managed(item.arn):
                version = aws_managed.default_version(item.arn)
                return PolicyDetail(item, [version] if version else [])
            return PolicyDetail(item, await policy_store.versions(conn, item.policy_id))
        inline = await policy_store.inline_policies(conn, item.principal_id)
        attached = sorted(await policy_store.attached_arns(conn, item.principal_id))
        if item.kind is Kind.USER:
            groups = [g.name for g in await principal_store.groups_of(conn, item.principal_id)]
            return PrincipalDetail(item, inline, attached, groups=groups)
        if item.kind is Kind.ROLE:
            profiles = [
                (p, await roles_of(conn, p))
                for p in await instance_profile_store.of_role(conn, item.principal_id)
            ]
            return PrincipalDetail(item, inline, attached, instance_profiles=profiles)
        return PrincipalDetail(item, inline, attached)
