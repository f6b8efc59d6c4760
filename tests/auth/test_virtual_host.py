"""Virtual-host S3 requests reach authentication rewritten to path style (detection does it
once for the whole chain); SigV4 must still check them against the path the client signed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import authenticate
from nimbus_gateway.auth.verify import virtual_host_path
from nimbus_gateway.detect import detect

from tests.auth.helpers import DEFAULT_LOOKUP, NOW, sign_with_botocore

BASES = ("localhost",)


@pytest.mark.parametrize(
    ("url", "rewritten"),
    [
        ("http://my-bucket.s3.localhost:4566/dir/a%20b", "/my-bucket/dir/a%20b"),
        ("http://my-bucket.s3.localhost:4566/", "/my-bucket/"),
        ("http://my.dotted.bucket.s3.localhost/k", "/my.dotted.bucket/k"),
        ("http://my-bucket.localhost:4566/k?tagging", "/my-bucket/k"),
    ],
)
async def test_a_virtual_host_request_authenticates_after_detection(
    url: str, rewritten: str
) -> None:
    signed = sign_with_botocore("GET", url, service="s3", s3=True)
    request = detect(signed, BASES).request
    assert request.path == rewritten
    auth = await authenticate(request, DEFAULT_LOOKUP, is_s3=True, now=NOW)
    assert auth is not None and auth.service == "s3"


async def test_a_path_style_request_to_a_bucket_like_host_still_authenticates() -> None:
    signed = sign_with_botocore("GET", "http://bucket.example:9/bucket/key", service="s3", s3=True)
    assert virtual_host_path(signed) == "/key"  # a candidate only: the signed path wins
    assert await authenticate(signed, DEFAULT_LOOKUP, is_s3=True, now=NOW) is not None


async def test_a_virtual_host_signature_does_not_cover_another_key() -> None:
    signed = sign_with_botocore("GET", "http://b1.s3.localhost/k", service="s3", s3=True)
    request = detect(signed, BASES).request
    with pytest.raises(AwsError) as raised:
        await authenticate(replace(request, path="/b1/other"), DEFAULT_LOOKUP, is_s3=True, now=NOW)
    assert raised.value.code == "SignatureDoesNotMatch"
    assert "\n/other\n" in raised.value.extra["CanonicalRequest"]


def test_only_rewritten_looking_paths_have_a_virtual_reading() -> None:
    signed = sign_with_botocore("GET", "http://127.0.0.1:9/bucket/key", service="s3", s3=True)
    assert virtual_host_path(signed) is None
