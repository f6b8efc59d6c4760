"""Several replicas: exactly one runs a task at a time, and when that one dies (its lock
connection cut, or the process killed with SIGKILL) another finishes the task, every
message moved at least once and none left behind."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import asyncpg
import pytest
from nimbus_sqs.mover import LOCK_NAMESPACE, Mover
from nimbus_sqs.runtime import SqsRuntime
from nimbus_sqs.settings import SqsSettings

from tests.integration.sqs_move.conftest import Sqs
from tests.integration.sqs_move.test_move_tasks_api import dlq_pair, fill_dlq

pytestmark = pytest.mark.infra

REPO = Path(__file__).resolve().parents[3]


async def lock_holder(pool: asyncpg.Pool, lock_key: int) -> int | None:
    """The backend pid holding a task's advisory lock, if any."""
    pid: int | None = await pool.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2",
        LOCK_NAMESPACE,
        lock_key,
    )
    return pid


async def the_task(pool: asyncpg.Pool) -> tuple[str, int]:
    row = await pool.fetchrow("SELECT task_id::text AS task_id, lock_key FROM sqs_move_tasks")
    assert row is not None
    return row["task_id"], row["lock_key"]


async def test_one_replica_runs_a_task_and_another_takes_over_when_it_is_cut_off(
    sqs: Sqs, runtime: SqsRuntime
) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    bodies = [f"m{i}" for i in range(8)]
    await fill_dlq(sqs, source, dlq, bodies)
    await sqs.call(
        "StartMessageMoveTask",
        SourceArn=dlq_arn,
        DestinationArn=await sqs.arn(destination),
        MaxNumberOfMessagesPerSecond=4,
    )
    task_id, lock_key = await the_task(runtime.pool)
    replicas = [Mover(runtime, visibility_margin=2), Mover(runtime, visibility_margin=2)]
    try:
        for _ in range(5):
            for replica in replicas:
                await replica.sweep()
            assert [task_id in replica.running for replica in replicas].count(True) == 1
            await asyncio.sleep(0.1)
        owner = next(replica for replica in replicas if task_id in replica.running)
        other = next(replica for replica in replicas if replica is not owner)

        pid = await lock_holder(runtime.pool, lock_key)
        assert pid is not None
        assert await runtime.pool.fetchval("SELECT pg_terminate_backend($1)", pid)
        deadline = asyncio.get_running_loop().time() + 30
        while task_id not in other.running:
            assert asyncio.get_running_loop().time() < deadline, "nobody took the task over"
            await other.sweep()
            await owner.sweep()
            await asyncio.sleep(0.1)
        assert task_id not in owner.running

        task = await sqs.wait_status(dlq_arn, {"COMPLETED", "FAILED"})
        assert task["Status"] == "COMPLETED"
    finally:
        for replica in replicas:
            await replica.close()
    moved = await sqs.drain(destination, 2 * len(bodies), timeout=3)  # duplicates too
    assert sorted({m["Body"] for m in moved}) == sorted(bodies)
    assert await sqs.visible(dlq) == 0


async def test_a_task_survives_the_kill_of_the_replica_running_it(
    sqs: Sqs, runtime: SqsRuntime, sqs_settings: SqsSettings
) -> None:
    source, dlq, dlq_arn = await dlq_pair(sqs)
    destination = await sqs.create_queue()
    bodies = [f"m{i}" for i in range(10)]
    await fill_dlq(sqs, source, dlq, bodies)

    victim = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("mover_process.py")),
        sqs_settings.database,
        sqs_settings.db_prefix,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert victim.stdout is not None
        assert (await asyncio.wait_for(victim.stdout.readline(), 30)).strip() == b"ready"
        await sqs.call(
            "StartMessageMoveTask",
            SourceArn=dlq_arn,
            DestinationArn=await sqs.arn(destination),
            MaxNumberOfMessagesPerSecond=2,
        )
        deadline = asyncio.get_running_loop().time() + 30
        while (await sqs.tasks(dlq_arn))[0]["ApproximateNumberOfMessagesMoved"] < 2:
            assert asyncio.get_running_loop().time() < deadline, "the victim never moved"
            await asyncio.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
    finally:
        if victim.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                victim.kill()
        await asyncio.wait_for(victim.wait(), 10)

    survivor = Mover(runtime)
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while (await sqs.tasks(dlq_arn))[0]["Status"] == "RUNNING":
            assert asyncio.get_running_loop().time() < deadline, "the task never finished"
            await survivor.sweep()
            await asyncio.sleep(0.1)
    finally:
        await survivor.close()
    task = (await sqs.tasks(dlq_arn))[0]
    assert task["Status"] == "COMPLETED"
    moved = await sqs.drain(destination, 2 * len(bodies), timeout=3)  # duplicates too
    assert sorted({m["Body"] for m in moved}) == sorted(bodies)  # at least once, none lost
    assert await sqs.visible(dlq) == 0
