"""TagPolicy, UntagPolicy and ListPolicyTags."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import Handlers, check_arn, page_out, paging, scope_of, tags_in, tags_out
from nimbus_iam.policy_tags import PolicyTags
from nimbus_iam.principals import check_tags
from nimbus_iam.validation import TAG_KEY, Checks


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
        checks.required(params.get("TagKeys"), "tagKeys")
        keys = [str(k) for k in params.get("TagKeys") or []]
        checks.count(keys, "tagKeys", 50)
        for index, key in enumerate(keys, 1):
            checks.string(key, f"tagKeys.{index}.member", min_len=1, max_len=128, pattern=TAG_KEY)
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
        output = page_out(page, "Tags", lambda t: t)
        output["Tags"] = tags_out(page.items)
        return output
