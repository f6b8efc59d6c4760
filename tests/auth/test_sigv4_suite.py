"""AWS's published SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30), re-created here:
the requests as the suite writes them, the canonical requests it expects and its published
signatures; botocore's signer is a second, independent oracle for the HMAC chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDict
from nimbus_gateway.auth import SigningCredential, authenticate, sigv4
from nimbus_gateway.protocol.http import HttpRequest

from tests.auth.helpers import lookup_of

SUITE_KEY = "AKIDEXAMPLE"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = "20150830T123600Z"
SUITE_NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SUITE_SCOPE = sigv4.Scope("20150830", "us-east-1", "service")
HOST = ("Host", "example.amazonaws.com")
DATE = ("X-Amz-Date", SUITE_TIME)
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxf"
    "pSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPk"
    "yQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBA"
    "z+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
EMPTY = sigv4.EMPTY_SHA256


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    signature: str
    body: bytes = b""
    canonical: str | None = None  # spelled out where the suite's rule is the point
    extra_headers: list[tuple[str, str]] = field(default_factory=list)  # sent, not signed


CASES = [
    Case(
        "get-vanilla",
        "GET",
        "/",
        "",
        [HOST, DATE],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        canonical=(
            f"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            f"host;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "get-vanilla-empty-query-key",
        "GET",
        "/",
        "Param1=value1",
        [HOST, DATE],
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    ),
    Case(
        "get-vanilla-query-order-key-case",
        "GET",
        "/",
        "Param2=value2&Param1=value1",
        [HOST, DATE],
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        canonical=(
            f"GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            f"x-amz-date:{SUITE_TIME}\n\nhost;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "get-vanilla-query-unreserved",
        "GET",
        "/",
        f"{UNRESERVED}={UNRESERVED}",
        [HOST, DATE],
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ),
    Case(
        "get-vanilla-utf8-query",
        "GET",
        "/",
        "\u1234=bar",
        [HOST, DATE],
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
        canonical=(
            f"GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            f"host;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "get-header-key-duplicate",
        "GET",
        "/",
        "",
        [HOST, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), DATE],
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    ),
    Case(
        "get-header-value-order",
        "GET",
        "/",
        "",
        [
            HOST,
            ("My-Header1", "value4"),
            ("My-Header1", "value1"),
            ("My-Header1", "value3"),
            ("My-Header1", "value2"),
            DATE,
        ],
        "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
    ),
    Case(
        "get-header-value-trim",
        "GET",
        "/",
        "",
        [HOST, ("My-Header1", " value1"), ("My-Header2", ' "a   b   c"'), DATE],
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
        canonical=(
            'GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:"a b c"\n'
            f"x-amz-date:{SUITE_TIME}\n\nhost;my-header1;my-header2;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "get-unreserved",
        "GET",
        f"/{UNRESERVED}",
        "",
        [HOST, DATE],
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ),
    Case(
        "get-utf8",
        "GET",
        "/\u1234",
        "",
        [HOST, DATE],
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
        canonical=(
            f"GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            f"host;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "normalize-path/get-space",
        "GET",
        "/example space/",
        "",
        [HOST, DATE],
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
        canonical=(
            f"GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            f"host;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "normalize-path/get-relative-relative",
        "GET",
        "/example1/example2/../..",
        "",
        [HOST, DATE],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    Case(
        "normalize-path/get-relative",
        "GET",
        "/example/..",
        "",
        [HOST, DATE],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    Case(
        "normalize-path/get-slash-dot-slash",
        "GET",
        "/./",
        "",
        [HOST, DATE],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    Case(
        "normalize-path/get-slash",
        "GET",
        "//",
        "",
        [HOST, DATE],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    Case(
        "normalize-path/get-slash-pointless-dot",
        "GET",
        "/./example",
        "",
        [HOST, DATE],
        "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
    ),
    Case(
        "normalize-path/get-slashes",
        "GET",
        "//example//",
        "",
        [HOST, DATE],
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
        canonical=(
            f"GET\n/example/\n\nhost:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            f"host;x-amz-date\n{EMPTY}"
        ),
    ),
    Case(
        "post-vanilla",
        "POST",
        "/",
        "",
        [HOST, DATE],
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    Case(
        "post-vanilla-query",
        "POST",
        "/",
        "Param1=value1",
        [HOST, DATE],
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    ),
    Case(
        "post-header-key-sort",
        "POST",
        "/",
        "",
        [HOST, ("My-Header1", "value1"), DATE],
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    ),
    Case(
        "post-header-value-case",
        "POST",
        "/",
        "",
        [HOST, ("My-Header1", "VALUE1"), DATE],
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ),
    Case(
        "post-x-www-form-urlencoded",
        "POST",
        "/",
        "",
        [("Content-Type", "application/x-www-form-urlencoded"), HOST, DATE],
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        body=b"Param1=value1",
        canonical=(
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
            f"host:example.amazonaws.com\nx-amz-date:{SUITE_TIME}\n\n"
            "content-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        ),
    ),
    Case(
        "post-x-www-form-urlencoded-parameters",
        "POST",
        "/",
        "",
        [("Content-Type", "application/x-www-form-urlencoded; charset=utf8"), HOST, DATE],
        "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
        body=b"Param1=value1",
    ),
]


def _signed_names(case: Case) -> list[str]:
    return sorted({name.lower() for name, _ in case.headers})


def _headers(case: Case) -> CIMultiDict[str]:
    return CIMultiDict(case.headers + case.extra_headers)


def _canonical(case: Case) -> str:
    names = _signed_names(case)
    return sigv4.canonical_request(
        case.method,
        sigv4.canonical_uri(case.path, s3=False),
        sigv4.canonical_query(case.query),
        sigv4.canonical_headers(_headers(case), names),
        names,
        sigv4.sha256_hex(case.body),
    )


def _botocore_signature(to_sign: str) -> str:
    """botocore's own HMAC chain over our string to sign."""
    signer = botocore.auth.SigV4Auth(Credentials(SUITE_KEY, SUITE_SECRET), "service", "us-east-1")
    request = AWSRequest(method="GET", url="https://example.amazonaws.com/")
    request.context["timestamp"] = SUITE_TIME
    result: str = signer.signature(to_sign, request)
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_canonical_request_and_signature_match_the_published_suite(case: Case) -> None:
    canonical = _canonical(case)
    if case.canonical is not None:
        assert canonical == case.canonical
    to_sign = sigv4.string_to_sign(SUITE_TIME, SUITE_SCOPE, canonical)
    assert to_sign.startswith(f"AWS4-HMAC-SHA256\n{SUITE_TIME}\n20150830/us-east-1/service/")
    computed = sigv4.signature(sigv4.signing_key(SUITE_SECRET, SUITE_SCOPE), to_sign)
    assert computed == case.signature
    assert _botocore_signature(to_sign) == case.signature


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_the_suite_requests_authenticate(case: Case) -> None:
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={SUITE_KEY}/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={';'.join(_signed_names(case))}, Signature={case.signature}"
    )
    headers = _headers(case)
    headers["Authorization"] = authorization
    request = HttpRequest(case.method, case.path, case.query, headers, case.body)
    lookup = lookup_of(SigningCredential(SUITE_KEY, SUITE_SECRET))
    auth = await authenticate(request, lookup, is_s3=False, now=SUITE_NOW)
    assert auth is not None
    assert (auth.access_key_id, auth.region, auth.service) == (SUITE_KEY, "us-east-1", "service")
    assert auth.payload == "signed"


async def test_the_suite_session_token_case_signs_the_token() -> None:
    """post-sts-token/post-sts-header-before: the token is a signed header."""
    headers = CIMultiDict([HOST, DATE, ("X-Amz-Security-Token", STS_TOKEN)])
    signature = "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={SUITE_KEY}/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={signature}"
    )
    request = HttpRequest("POST", "/", "", headers)
    lookup = lookup_of(SigningCredential(SUITE_KEY, SUITE_SECRET, STS_TOKEN))
    auth = await authenticate(request, lookup, is_s3=False, now=SUITE_NOW)
    assert auth is not None and auth.session_token == STS_TOKEN


def test_the_signing_key_is_the_documented_hmac_chain() -> None:
    """AWS's worked example: secret, 20120215, us-east-1, iam."""
    scope = sigv4.Scope("20120215", "us-east-1", "iam")
    key = sigv4.signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope)
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


@pytest.mark.parametrize(
    ("raw", "s3", "expected"),
    [
        # S3: one encoding, no normalisation, `%2F` stays inside its segment.
        ("/bucket/a%20b/../c//d/./e", True, "/bucket/a%20b/../c//d/./e"),
        ("/bucket/a b+c", True, "/bucket/a%20b%2Bc"),
        ("/bucket/x%2fy%7E", True, "/bucket/x%2Fy~"),
        ("/bucket/%E1%88%B4", True, "/bucket/%E1%88%B4"),
        ("", True, "/"),
        # Others: normalised, then the encoded path encoded again (as botocore signs it).
        ("/a%20b/../c//d/./e", False, "/c/d/e"),
        ("/queue%20name", False, "/queue%2520name"),
        ("", False, "/"),
    ],
)
def test_path_rules_for_s3_and_the_other_services(raw: str, s3: bool, expected: str) -> None:
    assert sigv4.canonical_uri(raw, s3=s3) == expected


def test_undecodable_bytes_never_raise() -> None:
    for s3 in (True, False):
        assert sigv4.canonical_uri("/\udcff/%ZZ", s3=s3) == "/%FF/%25ZZ"
        assert sigv4.canonical_uri("/\udcff\ud800", s3=s3).isascii()
    assert sigv4.canonical_query("a=\udcff&%ZZ") == "%25ZZ=&a=%FF"
    assert sigv4.canonical_query("a=\ud800").isascii()


def test_query_rules() -> None:
    assert sigv4.canonical_query("acl") == "acl="
    assert sigv4.canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2"
    assert sigv4.canonical_query("k=a%20b&k2=a+b&k3=%7e") == "k=a%20b&k2=a%2Bb&k3=~"
    assert sigv4.canonical_query("X-Amz-Signature=x&a=1", exclude=["X-Amz-Signature"]) == "a=1"
