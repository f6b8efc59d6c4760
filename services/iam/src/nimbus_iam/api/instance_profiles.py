"""Instance profile operations."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import (
    Handlers,
    check_name,
    check_path,
    check_path_prefix,
    iso,
    page_out,
    paging,
    role_out,
    scope_of,
    tag_keys_in,
    tags_in,
    tags_out,
    tags_page_out,
)
from nimbus_iam.instance_profiles import InstanceProfiles, ProfileWithRoles
from nimbus_iam.principals import check_tags
from nimbus_iam.validation import Checks


def profile_out(item: ProfileWithRoles, *, details: bool = True) -> Output:
    """botocore's InstanceProfile; its roles as list operations show roles."""
    profile, roles = item
    shape: Output = {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.profile_id,
        "Arn": profile.arn,
        "CreateDate": iso(profile.created),
        "Roles": [role_out(r, details=False) for r in roles],
    }
    if details and profile.tags:
        shape["Tags"] = tags_out(profile.tags)
    return shape


def _check_profile_name(checks: Checks, params: Input) -> None:
    check_name(checks, params, "InstanceProfileName", 128)


class InstanceProfileApi:
    def __init__(self, profiles: InstanceProfiles) -> None:
        self._profiles = profiles

    def handlers(self) -> Handlers:
        return {
            "CreateInstanceProfile": self.create_instance_profile,
            "GetInstanceProfile": self.get_instance_profile,
            "ListInstanceProfiles": self.list_instance_profiles,
            "ListInstanceProfilesForRole": self.list_instance_profiles_for_role,
            "DeleteInstanceProfile": self.delete_instance_profile,
            "AddRoleToInstanceProfile": self.add_role_to_instance_profile,
            "RemoveRoleFromInstanceProfile": self.remove_role_from_instance_profile,
            "TagInstanceProfile": self.tag_instance_profile,
            "UntagInstanceProfile": self.untag_instance_profile,
            "ListInstanceProfileTags": self.list_instance_profile_tags,
        }

    async def create_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        check_path(checks, params)
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        profile = await self._profiles.create_instance_profile(
            scope_of(context), params["InstanceProfileName"], params.get("Path") or "/", tags
        )
        return {"InstanceProfile": profile_out((profile, []))}

    async def get_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        checks.done()
        found = await self._profiles.get_instance_profile(
            scope_of(context), params["InstanceProfileName"]
        )
        return {"InstanceProfile": profile_out(found)}

    async def list_instance_profiles(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_path_prefix(checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._profiles.list_instance_profiles(
            scope_of(context), params.get("PathPrefix") or "/", marker, max_items
        )
        return page_out(page, "InstanceProfiles", lambda p: profile_out(p, details=False))

    async def list_instance_profiles_for_role(
        self, context: RequestContext, params: Input
    ) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._profiles.list_instance_profiles_for_role(
            scope_of(context), params["RoleName"], marker, max_items
        )
        return page_out(page, "InstanceProfiles", lambda p: profile_out(p, details=False))

    async def delete_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        checks.done()
        await self._profiles.delete_instance_profile(
            scope_of(context), params["InstanceProfileName"]
        )
        return {}

    async def add_role_to_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        check_name(checks, params, "RoleName", 64)
        checks.done()
        await self._profiles.add_role_to_instance_profile(
            scope_of(context), params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    async def remove_role_from_instance_profile(
        self, context: RequestContext, params: Input
    ) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        check_name(checks, params, "RoleName", 64)
        checks.done()
        await self._profiles.remove_role_from_instance_profile(
            scope_of(context), params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    async def tag_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        checks.required(params.get("Tags"), "tags")
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        await self._profiles.tag_instance_profile(
            scope_of(context), params["InstanceProfileName"], tags
        )
        return {}

    async def untag_instance_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        keys = tag_keys_in(checks, params)
        checks.done()
        await self._profiles.untag_instance_profile(
            scope_of(context), params["InstanceProfileName"], keys
        )
        return {}

    async def list_instance_profile_tags(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_profile_name(checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._profiles.list_instance_profile_tags(
            scope_of(context), params["InstanceProfileName"], marker, max_items
        )
        return tags_page_out(page)
