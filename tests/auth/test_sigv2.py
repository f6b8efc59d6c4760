"""S3's SigV2, checked against botocore's own SigV2 signers (HmacV1Auth, HmacV1QueryAuth and
boto3's default presigned URLs), then tampered with one thing at a time."""

from __future__ import annotations

import email.utils
import hashlib
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import SigningCredential, authenticate
from nimbus_gateway.auth.errors import S3_SIGNATURE_MISMATCH
from nimbus_gateway.auth.sigv2 import canonical_resources, sign
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
    to_http_request,
)

ENDPOINT = "http://127.0.0.1:9"
HTTP_NOW = email.utils.formatdate(NOW.timestamp(), usegmt=True)


def sign_v2(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    *,
    token: str | None = None,
    auth_path: str | None = None,
) -> HttpRequest:
    """A hand-built request signed by botocore's HmacV1Auth (the Authorization header form)."""
    request = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
    request.auth_path = auth_path
    signer = botocore.auth.HmacV1Auth(Credentials(ACCESS_KEY, SECRET_KEY, token))
    with frozen_signing_clock():
        signer.add_auth(request)
    return to_http_request(method, request.url, request.headers, body)


def presign_v2(method: str, url: str, headers: dict[str, str] | None = None, **kw: Any) -> str:
    """A URL presigned by botocore's HmacV1QueryAuth (expires 300 s after NOW)."""
    request = AWSRequest(method=method, url=url, headers=dict(headers or {}))
    signer = botocore.auth.HmacV1QueryAuth(
        Credentials(ACCESS_KEY, SECRET_KEY, kw.get("token")), 300
    )
    with frozen_signing_clock():
        signer.add_auth(request)
    assert isinstance(request.url, str)
    return request.url


def from_url(method: str, url: str, headers: dict[str, str] | None = None) -> HttpRequest:
    parts = urlsplit(url)
    received: CIMultiDict[str] = CIMultiDict(Host=parts.netloc)
    received.extend(headers or {})
    return HttpRequest(method, parts.path, parts.query, received)


async def ok(request: HttpRequest, **kwargs: Any) -> Any:
    kwargs.setdefault("now", NOW)
    lookup = kwargs.pop("lookup", DEFAULT_LOOKUP)
    auth = await authenticate(request, lookup, is_s3=True, service="s3", **kwargs)
    assert auth is not None
    assert auth.access_key_id == ACCESS_KEY and auth.service == "s3" and auth.region == ""
    return auth


async def fails(request: HttpRequest, **kwargs: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        await ok(request, **kwargs)
    return raised.value


# --- the header form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", {}),
        ("GET", "/bucket", {}),
        ("GET", "/bucket/", {}),
        ("GET", "/bucket?acl", {}),
        ("GET", "/bucket?list-type=2&prefix=a%20b&delimiter=%2F", {}),
        ("PUT", "/bucket/dir/a%20b%2Bc~%C3%A9%21", {"Content-Type": "text/plain"}),
        ("PUT", "/bucket/k?tagging", {"Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="}),
        ("GET", "/bucket/k?versionId=3%2F4&response-content-type=text%2Fplain", {}),
        ("POST", "/bucket/k?uploads", {"x-amz-meta-Name": "  a  b  ", "X-Amz-Acl": "private"}),
        ("PUT", "/bucket/k?partNumber=2&uploadId=a%2Bb", {"x-amz-meta-a": "1"}),
        ("DELETE", "/bucket?delete", {"x-amz-mfa": "x y"}),
        ("GET", "/bucket/k?retention", {}),
    ],
)
async def test_botocore_hmacv1_requests_authenticate(
    method: str, path: str, headers: dict[str, str]
) -> None:
    auth = await ok(sign_v2(method, ENDPOINT + path, headers, b"body" if method == "PUT" else b""))
    assert auth.payload == "unsigned" and not auth.presigned
    assert auth.date == NOW


async def test_boto3_clients_signing_sigv2_authenticate() -> None:
    s3 = client("s3", signature_version="s3")
    put = capture(s3.put_object, Bucket="bucket", Key="a b/c+d", Body=b"x", Metadata={"K": "v"})
    assert put.headers["Authorization"].startswith(f"AWS {ACCESS_KEY}:")
    await ok(put)
    await ok(capture(s3.list_objects, Bucket="bucket", Prefix="p/"))
    await ok(capture(s3.get_bucket_acl, Bucket="bucket"))
    await ok(capture(s3.delete_objects, Bucket="bucket", Delete={"Objects": [{"Key": "k"}]}))


async def test_a_virtual_host_request_signs_the_path_style_resource() -> None:
    s3 = client(
        "s3",
        endpoint="http://s3.nimbus.test:9",
        signature_version="s3",
        s3={"addressing_style": "virtual"},
    )
    request = capture(s3.get_object_acl, Bucket="bucket", Key="k/x y")
    assert request.headers["Host"] == "bucket.s3.nimbus.test:9" and request.path == "/k/x%20y"
    # The gateway's detection rewrites virtual-host requests to path style first.
    await ok(replace(request, path="/bucket" + request.path))
    listing = capture(s3.list_objects, Bucket="bucket")
    await ok(replace(listing, path="/bucket/"))


async def test_x_amz_date_replaces_the_date_line() -> None:
    # botocore signs its Date header even so; S3's rule is an empty Date line then. Both pass.
    request = sign_v2("GET", ENDPOINT + "/bucket/k", {"x-amz-date": HTTP_NOW})
    await ok(request)
    headers = request.headers.copy()
    headers["Authorization"] = f"AWS {ACCESS_KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA="
    error = await fails(replace(request, headers=headers))
    assert error.code == "SignatureDoesNotMatch"
    assert error.extra["StringToSign"] == f"GET\n\n\n\nx-amz-date:{HTTP_NOW}\n/bucket/k"
    # A client following S3's rule (boto2, the Java SDK v1) sends no Date at all.
    headers = request.headers.copy()
    del headers["Date"]
    text = f"GET\n\n\n\nx-amz-date:{HTTP_NOW}\n/bucket/k"
    headers["Authorization"] = f"AWS {ACCESS_KEY}:{sign(SECRET_KEY, text)}"
    await ok(replace(request, headers=headers))


async def test_a_wrong_signature_shows_what_s3_signed() -> None:
    request = sign_v2("PUT", ENDPOINT + "/bucket/k?acl", {"Content-Type": "a/b", "x-amz-acl": "x"})
    headers = request.headers.copy()
    headers["Authorization"] = f"AWS {ACCESS_KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA="
    error = await fails(replace(request, headers=headers))
    assert (error.code, error.http_status, error.message) == (
        "SignatureDoesNotMatch",
        403,
        S3_SIGNATURE_MISMATCH,
    )
    string_to_sign = f"PUT\n\na/b\n{HTTP_NOW}\nx-amz-acl:x\n/bucket/k?acl"
    assert error.extra == {
        "AWSAccessKeyId": ACCESS_KEY,
        "StringToSign": string_to_sign,
        "SignatureProvided": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "StringToSignBytes": " ".join(f"{b:02x}" for b in string_to_sign.encode()),
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [("x-amz-meta-a", "2"), ("Content-Type", "text/html"), ("Content-MD5", "AAAA")],
)
async def test_a_changed_signed_header_does_not_match(name: str, value: str) -> None:
    request = sign_v2("PUT", ENDPOINT + "/bucket/k", {"x-amz-meta-a": "1", "Content-Type": "a/b"})
    headers = request.headers.copy()
    headers[name] = value
    assert (await fails(replace(request, headers=headers))).code == "SignatureDoesNotMatch"


async def test_a_changed_path_or_subresource_does_not_match() -> None:
    request = sign_v2("GET", ENDPOINT + "/bucket/k")
    assert (await fails(replace(request, path="/bucket/j"))).code == "SignatureDoesNotMatch"
    assert (await fails(replace(request, query="acl"))).code == "SignatureDoesNotMatch"
    # A query parameter that is no sub-resource is not signed.
    await ok(replace(request, query="x-id=GetObject&foo=bar"))


async def test_the_header_form_errors() -> None:
    request = sign_v2("GET", ENDPOINT + "/bucket/k")

    def with_header(name: str, value: str | None) -> HttpRequest:
        headers = request.headers.copy()
        headers.popall(name, None)
        if value is not None:
            headers[name] = value
        return replace(request, headers=headers)

    for bad in ("AWS AKID", "AWS :sig", f"AWS {ACCESS_KEY}:"):
        error = await fails(with_header("Authorization", bad))
        assert (error.code, error.http_status, error.message) == (
            "InvalidArgument",
            400,
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        )
        assert error.extra == {"ArgumentName": "Authorization", "ArgumentValue": bad}

    missing = "AWS authentication requires a valid Date or x-amz-date header"
    for name, value in [
        ("Date", None),
        ("Date", "yesterday"),
        ("x-amz-date", ""),
        ("x-amz-date", "Bad Date"),
        ("x-amz-date", "Tue, 07 Jul 1950 21:53:04 GMT"),
    ]:
        error = await fails(with_header(name, value))
        assert (error.code, error.http_status, error.message) == ("AccessDenied", 403, missing)

    for value in ("Tue, 07 Jul 2010 21:53:04 GMT", "Tue, 07 Jul 9999 21:53:04 GMT"):
        error = await fails(with_header("x-amz-date", value))
        assert (error.code, error.http_status) == ("RequestTimeTooSkewed", 403)
        assert error.message == (
            "The difference between the request time and the current time is too large."
        )
        assert error.extra["RequestTime"] == value
        assert error.extra["ServerTime"] == "2026-03-14T15:09:26Z"
        assert error.extra["MaxAllowedSkewMilliseconds"] == "900000"

    error = await fails(request, now=NOW + timedelta(minutes=16))
    assert error.code == "RequestTimeTooSkewed" and error.extra["RequestTime"] == HTTP_NOW
    await ok(request, now=NOW + timedelta(minutes=14))

    error = await fails(request, lookup=lookup_of())
    assert (error.code, error.http_status, error.message) == (
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    )
    assert error.extra == {"AWSAccessKeyId": ACCESS_KEY}


async def test_session_tokens_travel_as_a_signed_amz_header() -> None:
    lookup = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, session_token=TOKEN))
    request = sign_v2("GET", ENDPOINT + "/bucket/k", token=TOKEN)
    assert request.headers["x-amz-security-token"] == TOKEN
    await ok(request, lookup=lookup)
    error = await fails(sign_v2("GET", ENDPOINT + "/bucket/k"), lookup=lookup)
    assert error.code == "InvalidAccessKeyId"
    error = await fails(sign_v2("GET", ENDPOINT + "/bucket/k", token="other"), lookup=lookup)
    assert error.code == "InvalidToken"


async def test_a_signed_payload_hash_is_still_checked() -> None:
    body = b"payload"
    good = hashlib.sha256(body).hexdigest()
    request = sign_v2("PUT", ENDPOINT + "/bucket/k", {"x-amz-content-sha256": good}, body)
    auth = await ok(request)
    assert auth.payload == "signed" and auth.content_sha256 == good
    error = await fails(replace(request, body=b"other"))
    assert error.code == "XAmzContentSHA256Mismatch"


# --- presigned URLs (the query form) ---------------------------------------------------------


async def test_boto3_presigns_s3_with_sigv2_by_default() -> None:
    s3 = client("s3")
    with frozen_signing_clock():
        url = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": "bucket", "Key": "a b/ü+", "ResponseContentType": "text/plain"},
            ExpiresIn=300,
        )
    query = urlsplit(url).query
    assert "AWSAccessKeyId=" in query and "Signature=" in query and "Expires=" in query
    auth = await ok(from_url("GET", url))
    assert auth.presigned and auth.payload == "unsigned"
    await ok(from_url("GET", url), now=NOW + timedelta(seconds=300))

    error = await fails(from_url("GET", url), now=NOW + timedelta(seconds=301))
    assert (error.code, error.http_status, error.message) == (
        "AccessDenied",
        403,
        "Request has expired",
    )
    assert error.extra == {"Expires": "2026-03-14T15:14:26Z", "ServerTime": "2026-03-14T15:14:27Z"}


async def test_a_presigned_put_carries_its_content_type() -> None:
    s3 = client("s3")
    with frozen_signing_clock():
        url = s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": "bucket", "Key": "k", "ContentType": "text/plain"},
            ExpiresIn=300,
        )
    assert "content-type=text%2Fplain" in urlsplit(url).query
    await ok(from_url("PUT", url, {"Content-Type": "text/plain"}))
    await ok(from_url("PUT", url))  # the signed value travels in the URL itself
    error = await fails(from_url("PUT", url, {"Content-Type": "text/html"}))
    assert error.code == "SignatureDoesNotMatch"


async def test_hmacv1_query_auth_urls() -> None:
    url = presign_v2("GET", ENDPOINT + "/bucket/k?versionId=v1", {"x-amz-meta-x": "y"})
    assert "x-amz-meta-x=y" in url
    await ok(from_url("GET", url))
    token_url = presign_v2("GET", ENDPOINT + "/bucket/k", token=TOKEN)
    lookup = lookup_of(SigningCredential(ACCESS_KEY, SECRET_KEY, session_token=TOKEN))
    await ok(from_url("GET", token_url), lookup=lookup)


async def test_a_tampered_presigned_url_does_not_match() -> None:
    url = presign_v2("GET", ENDPOINT + "/bucket/k")
    error = await fails(from_url("GET", url + "&versionId=1"))
    assert error.code == "SignatureDoesNotMatch"
    assert error.extra["StringToSign"] == "GET\n\n\n1773501266\n/bucket/k?versionId=1"
    assert (await fails(from_url("PUT", url))).code == "SignatureDoesNotMatch"
    # Expires is part of what was signed.
    bumped = url.replace("Expires=1773501266", "Expires=1773501999")
    assert (await fails(from_url("GET", bumped))).code == "SignatureDoesNotMatch"


async def test_the_query_form_errors() -> None:
    base = "/bucket/k?"
    incomplete = (
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
    )
    for query in (
        f"AWSAccessKeyId={ACCESS_KEY}&Signature=abc",
        f"AWSAccessKeyId={ACCESS_KEY}&Expires=1773501266",
        "Signature=abc&Expires=1773501266",
    ):
        error = await fails(from_url("GET", ENDPOINT + base + query))
        assert (error.code, error.http_status, error.message) == ("AccessDenied", 403, incomplete)
    error = await fails(
        from_url("GET", ENDPOINT + base + f"AWSAccessKeyId={ACCESS_KEY}&Signature=a&Expires=soon")
    )
    assert (error.code, error.http_status, error.message) == (
        "AccessDenied",
        403,
        "Invalid date (should be seconds since epoch): soon",
    )
    url = presign_v2("GET", ENDPOINT + "/bucket/k")
    error = await fails(from_url("GET", url), lookup=lookup_of())
    assert error.code == "InvalidAccessKeyId"
    # Both mechanisms at once: S3's InvalidArgument, as for SigV4.
    error = await fails(from_url("GET", url, {"Authorization": f"AWS {ACCESS_KEY}:abc"}))
    assert (error.code, error.http_status) == ("InvalidArgument", 400)


async def test_a_signature_with_an_unencoded_plus_still_matches() -> None:
    url = presign_v2("GET", ENDPOINT + "/bucket/k")
    parts = urlsplit(url)
    signature = dict(p.split("=", 1) for p in parts.query.split("&"))["Signature"]
    raw = signature.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    await ok(from_url("GET", url.replace(signature, quote(raw, safe="+/="))))


def test_the_canonical_resource_readings() -> None:
    assert canonical_resources("/bucket", [], "") == ["/bucket", "/bucket/"]
    assert canonical_resources("/bucket/", [("acl", "")], "acl") == [
        "/bucket/?acl",
        "/bucket?acl",
    ]
    assert canonical_resources("/b/k", [("uploadId", "x"), ("partNumber", "1")], "") == [
        "/b/k?partNumber=1&uploadId=x"
    ]
    assert canonical_resources("/b/k", [("retention", "")], "retention") == [
        "/b/k",
        "/b/k?retention",
    ]
