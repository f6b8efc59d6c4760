"""ListObjectVersions writes <Version> and <DeleteMarker> interleaved in the order the service
gives in the reserved "__order" key, as S3 lists them; without it, the model's order."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import botocore.parsers
from nimbus_gateway.engines import engine_for
from nimbus_gateway.protocol.http import HttpResponse
from nimbus_gateway.protocol.restxml import ORDER_KEY

S3 = engine_for("s3")
MODEL = S3.service_model
NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _version(key: str, version_id: str) -> dict[str, Any]:
    return {
        "Key": key,
        "VersionId": version_id,
        "IsLatest": False,
        "ETag": '"e"',
        "Size": 1,
        "StorageClass": "STANDARD",
    }


def _marker(key: str, version_id: str) -> dict[str, Any]:
    return {"Key": key, "VersionId": version_id, "IsLatest": True}


def _output(**extra: Any) -> dict[str, Any]:
    return {
        "Name": "b",
        "Prefix": "",
        "MaxKeys": 1000,
        "IsTruncated": False,
        "Versions": [_version("a", "a2"), _version("a", "a1"), _version("c", "c1")],
        "DeleteMarkers": [_marker("a", "a3"), _marker("b", "b1")],
        "CommonPrefixes": [{"Prefix": "d/"}],
        **extra,
    }


def _serialize(output: dict[str, Any], operation: str = "ListObjectVersions") -> HttpResponse:
    return S3.serialize(MODEL.operation_model(operation), output, "RID")


def _children(response: HttpResponse) -> list[tuple[str, str]]:
    """(element, VersionId or text) of each child of the root, in document order."""
    root = ET.fromstring(response.body)
    return [
        (child.tag.removeprefix(NAMESPACE), child.findtext(f"{NAMESPACE}VersionId") or "")
        for child in root
    ]


def _entries(response: HttpResponse) -> list[tuple[str, str]]:
    return [c for c in _children(response) if c[0] in ("Version", "DeleteMarker")]


def test_entries_follow_the_services_order() -> None:
    response = _serialize(_output(**{ORDER_KEY: ["D", "V", "V", "D", "V"]}))
    assert _entries(response) == [
        ("DeleteMarker", "a3"),
        ("Version", "a2"),
        ("Version", "a1"),
        ("DeleteMarker", "b1"),
        ("Version", "c1"),
    ]
    names = [name for name, _ in _children(response)]
    # One run of entries where the model puts Versions; the rest of the document unchanged.
    first = names.index("DeleteMarker")
    assert names[first : first + 5] == [
        "DeleteMarker",
        "Version",
        "Version",
        "DeleteMarker",
        "Version",
    ]
    assert names.count("CommonPrefixes") == 1 and names.index("CommonPrefixes") > first + 4


def test_the_reserved_key_is_never_an_element() -> None:
    body = _serialize(_output(**{ORDER_KEY: ["D", "V", "V", "D", "V"]})).body
    assert b"__order" not in body and b"order" not in body.lower()


def test_without_the_key_versions_come_first_as_before() -> None:
    assert _entries(_serialize(_output())) == [
        ("Version", "a2"),
        ("Version", "a1"),
        ("Version", "c1"),
        ("DeleteMarker", "a3"),
        ("DeleteMarker", "b1"),
    ]


def test_a_short_or_odd_order_loses_no_entry() -> None:
    response = _serialize(_output(**{ORDER_KEY: ["D", "X", "D", "D"]}))
    assert _entries(response) == [
        ("DeleteMarker", "a3"),
        ("DeleteMarker", "b1"),
        ("Version", "a2"),
        ("Version", "a1"),
        ("Version", "c1"),
    ]


def test_only_one_kind_present() -> None:
    output = _output(**{ORDER_KEY: ["D", "D"]})
    del output["Versions"]
    assert _entries(_serialize(output)) == [("DeleteMarker", "a3"), ("DeleteMarker", "b1")]


def test_other_operations_ignore_the_key() -> None:
    output = {
        "Name": "b",
        "IsTruncated": False,
        "Contents": [{"Key": "k", "Size": 1}],
        ORDER_KEY: ["V", "D"],
    }
    response = _serialize(output, "ListObjectsV2")
    assert b"__order" not in response.body
    assert [name for name, _ in _children(response)].count("Contents") == 1


def test_boto3_reads_the_interleaved_document_as_before() -> None:
    response = _serialize(_output(**{ORDER_KEY: ["D", "V", "V", "D", "V"]}))
    parser = botocore.parsers.create_parser("rest-xml")
    parsed = parser.parse(
        {"status_code": response.status, "headers": dict(response.headers), "body": response.body},
        MODEL.operation_model("ListObjectVersions").output_shape,
    )
    assert [v["VersionId"] for v in parsed["Versions"]] == ["a2", "a1", "c1"]
    assert [m["VersionId"] for m in parsed["DeleteMarkers"]] == ["a3", "b1"]
    assert [p["Prefix"] for p in parsed["CommonPrefixes"]] == ["d/"]
