"""Receipt handles: opaque to clients, they carry the queue id, the message id and the
token of one receive, so a delete or visibility change needs no lookup table.

The token (a per-receive nonce plus the receive count) is what FIFO queues compare with
the message's current receive; standard queues accept any handle of the message.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

from nimbus_sqs import errors

_VERSION = 1
_TOKEN_CHARS = frozenset("0123456789abcdef.")


@dataclass(frozen=True)
class Receipt:
    queue_id: str
    message_id: str
    token: str


def encode(queue_id: str, message_id: str, token: str) -> str:
    raw = (
        bytes([_VERSION])
        + uuid.UUID(queue_id).bytes
        + uuid.UUID(message_id).bytes
        + token.encode("ascii")
    )
    return base64.b64encode(raw).decode("ascii")


def decode(handle: str) -> Receipt | None:
    """The handle's parts, or None when it is not one of ours."""
    try:
        raw = base64.b64decode(handle.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if len(raw) < 34 or raw[0] != _VERSION:
        return None
    token = raw[33:].decode("ascii", errors="replace")
    if not token or not set(token) <= _TOKEN_CHARS:
        return None
    return Receipt(str(uuid.UUID(bytes=raw[1:17])), str(uuid.UUID(bytes=raw[17:33])), token)


def for_queue(handle: str, queue_id: str) -> Receipt:
    """The handle's parts if it is well formed and belongs to this queue, else
    ReceiptHandleIsInvalid (AWS answers the same for another queue's handle)."""
    receipt = decode(handle)
    if receipt is None or receipt.queue_id != str(uuid.UUID(queue_id)):
        raise errors.receipt_handle_invalid(handle)
    return receipt
