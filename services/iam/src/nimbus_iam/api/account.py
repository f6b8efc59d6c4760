"""Login profile and account alias operations."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.account_aliases import AccountAliases
from nimbus_iam.api.common import Handlers, check_name, iso, page_out, paging, scope_of
from nimbus_iam.iam_errors import validation_error
from nimbus_iam.login_profiles import LoginProfiles
from nimbus_iam.scope import Scope
from nimbus_iam.users import is_user_arn
from nimbus_iam.validation import DOCUMENT, Checks

ALIAS = r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"


def _user_name(scope: Scope, params: Input) -> str:
    """The named user, or the calling user (botocore makes UserName optional)."""
    name = params.get("UserName")
    if name:
        return str(name)
    if is_user_arn(scope.caller_arn):
        return scope.caller_arn.rsplit("/", 1)[-1]
    raise validation_error(
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint:"
        " Member must not be null"
    )


def _check_password(checks: Checks, params: Input, *, required: bool) -> None:
    checks.string(
        params.get("Password"),
        "password",
        min_len=1,
        max_len=128,
        pattern=DOCUMENT,
        required=required,
    )


def _check_alias(checks: Checks, params: Input) -> None:
    checks.string(
        params.get("AccountAlias"),
        "accountAlias",
        min_len=3,
        max_len=63,
        pattern=ALIAS,
        required=True,
    )


class AccountApi:
    def __init__(self, profiles: LoginProfiles, aliases: AccountAliases) -> None:
        self._profiles = profiles
        self._aliases = aliases

    def handlers(self) -> Handlers:
        return {
            "CreateLoginProfile": self.create_login_profile,
            "GetLoginProfile": self.get_login_profile,
            "UpdateLoginProfile": self.update_login_profile,
            "DeleteLoginProfile": self.delete_login_profile,
            "CreateAccountAlias": self.create_account_alias,
            "DeleteAccountAlias": self.delete_account_alias,
            "ListAccountAliases": self.list_account_aliases,
        }

    async def create_login_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 64, required=False)
        _check_password(checks, params, required=True)
        checks.done()
        scope = scope_of(context)
        user, profile = await self._profiles.create_login_profile(
            scope,
            _user_name(scope, params),
            params["Password"],
            bool(params.get("PasswordResetRequired")),
        )
        return {
            "LoginProfile": {
                "UserName": user.name,
                "CreateDate": iso(profile.created),
                "PasswordResetRequired": profile.reset_required,
            }
        }

    async def get_login_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 64, required=False)
        checks.done()
        scope = scope_of(context)
        user, profile = await self._profiles.get_login_profile(scope, _user_name(scope, params))
        return {
            "LoginProfile": {
                "UserName": user.name,
                "CreateDate": iso(profile.created),
                "PasswordResetRequired": profile.reset_required,
            }
        }

    async def update_login_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 64)
        _check_password(checks, params, required=False)
        checks.done()
        reset = params.get("PasswordResetRequired")
        await self._profiles.update_login_profile(
            scope_of(context),
            params["UserName"],
            params.get("Password"),
            bool(reset) if reset is not None else None,
        )
        return {}

    async def delete_login_profile(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "UserName", 64, required=False)
        checks.done()
        scope = scope_of(context)
        await self._profiles.delete_login_profile(scope, _user_name(scope, params))
        return {}

    async def create_account_alias(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_alias(checks, params)
        checks.done()
        await self._aliases.create_account_alias(scope_of(context), params["AccountAlias"])
        return {}

    async def delete_account_alias(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        _check_alias(checks, params)
        checks.done()
        await self._aliases.delete_account_alias(scope_of(context), params["AccountAlias"])
        return {}

    async def list_account_aliases(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._aliases.list_account_aliases(scope_of(context), marker, max_items)
        return page_out(page, "AccountAliases", lambda a: a)
