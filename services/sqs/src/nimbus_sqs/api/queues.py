"""SQS operations on queues: lifecycle, attributes, purge, tags, permissions, listings.

Thin: parse the input, call queues.py (PostgreSQL) and the message store, shape the output.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, OperationTable, Output, UnaryHandler

from nimbus_sqs import attributes, queues
from nimbus_sqs.errors import invalid_parameter_value, missing_parameter, queue_does_not_exist
from nimbus_sqs.model import QueueRecord
from nimbus_sqs.runtime import SqsRuntime

MAX_RESULTS = 1000
_CHANGED_PARAMETERS = (
    "Invalid NextToken value. If you are passing in NextToken, you must not change the other "
    "request parameters."
)


def _max_results(params: Input) -> int | None:
    """MaxResults (1..1000) or None when absent."""
    raw = params.get("MaxResults")
    if raw is None:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if isinstance(raw, bool) or not 1 <= value <= MAX_RESULTS:
        raise invalid_parameter_value(
            "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
            "between 1 and 1000."
        )
    return value


def _encode_token(**fields: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


def _decode_token(token: Any) -> dict[str, str] | None:
    try:
        loaded = json.loads(base64.urlsafe_b64decode(str(token).encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        return None
    return loaded


def _handlers(runtime: SqsRuntime) -> dict[str, UnaryHandler]:
    pool = runtime.pool
    settings = runtime.settings

    async def queue_of(ctx: RequestContext, params: Input) -> QueueRecord:
        if params.get("QueueUrl") in (None, ""):
            raise missing_parameter("QueueUrl")
        return await queues.resolve_url(runtime, ctx, params["QueueUrl"])

    async def create_queue(ctx: RequestContext, params: Input) -> Output:
        queue = await queues.create_queue(
            pool,
            account=ctx.account_id,
            region=ctx.region,
            name=params.get("QueueName"),
            requested=params.get("Attributes"),
            tags=params.get("tags"),
            deleted_hold_seconds=settings.sqs_deleted_name_hold_seconds,
        )
        return {"QueueUrl": queue.url(ctx.endpoint_host)}

    async def get_queue_url(ctx: RequestContext, params: Input) -> Output:
        name = attributes.validate_queue_name(params.get("QueueName"), lookup=True)
        owner = str(params.get("QueueOwnerAWSAccountId") or ctx.account_id)
        queue = await queues.load(pool, owner, ctx.region, name)
        if queue is None:
            raise queue_does_not_exist()
        return {"QueueUrl": queue.url(ctx.endpoint_host)}

    async def delete_queue(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.delete_queue(pool, queue)
        await runtime.store.drop(queue.queue_id)
        return {}

    async def list_queues(ctx: RequestContext, params: Input) -> Output:
        limit = _max_results(params)
        prefix = str(params.get("QueueNamePrefix") or "")
        after = ""
        token = params.get("NextToken")
        if token:
            if limit is None:
                raise invalid_parameter_value(
                    "MaxResults is a mandatory parameter when you provide a value for NextToken."
                )
            decoded = _decode_token(token)
            if decoded is None or "after" not in decoded:
                raise invalid_parameter_value("Invalid NextToken value.")
            if decoded.get("prefix", "") != prefix:
                raise invalid_parameter_value(_CHANGED_PARAMETERS)
            after = decoded["after"]
        page = limit or MAX_RESULTS
        found = await queues.list_queues(pool, ctx.account_id, ctx.region, prefix, after, page + 1)
        output: Output = {}
        if found:
            output["QueueUrls"] = [q.url(ctx.endpoint_host) for q in found[:page]]
        if limit is not None and len(found) > page:
            output["NextToken"] = _encode_token(after=found[page - 1].name, prefix=prefix)
        return output

    async def get_queue_attributes(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        names = attributes.requested_names(params.get("AttributeNames"))
        counts = await runtime.store.counts(queue) if attributes.needs_counts(names) else None
        shown = attributes.render(queue, names, counts)
        return {"Attributes": shown} if shown else {}

    async def set_queue_attributes(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.set_attributes(pool, queue, params.get("Attributes"))
        return {}

    async def purge_queue(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.purge_queue(pool, runtime.store, queue, settings.sqs_purge_hold_seconds)
        return {}

    async def tag_queue(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.tag_queue(pool, queue, params.get("Tags"))
        return {}

    async def untag_queue(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.untag_queue(pool, queue, params.get("TagKeys"))
        return {}

    async def list_queue_tags(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    async def add_permission(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.add_permission(
            pool, queue, params.get("Label"), params.get("AWSAccountIds"), params.get("Actions")
        )
        return {}

    async def remove_permission(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        await queues.remove_permission(pool, queue, params.get("Label"))
        return {}

    async def list_dead_letter_source_queues(ctx: RequestContext, params: Input) -> Output:
        queue = await queue_of(ctx, params)
        limit = _max_results(params)
        after = ""
        token = params.get("NextToken")
        if token:
            decoded = _decode_token(token)
            if decoded is None or "after" not in decoded:
                raise invalid_parameter_value("Invalid or expired next token.")
            if decoded.get("queue") != queue.arn:
                raise invalid_parameter_value(_CHANGED_PARAMETERS)
            after = decoded["after"]
        page = limit or MAX_RESULTS
        found = await queues.dead_letter_sources(pool, queue, after, page + 1)
        output: Output = {"queueUrls": [q.url(ctx.endpoint_host) for q in found[:page]]}
        if len(found) > page:
            output["NextToken"] = _encode_token(after=found[page - 1].name, queue=queue.arn)
        return output

    return {
        "CreateQueue": create_queue,
        "GetQueueUrl": get_queue_url,
        "DeleteQueue": delete_queue,
        "ListQueues": list_queues,
        "GetQueueAttributes": get_queue_attributes,
        "SetQueueAttributes": set_queue_attributes,
        "PurgeQueue": purge_queue,
        "TagQueue": tag_queue,
        "UntagQueue": untag_queue,
        "ListQueueTags": list_queue_tags,
        "AddPermission": add_permission,
        "RemovePermission": remove_permission,
        "ListDeadLetterSourceQueues": list_dead_letter_source_queues,
    }


def table(runtime: SqsRuntime) -> OperationTable:
    return OperationTable(unary=_handlers(runtime))
