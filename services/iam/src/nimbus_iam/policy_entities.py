"""ListEntitiesForPolicy: the users, groups and roles a managed policy is attached to or bounds."""

from __future__ import annotations

import asyncpg

from nimbus_iam import policy_store, principal_store
from nimbus_iam.entity_models import Principal
from nimbus_iam.managed_policies import find_policy
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope

_FILTER_KIND = {"User": "user", "Group": "group", "Role": "role"}


class PolicyEntities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def list_entities_for_policy(
        self,
        scope: Scope,
        arn: str,
        entity_filter: str | None = None,
        path_prefix: str = "/",
        usage_filter: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[Principal]:
        """One page over groups, then users, then roles (AWS pages them together)."""
        await find_policy(self._pool, scope, arn)
        found: dict[str, Principal] = {}
        if usage_filter in (None, "PermissionsPolicy"):
            for principal_id in await policy_store.attached_principal_ids(
                self._pool, scope.account_id, arn
            ):
                principal = await principal_store.get_by_id(self._pool, principal_id)
                if principal is not None:
                    found[principal.principal_id] = principal
        if usage_filter in (None, "PermissionsBoundary"):
            for principal in await principal_store.with_boundary(self._pool, scope.account_id, arn):
                found[principal.principal_id] = principal
        wanted = _FILTER_KIND.get(entity_filter or "")
        if entity_filter and wanted is None:
            return Page([], None)
        chosen = [
            p
            for p in found.values()
            if p.path.startswith(path_prefix) and (wanted is None or p.kind.value == wanted)
        ]
        order = {"group": "0", "user": "1", "role": "2"}
        return paginate(
            chosen, lambda p: f"{order[p.kind.value]}{p.name.lower()}", marker, max_items
        )
