"""Bucket sub-resources through boto3: each Put/Get/Delete, S3's errors for bad input, and
that a rejected Put leaves the previous configuration in place."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import s3_client


def fails(
    call: Any, code: str, status: int, message: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    error: dict[str, Any] = excinfo.value.response["Error"]
    assert error["Code"] == code, error
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if message is not None:
        assert error["Message"] == message
    return error


@pytest.fixture(scope="module")
def raw(s3: Any) -> Any:
    """A client that skips boto3's own parameter checks, to reach the server's."""
    return s3_client(s3.meta.endpoint_url, parameter_validation=False)


# --- versioning ---------------------------------------------------------------------


def test_versioning(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_versioning_bad_status(raw: Any, bucket: str) -> None:
    fails(
        raw.put_bucket_versioning,
        "MalformedXML",
        400,
        Bucket=bucket,
        VersioningConfiguration={"Status": "On"},
    )


def test_versioning_cannot_be_suspended_under_object_lock(s3: Any) -> None:
    import uuid

    name = f"lock-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        fails(
            s3.put_bucket_versioning,
            "InvalidBucketState",
            409,
            Bucket=name,
            VersioningConfiguration={"Status": "Suspended"},
        )
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    finally:
        s3.delete_bucket(Bucket=name)


def test_no_such_bucket_for_configs(s3: Any) -> None:
    fails(s3.get_bucket_versioning, "NoSuchBucket", 404, Bucket="no-such-bucket-at-all-xyz")
    fails(s3.get_bucket_policy, "NoSuchBucket", 404, Bucket="no-such-bucket-at-all-xyz")
    # The bucket is looked up before the body is judged.
    fails(
        s3.put_bucket_policy,
        "NoSuchBucket",
        404,
        Bucket="no-such-bucket-at-all-xyz",
        Policy="not json",
    )
    fails(
        s3.put_object_tagging,
        "NoSuchBucket",
        404,
        Bucket="no-such-bucket-at-all-xyz",
        Key="k",
        Tagging={"TagSet": [{"Key": "a" * 200, "Value": ""}]},
    )


# --- policy -------------------------------------------------------------------------


def policy_for(bucket: str, principal: Any = None, resource: str | None = None) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Principal": principal or {"AWS": "arn:aws:iam::000000000000:root"},
                    "Action": "s3:GetObject",
                    "Resource": resource or f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def test_policy_round_trip(s3: Any, bucket: str) -> None:
    fails(
        s3.get_bucket_policy,
        "NoSuchBucketPolicy",
        404,
        "The bucket policy does not exist",
        Bucket=bucket,
    )
    fails(s3.get_bucket_policy_status, "NoSuchBucketPolicy", 404, Bucket=bucket)
    text = policy_for(bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(text)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    s3.delete_bucket_policy(Bucket=bucket)
    fails(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)  # deleting what is not there is fine


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "Policies must be valid JSON and the first byte must be '{'"),
        ("[1, 2]", "Policies must be valid JSON and the first byte must be '{'"),
        ("{bad json", "Policies must be valid JSON and the first byte must be '{'"),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
            '{"AWS": "nobody"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}]}',
            "Invalid principal in policy",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",'
            ' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}',
            "Policy has invalid resource",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",'
            ' "Action": "s3:GetObject", "Resource": "*"}]}',
            "Policy has invalid resource",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",'
            ' "Action": "sqs:SendMessage", "Resource": "arn:aws:s3:::BUCKET/*"}]}',
            "Policy has invalid action",
        ),
        ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ],
)
def test_policy_rejected(s3: Any, bucket: str, text: str, message: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_for(bucket))
    fails(
        s3.put_bucket_policy,
        "MalformedPolicy",
        400,
        message,
        Bucket=bucket,
        Policy=text.replace("BUCKET", bucket),
    )
    # The previous policy is still there.
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(
        policy_for(bucket)
    )


def test_public_policy_blocked_until_allowed(s3: Any, bucket: str) -> None:
    public = policy_for(bucket, principal="*")
    fails(s3.put_bucket_policy, "AccessDenied", 403, Bucket=bucket, Policy=public)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True


def test_policy_with_restricting_condition_is_not_public(s3: Any, bucket: str) -> None:
    document = json.loads(policy_for(bucket, principal="*"))
    document["Statement"][0]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False


# --- public access block and ownership ---------------------------------------------


def test_public_access_block(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True}
    )
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    s3.delete_public_access_block(Bucket=bucket)
    fails(
        s3.get_public_access_block,
        "NoSuchPublicAccessBlockConfiguration",
        404,
        "The public access block configuration was not found",
        Bucket=bucket,
    )


def test_ownership_controls(s3: Any, raw: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerPreferred"}
    ]
    fails(
        raw.put_bucket_ownership_controls,
        "MalformedXML",
        400,
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "Nobody"}]},
    )
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    fails(
        s3.get_bucket_ownership_controls,
        "OwnershipControlsNotFoundError",
        404,
        "The bucket ownership controls were not found",
        Bucket=bucket,
    )


# --- ACLs ---------------------------------------------------------------------------


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def test_bucket_acl_disabled_by_default(s3: Any, bucket: str) -> None:
    fails(
        s3.put_bucket_acl,
        "AccessControlListNotSupported",
        400,
        "The bucket does not allow ACLs",
        Bucket=bucket,
        ACL="public-read",
    )
    # What resolves to the owner's FULL_CONTROL alone is still accepted.
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_acl(Bucket=bucket, ACL="bucket-owner-full-control")
    fails(
        s3.put_bucket_acl,
        "AccessControlListNotSupported",
        400,
        Bucket=bucket,
        GrantRead=f'id="{"c" * 64}"',
    )
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    s3.put_bucket_acl(
        Bucket=bucket,
        AccessControlPolicy={
            "Owner": owner,
            "Grants": [
                {
                    "Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]},
                    "Permission": "FULL_CONTROL",
                }
            ],
        },
    )


def enable_acls(s3: Any, bucket: str, *, block_public: bool = False) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    if block_public:
        return
    s3.delete_public_access_block(Bucket=bucket)


def test_canned_bucket_acls(s3: Any, bucket: str) -> None:
    enable_acls(s3, bucket)
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert grants == [
        {"Grantee": {**owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "WRITE"},
    ]
    s3.put_bucket_acl(Bucket=bucket, ACL="log-delivery-write")
    permissions = [g["Permission"] for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]]
    assert permissions == ["FULL_CONTROL", "WRITE", "READ_ACP"]
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert len(s3.get_bucket_acl(Bucket=bucket)["Grants"]) == 1


def test_grant_headers_and_policy_body(s3: Any, bucket: str) -> None:
    enable_acls(s3, bucket)
    other = "a" * 64
    s3.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{other}"', GrantWrite=f'uri="{ALL_USERS}"')
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert grants == [
        {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "WRITE"},
    ]
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    s3.put_bucket_acl(
        Bucket=bucket,
        AccessControlPolicy={
            "Owner": owner,
            "Grants": [
                {
                    "Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]},
                    "Permission": "FULL_CONTROL",
                },
                {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ_ACP"},
            ],
        },
    )
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ_ACP"]
    assert grants[0]["Grantee"]["DisplayName"] == owner["DisplayName"]


def test_bad_acls(s3: Any, raw: Any, bucket: str) -> None:
    enable_acls(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    before = s3.get_bucket_acl(Bucket=bucket)
    fails(
        s3.put_bucket_acl,
        "InvalidRequest",
        400,
        "Specifying both Canned ACLs and Header Grants is not allowed",
        Bucket=bucket,
        ACL="private",
        GrantRead=f'uri="{ALL_USERS}"',
    )
    fails(
        s3.put_bucket_acl,
        "InvalidArgument",
        400,
        Bucket=bucket,
        GrantRead='uri="http://acs.amazonaws.com/groups/global/Nobody"',
    )
    fails(s3.put_bucket_acl, "InvalidArgument", 400, Bucket=bucket, GrantRead='id="not-an-id"')
    fails(
        s3.put_bucket_acl,
        "UnresolvableGrantByEmailAddress",
        400,
        Bucket=bucket,
        GrantRead='emailAddress="someone@example.com"',
    )
    fails(raw.put_bucket_acl, "MissingSecurityHeader", 400, Bucket=bucket)
    after = s3.get_bucket_acl(Bucket=bucket)
    assert after["Grants"] == before["Grants"]


def test_block_public_acls(s3: Any, bucket: str) -> None:
    enable_acls(s3, bucket, block_public=True)
    fails(s3.put_bucket_acl, "AccessDenied", 403, Bucket=bucket, ACL="public-read")
    s3.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{"b" * 64}"')


# --- CORS ---------------------------------------------------------------------------


CORS = {
    "CORSRules": [
        {
            "ID": "web",
            "AllowedMethods": ["GET", "PUT"],
            "AllowedOrigins": ["https://example.com"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 300,
        }
    ]
}


def test_cors(s3: Any, raw: Any, bucket: str) -> None:
    fails(
        s3.get_bucket_cors,
        "NoSuchCORSConfiguration",
        404,
        "The CORS configuration does not exist",
        Bucket=bucket,
    )
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS["CORSRules"]
    bad_method = {"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]}
    fails(
        s3.put_bucket_cors,
        "InvalidRequest",
        400,
        "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
        Bucket=bucket,
        CORSConfiguration=bad_method,
    )
    too_many = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}] * 101}
    fails(s3.put_bucket_cors, "MalformedXML", 400, Bucket=bucket, CORSConfiguration=too_many)
    expose_all = {
        "CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["*"]}]
    }
    fails(s3.put_bucket_cors, "InvalidRequest", 400, Bucket=bucket, CORSConfiguration=expose_all)
    two_wildcards = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*.*"]}]}
    fails(s3.put_bucket_cors, "InvalidRequest", 400, Bucket=bucket, CORSConfiguration=two_wildcards)
    fails(
        raw.put_bucket_cors, "MalformedXML", 400, Bucket=bucket, CORSConfiguration={"CORSRules": []}
    )
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS["CORSRules"]
    s3.delete_bucket_cors(Bucket=bucket)
    fails(s3.get_bucket_cors, "NoSuchCORSConfiguration", 404, Bucket=bucket)


# --- lifecycle ----------------------------------------------------------------------


def rule(**fields: Any) -> dict[str, Any]:
    return {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, **fields}


def test_lifecycle_round_trip(s3: Any, bucket: str) -> None:
    fails(
        s3.get_bucket_lifecycle_configuration,
        "NoSuchLifecycleConfiguration",
        404,
        "The lifecycle configuration does not exist",
        Bucket=bucket,
    )
    rules = [
        rule(Expiration={"Days": 30}),
        {
            "ID": "tags",
            "Status": "Disabled",
            "Filter": {"And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}]}},
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 5, "NewerNoncurrentVersions": 2},
        },
        {
            "ID": "uploads",
            "Status": "Enabled",
            "Filter": {},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
        {
            "ID": "date",
            "Status": "Enabled",
            "Filter": {"Prefix": "d/"},
            "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=UTC)},
        },
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert [r["ID"] for r in got["Rules"]] == ["r", "tags", "uploads", "date"]
    assert got["Rules"][0]["Expiration"] == {"Days": 30}
    assert got["Rules"][3]["Expiration"]["Date"] == datetime(2030, 1, 1, tzinfo=UTC)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    fails(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", 404, Bucket=bucket)


@pytest.mark.parametrize(
    ("bad", "code", "message"),
    [
        (
            rule(ID="x" * 256, Expiration={"Days": 1}),
            "InvalidArgument",
            "ID length should not exceed allowed limit of 255",
        ),
        (rule(Status="On", Expiration={"Days": 1}), "MalformedXML", None),
        (rule(), "InvalidRequest", "At least one action needs to be specified in a rule"),
        (
            rule(Expiration={"Days": 0}),
            "InvalidArgument",
            "'Days' for Expiration action must be a positive integer",
        ),
        (
            rule(Expiration={"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)}),
            "InvalidArgument",
            "'Date' must be at midnight GMT",
        ),
        (rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True}), "MalformedXML", None),
        (
            {
                "ID": "r",
                "Status": "Enabled",
                "Prefix": "a",
                "Filter": {"Prefix": "b"},
                "Expiration": {"Days": 1},
            },
            "MalformedXML",
            None,
        ),
        (
            rule(Filter={"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}, Expiration={"Days": 1}),
            "MalformedXML",
            None,
        ),
        (
            rule(NoncurrentVersionExpiration={"NoncurrentDays": 0}),
            "InvalidArgument",
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        ),
        (
            rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0}),
            "InvalidArgument",
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a"
            " positive integer",
        ),
        (
            rule(
                Filter={"Tag": {"Key": "k", "Value": "v"}},
                AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1},
            ),
            "InvalidRequest",
            "AbortIncompleteMultipartUpload cannot be specified with Tags.",
        ),
        (
            rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}]),
            "InvalidArgument",
            None,
        ),
        (rule(Transitions=[{"Days": 10, "StorageClass": "FAST"}]), "MalformedXML", None),
    ],
)
def test_lifecycle_rejected(
    raw: Any, s3: Any, bucket: str, bad: dict[str, Any], code: str, message: str | None
) -> None:
    good = {"Rules": [rule(Expiration={"Days": 7})]}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=good)
    fails(
        raw.put_bucket_lifecycle_configuration,
        code,
        400,
        message,
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [bad]},
    )
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["Expiration"] == {
        "Days": 7
    }


def test_legacy_lifecycle_operations(s3: Any, bucket: str) -> None:
    legacy_rule = {
        "ID": "old",
        "Prefix": "tmp/",
        "Status": "Enabled",
        "Expiration": {"Days": 3},
        "Transition": {"Days": 1, "StorageClass": "GLACIER"},
    }
    s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [legacy_rule]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [legacy_rule]
    modern = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert modern["Prefix"] == "tmp/"
    assert modern["Transitions"] == [{"Days": 1, "StorageClass": "GLACIER"}]


def test_lifecycle_ids_are_generated(s3: Any, bucket: str) -> None:
    rules = [{"Status": "Enabled", "Filter": {"Prefix": "x/"}, "Expiration": {"Days": 1}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert len(got["ID"]) == 48


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1}}, "MalformedXML"),
        (rule(Filter={"And": {"Prefix": "a/"}}, Expiration={"Days": 1}), "MalformedXML"),
        (
            rule(
                Filter={
                    "And": {
                        "Prefix": "a/",
                        "Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}],
                    }
                },
                Expiration={"Days": 1},
            ),
            "InvalidRequest",
        ),
        (
            rule(
                Filter={"ObjectSizeGreaterThan": 10},
                Expiration={"ExpiredObjectDeleteMarker": True},
            ),
            "InvalidRequest",
        ),
        (rule(Filter={"ObjectSizeLessThan": 0}, Expiration={"Days": 1}), "InvalidRequest"),
        (rule(NoncurrentVersionExpiration={"NewerNoncurrentVersions": 2}), "MalformedXML"),
    ],
)
def test_lifecycle_filters_rejected(raw: Any, bucket: str, bad: dict[str, Any], code: str) -> None:
    fails(
        raw.put_bucket_lifecycle_configuration,
        code,
        400,
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [bad]},
    )


def test_lifecycle_duplicate_ids(s3: Any, bucket: str) -> None:
    rules = [rule(Expiration={"Days": 1}), rule(Expiration={"Days": 2})]
    fails(
        s3.put_bucket_lifecycle_configuration,
        "InvalidArgument",
        400,
        "Rule ID must be unique. Found same ID for more than one rule",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": rules},
    )


# --- tagging ------------------------------------------------------------------------


def test_bucket_tagging(s3: Any, bucket: str) -> None:
    fails(s3.get_bucket_tagging, "NoSuchTagSet", 404, "The TagSet does not exist", Bucket=bucket)
    tags = [{"Key": "team", "Value": "storage"}, {"Key": "empty", "Value": ""}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        "Cannot provide multiple Tags with the same key",
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
    )
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        "The TagKey you have provided is too long, max 128",
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": "k" * 129, "Value": "1"}]},
    )
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        "The TagValue you have provided is too long, max 256",
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": "k", "Value": "v" * 257}]},
    )
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": f"k{i}", "Value": ""} for i in range(51)]},
    )
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        "The TagKey you have provided is invalid",
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": "a{b}", "Value": "1"}]},
    )
    fails(
        s3.put_bucket_tagging,
        "InvalidTag",
        400,
        Bucket=bucket,
        Tagging={"TagSet": [{"Key": "aws:reserved", "Value": "1"}]},
    )
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": f"k{i}", "Value": ""} for i in range(50)]}
    )
    s3.delete_bucket_tagging(Bucket=bucket)
    fails(s3.get_bucket_tagging, "NoSuchTagSet", 404, Bucket=bucket)


# --- encryption ---------------------------------------------------------------------


def test_encryption(s3: Any, raw: Any, bucket: str) -> None:
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert default["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    kms = {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": "arn:aws:kms:us-east-1:000000000000:key/abc",
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == kms
    fails(
        raw.put_bucket_encryption,
        "MalformedXML",
        400,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]
        },
    )
    fails(
        s3.put_bucket_encryption,
        "InvalidArgument",
        400,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "AES256",
                        "KMSMasterKeyID": "k",
                    }
                }
            ]
        },
    )
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == kms
    fails(
        raw.put_bucket_encryption,
        "MalformedXML",
        400,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": []},
    )
    blocking = {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": False,
                "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]},
            }
        ]
    }
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=blocking)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == blocking
    s3.delete_bucket_encryption(Bucket=bucket)
    again = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert again == default


# --- object lock --------------------------------------------------------------------


def test_object_lock_configuration(s3: Any, raw: Any) -> None:
    import uuid

    name = f"lock-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        config = {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        }
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=config)
        assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == config
        both = {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}},
        }
        fails(
            raw.put_object_lock_configuration,
            "MalformedXML",
            400,
            Bucket=name,
            ObjectLockConfiguration=both,
        )
        zero = {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 0}},
        }
        fails(
            s3.put_object_lock_configuration,
            "InvalidArgument",
            400,
            Bucket=name,
            ObjectLockConfiguration=zero,
        )
        bad_mode = {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "FOREVER", "Days": 1}},
        }
        fails(
            raw.put_object_lock_configuration,
            "MalformedXML",
            400,
            Bucket=name,
            ObjectLockConfiguration=bad_mode,
        )
        assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == config
    finally:
        s3.delete_bucket(Bucket=name)


def test_object_lock_needs_a_versioned_bucket(s3: Any, bucket: str) -> None:
    fails(
        s3.get_object_lock_configuration,
        "ObjectLockConfigurationNotFoundError",
        404,
        "Object Lock configuration does not exist for this bucket",
        Bucket=bucket,
    )
    fails(
        s3.put_object_lock_configuration,
        "InvalidBucketState",
        409,
        Bucket=bucket,
        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"},
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(
        Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
    )
    got = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert got == {"ObjectLockEnabled": "Enabled"}


# --- website, notification, accelerate, request payment, logging --------------------


def test_website(s3: Any, bucket: str) -> None:
    fails(
        s3.get_bucket_website,
        "NoSuchWebsiteConfiguration",
        404,
        "The specified bucket does not have a website configuration",
        Bucket=bucket,
    )
    config = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [
            {
                "Condition": {"KeyPrefixEquals": "docs/"},
                "Redirect": {"ReplaceKeyPrefixWith": "documents/"},
            }
        ],
    }
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    got = s3.get_bucket_website(Bucket=bucket)
    assert got["IndexDocument"] == {"Suffix": "index.html"}
    assert got["ErrorDocument"] == {"Key": "error.html"}
    assert got["RoutingRules"] == config["RoutingRules"]
    fails(
        s3.put_bucket_website,
        "InvalidArgument",
        400,
        "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
        Bucket=bucket,
        WebsiteConfiguration={"ErrorDocument": {"Key": "e.html"}},
    )
    fails(
        s3.put_bucket_website,
        "InvalidArgument",
        400,
        "The IndexDocument Suffix is not well formed",
        Bucket=bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "a/index.html"}},
    )
    error = fails(
        s3.put_bucket_website,
        "InvalidArgument",
        400,
        "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
        Bucket=bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RedirectAllRequestsTo": {"HostName": "example.com"},
        },
    )
    assert error["ArgumentName"] == "RedirectAllRequestsTo"
    fails(
        s3.put_bucket_website,
        "InvalidRequest",
        400,
        "You can only define ReplaceKeyPrefix or ReplaceKey but not both.",
        Bucket=bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [{"Redirect": {"ReplaceKeyPrefixWith": "a/", "ReplaceKeyWith": "b"}}],
        },
    )
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.com"}}
    )
    assert s3.get_bucket_website(Bucket=bucket)["RedirectAllRequestsTo"] == {
        "HostName": "example.com"
    }
    s3.delete_bucket_website(Bucket=bucket)
    fails(s3.get_bucket_website, "NoSuchWebsiteConfiguration", 404, Bucket=bucket)


def test_notification_configuration(s3: Any, bucket: str) -> None:
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "QueueConfigurations" not in got and "TopicConfigurations" not in got
    config = {
        "QueueConfigurations": [
            {
                "Id": "q",
                "QueueArn": "arn:aws:sqs:us-east-1:000000000000:events",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
            }
        ],
        "TopicConfigurations": [
            {
                "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
                "Events": ["s3:ObjectRemoved:Delete"],
            }
        ],
        "EventBridgeConfiguration": {},
    }
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["QueueConfigurations"][0]["Id"] == "q"
    assert got["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"] == [
        {"Name": "prefix", "Value": "in/"}
    ]
    assert got["TopicConfigurations"][0]["Id"]  # S3 names unnamed configurations
    assert "EventBridgeConfiguration" in got
    bad = {
        "QueueConfigurations": [
            {
                "QueueArn": "arn:aws:sqs:us-east-1:000000000000:events",
                "Events": ["s3:ObjectEaten:*"],
            }
        ]
    }
    fails(
        s3.put_bucket_notification_configuration,
        "InvalidArgument",
        400,
        Bucket=bucket,
        NotificationConfiguration=bad,
    )
    assert (
        s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]["Id"]
        == "q"
    )
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_accelerate_and_request_payment(s3: Any, raw: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(
        Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"}
    )
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    fails(
        raw.put_bucket_accelerate_configuration,
        "MalformedXML",
        400,
        Bucket=bucket,
        AccelerateConfiguration={"Status": "Fast"},
    )
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    fails(
        raw.put_bucket_request_payment,
        "MalformedXML",
        400,
        Bucket=bucket,
        RequestPaymentConfiguration={"Payer": "Nobody"},
    )
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_logging(s3: Any, bucket: str) -> None:
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    enabled = {"TargetBucket": bucket, "TargetPrefix": "logs/"}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == enabled
    error = fails(
        s3.put_bucket_logging,
        "InvalidTargetBucketForLogging",
        400,
        "The target bucket for logging does not exist",
        Bucket=bucket,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "no-such-target-bkt", "TargetPrefix": ""}
        },
    )
    assert error["TargetBucket"] == "no-such-target-bkt"
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == enabled
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
