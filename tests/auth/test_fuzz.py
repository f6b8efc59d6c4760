"""Garbage in the Authorization header, the presign parameters or an aws-chunked body ends in
an AwsError the client caused (status < 500), never in any other exception."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import AwsChunkedDecoder, SigningCredential, authenticate
from nimbus_gateway.auth.sigv4 import ChunkSigner, Scope
from nimbus_gateway.protocol.http import HttpRequest

from tests.auth.helpers import ACCESS_KEY, NOW, SECRET_KEY, TOKEN, lookup_of, sign_with_botocore

LOOKUP = lookup_of(
    SigningCredential(ACCESS_KEY, "secret"), SigningCredential("AKTEMP", "s", TOKEN, expired=True)
)
FRAGMENTS = st.sampled_from(
    [
        "AWS4-HMAC-SHA256",
        "AWS",
        " ",
        ",",
        "=",
        ";",
        "/",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        ACCESS_KEY,
        "AKTEMP",
        "20260314",
        "us-east-1",
        "s3",
        "sts",
        "aws4_request",
        "host",
        "x-amz-date",
        "0" * 64,
        "\u1234",
        "\udcff",
        "%",
        "\t",
    ]
)
GARBAGE = st.one_of(st.text(max_size=80), st.lists(FRAGMENTS, max_size=16).map("".join))
HEADER_VALUES = st.one_of(
    st.none(),
    GARBAGE,
    st.sampled_from(
        ["20260314T150926Z", "Sat, 14 Mar 2026 15:09:26 GMT", "UNSIGNED-PAYLOAD", "99999"]
    ),
)
PRESIGN_NAMES = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
    "AWSAccessKeyId",
    "Signature",
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _headers(values: dict[str, str | None]) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict(Host="127.0.0.1:9")
    for name, value in values.items():
        if value is not None:
            headers[name] = value
    return headers


async def _only_client_errors(request: HttpRequest, is_s3: bool, service: str | None) -> None:
    try:
        await authenticate(request, LOOKUP, is_s3=is_s3, now=NOW, service=service)
    except AwsError as error:
        assert 400 <= error.http_status < 500, error


@FUZZ
@given(
    authorization=HEADER_VALUES,
    amz_date=HEADER_VALUES,
    date=HEADER_VALUES,
    content_sha256=HEADER_VALUES,
    token=HEADER_VALUES,
    path=st.text(max_size=30),
    is_s3=st.booleans(),
    service=st.sampled_from([None, "sts", "ec2", "s3"]),
)
async def test_garbage_authorization_headers(
    authorization: str | None,
    amz_date: str | None,
    date: str | None,
    content_sha256: str | None,
    token: str | None,
    path: str,
    is_s3: bool,
    service: str | None,
) -> None:
    headers = _headers(
        {
            "Authorization": authorization,
            "X-Amz-Date": amz_date,
            "Date": date,
            "X-Amz-Content-Sha256": content_sha256,
            "X-Amz-Security-Token": token,
            "X-Amz-Decoded-Content-Length": "12",
        }
    )
    await _only_client_errors(HttpRequest("PUT", "/" + path, "", headers, b"x"), is_s3, service)


@FUZZ
@given(
    params=st.dictionaries(st.sampled_from(PRESIGN_NAMES), GARBAGE, max_size=10),
    raw_tail=st.text(max_size=20),
    is_s3=st.booleans(),
)
async def test_garbage_presign_parameters(
    params: dict[str, str], raw_tail: str, is_s3: bool
) -> None:
    query = "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in params.items()
    )
    request = HttpRequest("GET", "/b/k", query + raw_tail, _headers({}))
    await _only_client_errors(request, is_s3, None)


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    b"0",
                    b"5",
                    b"ffffffffffffffff",
                    b";chunk-signature=",
                    b"\r\n",
                    b"hello",
                    b"x-amz-checksum-crc32:",
                    b"AAAA",
                    b":",
                    b"0" * 64,
                ]
            ),
            max_size=20,
        ).map(b"".join),
    ),
    signed=st.booleans(),
    declared=st.lists(st.sampled_from(["x-amz-checksum-crc32", "x-amz-checksum-sha1"]), max_size=2),
    length=st.one_of(st.none(), st.integers(0, 20)),
)
async def test_garbage_chunked_bodies(
    body: bytes, signed: bool, declared: list[str], length: int | None
) -> None:
    async def source() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    signer = ChunkSigner(b"k", "20260314T150926Z", Scope("20260314", "r", "s3"), "0" * 64)
    decoder = AwsChunkedDecoder(
        source(),
        signer=signer if signed else None,
        signed_trailer=signed,
        declared_trailers=declared,
        decoded_length=length,
    )
    try:
        async for _ in decoder:
            pass
    except AwsError as error:
        assert 400 <= error.http_status < 500, error


SIGNED = {
    True: sign_with_botocore(
        "PUT", "http://127.0.0.1:9/b/k%20x?acl", service="s3", s3=True, body=b"data"
    ),
    False: sign_with_botocore(
        "POST",
        "http://127.0.0.1:9/",
        service="sts",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"Action=GetCallerIdentity&Version=2011-06-15",
    ),
}
SIGNED_LOOKUP = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY))


@FUZZ
@given(
    is_s3=st.booleans(),
    target=st.sampled_from(["path", "query", "header", "body"]),
    position=st.integers(0, 400),
    garbage=GARBAGE,
)
async def test_garbage_spliced_into_a_signed_request(
    is_s3: bool, target: str, position: int, garbage: str
) -> None:
    """Deep paths too: every step of verification sees a near-valid request."""
    request = SIGNED[is_s3]
    if target == "path":
        request = replace(request, path=_splice(request.path, position, garbage))
    elif target == "query":
        request = replace(request, query=_splice(request.query, position, garbage))
    elif target == "body":
        request = replace(
            request,
            body=_splice(request.body.decode(), position, garbage).encode("utf-8", "surrogatepass"),
        )
    else:
        headers = request.headers.copy()
        names = list(headers.keys())
        name = names[position % len(names)]
        headers[name] = _splice(headers[name], position, garbage)
        request = replace(request, headers=headers)
    try:
        await authenticate(request, SIGNED_LOOKUP, is_s3=is_s3, now=NOW)
    except AwsError as error:
        assert 400 <= error.http_status < 500, error


def _splice(text: str, position: int, garbage: str) -> str:
    cut = position % (len(text) + 1)
    return text[:cut] + garbage + text[cut:]
