"""Group and membership operations."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import (
    Handlers,
    check_name,
    check_path,
    check_path_prefix,
    group_out,
    page_out,
    paging,
    scope_of,
    user_out,
)
from nimbus_iam.groups import Groups
from nimbus_iam.validation import Checks


class GroupApi:
    def __init__(self, groups: Groups) -> None:
        self._groups = groups

    def handlers(self) -> Handlers:
        return {
            "CreateGroup": self.create_group,
            "GetGroup": self.get_group,
            "ListGroups": self.list_groups,
            "UpdateGroup": self.update_group,
            "DeleteGroup": self.delete_group,
            "AddUserToGroup": self.add_user_to_group,
            "RemoveUserFromGroup": self.remove_user_from_group,
            "ListGroupsForUser": self.list_groups_for_user,
        }

    async def create_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        check_path(checks, params)
        checks.done()
        group = await self._groups.create_group(
            scope_of(context), params["GroupName"], params.get("Path") or "/"
        )
        return {"Group": group_out(group)}

    async def get_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        marker, max_items = paging(checks, params)
        checks.done()
        group, page = await self._groups.get_group(
            scope_of(context), params["GroupName"], marker, max_items
        )
        output = page_out(page, "Users", lambda u: user_out(u, details=False))
        output["Group"] = group_out(group)
        return output

    async def list_groups(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_path_prefix(checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._groups.list_groups(
            scope_of(context), params.get("PathPrefix") or "/", marker, max_items
        )
        return page_out(page, "Groups", group_out)

    async def update_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        check_name(checks, params, "NewGroupName", 128, required=False)
        check_path(checks, params, "NewPath")
        checks.done()
        await self._groups.update_group(
            scope_of(context),
            params["GroupName"],
            params.get("NewGroupName"),
            params.get("NewPath"),
        )
        return {}

    async def delete_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        checks.done()
        await self._groups.delete_group(scope_of(context), params["GroupName"])
        return {}

    async def add_user_to_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        check_name(checks, params, "UserName", 128)
        checks.done()
        await self._groups.add_user_to_group(
            scope_of(context), params["GroupName"], params["UserName"]
        )
        return {}

    async def remove_user_from_group(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "GroupName", 128)
        check_name(checks, params, "UserName", 128)
        checks.done()
        await self._groups.remove_user_from_group(
            scope_of(context), params["GroupName"], params["UserName"]
        )
        return {}

    async def list_groups_for_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._groups.list_groups_for_user(
            scope_of(context), params["UserName"], marker, max_items
        )
        return page_out(page, "Groups", group_out)
