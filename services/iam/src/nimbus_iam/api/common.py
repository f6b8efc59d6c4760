"""What every IAM operation handler shares: the caller's scope, input checks, and the
output shapes of botocore's iam model (timestamps ISO 8601 with Z)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, Output, UnaryHandler

from nimbus_iam.entity_models import ManagedPolicy, Principal, Tag
from nimbus_iam.pagination import Page, check_paging
from nimbus_iam.policy_documents import url_encoded
from nimbus_iam.scope import Scope
from nimbus_iam.validation import (
    DOCUMENT,
    NAME,
    PATH,
    PATH_PREFIX,
    POLICY_PATH,
    TAG_KEY,
    Checks,
)

T = TypeVar("T")
Handlers = Mapping[str, UnaryHandler]


def scope_of(context: RequestContext) -> Scope:
    """The caller's account and region; IAM answers nothing to an unknown caller."""
    if not context.account_id:
        raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    return Scope(
        account_id=context.account_id,
        region=context.region or "us-east-1",
        caller_arn=context.principal_arn,
        caller_id=context.user_id,
    )


def iso(value: datetime) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lower_first(member: str) -> str:
    return member[0].lower() + member[1:]


def check_name(
    checks: Checks, params: Input, member: str, max_len: int, *, required: bool = True
) -> None:
    checks.string(
        params.get(member),
        lower_first(member),
        min_len=1,
        max_len=max_len,
        pattern=NAME,
        required=required,
    )


def check_path(
    checks: Checks, params: Input, member: str = "Path", *, policy: bool = False
) -> None:
    checks.string(
        params.get(member),
        lower_first(member),
        min_len=1,
        max_len=512,
        pattern=POLICY_PATH if policy else PATH,
    )


def check_path_prefix(
    checks: Checks, params: Input, member: str = "PathPrefix", *, policy: bool = False
) -> None:
    checks.string(
        params.get(member),
        lower_first(member),
        min_len=1,
        max_len=512,
        pattern=POLICY_PATH if policy else PATH_PREFIX,
    )


def check_document(checks: Checks, params: Input, member: str) -> None:
    checks.string(
        params.get(member),
        lower_first(member),
        min_len=1,
        max_len=131072,
        pattern=DOCUMENT,
        required=True,
    )


def check_arn(checks: Checks, params: Input, member: str, *, required: bool = True) -> None:
    checks.string(
        params.get(member), lower_first(member), min_len=20, max_len=2048, required=required
    )


def paging(checks: Checks, params: Input) -> tuple[str | None, int | None]:
    check_paging(checks, params.get("Marker"), params.get("MaxItems"))
    return params.get("Marker"), params.get("MaxItems")


def tags_in(params: Input, member: str = "Tags") -> list[Tag]:
    return [Tag(str(t.get("Key", "")), str(t.get("Value", ""))) for t in params.get(member) or []]


def tags_out(tags: Sequence[Tag]) -> list[dict[str, str]]:
    return [{"Key": t.key, "Value": t.value} for t in tags]


def tag_keys_in(checks: Checks, params: Input) -> list[str]:
    """The TagKeys of an Untag* call, checked as IAM checks them (1..50 keys of 1..128)."""
    checks.required(params.get("TagKeys"), "tagKeys")
    keys = [str(k) for k in params.get("TagKeys") or []]
    checks.count(keys, "tagKeys", 50)
    for index, key in enumerate(keys, 1):
        checks.string(key, f"tagKeys.{index}.member", min_len=1, max_len=128, pattern=TAG_KEY)
    return keys


def tags_page_out(page: Page[Tag]) -> Output:
    """A List*Tags answer: the page's tags, IsTruncated and Marker."""
    output = page_out(page, "Tags", lambda t: t)
    output["Tags"] = tags_out(page.items)
    return output


def page_out(page: Page[T], member: str, shape: Callable[[T], Any]) -> Output:
    output: Output = {member: [shape(item) for item in page.items], "IsTruncated": page.truncated}
    if page.marker is not None:
        output["Marker"] = page.marker
    return output


def _boundary(principal: Principal) -> dict[str, str] | None:
    if not principal.permissions_boundary_arn:
        return None
    return {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": principal.permissions_boundary_arn,
    }


def _with_details(shape: Output, principal: Principal) -> Output:
    boundary = _boundary(principal)
    if boundary:
        shape["PermissionsBoundary"] = boundary
    if principal.tags:
        shape["Tags"] = tags_out(principal.tags)
    return shape


def user_out(user: Principal, *, details: bool = True) -> Output:
    """botocore's User; list operations leave out tags and boundary, as AWS's do."""
    shape: Output = {
        "Path": user.path,
        "UserId": user.principal_id,
        "Arn": user.arn,
        "CreateDate": iso(user.created),
    }
    if user.name:
        shape["UserName"] = user.name
    return _with_details(shape, user) if details else shape


def group_out(group: Principal) -> Output:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.principal_id,
        "Arn": group.arn,
        "CreateDate": iso(group.created),
    }


def role_out(role: Principal, *, details: bool = True) -> Output:
    shape: Output = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.principal_id,
        "Arn": role.arn,
        "CreateDate": iso(role.created),
        "AssumeRolePolicyDocument": url_encoded(role.assume_role_policy or ""),
        "MaxSessionDuration": role.max_session_duration,
    }
    if role.description is not None:
        shape["Description"] = role.description
    if details:
        shape["RoleLastUsed"] = {}
        return _with_details(shape, role)
    return shape


def policy_out(policy: ManagedPolicy, *, details: bool = True) -> Output:
    shape: Output = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": policy.attachment_count,
        "PermissionsBoundaryUsageCount": policy.boundary_usage_count,
        "IsAttachable": True,
        "CreateDate": iso(policy.created),
        "UpdateDate": iso(policy.updated),
    }
    if details and policy.description is not None:
        shape["Description"] = policy.description
    if details and policy.tags:
        shape["Tags"] = tags_out(policy.tags)
    return shape
