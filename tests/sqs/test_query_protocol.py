"""The query protocol, as older SDKs and raw HTTP clients speak it: form-encoded POSTs signed
with SigV4, answered in XML in the 2012-11-05 namespace.

Built by hand (urllib + botocore's SigV4 signer) rather than with an SDK, so the test sees
exactly what goes over the wire: the flattened MessageAttribute.N.* parameters, the
AttributeName.N lists, POSTs to the queue's own URL without a QueueUrl, and the XML errors
with their AWS.SimpleQueueService.* codes.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.sqs.conftest import ACCOUNT, REGION, SqsCloud

pytestmark = pytest.mark.system

NS = "http://queue.amazonaws.com/doc/2012-11-05/"
VERSION = "2012-11-05"


@dataclass
class Reply:
    status: int
    root: ET.Element
    headers: dict[str, str]  # names lower-cased

    def find(self, path: str) -> ET.Element:
        found = self.root.find(qualify(path))
        assert found is not None, f"no {path} in {ET.tostring(self.root).decode()}"
        return found

    def text(self, path: str) -> str:
        return self.find(path).text or ""

    def all(self, path: str) -> list[ET.Element]:
        return self.root.findall(qualify(path))


def qualify(path: str) -> str:
    """'A/B' -> '{ns}A/{ns}B' (ElementTree wants the namespace on every step)."""
    return "/".join(
        f"{{{NS}}}{step}" if step not in (".", "..") else step for step in path.split("/")
    )


def child(element: ET.Element, name: str) -> str:
    found = element.find(f"{{{NS}}}{name}")
    assert found is not None, f"no {name} in {ET.tostring(element).decode()}"
    return found.text or ""


def post(url: str, params: dict[str, str], *, host: str = "") -> Reply:
    """One signed query request; the reply's XML parsed whatever the status. With host, the
    request is signed for and carries that Host header (a name this machine cannot resolve,
    like sqs.us-east-1.localhost) but still goes to url's address."""
    body = urllib.parse.urlencode({"Version": VERSION, **params})
    parts = urllib.parse.urlsplit(url)
    signed_url = parts._replace(netloc=host).geturl() if host else url
    request = AWSRequest(
        method="POST",
        url=signed_url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = host or parts.netloc
    prepared = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers.items()
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers.items()
    assert raw.startswith(b"<"), raw[:200]
    return Reply(status, ET.fromstring(raw), {k.lower(): v for k, v in got})


def attributes_md5(attributes: dict[str, tuple[str, str | bytes]]) -> str:
    """MD5OfMessageAttributes as AWS computes it: per attribute, in name order, the name, the
    data type and the value, each as a 4-byte big-endian length and its bytes, with a transport
    byte (1 string, 2 binary) before the value."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        data_type, value = attributes[name]
        for part in (name, data_type):
            encoded = part.encode()
            digest.update(struct.pack(">I", len(encoded)) + encoded)
        if isinstance(value, bytes):
            digest.update(b"\x02" + struct.pack(">I", len(value)) + value)
        else:
            encoded = value.encode()
            digest.update(b"\x01" + struct.pack(">I", len(encoded)) + encoded)
    return digest.hexdigest()


@pytest.fixture
def query_queue(sqs_cloud: SqsCloud) -> Iterator[tuple[str, str, str, Reply]]:
    """(endpoint, name, url) of a queue made over the query protocol, deleted afterwards."""
    endpoint = sqs_cloud.endpoint + "/"
    name = f"q-{uuid.uuid4().hex[:16]}"
    created = post(
        endpoint,
        {
            "Action": "CreateQueue",
            "QueueName": name,
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "45",
        },
    )
    assert created.status == 200, ET.tostring(created.root)
    url = created.text("CreateQueueResult/QueueUrl")
    yield endpoint, name, url, created
    post(endpoint, {"Action": "DeleteQueue", "QueueUrl": url})


def test_create_queue_and_get_queue_url(sqs_cloud: SqsCloud, query_queue: Any) -> None:
    endpoint, name, url, created = query_queue
    assert created.root.tag == f"{{{NS}}}CreateQueueResponse"
    assert url == f"{sqs_cloud.endpoint}/{ACCOUNT}/{name}"
    request_id = created.text("ResponseMetadata/RequestId")
    assert request_id and created.headers.get("x-amzn-requestid") == request_id
    assert created.headers["content-type"].startswith("text/xml")

    found = post(endpoint, {"Action": "GetQueueUrl", "QueueName": name})
    assert found.status == 200
    assert found.root.tag == f"{{{NS}}}GetQueueUrlResponse"
    assert found.text("GetQueueUrlResult/QueueUrl") == url

    attrs = post(
        endpoint,
        {"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "All"},
    )
    assert attrs.status == 200
    values = {
        child(a, "Name"): child(a, "Value") for a in attrs.all("GetQueueAttributesResult/Attribute")
    }
    assert values["VisibilityTimeout"] == "45"
    assert values["QueueArn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    assert values["MaximumMessageSize"] == "1048576"


def test_send_receive_delete_with_message_attributes(query_queue: Any) -> None:
    endpoint, _, url, _ = query_queue
    body = "hello <query> & 'xml' \u00e9\u4e2d"
    binary = b"\x00\x01\xfe\xff"
    sent = post(
        endpoint,
        {
            "Action": "SendMessage",
            "QueueUrl": url,
            "MessageBody": body,
            "MessageAttribute.1.Name": "colour",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "blue",
            "MessageAttribute.2.Name": "count",
            "MessageAttribute.2.Value.DataType": "Number",
            "MessageAttribute.2.Value.StringValue": "42",
            "MessageAttribute.3.Name": "blob",
            "MessageAttribute.3.Value.DataType": "Binary",
            "MessageAttribute.3.Value.BinaryValue": base64.b64encode(binary).decode(),
        },
    )
    assert sent.status == 200, ET.tostring(sent.root)
    assert sent.root.tag == f"{{{NS}}}SendMessageResponse"
    expected_attributes_md5 = attributes_md5(
        {"colour": ("String", "blue"), "count": ("Number", "42"), "blob": ("Binary", binary)}
    )
    assert sent.text("SendMessageResult/MD5OfMessageBody") == hashlib.md5(body.encode()).hexdigest()
    assert sent.text("SendMessageResult/MD5OfMessageAttributes") == expected_attributes_md5
    message_id = sent.text("SendMessageResult/MessageId")
    uuid.UUID(message_id)

    received = post(
        endpoint,
        {
            "Action": "ReceiveMessage",
            "QueueUrl": url,
            "AttributeName.1": "All",
            "MessageAttributeName.1": "All",
            "MaxNumberOfMessages": "10",
            "WaitTimeSeconds": "2",
        },
    )
    assert received.status == 200, ET.tostring(received.root)
    (message,) = received.all("ReceiveMessageResult/Message")
    assert child(message, "MessageId") == message_id
    assert child(message, "Body") == body
    assert child(message, "MD5OfBody") == hashlib.md5(body.encode()).hexdigest()
    assert child(message, "MD5OfMessageAttributes") == expected_attributes_md5
    system = {child(a, "Name"): child(a, "Value") for a in message.findall(f"{{{NS}}}Attribute")}
    assert system["ApproximateReceiveCount"] == "1"
    assert {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(system)
    assert int(system["SentTimestamp"]) <= int(system["ApproximateFirstReceiveTimestamp"])
    user: dict[str, dict[str, str]] = {}
    for attribute in message.findall(f"{{{NS}}}MessageAttribute"):
        value = attribute.find(f"{{{NS}}}Value")
        assert value is not None
        user[child(attribute, "Name")] = {
            element.tag.split("}")[1]: element.text or "" for element in value
        }
    assert user == {
        "colour": {"StringValue": "blue", "DataType": "String"},
        "count": {"StringValue": "42", "DataType": "Number"},
        "blob": {"BinaryValue": base64.b64encode(binary).decode(), "DataType": "Binary"},
    }

    deleted = post(
        endpoint,
        {
            "Action": "DeleteMessage",
            "QueueUrl": url,
            "ReceiptHandle": child(message, "ReceiptHandle"),
        },
    )
    assert deleted.status == 200
    assert deleted.root.tag == f"{{{NS}}}DeleteMessageResponse"
    assert deleted.text("ResponseMetadata/RequestId")
    again = post(endpoint, {"Action": "ReceiveMessage", "QueueUrl": url})
    assert again.status == 200
    assert again.all("ReceiveMessageResult/Message") == []


def test_a_post_to_the_queue_url_needs_no_queue_url_parameter(query_queue: Any) -> None:
    _, _, url, _ = query_queue
    sent = post(url, {"Action": "SendMessage", "MessageBody": "by path"})
    assert sent.status == 200, ET.tostring(sent.root)
    batch = post(
        url,
        {
            "Action": "SendMessageBatch",
            "SendMessageBatchRequestEntry.1.Id": "one",
            "SendMessageBatchRequestEntry.1.MessageBody": "batch one",
            "SendMessageBatchRequestEntry.2.Id": "two",
            "SendMessageBatchRequestEntry.2.MessageBody": "batch two",
            "SendMessageBatchRequestEntry.2.DelaySeconds": "0",
        },
    )
    assert batch.status == 200, ET.tostring(batch.root)
    entries = batch.all("SendMessageBatchResult/SendMessageBatchResultEntry")
    assert sorted(child(e, "Id") for e in entries) == ["one", "two"]
    for entry in entries:
        uuid.UUID(child(entry, "MessageId"))
        expected = "batch one" if child(entry, "Id") == "one" else "batch two"
        assert child(entry, "MD5OfMessageBody") == hashlib.md5(expected.encode()).hexdigest()

    attrs = post(
        url,
        {"Action": "GetQueueAttributes", "AttributeName.1": "ApproximateNumberOfMessages"},
    )
    assert attrs.status == 200
    (only,) = attrs.all("GetQueueAttributesResult/Attribute")
    assert (child(only, "Name"), child(only, "Value")) == ("ApproximateNumberOfMessages", "3")

    received = post(url, {"Action": "ReceiveMessage", "MaxNumberOfMessages": "10"})
    bodies = sorted(child(m, "Body") for m in received.all("ReceiveMessageResult/Message"))
    assert bodies == ["batch one", "batch two", "by path"]


def test_the_sqs_region_host_form_of_queue_urls(
    sqs_cloud: SqsCloud, sqs: Any, query_queue: tuple[str, str, str, Reply]
) -> None:
    """http://sqs.<region>.<host>/<account>/<name> names the same queue as the plain form."""
    _, name, url, _ = query_queue
    port = urllib.parse.urlsplit(sqs_cloud.endpoint).port
    regional_host = f"sqs.{REGION}.localhost:{port}"
    regional = f"http://{regional_host}/{ACCOUNT}/{name}"
    sqs.send_message(QueueUrl=regional, MessageBody="via the regional url (json)")
    # The query protocol, addressed to that host and posted to the queue's path.
    sent = post(
        f"{sqs_cloud.endpoint}/{ACCOUNT}/{name}",
        {"Action": "SendMessage", "MessageBody": "via the regional host (query)"},
        host=regional_host,
    )
    assert sent.status == 200, ET.tostring(sent.root)
    bodies = sorted(
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    )
    assert bodies == ["via the regional host (query)", "via the regional url (json)"]


def test_a_missing_queue_is_an_xml_error_with_the_query_code(sqs_cloud: SqsCloud) -> None:
    missing = f"{sqs_cloud.endpoint}/{ACCOUNT}/no-such-{uuid.uuid4().hex[:12]}"
    for reply in (
        post(
            sqs_cloud.endpoint + "/",
            {"Action": "SendMessage", "QueueUrl": missing, "MessageBody": "x"},
        ),
        post(missing, {"Action": "ReceiveMessage"}),
        post(
            sqs_cloud.endpoint + "/",
            {"Action": "GetQueueUrl", "QueueName": missing.rsplit("/", 1)[1]},
        ),
    ):
        assert reply.status == 400, ET.tostring(reply.root)
        assert reply.root.tag == f"{{{NS}}}ErrorResponse"
        assert reply.text("Error/Type") == "Sender"
        assert reply.text("Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"
        assert reply.text("Error/Message") == "The specified queue does not exist."
        assert reply.text("RequestId")


def test_query_errors_for_bad_input(query_queue: Any) -> None:
    endpoint, _, url, _ = query_queue
    missing_body = post(endpoint, {"Action": "SendMessage", "QueueUrl": url})
    assert missing_body.status == 400
    assert missing_body.text("Error/Code") == "MissingParameter"
    assert missing_body.text("Error/Message") == (
        "The request must contain the parameter MessageBody."
    )

    bad_handle = post(
        endpoint, {"Action": "DeleteMessage", "QueueUrl": url, "ReceiptHandle": "garbage"}
    )
    assert bad_handle.status == 404
    assert bad_handle.text("Error/Code") == "ReceiptHandleIsInvalid"

    duplicate = post(
        endpoint,
        {
            "Action": "SendMessageBatch",
            "QueueUrl": url,
            "SendMessageBatchRequestEntry.1.Id": "same",
            "SendMessageBatchRequestEntry.1.MessageBody": "a",
            "SendMessageBatchRequestEntry.2.Id": "same",
            "SendMessageBatchRequestEntry.2.MessageBody": "b",
        },
    )
    assert duplicate.status == 400
    assert duplicate.text("Error/Code") == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"

    bad_attribute = post(
        endpoint,
        {
            "Action": "SetQueueAttributes",
            "QueueUrl": url,
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "43201",
        },
    )
    assert bad_attribute.status == 400
    assert bad_attribute.text("Error/Code") == "InvalidAttributeValue"
