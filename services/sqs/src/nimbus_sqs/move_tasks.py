"""Message move tasks as PostgreSQL holds them (sqs_move_tasks), and their TaskHandle.

The API creates, lists and cancels tasks here; the worker (mover.py) reads them and records
its progress and the outcome here. Every state change is one conditional UPDATE, so the API
and any number of worker replicas can race without a lost update.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from nimbus_sqs.model import QueueRecord

RUNNING = "RUNNING"
COMPLETED = "COMPLETED"
CANCELLING = "CANCELLING"
CANCELLED = "CANCELLED"
FAILED = "FAILED"
ACTIVE = (RUNNING, CANCELLING)

# ListMessageMoveTasks shows at most the 10 most recent tasks of a source: older finished
# ones are dropped when a new task starts.
KEEP_PER_SOURCE = 10

_COLUMNS = (
    "task_id::text AS task_id, lock_key, source_arn, source_queue_id::text AS source_queue_id,"
    " destination_arn, destination_queue_id::text AS destination_queue_id, max_per_second,"
    " status, moved, to_move, failure_reason,"
    " (extract(epoch FROM started_at) * 1000)::bigint AS started_ms"
)


@dataclass(frozen=True)
class MoveTask:
    task_id: str
    lock_key: int
    source_arn: str
    source_queue_id: str
    destination_arn: str | None
    destination_queue_id: str | None
    max_per_second: int | None
    status: str
    moved: int
    to_move: int
    failure_reason: str | None
    started_ms: int

    @property
    def handle(self) -> str:
        return encode_handle(self.task_id, self.source_arn)


def _task(row: asyncpg.Record) -> MoveTask:
    return MoveTask(**dict(row))


def encode_handle(task_id: str, source_arn: str) -> str:
    """AWS's TaskHandle: base64 of {"taskId", "sourceArn"}; the gateway reads sourceArn
    out of it to authorize CancelMessageMoveTask against the source queue."""
    document = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(document.encode()).decode()


def decode_handle(handle: Any) -> tuple[str, str]:
    """(task id, source ARN) out of a TaskHandle; ValueError when it is not one."""
    if not isinstance(handle, str) or not handle:
        raise ValueError("not a task handle")
    try:
        raw = base64.b64decode(handle + "=" * (-len(handle) % 4), validate=True)
        document = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a task handle") from exc
    if not isinstance(document, dict):
        raise ValueError("not a task handle")
    task_id, source_arn = document.get("taskId"), document.get("sourceArn")
    if not isinstance(task_id, str) or not isinstance(source_arn, str):
        raise ValueError("not a task handle")
    return task_id, source_arn


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def create(
    pool: asyncpg.Pool,
    source: QueueRecord,
    destination: QueueRecord | None,
    max_per_second: int | None,
    to_move: int,
) -> MoveTask | None:
    """A new RUNNING task; None when the source already has an active one."""
    async with pool.acquire() as conn, conn.transaction():
        try:
            row = await conn.fetchrow(
                "INSERT INTO sqs_move_tasks (task_id, source_arn, source_queue_id,"
                " destination_arn, destination_queue_id, max_per_second, status, to_move)"
                f" VALUES ($1, $2, $3, $4, $5, $6, 'RUNNING', $7) RETURNING {_COLUMNS}",
                uuid.uuid4(),
                source.arn,
                source.queue_id,
                destination.arn if destination else None,
                destination.queue_id if destination else None,
                max_per_second,
                to_move,
            )
        except asyncpg.UniqueViolationError:
            return None
        await conn.execute(
            "DELETE FROM sqs_move_tasks WHERE source_queue_id = $1"
            " AND status NOT IN ('RUNNING', 'CANCELLING') AND task_id NOT IN"
            " (SELECT task_id FROM sqs_move_tasks WHERE source_queue_id = $1"
            "  ORDER BY started_at DESC, lock_key DESC LIMIT $2)",
            source.queue_id,
            KEEP_PER_SOURCE,
        )
    assert row is not None
    return _task(row)


async def get(pool: asyncpg.Pool, task_id: str) -> MoveTask | None:
    key = _uuid_or_none(task_id)
    if key is None:
        return None
    row = await pool.fetchrow(f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE task_id = $1", key)
    return _task(row) if row else None


async def recent(pool: asyncpg.Pool, source_queue_id: str, limit: int) -> list[MoveTask]:
    """A source queue's tasks, most recent first."""
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE source_queue_id = $1"
        " ORDER BY started_at DESC, lock_key DESC LIMIT $2",
        source_queue_id,
        limit,
    )
    return [_task(row) for row in rows]


async def active(pool: asyncpg.Pool) -> list[MoveTask]:
    """Every task a worker still has to run (or to finish cancelling), oldest first."""
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE status IN ('RUNNING', 'CANCELLING')"
        " ORDER BY started_at, lock_key"
    )
    return [_task(row) for row in rows]


async def request_cancel(pool: asyncpg.Pool, task_id: str, source_queue_id: str) -> int | None:
    """RUNNING -> CANCELLING (the worker stops at its next message); the messages moved so
    far, or None when the source has no such running task."""
    key = _uuid_or_none(task_id)
    if key is None:
        return None
    moved: int | None = await pool.fetchval(
        "UPDATE sqs_move_tasks SET status = 'CANCELLING', updated_at = clock_timestamp()"
        " WHERE task_id = $1 AND source_queue_id = $2 AND status = 'RUNNING' RETURNING moved",
        key,
        source_queue_id,
    )
    return moved


async def add_moved(pool: asyncpg.Pool, task_id: str, count: int) -> str | None:
    """Record count more messages moved; the task's status now (None: the task is gone)."""
    status: str | None = await pool.fetchval(
        "UPDATE sqs_move_tasks SET moved = moved + $2, updated_at = clock_timestamp()"
        " WHERE task_id = $1 RETURNING status",
        task_id,
        count,
    )
    return status


async def finish(
    pool: asyncpg.Pool, task_id: str, status: str, failure_reason: str | None = None
) -> str | None:
    """End an active task as status (COMPLETED, FAILED or CANCELLED). A cancel that came in
    meanwhile wins: the task ends CANCELLED. Returns the final status, None if not active."""
    final: str | None = await pool.fetchval(
        "UPDATE sqs_move_tasks SET"
        " status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE $2 END,"
        " failure_reason = CASE WHEN status = 'CANCELLING' THEN NULL ELSE $3 END,"
        " updated_at = clock_timestamp()"
        " WHERE task_id = $1 AND status IN ('RUNNING', 'CANCELLING') RETURNING status",
        task_id,
        status,
        failure_reason,
    )
    return final


async def drop_orphans(pool: asyncpg.Pool) -> int:
    """Delete finished tasks whose source queue no longer exists (nobody can list them)."""
    result: str = await pool.execute(
        "DELETE FROM sqs_move_tasks t WHERE t.status NOT IN ('RUNNING', 'CANCELLING')"
        " AND NOT EXISTS (SELECT 1 FROM sqs_queues q WHERE q.queue_id = t.source_queue_id)"
    )
    return int(result.rsplit(" ", 1)[-1])


async def is_dead_letter_queue(pool: asyncpg.Pool, arn: str) -> bool:
    """Whether some queue's RedrivePolicy names arn as its deadLetterTargetArn (sqs_queues
    keeps that ARN in dlq_arn, indexed)."""
    found: bool = await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM sqs_queues WHERE dlq_arn = $1)", arn
    )
    return found
