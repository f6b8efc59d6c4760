"""The aws-chunked decoder: any split of the input, and S3's answer to each framing fault."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence

import pytest
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import AwsChunkedDecoder
from nimbus_gateway.auth.sigv4 import ChunkSigner, Scope

KEY = b"k" * 32
SEED = "0" * 64
TIMESTAMP = "20260314T150926Z"
SCOPE = Scope("20260314", "us-east-1", "s3")


def signer() -> ChunkSigner:
    return ChunkSigner(KEY, TIMESTAMP, SCOPE, SEED)


def encode(
    chunks: Sequence[bytes],
    *,
    signed: bool = True,
    trailers: dict[str, str] | None = None,
    sign_trailer: bool = False,
) -> bytes:
    chain = signer()
    out = b""
    for chunk in [*chunks, b""]:
        extension = f";chunk-signature={chain.chunk_signature(chunk)}" if signed else ""
        out += f"{len(chunk):x}{extension}\r\n".encode() + chunk
        if chunk:
            out += b"\r\n"
    for name, value in (trailers or {}).items():
        out += f"{name}:{value}\r\n".encode()
    if sign_trailer:
        canonical = "".join(f"{n}:{v}\n" for n, v in (trailers or {}).items()).encode()
        out += f"x-amz-trailer-signature:{chain.trailer_signature(canonical)}\r\n".encode()
    return out + b"\r\n"


async def pieces(data: bytes, sizes: Sequence[int]) -> AsyncIterator[bytes]:
    offset = 0
    for size in sizes:
        yield data[offset : offset + size]
        offset += size
    if offset < len(data):
        yield data[offset:]


async def decode(
    data: bytes,
    *,
    signed: bool = True,
    declared: Sequence[str] = (),
    length: int | None = None,
    sign_trailer: bool = False,
    sizes: Sequence[int] = (),
) -> tuple[bytes, dict[str, str]]:
    decoder = AwsChunkedDecoder(
        pieces(data, sizes),
        signer=signer() if signed else None,
        signed_trailer=sign_trailer,
        declared_trailers=declared,
        decoded_length=length,
    )
    payload = b"".join([piece async for piece in decoder])
    assert decoder.complete
    return payload, decoder.trailers


async def fails(data: bytes, **kwargs: object) -> AwsError:
    with pytest.raises(AwsError) as raised:
        await decode(data, **kwargs)  # type: ignore[arg-type]
    return raised.value


CHUNKS = [b"x" * 8192, b"y" * 10000, b"z" * 5]


@pytest.mark.parametrize("seed", range(8))
async def test_any_split_of_the_input_decodes_the_same(seed: int) -> None:
    body = encode(CHUNKS, trailers={"x-amz-checksum-crc32": "AAAAAA=="}, sign_trailer=True)
    rng = random.Random(seed)
    sizes = [rng.choice([1, 2, 3, 7, 100, 4096, 9000]) for _ in range(len(body))]
    payload, trailers = await decode(
        body,
        declared=["x-amz-checksum-crc32"],
        length=18197,
        sign_trailer=True,
        sizes=sizes,
    )
    assert payload == b"".join(CHUNKS)
    assert trailers == {"x-amz-checksum-crc32": "AAAAAA=="}


async def test_unsigned_chunks_with_a_trailer() -> None:
    body = encode([b"hello", b"!"], signed=False, trailers={"x-amz-checksum-sha256": "abc="})
    payload, trailers = await decode(
        body, signed=False, declared=["x-amz-checksum-sha256"], length=6, sizes=[1] * 40
    )
    assert (payload, trailers) == (b"hello!", {"x-amz-checksum-sha256": "abc="})


async def test_an_empty_body() -> None:
    assert await decode(encode([]), length=0) == (b"", {})


async def test_a_bad_chunk_signature() -> None:
    body = encode(CHUNKS).replace(b"y" * 10, b"Y" + b"y" * 9, 1)
    error = await fails(body)
    assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)


async def test_chunks_out_of_order_break_the_chain() -> None:
    first = encode([b"a" * 9000])
    second = encode([b"b" * 9000])
    spliced = second.split(b"\r\n0;")[0] + b"\r\n0;" + first.split(b"\r\n0;")[1]
    assert (await fails(spliced)).code == "SignatureDoesNotMatch"


async def test_a_small_chunk_before_the_last() -> None:
    error = await fails(encode([b"hel", b"lo"]))
    assert (error.code, error.http_status) == ("InvalidChunkSizeError", 403)
    assert error.message == "Only the last chunk is allowed to have a size less than 8192 bytes"
    assert error.extra == {"Chunk": "2", "BadChunkSize": "3"}
    # Unsigned chunks have no minimum.
    assert (await decode(encode([b"hel", b"lo"], signed=False), signed=False))[0] == b"hello"


@pytest.mark.parametrize("cut", [1, 10, 8200, 18300, -3, -1])
async def test_a_truncated_body(cut: int) -> None:
    body = encode(CHUNKS)
    error = await fails(body[:cut])
    assert (error.code, error.http_status) == ("IncompleteBody", 400)


@pytest.mark.parametrize(
    "body",
    [
        b"zz;chunk-signature=00\r\n",
        b"5;chunk-signature=" + b"0" * 64 + b"\r\nhelloXX",
        b"1" * 5000,
        b";chunk-signature=00\r\n",
    ],
)
async def test_malformed_framing(body: bytes) -> None:
    error = await fails(body)
    assert (error.code, error.http_status) == ("InvalidRequest", 400)


async def test_a_missing_chunk_signature() -> None:
    body = encode([b"hello"], signed=False)
    assert (await fails(body)).code == "InvalidRequest"


async def test_the_decoded_length_must_match() -> None:
    body = encode(CHUNKS)
    for length in (18196, 18198):
        error = await fails(body, length=length)
        assert (error.code, error.http_status) == ("IncompleteBody", 400)


@pytest.mark.parametrize(
    ("trailers", "declared"),
    [
        ({}, ["x-amz-checksum-crc32"]),  # declared, never sent
        ({"x-amz-checksum-crc32": "AAAAAA=="}, []),  # sent, never declared
        ({"x-amz-checksum-crc32c": "AAAAAA=="}, ["x-amz-checksum-crc32"]),
    ],
)
async def test_trailers_must_be_the_declared_ones(
    trailers: dict[str, str], declared: list[str]
) -> None:
    body = encode([b"data"], signed=False, trailers=trailers)
    error = await fails(body, signed=False, declared=declared)
    assert (error.code, error.http_status) == ("MalformedTrailerError", 400)


async def test_a_trailer_line_without_a_colon() -> None:
    body = encode([b"data"], signed=False)[:-2] + b"garbage\r\n\r\n"
    assert (await fails(body, signed=False)).code == "MalformedTrailerError"


async def test_a_signed_trailer_needs_its_signature() -> None:
    trailers = {"x-amz-checksum-crc32": "AAAAAA=="}
    body = encode(CHUNKS, trailers=trailers)
    error = await fails(body, declared=list(trailers), sign_trailer=True)
    assert error.code == "SignatureDoesNotMatch"
    forged = encode(CHUNKS, trailers=trailers, sign_trailer=True).replace(b"AAAAAA", b"BBBBBB")
    error = await fails(forged, declared=list(trailers), sign_trailer=True)
    assert error.code == "SignatureDoesNotMatch"
