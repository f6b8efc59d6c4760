"""The filesystem blob backend: one file per blob under s3_blob_dir (single node or a
shared volume). The s3_blobs row is still written, so the collector finds orphans the same
way for both backends; it deletes the file before the row."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from pathlib import Path

import asyncpg

from nimbus_s3.blobs import BlobWritten, Digests, mark_complete, rechunk, spans


def blob_path(root: str, blob_id: uuid.UUID) -> Path:
    name = blob_id.hex
    return Path(root) / name[:2] / name


def _append(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(handle, view)
        view = view[written:]


def _read(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as f:
        f.seek(offset)
        return f.read(length)


class FilesystemBlobStore:
    def __init__(self, pool: asyncpg.Pool, root: str, chunk_bytes: int) -> None:
        if not root:
            raise RuntimeError("s3_blob_backend=filesystem needs NIMBUS_S3_BLOB_DIR")
        self._pool = pool
        self._root = root
        self._chunk = chunk_bytes

    async def write(
        self, chunks: AsyncIterable[bytes], *, algorithms: Sequence[str] = ()
    ) -> BlobWritten:
        blob_id = uuid.uuid4()
        path = blob_path(self._root, blob_id)
        await self._pool.execute(
            "INSERT INTO s3_blobs (id, state, size, chunk_size) VALUES ($1, 'writing', 0, $2)",
            blob_id,
            self._chunk,
        )
        digests = Digests(algorithms)
        try:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            handle = await asyncio.to_thread(
                os.open, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
            )
            try:
                async for piece in rechunk(chunks, self._chunk):
                    digests.update(piece)
                    await asyncio.to_thread(_append, handle, piece)
                await asyncio.to_thread(os.fsync, handle)  # durable before the row commits
            finally:
                os.close(handle)
        except BaseException:
            await asyncio.shield(self.discard(blob_id))
            raise
        await mark_complete(self._pool, blob_id, digests.size)
        return digests.result(blob_id)

    async def discard(self, blob_id: uuid.UUID) -> None:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(remove_file, self._root, blob_id)
            await self._pool.execute("DELETE FROM s3_blobs WHERE id = $1", blob_id)

    async def read(
        self, blob_ids: Sequence[uuid.UUID], sizes: Sequence[int], start: int, end: int
    ) -> AsyncIterator[bytes]:
        for index, lo, hi in spans(sizes, start, end):
            path = blob_path(self._root, blob_ids[index])
            offset = lo
            while offset < hi:
                length = min(self._chunk, hi - offset)
                data = await asyncio.to_thread(_read, path, offset, length)
                if len(data) != length:
                    raise LookupError(f"blob {blob_ids[index]} is truncated")
                yield data
                offset += length


def remove_file(root: str, blob_id: uuid.UUID) -> None:
    """Delete a blob's file (the collector calls it before deleting the row)."""
    with contextlib.suppress(FileNotFoundError):
        blob_path(root, blob_id).unlink()
