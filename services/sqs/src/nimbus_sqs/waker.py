"""Long-poll wake-ups across replicas (Redis pub/sub). STUB: being written."""

from __future__ import annotations

from redis.asyncio import Redis


class Waker:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
