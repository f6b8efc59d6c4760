"""CORS rule matching and the gateway's preflight answers (pure: no cloud)."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway import cors
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

RULES: list[dict[str, Any]] = [
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*suffix"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["start*end"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["prefix*"]},
    {
        "AllowedMethods": ["PUT", "POST"],
        "AllowedOrigins": ["*.put"],
        "AllowedHeaders": ["x-amz-*", "Content-Type"],
        "ExposeHeaders": ["ETag", "x-amz-request-id"],
        "MaxAgeSeconds": 3000,
    },
]


def options(path: str = "/b/key", **headers: str) -> HttpRequest:
    pairs = CIMultiDict({k.replace("_", "-"): v for k, v in headers.items()})
    return HttpRequest(method="OPTIONS", path=path, headers=pairs)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("foo.suffix", True),
        ("suffix", True),
        ("foo.bar", False),
        ("foo.suffix.get", False),
        ("startend", True),
        ("start1end", True),
        ("0start12end", False),
        ("prefix", True),
        ("prefix.suffix", True),
        ("bla.prefix", False),
    ],
)
def test_origin_wildcards(origin: str, allowed: bool) -> None:
    assert (cors.find_rule(RULES, origin, "GET") is not None) is allowed


def test_method_must_be_allowed_by_the_same_rule() -> None:
    assert cors.find_rule(RULES, "foo.put", "GET") is None
    assert cors.find_rule(RULES, "foo.put", "PUT") is RULES[3]
    assert cors.find_rule(RULES, "foo.put", "put") is None  # methods are case-sensitive


def test_requested_headers_match_case_insensitively_with_wildcards() -> None:
    assert cors.find_rule(RULES, "a.put", "PUT", ["X-Amz-Meta-Foo", "content-type"])
    assert cors.find_rule(RULES, "a.put", "PUT", ["authorization"]) is None
    assert cors.find_rule(RULES, "a.suffix", "GET", ["x-amz-date"]) is None


def test_preflight_allowed() -> None:
    request = options(
        Origin="https://a.put",
        Access_Control_Request_Method="PUT",
        Access_Control_Request_Headers="Content-Type, X-Amz-Date",
    )
    response = cors.preflight(request, RULES, "REQ1")
    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == "https://a.put"
    assert response.header("Access-Control-Allow-Methods") == "PUT, POST"
    assert response.header("Access-Control-Allow-Headers") == "content-type, x-amz-date"
    assert response.header("Access-Control-Expose-Headers") == "ETag, x-amz-request-id"
    assert response.header("Access-Control-Max-Age") == "3000"
    assert response.header("Access-Control-Allow-Credentials") == "true"
    assert response.header("Vary") == cors.VARY
    assert response.header("x-amz-request-id") == "REQ1"
    assert response.body == b""


def test_any_origin_is_answered_with_a_star_and_no_credentials() -> None:
    rules = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]
    response = cors.preflight(
        options(Origin="http://x.example", Access_Control_Request_Method="GET"), rules, "R"
    )
    assert response.header("Access-Control-Allow-Origin") == "*"
    assert response.header("Access-Control-Allow-Credentials") is None


@pytest.mark.parametrize(
    ("headers", "rules", "code", "status", "message"),
    [
        ({}, RULES, "BadRequest", 400, cors.NO_ORIGIN),
        ({"Origin": "foo.suffix"}, RULES, "BadRequest", 400, cors.NO_METHOD),
        (
            {"Origin": "foo.bar", "Access_Control_Request_Method": "GET"},
            RULES,
            "AccessForbidden",
            403,
            cors.NOT_ALLOWED,
        ),
        (
            {"Origin": "foo.suffix", "Access_Control_Request_Method": "GET"},
            [],
            "AccessForbidden",
            403,
            cors.NOT_ENABLED,
        ),
        (
            {"Origin": "foo.suffix", "Access_Control_Request_Method": "GET"},
            None,
            "AccessForbidden",
            403,
            cors.NO_BUCKET,
        ),
        (
            {
                "Origin": "x.suffix",
                "Access_Control_Request_Method": "GET",
                "Access_Control_Request_Headers": "x-amz-meta-header2",
            },
            RULES,
            "AccessForbidden",
            403,
            cors.NOT_ALLOWED,
        ),
    ],
)
def test_preflight_refusals(
    headers: dict[str, str], rules: Any, code: str, status: int, message: str
) -> None:
    with pytest.raises(AwsError) as caught:
        cors.preflight(options(**headers), rules, "R")
    assert (caught.value.code, caught.value.http_status, caught.value.message) == (
        code,
        status,
        message,
    )


def test_refusal_names_the_method_and_resource_type() -> None:
    with pytest.raises(AwsError) as caught:
        cors.preflight(
            options("/b", Origin="nope", Access_Control_Request_Method="GET"), RULES, "R"
        )
    assert caught.value.extra == {"Method": "GET", "ResourceType": "BUCKET"}
    assert "evalution of Origin" in caught.value.message  # S3's spelling, word for word


def test_real_requests_get_the_matching_rules_headers() -> None:
    request = HttpRequest(method="GET", path="/b/k", headers=CIMultiDict(Origin="foo.suffix"))
    response = HttpResponse(200, [("Vary", "Accept-Encoding"), ("ETag", '"x"')])
    cors.decorate(request, response, RULES)
    assert response.header("Access-Control-Allow-Origin") == "foo.suffix"
    assert response.header("Access-Control-Allow-Methods") == "GET"
    assert response.header("Vary") == cors.VARY
    assert [k for k, _ in response.headers].count("Vary") == 1
    assert response.header("ETag") == '"x"'


def test_real_requests_match_the_requested_method_header_first() -> None:
    """S3 (and s3-tests) match Access-Control-Request-Method when a real request has one."""
    request = HttpRequest(
        method="PUT",
        path="/b/k",
        headers=CIMultiDict({"Origin": "foo.suffix", "Access-Control-Request-Method": "GET"}),
    )
    response = HttpResponse(403)
    cors.decorate(request, response, RULES)
    assert response.header("Access-Control-Allow-Origin") == "foo.suffix"
    unmatched = HttpRequest(method="PUT", path="/b/k", headers=CIMultiDict(Origin="foo.suffix"))
    response = HttpResponse(403)
    cors.decorate(unmatched, response, RULES)
    assert response.header("Access-Control-Allow-Origin") is None
