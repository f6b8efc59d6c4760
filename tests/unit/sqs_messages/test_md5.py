"""MD5OfMessageBody / MD5OfMessageAttributes / MD5OfMessageSystemAttributes against
digests AWS itself returned (recorded in LocalStack's AWS-validated snapshots) and against
the encoding spelled out byte by byte.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

import pytest
from nimbus_sqs.md5 import md5_of_attributes, md5_of_body


def s(value: str, data_type: str = "String") -> dict[str, str]:
    return {"DataType": data_type, "StringValue": value}


def b(value: bytes, data_type: str = "Binary") -> dict[str, str]:
    return {"DataType": data_type, "BinaryValue": base64.b64encode(value).decode()}


# Digests AWS returned for these attributes (LocalStack test_sqs.snapshot.json, recorded
# against AWS: test_receive_message_message_attribute_names_filters,
# test_receive_message_attribute_names_filters, test_send_message_with_binary_attributes).
AWS_RECORDED = [
    (
        {"General": s("Kenobi"), "Hello": s("There"), "Help.Me": s("Me")},
        "4c360f3fdafd970e05fae2f149d997f5",
    ),
    ({"General": s("Kenobi"), "Hello": s("There")}, "fca026605781cb4126a1e9044df24232"),
    ({"Hello": s("There")}, "a311262e065454b75da111d535b8dacd"),
    ({"Hello": s("There"), "Help.Me": s("Me")}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ({"Foo": s("Bar")}, "ae7155c6026991b6d54b11589678bf9c"),
    (
        {"attr1": b(b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01")},
        "8cbe4db156db8a94db8b801b7addb984",
    ),
]

# Published examples of the same algorithm (npm aws-md5-of-message-attributes README).
PUBLISHED = [
    ({"attribName1": s("attribValue 1")}, "19e27d4e946b072f3f58da80d94fd778"),
    (
        {"customNumberTypeAttrib": s("4563442423554324324264524243.32543234", "Number.float")},
        "9fe1b90bbd9965bdf77bac517c7d2495",
    ),
    ({"binaryAttribute": b(b"Hello binary world!")}, "31a92b15d92f8db860eda32aceb656c3"),
    (
        {
            "attribName1": s("attribValue 1"),
            "customNumberTypeAttrib": s("4563442423554324324264524243.32543234", "Number.float"),
            "binaryAttribute": b(b"Hello binary world!"),
        },
        "c932db14a896c663f83c260297d594ff",
    ),
]


@pytest.mark.parametrize(("attributes", "expected"), AWS_RECORDED + PUBLISHED)
def test_attribute_digest_matches_known_vectors(attributes: dict[str, Any], expected: str) -> None:
    assert md5_of_attributes(attributes) == expected


def test_body_digest_matches_aws() -> None:
    # MD5OfBody values from the same AWS recordings.
    assert md5_of_body("msg") == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert md5_of_body("test") == "098f6bcd4621d373cade4e832627b4f6"
    assert md5_of_body("message-body-1") == "19c9e282d65f9733bc6b35d50062c7ee"


def test_body_digest_is_over_utf8_bytes() -> None:
    body = "Héllo 😀 \u2028"
    assert md5_of_body(body) == hashlib.md5(body.encode("utf-8")).hexdigest()


def test_encoding_byte_by_byte() -> None:
    """The documented layout, assembled by hand: length-prefixed name, type, transport
    byte, length-prefixed value, attributes in name order.
    """

    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    expected = (
        field(b"a-bin")
        + field(b"Binary.gz")
        + b"\x02"
        + field(b"\x00\xff\x10")
        + field(b"b-num")
        + field(b"Number")
        + b"\x01"
        + field(b"-1.5e3")
        + field(b"c-str")
        + field(b"String")
        + b"\x01"
        + field("ünï".encode())
    )
    attributes = {
        "c-str": s("ünï"),
        "a-bin": b(b"\x00\xff\x10", "Binary.gz"),
        "b-num": s("-1.5e3", "Number"),
    }
    assert md5_of_attributes(attributes) == hashlib.md5(expected).hexdigest()


def test_order_of_the_map_does_not_matter() -> None:
    first = {"z": s("1"), "A": s("2"), "a": s("3"), "_": s("4")}
    second = dict(reversed(list(first.items())))
    assert md5_of_attributes(first) == md5_of_attributes(second)


def test_transport_type_is_part_of_the_digest() -> None:
    as_string = {"x": {"DataType": "String", "StringValue": "abc"}}
    as_binary = {"x": {"DataType": "String", "BinaryValue": base64.b64encode(b"abc").decode()}}
    assert md5_of_attributes(as_string) != md5_of_attributes(as_binary)


def test_binary_value_as_base64_text_or_bytes() -> None:
    raw = {"k": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}}
    text = {"k": {"DataType": "Binary", "BinaryValue": "AQI="}}
    assert md5_of_attributes(raw) == md5_of_attributes(text)


def test_no_attributes_no_digest() -> None:
    assert md5_of_attributes({}) is None
    assert md5_of_attributes(None) is None


def test_system_attributes_use_the_same_encoding() -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    expected = hashlib.md5(
        struct.pack(">I", 14)
        + b"AWSTraceHeader"
        + struct.pack(">I", 6)
        + b"String"
        + b"\x01"
        + struct.pack(">I", len(trace))
        + trace.encode()
    ).hexdigest()
    assert md5_of_attributes({"AWSTraceHeader": s(trace)}) == expected
