"""What S3 sends that botocore's model cannot say: root elements of output documents,
204/206 statuses, 304 and HEAD errors without a body, and errors' "header:" extras."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import botocore.parsers
import pytest
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.engines import engine_for
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.rest import has_body_members
from nimbus_gateway.protocol.statuses import SUCCESS_STATUS, error_header_pairs
from nimbus_gateway.protocol.xmlroots import XML_ROOTS

S3 = engine_for("s3")
MODEL = S3.service_model
NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"
RID = "4442587FB7D0A2F9"
# Outputs with body members that S3 writes under the output shape's own name, or that
# need no table entry (a bare scalar root).
UNLISTED = {
    "GetBucketLocation",  # <LocationConstraint>, written by the codec itself
    "ListBucketIntelligentTieringConfigurations",  # S3 writes the shape name
    "ListObjectAnnotations",  # newer than S3's published reference
    "PutObjectAnnotation",
}


def _serialize(operation: str, output: dict[str, Any]) -> HttpResponse:
    return S3.serialize(MODEL.operation_model(operation), output, RID)


def _error(error: AwsError, operation: str | None) -> HttpResponse:
    model = MODEL.operation_model(operation) if operation else None
    return S3.serialize_error(error, model, RID)


def _parsed(operation: str, response: HttpResponse) -> dict[str, Any]:
    """What boto3 makes of the response."""
    parser = botocore.parsers.create_parser("rest-xml")
    return dict(
        parser.parse(
            {
                "status_code": response.status,
                "headers": dict(response.headers),
                "body": response.body,
            },
            MODEL.operation_model(operation).output_shape,
        )
    )


# --- root elements ---------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "root"), sorted(XML_ROOTS.items()))
def test_each_listed_output_is_written_under_s3s_root(key: tuple[str, str], root: str) -> None:
    service, operation = key
    assert service == "s3"
    shape = MODEL.operation_model(operation).output_shape
    assert shape is not None and has_body_members(shape)
    assert not shape.serialization.get("payload")
    response = _serialize(operation, {})
    assert ET.fromstring(response.body).tag == NAMESPACE + root
    assert response.header("Content-Type") == "application/xml"


def test_every_s3_output_document_has_its_root_decided() -> None:
    for operation in MODEL.operation_names:
        shape = MODEL.operation_model(operation).output_shape
        if shape is None or shape.serialization.get("payload") or not has_body_members(shape):
            continue
        assert ("s3", operation) in XML_ROOTS or operation in UNLISTED, operation


def test_list_objects_v2_reads_back_through_boto3() -> None:
    output = {
        "Name": "b",
        "Prefix": "",
        "KeyCount": 1,
        "MaxKeys": 1000,
        "IsTruncated": False,
        "Contents": [{"Key": "k", "Size": 3, "ETag": '"e"', "StorageClass": "STANDARD"}],
    }
    response = _serialize("ListObjectsV2", output)
    assert response.body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns='
    )
    parsed = _parsed("ListObjectsV2", response)
    assert parsed["Contents"][0]["Key"] == "k" and parsed["Name"] == "b"


def test_payload_roots_keep_their_member_names() -> None:
    response = _serialize("CopyObject", {"CopyObjectResult": {"ETag": '"e"'}})
    assert ET.fromstring(response.body).tag == NAMESPACE + "CopyObjectResult"
    response = _serialize("UploadPartCopy", {"CopyPartResult": {"ETag": '"e"'}})
    assert ET.fromstring(response.body).tag == NAMESPACE + "CopyPartResult"


# --- success statuses ------------------------------------------------------------------------


def test_a_ranged_read_is_206_partial_content() -> None:
    ranged = {"ContentRange": "bytes 0-3/10", "ContentLength": 4, "Body": b"0123"}
    response = _serialize("GetObject", ranged)
    assert response.status == 206 and response.body == b"0123"
    assert response.header("Content-Range") == "bytes 0-3/10"
    assert _serialize("GetObject", {"ContentLength": 4, "Body": b"0123"}).status == 200
    head = _serialize("HeadObject", {"ContentRange": "bytes 0-3/10", "ContentLength": 4})
    assert head.status == 206 and head.body == b""


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        *[(operation, status) for (_, operation), status in SUCCESS_STATUS.items()],
        ("DeleteObject", 204),
        ("DeleteBucket", 204),
        ("DeleteObjectTagging", 204),
        ("AbortMultipartUpload", 204),
        ("PutBucketCors", 200),
        ("PutBucketVersioning", 200),
        ("PutObjectTagging", 200),
        ("PutObject", 200),
        ("CreateBucket", 200),
    ],
)
def test_success_statuses_as_aws_sends_them(operation: str, status: int) -> None:
    response = _serialize(operation, {})
    assert response.status == status
    if status == 204:
        assert response.body == b"" and response.stream is None


# --- errors ------------------------------------------------------------------------------------


def test_not_modified_has_no_body_but_its_headers() -> None:
    error = AwsError(
        "NotModified",
        "Not Modified",
        304,
        extra={"header:ETag": '"abc"', "header:Last-Modified": "Tue, 01 Jan 2030 00:00:00 GMT"},
    )
    response = _error(error, "GetObject")
    assert response.status == 304 and response.body == b"" and response.stream is None
    assert response.header("ETag") == '"abc"'
    assert response.header("Last-Modified") == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert response.header("x-amz-request-id") == RID and response.header("x-amz-id-2")
    assert response.header("Content-Type") is None


def test_precondition_failed_is_s3s_error_document() -> None:
    error = AwsError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
        extra={"Condition": "If-Match"},
    )
    response = _error(error, "GetObject")
    assert response.status == 412
    root = ET.fromstring(response.body)
    assert root.tag == "Error"
    assert [(child.tag, child.text) for child in root][:3] == [
        ("Code", "PreconditionFailed"),
        ("Message", "At least one of the pre-conditions you specified did not hold"),
        ("Condition", "If-Match"),
    ]
    assert root.findtext("RequestId") == RID


def test_a_head_error_keeps_status_and_ids_but_no_body() -> None:
    error = AwsError(
        "NoSuchKey",
        "The specified key does not exist.",
        404,
        extra={"Key": "k", "header:x-amz-delete-marker": True, "header:x-amz-version-id": "v1"},
    )
    response = _error(error, "HeadObject")
    assert (response.status, response.body) == (404, b"")
    assert response.header("x-amz-request-id") == RID and response.header("x-amz-id-2")
    assert response.header("x-amz-delete-marker") == "true"
    assert response.header("x-amz-version-id") == "v1"


def test_header_extras_are_headers_and_never_elements() -> None:
    error = AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        extra={
            "Method": "GET",
            "ResourceType": "DeleteMarker",
            "header:x-amz-delete-marker": "true",
            "header:Allow": "DELETE",
            "header:Last-Modified": None,
        },
    )
    response = _error(error, "GetObject")
    assert response.status == 405
    assert response.header("Allow") == "DELETE" and response.header("x-amz-delete-marker") == "true"
    assert response.header("Last-Modified") is None
    assert b"header:" not in response.body and b"delete-marker" not in response.body
    root = ET.fromstring(response.body)
    assert root.findtext("Method") == "GET" and root.findtext("ResourceType") == "DeleteMarker"
    # boto3 still sees the code and the headers.
    assert error_header_pairs(error.extra) == [("x-amz-delete-marker", "true"), ("Allow", "DELETE")]


def test_header_extras_values_are_made_safe_for_http() -> None:
    error = AwsError("NoSuchKey", "m", 404, extra={"header:x-amz-version-id": "a\r\nInjected: 1"})
    response = _error(error, "GetObject")
    assert response.header("x-amz-version-id") == "a  Injected: 1"
    assert response.header("Injected") is None


def test_delete_marker_extras_travel_as_s3s_headers() -> None:
    """What the objects API raises for a delete marker, without the "header:" prefix."""
    error = AwsError(
        "NoSuchKey",
        "The specified key does not exist.",
        404,
        extra={"Key": "k", "DeleteMarker": True, "VersionId": "v9"},
    )
    response = _error(error, "GetObject")
    assert response.header("x-amz-delete-marker") == "true"
    assert response.header("x-amz-version-id") == "v9"
    root = ET.fromstring(response.body)
    assert root.findtext("Key") == "k"
    assert root.find("DeleteMarker") is None and root.find("VersionId") is None

    error = AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        extra={
            "Method": "GET",
            "ResourceType": "DeleteMarker",
            "DeleteMarker": True,
            "VersionId": "v9",
            "LastModified": "2026-11-28T17:30:33.000Z",
            "Allow": "DELETE",
        },
    )
    response = _error(error, "GetObject")
    assert response.header("Last-Modified") == "Sat, 28 Nov 2026 17:30:33 GMT"
    assert response.header("Allow") == "DELETE"
    assert response.header("x-amz-version-id") == "v9"
    root = ET.fromstring(response.body)
    assert [child.tag for child in root] == [
        "Code",
        "Message",
        "Method",
        "ResourceType",
        "RequestId",
        "HostId",
    ]


def test_a_version_id_without_a_delete_marker_stays_in_the_document() -> None:
    error = AwsError(
        "NoSuchVersion",
        "The specified version does not exist.",
        404,
        extra={"Key": "k", "VersionId": "v1"},
    )
    response = _error(error, "GetObject")
    assert response.header("x-amz-version-id") is None
    assert ET.fromstring(response.body).findtext("VersionId") == "v1"


# --- aws-chunked uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "encoding"),
    [
        ({"Content-Encoding": "aws-chunked"}, None),
        ({"Content-Encoding": "aws-chunked,gzip"}, "gzip"),
        ({"Content-Encoding": "gzip, aws-chunked"}, "gzip"),
        # Some SDKs stream aws-chunked without saying so in Content-Encoding.
        ({"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, None),
        ({"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, None),
    ],
)
def test_an_aws_chunked_upload_declares_its_decoded_length(
    headers: dict[str, str], encoding: str | None
) -> None:
    received: CIMultiDict[str] = CIMultiDict(Host="h", **{"Content-Length": "175"})
    received.update(headers)
    received["x-amz-decoded-content-length"] = "66"
    request = HttpRequest("PUT", "/bucket/key", "", received, body_streamed=True)
    operation = MODEL.operation_model("PutObject")
    parsed = S3.parse(request, operation)
    assert parsed["ContentLength"] == 66
    assert parsed.get("ContentEncoding") == encoding


def test_a_plain_upload_keeps_its_length() -> None:
    received: CIMultiDict[str] = CIMultiDict(Host="h", **{"Content-Length": "5"})
    request = HttpRequest("PUT", "/bucket/key", "", received, body_streamed=True)
    assert S3.parse(request, MODEL.operation_model("PutObject"))["ContentLength"] == 5
