"""Instance profiles: a container for (at most) one role: one method per AWS operation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import entity_events, ids, instance_profile_store, principal_store, principals
from nimbus_iam.entity_models import Kind, Principal, Tag
from nimbus_iam.iam_errors import already_exists, delete_conflict, limit_exceeded, no_such_entity
from nimbus_iam.instance_profile_store import InstanceProfile
from nimbus_iam.pagination import Page, paginate
from nimbus_iam.scope import Scope

INSTANCE_PROFILE_ID_PREFIX = "AIPA"
MAX_ROLES = 1
_ATTEMPTS = 8

ProfileWithRoles = tuple[InstanceProfile, list[Principal]]


def profile_not_found(name: str) -> AwsError:
    return no_such_entity(f"Instance Profile {name} cannot be found.")


async def find(
    conn: asyncpg.Connection | asyncpg.Pool, scope: Scope, name: str, *, lock: bool = False
) -> InstanceProfile:
    profile = await instance_profile_store.get_by_name(conn, scope.account_id, name, lock=lock)
    if profile is None:
        raise profile_not_found(name)
    return profile


async def roles_of(
    conn: asyncpg.Connection | asyncpg.Pool, profile: InstanceProfile
) -> list[Principal]:
    found = []
    for role_id in await instance_profile_store.role_ids(conn, profile.profile_id):
        role = await principal_store.get_by_id(conn, role_id)
        if role is not None:
            found.append(role)
    return found


async def _changed(
    conn: asyncpg.Connection,
    scope: Scope,
    detail_type: str,
    profile: InstanceProfile,
    roles: Sequence[Principal] = (),
) -> None:
    await entity_events.emit(
        conn,
        detail_type,
        account_id=scope.account_id,
        region=scope.region,
        principal_arns=[*(r.arn for r in roles), profile.arn],
        detail={"instanceProfileArn": profile.arn},
    )


class InstanceProfiles:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_instance_profile(
        self, scope: Scope, name: str, path: str = "/", tags: Sequence[Tag] = ()
    ) -> InstanceProfile:
        async with self._pool.acquire() as conn, conn.transaction():
            for _ in range(_ATTEMPTS):
                candidate = InstanceProfile(
                    profile_id=ids.new_unique_id(INSTANCE_PROFILE_ID_PREFIX),
                    account_id=scope.account_id,
                    name=name,
                    path=path,
                    arn=ids.entity_arn(scope.account_id, "instance-profile", path, name),
                    created=datetime.now(UTC),
                    tags=principals.merge_tags([], tags),
                )
                created = await instance_profile_store.insert(conn, candidate)
                if created is not None:
                    await _changed(conn, scope, "InstanceProfileCreated", created)
                    return created
                if await instance_profile_store.get_by_name(conn, scope.account_id, name):
                    raise already_exists(f"Instance Profile {name} already exists.")
            raise RuntimeError("no free unique id found")

    async def get_instance_profile(self, scope: Scope, name: str) -> ProfileWithRoles:
        profile = await find(self._pool, scope, name)
        return profile, await roles_of(self._pool, profile)

    async def list_instance_profiles(
        self,
        scope: Scope,
        path_prefix: str = "/",
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Page[ProfileWithRoles]:
        profiles = await instance_profile_store.list_all(self._pool, scope.account_id, path_prefix)
        page = paginate(profiles, lambda p: p.name.lower(), marker, max_items)
        items = [(p, await roles_of(self._pool, p)) for p in page.items]
        return Page(items, page.marker)

    async def list_instance_profiles_for_role(
        self, scope: Scope, role_name: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[ProfileWithRoles]:
        role = await principals.find(self._pool, scope, Kind.ROLE, role_name)
        profiles = await instance_profile_store.of_role(self._pool, role.principal_id)
        page = paginate(profiles, lambda p: p.name.lower(), marker, max_items)
        items = [(p, await roles_of(self._pool, p)) for p in page.items]
        return Page(items, page.marker)

    async def delete_instance_profile(self, scope: Scope, name: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            profile = await find(conn, scope, name, lock=True)
            if await instance_profile_store.role_ids(conn, profile.profile_id):
                raise delete_conflict(
                    "Cannot delete entity, must remove roles from instance profile first."
                )
            await instance_profile_store.delete(conn, profile.profile_id)
            await _changed(conn, scope, "InstanceProfileDeleted", profile)

    async def add_role_to_instance_profile(
        self, scope: Scope, profile_name: str, role_name: str
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            profile = await find(conn, scope, profile_name, lock=True)
            role = await principals.find(conn, scope, Kind.ROLE, role_name, lock=True)
            current = await instance_profile_store.role_ids(conn, profile.profile_id)
            if len(current) >= MAX_ROLES:
                raise limit_exceeded(
                    f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES}"
                )
            await instance_profile_store.add_role(conn, profile.profile_id, role.principal_id)
            await _changed(conn, scope, "InstanceProfileRoleAdded", profile, [role])

    async def remove_role_from_instance_profile(
        self, scope: Scope, profile_name: str, role_name: str
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            profile = await find(conn, scope, profile_name, lock=True)
            role = await principals.find(conn, scope, Kind.ROLE, role_name)
            if not await instance_profile_store.remove_role(
                conn, profile.profile_id, role.principal_id
            ):
                raise no_such_entity(
                    f"Role {role.name} in Instance Profile {profile.name} cannot be found."
                )
            await _changed(conn, scope, "InstanceProfileRoleRemoved", profile, [role])

    async def tag_instance_profile(self, scope: Scope, name: str, tags: Sequence[Tag]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            profile = await find(conn, scope, name, lock=True)
            merged = principals.merge_tags(profile.tags, tags)
            await instance_profile_store.set_tags(conn, profile.profile_id, merged)
            await _changed(conn, scope, "InstanceProfileTagsChanged", profile)

    async def untag_instance_profile(self, scope: Scope, name: str, keys: Sequence[str]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            profile = await find(conn, scope, name, lock=True)
            kept = principals.without_tags(profile.tags, keys)
            await instance_profile_store.set_tags(conn, profile.profile_id, kept)
            await _changed(conn, scope, "InstanceProfileTagsChanged", profile)

    async def list_instance_profile_tags(
        self, scope: Scope, name: str, marker: str | None = None, max_items: int | None = None
    ) -> Page[Tag]:
        profile = await find(self._pool, scope, name)
        return principals.tag_page(profile.tags, marker, max_items)
