"""Requests built and signed by botocore itself (the SDK Nimbus must be indistinguishable to),
captured after signing and verified; then tampered with, one thing at a time."""

from __future__ import annotations

import base64
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import (
    SigningCredential,
    authenticate,
    decode_chunked_body,
    verify_sha256,
)
from nimbus_gateway.auth.errors import S3_SIGNATURE_MISMATCH, SIGNATURE_MISMATCH
from nimbus_gateway.protocol.http import HttpRequest

from tests.auth.helpers import (
    ACCESS_KEY,
    DEFAULT_LOOKUP,
    NOW,
    SECRET_KEY,
    TOKEN,
    capture,
    client,
    frozen_signing_clock,
    lookup_of,
)

# (name, is_s3, service, build) for one representative call of each protocol.
Build = Callable[[], HttpRequest]


def _sqs() -> HttpRequest:
    sqs = client("sqs")
    return capture(sqs.send_message, QueueUrl="http://127.0.0.1:9/000000000000/q", MessageBody="hi")


def _iam() -> HttpRequest:
    return capture(client("iam").list_users, PathPrefix="/a b/")


def _sts() -> HttpRequest:
    return capture(client("sts").get_caller_identity)


def _ec2() -> HttpRequest:
    ec2 = client("ec2")
    return capture(ec2.describe_instances, Filters=[{"Name": "tag:Name", "Values": ["x y"]}])


def _route53() -> HttpRequest:
    return capture(client("route53").list_hosted_zones)


def _s3_put() -> HttpRequest:
    s3 = client("s3")
    return capture(s3.put_object, Bucket="bucket", Key="dir/a b+c~é!", Body=b"hello nimbus")


def _s3_get() -> HttpRequest:
    s3 = client("s3")
    return capture(s3.list_objects_v2, Bucket="bucket", Prefix="a b/c+d", Delimiter="/")


SERVICES: list[tuple[str, bool, str, Build]] = [
    ("sqs-json", False, "sqs", _sqs),
    ("iam-query", False, "iam", _iam),
    ("sts-query", False, "sts", _sts),
    ("ec2", False, "ec2", _ec2),
    ("route53-restxml", False, "route53", _route53),
    ("s3-put", True, "s3", _s3_put),
    ("s3-list", True, "s3", _s3_get),
]
IDS = [name for name, *_ in SERVICES]


async def _auth(request: HttpRequest, is_s3: bool, service: str, **kwargs: Any) -> Any:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("lookup", DEFAULT_LOOKUP)
    return await authenticate(request, kwargs.pop("lookup"), is_s3=is_s3, service=service, **kwargs)


async def _fails(request: HttpRequest, is_s3: bool, service: str, **kwargs: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        await _auth(request, is_s3, service, **kwargs)
    return raised.value


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_botocore_requests_authenticate(
    name: str, is_s3: bool, service: str, build: Build
) -> None:
    request = build()
    auth = await _auth(request, is_s3, service)
    assert auth is not None
    assert (auth.access_key_id, auth.region, auth.service) == (ACCESS_KEY, "us-east-1", service)
    assert auth.payload == "signed" and not auth.presigned
    assert "host" in auth.signed_headers


def _flip(text: str) -> str:
    return ("0" if text[0] != "0" else "1") + text[1:]


def _with_signature(request: HttpRequest, change: Callable[[str], str]) -> HttpRequest:
    headers = request.headers.copy()
    head, _, signature = headers["Authorization"].rpartition("Signature=")
    headers["Authorization"] = head + "Signature=" + change(signature)
    return replace(request, headers=headers)


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_one_changed_signature_character_is_signature_does_not_match(
    name: str, is_s3: bool, service: str, build: Build
) -> None:
    error = await _fails(_with_signature(build(), _flip), is_s3, service)
    assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)
    if is_s3:
        assert error.message == S3_SIGNATURE_MISMATCH
        assert error.extra["AWSAccessKeyId"] == ACCESS_KEY
        assert error.extra["StringToSign"].startswith("AWS4-HMAC-SHA256\n20260314T150926Z\n")
        assert error.extra["CanonicalRequest"].split("\n")[0] == build().method
        assert error.extra["SignatureProvided"].startswith(("0", "1"))
        assert error.extra["StringToSignBytes"].startswith("41 57 53 34 2d")
    else:
        assert error.message == SIGNATURE_MISMATCH
        assert error.extra == {}


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_a_changed_signed_header_is_signature_does_not_match(
    name: str, is_s3: bool, service: str, build: Build
) -> None:
    request = build()
    headers = request.headers.copy()
    headers["Host"] = "127.0.0.2:9"
    error = await _fails(replace(request, headers=headers), is_s3, service)
    assert error.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_a_changed_date_is_caught(name: str, is_s3: bool, service: str, build: Build) -> None:
    request = build()
    headers = request.headers.copy()
    headers["X-Amz-Date"] = "20260314T150927Z"  # one second later: same scope, other signature
    error = await _fails(replace(request, headers=headers), is_s3, service)
    assert error.code == "SignatureDoesNotMatch"

    headers["X-Amz-Date"] = "20260315T150926Z"  # another day: the credential scope disagrees
    error = await _fails(replace(request, headers=headers), is_s3, service, now=NOW + timedelta(1))
    if is_s3:
        assert (error.code, error.http_status) == ("AuthorizationHeaderMalformed", 400)
        assert error.message == (
            'The authorization header is malformed; Invalid credential date "20260314". '
            'This date is not the same as X-Amz-Date: "20260315".'
        )
    else:
        assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)
        assert error.message == (
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            "from HTTP: '20260314' != '20260315', from '20260315T150926Z'."
        )


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_a_changed_body_is_caught(name: str, is_s3: bool, service: str, build: Build) -> None:
    request = build()
    error = await _fails(replace(request, body=request.body + b" "), is_s3, service)
    if is_s3:
        assert (error.code, error.http_status) == ("XAmzContentSHA256Mismatch", 400)
        assert error.extra["S3ComputedContentSHA256"] != error.extra["ClientComputedContentSHA256"]
    else:
        assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
@pytest.mark.parametrize("minutes", [16, -16])
async def test_clock_skew_over_fifteen_minutes(
    name: str, is_s3: bool, service: str, build: Build, minutes: int
) -> None:
    request = build()
    assert await _auth(request, is_s3, service, now=NOW + timedelta(minutes=14)) is not None
    now = NOW + timedelta(minutes=minutes)
    error = await _fails(request, is_s3, service, now=now)
    if is_s3:
        assert (error.code, error.http_status) == ("RequestTimeTooSkewed", 403)
        assert error.message == (
            "The difference between the request time and the current time is too large."
        )
        assert error.extra["RequestTime"] == "20260314T150926Z"
        assert error.extra["MaxAllowedSkewMilliseconds"] == "900000"
    elif service == "ec2":
        assert (error.code, error.http_status, error.message) == (
            "RequestExpired",
            400,
            "Request has expired.",
        )
    elif minutes > 0:
        assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)
        assert error.message == (
            "Signature expired: 20260314T150926Z is now earlier than 20260314T151026Z "
            "(20260314T152526Z - 15 min.)"
        )
    else:
        assert error.message == (
            "Signature not yet current: 20260314T150926Z is still later than 20260314T150826Z "
            "(20260314T145326Z + 15 min.)"
        )


@pytest.mark.parametrize(("name", "is_s3", "service", "build"), SERVICES, ids=IDS)
async def test_unknown_access_key(name: str, is_s3: bool, service: str, build: Build) -> None:
    error = await _fails(build(), is_s3, service, lookup=lookup_of())
    expected = {
        True: (
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        False: (
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        ),
    }[is_s3]
    if service == "ec2":
        expected = (
            "AuthFailure",
            401,
            "AWS was not able to validate the provided access credentials",
        )
    assert (error.code, error.http_status, error.message) == expected
    if is_s3:
        assert error.extra == {"AWSAccessKeyId": ACCESS_KEY}


@pytest.mark.parametrize(("service", "is_s3"), [("s3", True), ("sts", False), ("ec2", False)])
async def test_session_tokens(service: str, is_s3: bool) -> None:
    made = client(service, token=TOKEN)
    call: dict[str, tuple[Any, dict[str, Any]]] = {
        "s3": (made.put_object if is_s3 else None, {"Bucket": "b", "Key": "k", "Body": b"x"}),
        "sts": (made.get_caller_identity if service == "sts" else None, {}),
        "ec2": (made.describe_vpcs if service == "ec2" else None, {}),
    }
    method, kwargs = call[service]
    request = capture(method, **kwargs)
    right = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, TOKEN))
    auth = await _auth(request, is_s3, service, lookup=right)
    assert auth is not None and auth.session_token == TOKEN

    other = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, TOKEN + "x"))
    error = await _fails(request, is_s3, service, lookup=other)
    expected = {"s3": ("InvalidToken", 400), "sts": ("InvalidClientTokenId", 403)}
    assert (error.code, error.http_status) == expected.get(service, ("AuthFailure", 401))

    expired = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, TOKEN, expired=True))
    error = await _fails(request, is_s3, service, lookup=expired)
    if service == "s3":
        assert (error.code, error.http_status) == ("ExpiredToken", 400)
        assert error.message == "The provided token has expired."
        assert error.extra == {"Token-0": TOKEN}
    elif service == "sts":
        assert (error.code, error.http_status) == ("ExpiredToken", 403)
        assert error.message == "The security token included in the request is expired"
    else:
        assert (error.code, error.http_status) == ("RequestExpired", 400)


async def test_a_temporary_key_without_its_token_is_unknown() -> None:
    request = capture(client("s3").head_bucket, Bucket="b")
    temporary = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, TOKEN))
    error = await _fails(request, True, "s3", lookup=temporary)
    assert error.code == "InvalidAccessKeyId"


async def test_the_wrong_service_in_the_scope_is_refused() -> None:
    request = _sts()
    error = await _fails(request, False, "iam")
    assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 403)
    assert error.message == "Credential should be scoped to correct service: 'iam'. "


async def test_an_unsigned_amz_header_is_refused_by_s3() -> None:
    request = _s3_put()
    headers = request.headers.copy()
    headers["x-amz-acl"] = "public-read"
    error = await _fails(replace(request, headers=headers), True, "s3")
    assert (error.code, error.http_status) == ("AccessDenied", 403)
    assert error.message == "There were headers present in the request which were not signed"
    assert error.extra == {"HeadersNotSigned": "x-amz-acl"}


async def test_a_streamed_signed_body_is_left_to_the_caller() -> None:
    body = _s3_put().body
    request = replace(_s3_put(), body=b"", body_streamed=True)
    auth = await _auth(request, True, "s3")
    assert auth.payload == "signed"
    assert auth.content_sha256 is not None

    async def stream(data: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(data), 5):
            yield data[start : start + 5]

    assert b"".join([p async for p in verify_sha256(stream(body), auth.content_sha256)]) == body
    with pytest.raises(AwsError) as raised:
        async for _ in verify_sha256(stream(body + b"!"), auth.content_sha256):
            pass
    assert raised.value.code == "XAmzContentSHA256Mismatch"


# --- presigned URLs ------------------------------------------------------------------------


def _presigned(expires: int = 300, **params: Any) -> HttpRequest:
    # boto3 presigns S3 with SigV2 unless told otherwise (see tests/auth/test_sigv2.py).
    s3 = client("s3", signature_version="s3v4")
    with frozen_signing_clock():
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "a b/ü", **params}, ExpiresIn=expires
        )
    parts = urlsplit(url)
    return HttpRequest("GET", parts.path, parts.query, CIMultiDict(Host=parts.netloc))


async def test_a_presigned_url_authenticates_until_it_expires() -> None:
    request = _presigned(300, ResponseContentType="text/plain; charset=utf-8")
    auth = await _auth(request, True, "s3", now=NOW + timedelta(seconds=300))
    assert auth.presigned and auth.payload == "unsigned"

    error = await _fails(request, True, "s3", now=NOW + timedelta(seconds=301))
    assert (error.code, error.http_status, error.message) == (
        "AccessDenied",
        403,
        "Request has expired",
    )
    assert error.extra == {
        "X-Amz-Expires": "300",
        "Expires": "2026-03-14T15:14:26Z",
        "ServerTime": "2026-03-14T15:14:27Z",
    }


async def test_a_default_boto3_presigned_url_is_sigv2_and_authenticates() -> None:
    s3 = client("s3")
    with frozen_signing_clock():
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    parts = urlsplit(url)
    assert "AWSAccessKeyId=" in parts.query and "X-Amz-Algorithm" not in parts.query
    request = HttpRequest("GET", parts.path, parts.query, CIMultiDict(Host=parts.netloc))
    auth = await _auth(request, True, "s3")
    assert auth.presigned and auth.access_key_id == ACCESS_KEY and auth.payload == "unsigned"


async def test_a_presigned_url_from_the_future_is_not_yet_valid() -> None:
    error = await _fails(_presigned(), True, "s3", now=NOW - timedelta(hours=1))
    assert (error.code, error.http_status, error.message) == (
        "AccessDenied",
        403,
        "Request is not yet valid",
    )


async def test_a_tampered_presigned_url_does_not_match() -> None:
    request = _presigned()
    error = await _fails(replace(request, query=request.query + "&versionId=1"), True, "s3")
    assert error.code == "SignatureDoesNotMatch"
    assert "versionId=1" in error.extra["CanonicalRequest"]
    assert error.extra["CanonicalRequest"].endswith("\nUNSIGNED-PAYLOAD")


async def test_a_presigned_sts_request_authenticates() -> None:
    sts = client("sts")
    with frozen_signing_clock():
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60)
    parts = urlsplit(url)
    # botocore signs the query protocol's POST (boto/boto3#756: a GET of it fails on AWS too).
    request = HttpRequest("POST", parts.path, parts.query, CIMultiDict(Host=parts.netloc))
    auth = await _auth(request, False, "sts")
    assert auth.presigned and auth.service == "sts"
    error = await _fails(replace(request, method="GET"), False, "sts")
    assert error.code == "SignatureDoesNotMatch"


# --- aws-chunked uploads -----------------------------------------------------------------


async def test_botocore_unsigned_trailer_upload_over_https() -> None:
    """Over https botocore streams put_object as STREAMING-UNSIGNED-PAYLOAD-TRAILER."""
    data = bytes(range(256)) * 4100  # > 1 MiB: two aws-chunked chunks
    s3 = client("s3", endpoint="https://127.0.0.1:9")
    request = capture(s3.put_object, Bucket="bucket", Key="big", Body=data)
    assert request.headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    auth = await _auth(request, True, "s3")
    assert auth.payload == "streaming-unsigned-trailer"
    assert auth.trailers == ("x-amz-checksum-crc32",)
    assert auth.decoded_content_length == len(data)
    payload, trailers = await decode_chunked_body(auth, request.body)
    assert payload == data
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    assert trailers == {"x-amz-checksum-crc32": crc}


# AWS's documented example (AmazonS3/latest/API/sigv4-streaming.html, "Example: PUT Object").
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_LOOKUP = lookup_of(SigningCredential(EXAMPLE_KEY, EXAMPLE_SECRET))
EXAMPLE_NOW = NOW.replace(year=2013, month=5, day=24, hour=0, minute=0, second=0)
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)


def documented_body(signatures: tuple[str, ...], tail: bytes = b"\r\n") -> bytes:
    first, second, last = signatures
    return (
        f"10000;chunk-signature={first}\r\n".encode()
        + b"a" * 65536
        + f"\r\n400;chunk-signature={second}\r\n".encode()
        + b"a" * 1024
        + f"\r\n0;chunk-signature={last}\r\n".encode()
        + tail
    )


def documented_request(body: bytes) -> HttpRequest:
    headers = CIMultiDict(
        [
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;"
                f"x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature={SEED}",
            ),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
        ]
    )
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", headers, body)


async def test_the_documented_streaming_put_object_example() -> None:
    body = documented_body(CHUNK_SIGNATURES)
    assert len(body) == 66824
    auth = await authenticate(documented_request(body), EXAMPLE_LOOKUP, is_s3=True, now=EXAMPLE_NOW)
    assert auth is not None
    assert (auth.payload, auth.seed_signature, auth.decoded_content_length) == (
        "streaming-signed",
        SEED,
        66560,
    )
    payload, trailers = await decode_chunked_body(auth, body)
    assert payload == b"a" * 66560 and trailers == {}

    tampered = body[:1000] + b"b" + body[1001:]  # one byte of the first chunk's data
    with pytest.raises(AwsError) as raised:
        await decode_chunked_body(auth, tampered)
    assert (raised.value.code, raised.value.http_status) == ("SignatureDoesNotMatch", 403)


TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
TRAILER_SIGNATURES = (
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
)
TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"


def trailer_request(body: bytes) -> HttpRequest:
    """AWS's documented signed-trailer example (sigv4-streaming-trailers.html)."""
    headers = CIMultiDict(
        [
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
                "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
                f"Signature={TRAILER_SEED}",
            ),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ]
    )
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", headers, body)


async def test_the_documented_signed_trailer_example() -> None:
    tail = (
        b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
        + f"x-amz-trailer-signature:{TRAILER_SIGNATURE}\r\n".encode()
        + b"\r\n"
    )
    body = documented_body(TRAILER_SIGNATURES, tail)
    auth = await authenticate(trailer_request(body), EXAMPLE_LOOKUP, is_s3=True, now=EXAMPLE_NOW)
    assert auth is not None and auth.payload == "streaming-signed-trailer"
    payload, trailers = await decode_chunked_body(auth, body)
    assert payload == b"a" * 66560
    assert trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}

    forged = body.replace(b"sOO8/Q==", b"AAAAAA==")
    with pytest.raises(AwsError) as raised:
        await decode_chunked_body(auth, forged)
    assert raised.value.code == "SignatureDoesNotMatch"
