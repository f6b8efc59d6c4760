"""Website endpoint logic: host names, index/error documents, redirects (pure: no cloud).

Objects come from an in-memory reader standing in for the anonymous GetObject path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.bucket_access import BucketAccess
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.website import Website, WebsiteHost, website_host

BASES = ("localhost", "localhost.localstack.cloud")


@pytest.mark.parametrize(
    ("host", "found"),
    [
        ("site.s3-website-us-east-1.localhost", WebsiteHost("site", "us-east-1")),
        ("site.s3-website.eu-west-1.localhost:4566", WebsiteHost("site", "eu-west-1")),
        (
            "my.dotted.site.s3-website-us-east-1.localhost",
            WebsiteHost("my.dotted.site", "us-east-1"),
        ),
        (
            "site.s3-website.us-east-1.localhost.localstack.cloud",
            WebsiteHost("site", "us-east-1"),
        ),
        ("site.s3.localhost", None),
        ("s3-website-us-east-1.localhost", None),
        ("site.s3-website-us-east-1.example.com", None),
        ("my.s3-website-x.s3.localhost", None),  # a bucket name, not a website host
    ],
)
def test_website_hosts(host: str, found: WebsiteHost | None) -> None:
    assert website_host(host, BASES) == found


class Reader:
    """Objects by key; "private/..." keys are refused as the policy would refuse them."""

    def __init__(self, objects: dict[str, dict[str, Any]]) -> None:
        self.objects = objects
        self.reads: list[str] = []

    async def read(self, bucket: str, key: str, *, head: bool) -> dict[str, Any]:
        self.reads.append(key)
        if key.startswith("private/"):
            raise AwsError("AccessDenied", "Access Denied", 403)
        if key not in self.objects:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404)
        return dict(self.objects[key])

    def response(self, output: dict[str, Any], *, head: bool) -> HttpResponse:
        body = b"" if head else str(output.get("Body", "")).encode()
        return HttpResponse(200, [("Content-Type", "text/html")], body)


def site(config: dict[str, Any] | None) -> BucketAccess:
    return BucketAccess(bucket="site", exists=True, owner_account="1", website=config)


def get(
    path: str, access: BucketAccess | None, reader: Reader, method: str = "GET"
) -> HttpResponse:
    request = HttpRequest(
        method=method,
        path=path,
        headers=CIMultiDict(host="site.s3-website-us-east-1.localhost:4566"),
    )
    return asyncio.run(Website(reader).serve(request, access, "site", "REQ"))


WEB = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
OBJECTS = {
    "index.html": {"Body": "home"},
    "docs/index.html": {"Body": "docs"},
    "error.html": {"Body": "oops"},
    "old.html": {"Body": "", "WebsiteRedirectLocation": "/new.html"},
}


def test_index_documents() -> None:
    assert get("/", site(WEB), Reader(OBJECTS)).body == b"home"
    assert get("/docs/", site(WEB), Reader(OBJECTS)).body == b"docs"


def test_a_folder_without_its_slash_is_redirected() -> None:
    response = get("/docs", site(WEB), Reader(OBJECTS))
    assert (response.status, response.header("Location")) == (302, "/docs/")


def test_error_document_keeps_the_errors_status() -> None:
    response = get("/missing.html", site(WEB), Reader(OBJECTS))
    assert (response.status, response.body) == (404, b"oops")
    response = get("/private/x.html", site(WEB), Reader(OBJECTS))
    assert (response.status, response.body) == (403, b"oops")


def test_html_error_page_without_error_document() -> None:
    response = get("/missing.html", site({"IndexDocument": {"Suffix": "index.html"}}), Reader({}))
    assert response.status == 404
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    text = response.body.decode()
    assert "<title>404 Not Found</title>" in text
    assert "<li>Code: NoSuchKey</li>" in text
    assert "<li>Key: missing.html</li>" in text
    assert "<li>RequestId: REQ</li>" in text


def test_failing_error_document_is_reported_in_the_page() -> None:
    response = get("/missing.html", site(WEB), Reader({}))
    text = response.body.decode()
    assert response.status == 404
    assert "An Error Occurred While Attempting to Retrieve a Custom Error Document" in text
    assert "<li>Key: error.html</li>" in text


def test_no_bucket_and_no_website_configuration() -> None:
    gone = get("/", BucketAccess(bucket="site", exists=False), Reader({}))
    assert gone.status == 404 and "<li>Code: NoSuchBucket</li>" in gone.body.decode()
    assert "<li>BucketName: site</li>" in gone.body.decode()
    plain = get("/", site(None), Reader({}))
    assert plain.status == 404
    assert "<li>Code: NoSuchWebsiteConfiguration</li>" in plain.body.decode()


def test_head_has_no_body() -> None:
    response = get("/missing.html", site(None), Reader({}), method="HEAD")
    assert (response.status, response.body) == (404, b"")


def test_only_get_and_head() -> None:
    response = get("/", site(WEB), Reader(OBJECTS), method="POST")
    assert response.status == 405
    assert "<li>Code: MethodNotAllowed</li>" in response.body.decode()


def test_object_redirect_location() -> None:
    response = get("/old.html", site(WEB), Reader(OBJECTS))
    assert (response.status, response.header("Location")) == (301, "/new.html")


def test_redirect_all_requests() -> None:
    config = {"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}}
    response = get("/a/b.html", site(config), Reader({}))
    assert (response.status, response.header("Location")) == (301, "https://example.com/a/b.html")


def test_routing_rules() -> None:
    config = {
        **WEB,
        "RoutingRules": [
            {
                "Condition": {"KeyPrefixEquals": "docs/"},
                "Redirect": {"ReplaceKeyPrefixWith": "documents/"},
            },
            {
                "Condition": {"HttpErrorCodeReturnedEquals": "404"},
                "Redirect": {
                    "HostName": "fallback.example",
                    "HttpRedirectCode": "307",
                    "ReplaceKeyWith": "404.html",
                },
            },
        ],
    }
    reader = Reader(OBJECTS)
    moved = get("/docs/a.html", site(config), reader)
    assert moved.status == 301
    assert moved.header("Location") == (
        "http://site.s3-website-us-east-1.localhost:4566/documents/a.html"
    )
    assert reader.reads == []  # decided before reading anything
    missing = get("/nothing.html", site(config), Reader(OBJECTS))
    assert (missing.status, missing.header("Location")) == (
        307,
        "http://fallback.example/404.html",
    )
    assert get("/", site(config), Reader(OBJECTS)).body == b"home"


def test_a_missing_index_document_is_named_in_the_error_page() -> None:
    response = get("/", site({"IndexDocument": {"Suffix": "index.html"}}), Reader({}))
    assert response.status == 404
    assert "<li>Key: index.html</li>" in response.body.decode()
