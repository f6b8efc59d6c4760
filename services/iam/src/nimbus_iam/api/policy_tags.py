"""TagPolicy, UntagPolicy and ListPolicyTags."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import (
    Handlers,
    check_arn,
    paging,
    scope_of,
    tag_keys_in,
    tags_in,
    tags_page_out,
)
from nimbus_iam.policy_tags import PolicyTags
from nimbus_iam.principals import check_tags
from nimbus_iam.validation import Checks


class PolicyTagApi:
    def __init__(self, tags: PolicyTags) -> None:
        self._tags = tags

    def handlers(self) -> Handlers:
        return {
            "TagPolicy": self.tag_policy,
            "UntagPolicy": self.untag_policy,
            "ListPolicyTags": self.list_policy_tags,
        }

    async def tag_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        checks.required(params.get("Tags"), "tags")
        tags = tags_in(params)
        check_tags(checks, tags)
        checks.done()
        await self._tags.tag_policy(scope_of(context), params["PolicyArn"], tags)
        return {}

    async def untag_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        keys = tag_keys_in(checks, params)
        checks.done()
        await self._tags.untag_policy(scope_of(context), params["PolicyArn"], keys)
        return {}

    async def list_policy_tags(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicyArn")
        marker, max_items = paging(checks, params)
        checks.done()
        page = await self._tags.list_policy_tags(
            scope_of(context), params["PolicyArn"], marker, max_items
        )
        return tags_page_out(page)
