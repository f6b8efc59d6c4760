"""The message store (Redis, atomic Lua scripts). STUB: being written; see model.py."""

from __future__ import annotations

from redis.asyncio import Redis


class MessageStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
