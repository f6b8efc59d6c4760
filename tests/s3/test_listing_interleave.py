"""ListObjectVersions on the wire: <Version> and <DeleteMarker> interleaved in listing order
(key ascending, newest first within a key), as S3 writes them; raw XML readers see it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tests.s3.conftest import S3Cloud, s3_client

NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _raw_listing(client: Any, **params: Any) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """boto3's parsed page and the raw document's entries (element, Key, VersionId)."""
    bodies: list[bytes] = []

    def capture(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.content)

    client.meta.events.register("after-call.s3.ListObjectVersions", capture)
    try:
        page = client.list_object_versions(**params)
    finally:
        client.meta.events.unregister("after-call.s3.ListObjectVersions", capture)
    assert len(bodies) == 1
    root = ET.fromstring(bodies[0])
    entries = [
        (
            child.tag.removeprefix(NAMESPACE),
            child.findtext(f"{NAMESPACE}Key") or "",
            child.findtext(f"{NAMESPACE}VersionId") or "",
        )
        for child in root
        if child.tag in (f"{NAMESPACE}Version", f"{NAMESPACE}DeleteMarker")
    ]
    return page, entries


def test_versions_and_delete_markers_interleave_in_listing_order(
    s3_cloud: S3Cloud, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    a1 = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["VersionId"]
    a2 = s3.put_object(Bucket=bucket, Key="a", Body=b"2")["VersionId"]
    a_marker = s3.delete_object(Bucket=bucket, Key="a")["VersionId"]
    b1 = s3.put_object(Bucket=bucket, Key="b", Body=b"1")["VersionId"]
    b_marker = s3.delete_object(Bucket=bucket, Key="b")["VersionId"]
    b2 = s3.put_object(Bucket=bucket, Key="b", Body=b"2")["VersionId"]
    c1 = s3.put_object(Bucket=bucket, Key="c", Body=b"1")["VersionId"]
    client = s3_client(s3_cloud.endpoint)

    page, entries = _raw_listing(client, Bucket=bucket)
    assert entries == [
        ("DeleteMarker", "a", a_marker),
        ("Version", "a", a2),
        ("Version", "a", a1),
        ("Version", "b", b2),
        ("DeleteMarker", "b", b_marker),
        ("Version", "b", b1),
        ("Version", "c", c1),
    ]
    # boto3 still reads the two lists, each in listing order.
    assert [v["VersionId"] for v in page["Versions"]] == [a2, a1, b2, b1, c1]
    assert [m["VersionId"] for m in page["DeleteMarkers"]] == [a_marker, b_marker]

    # A page boundary keeps the order of what it holds.
    page, entries = _raw_listing(
        client, Bucket=bucket, KeyMarker="a", VersionIdMarker=a2, MaxKeys=3
    )
    assert entries == [
        ("Version", "a", a1),
        ("Version", "b", b2),
        ("DeleteMarker", "b", b_marker),
    ]
    assert page["IsTruncated"] and page["NextVersionIdMarker"] == b_marker


def test_the_reserved_order_key_never_reaches_the_wire(
    s3_cloud: S3Cloud, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="k")
    client = s3_client(s3_cloud.endpoint)
    bodies: list[bytes] = []
    client.meta.events.register(
        "after-call.s3.ListObjectVersions",
        lambda http_response, **_: bodies.append(http_response.content),
    )
    client.list_object_versions(Bucket=bucket)
    assert bodies and b"order" not in bodies[0].lower()
    assert b"<DeleteMarker>" in bodies[0] and b"<Version>" in bodies[0]
