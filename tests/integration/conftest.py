"""Integration fixtures: a fresh database carrying the core schema (and the sqs one), and its
pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from nimbus_core import db
from nimbus_core.migrations import apply_migrations, load_migrations


@pytest.fixture
async def core_pool(
    pg_server: str, database_name: str, fresh_database: str
) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the outbox tables in it."""
    await db.ensure_database(pg_server, database_name)
    pool = await db.create_pool(fresh_database, max_size=8)
    async with pool.acquire() as conn:
        await apply_migrations(conn, "core", load_migrations("nimbus_core.schema"))
    yield pool
    await db.close_pool(pool)


@pytest.fixture
async def sqs_pool(core_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """A fresh database carrying the core and the sqs schema (fresh_database drops it)."""
    async with core_pool.acquire() as conn:
        await apply_migrations(conn, "sqs", load_migrations("nimbus_sqs.migrations"))
    yield core_pool
