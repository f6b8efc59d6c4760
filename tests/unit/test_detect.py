"""Service detection over every operation of every served API, signed and unsigned."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.model import OperationModel, Shape
from multidict import CIMultiDict
from nimbus_gateway import catalog
from nimbus_gateway.detect import detect
from nimbus_gateway.protocol.http import HttpRequest

from tests.protocol.wire import botocore_request

BASE_HOSTS = ("localhost",)
OPERATIONS = [
    (api.name, name)
    for api in catalog.APIS
    for name in catalog.service_model(api.name).operation_names
]


def minimal(shape: Shape | None) -> Any:
    """The smallest value botocore will serialize for shape: required members only."""
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {name: minimal(members[name]) for name in shape.required_members}
    if kind == "list":
        return []
    if kind == "map":
        return {}
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"a"
    if kind == "timestamp":
        return datetime(2026, 1, 1, tzinfo=UTC)
    return shape.enum[0] if shape.enum else "a"


def wire_request(api: str, operation: OperationModel) -> HttpRequest:
    request = botocore_request(operation, minimal(operation.input_shape))
    request.headers["Host"] = "127.0.0.1:4566"
    return request


@pytest.mark.parametrize(("api", "operation"), OPERATIONS)
def test_signed_requests_are_detected_from_the_credential_scope(api: str, operation: str) -> None:
    request = wire_request(api, catalog.service_model(api).operation_model(operation))
    signing = catalog.BY_NAME[api].signing_name
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/{signing}/aws4_request, "
        "SignedHeaders=host, Signature=00"
    )
    found = detect(request, BASE_HOSTS)
    assert (found.api, found.region) == (api, "eu-west-1")


@pytest.mark.parametrize(("api", "operation"), OPERATIONS)
def test_unsigned_requests_are_detected_from_what_the_protocol_carries(
    api: str, operation: str
) -> None:
    request = wire_request(api, catalog.service_model(api).operation_model(operation))
    assert detect(request, BASE_HOSTS).api == api


def test_every_operation_of_every_api_is_covered() -> None:
    counts = {
        api.name: len(catalog.service_model(api.name).operation_names) for api in catalog.APIS
    }
    assert len(OPERATIONS) == sum(counts.values())
    assert set(counts) == {"s3", "sqs", "iam", "sts", "ec2", "route53"}


def raw(method: str, path: str, host: str, query: str = "", **headers: str) -> HttpRequest:
    return HttpRequest(method, path, query, CIMultiDict({"Host": host, **headers}))


@pytest.mark.parametrize(
    ("host", "path", "api", "bucket", "rewritten"),
    [
        ("mybucket.s3.localhost:4566", "/key", "s3", "mybucket", "/mybucket/key"),
        (
            "my.dotted.bucket.s3.localhost",
            "/a/b",
            "s3",
            "my.dotted.bucket",
            "/my.dotted.bucket/a/b",
        ),
        ("b.s3.eu-west-1.localhost", "/", "s3", "b", "/b/"),
        ("mybucket.localhost:4566", "/k", "s3", "mybucket", "/mybucket/k"),
        ("s3.localhost:4566", "/b/k", "s3", None, "/b/k"),
        ("sqs.us-east-1.localhost:4566", "/000000000000/q", "sqs", None, "/000000000000/q"),
        ("127.0.0.1:4566", "/b/k", "s3", None, "/b/k"),
    ],
)
def test_hosts_name_buckets_and_services(
    host: str, path: str, api: str, bucket: str | None, rewritten: str
) -> None:
    found = detect(raw("GET", path, host), BASE_HOSTS)
    assert (found.api, found.virtual_bucket, found.request.path) == (api, bucket, rewritten)


def test_anonymous_get_of_an_object_is_s3() -> None:
    assert detect(raw("GET", "/public/file.txt", "127.0.0.1:4566"), BASE_HOSTS).api == "s3"


def test_presigned_urls_are_detected_from_their_credential() -> None:
    s3 = boto3.client(
        "s3",
        region_name="us-west-2",
        endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    path, _, query = url.split("127.0.0.1:4566", 1)[1].partition("?")
    found = detect(raw("GET", path, "127.0.0.1:4566", query), BASE_HOSTS)
    assert (found.api, found.region) == ("s3", "us-west-2")


def test_sqs_queries_from_older_sdks_are_sqs() -> None:
    request = raw(
        "POST",
        "/000000000000/q",
        "127.0.0.1:4566",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    request.body = b"Action=SendMessage&Version=2012-11-05&MessageBody=hi"
    assert detect(request, BASE_HOSTS).api == "sqs"
