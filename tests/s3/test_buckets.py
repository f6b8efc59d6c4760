"""Bucket lifecycle through boto3 and the gateway: create, head, location, list, delete."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import S3Cloud, s3_client


def new_name(prefix: str = "b") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, dict[str, Any]]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"],
    )


def test_create_head_location_delete(s3: Any) -> None:
    name = new_name()
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    head = s3.head_bucket(Bucket=name)
    assert head["BucketRegion"] == "us-east-1"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=name)
    assert error_of(excinfo)[1] == 404
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=name)
    code, status, error = error_of(excinfo)
    assert (code, status, error["BucketName"]) == ("NoSuchBucket", 404, name)
    assert error["Message"] == "The specified bucket does not exist"


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "Upper-case",
        "under_score",
        "-starts-with-hyphen",
        "ends-with-hyphen-",
        ".starts-with-dot",
        "two..dots",
        "dot.-hyphen",
        "192.168.5.4",
        "xn--punycode",
        "sthree-reserved",
        "name-s3alias",
        "name--ol-s3",
        "name.mrap",
    ],
)
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    client = s3_client(s3.meta.endpoint_url, parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        client.create_bucket(Bucket=name)
    code, status, error = error_of(excinfo)
    assert (code, status) == ("InvalidBucketName", 400)
    assert error["Message"] == "The specified bucket is not valid."
    assert error["BucketName"] == name


def test_valid_unusual_names(s3: Any) -> None:
    for name in (f"a.b-{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}" + "x" * 55):
        s3.create_bucket(Bucket=name)
        s3.head_bucket(Bucket=name)
        s3.delete_bucket(Bucket=name)


def test_location_constraint_rules(s3: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(
            Bucket=new_name(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
        )
    code, status, error = error_of(excinfo)
    assert (code, status) == ("InvalidLocationConstraint", 400)
    assert error["Message"] == "The specified location-constraint is not valid"
    # The global endpoint creates buckets in other regions.
    name = new_name()
    created = s3.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert created["Location"] == f"http://{name}.s3.amazonaws.com/"
    try:
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    finally:
        s3.delete_bucket(Bucket=name)


def test_regional_endpoint_needs_its_own_constraint(s3_cloud: S3Cloud) -> None:
    import boto3
    from botocore.config import Config

    regional = boto3.client(
        "s3",
        endpoint_url=s3_cloud.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as excinfo:
        regional.create_bucket(Bucket=new_name())
    code, status, error = error_of(excinfo)
    assert (code, status) == ("IllegalLocationConstraintException", 400)
    assert error["Message"] == (
        "The unspecified location constraint is incompatible for the region specific endpoint"
        " this request was sent to."
    )
    with pytest.raises(ClientError) as excinfo:
        regional.create_bucket(
            Bucket=new_name(), CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
    code, status, error = error_of(excinfo)
    assert (code, status) == ("IllegalLocationConstraintException", 400)
    assert error["Message"].startswith("The eu-west-2 location constraint is incompatible")
    name = new_name()
    regional.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    try:
        assert regional.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"
        assert regional.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        with pytest.raises(ClientError) as excinfo:
            regional.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
            )
        assert error_of(excinfo)[:2] == ("BucketAlreadyOwnedByYou", 409)
    finally:
        regional.delete_bucket(Bucket=name)


def test_recreate_own_bucket_in_us_east_1_is_ok(s3: Any, bucket: str) -> None:
    again = s3.create_bucket(Bucket=bucket)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bucket_of_another_account(s3: Any, s3_cloud: S3Cloud, bucket: str) -> None:
    other = other_account_client(s3_cloud)
    with pytest.raises(ClientError) as excinfo:
        other.create_bucket(Bucket=bucket)
    code, status, error = error_of(excinfo)
    assert (code, status, error["BucketName"]) == ("BucketAlreadyExists", 409, bucket)
    names = [b["Name"] for b in other.list_buckets()["Buckets"]]
    assert bucket not in names


def other_account_client(s3_cloud: S3Cloud) -> Any:
    """A client for a second account (created once per cloud)."""
    cached = getattr(s3_cloud, "_other_client", None)
    if cached is not None:
        return cached
    import json

    made = s3_cloud.nimbus("accounts", "create", f"other{uuid.uuid4().hex[:6]}", "--json")
    info = json.loads(made.stdout)
    client = s3_client(s3_cloud.endpoint, key=info["AccessKeyId"], secret=info["SecretAccessKey"])
    s3_cloud._other_client = client  # type: ignore[attr-defined]
    return client


def test_delete_non_empty_bucket(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    code, status, error = error_of(excinfo)
    assert (code, status, error["BucketName"]) == ("BucketNotEmpty", 409, bucket)
    assert error["Message"] == "The bucket you tried to delete is not empty"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_delete_bucket_with_only_a_delete_marker(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.delete_object(Bucket=bucket, Key="gone")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    code, status, error = error_of(excinfo)
    assert (code, status) == ("BucketNotEmpty", 409)
    assert error["Message"] == (
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
    )


def test_delete_bucket_removes_uploads_and_configs(s3: Any) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.create_multipart_upload(Bucket=name, Key="big")
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    try:
        with pytest.raises(ClientError) as excinfo:
            s3.get_bucket_tagging(Bucket=name)
        assert error_of(excinfo)[:2] == ("NoSuchTagSet", 404)
        assert s3.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    finally:
        s3.delete_bucket(Bucket=name)


def test_expected_bucket_owner(s3: Any, bucket: str) -> None:
    s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="000000000000")
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="111111111111")
    assert error_of(excinfo)[1] == 403
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_location(Bucket=bucket, ExpectedBucketOwner="111111111111")
    assert error_of(excinfo)[:2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_location(Bucket=bucket, ExpectedBucketOwner="abcd")
    code, status, error = error_of(excinfo)
    assert (code, status) == ("InvalidBucketOwnerAWSAccountID", 400)
    assert error["Message"].endswith("[abcd]")


def test_list_buckets_paginates(s3: Any) -> None:
    prefix = f"lst-{uuid.uuid4().hex[:8]}-"
    names = [f"{prefix}{i}" for i in range(5)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        everything = s3.list_buckets()
        assert everything["Owner"]["ID"] and len(everything["Owner"]["ID"]) == 64
        listed = [b["Name"] for b in everything["Buckets"]]
        assert set(names) <= set(listed)
        assert listed == sorted(listed)
        assert "ContinuationToken" not in everything
        first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
        assert [b["Name"] for b in first["Buckets"]] == names[:2]
        assert first["Prefix"] == prefix
        assert first["Buckets"][0]["BucketRegion"] == "us-east-1"
        assert "CreationDate" in first["Buckets"][0]
        pages = list(s3.get_paginator("list_buckets").paginate(Prefix=prefix, MaxBuckets=2))
        assert [b["Name"] for p in pages for b in p["Buckets"]] == names
        assert len(pages) == 3
        assert s3.list_buckets(Prefix=prefix, BucketRegion="eu-west-1")["Buckets"] == []
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


def test_list_buckets_bad_max(s3: Any) -> None:
    client = s3_client(s3.meta.endpoint_url, parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        client.list_buckets(MaxBuckets=0)
    assert error_of(excinfo)[:2] == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as excinfo:
        client.list_buckets(MaxBuckets=10001)
    assert error_of(excinfo)[:2] == ("InvalidArgument", 400)


def test_create_bucket_with_tags(s3: Any) -> None:
    name = new_name()
    tags = [{"Key": "team", "Value": "storage"}]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": tags})
    try:
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == tags
    finally:
        s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={
                "Tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
            },
        )
    assert error_of(excinfo)[:2] == ("InvalidTag", 400)


def test_object_lock_enabled_bucket(s3: Any) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        lock = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
        assert lock == {"ObjectLockEnabled": "Enabled"}
    finally:
        s3.delete_bucket(Bucket=name)


def test_new_bucket_defaults(s3: Any, bucket: str) -> None:
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Grants"] == [
        {
            "Grantee": {**acl["Owner"], "Type": "CanonicalUser"},
            "Permission": "FULL_CONTROL",
        }
    ]


def test_create_bucket_acls_and_ownership(s3: Any) -> None:
    refused = new_name()
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=refused, ACL="public-read")
    code, status, error = error_of(excinfo)
    assert (code, status) == ("InvalidBucketAclWithObjectOwnership", 400)
    assert error["Message"] == (
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
    )
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=refused)
    assert error_of(excinfo)[1] == 404  # nothing was created
    private = new_name()
    s3.create_bucket(Bucket=private, ACL="private")
    s3.delete_bucket(Bucket=private)
    for public in (
        {"ACL": "public-read"},
        {"GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'},
    ):
        with pytest.raises(ClientError) as excinfo:
            s3.create_bucket(Bucket=new_name(), ObjectOwnership="ObjectWriter", **public)
        code, status, error = error_of(excinfo)
        assert (code, status) == ("InvalidBucketAclWithBlockPublicAccessError", 400)
        assert (
            error["Message"] == "Bucket cannot have public ACLs set with BlockPublicAccess enabled"
        )
    name = new_name()
    other = "d" * 64
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter", GrantRead=f'id="{other}"')
    try:
        controls = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]
        assert controls["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
        grants = s3.get_bucket_acl(Bucket=name)["Grants"]
        assert grants == [{"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ"}]
    finally:
        s3.delete_bucket(Bucket=name)
