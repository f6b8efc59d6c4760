"""CORS through the gateway: preflights answered from the bucket's rules, headers on GETs."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from nimbus_gateway import cors

from tests.s3.conftest import S3Cloud, eventually

RULES = [
    {
        "AllowedOrigins": ["https://*.example.com"],
        "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["content-type", "x-amz-*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 600,
    }
]


def send(
    cloud: S3Cloud, method: str, path: str, headers: dict[str, str], host: str | None = None
) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(cloud.endpoint + path, method=method, headers=headers)
    if host is not None:
        request.add_header("Host", f"{host}:{urlsplit(cloud.endpoint).port}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers, failure.read()


PREFLIGHT = {
    "Origin": "https://app.example.com",
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Owner",
}


def test_preflight_without_cors_configuration(s3_cloud: S3Cloud, bucket: str) -> None:
    status, _, body = send(s3_cloud, "OPTIONS", f"/{bucket}/file.txt", PREFLIGHT)
    assert status == 403
    assert b"<Code>AccessForbidden</Code>" in body
    assert cors.NOT_ENABLED.encode() in body


def test_preflight_allowed_and_denied(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})

    def allowed() -> None:
        status, headers, body = send(s3_cloud, "OPTIONS", f"/{bucket}/file.txt", PREFLIGHT)
        assert status == 200, body
        assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert headers["Access-Control-Allow-Methods"] == "GET, PUT"
        assert headers["Access-Control-Allow-Headers"] == "content-type, x-amz-meta-owner"
        assert headers["Access-Control-Max-Age"] == "600"
        assert headers["Access-Control-Expose-Headers"] == "ETag"
        assert headers["Vary"] == cors.VARY

    eventually(allowed)
    # Virtual-host addressing answers the same.
    status, headers, _ = send(
        s3_cloud, "OPTIONS", "/file.txt", PREFLIGHT, host=f"{bucket}.s3.localhost"
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"

    for refused in (
        {**PREFLIGHT, "Origin": "https://evil.test"},
        {**PREFLIGHT, "Access-Control-Request-Method": "DELETE"},
        {**PREFLIGHT, "Access-Control-Request-Headers": "authorization"},
    ):
        status, headers, body = send(s3_cloud, "OPTIONS", f"/{bucket}/file.txt", refused)
        assert status == 403
        assert cors.NOT_ALLOWED.encode() in body
        assert "Access-Control-Allow-Origin" not in headers

    status, _, body = send(
        s3_cloud, "OPTIONS", f"/{bucket}/file.txt", {"Access-Control-Request-Method": "GET"}
    )
    assert status == 400 and b"<Code>BadRequest</Code>" in body


def test_real_requests_carry_cors_headers(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    path = url[len(s3_cloud.endpoint) :]

    def decorated() -> None:
        status, headers, body = send(s3_cloud, "GET", path, {"Origin": "https://a.example.com"})
        assert (status, body) == (200, b"v")
        assert headers["Access-Control-Allow-Origin"] == "https://a.example.com"
        assert headers["Access-Control-Expose-Headers"] == "ETag"

    eventually(decorated)
    status, headers, _ = send(s3_cloud, "GET", path, {"Origin": "https://elsewhere.test"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
