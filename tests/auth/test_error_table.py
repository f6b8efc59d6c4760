"""Malformed claims: the exact error code, status and message each service family sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import authenticate, missing_authentication
from nimbus_gateway.protocol.http import HttpRequest

from tests.auth.helpers import ACCESS_KEY, DEFAULT_LOOKUP, NOW, sign_with_botocore

SCOPE = f"{ACCESS_KEY}/20260314/us-east-1"
AMZ_DATE = "20260314T150926Z"


def s3_request() -> HttpRequest:
    return sign_with_botocore(
        "PUT", "http://127.0.0.1:9/bucket/key", service="s3", s3=True, body=b"data"
    )


def sts_request() -> HttpRequest:
    return sign_with_botocore(
        "POST",
        "http://127.0.0.1:9/",
        service="sts",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        body=b"Action=GetCallerIdentity&Version=2011-06-15",
    )


def with_header(request: HttpRequest, name: str, value: str | None) -> HttpRequest:
    headers = request.headers.copy()
    headers.popall(name, None)
    if value is not None:
        headers[name] = value
    return replace(request, headers=headers)


async def failure(request: HttpRequest, *, is_s3: bool, service: str | None = None) -> AwsError:
    with pytest.raises(AwsError) as raised:
        await authenticate(request, DEFAULT_LOOKUP, is_s3=is_s3, now=NOW, service=service)
    return raised.value


async def test_no_authentication_at_all_is_anonymous() -> None:
    request = HttpRequest("GET", "/bucket/key", "", CIMultiDict(Host="h"))
    assert await authenticate(request, DEFAULT_LOOKUP, is_s3=True, now=NOW) is None
    assert await authenticate(request, DEFAULT_LOOKUP, is_s3=False, now=NOW) is None
    error = missing_authentication()
    assert (error.code, error.http_status, error.message) == (
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
    )


MALFORMED = "The authorization header is malformed; "


@pytest.mark.parametrize(
    ("authorization", "code", "message"),
    [
        (
            "AWS4-HMAC-SHA256",
            "InvalidArgument",
            "Authorization header is invalid -- one and only one ' ' (space) required.",
        ),
        (
            "AWS AKIDEXAMPLE",
            "InvalidArgument",
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        ),
        ("Bearer abc", "InvalidArgument", "Unsupported Authorization Type"),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/s3/aws4_request, Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + "the authorization header requires three components: Credential, "
            "SignedHeaders, and Signature.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20260314/s3/aws4_request, SignedHeaders=host, "
            "Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + "the Credential is mal-formed; expecting "
            '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
        (
            "AWS4-HMAC-SHA256 Credential=/20260314/us-east-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + "a non-empty Access Key (AKID) must be provided in the credential.",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/s4/aws4_request, SignedHeaders=host, "
            "Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + 'incorrect service "s4". This endpoint belongs to "s3".',
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/s3/aws4_reques, SignedHeaders=host, Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + 'incorrect terminal "aws4_reques". This endpoint uses "aws4_request".',
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/2026031/us-east-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + 'incorrect date format "2026031". This date in the credential must be '
            'in the format "yyyyMMdd".',
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/s3/aws4_request, SignedHeaders, Signature=00",
            "AuthorizationHeaderMalformed",
            MALFORMED + 'the authorization component "SignedHeaders" is malformed.',
        ),
    ],
)
async def test_s3_authorization_header_errors(authorization: str, code: str, message: str) -> None:
    error = await failure(with_header(s3_request(), "Authorization", authorization), is_s3=True)
    assert (error.code, error.http_status, error.message) == (code, 400, message)
    if code == "InvalidArgument":
        assert error.extra == {"ArgumentName": "Authorization", "ArgumentValue": authorization}


async def test_s3_date_errors() -> None:
    for value in (None, "2026-03-14T15:09:26Z", "20261314T150926Z"):
        request = with_header(s3_request(), "X-Amz-Date", value)
        error = await failure(request, is_s3=True)
        assert (error.code, error.http_status, error.message) == (
            "AccessDenied",
            403,
            "AWS authentication requires a valid Date or x-amz-date header",
        )


async def test_s3_content_sha256_errors() -> None:
    error = await failure(with_header(s3_request(), "x-amz-content-sha256", None), is_s3=True)
    assert (error.code, error.http_status, error.message) == (
        "InvalidRequest",
        400,
        "Missing required header for this request: x-amz-content-sha256",
    )
    error = await failure(with_header(s3_request(), "x-amz-content-sha256", "nope"), is_s3=True)
    assert (error.code, error.http_status) == ("InvalidArgument", 400)
    assert error.message.startswith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, ")
    assert error.extra == {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": "nope"}
    streaming = with_header(
        s3_request(), "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    error = await failure(streaming, is_s3=True)
    assert (error.code, error.http_status) == ("MissingContentLength", 411)


async def test_s3_refuses_two_auth_mechanisms() -> None:
    request = replace(s3_request(), query="X-Amz-Algorithm=AWS4-HMAC-SHA256")
    error = await failure(request, is_s3=True)
    assert (error.code, error.http_status) == ("InvalidArgument", 400)
    assert error.message.startswith("Only one auth mechanism allowed;")


PRESIGN = {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": f"{SCOPE}/s3/aws4_request".replace("/", "%2F"),
    "X-Amz-Date": AMZ_DATE,
    "X-Amz-Expires": "300",
    "X-Amz-SignedHeaders": "host",
    "X-Amz-Signature": "00",
}


def presigned(**changes: str | None) -> HttpRequest:
    params = {**PRESIGN, **changes}
    query = "&".join(f"{name}={value}" for name, value in params.items() if value is not None)
    return HttpRequest("GET", "/bucket/key", query, CIMultiDict(Host="127.0.0.1:9"))


CREDENTIAL_ERROR = "Error parsing the X-Amz-Credential parameter; "


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"X-Amz-Expires": None},
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
            "X-Amz-Expires parameters.",
        ),
        (
            {"X-Amz-Algorithm": "AWS4-HMAC-SHA1"},
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"',
        ),
        ({"X-Amz-Expires": "soon"}, "X-Amz-Expires should be a number"),
        ({"X-Amz-Expires": "-1"}, "X-Amz-Expires must be non-negative"),
        (
            {"X-Amz-Expires": "604801"},
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            "X-Amz-Expires must be less than 604800 seconds",
        ),
        (
            {"X-Amz-Date": "2026-03-14"},
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        ),
        (
            {"X-Amz-Credential": "AKID%2F20260314%2Fus-east-1%2Fs3"},
            CREDENTIAL_ERROR + "the Credential is mal-formed; expecting "
            '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
        (
            {"X-Amz-Credential": "AKID%2F20260314%2Fus-east-1%2Fsqs%2Faws4_request"},
            CREDENTIAL_ERROR + 'incorrect service "sqs". This endpoint belongs to "s3".',
        ),
        (
            {"X-Amz-Date": "20260315T000000Z"},
            'Invalid credential date "20260314". This date is not the same as X-Amz-Date: '
            '"20260315".',
        ),
    ],
)
async def test_s3_presigned_parameter_errors(changes: dict[str, str | None], message: str) -> None:
    error = await failure(presigned(**changes), is_s3=True)
    assert (error.code, error.http_status, error.message) == (
        "AuthorizationQueryParametersError",
        400,
        message,
    )


async def test_s3_presigned_expiry_boundaries() -> None:
    request = presigned(**{"X-Amz-Expires": "0"})
    error = await failure(replace(request), is_s3=True)
    assert error.code == "SignatureDoesNotMatch"  # not expired in its own second
    with pytest.raises(AwsError) as raised:
        await authenticate(request, DEFAULT_LOOKUP, is_s3=True, now=NOW + timedelta(seconds=1))
    assert raised.value.message == "Request has expired"


SERVICE_MISSING = (
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. "
)


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Basic dXNlcjpwYXNz", SERVICE_MISSING + "Authorization=Basic dXNlcjpwYXNz"),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/sts/aws4_request",
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            f"Authorization=AWS4-HMAC-SHA256 Credential={SCOPE}/sts/aws4_request",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY} /20260314/us-east-1/sts/aws4_request, "
            "SignedHeaders=host, Signature=00",
            f"'/20260314/us-east-1/sts/aws4_request' not a valid key=value pair (missing "
            f"equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential={ACCESS_KEY} "
            "/20260314/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20260314/sts, SignedHeaders=host, Signature=00",
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKID/20260314/sts'",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={SCOPE}/sts/aws4_request, "
            "SignedHeaders=x-amz-date, Signature=00",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ),
        (
            f"AWS4-ECDSA-P256-SHA256 Credential={SCOPE}/sts/aws4_request, "
            "SignedHeaders=host, Signature=00",
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'.",
        ),
    ],
)
async def test_service_incomplete_signature(authorization: str, message: str) -> None:
    error = await failure(with_header(sts_request(), "Authorization", authorization), is_s3=False)
    assert (error.code, error.http_status, error.message) == ("IncompleteSignature", 400, message)


async def test_service_date_errors() -> None:
    no_date = with_header(with_header(sts_request(), "X-Amz-Date", None), "Authorization", "x")
    error = await failure(no_date, is_s3=False)
    assert error.message == (
        SERVICE_MISSING + "Authorization header requires existence of either a 'X-Amz-Date' "
        "or a 'Date' header. Authorization=x"
    )
    bad = with_header(sts_request(), "X-Amz-Date", "2026-03-14T15:09:26Z")
    error = await failure(bad, is_s3=False)
    assert (error.code, error.message) == (
        "IncompleteSignature",
        "Date must be in ISO-8601 'basic format'. Got '2026-03-14T15:09:26Z'. "
        "See http://en.wikipedia.org/wiki/ISO_8601",
    )


async def test_service_scope_terminator() -> None:
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={SCOPE}/sts/aws4, SignedHeaders=host, Signature=00"
    )
    error = await failure(with_header(sts_request(), "Authorization", authorization), is_s3=False)
    assert (error.code, error.http_status, error.message) == (
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. ",
    )


async def test_service_presigned_missing_parameters() -> None:
    request = HttpRequest(
        "GET",
        "/",
        "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + AMZ_DATE,
        CIMultiDict(Host="h"),
    )
    error = await failure(request, is_s3=False)
    assert (error.code, error.http_status, error.message) == (
        "IncompleteSignature",
        400,
        "AWS query-string parameters must include 'X-Amz-Credential'. "
        "AWS query-string parameters must include 'X-Amz-Signature'. "
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "Re-examine the query-string parameters.",
    )


async def test_a_date_header_instead_of_x_amz_date() -> None:
    """botocore signs with `Date` when the request already had one (RFC 1123 on the wire)."""
    request = sign_with_botocore(
        "GET",
        "http://127.0.0.1:9/bucket/key",
        service="s3",
        s3=True,
        headers={"Date": "whatever"},
    )
    assert "X-Amz-Date" not in request.headers and "Date" in request.headers
    auth = await authenticate(request, DEFAULT_LOOKUP, is_s3=True, now=NOW)
    assert auth is not None and auth.timestamp == AMZ_DATE


async def test_dates_at_the_edges_of_time_are_client_errors() -> None:
    far = presigned(**{"X-Amz-Date": "99991231T235959Z", "X-Amz-Expires": "604800"})
    far = replace(far, query=far.query.replace("20260314", "99991231"))
    error = await failure(far, is_s3=True)
    assert error.message == "Request is not yet valid"
    for value in ("Fri, 31 Dec 9999 23:59:59 -2359", "Mon, 01 Jan 0001 00:00:00 +2359"):
        request = with_header(with_header(sts_request(), "X-Amz-Date", None), "Date", value)
        error = await failure(request, is_s3=False)
        assert error.http_status < 500
