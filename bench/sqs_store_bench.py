"""Where SQS messages live: Redis with AOF or PostgreSQL, chosen by measurement (issue 6).

Implements the message primitives both ways, as the service would (minimal but faithful):
send one message, send a batch of 10 in one round trip, and receive up to 10 visible
messages (hiding them behind a visibility deadline) then delete them by receipt.
  Redis: atomic Lua scripts over a zset (member = message id, score = visible-at ms) and
  hashes (bodies, receive counts); a private redis-server on 127.0.0.1:6391 with
  appendonly yes, once with appendfsync everysec and once with always.
  PostgreSQL: one table with visible_at; receive is UPDATE ... WHERE id = ANY(ARRAY(SELECT
  ... FOR UPDATE SKIP LOCKED LIMIT 10)) RETURNING, then DELETE; the shared server on 5432 (a
  database of our own, dropped after), synchronous_commit on (durable) and off.
Measures messages/s for each at 1 and 8 concurrent asyncio clients, in one run, taking
turns, then kills the private redis-server with SIGKILL during a send loop (a few times
per appendfsync setting) and counts acknowledged sends missing after the restart.

Prints the tables and writes them as the "Storage choice" section of
docs/benchmarks-sqs.md. `uv run python bench/sqs_store_bench.py` (about 2-3 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast

import asyncpg
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-sqs.md"
HOST = "127.0.0.1"
REDIS_PORT = 6391
PG_SERVER = "postgresql://nimbus:nimbus@127.0.0.1:5432"
BODY_BYTES = 256  # a typical small SQS message (JSON event); the same payload for both
VISIBILITY_SECONDS = 30
SECTION = "storage"
CONFIGS = ["redis everysec", "redis always", "pg sync on", "pg sync off"]
WORKLOADS = ["send 1", "send batch of 10", "receive 10 + delete"]
POSTPONED = "Asynchronous AOF fsync is taking too long"  # redis-server's log line

# --- Redis: the scripts the store would run ---------------------------------------------
# KEYS: 1 visible zset, 2 bodies hash, 3 receive-count hash (all under one {queue} tag).

SEND_LUA = """
-- ARGV: visible_at_ms, id1, body1, id2, body2, ...
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
end
return (#ARGV - 1) / 2
"""

RECEIVE_LUA = """
-- ARGV: now_ms, max, invisible_until_ms; returns id, receive count, body per message
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HINCRBY', KEYS[3], id, 1)
  out[#out + 1] = redis.call('HGET', KEYS[2], id)
end
return out
"""

DELETE_LUA = """
-- ARGV: id1, count1, id2, count2, ... (a receipt names the receive it came from)
local deleted = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    deleted = deleted + 1
  end
end
return deleted
"""

# --- PostgreSQL: the same primitives as SQL ------------------------------------------------

PG_SCHEMA = """
CREATE TABLE sqs_messages (
  id uuid PRIMARY KEY,
  queue_id uuid NOT NULL,
  visible_at timestamptz NOT NULL,
  receive_count integer NOT NULL DEFAULT 0,
  sent_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL);
CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at);
"""
PG_SEND = "INSERT INTO sqs_messages (id, queue_id, visible_at, body) VALUES ($2, $1, now(), $3)"
PG_SEND_BATCH = """
INSERT INTO sqs_messages (id, queue_id, visible_at, body)
SELECT m.id, $1, now(), m.body FROM unnest($2::uuid[], $3::text[]) AS m(id, body)
"""
# `= ANY(ARRAY(...))`, not `IN (...)`: with LIMIT a parameter, the generic plan asyncpg's
# prepared statement settles on guesses 10% of the table and seq-scans it for the join.
PG_RECEIVE = """
UPDATE sqs_messages m
   SET visible_at = now() + make_interval(secs => $3), receive_count = m.receive_count + 1
 WHERE m.id = ANY(ARRAY(SELECT id FROM sqs_messages
                         WHERE queue_id = $1 AND visible_at <= now()
                         ORDER BY visible_at LIMIT $2 FOR UPDATE SKIP LOCKED))
RETURNING m.id, m.receive_count, m.body
"""
# The ids drive a primary-key lookup; a join against unnest() would let a generic plan
# (unnest guessed at 100 rows) hash-join a sequential scan of the whole table instead.
PG_DELETE = """
DELETE FROM sqs_messages m
 WHERE m.id = ANY($2::uuid[]) AND m.queue_id = $1
   AND m.receive_count = ($3::integer[])[array_position($2::uuid[], m.id)]
"""

Received = list[tuple[str, int, str]]  # (message id, receive count, body)


class Backend(Protocol):
    name: str

    async def send(self, queue: str, messages: Sequence[tuple[str, str]]) -> None: ...

    async def receive(self, queue: str, limit: int) -> Received: ...

    async def delete(self, queue: str, receipts: Sequence[tuple[str, int]]) -> int: ...

    async def close(self) -> None: ...


class RedisBackend:
    def __init__(self, name: str, port: int, prefix: str, connections: int) -> None:
        self.name = name
        # No client-side retries: redis-py's default (3, with 1 s+ backoff) would hide a
        # dead server from the kill runs and re-run a send script after a reconnect.
        self.redis = Redis(
            host=HOST, port=port, max_connections=connections + 2, retry=Retry(NoBackoff(), 0)
        )
        self.prefix = prefix
        self._send = self.redis.register_script(SEND_LUA)
        self._receive = self.redis.register_script(RECEIVE_LUA)
        self._delete = self.redis.register_script(DELETE_LUA)

    def keys(self, queue: str) -> list[str]:
        tag = f"{self.prefix}{{{queue}}}"
        return [f"{tag}:visible", f"{tag}:bodies", f"{tag}:counts"]

    async def send(self, queue: str, messages: Sequence[tuple[str, str]]) -> None:
        args: list[str | int] = [int(time.time() * 1000)]
        for message_id, body in messages:
            args += [message_id, body]
        await self._send(keys=self.keys(queue), args=args)

    async def receive(self, queue: str, limit: int) -> Received:
        now = int(time.time() * 1000)
        flat = await self._receive(
            keys=self.keys(queue), args=[now, limit, now + VISIBILITY_SECONDS * 1000]
        )
        return [
            (flat[i].decode(), int(flat[i + 1]), flat[i + 2].decode())
            for i in range(0, len(flat), 3)
        ]

    async def delete(self, queue: str, receipts: Sequence[tuple[str, int]]) -> int:
        args: list[str | int] = []
        for message_id, count in receipts:
            args += [message_id, count]
        return int(await self._delete(keys=self.keys(queue), args=args))

    async def acknowledged_present(self, queue: str, ids: Sequence[str]) -> int:
        present = 0
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            present += sum(
                v is not None
                for v in await cast(
                    "Awaitable[list[bytes | None]]",
                    self.redis.hmget(self.keys(queue)[1], list(chunk)),
                )
            )
        return present

    async def close(self) -> None:
        await self.redis.aclose()


class PgBackend:
    def __init__(self, name: str, pool: asyncpg.Pool) -> None:
        self.name = name
        self.pool = pool

    @classmethod
    async def open(cls, name: str, dsn: str, synchronous_commit: str, size: int) -> PgBackend:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=size,
            max_size=size,
            server_settings={"synchronous_commit": synchronous_commit},
        )
        return cls(name, pool)

    async def send(self, queue: str, messages: Sequence[tuple[str, str]]) -> None:
        if len(messages) == 1:
            await self.pool.execute(PG_SEND, queue, messages[0][0], messages[0][1])
        else:
            ids = [m[0] for m in messages]
            await self.pool.execute(PG_SEND_BATCH, queue, ids, [m[1] for m in messages])

    async def receive(self, queue: str, limit: int) -> Received:
        rows = await self.pool.fetch(PG_RECEIVE, queue, limit, float(VISIBILITY_SECONDS))
        return [(str(r["id"]), r["receive_count"], r["body"]) for r in rows]

    async def delete(self, queue: str, receipts: Sequence[tuple[str, int]]) -> int:
        status = await self.pool.execute(
            PG_DELETE, queue, [r[0] for r in receipts], [r[1] for r in receipts]
        )
        return int(status.split()[-1])

    async def close(self) -> None:
        await self.pool.close()


# --- the private redis-server ---------------------------------------------------------------


class RedisServer:
    """redis-server on REDIS_PORT with AOF in a directory of its own; restartable on it."""

    def __init__(self, appendfsync: str, port: int = REDIS_PORT) -> None:
        self.appendfsync = appendfsync
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"sqs-store-redis-{appendfsync}-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                self.appendfsync,
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def ready(self, timeout: float = 30) -> float:
        """Wait until it answers PING (after loading its AOF); returns the seconds taken."""
        started = time.monotonic()
        client = Redis(host=HOST, port=self.port, retry=Retry(NoBackoff(), 0))
        try:
            while True:
                try:
                    await cast("Awaitable[bool]", client.ping())  # redis-py types sync|async
                    return time.monotonic() - started
                except (RedisConnectionError, BusyLoadingError, OSError):
                    if time.monotonic() - started > timeout:
                        raise
                    await asyncio.sleep(0.05)
        finally:
            await client.aclose()

    def log(self) -> str:
        path = self.dir / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final fsync; the kernel keeps what was written."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- measurement -----------------------------------------------------------------------------


@dataclass
class Rate:
    messages: int
    seconds: float
    drained: bool = False  # receive runs: the queue ran dry before the time was up

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass
class Row:
    workload: str
    clients: int
    rates: dict[str, Rate] = field(default_factory=dict)  # by backend name


def body() -> str:
    return "".join(random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=BODY_BYTES))


async def timed(
    clients: int, seconds: float, step: Callable[[], Awaitable[int]]
) -> tuple[int, float, bool]:
    """`clients` coroutines repeat `step` (it returns messages handled; 0 = nothing left)."""
    deadline = time.perf_counter() + seconds
    totals = [0]
    drained = [False]

    async def client() -> None:
        while time.perf_counter() < deadline:
            handled = await step()
            if handled == 0:
                drained[0] = True
                return
            totals[0] += handled

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return totals[0], time.perf_counter() - started, drained[0]


async def measure_backend(backend: Backend, clients: int, seconds: float) -> dict[str, Rate]:
    """Send 1, send 10, then receive+delete what the sends left, on a fresh queue."""
    queue = str(uuid.uuid4())
    payload = body()

    async def send_one() -> int:
        await backend.send(queue, [(str(uuid.uuid4()), payload)])
        return 1

    async def send_ten() -> int:
        await backend.send(queue, [(str(uuid.uuid4()), payload) for _ in range(10)])
        return 10

    async def receive_delete() -> int:
        got = await backend.receive(queue, 10)
        if got:
            deleted = await backend.delete(queue, [(m[0], m[1]) for m in got])
            if deleted != len(got):
                raise AssertionError(f"{backend.name}: deleted {deleted} of {len(got)}")
        return len(got)

    rates: dict[str, Rate] = {}
    for workload, step in zip(WORKLOADS, (send_one, send_ten, receive_delete), strict=True):
        messages, took, drained = await timed(clients, seconds, step)
        rates[workload] = Rate(messages, took, drained)
    return rates


async def throughput(options: argparse.Namespace, dsn: str) -> list[Row]:
    """Every configuration at 1 and 8 clients, `rounds` times; each cell keeps its best run.

    The machine is shared (2 cores, other work on the same PostgreSQL): the best of a few
    interleaved runs is the least disturbed one. The order of the configurations flips
    from one pass to the next so drift does not favour one of them.
    """
    rows = {(w, c): Row(w, c) for c in (1, 8) for w in WORKLOADS}
    passes = [(r, c) for r in range(options.rounds) for c in (1, 8)]
    for index, (_, clients) in enumerate(passes):
        for config in CONFIGS if index % 2 == 0 else list(reversed(CONFIGS)):
            backend, server = await open_config(config, dsn, clients)
            try:
                rates = await measure_backend(backend, clients, options.seconds)
            finally:
                await backend.close()
                if server:
                    server.stop()
            if config.startswith("pg"):
                await recreate(dsn)
            for workload, rate in rates.items():
                cell = rows[(workload, clients)].rates
                if config not in cell or rate.per_second > cell[config].per_second:
                    cell[config] = rate
                dry = " (queue ran dry)" if rate.drained else ""
                print(
                    f"  {config:15} {workload:20} x{clients}: {rate.per_second:9,.0f} msg/s"
                    f" ({rate.messages} in {rate.seconds:.1f}s){dry}",
                    flush=True,
                )
    return list(rows.values())


async def open_config(config: str, dsn: str, clients: int) -> tuple[Backend, RedisServer | None]:
    if config.startswith("redis"):
        server = RedisServer(config.split()[1])
        server.start()
        await server.ready()
        return RedisBackend(config, server.port, "bench:", clients), server
    synchronous_commit = config.split()[-1]
    return await PgBackend.open(config, dsn, synchronous_commit, clients), None


async def recreate(dsn: str) -> None:
    """A fresh table for the next run. Not TRUNCATE: it keeps the column statistics of the
    last run, and plans made from them slowed each later receive run down (measured)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP TABLE sqs_messages")
        await connection.execute(PG_SCHEMA)
    finally:
        await connection.close()


# --- kill -9 of redis-server during a send loop ----------------------------------------------


@dataclass
class KillRun:
    appendfsync: str
    acknowledged: int
    missing: int
    unacknowledged_present: int  # in flight when killed, yet stored: fine for at-least-once
    restart_seconds: float
    postponed_writes: int  # times redis held AOF writes back behind a slow fsync (everysec)


async def kill_run(appendfsync: str, clients: int, before_kill: float) -> KillRun:
    server = RedisServer(appendfsync)
    server.start()
    try:
        await server.ready()
        backend = RedisBackend(f"redis {appendfsync}", server.port, "kill:", clients)
        queue = str(uuid.uuid4())
        payload = body()
        acknowledged: list[str] = []
        attempted: list[str] = []

        async def sender() -> None:
            while True:
                message_id = str(uuid.uuid4())
                attempted.append(message_id)
                try:
                    await backend.send(queue, [(message_id, payload)])
                except (RedisConnectionError, OSError):
                    return
                acknowledged.append(message_id)

        senders = [asyncio.create_task(sender()) for _ in range(clients)]
        await asyncio.sleep(before_kill)
        server.kill()
        await asyncio.gather(*senders)
        await backend.close()

        postponed = server.log().count(POSTPONED)
        server.start()
        restart = await server.ready()
        backend = RedisBackend(f"redis {appendfsync}", server.port, "kill:", clients)
        try:
            present = await backend.acknowledged_present(queue, acknowledged)
            done = set(acknowledged)
            in_flight = [m for m in attempted if m not in done]
            extra = await backend.acknowledged_present(queue, in_flight)
        finally:
            await backend.close()
        missing = len(acknowledged) - present
        return KillRun(appendfsync, len(acknowledged), missing, extra, restart, postponed)
    finally:
        server.stop()


async def kill_runs(options: argparse.Namespace) -> list[KillRun]:
    runs: list[KillRun] = []
    for appendfsync in ("everysec", "always"):
        for _ in range(options.kill_runs):
            run = await kill_run(appendfsync, 8, random.uniform(1.0, 2.5))
            runs.append(run)
            print(
                f"  kill -9 redis ({appendfsync:8}): {run.acknowledged:6} acknowledged, "
                f"{run.missing} missing after restart, {run.unacknowledged_present} "
                f"unacknowledged but stored; restart {run.restart_seconds:.2f}s; "
                f"{run.postponed_writes} postponed AOF writes",
                flush=True,
            )
    return runs


# --- PostgreSQL database of our own ----------------------------------------------------------


@contextlib.asynccontextmanager
async def private_database() -> AsyncIterator[str]:
    name = f"sqs_store_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = f"{PG_SERVER}/{name}"
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(PG_SCHEMA)
        finally:
            await connection.close()
        yield dsn
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# --- report ----------------------------------------------------------------------------------


def throughput_table(rows: list[Row]) -> str:
    lines = [
        "| workload | clients | "
        + " | ".join(f"{c} msg/s" for c in CONFIGS)
        + " | Redis everysec / PG on |",
        "| --- | ---: |" + " ---: |" * (len(CONFIGS) + 1),
    ]
    for row in rows:
        cells = []
        for config in CONFIGS:
            rate = row.rates.get(config)
            cells.append(
                "-" if rate is None else f"{rate.per_second:,.0f}" + ("*" if rate.drained else "")
            )
        redis, pg = row.rates.get("redis everysec"), row.rates.get("pg sync on")
        ratio = (
            f"{redis.per_second / pg.per_second:.1f}x" if redis and pg and pg.per_second else "-"
        )
        lines.append(f"| {row.workload} | {row.clients} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def kill_table(runs: list[KillRun]) -> str:
    lines = [
        "| appendfsync | runs | acknowledged sends | missing after restart | "
        "unacknowledged but stored | postponed AOF writes | restart to first PING, s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for appendfsync in ("everysec", "always"):
        mine = [r for r in runs if r.appendfsync == appendfsync]
        if not mine:
            continue
        lines.append(
            f"| {appendfsync} | {len(mine)} | {sum(r.acknowledged for r in mine):,} | "
            f"{sum(r.missing for r in mine)} | {sum(r.unacknowledged_present for r in mine)} | "
            f"{sum(r.postponed_writes for r in mine)} | "
            f"{max(r.restart_seconds for r in mine):.2f} |"
        )
    return "\n".join(lines)


class FsyncSampler:
    """`with FsyncSampler() as fsync:` times a 4 KiB append + fsync every 100 ms meanwhile.

    The redis and PostgreSQL data live on this same disk: it is what appendfsync always
    and a durable commit wait for, and what other work on the machine makes vary.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> FsyncSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        with tempfile.NamedTemporaryFile() as probe:
            while not self._stop.wait(self.interval):
                probe.write(os.urandom(4096))
                probe.flush()
                started = time.perf_counter()
                os.fsync(probe.fileno())
                self.times.append((time.perf_counter() - started) * 1000)

    def summary(self) -> str:
        times = sorted(self.times) or [0.0]
        return (
            f"median {times[len(times) // 2]:.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms,"
            f" max {times[-1]:.1f} ms over {len(self.times)} samples"
        )


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores (load average {load} at the end), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


# --- docs/benchmarks-sqs.md: one section per script ------------------------------------------

DOC_TITLE = "# SQS benchmarks"
DOC_ORDER = ["moto", "storage"]  # sqs_bench.py's section first, then this one's
_SECTION = re.compile(r"<!-- section:(\w+) -->\n(.*?)<!-- /section:\1 -->\n", re.DOTALL)


def write_section(name: str, markdown: str, doc: Path = DOC) -> None:
    """Replace (or add) one script's section of the shared document, keeping the others."""
    sections = dict(_SECTION.findall(doc.read_text())) if doc.exists() else {}
    sections[name] = markdown.rstrip("\n") + "\n"
    order = DOC_ORDER + sorted(set(sections) - set(DOC_ORDER))
    parts = [DOC_TITLE, ""]
    for key in order:
        if key in sections:
            parts += [
                f"<!-- section:{key} -->",
                sections[key].rstrip("\n"),
                f"<!-- /section:{key} -->",
                "",
            ]
    doc.write_text("\n".join(parts))


def section(
    rows: list[Row], runs: list[KillRun], options: argparse.Namespace, took: float, fsync: str
) -> str:
    return "\n".join(
        [
            "## Storage choice: Redis with AOF or PostgreSQL",
            "",
            "Produced by `bench/sqs_store_bench.py` (`make bench` runs it; about 3 minutes).",
            "The message primitives the service needs, written both ways as the service would",
            "write them: Lua scripts over a zset of visible-at times and hashes of bodies and",
            "receive counts on a private `redis-server` (appendonly yes, fresh per run); and one",
            "table with `visible_at` on the shared PostgreSQL, received with",
            "`UPDATE ... WHERE id = ANY(ARRAY(SELECT ... ORDER BY visible_at LIMIT 10 FOR UPDATE",
            "SKIP LOCKED)) RETURNING`, deleted by (id, receive count). Clients are asyncio",
            "coroutines in one Python process (redis-py / asyncpg), one connection each,",
            f"{BODY_BYTES}-byte bodies, {options.seconds:g} s per run; each cell is the best of "
            f"{options.rounds}",
            "interleaved runs (the machine is shared). A receive run drains what the two send runs",
            "stored; * marks a queue that ran dry.",
            "",
            f"Machine: {machine()}; whole run {took:.0f} s.",
            f"fsync of a 4 KiB append on the data disk, sampled during the run: {fsync}.",
            "",
            "### Messages per second",
            "",
            throughput_table(rows),
            "",
            "### kill -9 of redis-server during a send loop",
            "",
            "8 clients send single messages; after 1-2.5 s the redis-server gets SIGKILL, is",
            "restarted on the same directory, and every send that had been acknowledged is",
            "looked up.",
            "",
            kill_table(runs),
            "",
            "Postponed AOF writes: with everysec, while the background fsync of the last second",
            "is still running, redis-server holds new AOF writes back (up to 2 s) yet still",
            f'answers clients; it logs "{POSTPONED}". Only such',
            "writes can be lost when the redis process alone dies; others are in the kernel's",
            "page cache, which survives a process kill.",
            "",
            "### Loss window of each durability setting",
            "",
            "| setting | SQS process killed | redis-server / postgres killed | machine crash, "
            "power loss |",
            "| --- | --- | --- | --- |",
            "| Redis AOF, appendfsync always | nothing | nothing (measured above) | nothing: "
            "fsync before the reply |",
            "| Redis AOF, appendfsync everysec | nothing | nothing (measured above), unless "
            "writes were postponed behind a slow fsync: then up to 2 s | up to 1 s of "
            "acknowledged sends (2 s when fsync lags) |",
            "| PostgreSQL, synchronous_commit on | nothing | nothing | nothing |",
            "| PostgreSQL, synchronous_commit off | nothing | up to 3 x wal_writer_delay (600 ms "
            "at the default 200 ms) | the same |",
            "",
            "An SQS replica answers 200 only after the store acknowledged the write, so killing",
            "the SQS process loses nothing under any setting: a send cut short got no 200.",
            "",
            "### Reading",
            "",
            *[f"- {line}" for line in reading(rows, runs)],
            "",
        ]
    )


def _rate(rows: list[Row], workload: str, clients: int, config: str) -> float:
    for row in rows:
        if row.workload == workload and row.clients == clients and config in row.rates:
            return row.rates[config].per_second
    return 0.0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def reading(rows: list[Row], runs: list[KillRun]) -> list[str]:
    """What the numbers say, worded from the numbers of this run."""
    lines = []
    comparisons = (
        ("Redis (everysec) over durable PostgreSQL", "redis everysec", "pg sync on"),
        (
            "Durable to a machine crash, Redis (always) over PostgreSQL",
            "redis always",
            "pg sync on",
        ),
        ("appendfsync always relative to everysec", "redis always", "redis everysec"),
    )
    for title, top, bottom in comparisons:
        for clients in (1, 8):
            ratios = ", ".join(
                f"{w} {_ratio(_rate(rows, w, clients, top), _rate(rows, w, clients, bottom))}"
                for w in WORKLOADS
            )
            lines.append(f"{title} at {clients} client(s): {ratios}.")
    lost = {a: sum(r.missing for r in runs if r.appendfsync == a) for a in ("everysec", "always")}
    acked = {a: sum(r.acknowledged for r in runs if r.appendfsync == a) for a in lost}
    lines.append(
        f"kill -9 of redis-server lost {lost['everysec']} of {acked['everysec']:,} "
        f"acknowledged sends under everysec and {lost['always']} of {acked['always']:,} "
        "under always."
    )
    lines += [
        "PostgreSQL pays for the queue pattern itself: every receive writes a new row version "
        "(visible_at is indexed, so no HOT update) and every delete leaves a dead one; the "
        "receive's index scan walks past them until autovacuum catches up, and it shares "
        "the server (and its WAL fsyncs) with every other service.",
        "Chosen: messages in Redis with AOF (Lua scripts, one round trip per operation), "
        "queue metadata in PostgreSQL. appendfsync everysec loses nothing when the SQS "
        "process or redis-server is killed (barring postponed writes, counted above) and up "
        "to a second on a machine crash; appendfsync always closes that window too, at the "
        "cost shown in the always/everysec ratios.",
    ]
    return lines


async def main(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    with FsyncSampler() as sampler:
        async with private_database() as dsn:
            rows = await throughput(options, dsn)
        runs = await kill_runs(options) if options.kill_runs else []
    took = time.perf_counter() - started
    fsync = sampler.summary()
    print()
    print(f"fsync of a 4 KiB append: {fsync}")
    print(throughput_table(rows))
    print()
    print(kill_table(runs))
    if options.write_doc:
        write_section(SECTION, section(rows, runs, options, took, fsync))
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    print(f"took {took:.0f}s")
    return 1 if any(r.missing for r in runs if r.appendfsync == "always") else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kill-runs", type=int, default=3)
    parser.add_argument("--no-doc", dest="write_doc", action="store_false")
    sys.exit(asyncio.run(main(parser.parse_args())))
