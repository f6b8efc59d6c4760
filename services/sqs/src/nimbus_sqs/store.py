"""The message store: SQS messages in Redis, every operation one atomic Lua script.

One round trip per operation (a batch send, a receive of up to 10, a delete...), so N
replicas can share a queue without locks and a crash never leaves half an operation. The
scripts (lua/*.lua, each prefixed with lua/common.lua) document the key layout. Time is
Redis's own clock (TIME inside the scripts), so replicas never disagree about visibility.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Sequence
from importlib import resources
from typing import Any

from nimbus_core.errors import AwsError
from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from nimbus_sqs import errors, receipts
from nimbus_sqs.model import (
    NewMessage,
    QueueCounts,
    QueueRecord,
    ReceiveResult,
    SendResult,
    StoredMessage,
)

# Per-queue keys, in the order the scripts' queue_keys() reads them from KEYS.
_QUEUE_KEYS = (
    "msg",
    "st",
    "vis",
    "inf",
    "sent",
    "gready",
    "glock",
    "seq",
    "dedup",
    "dedupx",
    "att",
    "attx",
    "waiters",
)
MAX_VISIBILITY_MS = 43_200_000  # AWS: 12 hours from the current receive
_EXPIRE_BATCH = 1000
_PURGE_BATCH = 1000
_SCAN_BATCH = 1000


class ReceiptHandleExpired(AwsError):
    """FIFO: the handle's receive is no longer current. DeleteMessage/ChangeMessageVisibility
    answer InvalidParameterValue; their batch forms report the entry as
    ReceiptHandleIsInvalid with message "The receipt handle has expired." (AWS)."""

    def __init__(self, handle: str) -> None:
        super().__init__(
            "InvalidParameterValue",
            f"Value {handle} for parameter ReceiptHandle is invalid. "
            "Reason: The receipt handle has expired.",
            400,
        )
        self.handle = handle


def _load_script(name: str) -> str:
    folder = resources.files("nimbus_sqs") / "lua"
    common = (folder / "common.lua").read_text(encoding="utf-8")
    return common + "\n" + (folder / f"{name}.lua").read_text(encoding="utf-8")


def _payload(message: NewMessage) -> str:
    """What Lua stores verbatim; only Python reads it back."""
    return json.dumps(
        {
            "b": message.body,
            "ma": message.message_attributes,
            "sa": message.system_attributes,
            "mb": message.md5_of_body,
            "mma": message.md5_of_message_attributes,
            "msa": message.md5_of_system_attributes,
            "s": message.sender_id,
            "g": message.message_group_id,
            "d": message.deduplication_id,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


class _MessageIds:
    """UUIDv7-shaped ids (RFC 9562): ms time, then a counter, then random bits, so
    messages sent in the same millisecond by this process sort in send order (ties in
    the visibility zset are broken by member)."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._counter = 0

    def next(self) -> str:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > self._last_ms:
            self._last_ms, self._counter = now_ms, secrets.randbits(8)
        else:
            self._counter += 1
            if self._counter > 0xFFF:  # 4096 ids in one ms: borrow the next ms
                self._last_ms, self._counter = self._last_ms + 1, 0
        value = (self._last_ms & (2**48 - 1)) << 80
        value |= 0x7 << 76 | self._counter << 64
        value |= 0b10 << 62 | secrets.randbits(62)
        return str(uuid.UUID(int=value))


_ids = _MessageIds()


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _dedup_key(queue: QueueRecord, message: NewMessage) -> str:
    dedup = message.deduplication_id or ""
    if queue.dedup_per_group:
        group = message.message_group_id or ""
        return f"{len(group)}:{group}{dedup}"
    return dedup


class MessageStore:
    """Messages of every queue of one cloud, under `prefix` in one Redis."""

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        dedup_window_seconds: float = 300.0,
        attempt_window_seconds: float = 300.0,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._dedup_ms = int(dedup_window_seconds * 1000)
        self._attempt_ms = int(attempt_window_seconds * 1000)
        self._scripts: dict[str, AsyncScript] = {
            name: redis.register_script(_load_script(name))
            for name in ("send", "receive", "delete", "visibility", "counts", "expire", "purge")
        }

    # -- keys -------------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def wake_channel(self) -> str:
        """The one pub/sub channel long polls listen on; messages carry the queue id."""
        return f"{self._prefix}wake"

    @property
    def registry_key(self) -> str:
        """ZSET queue id -> first time a message was stored for it (orphan detection)."""
        return f"{self._prefix}queues"

    def queue_prefix(self, queue_id: str) -> str:
        return f"{self._prefix}{queue_id}:"

    def waiters_key(self, queue_id: str) -> str:
        return f"{self.queue_prefix(queue_id)}waiters"

    def _block(self, queue_id: str) -> list[str]:
        prefix = self.queue_prefix(queue_id)
        return [prefix + name for name in _QUEUE_KEYS]

    async def _run(self, name: str, keys: list[str], args: list[Any]) -> Any:
        return await self._scripts[name](keys=keys, args=args)

    def _queue_head(self, queue: QueueRecord) -> list[Any]:
        """The first two arguments of every per-queue script: its key prefix and FIFO flag."""
        return [self.queue_prefix(queue.queue_id), "1" if queue.fifo else "0"]

    # -- operations -------------------------------------------------------------------

    async def send(self, queue: QueueRecord, messages: Sequence[NewMessage]) -> list[SendResult]:
        """Store a batch atomically; FIFO duplicates (within the window) are accepted but
        not stored, and answered with the original's id and sequence number."""
        if not messages:
            return []
        args: list[Any] = [
            *self._queue_head(queue),
            queue.queue_id,
            self.wake_channel,
            self._dedup_ms,
            len(messages),
        ]
        for message in messages:
            args += [
                _ids.next(),
                _payload(message),
                int(message.delay_seconds) * 1000,
                message.message_group_id or "",
                _dedup_key(queue, message) if queue.fifo else "",
            ]
        keys = [*self._block(queue.queue_id), self.registry_key]
        rows = await self._run("send", keys, args)
        return [SendResult(_text(row[0]), _text(row[1]) if queue.fifo else None) for row in rows]

    async def receive(
        self,
        queue: QueueRecord,
        max_messages: int,
        visibility_timeout: int,
        attempt_id: str | None = None,
    ) -> ReceiveResult:
        """Up to max_messages visible messages, now in flight for visibility_timeout s.
        Messages past maxReceiveCount go to the dead-letter queue instead (same script)."""
        # AWS's maximum; the FIFO group lock (lua/common.lua group_fix) relies on it.
        max_messages = max(1, min(int(max_messages), 10))
        redrive = queue.redrive
        dlq_id = redrive.dlq_queue_id if redrive else queue.queue_id
        args: list[Any] = [
            *self._queue_head(queue),
            queue.queue_id,
            max_messages,
            int(visibility_timeout) * 1000,
            queue.retention_seconds * 1000,
            secrets.token_hex(6),
            attempt_id or "",
            self._attempt_ms,
            redrive.max_receive_count if redrive else 0,
            queue.arn,
            self.queue_prefix(dlq_id),
            "1" if (redrive.dlq_fifo if redrive else queue.fifo) else "0",
            dlq_id,
            self.wake_channel,
        ]
        keys = [*self._block(queue.queue_id), *self._block(dlq_id), self.registry_key]
        reply = await self._run("receive", keys, args)
        next_visible = _text(reply[0])
        found = [
            self._stored(queue, _text(reply[i]), reply[i + 1], _text(reply[i + 2]))
            for i in range(1, len(reply), 3)
        ]
        return ReceiveResult(found, int(float(next_visible)) if next_visible else None)

    def _stored(self, queue: QueueRecord, message_id: str, raw: Any, state: str) -> StoredMessage:
        data = json.loads(raw)
        rc, first, _last, sent, seq, token, source, _group = state.split("|", 7)
        return StoredMessage(
            message_id=message_id,
            receipt_handle=receipts.encode(queue.queue_id, message_id, token),
            body=data["b"],
            md5_of_body=data["mb"],
            message_attributes=data["ma"],
            md5_of_message_attributes=data["mma"],
            system_attributes=data["sa"],
            md5_of_system_attributes=data["msa"],
            sent_timestamp_ms=int(sent),
            sender_id=data["s"],
            receive_count=int(rc),
            first_receive_timestamp_ms=int(first),
            message_group_id=data["g"],
            deduplication_id=data["d"],
            sequence_number=seq or None,
            dead_letter_source_arn=source or None,
        )

    async def delete(self, queue: QueueRecord, receipt_handle: str) -> None:
        receipt = receipts.for_queue(receipt_handle, queue.queue_id)
        result = await self._run(
            "delete",
            self._block(queue.queue_id),
            [
                *self._queue_head(queue),
                queue.queue_id,
                receipt.message_id,
                receipt.token,
                self.wake_channel,
            ],
        )
        if int(result) == 1:
            raise ReceiptHandleExpired(receipt_handle)

    async def change_visibility(
        self, queue: QueueRecord, receipt_handle: str, timeout: int
    ) -> None:
        receipt = receipts.for_queue(receipt_handle, queue.queue_id)
        result = int(
            await self._run(
                "visibility",
                self._block(queue.queue_id),
                [
                    *self._queue_head(queue),
                    queue.queue_id,
                    receipt.message_id,
                    receipt.token,
                    int(timeout) * 1000,
                    self.wake_channel,
                    MAX_VISIBILITY_MS,
                ],
            )
        )
        if result == 1:
            raise errors.invalid_parameter_value(
                f"Value {receipt_handle} for parameter ReceiptHandle is invalid. Reason: "
                "Message does not exist or is not available for visibility timeout change."
            )
        if result == 2:
            raise errors.message_not_inflight()
        if result == 3:
            raise ReceiptHandleExpired(receipt_handle)
        if result == 4:
            raise errors.invalid_parameter_value(
                f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total "
                "VisibilityTimeout for the message is beyond the limit [43200 seconds]"
            )

    async def purge(self, queue: QueueRecord) -> None:
        """Delete every message, a bounded step per call so Redis never stalls; the
        sequence counter, dedup records and waiters survive."""
        args = [*self._queue_head(queue), _PURGE_BATCH]
        while not int(await self._run("purge", self._block(queue.queue_id), args)):
            pass

    async def counts(self, queue: QueueRecord) -> QueueCounts:
        visible, in_flight, delayed = await self._run("counts", self._block(queue.queue_id), [])
        return QueueCounts(int(visible), int(in_flight), int(delayed))

    async def expire(self, queue: QueueRecord) -> int:
        """Delete the messages older than the queue's retention period; returns how many."""
        args = [
            *self._queue_head(queue),
            queue.retention_seconds * 1000,
            _EXPIRE_BATCH,
        ]
        removed = 0
        while True:
            batch = int(await self._run("expire", self._block(queue.queue_id), args))
            removed += batch
            if batch < _EXPIRE_BATCH:
                return removed

    async def drop(self, queue_id: str) -> None:
        """Every key of a deleted queue."""
        await self._unlink_matching(_glob_escape(self.queue_prefix(queue_id)) + "*")
        await self._redis.zrem(self.registry_key, queue_id)

    async def reset(self) -> None:
        """Every key of this cloud (Admin.Reset)."""
        await self._unlink_matching(_glob_escape(self._prefix) + "*")

    async def registered_queues(self) -> tuple[dict[str, int], int]:
        """Queue ids that have (or had) messages, with when first seen (epoch ms), and
        Redis's clock now (ms), read together."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.zrange(self.registry_key, 0, -1, withscores=True)
        pipe.time()
        rows, (seconds, micros) = await pipe.execute()
        now_ms = int(seconds) * 1000 + int(micros) // 1000
        return {_text(member): int(score) for member, score in rows}, now_ms

    async def _unlink_matching(self, pattern: str) -> None:
        cursor: int = 0
        while True:
            cursor, keys = await self._redis.scan(cursor=cursor, match=pattern, count=_SCAN_BATCH)
            if keys:
                await self._redis.unlink(*keys)
            if cursor == 0:
                return


def _glob_escape(text: str) -> str:
    """SCAN MATCH treats * ? [ ] \\ specially; a prefix is matched literally."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)
