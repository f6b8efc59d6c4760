"""The move-task repository (move_tasks.py) on the real schema, its TaskHandle, and the
worker's pacing: what holds whatever replica or request touches a task."""

from __future__ import annotations

import base64
import json
import uuid

import asyncpg
import pytest
from nimbus_gateway.authz.functions import Context, task_source_arn
from nimbus_sqs import move_tasks
from nimbus_sqs.model import QueueRecord
from nimbus_sqs.mover import Pacer

pytestmark = pytest.mark.infra

ACCOUNT = "000000000000"


def queue(name: str, fifo: bool = False) -> QueueRecord:
    return QueueRecord(
        queue_id=str(uuid.uuid4()),
        account=ACCOUNT,
        region="us-east-1",
        name=name,
        fifo=fifo,
        attributes={},
        tags={},
        created_at=0.0,
        modified_at=0.0,
    )


async def insert_queue(pool: asyncpg.Pool, record: QueueRecord, dlq_arn: str | None = None) -> None:
    await pool.execute(
        "INSERT INTO sqs_queues (queue_id, account, region, name, fifo, attributes, dlq_arn)"
        " VALUES ($1, $2, $3, $4, $5, '{}'::jsonb, $6)",
        record.queue_id,
        record.account,
        record.region,
        record.name,
        record.fifo,
        dlq_arn,
    )


def test_the_handle_carries_task_and_source_and_the_gateway_reads_it() -> None:
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"
    task_id = str(uuid.uuid4())
    handle = move_tasks.encode_handle(task_id, arn)
    assert json.loads(base64.b64decode(handle)) == {"taskId": task_id, "sourceArn": arn}
    assert move_tasks.decode_handle(handle) == (task_id, arn)
    context = Context(
        partition="aws", region="us-east-1", account=ACCOUNT, caller_arn=None, paths=None
    )
    assert task_source_arn(handle, context) == arn  # what CancelMessageMoveTask is authorized on


@pytest.mark.parametrize(
    "handle",
    [
        "foobared",
        "",
        None,
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b'["taskId", "sourceArn"]').decode(),
        base64.b64encode(b'{"taskId": "x"}').decode(),
        base64.b64encode(b'{"taskId": 1, "sourceArn": "arn"}').decode(),
    ],
)
def test_anything_else_is_not_a_handle(handle: object) -> None:
    with pytest.raises(ValueError):
        move_tasks.decode_handle(handle)


async def test_one_active_task_per_source_queue(sqs_pool: asyncpg.Pool) -> None:
    source, other = queue("dlq"), queue("dlq-2")
    first = await move_tasks.create(sqs_pool, source, None, None, 5)
    assert first is not None
    assert (first.status, first.moved, first.to_move) == ("RUNNING", 0, 5)
    assert await move_tasks.create(sqs_pool, source, None, 3, 1) is None
    assert await move_tasks.create(sqs_pool, other, source, 3, 1) is not None

    assert await move_tasks.request_cancel(sqs_pool, first.task_id, source.queue_id) == 0
    # CANCELLING is still active: no second task yet
    assert await move_tasks.create(sqs_pool, source, None, None, 1) is None
    assert await move_tasks.finish(sqs_pool, first.task_id, "CANCELLED") == "CANCELLED"
    assert await move_tasks.create(sqs_pool, source, None, None, 1) is not None


async def test_only_a_running_task_of_that_source_can_be_cancelled(sqs_pool: asyncpg.Pool) -> None:
    source = queue("dlq")
    task = await move_tasks.create(sqs_pool, source, None, None, 4)
    assert task is not None
    assert await move_tasks.add_moved(sqs_pool, task.task_id, 3) == "RUNNING"
    assert await move_tasks.request_cancel(sqs_pool, task.task_id, queue("x").queue_id) is None
    assert await move_tasks.request_cancel(sqs_pool, "not-a-uuid", source.queue_id) is None
    assert await move_tasks.request_cancel(sqs_pool, task.task_id, source.queue_id) == 3
    assert await move_tasks.request_cancel(sqs_pool, task.task_id, source.queue_id) is None


async def test_a_cancel_beats_the_outcome_the_worker_reports(sqs_pool: asyncpg.Pool) -> None:
    source = queue("dlq")
    task = await move_tasks.create(sqs_pool, source, None, None, 4)
    assert task is not None
    await move_tasks.request_cancel(sqs_pool, task.task_id, source.queue_id)
    assert await move_tasks.finish(sqs_pool, task.task_id, "FAILED", "boom") == "CANCELLED"
    ended = await move_tasks.get(sqs_pool, task.task_id)
    assert ended is not None and (ended.status, ended.failure_reason) == ("CANCELLED", None)
    # an ended task stays ended
    assert await move_tasks.finish(sqs_pool, task.task_id, "COMPLETED") is None
    assert await move_tasks.active(sqs_pool) == []


async def test_recent_is_newest_first_and_keeps_ten_per_source(sqs_pool: asyncpg.Pool) -> None:
    source, other = queue("dlq"), queue("other")
    made = []
    for rate in range(1, 13):
        task = await move_tasks.create(sqs_pool, source, None, rate, 0)
        assert task is not None
        made.append(task.task_id)
        await move_tasks.finish(sqs_pool, task.task_id, "COMPLETED")
    await move_tasks.create(sqs_pool, other, None, None, 0)
    found = await move_tasks.recent(sqs_pool, source.queue_id, 100)
    assert [task.max_per_second for task in found] == list(range(12, 2, -1))
    assert [task.task_id for task in await move_tasks.recent(sqs_pool, source.queue_id, 1)] == [
        made[-1]
    ]
    assert all(task.started_ms > 1_600_000_000_000 for task in found)


async def test_dead_letter_queues_are_the_targets_of_redrive_policies(
    sqs_pool: asyncpg.Pool,
) -> None:
    dlq, source, lonely = queue("dlq"), queue("src"), queue("lonely")
    await insert_queue(sqs_pool, dlq)
    await insert_queue(sqs_pool, source, dlq_arn=dlq.arn)
    await insert_queue(sqs_pool, lonely)
    assert await move_tasks.is_dead_letter_queue(sqs_pool, dlq.arn)
    assert not await move_tasks.is_dead_letter_queue(sqs_pool, lonely.arn)
    assert not await move_tasks.is_dead_letter_queue(sqs_pool, source.arn)


async def test_finished_tasks_of_deleted_queues_are_dropped(sqs_pool: asyncpg.Pool) -> None:
    kept, gone = queue("kept"), queue("gone")
    await insert_queue(sqs_pool, kept)
    for record in (kept, gone):
        task = await move_tasks.create(sqs_pool, record, None, None, 0)
        assert task is not None
        await move_tasks.finish(sqs_pool, task.task_id, "COMPLETED")
    still_running = await move_tasks.create(sqs_pool, gone, None, None, 1)
    assert await move_tasks.drop_orphans(sqs_pool) == 1
    assert len(await move_tasks.recent(sqs_pool, kept.queue_id, 10)) == 1
    assert [t.task_id for t in await move_tasks.recent(sqs_pool, gone.queue_id, 10)] == [
        still_running.task_id if still_running else None
    ]


async def test_the_pacer_spaces_moves_by_the_rate_without_bursts() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    pacer = Pacer(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await pacer.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]  # the first goes at once
    now[0] += 10  # a long stall earns no burst afterwards
    slept.clear()
    for _ in range(3):
        await pacer.wait()
    assert slept == [0.25, 0.25]

    unpaced = Pacer(None, clock=lambda: now[0], sleep=sleep)
    slept.clear()
    for _ in range(20):
        await unpaced.wait()
    assert slept == []
