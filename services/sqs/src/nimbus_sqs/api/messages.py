"""SQS operations on messages: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
ChangeMessageVisibility(Batch).

Handlers resolve the queue (queues.resolve_url: the URL names the owner, the gateway has
already authorized the caller), validate in AWS's order (compose.py, validation.py), and
leave atomicity to the message store: a send, a receive, a delete or a visibility change
is one Lua script in Redis. Both wire protocols reach these handlers with the same params.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, OperationTable, Output, UnaryHandler

from nimbus_sqs import queues
from nimbus_sqs import validation as v
from nimbus_sqs.batch import BatchResult, prepare, run_each
from nimbus_sqs.compose import check_fifo_batch, compose
from nimbus_sqs.errors import missing_parameter
from nimbus_sqs.model import NewMessage, QueueRecord, ReceiveResult, SendResult
from nimbus_sqs.render import Selection, render
from nimbus_sqs.runtime import SqsRuntime
from nimbus_sqs.store import ReceiptHandleExpired

# How AWS names one entry of each batch in its request-level error messages.
SEND_ENTRY = "SendMessageBatchRequestEntry"
DELETE_ENTRY = "DeleteMessageBatchRequestEntry"
CHANGE_ENTRY = "ChangeMessageVisibilityBatch"


def sender_id(ctx: RequestContext) -> str:
    """SenderId: the caller's user id (AIDA..., AROA...:session), the account for root."""
    return ctx.user_id or ctx.account_id


def expired_entry() -> AwsError:
    """A FIFO handle whose receive is no longer current, as a batch entry reports it (the
    single operations answer InvalidParameterValue instead; see store.ReceiptHandleExpired).
    """
    return AwsError("ReceiptHandleIsInvalid", "The receipt handle has expired.", 404)


def _checked(
    params: Mapping[str, Any], name: str, default: int, check: Callable[[int], None]
) -> int:
    """An optional integer parameter: checked when given, else the default."""
    value = v.integer(params, name)
    if value is None:
        return default
    check(value)
    return value


def send_output(message: NewMessage, sent: SendResult) -> dict[str, Any]:
    """SendMessage's reply (and a SendMessageBatch Successful item, less its Id)."""
    out: dict[str, Any] = {"MessageId": sent.message_id, "MD5OfMessageBody": message.md5_of_body}
    if message.md5_of_message_attributes is not None:
        out["MD5OfMessageAttributes"] = message.md5_of_message_attributes
    if message.md5_of_system_attributes is not None:
        out["MD5OfMessageSystemAttributes"] = message.md5_of_system_attributes
    if sent.sequence_number is not None:
        out["SequenceNumber"] = sent.sequence_number
    return out


class MessageOperations:
    """The seven message operations over one replica's runtime."""

    def __init__(self, runtime: SqsRuntime) -> None:
        self._runtime = runtime

    async def _queue(self, ctx: RequestContext, params: Mapping[str, Any]) -> QueueRecord:
        return await queues.resolve_url(self._runtime, ctx, params.get("QueueUrl"))

    # -- sending ---------------------------------------------------------------------

    async def send_message(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        message = compose(queue, params, sender_id(ctx))
        [sent] = await self._runtime.store.send(queue, [message])
        return send_output(message, sent)

    async def send_message_batch(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        entries = v.check_batch_entries(params.get("Entries"), SEND_ENTRY)
        check_fifo_batch(queue, entries)
        v.check_batch_size(entries)
        sender = sender_id(ctx)
        result = BatchResult()

        def build(position: int, entry: Mapping[str, Any]) -> NewMessage:
            body_parameter = f"{SEND_ENTRY}.{position}.MessageBody"
            return compose(queue, entry, sender, body_parameter=body_parameter)

        ready = prepare(entries, build, result)
        if ready:
            # One store call for the batch: FIFO entries keep their order and share one
            # atomic script.
            sent = await self._runtime.store.send(queue, [message for _, message in ready])
            for (index, message), outcome in zip(ready, sent, strict=True):
                result.succeed(index, {"Id": entries[index]["Id"], **send_output(message, outcome)})
        return result.output()

    # -- receiving -------------------------------------------------------------------

    async def receive_message(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        wait = _checked(params, "WaitTimeSeconds", queue.receive_wait_seconds, v.check_wait_seconds)
        count = _checked(params, "MaxNumberOfMessages", 1, v.check_max_messages)
        visibility = _checked(
            params, "VisibilityTimeout", queue.visibility_timeout, v.check_receive_visibility
        )
        attempt_id: str | None = None  # standard queues ignore it
        if queue.fifo and params.get("ReceiveRequestAttemptId") is not None:
            attempt_id = v.check_fifo_token(
                params["ReceiveRequestAttemptId"], "ReceiveRequestAttemptId"
            )
        selection = Selection.of(params)

        def attempt() -> Awaitable[ReceiveResult]:
            return self._runtime.store.receive(queue, count, visibility, attempt_id)

        if wait > 0:
            result = await self._runtime.waker.long_poll(queue.queue_id, wait, attempt)
        else:
            result = await attempt()
        if not result.messages:
            return {}  # AWS leaves Messages out when there are none
        return {"Messages": [render(message, selection) for message in result.messages]}

    # -- deleting and visibility -----------------------------------------------------

    async def delete_message(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        await self._runtime.store.delete(queue, v.receipt_handle(params.get("ReceiptHandle")))
        return {}

    async def delete_message_batch(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        entries = v.check_batch_entries(params.get("Entries"), DELETE_ENTRY)

        async def delete(position: int, entry: Mapping[str, Any]) -> dict[str, Any]:
            handle = v.receipt_handle(entry.get("ReceiptHandle"))
            try:
                await self._runtime.store.delete(queue, handle)
            except ReceiptHandleExpired as error:
                raise expired_entry() from error
            return {"Id": entry["Id"]}

        return await run_each(entries, delete)

    async def change_message_visibility(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        handle = v.receipt_handle(params.get("ReceiptHandle"))
        timeout = v.integer(params, "VisibilityTimeout")
        if timeout is None:
            raise missing_parameter("VisibilityTimeout")
        v.check_change_visibility(timeout)
        await self._runtime.store.change_visibility(queue, handle, timeout)
        return {}

    async def change_message_visibility_batch(self, ctx: RequestContext, params: Input) -> Output:
        queue = await self._queue(ctx, params)
        entries = v.check_batch_entries(params.get("Entries"), CHANGE_ENTRY)

        async def change(position: int, entry: Mapping[str, Any]) -> dict[str, Any]:
            handle = v.receipt_handle(entry.get("ReceiptHandle"))
            timeout = v.integer(entry, "VisibilityTimeout")
            if timeout is None:
                raise missing_parameter(
                    f"ChangeMessageVisibilityBatchRequestEntry.{position}.VisibilityTimeout"
                )
            v.check_entry_visibility(timeout)
            try:
                await self._runtime.store.change_visibility(queue, handle, timeout)
            except ReceiptHandleExpired as error:
                raise expired_entry() from error
            return {"Id": entry["Id"]}

        return await run_each(entries, change)


def table(runtime: SqsRuntime) -> OperationTable:
    ops = MessageOperations(runtime)
    unary: dict[str, UnaryHandler] = {
        "SendMessage": ops.send_message,
        "SendMessageBatch": ops.send_message_batch,
        "ReceiveMessage": ops.receive_message,
        "DeleteMessage": ops.delete_message,
        "DeleteMessageBatch": ops.delete_message_batch,
        "ChangeMessageVisibility": ops.change_message_visibility,
        "ChangeMessageVisibilityBatch": ops.change_message_visibility_batch,
    }
    return OperationTable(unary=unary)
