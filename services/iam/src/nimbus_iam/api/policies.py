"""Managed policy, version, attachment and inline policy operations."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import (
    Handlers,
    check_arn,
    check_document,
    check_name,
    check_path,
    check_path_prefix,
    iso,
    page_out,
    paging,
    policy_out,
    scope_of,
    tags_in,
)
from nimbus_iam.attachments import Attachments
from nimbus_iam.entity_models import Kind, PolicyVersion
from nimbus_iam.inline_policies import InlinePolicies
from nimbus_iam.managed_policies import ManagedPolicies
from nimbus_iam.pagination import paginate
from nimbus_iam.policy_documents import url_encoded
from nimbus_iam.principals import check_tags
from nimbus_iam.validation import VERSION_ID, Checks

# The name member and its maximum length per kind, as botocore's model has them.
_NAME_MEMBER = {
    Kind.USER: ("UserName", 128),
    Kind.GROUP: ("GroupName", 128),
    Kind.ROLE: ("RoleName", 64),
}
_OP_WORD = {Kind.USER: "User", Kind.GROUP: "Group", Kind.ROLE: "Role"}
Handler = Callable[[RequestContext, Input], Coroutine[Any, Any, Output]]


def version_out(version: PolicyVersion, *, document: bool = True) -> Output:
    shape: Output = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": iso(version.created),
    }
    if document:
        shape["Document"] = url_encoded(version.document)
    return shape


def _check_version(checks: Checks, params: Input) -> None:
    checks.string(params.get("VersionId"), "versionId", pattern=VERSION_ID, required=True)


class PolicyApi:
    def __init__(
        self, managed: ManagedPolicies, attachments: Attachments, inline: InlinePolicies
    ) -> None:
        self._managed = managed
        self._attachments = attachments
        self._inline = inline

    def handlers(self) -> Handlers:
        table: dict[str, Handler] = {
            "CreatePolicy": self.create_policy,
            "GetPolicy": self.get_policy,
            "ListPolicies": self.list_policies,
            "DeletePolicy": self.delete_policy,
            "CreatePolicyVersion": self.create_policy_version,
            "GetPolicyVersion": self.get_policy_version,
            "ListPolicyVersions": self.list_policy_versions,
            "DeletePolicyVersion": self.delete_policy_version,
            "SetDefaultPolicyVersion": self.set_default_policy_version,
        }
        for kind, word in _OP_WORD.items():
            table[f"Attach{word}Policy"] = partial(self.attach, kind)
            table[f"Detach{word}Policy"] = partial(self.detach, kind)
            table[f"ListAttached{word}Policies"] = partial(self.list_attached, kind)
            table[f"Put{word}Policy"] = partial(self.put_inline, kind)
            table[f"Get{word}Policy"] = partial(self.get_inline, kind)
            table[f"Delete{word}Policy"] = partial(self.delete_inline, kind)
            table[f"List{word}Policies"] = partial(self.list_inline, kind)
        return table

    async def create_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_name(checks, params, "PolicyName", 128)
        check_path(checks, params, policy=True)
        check_document(checks, params, "PolicyDocument")
        checks.string(params.get("Description"), "description", max_len=1000)
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        policy = await self._managed.create_policy(
            scope_of(context),
            params["PolicyName"],
            params["PolicyDocument"],
            params.get("Path") or "/",
            params.get("Description"),
            tags,
        )
        shape = policy_out(policy)
        shape.pop("Description", None)  # CreatePolicy's answer leaves it out, as AWS's does
        return {"Policy": shape}

    async def get_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        checks.done()
        return {
            "Policy": policy_out(
                await self._managed.get_policy(scope_of(context), params["PolicyArn"])
            )
        }

    async def list_policies(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.enum(params.get("Scope"), "scope", ["All", "AWS", "Local"])
        check_path_prefix(checks, params, policy=True)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._managed.list_policies(
            scope_of(context),
            params.get("Scope") or "All",
            bool(params.get("OnlyAttached")),
            params.get("PathPrefix") or "/",
            marker,
            max_items,
        )
        return page_out(page, "Policies", lambda p: policy_out(p, details=False))

    async def delete_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        checks.done()
        await self._managed.delete_policy(scope_of(context), params["PolicyArn"])
        return {}

    async def create_policy_version(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        check_document(checks, params, "PolicyDocument")
        checks.done()
        version = await self._managed.create_policy_version(
            scope_of(context),
            params["PolicyArn"],
            params["PolicyDocument"],
            bool(params.get("SetAsDefault")),
        )
        return {"PolicyVersion": version_out(version, document=False)}

    async def get_policy_version(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        _check_version(checks, params)
        checks.done()
        version = await self._managed.get_policy_version(
            scope_of(context), params["PolicyArn"], params["VersionId"]
        )
        return {"PolicyVersion": version_out(version)}

    async def list_policy_versions(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        marker, max_items = paging(checks, params)
        checks.done()
        versions = await self._managed.list_policy_versions(scope_of(context), params["PolicyArn"])
        page = paginate(versions, lambda v: f"{1_000_000_000 - v.version:010d}", marker, max_items)
        return page_out(page, "Versions", lambda v: version_out(v, document=False))

    async def delete_policy_version(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        _check_version(checks, params)
        checks.done()
        await self._managed.delete_policy_version(
            scope_of(context), params["PolicyArn"], params["VersionId"]
        )
        return {}

    async def set_default_policy_version(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        _check_version(checks, params)
        checks.done()
        await self._managed.set_default_policy_version(
            scope_of(context), params["PolicyArn"], params["VersionId"]
        )
        return {}

    def _principal_name(self, kind: Kind, checks: Checks, params: Input) -> str:
        member, max_len = _NAME_MEMBER[kind]
        check_name(checks, params, member, max_len)
        return member

    async def attach(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_arn(checks, params, "PolicyArn")
        checks.done()
        await self._attachments.attach_policy(
            scope_of(context), kind, params[member], params["PolicyArn"]
        )
        return {}

    async def detach(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_arn(checks, params, "PolicyArn")
        checks.done()
        await self._attachments.detach_policy(
            scope_of(context), kind, params[member], params["PolicyArn"]
        )
        return {}

    async def list_attached(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_path_prefix(checks, params, policy=True)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._attachments.list_attached_policies(
            scope_of(context),
            kind,
            params[member],
            params.get("PathPrefix") or "/",
            marker,
            max_items,
        )
        return page_out(
            page, "AttachedPolicies", lambda p: {"PolicyName": p.name, "PolicyArn": p.arn}
        )

    async def put_inline(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_name(checks, params, "PolicyName", 128)
        check_document(checks, params, "PolicyDocument")
        checks.done()
        await self._inline.put_policy(
            scope_of(context), kind, params[member], params["PolicyName"], params["PolicyDocument"]
        )
        return {}

    async def get_inline(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_name(checks, params, "PolicyName", 128)
        checks.done()
        found = await self._inline.get_policy(
            scope_of(context), kind, params[member], params["PolicyName"]
        )
        return {
            member: found.principal.name,
            "PolicyName": found.name,
            "PolicyDocument": url_encoded(found.document),
        }

    async def delete_inline(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        check_name(checks, params, "PolicyName", 128)
        checks.done()
        await self._inline.delete_policy(
            scope_of(context), kind, params[member], params["PolicyName"]
        )
        return {}

    async def list_inline(self, kind: Kind, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        member = self._principal_name(kind, checks, params)
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._inline.list_policies(
            scope_of(context), kind, params[member], marker, max_items
        )
        return page_out(page, "PolicyNames", lambda n: n)
