"""Both blob backends and the collector, directly against a fresh PostgreSQL database:
chunking, ranges across chunks and blobs, checksums while streaming, clean-up of a failed
write, and the two-pass collection."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from nimbus_core import db
from nimbus_core.migrations import apply_migrations, load_migrations
from nimbus_s3 import checksums, gc
from nimbus_s3.blobs import BlobStore, PostgresBlobStore
from nimbus_s3.blobs_fs import FilesystemBlobStore, blob_path
from nimbus_s3.settings import S3Settings

CHUNK = 1000


@pytest.fixture
async def s3_pool(
    pg_server: str, database_name: str, fresh_database: str
) -> AsyncIterator[asyncpg.Pool]:
    await db.ensure_database(pg_server, database_name)
    pool = await db.create_pool(fresh_database, max_size=6)
    async with pool.acquire() as conn:
        await apply_migrations(conn, "core", load_migrations("nimbus_core.schema"))
        await apply_migrations(conn, "s3", load_migrations("nimbus_s3.migrations"))
    yield pool
    await db.close_pool(pool)


@pytest.fixture(params=["postgres", "filesystem"])
def store(request: pytest.FixtureRequest, s3_pool: asyncpg.Pool, tmp_path: Path) -> BlobStore:
    if request.param == "filesystem":
        return FilesystemBlobStore(s3_pool, str(tmp_path), CHUNK)
    return PostgresBlobStore(s3_pool, CHUNK)


async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def read_all(
    store: BlobStore, ids: list[uuid.UUID], sizes: list[int], a: int, b: int
) -> bytes:
    return b"".join([chunk async for chunk in store.read(ids, sizes, a, b)])


async def test_write_and_read_ranges(store: BlobStore, s3_pool: asyncpg.Pool) -> None:
    data = os.urandom(3 * CHUNK + 17)
    written = await store.write(pieces(data, 333), algorithms=["CRC32", "SHA256"])
    assert written.size == len(data)
    assert written.md5_hex == hashlib.md5(data).hexdigest()
    assert written.checksums == {
        "CRC32": checksums.checksum_b64("CRC32", data),
        "SHA256": checksums.checksum_b64("SHA256", data),
    }
    state = await s3_pool.fetchval("SELECT state FROM s3_blobs WHERE id = $1", written.blob_id)
    assert state == "complete"
    ids, sizes = [written.blob_id], [len(data)]
    assert await read_all(store, ids, sizes, 0, len(data)) == data
    for a, b in ((0, 1), (999, 1001), (CHUNK, 2 * CHUNK), (2500, len(data)), (5, 5)):
        assert await read_all(store, ids, sizes, a, b) == data[a:b]


async def test_small_and_empty_blobs_and_concatenation(store: BlobStore) -> None:
    small = await store.write(pieces(b"tiny", 2))
    empty = await store.write(pieces(b"", 1))
    other = await store.write(pieces(b"x" * 1500, 700))
    assert empty.size == 0 and empty.md5_hex == hashlib.md5(b"").hexdigest()
    ids = [small.blob_id, empty.blob_id, other.blob_id]
    sizes = [4, 0, 1500]
    whole = b"tiny" + b"x" * 1500
    assert await read_all(store, ids, sizes, 0, len(whole)) == whole
    assert await read_all(store, ids, sizes, 2, 10) == whole[2:10]


async def test_failed_write_leaves_nothing(store: BlobStore, s3_pool: asyncpg.Pool) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 2500
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.write(broken())
    assert await s3_pool.fetchval("SELECT count(*) FROM s3_blobs") == 0
    assert await s3_pool.fetchval("SELECT count(*) FROM s3_blob_chunks") == 0


async def _reference(pool: asyncpg.Pool, blob_id: uuid.UUID) -> None:
    await pool.execute(
        "INSERT INTO s3_buckets (name, account_id, region, acl) VALUES ('b', '1', 'r', '{}')"
        " ON CONFLICT DO NOTHING"
    )
    await pool.execute(
        "INSERT INTO s3_objects (bucket, key, version_id, is_latest, blob_ids, owner_account)"
        " VALUES ('b', $1, 'null', true, $2, '1')",
        str(blob_id),
        [blob_id],
    )


async def _age(pool: asyncpg.Pool, seconds: float) -> None:
    await pool.execute(
        "UPDATE s3_blobs SET created_at = created_at - make_interval(secs => $1),"
        " orphaned_at = orphaned_at - make_interval(secs => $1)",
        seconds,
    )


async def test_collector_two_passes(
    store: BlobStore, s3_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    settings = S3Settings(
        s3_gc_grace_seconds=60,
        s3_blob_backend="filesystem" if isinstance(store, FilesystemBlobStore) else "postgres",
        s3_blob_dir=str(tmp_path),
    )
    kept = await store.write(pieces(b"k" * 2500, 1000))
    orphan = await store.write(pieces(b"o" * 2500, 1000))
    young = await store.write(pieces(b"y" * 10, 10))
    await _reference(s3_pool, kept.blob_id)
    await _age(s3_pool, 120)
    young_age: Any = await s3_pool.execute(
        "UPDATE s3_blobs SET created_at = now() WHERE id = $1", young.blob_id
    )
    assert young_age == "UPDATE 1"

    # First pass: the old orphan is marked, not yet deleted; the young one is spared.
    assert await gc.collect_once(s3_pool, settings) == 0
    marked = {
        r["id"]
        for r in await s3_pool.fetch("SELECT id FROM s3_blobs WHERE orphaned_at IS NOT NULL")
    }
    assert marked == {orphan.blob_id}
    # A pass within the grace deletes nothing.
    assert await gc.collect_once(s3_pool, settings) == 0
    # After the grace: gone, with its chunks (or file); the referenced blob stays.
    await _age(s3_pool, 120)
    assert await gc.collect_once(s3_pool, settings) == 1
    ids = {r["id"] for r in await s3_pool.fetch("SELECT id FROM s3_blobs")}
    assert ids == {kept.blob_id, young.blob_id}
    left = await s3_pool.fetchval(
        "SELECT count(*) FROM s3_blob_chunks WHERE blob_id = $1", orphan.blob_id
    )
    assert left == 0
    if isinstance(store, FilesystemBlobStore):
        assert not blob_path(str(tmp_path), orphan.blob_id).exists()
        assert blob_path(str(tmp_path), kept.blob_id).exists()
    assert await read_all(store, [kept.blob_id], [2500], 0, 2500) == b"k" * 2500


async def test_collector_spares_blobs_being_written(s3_pool: asyncpg.Pool) -> None:
    settings = S3Settings(s3_gc_grace_seconds=1)
    blob_id = uuid.uuid4()
    await s3_pool.execute(
        "INSERT INTO s3_blobs (id, state, chunk_size, created_at)"
        " VALUES ($1, 'writing', 10, now() - interval '10 minutes')",
        blob_id,
    )
    await gc.collect_once(s3_pool, settings)
    assert await s3_pool.fetchval("SELECT orphaned_at FROM s3_blobs WHERE id = $1", blob_id) is None
