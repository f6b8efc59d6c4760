"""SendMessage input -> NewMessage: validated in AWS's order, digests computed.

Pure: SendMessage and every SendMessageBatch entry go through compose(); the batch form
first runs check_fifo_batch(), because AWS fails a whole FIFO batch, not the entry, when
an entry lacks its group or deduplication id or asks for its own delay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from nimbus_sqs import validation as v
from nimbus_sqs.errors import invalid_parameter_value, missing_parameter
from nimbus_sqs.md5 import md5_of_attributes, md5_of_body
from nimbus_sqs.model import NewMessage, QueueRecord


def compose(
    queue: QueueRecord,
    entry: Mapping[str, Any],
    sender_id: str,
    *,
    body_parameter: str = "MessageBody",
) -> NewMessage:
    """One message to store. body_parameter names the body in a MissingParameter error
    (AWS says "SendMessageBatchRequestEntry.N.MessageBody" for a batch entry).
    """
    body = v.check_body(entry.get("MessageBody"), body_parameter)
    raw_attributes = entry.get("MessageAttributes")
    v.check_size(
        body,
        raw_attributes if isinstance(raw_attributes, Mapping) else None,
        queue.max_message_size,
    )
    v.check_body_contents(body)
    attributes = v.check_message_attributes(raw_attributes)
    system = v.check_system_attributes(entry.get("MessageSystemAttributes"))
    delay = v.integer(entry, "DelaySeconds")
    group_id: str | None
    dedup_id: str | None
    if queue.fifo:
        group_id, dedup_id = _fifo_ids(queue, entry, body, delay)
        delay_seconds = queue.delay_seconds
    else:
        group_id = _standard_ids(entry)
        dedup_id = None
        if delay is not None:
            v.check_delay(delay)
        delay_seconds = queue.delay_seconds if delay is None else delay
    return NewMessage(
        body=body,
        message_attributes=attributes,
        system_attributes=system,
        md5_of_body=md5_of_body(body),
        md5_of_message_attributes=md5_of_attributes(attributes),
        md5_of_system_attributes=md5_of_attributes(system),
        delay_seconds=delay_seconds,
        sender_id=sender_id,
        message_group_id=group_id,
        deduplication_id=dedup_id,
    )


def content_deduplication_id(body: str) -> str:
    """ContentBasedDeduplication's id: the SHA-256 of the body (not the attributes)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def check_fifo_batch(queue: QueueRecord, entries: Sequence[Mapping[str, Any]]) -> None:
    """The FIFO rules AWS applies to a SendMessageBatch as a whole (request-level errors)."""
    if not queue.fifo:
        return
    for entry in entries:
        if entry.get("MessageGroupId") is None:
            raise invalid_parameter_value("The request must contain the parameter MessageGroupId.")
        if entry.get("MessageDeduplicationId") is None and not queue.content_based_dedup:
            raise v.fifo_deduplication_required()
        delay = v.integer(entry, "DelaySeconds")
        if delay:
            raise v.not_for_this_queue_type("DelaySeconds", delay)


def _fifo_ids(
    queue: QueueRecord, entry: Mapping[str, Any], body: str, delay: int | None
) -> tuple[str, str]:
    group = entry.get("MessageGroupId")
    if group is None:
        raise missing_parameter("MessageGroupId")
    group_id = v.check_fifo_token(group, "MessageGroupId")
    explicit = entry.get("MessageDeduplicationId")
    if explicit is not None:
        dedup_id = v.check_fifo_token(explicit, "MessageDeduplicationId")
    elif queue.content_based_dedup:
        dedup_id = content_deduplication_id(body)
    else:
        raise v.fifo_deduplication_required()
    if delay:
        # FIFO queues take a delay only at queue level; an explicit 0 is harmless.
        raise v.not_for_this_queue_type("DelaySeconds", delay)
    return group_id, dedup_id


def _standard_ids(entry: Mapping[str, Any]) -> str | None:
    """Standard queues reject a deduplication id; a MessageGroupId names a fair-queue
    tenant (since July 2025) and is kept.
    """
    dedup = entry.get("MessageDeduplicationId")
    if dedup is not None:
        raise v.not_for_this_queue_type("MessageDeduplicationId", dedup)
    group = entry.get("MessageGroupId")
    if group is None:
        return None
    return v.check_fifo_token(group, "MessageGroupId")
