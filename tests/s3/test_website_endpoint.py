"""The website endpoint: index and error documents, served to anonymous browsers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from tests.s3.conftest import S3Cloud, eventually


def browse(cloud: S3Cloud, bucket: str, path: str) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(cloud.endpoint + path, method="GET")
    port = urlsplit(cloud.endpoint).port
    request.add_header("Host", f"{bucket}.s3-website-us-east-1.localhost:{port}")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers, failure.read()


def public_read(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def test_website_serves_index_and_error_documents(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)  # new buckets block public policies
    html = {"ContentType": "text/html"}
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>home</h1>", **html)
    s3.put_object(Bucket=bucket, Key="docs/index.html", Body=b"<h1>docs</h1>", **html)
    s3.put_object(Bucket=bucket, Key="404.html", Body=b"<h1>lost</h1>", **html)
    s3.put_object(Bucket=bucket, Key="old.html", Body=b"", WebsiteRedirectLocation="/docs/", **html)

    status, _, body = browse(s3_cloud, bucket, "/")
    assert status == 404 and b"NoSuchWebsiteConfiguration" in body

    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "404.html"},
        },
    )

    def forbidden_without_policy() -> None:
        # The error document is no more readable than the rest: S3's own page says both.
        status, headers, body = browse(s3_cloud, bucket, "/")
        assert status == 403, body
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        text = body.decode()
        assert "<title>403 Forbidden</title>" in text
        assert "<li>Code: AccessDenied</li>" in text
        assert "An Error Occurred While Attempting to Retrieve a Custom Error Document" in text

    eventually(forbidden_without_policy)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))

    def home() -> None:
        status, headers, body = browse(s3_cloud, bucket, "/")
        assert (status, body) == (200, b"<h1>home</h1>")
        assert headers["Content-Type"] == "text/html"

    eventually(home)
    assert browse(s3_cloud, bucket, "/docs/")[2] == b"<h1>docs</h1>"
    status, headers, _ = browse(s3_cloud, bucket, "/docs")
    assert (status, headers["Location"]) == (302, "/docs/")
    status, headers, _ = browse(s3_cloud, bucket, "/old.html")
    assert (status, headers["Location"]) == (301, "/docs/")
    status, _, body = browse(s3_cloud, bucket, "/missing.html")
    assert (status, body) == (404, b"<h1>lost</h1>")


def test_website_error_page_without_error_document(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))

    def page() -> None:
        status, headers, body = browse(s3_cloud, bucket, "/nothing.html")
        assert status == 404
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        text = body.decode()
        assert "<title>404 Not Found</title>" in text
        assert "<li>Code: NoSuchKey</li>" in text
        assert "<li>Key: nothing.html</li>" in text

    eventually(page)
