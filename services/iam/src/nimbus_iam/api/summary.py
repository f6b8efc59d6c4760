"""Account-wide reads: GetAccountSummary, ListEntitiesForPolicy and
GetAccountAuthorizationDetails."""

from __future__ import annotations

from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.account_summary import AccountSummary
from nimbus_iam.api.common import (
    Handlers,
    check_arn,
    check_path,
    group_out,
    iso,
    paging,
    policy_out,
    role_out,
    scope_of,
    tags_out,
    user_out,
)
from nimbus_iam.api.instance_profiles import profile_out
from nimbus_iam.authorization_details import (
    FILTERS,
    AuthorizationDetails,
    PolicyDetail,
    PrincipalDetail,
    policy_name,
)
from nimbus_iam.entity_models import Kind
from nimbus_iam.policy_documents import url_encoded
from nimbus_iam.policy_entities import PolicyEntities
from nimbus_iam.validation import Checks

_LIST_MEMBER = {
    Kind.USER: ("PolicyUsers", "UserName", "UserId"),
    Kind.GROUP: ("PolicyGroups", "GroupName", "GroupId"),
    Kind.ROLE: ("PolicyRoles", "RoleName", "RoleId"),
}
_INLINE_MEMBER = {
    Kind.USER: "UserPolicyList",
    Kind.GROUP: "GroupPolicyList",
    Kind.ROLE: "RolePolicyList",
}


def _principal_detail(detail: PrincipalDetail) -> tuple[str, Output]:
    principal = detail.principal
    attached = [{"PolicyName": policy_name(a), "PolicyArn": a} for a in detail.attached]
    inline = [
        {"PolicyName": name, "PolicyDocument": url_encoded(doc)}
        for name, doc in sorted(detail.inline.items())
    ]
    shape: Output
    if principal.kind is Kind.USER:
        shape = user_out(principal)
        shape["GroupList"] = detail.groups
        member = "UserDetailList"
    elif principal.kind is Kind.GROUP:
        shape = group_out(principal)
        member = "GroupDetailList"
    else:
        shape = role_out(principal)
        shape["InstanceProfileList"] = [profile_out(p) for p in detail.instance_profiles]
        member = "RoleDetailList"
    shape[_INLINE_MEMBER[principal.kind]] = inline
    shape["AttachedManagedPolicies"] = attached
    if principal.kind is not Kind.GROUP:
        shape.setdefault("Tags", tags_out(principal.tags))
    return member, shape


def _policy_detail(detail: PolicyDetail) -> Output:
    shape = policy_out(detail.policy)
    shape.pop("Tags", None)
    shape["PolicyVersionList"] = [
        {
            "Document": url_encoded(v.document),
            "VersionId": v.version_id,
            "IsDefaultVersion": v.is_default,
            "CreateDate": iso(v.created),
        }
        for v in detail.versions
    ]
    return shape


class SummaryApi:
    def __init__(
        self, summary: AccountSummary, entities: PolicyEntities, details: AuthorizationDetails
    ) -> None:
        self._summary = summary
        self._entities = entities
        self._details = details

    def handlers(self) -> Handlers:
        return {
            "GetAccountSummary": self.get_account_summary,
            "ListEntitiesForPolicy": self.list_entities_for_policy,
            "GetAccountAuthorizationDetails": self.get_account_authorization_details,
        }

    async def get_account_summary(self, context: RequestContext, params: Input) -> Output:
        return {"SummaryMap": await self._summary.get_account_summary(scope_of(context))}

    async def list_entities_for_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        checks.enum(params.get("EntityFilter"), "entityFilter", FILTERS)
        # This operation's PathPrefix has the pattern of a path, not of a prefix.
        check_path(checks, params, "PathPrefix")
        checks.enum(
            params.get("PolicyUsageFilter"),
            "policyUsageFilter",
            ["PermissionsPolicy", "PermissionsBoundary"],
        )
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._entities.list_entities_for_policy(
            scope_of(context),
            params["PolicyArn"],
            params.get("EntityFilter"),
            params.get("PathPrefix") or "/",
            params.get("PolicyUsageFilter"),
            marker,
            max_items,
        )
        output: Output = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for principal in page.items:
            member, name, id_member = _LIST_MEMBER[principal.kind]
            output[member].append({name: principal.name, id_member: principal.principal_id})
        output["IsTruncated"] = page.truncated
        if page.marker is not None:
            output["Marker"] = page.marker
        return output

    async def get_account_authorization_details(
        self, context: RequestContext, params: Input
    ) -> Output:
        checks = Checks()
        filters = [str(f) for f in params.get("Filter") or []]
        for index, name in enumerate(filters, 1):
            checks.enum(name, f"filter.{index}.member", FILTERS)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._details.get_account_authorization_details(
            scope_of(context), filters, marker, max_items
        )
        output: dict[str, Any] = {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
        }
        for detail in page.items:
            if isinstance(detail, PolicyDetail):
                output["Policies"].append(_policy_detail(detail))
            else:
                member, shape = _principal_detail(detail)
                output[member].append(shape)
        output["IsTruncated"] = page.truncated
        if page.marker is not None:
            output["Marker"] = page.marker
        return output
