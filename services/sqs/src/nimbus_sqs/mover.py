"""Message move tasks (StartMessageMoveTask): the worker that really moves the messages.

Every replica runs this loop. Each sweep (every sqs_move_interval_seconds) reads the active
tasks and tries, for each, a PostgreSQL advisory lock held on this replica's own lock
connection: exactly one replica runs a task at a time, and a killed replica's locks vanish
with its connection, so another replica takes its tasks over at its next sweep.

A task moves in batches of at most 10: receive from the source with redrive disabled (a
move must not dead-letter), send each message to its destination as a new message (same
body, attributes and MD5s; FIFO group and deduplication ids kept), check the destinations
still exist, then delete from the source. A crash between send and delete repeats a message,
never loses one (at least once). Progress is persisted after every batch; the task ends
COMPLETED when it moved what the source held at the start or the source ran dry (nothing
visible, nothing in flight), FAILED when a queue it moves between disappears or a message
has no known origin, and CANCELLED once a cancel asked it to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from nimbus_core.errors import AwsError
from nimbus_core.runtime import Resources

from nimbus_sqs import move_tasks, queues
from nimbus_sqs.model import NewMessage, QueueRecord, StoredMessage
from nimbus_sqs.move_tasks import CANCELLED, CANCELLING, COMPLETED, FAILED, RUNNING, MoveTask
from nimbus_sqs.runtime import SqsRuntime, build_runtime

log = logging.getLogger(__name__)

# pg_try_advisory_lock(LOCK_NAMESPACE, lock_key): the two-int form, in a namespace of its own.
LOCK_NAMESPACE = 0x53514D56  # "SQMV"
BATCH = 10  # messages per receive, as ReceiveMessage allows
MAX_RUNNING = 16  # tasks one replica runs at once; the rest wait for a later sweep
# Received messages stay invisible for the batch's paced duration plus this margin; a
# replica killed mid-batch leaves them to reappear after it.
VISIBILITY_MARGIN = 10.0
ORPHAN_SWEEP_SECONDS = 60.0
# A drained source with messages in flight is looked at again this often.
IN_FLIGHT_POLL_SECONDS = 1.0

# FailureReason values, as AWS reports them (SQS developer guide, "Troubleshoot Amazon SQS
# dead-letter queue and DLQ redrive issues").
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
NO_MESSAGE_SOURCE = "CouldNotDetermineMessageSource"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Spaces moves 1/rate seconds apart (MaxNumberOfMessagesPerSecond); no rate, no wait.
    A late move does not earn a burst: the next one is due an interval after it."""

    def __init__(
        self, rate: int | None, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._due: float | None = None

    async def wait(self) -> None:
        if not self._interval:
            return
        now = self._clock()
        due = now if self._due is None else self._due
        if due > now:
            await self._sleep(due - now)
        self._due = max(due, now) + self._interval


def deduplication_id(message: StoredMessage) -> str:
    """A FIFO message's deduplication id on its way out of the DLQ. AWS gives a message the
    original message's id as its deduplication id when it dead-letters it (developer guide,
    "Configuring a dead-letter queue redrive"), so a redrive back to its source is not taken
    for a duplicate of the original send; a message sent to the DLQ directly keeps its own."""
    if message.dead_letter_source_arn is not None or not message.deduplication_id:
        return message.message_id
    return message.deduplication_id


def as_new_message(message: StoredMessage, target: QueueRecord) -> NewMessage:
    """The message as the destination gets it: a new message (new id, new retention, receive
    count 0) with the same content; FIFO keeps its group and deduplication ids."""
    return NewMessage(
        body=message.body,
        message_attributes=message.message_attributes,
        system_attributes=message.system_attributes,
        md5_of_body=message.md5_of_body,
        md5_of_message_attributes=message.md5_of_message_attributes,
        md5_of_system_attributes=message.md5_of_system_attributes,
        delay_seconds=target.delay_seconds,
        sender_id=message.sender_id,
        message_group_id=message.message_group_id if target.fifo else None,
        deduplication_id=deduplication_id(message) if target.fifo else None,
    )


@dataclasses.dataclass
class _Batch:
    """What one batch did: messages moved, and why the task failed, if it did."""

    moved: int = 0
    failure: str | None = None


class TaskRunner:
    """Runs one task to its end while owns() holds (this replica still has its lock)."""

    def __init__(
        self,
        runtime: SqsRuntime,
        task_id: str,
        owns: Callable[[], bool],
        *,
        visibility_margin: float = VISIBILITY_MARGIN,
        pacer: Pacer | None = None,
    ) -> None:
        self._runtime = runtime
        self._task_id = task_id
        self._owns = owns
        self._margin = visibility_margin
        self._pacer = pacer

    async def run(self) -> None:
        while self._owns():
            if await self._step():
                return

    async def _step(self) -> bool:
        """One batch; True once the task has ended (or is no longer this runner's)."""
        pool = self._runtime.pool
        task = await move_tasks.get(pool, self._task_id)
        if task is None or task.status not in (RUNNING, CANCELLING):
            return True
        if task.status == CANCELLING:
            return await self._finish(CANCELLED)
        if self._pacer is None:
            self._pacer = Pacer(task.max_per_second)
        if task.moved >= task.to_move:
            return await self._finish(COMPLETED)
        source = await queues.load_by_id(pool, task.source_queue_id)
        if source is None:
            return await self._finish(FAILED, NON_EXISTENT_QUEUE)
        destination = None
        if task.destination_queue_id is not None:
            destination = await queues.load_by_id(pool, task.destination_queue_id)
            if destination is None:
                return await self._finish(FAILED, NON_EXISTENT_QUEUE)
        count = min(BATCH, task.to_move - task.moved, task.max_per_second or BATCH)
        visibility = math.ceil(count / (task.max_per_second or BATCH) + self._margin)
        deadline = time.monotonic() + visibility - self._margin / 2
        received = await self._runtime.store.receive(
            dataclasses.replace(source, redrive=None), count, visibility
        )
        if not received.messages:
            return await self._drained(source, received.next_visible_ms)
        batch = await self._move(task, source, destination, received.messages, deadline)
        if batch.failure is not None:
            return await self._finish(FAILED, batch.failure)
        return False

    async def _drained(self, source: QueueRecord, next_visible_ms: int | None) -> bool:
        """Nothing to receive: done, unless messages are in flight (a consumer's, or a batch
        a killed replica held); those the task waits for, as they come back when their
        visibility timeout ends."""
        if (await self._runtime.store.counts(source)).not_visible == 0:
            return await self._finish(COMPLETED)
        wait = IN_FLIGHT_POLL_SECONDS
        if next_visible_ms is not None:
            wait = min(wait, max(0.05, next_visible_ms / 1000 - time.time()))
        await asyncio.sleep(wait)
        return False

    async def _move(
        self,
        task: MoveTask,
        source: QueueRecord,
        destination: QueueRecord | None,
        messages: Sequence[StoredMessage],
        deadline: float,
    ) -> _Batch:
        """Send each message, then settle: even when interrupted (lock lost, shutdown), what
        was sent is deleted from the source and the rest made visible there again at once."""
        assert self._pacer is not None
        batch = _Batch()
        targets: dict[str, QueueRecord | None] = {}
        sent: list[tuple[StoredMessage, QueueRecord]] = []
        try:
            for message in messages:
                if not self._owns() or time.monotonic() >= deadline:
                    break
                target = destination or await self._origin(message, targets)
                if target is None:
                    batch.failure = (
                        NON_EXISTENT_QUEUE if message.dead_letter_source_arn else NO_MESSAGE_SOURCE
                    )
                    break
                await self._pacer.wait()
                try:
                    await self._runtime.store.send(target, [as_new_message(message, target)])
                except AwsError as exc:  # the destination refuses it: retrying would not help
                    batch.failure = (
                        NON_EXISTENT_QUEUE if exc.code == "QueueDoesNotExist" else exc.code
                    )
                    break
                sent.append((message, target))
        finally:
            await self._settle(task, source, messages, sent, batch)
        return batch

    async def _settle(
        self,
        task: MoveTask,
        source: QueueRecord,
        messages: Sequence[StoredMessage],
        sent: Sequence[tuple[StoredMessage, QueueRecord]],
        batch: _Batch,
    ) -> None:
        """Delete from the source what reached a destination that still exists, record the
        count, and release everything else."""
        deleted: set[str] = set()
        try:
            gone = await self._vanished({target.queue_id for _, target in sent})
            if gone:
                batch.failure = NON_EXISTENT_QUEUE
            for message, target in sent:
                if target.queue_id not in gone and await self._delete(source, message):
                    deleted.add(message.receipt_handle)
                    batch.moved += 1
        finally:
            if batch.moved:
                await move_tasks.add_moved(self._runtime.pool, task.task_id, batch.moved)
            await self._release(source, [m for m in messages if m.receipt_handle not in deleted])

    async def _origin(
        self, message: StoredMessage, cache: dict[str, QueueRecord | None]
    ) -> QueueRecord | None:
        """The queue a dead-lettered message came from (no DestinationArn: back it goes)."""
        arn = message.dead_letter_source_arn
        if arn is None:
            return None
        if arn not in cache:
            cache[arn] = await queues.load_by_arn(self._runtime.pool, arn)
        return cache[arn]

    async def _vanished(self, queue_ids: set[str]) -> set[str]:
        """Destinations deleted while the batch was sent: their messages stay in the source,
        and what was sent after DeleteQueue dropped the keys is dropped again."""
        gone = set()
        for queue_id in queue_ids:
            if await queues.load_by_id(self._runtime.pool, queue_id) is None:
                gone.add(queue_id)
                await self._runtime.store.drop(queue_id)
        return gone

    async def _delete(self, source: QueueRecord, message: StoredMessage) -> bool:
        try:
            await self._runtime.store.delete(source, message.receipt_handle)
        except AwsError as exc:  # the handle expired: it is moved again (at least once)
            log.warning("move task could not delete a moved message: %s", exc)
            return False
        return True

    async def _release(self, source: QueueRecord, messages: Sequence[StoredMessage]) -> None:
        for message in messages:
            with contextlib.suppress(AwsError):
                await self._runtime.store.change_visibility(source, message.receipt_handle, 0)

    async def _finish(self, status: str, failure: str | None = None) -> bool:
        final = await move_tasks.finish(self._runtime.pool, self._task_id, status, failure)
        log.info(
            "message move task ended",
            extra={"task_id": self._task_id, "status": final, "failure_reason": failure},
        )
        return True


class Mover:
    """One replica's share of the move tasks: locks them, runs them, lets them go."""

    def __init__(
        self,
        runtime: SqsRuntime,
        *,
        max_running: int = MAX_RUNNING,
        visibility_margin: float = VISIBILITY_MARGIN,
    ) -> None:
        self._runtime = runtime
        self._max_running = max_running
        self._margin = visibility_margin
        self._conn: asyncpg.Connection | None = None
        self._conn_lock = asyncio.Lock()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._orphans_due = 0.0

    @property
    def running(self) -> frozenset[str]:
        """Ids of the tasks this replica runs now."""
        return frozenset(self._running)

    async def sweep(self) -> None:
        """Start every active task no replica runs yet (up to max_running here)."""
        conn = await self._connection()
        pool = self._runtime.pool
        for task in await move_tasks.active(pool):
            if len(self._running) >= self._max_running:
                break
            if task.task_id in self._running or not await self._lock(conn, task.lock_key):
                continue
            self._running[task.task_id] = asyncio.create_task(self._run(conn, task))
        if time.monotonic() >= self._orphans_due:
            self._orphans_due = time.monotonic() + ORPHAN_SWEEP_SECONDS
            await move_tasks.drop_orphans(pool)

    async def close(self) -> None:
        await self._stop_all()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=5)
            self._conn = None

    async def _connection(self) -> asyncpg.Connection:
        """The lock connection; if it broke, its locks are gone and so are our tasks."""
        if self._conn is not None and self._conn.is_closed():
            log.warning("move task lock connection lost; letting its tasks go")
            await self._stop_all()
            self._conn = None
        if self._conn is None:
            self._conn = await asyncpg.connect(self._runtime.settings.database_dsn)
        return self._conn

    async def _lock(self, conn: asyncpg.Connection, key: int) -> bool:
        async with self._conn_lock:
            locked: bool = await conn.fetchval(
                "SELECT pg_try_advisory_lock($1::int, $2::int)", LOCK_NAMESPACE, key
            )
        return locked

    async def _unlock(self, conn: asyncpg.Connection, key: int) -> None:
        if conn.is_closed():
            return
        async with self._conn_lock:
            with contextlib.suppress(Exception):
                await conn.fetchval(
                    "SELECT pg_advisory_unlock($1::int, $2::int)", LOCK_NAMESPACE, key
                )

    async def _run(self, conn: asyncpg.Connection, task: MoveTask) -> None:
        def owns() -> bool:
            return not conn.is_closed() and self._conn is conn

        runner = TaskRunner(self._runtime, task.task_id, owns, visibility_margin=self._margin)
        try:
            await runner.run()
        except Exception:  # a transient failure: the task stays active, a later sweep resumes
            log.exception("message move task failed a batch", extra={"task_id": task.task_id})
        finally:
            self._running.pop(task.task_id, None)
            await self._unlock(conn, task.lock_key)

    async def _stop_all(self) -> None:
        running = list(self._running.values())
        for runner in running:
            runner.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._running.clear()


async def run_forever(resources: Resources) -> None:
    """The worker loop of one replica, until the replica stops."""
    runtime = build_runtime(resources)
    mover = Mover(runtime)
    interval = runtime.settings.sqs_move_interval_seconds
    try:
        while not resources.stop.is_set():
            try:
                await mover.sweep()
            except Exception:
                log.exception("message move sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(resources.stop.wait(), interval)
    finally:
        await mover.close()
        with contextlib.suppress(Exception):
            await runtime.redis.aclose()
