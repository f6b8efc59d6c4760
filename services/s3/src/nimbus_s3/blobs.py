"""Object bytes: streamed in and out in fixed-size chunks, never whole in memory.

A blob is immutable once complete and may back several versions (copies share blobs). It is
unreferenced until a version or part row naming it commits; the collector (nimbus_s3.gc)
spares young blobs, so a write followed by its row's commit is never raced.

The default backend keeps chunks as rows in PostgreSQL so every replica reads every object;
nimbus_s3.blobs_fs keeps them in a directory instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg
from nimbus_core.runtime import Resources

from nimbus_s3 import checksums
from nimbus_s3.settings import S3Settings


@dataclass(frozen=True)
class BlobWritten:
    blob_id: uuid.UUID
    size: int
    md5_hex: str
    # algorithm ("CRC32", ...) -> base64 digest, for each algorithm requested.
    checksums: dict[str, str] = field(default_factory=dict)


class BlobStore(Protocol):
    async def write(
        self, chunks: AsyncIterable[bytes], *, algorithms: Sequence[str] = ()
    ) -> BlobWritten: ...

    def read(
        self, blob_ids: Sequence[uuid.UUID], sizes: Sequence[int], start: int, end: int
    ) -> AsyncIterator[bytes]: ...

    async def discard(self, blob_id: uuid.UUID) -> None:
        """Drop a blob that will never be referenced (failed upload); best effort."""
        ...


class Digests:
    """MD5 plus the requested checksums of a byte stream, fed as it passes."""

    def __init__(self, algorithms: Sequence[str]) -> None:
        self.md5 = hashlib.md5()
        self.hashers = {a: checksums.hasher(a) for a in dict.fromkeys(algorithms)}
        self.size = 0

    def update(self, data: bytes) -> None:
        self.size += len(data)
        self.md5.update(data)
        for h in self.hashers.values():
            h.update(data)

    def result(self, blob_id: uuid.UUID) -> BlobWritten:
        return BlobWritten(
            blob_id=blob_id,
            size=self.size,
            md5_hex=self.md5.hexdigest(),
            checksums={a: checksums.b64(h.digest()) for a, h in self.hashers.items()},
        )


async def mark_complete(pool: asyncpg.Pool, blob_id: uuid.UUID, size: int) -> None:
    """Every byte is in: the blob's age restarts, so the collector spares it until the
    version or part that references it has had time to commit."""
    await pool.execute(
        "UPDATE s3_blobs SET state = 'complete', size = $2, created_at = now() WHERE id = $1",
        blob_id,
        size,
    )


async def rechunk(chunks: AsyncIterable[bytes], size: int) -> AsyncIterator[bytes]:
    """The stream cut into pieces of exactly `size` bytes (the last may be shorter)."""
    buffer = bytearray()
    async for chunk in chunks:
        if not chunk:
            continue
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def spans(sizes: Sequence[int], start: int, end: int) -> list[tuple[int, int, int]]:
    """For bytes [start, end) of concatenated blobs: (blob index, start, end) within each."""
    out: list[tuple[int, int, int]] = []
    offset = 0
    for index, size in enumerate(sizes):
        lo, hi = max(start, offset), min(end, offset + size)
        if lo < hi:
            out.append((index, lo - offset, hi - offset))
        offset += size
    return out


class PostgresBlobStore:
    """Chunks as rows of s3_blob_chunks; one round trip for a blob of one chunk."""

    def __init__(self, pool: asyncpg.Pool, chunk_bytes: int) -> None:
        self._pool = pool
        self._chunk = chunk_bytes
        self._chunk_sizes: OrderedDict[uuid.UUID, int] = OrderedDict()

    async def write(
        self, chunks: AsyncIterable[bytes], *, algorithms: Sequence[str] = ()
    ) -> BlobWritten:
        blob_id = uuid.uuid4()
        digests = Digests(algorithms)
        pieces = aiter(rechunk(chunks, self._chunk))
        first = await anext(pieces, b"")
        digests.update(first)
        second = await anext(pieces, None)
        if second is None:
            # The common small object: blob row and its only chunk in one statement.
            await self._pool.execute(
                "WITH b AS (INSERT INTO s3_blobs (id, state, size, chunk_size)"
                " VALUES ($1, 'complete', $2, $3))"
                " INSERT INTO s3_blob_chunks (blob_id, seq, data) SELECT $1, 0, $4"
                " WHERE $2 > 0",
                blob_id,
                len(first),
                self._chunk,
                first,
            )
            return digests.result(blob_id)
        await self._pool.execute(
            "WITH b AS (INSERT INTO s3_blobs (id, state, size, chunk_size)"
            " VALUES ($1, 'writing', 0, $2))"
            " INSERT INTO s3_blob_chunks (blob_id, seq, data) VALUES ($1, 0, $3)",
            blob_id,
            self._chunk,
            first,
        )
        pending: asyncio.Task[None] | None = None
        seq = 1
        try:
            piece: bytes | None = second
            while piece is not None:
                digests.update(piece)
                if pending is not None:
                    await pending  # at most one chunk in flight while the next one arrives
                pending = asyncio.ensure_future(self._insert(blob_id, seq, piece))
                seq += 1
                piece = await anext(pieces, None)
            if pending is not None:
                await pending
                pending = None
        except BaseException:
            if pending is not None:
                pending.cancel()
            await asyncio.shield(self.discard(blob_id))
            raise
        await mark_complete(self._pool, blob_id, digests.size)
        return digests.result(blob_id)

    async def _insert(self, blob_id: uuid.UUID, seq: int, data: bytes) -> None:
        await self._pool.execute(
            "INSERT INTO s3_blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)",
            blob_id,
            seq,
            data,
        )

    async def discard(self, blob_id: uuid.UUID) -> None:
        # Best effort: the collector removes it later anyway.
        with contextlib.suppress(Exception):
            await self._pool.execute("DELETE FROM s3_blobs WHERE id = $1", blob_id)

    async def _chunk_size(self, blob_id: uuid.UUID) -> int:
        size = self._chunk_sizes.get(blob_id)
        if size is None:
            size = await self._pool.fetchval(
                "SELECT chunk_size FROM s3_blobs WHERE id = $1", blob_id
            )
            if size is None:
                raise LookupError(f"blob {blob_id} is gone")
            self._chunk_sizes[blob_id] = size
            if len(self._chunk_sizes) > 10_000:
                self._chunk_sizes.popitem(last=False)
        return int(size)

    async def _slice(self, blob_id: uuid.UUID, seq: int, lo: int, hi: int) -> bytes:
        """Bytes [lo, hi) of one chunk; substring reads only those bytes of a TOASTed value."""
        data = await self._pool.fetchval(
            "SELECT substring(data FROM $3 FOR $4) FROM s3_blob_chunks"
            " WHERE blob_id = $1 AND seq = $2",
            blob_id,
            seq,
            lo + 1,
            hi - lo,
        )
        if data is None:
            raise LookupError(f"chunk {seq} of blob {blob_id} is gone")
        return bytes(data)

    async def read(
        self, blob_ids: Sequence[uuid.UUID], sizes: Sequence[int], start: int, end: int
    ) -> AsyncIterator[bytes]:
        wanted: list[tuple[uuid.UUID, int, int, int]] = []
        for index, lo, hi in spans(sizes, start, end):
            blob_id = blob_ids[index]
            chunk = self._chunk if sizes[index] <= self._chunk else None
            if chunk is None or blob_id in self._chunk_sizes:
                chunk = await self._chunk_size(blob_id)
            first, last = lo // chunk, (hi - 1) // chunk
            for seq in range(first, last + 1):
                c_lo = max(lo, seq * chunk) - seq * chunk
                c_hi = min(hi, (seq + 1) * chunk) - seq * chunk
                wanted.append((blob_id, seq, c_lo, c_hi))
        # One chunk fetched ahead of the one being sent: latency hidden, memory bounded.
        ahead: asyncio.Task[bytes] | None = None
        try:
            for i, (blob_id, seq, lo, hi) in enumerate(wanted):
                current = ahead or asyncio.ensure_future(self._slice(blob_id, seq, lo, hi))
                ahead = None
                if i + 1 < len(wanted):
                    ahead = asyncio.ensure_future(self._slice(*wanted[i + 1]))
                yield await current
        finally:
            if ahead is not None:
                ahead.cancel()


def blob_store(resources: Resources, settings: S3Settings) -> BlobStore:
    """The configured backend (settings.s3_blob_backend)."""
    if settings.s3_blob_backend == "filesystem":
        from nimbus_s3.blobs_fs import FilesystemBlobStore

        return FilesystemBlobStore(resources.pool, settings.s3_blob_dir, settings.s3_chunk_bytes)
    return PostgresBlobStore(resources.pool, settings.s3_chunk_bytes)
