"""PostgreSQL access: create a service's database once, and open its asyncpg pool."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from nimbus_core.settings import dsn_for

log = logging.getLogger(__name__)

# Advisory lock key on the maintenance database, so replicas starting together don't race
# on CREATE DATABASE (which cannot run inside a transaction).
_CREATE_DATABASE_LOCK = 0x4E494D42  # "NIMB"


async def ensure_database(server_dsn: str, database: str) -> None:
    """Create database unless it exists; safe when many processes call it at once."""
    conn = await connect_with_retry(dsn_for(server_dsn, "postgres"))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _CREATE_DATABASE_LOCK)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
            if not exists:
                quoted = '"' + database.replace('"', '""') + '"'
                await conn.execute(f"CREATE DATABASE {quoted}")
                log.info("created database", extra={"database": database})
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _CREATE_DATABASE_LOCK)
    finally:
        await conn.close()


async def connect_with_retry(dsn: str, timeout: float = 30.0) -> asyncpg.Connection:
    """Connect, retrying while the server is still starting."""
    deadline = asyncio.get_running_loop().time() + timeout
    delay = 0.1
    while True:
        try:
            return await asyncpg.connect(dsn)
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError):
            if asyncio.get_running_loop().time() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """An asyncpg pool for one database."""
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
    assert pool is not None
    return pool


async def close_pool(pool: asyncpg.Pool, timeout: float = 5.0) -> None:
    """Close gracefully, but never hang a shutdown on a stuck connection."""
    try:
        await asyncio.wait_for(pool.close(), timeout)
    except TimeoutError:
        log.warning("pool did not close in %.0fs; terminating its connections", timeout)
        pool.terminate()
