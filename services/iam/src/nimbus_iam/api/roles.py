"""Role operations."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import (
    Handlers,
    check_arn,
    check_document,
    check_name,
    check_path,
    check_path_prefix,
    page_out,
    paging,
    role_out,
    scope_of,
    tag_keys_in,
    tags_in,
    tags_page_out,
)
from nimbus_iam.principals import check_tags
from nimbus_iam.roles import Roles
from nimbus_iam.validation import DESCRIPTION, Checks


def _check_role_fields(checks: Checks, params: Input) -> None:
    checks.string(params.get("Description"), "description", max_len=1000, pattern=DESCRIPTION)
    checks.integer(params.get("MaxSessionDuration"), "maxSessionDuration", 3600, 43200)


class RoleApi:
    def __init__(self, roles: Roles) -> None:
        self._roles = roles

    def handlers(self) -> Handlers:
        return {
            "CreateRole": self.create_role,
            "GetRole": self.get_role,
            "ListRoles": self.list_roles,
            "UpdateRole": self.update_role,
            "UpdateRoleDescription": self.update_role_description,
            "UpdateAssumeRolePolicy": self.update_assume_role_policy,
            "DeleteRole": self.delete_role,
            "TagRole": self.tag_role,
            "UntagRole": self.untag_role,
            "ListRoleTags": self.list_role_tags,
            "PutRolePermissionsBoundary": self.put_role_permissions_boundary,
            "DeleteRolePermissionsBoundary": self.delete_role_permissions_boundary,
        }

    async def create_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        check_path(checks, params)
        check_document(checks, params, "AssumeRolePolicyDocument")
        _check_role_fields(checks, params)
        check_arn(checks, params, "PermissionsBoundary", required=False)
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        role = await self._roles.create_role(
            scope_of(context),
            params["RoleName"],
            params["AssumeRolePolicyDocument"],
            params.get("Path") or "/",
            params.get("Description"),
            params.get("MaxSessionDuration"),
            params.get("PermissionsBoundary"),
            tags,
        )
        return {"Role": role_out(role)}

    async def get_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        checks.done()
        return {"Role": role_out(await self._roles.get_role(scope_of(context), params["RoleName"]))}

    async def list_roles(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_path_prefix(checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._roles.list_roles(
            scope_of(context), params.get("PathPrefix") or "/", marker, max_items
        )
        return page_out(page, "Roles", lambda r: role_out(r, details=False))

    async def update_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        _check_role_fields(checks, params)
        checks.done()
        await self._roles.update_role(
            scope_of(context),
            params["RoleName"],
            params.get("Description"),
            params.get("MaxSessionDuration"),
        )
        return {}

    async def update_role_description(self, context: RequestContext, params: Input) -> Output:
        await self.update_role(
            context, {"RoleName": params.get("RoleName"), "Description": params.get("Description")}
        )
        return {"Role": role_out(await self._roles.get_role(scope_of(context), params["RoleName"]))}

    async def update_assume_role_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        check_document(checks, params, "PolicyDocument")
        checks.done()
        await self._roles.update_assume_role_policy(
            scope_of(context), params["RoleName"], params["PolicyDocument"]
        )
        return {}

    async def delete_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        checks.done()
        await self._roles.delete_role(scope_of(context), params["RoleName"])
        return {}

    async def tag_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        checks.required(params.get("Tags"), "tags")
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        await self._roles.tag_role(scope_of(context), params["RoleName"], tags)
        return {}

    async def untag_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        keys = tag_keys_in(checks, params)
        checks.done()
        await self._roles.untag_role(scope_of(context), params["RoleName"], keys)
        return {}

    async def list_role_tags(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._roles.list_role_tags(
            scope_of(context), params["RoleName"], marker, max_items
        )
        return tags_page_out(page)

    async def put_role_permissions_boundary(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        check_arn(checks, params, "PermissionsBoundary")
        checks.done()
        await self._roles.put_role_permissions_boundary(
            scope_of(context), params["RoleName"], params["PermissionsBoundary"]
        )
        return {}

    async def delete_role_permissions_boundary(
        self, context: RequestContext, params: Input
    ) -> Output:
        checks = Checks()
        check_name(checks, params, "RoleName", 64)
        checks.done()
        await self._roles.delete_role_permissions_boundary(scope_of(context), params["RoleName"])
        return {}
