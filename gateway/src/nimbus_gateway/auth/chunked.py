"""Decoding aws-chunked request bodies (S3 uploads whose x-amz-content-sha256 is one of the
STREAMING-* values): the framing is removed, signed chunks are checked against the signature
chain that starts at the request's seed signature, and trailing headers (checksums) are
parsed, checked against x-amz-trailer and, for the signed-trailer variant, their signature.

Framing, as AWS documents it:

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=<sig>]\\r\\n
    [<trailer name>:<value>\\r\\n ... [x-amz-trailer-signature:<sig>\\r\\n]]\\r\\n
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Sequence

from nimbus_gateway.auth import errors
from nimbus_gateway.auth.payload import STREAMING_MODES
from nimbus_gateway.auth.sigv4 import ChunkSigner, same_signature
from nimbus_gateway.auth.verify import Authenticated

MIN_CHUNK_SIZE = 8192  # every signed chunk but the last must be at least this big
MAX_SIGNED_CHUNK = 64 * 1024 * 1024  # a signed chunk is held whole until its signature checks
MAX_HEADER_LINE = 4096
MAX_TRAILER_BYTES = 16 * 1024
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


class AwsChunkedDecoder:
    """Iterate it (once) for the decoded payload; after the iteration ends, `trailers` holds the
    trailing headers (e.g. {"x-amz-checksum-crc32": "..."}). Any failure raises AwsError, and
    the consumer must then discard what it already received."""

    def __init__(
        self,
        source: AsyncIterable[bytes],
        *,
        signer: ChunkSigner | None = None,
        signed_trailer: bool = False,
        declared_trailers: Sequence[str] = (),
        decoded_length: int | None = None,
    ) -> None:
        self._source = source
        self._signer = signer
        self._signed_trailer = signed_trailer
        self._declared = tuple(name.lower() for name in declared_trailers)
        self._decoded_length = decoded_length
        self._buffer = bytearray()
        self._eof = False
        self.trailers: dict[str, str] = {}
        self.complete = False
        self._iterator: AsyncIterator[bytes] | None = None

    @classmethod
    def for_request(cls, auth: Authenticated, source: AsyncIterable[bytes]) -> AwsChunkedDecoder:
        """The decoder an authenticated streaming request's body needs."""
        if auth.payload not in STREAMING_MODES:
            raise ValueError(f"payload {auth.payload!r} is not aws-chunked")
        return cls(
            source,
            signer=auth.chunk_signer(),
            signed_trailer=auth.payload == "streaming-signed-trailer",
            declared_trailers=auth.trailers,
            decoded_length=auth.decoded_content_length,
        )

    def __aiter__(self) -> AwsChunkedDecoder:
        return self

    async def __anext__(self) -> bytes:
        """The decoder is its own (single-pass) iterator, so whoever streams the body can
        read `trailers` off the same object once the iteration is over."""
        if self._iterator is None:
            self._iterator = self._decode()
        return await anext(self._iterator)

    async def _decode(self) -> AsyncIterator[bytes]:
        source = aiter(self._source)
        total = 0
        number = 0
        previous_size: int | None = None
        while True:
            size, claimed = self._chunk_header(await self._line(source))
            number += 1
            if size == 0:
                break
            signed = self._signer is not None
            if signed and previous_size is not None and previous_size < MIN_CHUNK_SIZE:
                raise errors.invalid_chunk_size(number, previous_size)
            previous_size = size
            total += size
            if self._decoded_length is not None and total > self._decoded_length:
                raise errors.decoded_length_mismatch()
            if self._signer is None:
                async for piece in self._data(source, size):
                    yield piece
            else:
                if size > MAX_SIGNED_CHUNK:
                    raise errors.malformed_chunk()
                data = b"".join([piece async for piece in self._data(source, size)])
                await self._chunk_end(source)
                self._check_chunk(data, claimed)
                yield data
                continue
            await self._chunk_end(source)
        self._check_chunk(b"", claimed)
        await self._trailer(source)
        if self._decoded_length is not None and total != self._decoded_length:
            raise errors.decoded_length_mismatch()
        self.complete = True

    async def _more(self, source: AsyncIterator[bytes]) -> None:
        if self._eof:
            raise errors.incomplete_body()
        try:
            piece = await anext(source)
        except StopAsyncIteration:
            self._eof = True
            return
        self._buffer.extend(piece)

    async def _fill(self, source: AsyncIterator[bytes], count: int) -> None:
        while len(self._buffer) < count:
            await self._more(source)

    async def _chunk_end(self, source: AsyncIterator[bytes]) -> None:
        await self._fill(source, 2)
        if self._buffer[:2] != b"\r\n":
            raise errors.malformed_chunk()
        del self._buffer[:2]

    async def _line(self, source: AsyncIterator[bytes]) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > MAX_HEADER_LINE:
                raise errors.malformed_chunk()
            await self._more(source)
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    async def _data(self, source: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
        remaining = size
        while remaining:
            if not self._buffer:
                await self._more(source)
                continue
            piece = bytes(self._buffer[:remaining])
            del self._buffer[: len(piece)]
            remaining -= len(piece)
            yield piece

    def _chunk_header(self, line: bytes) -> tuple[int, str | None]:
        size_text, *extensions = line.split(b";")
        if not _HEX_SIZE.fullmatch(size_text.strip()):
            raise errors.malformed_chunk()
        claimed: str | None = None
        for extension in extensions:
            name, _, value = extension.partition(b"=")
            if name.strip() == b"chunk-signature":
                claimed = value.strip().decode("latin-1")
        if self._signer is not None and not claimed:
            raise errors.malformed_chunk()
        return int(size_text, 16), claimed

    def _check_chunk(self, data: bytes, claimed: str | None) -> None:
        if self._signer is None:
            return
        if not same_signature(claimed or "", self._signer.chunk_signature(data)):
            raise errors.signature_mismatch("s3")

    async def _trailer(self, source: AsyncIterator[bytes]) -> None:
        """Everything after the last chunk: trailing headers, then an empty line."""
        while not self._eof:
            await self._more(source)
            if len(self._buffer) > MAX_TRAILER_BYTES:
                raise errors.malformed_trailer()
        tail = bytes(self._buffer)
        if not tail.endswith(b"\r\n"):
            raise errors.incomplete_body()
        claimed_signature: str | None = None
        for line in tail[:-2].split(b"\r\n"):
            if not line:
                continue
            name_bytes, colon, value_bytes = line.partition(b":")
            if not colon:
                raise errors.malformed_trailer()
            name = name_bytes.decode("latin-1").strip().lower()
            value = value_bytes.decode("latin-1").strip()
            if name == TRAILER_SIGNATURE:
                claimed_signature = value
            elif name not in self._declared or name in self.trailers:
                raise errors.malformed_trailer()
            else:
                self.trailers[name] = value
        if set(self.trailers) != set(self._declared):
            raise errors.malformed_trailer()
        if self._signed_trailer and self._signer is not None:
            canonical = "".join(f"{name}:{value}\n" for name, value in self.trailers.items())
            expected = self._signer.trailer_signature(canonical.encode("latin-1", "replace"))
            if not same_signature(claimed_signature or "", expected):
                raise errors.signature_mismatch("s3")


async def decode_chunked_body(auth: Authenticated, body: bytes) -> tuple[bytes, dict[str, str]]:
    """An in-memory aws-chunked body decoded: (payload, trailing headers)."""

    async def single() -> AsyncIterator[bytes]:
        yield body

    decoder = AwsChunkedDecoder.for_request(auth, single())
    payload = b"".join([piece async for piece in decoder])
    return payload, decoder.trailers
