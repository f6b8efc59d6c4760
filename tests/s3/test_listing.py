"""ListObjects, ListObjectsV2 and ListObjectVersions through boto3, as S3 answers them."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

CEPH_KEYS = ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"]


def put_keys(s3: Any, bucket: str, keys: list[str], body: bytes = b"x") -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=body), keys))


def keys_of(page: dict[str, Any]) -> list[str]:
    return [o["Key"] for o in page.get("Contents", [])]


def prefixes_of(page: dict[str, Any]) -> list[str]:
    return [p["Prefix"] for p in page.get("CommonPrefixes", [])]


def test_list_objects_v1_delimiter_pages_like_s3(s3: Any, bucket: str) -> None:
    put_keys(s3, bucket, CEPH_KEYS)
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1)
    assert keys_of(page) == ["asdf"] and page["IsTruncated"] is True
    assert page["NextMarker"] == "asdf" and page["Marker"] == "" and page["MaxKeys"] == 1
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1, Marker="asdf")
    assert prefixes_of(page) == ["boo/"] and page["NextMarker"] == "boo/"
    assert "Contents" not in page
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1, Marker="boo/")
    assert prefixes_of(page) == ["cquux/"] and page["IsTruncated"] is False
    assert "NextMarker" not in page
    page = s3.list_objects(Bucket=bucket, Delimiter="/", Prefix="boo/")
    assert keys_of(page) == ["boo/bar"] and prefixes_of(page) == ["boo/baz/"]
    assert page["Prefix"] == "boo/" and page["Delimiter"] == "/"
    # Without a delimiter there is no NextMarker, even when truncated.
    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert keys_of(page) == ["asdf", "boo/bar"] and page["IsTruncated"] is True
    assert "NextMarker" not in page
    owner = page["Contents"][0]["Owner"]
    expected_id = hashlib.sha256(b"nimbus-canonical:000000000000").hexdigest()
    assert owner["ID"] == expected_id
    item = page["Contents"][0]
    assert item["Size"] == 1 and item["StorageClass"] == "STANDARD"
    assert item["ETag"] == '"9dd4e461268c8034f5c8564e155c67a6"'


def test_list_objects_v2_fields_and_pagination(s3: Any, bucket: str) -> None:
    put_keys(s3, bucket, CEPH_KEYS)
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert keys_of(page) == ["asdf"] and prefixes_of(page) == ["boo/"]
    assert page["KeyCount"] == 2 and page["IsTruncated"] is True
    assert "Owner" not in page["Contents"][0]
    token = page["NextContinuationToken"]
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2, ContinuationToken=token)
    assert prefixes_of(page) == ["cquux/"] and page["IsTruncated"] is False
    assert page["ContinuationToken"] == token and page["KeyCount"] == 1
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="boo/bar", FetchOwner=True)
    assert keys_of(page) == ["boo/baz/xyzzy", "cquux/bla", "cquux/thud"]
    assert page["StartAfter"] == "boo/bar" and "ID" in page["Contents"][0]["Owner"]
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert page["KeyCount"] == 0 and page["IsTruncated"] is False and "Contents" not in page
    page = s3.list_objects_v2(Bucket=bucket, Prefix="nothing/")
    assert page["KeyCount"] == 0 and "Contents" not in page


def test_paginator_walks_every_key_once(s3: Any, bucket: str) -> None:
    keys = [f"d{d}/k{i:03d}" for d in range(3) for i in range(40)] + [f"top{i}" for i in range(7)]
    put_keys(s3, bucket, keys)
    seen: list[str] = []
    pages = 0
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 11}
    ):
        pages += 1
        seen += keys_of(page)
    assert seen == sorted(keys) and pages == 12
    rolled: list[str] = []
    for page in s3.get_paginator("list_objects").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}
    ):
        rolled += prefixes_of(page) + keys_of(page)
    assert sorted(rolled) == ["d0/", "d1/", "d2/"] + [f"top{i}" for i in range(7)]


def test_url_encoding_of_odd_keys(s3: Any, bucket: str) -> None:
    put_keys(s3, bucket, ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "\u00e9t\u00e9"])
    # botocore decodes only when it asked for url encoding itself: asked explicitly, the
    # raw encoded values show.
    page = s3.list_objects(Bucket=bucket, Delimiter="/", EncodingType="url")
    assert page["EncodingType"] == "url"
    assert keys_of(page) == ["asdf%2Bb", "%C3%A9t%C3%A9"]
    assert prefixes_of(page) == ["foo%2B1/", "foo/", "quux%20ab/"]
    # The SDK's own encoding round trip gives the keys back unchanged.
    decoded = s3.list_objects_v2(Bucket=bucket)
    assert keys_of(decoded) == sorted(
        ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "\u00e9t\u00e9"]
    )
    with pytest.raises(ClientError) as caught:
        s3.list_objects(Bucket=bucket, EncodingType="base64")
    assert caught.value.response["Error"]["Code"] == "InvalidArgument"


def test_unicode_keys_list_in_utf8_byte_order(s3: Any, bucket: str) -> None:
    keys = ["z", "\u00e9", "\U0001f600", "\uffef", "A", "a", "~"]
    put_keys(s3, bucket, keys)
    listed = keys_of(s3.list_objects_v2(Bucket=bucket))
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_bad_input(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as caught:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="garbage")
    assert caught.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as caught:
        s3.list_objects_v2(Bucket="no-such-bucket-nimbus-listing")
    assert caught.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as caught:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    assert caught.value.response["Error"]["Code"] == "InvalidArgument"


def test_list_object_versions(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"unversioned")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="a", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="b", Body=b"two")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="b")["VersionId"]
    s3.put_object(Bucket=bucket, Key="dir/c", Body=b"c")
    page = s3.list_object_versions(Bucket=bucket)
    versions = [(v["Key"], v["VersionId"], v["IsLatest"]) for v in page["Versions"]]
    assert versions[:3] == [("a", v1, True), ("a", "null", False), ("b", v2, False)]
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in page["DeleteMarkers"]] == [
        ("b", marker, True)
    ]
    assert page["KeyMarker"] == "" and page["VersionIdMarker"] == ""
    page = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert prefixes_of(page) == ["dir/"] and all(v["Key"] != "dir/c" for v in page["Versions"])
    # Page through one entry at a time: key ascending, newest first, markers as S3 gives.
    first = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    assert first["IsTruncated"] and first["NextKeyMarker"] == "a"
    assert first["NextVersionIdMarker"] == v1
    second = s3.list_object_versions(Bucket=bucket, MaxKeys=2, KeyMarker="a", VersionIdMarker=v1)
    assert [v["VersionId"] for v in second["Versions"]] == ["null"]
    assert [m["VersionId"] for m in second["DeleteMarkers"]] == [marker]
    seen = []
    for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 1}
    ):
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        seen += [(m["Key"], m["VersionId"]) for m in page.get("DeleteMarkers", [])]
    assert len(seen) == 5 and len(set(seen)) == 5


def test_versions_and_uploads_url_encoding(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a b/c+d", Body=b"x")
    s3.put_object(Bucket=bucket, Key="e\u00e9", Body=b"x")
    page = s3.list_object_versions(Bucket=bucket, EncodingType="url", Delimiter="/")
    assert prefixes_of(page) == ["a%20b/"]
    assert [v["Key"] for v in page["Versions"]] == ["e%C3%A9"]
    # boto3 asks for url encoding on its own and decodes: keys come back as stored.
    page = s3.list_object_versions(Bucket=bucket)
    assert [v["Key"] for v in page["Versions"]] == ["a b/c+d", "e\u00e9"]
    assert [v["VersionId"] for v in page["Versions"]] == ["null", "null"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="u v+w")["UploadId"]
    page = s3.list_multipart_uploads(Bucket=bucket, EncodingType="url")
    assert [u["Key"] for u in page["Uploads"]] == ["u%20v%2Bw"]
    s3.abort_multipart_upload(Bucket=bucket, Key="u v+w", UploadId=upload_id)


def test_large_prefix_rolls_up_into_one_entry(s3: Any, bucket: str) -> None:
    put_keys(s3, bucket, [f"big/{i:03d}" for i in range(60)] + ["a", "z/1", "z/2"])
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert keys_of(page) == ["a"] and prefixes_of(page) == ["big/"]
    assert page["KeyCount"] == 2 and page["IsTruncated"] is True
    rest = s3.list_objects_v2(
        Bucket=bucket, Delimiter="/", ContinuationToken=page["NextContinuationToken"]
    )
    assert prefixes_of(rest) == ["z/"] and rest["IsTruncated"] is False
    inside = s3.list_objects_v2(Bucket=bucket, Prefix="big/", StartAfter="big/057")
    assert keys_of(inside) == ["big/058", "big/059"]


def test_empty_parameters_are_echoed(s3: Any, bucket: str) -> None:
    put_keys(s3, bucket, ["bar", "baz/x"])
    page = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert page["ContinuationToken"] == "" and keys_of(page) == ["bar", "baz/x"]
    page = s3.list_objects(Bucket=bucket, Delimiter="", Marker="", Prefix="")
    assert page["Delimiter"] == "" and page["Marker"] == "" and page["Prefix"] == ""
    assert keys_of(page) == ["bar", "baz/x"] and "CommonPrefixes" not in page
