"""Targeted examples: the cases most likely to tell Nimbus from AWS, checked on the wire
and, where it matters, through a whole botocore client (error classes, handlers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.protocol import HttpRequest, ProtocolEngine

from tests.protocol.wire import (
    botocore_parse,
    botocore_request,
    engine,
    loopback_client,
    service_model,
)

RID = "example-request-id"


def _request(
    method: str, path: str, query: str = "", body: bytes = b"", **headers: str
) -> HttpRequest:
    all_headers: CIMultiDict[str] = CIMultiDict(Host="nimbus.test")
    for key, value in headers.items():
        all_headers[key.replace("_", "-")] = value
    return HttpRequest(method, path, query, all_headers, body)


def _form(action: str, **params: str) -> HttpRequest:
    from urllib.parse import urlencode

    body = urlencode({"Action": action, "Version": "x", **params}).encode()
    return _request(
        "POST", "/", body=body, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )


def _raises(step: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        step()
    return raised.value


# -- S3: keys, routing, errors -----------------------------------------------------------

WEIRD_KEYS = [
    "plain.txt",
    "dir/sub/file",
    "trailing/",
    "/leading-slash",
    "double//slash",
    "//",
    "ünïcödé/ключ/鍵",
    "emoji 🚀 rocket",
    "space and+plus",
    "percent%20literal",
    "a%2Fb",
    "%",
    "question?mark#hash",
    "&=;:@$,!*'()",
    "~tilde",
    "..",
    "./dot",
    "tab\there",
]


@pytest.mark.parametrize("key", WEIRD_KEYS)
def test_s3_keys_with_any_characters_survive(key: str) -> None:
    s3 = service_model("s3")
    for name, params in (
        ("PutObject", {"Bucket": "bucket", "Key": key, "Body": b"data"}),
        ("GetObject", {"Bucket": "bucket", "Key": key}),
        ("DeleteObject", {"Bucket": "bucket", "Key": key}),
    ):
        operation = s3.operation_model(name)
        request = botocore_request(operation, params)
        assert engine("s3").find_operation(request).name == name
        parsed = engine("s3").parse(request, operation)
        assert (parsed["Bucket"], parsed["Key"]) == ("bucket", key)


@pytest.mark.parametrize(
    ("raw_path", "key"),
    [
        ("/bucket/a%2Fb", "a/b"),  # decoded once...
        ("/bucket/a%252Fb", "a%2Fb"),  # ...and only once
        ("/bucket/a+b", "a+b"),  # "+" in a path is a plus
        ("/bucket//x", "/x"),
        ("/bucket/x/", "x/"),
        ("/bucket/%E2%82%AC", "€"),
    ],
)
def test_s3_raw_paths_from_any_client_decode_exactly_once(raw_path: str, key: str) -> None:
    request = _request("GET", raw_path)
    operation = engine("s3").find_operation(request)
    assert operation.name == "GetObject"
    assert engine("s3").parse(request, operation)["Key"] == key


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "expected"),
    [
        ("PUT", "/b/k", "", {}, "PutObject"),
        ("PUT", "/b/k", "", {"x-amz-copy-source": "src/k"}, "CopyObject"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u", {"x-amz-copy-source": "s/k"}, "UploadPartCopy"),
        ("GET", "/b/k", "uploadId=u", {}, "ListParts"),
        ("GET", "/b/k", "acl", {}, "GetObjectAcl"),
        ("GET", "/b", "", {}, "ListObjects"),
        ("GET", "/b/", "", {}, "ListObjects"),
        ("GET", "/b", "list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/b", "versions", {}, "ListObjectVersions"),
        ("GET", "/b", "uploads", {}, "ListMultipartUploads"),
        ("GET", "/b", "lifecycle", {}, "GetBucketLifecycleConfiguration"),
        ("GET", "/b", "notification", {}, "GetBucketNotificationConfiguration"),
        ("GET", "/b", "location", {}, "GetBucketLocation"),
        ("GET", "/", "", {}, "ListBuckets"),
        ("GET", "/", "x-id=ListDirectoryBuckets", {}, "ListDirectoryBuckets"),
        ("GET", "/", "max-directory-buckets=5", {}, "ListDirectoryBuckets"),
        ("GET", "/b/k", "x-id=GetObject", {}, "GetObject"),
        ("POST", "/b", "delete", {}, "DeleteObjects"),
        ("POST", "/b/k", "uploads", {}, "CreateMultipartUpload"),
        ("POST", "/b/k", "uploadId=u", {}, "CompleteMultipartUpload"),
        ("DELETE", "/b/k", "uploadId=u", {}, "AbortMultipartUpload"),
        ("HEAD", "/b/k", "", {}, "HeadObject"),
        ("HEAD", "/b", "", {}, "HeadBucket"),
        ("PUT", "/b", "", {}, "CreateBucket"),
        ("POST", "/WriteGetObjectResponse", "", {}, "WriteGetObjectResponse"),
    ],
)
def test_s3_routing_picks_the_most_specific_operation(
    method: str, path: str, query: str, headers: dict[str, str], expected: str
) -> None:
    request = _request(method, path, query)
    request.headers.update(headers)
    assert engine("s3").find_operation(request).name == expected


def test_s3_unknown_method_is_method_not_allowed_with_its_resource() -> None:
    error = _raises(lambda: engine("s3").find_operation(_request("PATCH", "/b/k")))
    assert (error.code, error.http_status) == ("MethodNotAllowed", 405)
    assert error.extra == {"Method": "PATCH", "ResourceType": "OBJECT"}
    response = engine("s3").serialize_error(error, None, RID)
    root = ElementTree.fromstring(response.body)
    assert root.findtext("ResourceType") == "OBJECT"


def test_s3_error_body_carries_bucket_name_request_id_and_host_id() -> None:
    operation = service_model("s3").operation_model("ListObjects")
    error = AwsError(
        "NoSuchBucket",
        "The specified bucket does not exist",
        404,
        extra={"BucketName": "missing-bucket"},
    )
    response = engine("s3").serialize_error(error, operation, RID)
    assert response.status == 404
    assert response.header("x-amz-request-id") == RID
    assert response.header("x-amz-id-2")
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error>')
    root = ElementTree.fromstring(response.body)
    assert [child.tag for child in root] == ["Code", "Message", "BucketName", "RequestId", "HostId"]
    parsed = botocore_parse(operation, response)
    assert parsed["Error"] == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": "missing-bucket",
    }
    assert parsed["ResponseMetadata"]["RequestId"] == RID
    assert parsed["ResponseMetadata"]["HostId"] == response.header("x-amz-id-2")


def test_s3_head_errors_have_no_body() -> None:
    operation = service_model("s3").operation_model("HeadObject")
    response = engine("s3").serialize_error(AwsError("NoSuchKey", "gone", 404), operation, RID)
    assert (response.status, response.body) == (404, b"")
    assert response.header("x-amz-request-id") == RID


def test_s3_malformed_and_missing_bodies() -> None:
    tagging = service_model("s3").operation_model("PutBucketTagging")
    request = _request("PUT", "/b", "tagging", body=b"<Tagging><TagSet>")
    assert _raises(lambda: engine("s3").parse(request, tagging)).code == "MalformedXML"
    empty = _request("PUT", "/b", "tagging")
    assert _raises(lambda: engine("s3").parse(empty, tagging)).code == "MissingRequestBodyError"
    entity = _request("PUT", "/b", "tagging", body=b'<!DOCTYPE a [<!ENTITY x "y">]><Tagging/>')
    assert _raises(lambda: engine("s3").parse(entity, tagging)).code == "MalformedXML"


def test_s3_bad_typed_header_is_invalid_argument() -> None:
    operation = service_model("s3").operation_model("ListObjects")
    request = _request("GET", "/b", "max-keys=lots")
    error = _raises(lambda: engine("s3").parse(request, operation))
    assert (error.code, error.extra["ArgumentName"]) == ("InvalidArgument", "max-keys")


def test_s3_streamed_upload_leaves_the_body_to_the_service() -> None:
    operation = service_model("s3").operation_model("PutObject")
    request = botocore_request(operation, {"Bucket": "b", "Key": "k", "Body": b"x" * 10})
    request.body_streamed, request.body = True, b""
    parsed = engine("s3").parse(request, operation)
    assert "Body" not in parsed
    assert parsed["ContentLength"] == 10


def test_s3_get_object_streams_an_async_iterator() -> None:
    operation = service_model("s3").operation_model("GetObject")

    async def chunks() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    output = {
        "Body": chunks(),
        "ContentLength": 11,
        "ContentType": "text/plain",
        "Metadata": {"a": "1"},
    }
    response = engine("s3").serialize(operation, output, RID)
    assert response.body == b""
    assert response.stream is not None
    assert response.header("Content-Type") == "text/plain"
    assert response.header("x-amz-meta-a") == "1"

    async def drain(stream: AsyncIterator[bytes]) -> bytes:
        return b"".join([chunk async for chunk in stream])

    assert asyncio.run(drain(response.stream)) == b"hello world"


def test_s3_acl_grantee_keeps_its_xsi_type_attribute() -> None:
    operation = service_model("s3").operation_model("GetBucketAcl")
    output = {
        "Owner": {"ID": "owner"},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}],
    }
    response = engine("s3").serialize(operation, output, RID)
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"' in (
        response.body
    )
    parsed = botocore_parse(operation, response)
    assert parsed["Grants"] == output["Grants"]


def test_s3_through_a_whole_client() -> None:
    store: dict[str, bytes] = {}

    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        if name == "PutObject":
            store[params["Key"]] = params["Body"]
            return {"ETag": '"etag"'}
        if name == "GetObject":
            if params["Key"] not in store:
                raise AwsError(
                    "NoSuchKey",
                    "The specified key does not exist.",
                    404,
                    extra={"Key": params["Key"]},
                )
            body = store[params["Key"]]
            return {
                "Body": body,
                "ContentLength": len(body),
                "LastModified": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
            }
        if name == "GetBucketLocation":
            return {"LocationConstraint": "eu-west-1"}
        raise AwsError("NotImplemented", name, 501)

    s3 = loopback_client("s3", handler)
    key = "dir//ünï cödé+/"
    assert s3.put_object(Bucket="b", Key=key, Body=b"payload")["ETag"] == '"etag"'
    got = s3.get_object(Bucket="b", Key=key)
    assert got["Body"].read() == b"payload"
    assert got["LastModified"] == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert s3.get_bucket_location(Bucket="b")["LocationConstraint"] == "eu-west-1"
    with pytest.raises(s3.exceptions.NoSuchKey) as raised:
        s3.get_object(Bucket="b", Key="absent")
    assert raised.value.response["Error"]["Key"] == "absent"


# -- query (IAM, STS) -------------------------------------------------------------------


def test_query_missing_member_is_coral_validation_error() -> None:
    operation = service_model("iam").operation_model("CreateUser")
    error = _raises(lambda: engine("iam").parse(_form("CreateUser"), operation))
    assert (error.code, error.http_status) == ("ValidationError", 400)
    assert error.message == (
        "1 validation error detected: Value null at 'userName' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_query_length_constraints_are_enforced_like_coral() -> None:
    operation = service_model("iam").operation_model("CreateUser")
    error = _raises(lambda: engine("iam").parse(_form("CreateUser", UserName="x" * 65), operation))
    assert "Member must have length less than or equal to 64" in error.message


def test_query_unknown_and_missing_action() -> None:
    error = _raises(lambda: engine("iam").find_operation(_form("LaunchRockets")))
    assert (error.code, error.message) == (
        "InvalidAction",
        "The action LaunchRockets is not valid for this web service.",
    )
    bare = _request(
        "POST", "/", body=b"Version=1", content_type="application/x-www-form-urlencoded"
    )
    assert _raises(lambda: engine("iam").find_operation(bare)).code == "MissingAction"


def test_query_action_in_the_query_string_works_too() -> None:
    request = _request("GET", "/", "Action=GetUser&Version=2010-05-08&UserName=bob")
    operation = engine("iam").find_operation(request)
    assert engine("iam").parse(request, operation) == {"UserName": "bob"}


def test_query_error_document_and_modeled_code() -> None:
    operation = service_model("iam").operation_model("GetUser")
    # Raised under the shape name, it still goes out under the wire code NoSuchEntity.
    error = AwsError("NoSuchEntityException", "The user with name bob cannot be found.", 404)
    response = engine("iam").serialize_error(error, operation, RID)
    root = ElementTree.fromstring(response.body)
    ns = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}
    assert root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    assert root.findtext("iam:Error/iam:Type", namespaces=ns) == "Sender"
    assert root.findtext("iam:Error/iam:Code", namespaces=ns) == "NoSuchEntity"
    assert root.findtext("iam:RequestId", namespaces=ns) == RID

    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise error

    iam = loopback_client("iam", handler)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as raised:
        iam.get_user(UserName="bob")
    assert raised.value.response["Error"]["Type"] == "Sender"


def test_query_response_wraps_the_result_and_metadata() -> None:
    operation = service_model("sts").operation_model("GetCallerIdentity")
    output = {
        "UserId": "AIDA",
        "Account": "123456789012",
        "Arn": "arn:aws:iam::123456789012:user/x",
    }
    response = engine("sts").serialize(operation, output, RID)
    text = response.body.decode()
    assert text.startswith(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    )
    assert "<GetCallerIdentityResult><UserId>AIDA</UserId>" in text
    assert text.endswith(
        f"<ResponseMetadata><RequestId>{RID}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )


QUERY_MODEL = {
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "flat",
        "protocol": "query",
        "serviceId": "Flat",
        "signatureVersion": "v4",
        "xmlNamespace": "https://flat.example/doc/2020-01-01/",
    },
    "operations": {
        "Put": {
            "name": "Put",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "PutInput"},
            "output": {"shape": "PutOutput", "resultWrapper": "PutResult"},
        }
    },
    "shapes": {
        "PutInput": {
            "type": "structure",
            "members": {
                "Names": {"shape": "NameList", "flattened": True},
                "Renamed": {"shape": "ItemList", "flattened": True},
                "Attributes": {
                    "shape": "AttributeMap",
                    "locationName": "Attribute",
                    "flattened": True,
                },
                "Tags": {"shape": "TagMap"},
                "When": {"shape": "Stamp"},
            },
        },
        "PutOutput": {
            "type": "structure",
            "members": {
                "Names": {"shape": "NameList", "flattened": True},
                "Renamed": {"shape": "ItemList", "flattened": True},
                "Attributes": {
                    "shape": "AttributeMap",
                    "locationName": "Attribute",
                    "flattened": True,
                },
                "Tags": {"shape": "TagMap"},
            },
        },
        "NameList": {"type": "list", "member": {"shape": "Str"}},
        "ItemList": {"type": "list", "member": {"shape": "Str", "locationName": "Item"}},
        "AttributeMap": {
            "type": "map",
            "key": {"shape": "Str", "locationName": "Name"},
            "value": {"shape": "Str", "locationName": "Value"},
            "flattened": True,
        },
        "TagMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
        "Stamp": {"type": "timestamp"},
        "Str": {"type": "string"},
    },
}


def test_query_flattened_lists_and_maps_both_ways() -> None:
    from botocore.model import ServiceModel

    model = ServiceModel(QUERY_MODEL, "flat")
    flat = ProtocolEngine(model)
    operation = model.operation_model("Put")
    params = {
        "Names": ["a", "b"],
        "Renamed": ["x"],
        "Attributes": {"k": "v"},
        "Tags": {"t": "1"},
        "When": datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    }
    request = botocore_request(operation, params)
    body = request.body.decode()
    assert "Names.1=a&Names.2=b" in body  # flattened: no .member
    assert "Item.1=x" in body  # flattened and renamed after its member
    assert "Attribute.1.Name=k&Attribute.1.Value=v" in body
    assert "Tags.entry.1.key=t&Tags.entry.1.value=1" in body
    assert flat.parse(request, flat.find_operation(request)) == params

    output = {k: v for k, v in params.items() if k != "When"}
    response = flat.serialize(operation, output, RID)
    assert b"<Names>a</Names><Names>b</Names><Item>x</Item>" in response.body
    assert b"<Attribute><Name>k</Name><Value>v</Value></Attribute>" in response.body
    parsed = botocore_parse(operation, response)
    parsed.pop("ResponseMetadata")
    assert parsed == output


# -- ec2 ------------------------------------------------------------------------------


def test_ec2_list_naming_on_the_wire_and_in_responses() -> None:
    ec2 = service_model("ec2")
    operation = ec2.operation_model("DescribeInstances")
    request = botocore_request(
        operation,
        {"InstanceIds": ["i-1", "i-2"], "Filters": [{"Name": "tag:a", "Values": ["x", "y"]}]},
    )
    body = request.body.decode()
    assert "InstanceId.1=i-1&InstanceId.2=i-2" in body  # capitalised locationName, no .member
    assert "Filter.1.Name=tag%3Aa&Filter.1.Value.1=x&Filter.1.Value.2=y" in body
    assert engine("ec2").parse(request, operation) == {
        "InstanceIds": ["i-1", "i-2"],
        "Filters": [{"Name": "tag:a", "Values": ["x", "y"]}],
    }
    output = {"Reservations": [{"ReservationId": "r-1", "Instances": [{"InstanceId": "i-1"}]}]}
    response = engine("ec2").serialize(operation, output, RID)
    text = response.body.decode()
    assert text.startswith(
        '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">'
        f"<requestId>{RID}</requestId><reservationSet><item><reservationId>r-1</reservationId>"
    )
    assert "<instancesSet><item><instanceId>i-1</instanceId></item></instancesSet>" in text


def test_ec2_errors_and_missing_parameters() -> None:
    operation = service_model("ec2").operation_model("TerminateInstances")
    missing = _raises(lambda: engine("ec2").parse(_form("TerminateInstances"), operation))
    assert (missing.code, missing.message) == (
        "MissingParameter",
        "The request must contain the parameter InstanceId",
    )
    response = engine("ec2").serialize_error(missing, operation, RID)
    root = ElementTree.fromstring(response.body)
    assert root.tag == "Response"
    assert root.findtext("Errors/Error/Code") == "MissingParameter"
    assert root.findtext("RequestID") == RID
    bad = _form("DescribeInstances", MaxResults="ten")
    error = _raises(lambda: engine("ec2").parse(bad, engine("ec2").find_operation(bad)))
    assert error.code == "InvalidParameterValue"


# -- json (SQS, awsQueryCompatible) -------------------------------------------------------


def test_sqs_json_error_carries_the_query_error_header_and_type() -> None:
    operation = service_model("sqs").operation_model("GetQueueUrl")
    error = AwsError(
        "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.", 400
    )
    response = engine("sqs").serialize_error(error, operation, RID)
    assert response.header("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert response.header("x-amzn-RequestId") == RID
    assert response.header("Content-Type") == "application/x-amz-json-1.0"
    assert json.loads(response.body) == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist",
        "message": "The specified queue does not exist.",
    }

    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400)

    sqs = loopback_client("sqs", handler)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as raised:
        sqs.get_queue_url(QueueName="nope")
    assert raised.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert raised.value.response["Error"]["Type"] == "Sender"


def test_sqs_request_errors() -> None:
    def target(name: str, body: bytes) -> HttpRequest:
        return _request(
            "POST",
            "/",
            body=body,
            x_amz_target=f"AmazonSQS.{name}",
            content_type="application/x-amz-json-1.0",
        )

    sqs = engine("sqs")
    unknown = _raises(lambda: sqs.find_operation(target("Explode", b"{}")))
    assert (unknown.code, unknown.http_status) == ("UnknownOperationException", 400)
    send = service_model("sqs").operation_model("SendMessage")
    assert (
        _raises(lambda: sqs.parse(target("SendMessage", b"{"), send)).code
        == "SerializationException"
    )
    missing = _raises(lambda: sqs.parse(target("SendMessage", b'{"QueueUrl": "q"}'), send))
    assert (missing.code, missing.message) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )
    wrong = _raises(
        lambda: sqs.parse(
            target("SendMessage", b'{"QueueUrl": "q", "MessageBody": "m", "DelaySeconds": "x"}'),
            send,
        )
    )
    assert wrong.code == "InvalidParameterValue"
    response = sqs.serialize_error(missing, send, RID)
    assert response.header("x-amzn-query-error") == "MissingParameter;Sender"


def test_sqs_through_a_whole_client() -> None:
    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        if name == "SendMessage":
            assert params["MessageAttributes"]["bin"]["BinaryValue"] == b"\x00\xff"
            return {"MessageId": "m-1", "MD5OfMessageBody": "x"}
        return {
            "Messages": [{"MessageId": "m-1", "Body": "hi", "Attributes": {"SentTimestamp": "1"}}]
        }

    sqs = loopback_client("sqs", handler)
    sent = sqs.send_message(
        QueueUrl="https://nimbus.test/123/q",
        MessageBody="hi",
        MessageAttributes={"bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}},
    )
    assert sent["MessageId"] == "m-1"
    received = sqs.receive_message(QueueUrl="https://nimbus.test/123/q")
    assert received["Messages"][0]["Attributes"] == {"SentTimestamp": "1"}


# -- Route 53 (rest-xml with coral errors) --------------------------------------------


def test_route53_error_document_and_encoded_ids() -> None:
    operation = service_model("route53").operation_model("GetHostedZone")
    request = botocore_request(operation, {"Id": "/hostedzone/Z123"})
    assert request.path == "/2013-04-01/hostedzone/%2Fhostedzone%2FZ123"
    assert engine("route53").parse(request, operation) == {"Id": "/hostedzone/Z123"}
    error = AwsError("NoSuchHostedZone", "No hosted zone found with ID: Z123", 404)
    response = engine("route53").serialize_error(error, operation, RID)
    root = ElementTree.fromstring(response.body)
    ns = {"r": "https://route53.amazonaws.com/doc/2013-04-01/"}
    assert root.findtext("r:Error/r:Code", namespaces=ns) == "NoSuchHostedZone"
    assert root.findtext("r:Error/r:Type", namespaces=ns) == "Sender"
    assert root.findtext("r:RequestId", namespaces=ns) == RID

    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise error

    route53 = loopback_client("route53", handler)
    with pytest.raises(route53.exceptions.NoSuchHostedZone):
        route53.get_hosted_zone(Id="Z123")


def test_route53_missing_member_is_invalid_input() -> None:
    operation = service_model("route53").operation_model("CreateHostedZone")
    body = b'<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>a.</Name></CreateHostedZoneRequest>'
    error = _raises(
        lambda: engine("route53").parse(
            _request("POST", "/2013-04-01/hostedzone", body=body), operation
        )
    )
    assert error.code == "InvalidInput"
    assert "Value null at 'callerReference'" in error.message


# -- values ---------------------------------------------------------------------------


def test_timestamps_in_every_format_parse_to_aware_utc() -> None:
    from nimbus_gateway.protocol.values import format_timestamp, parse_timestamp

    moment = datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=UTC)
    for text in (
        "2024-02-29T23:59:58.123Z",
        "2024-02-29T23:59:58.123000+00:00",
        "2024-03-01T01:59:58.123+02:00",
        "1709251198.123",
    ):
        assert parse_timestamp(text) == moment
    assert parse_timestamp("Thu, 29 Feb 2024 23:59:58 GMT") == moment.replace(microsecond=0)
    assert format_timestamp(moment, "iso8601") == "2024-02-29T23:59:58.123Z"
    assert format_timestamp(moment, "rfc822") == "Thu, 29 Feb 2024 23:59:58 GMT"
    assert format_timestamp(moment, "unixtimestamp") == 1709251198.123
    # What a service may hand back after the JSON hop: epoch numbers or ISO text.
    assert format_timestamp(1709251198, "iso8601") == "2024-02-29T23:59:58.000Z"
    assert format_timestamp("2024-02-29T23:59:58.123Z", "unixtimestamp") == 1709251198.123


def test_malformed_service_output_becomes_internal_error() -> None:
    operation = service_model("iam").operation_model("GetUser")
    response = engine("iam").serialize(operation, {"User": "not a structure"}, RID)
    assert response.status == 500
    assert b"<Code>InternalError</Code>" in response.body


def test_client_error_codes_match_for_a_generic_error() -> None:
    def handler(name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError("Throttling", "Rate exceeded", 400)

    sts = loopback_client("sts", handler)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert raised.value.response["ResponseMetadata"]["RequestId"] == "loopback-request-id"


# -- aws-chunked uploads --------------------------------------------------------------


def test_s3_chunked_upload_reads_the_payload_headers_once_the_gateway_decoded_it() -> None:
    """The SigV4 layer removes the framing and copies trailers into the headers; parse()
    then sees the payload's own Content-Length and Content-Encoding."""
    operation = service_model("s3").operation_model("PutObject")
    request = _request(
        "PUT",
        "/b/k",
        body=b"hello world",
        content_encoding="aws-chunked,gzip",
        x_amz_decoded_content_length="11",
        x_amz_trailer="x-amz-checksum-crc32",
        x_amz_checksum_crc32="DUoRhQ==",
        content_length="87",
    )
    parsed = engine("s3").parse(request, operation)
    assert parsed["Body"] == b"hello world"
    assert parsed["ContentLength"] == 11
    assert parsed["ContentEncoding"] == "gzip"
    assert parsed["ChecksumCRC32"] == "DUoRhQ=="
