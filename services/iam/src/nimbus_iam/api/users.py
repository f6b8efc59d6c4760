"""User and access key operations."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.access_keys import AccessKeys, KeyOwner
from nimbus_iam.api.common import (
    Handlers,
    check_arn,
    check_name,
    check_path,
    check_path_prefix,
    iso,
    page_out,
    paging,
    scope_of,
    tag_keys_in,
    tags_in,
    tags_page_out,
    user_out,
)
from nimbus_iam.iam_errors import invalid_input
from nimbus_iam.models import AccessKey, KeyStatus
from nimbus_iam.principals import check_tags
from nimbus_iam.users import Users
from nimbus_iam.validation import ACCESS_KEY_ID, Checks


def _key_metadata(owner: KeyOwner, key: AccessKey) -> Output:
    shape: Output = {
        "AccessKeyId": key.access_key_id,
        "Status": key.status.value,
        "CreateDate": iso(key.created),
    }
    if owner.user_name:
        shape["UserName"] = owner.user_name
    return shape


def _check_key_id(checks: Checks, params: Input) -> None:
    checks.string(
        params.get("AccessKeyId"),
        "accessKeyId",
        min_len=16,
        max_len=128,
        pattern=ACCESS_KEY_ID,
        required=True,
    )


class UserApi:
    def __init__(self, users: Users, keys: AccessKeys) -> None:
        self._users = users
        self._keys = keys

    def handlers(self) -> Handlers:
        return {
            "CreateUser": self.create_user,
            "GetUser": self.get_user,
            "ListUsers": self.list_users,
            "UpdateUser": self.update_user,
            "DeleteUser": self.delete_user,
            "TagUser": self.tag_user,
            "UntagUser": self.untag_user,
            "ListUserTags": self.list_user_tags,
            "PutUserPermissionsBoundary": self.put_user_permissions_boundary,
            "DeleteUserPermissionsBoundary": self.delete_user_permissions_boundary,
            "CreateAccessKey": self.create_access_key,
            "ListAccessKeys": self.list_access_keys,
            "UpdateAccessKey": self.update_access_key,
            "DeleteAccessKey": self.delete_access_key,
            "GetAccessKeyLastUsed": self.get_access_key_last_used,
        }

    async def create_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 64)
        check_path(checks, params)
        check_arn(checks, params, "PermissionsBoundary", required=False)
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        user = await self._users.create_user(
            scope_of(context),
            params["UserName"],
            params.get("Path") or "/",
            tags,
            params.get("PermissionsBoundary"),
        )
        return {"User": user_out(user)}

    async def get_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128, required=False)
        checks.done()
        return {
            "User": user_out(await self._users.get_user(scope_of(context), params.get("UserName")))
        }

    async def list_users(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_path_prefix(checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._users.list_users(
            scope_of(context), params.get("PathPrefix") or "/", marker, max_items
        )
        return page_out(page, "Users", lambda u: user_out(u, details=False))

    async def update_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        check_name(checks, params, "NewUserName", 64, required=False)
        check_path(checks, params, "NewPath")
        checks.done()
        await self._users.update_user(
            scope_of(context), params["UserName"], params.get("NewUserName"), params.get("NewPath")
        )
        return {}

    async def delete_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        checks.done()
        await self._users.delete_user(scope_of(context), params["UserName"])
        return {}

    async def tag_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        checks.required(params.get("Tags"), "tags")
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        await self._users.tag_user(scope_of(context), params["UserName"], tags)
        return {}

    async def untag_user(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        keys = tag_keys_in(checks, params)
        checks.done()
        await self._users.untag_user(scope_of(context), params["UserName"], keys)
        return {}

    async def list_user_tags(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._users.list_user_tags(
            scope_of(context), params["UserName"], marker, max_items
        )
        return tags_page_out(page)

    async def put_user_permissions_boundary(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        check_arn(checks, params, "PermissionsBoundary")
        checks.done()
        await self._users.put_user_permissions_boundary(
            scope_of(context), params["UserName"], params["PermissionsBoundary"]
        )
        return {}

    async def delete_user_permissions_boundary(
        self, context: RequestContext, params: Input
    ) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128)
        checks.done()
        await self._users.delete_user_permissions_boundary(scope_of(context), params["UserName"])
        return {}

    async def create_access_key(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128, required=False)
        checks.done()
        owner, key = await self._keys.create_access_key(scope_of(context), params.get("UserName"))
        shape = _key_metadata(owner, key)
        shape["SecretAccessKey"] = key.secret_access_key
        return {"AccessKey": shape}

    async def list_access_keys(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128, required=False)
        marker, max_items = paging(checks, params)
        checks.done()
        owner, page = await self._keys.list_access_keys(
            scope_of(context), params.get("UserName"), marker, max_items
        )
        return page_out(page, "AccessKeyMetadata", lambda k: _key_metadata(owner, k))

    async def update_access_key(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128, required=False)
        _check_key_id(checks, params)
        checks.required(params.get("Status"), "status")
        checks.enum(params.get("Status"), "status", ["Active", "Inactive", "Expired"])
        checks.done()
        if params["Status"] == "Expired":
            raise invalid_input("Status Expired is not supported for access keys.")
        await self._keys.update_access_key(
            scope_of(context),
            params.get("UserName"),
            params["AccessKeyId"],
            KeyStatus(params["Status"]),
        )
        return {}

    async def delete_access_key(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 128, required=False)
        _check_key_id(checks, params)
        checks.done()
        await self._keys.delete_access_key(
            scope_of(context), params.get("UserName"), params["AccessKeyId"]
        )
        return {}

    async def get_access_key_last_used(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_key_id(checks, params)
        checks.done()
        name, key = await self._keys.get_access_key_last_used(
            scope_of(context), params["AccessKeyId"]
        )
        used: Output = {
            "ServiceName": key.last_used_service or "N/A",
            "Region": key.last_used_region or "N/A",
        }
        if key.last_used_at is not None:
            used["LastUsedDate"] = iso(key.last_used_at)
        output: Output = {"AccessKeyLastUsed": used}
        if name is not None:
            output["UserName"] = name
        return output
