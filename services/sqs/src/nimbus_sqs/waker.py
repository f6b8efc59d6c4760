"""Long polling across replicas: a waiting receive sleeps until a send on any replica
publishes a wake-up for its queue, or until the next message becomes visible by itself.

One pub/sub connection per process (subscribed lazily, re-subscribed after Redis drops),
fanning wake-ups out to asyncio events per queue. A waiter registers in the queue's
`waiters` zset, so sends publish only while someone waits (see send.lua).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from nimbus_sqs.model import ReceiveResult

log = logging.getLogger(__name__)

# A waiter's registration outlives its poll by this much (a crashed replica's entries
# expire on their own; the key itself gets a TTL too).
_REGISTRATION_SLACK_SECONDS = 60.0
_RECONNECT_MAX_SECONDS = 2.0
_SUBSCRIBE_WAIT_SECONDS = 2.0


class Waker:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._channel = f"{prefix}wake"
        self._events: dict[str, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def long_poll(
        self,
        queue_id: str,
        wait_seconds: float,
        attempt: Callable[[], Awaitable[ReceiveResult]],
    ) -> ReceiveResult:
        """attempt() until it returns messages or wait_seconds pass, sleeping between
        attempts until a wake-up or the next message's visibility time."""
        result = await attempt()
        if result.messages or wait_seconds <= 0:
            return result
        deadline = time.monotonic() + wait_seconds
        await self._ensure_listener(deadline)
        event = asyncio.Event()
        self._events.setdefault(queue_id, set()).add(event)
        waiter = uuid.uuid4().hex
        try:
            await self._register(queue_id, waiter, wait_seconds)
            while True:
                # Armed before the attempt: a send landing between the attempt and the
                # wait below still wakes us.
                event.clear()
                result = await attempt()
                remaining = deadline - time.monotonic()
                if result.messages or remaining <= 0:
                    return result
                sleep = remaining
                if result.next_visible_ms is not None:
                    until_visible = result.next_visible_ms / 1000 - time.time()
                    sleep = min(sleep, max(until_visible, 0.0) + 0.002)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), sleep)
        finally:
            waiting = self._events.get(queue_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._events[queue_id]
            with contextlib.suppress(RedisError, OSError):
                await self._redis.zrem(self._waiters_key(queue_id), waiter)

    def _waiters_key(self, queue_id: str) -> str:
        return f"{self._prefix}{queue_id}:waiters"

    async def _register(self, queue_id: str, waiter: str, wait_seconds: float) -> None:
        """Registration uses Redis's clock, the one the scripts compare against."""
        ttl = wait_seconds + _REGISTRATION_SLACK_SECONDS
        seconds, micros = await self._redis.time()
        expires = int(seconds) * 1000 + int(micros) // 1000 + int(ttl * 1000)
        key = self._waiters_key(queue_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.zadd(key, {waiter: expires})
        pipe.pexpire(key, int(ttl * 1000))
        await pipe.execute()

    async def _ensure_listener(self, deadline: float) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(), name="sqs-waker")
        if not self._subscribed.is_set():
            timeout = min(_SUBSCRIBE_WAIT_SECONDS, max(deadline - time.monotonic(), 0.0))
            # Without the subscription a poll still ends: at its deadline or next visibility.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), timeout)

    async def _listen(self) -> None:
        backoff = 0.05
        while True:
            pubsub: PubSub = self._redis.pubsub(ignore_subscribe_messages=False)
            try:
                await pubsub.subscribe(self._channel)
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._subscribed.set()
                        backoff = 0.05
                        # Wake-ups may have been missed while we were away: re-check all.
                        self._wake_all()
                    elif message["type"] == "message":
                        self._wake(message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                log.warning("sqs waker lost its subscription (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _RECONNECT_MAX_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _wake(self, data: bytes | str) -> None:
        queue_id = data.decode() if isinstance(data, bytes) else data
        for event in self._events.get(queue_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for events in self._events.values():
            for event in events:
                event.set()

    async def close(self) -> None:
        """Stop the listener (tests; a replica simply exits)."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        self._subscribed.clear()
