"""The resolver against the examples of the brief and AWS's tricky cases."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from nimbus_gateway.authz import (
    Requirement,
    ResourceOwner,
    UnknownOperation,
    UnresolvedPlaceholder,
    entry,
    requirements,
    resource_owner,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGION = "eu-west-1"


def req(api: str, op: str, params: dict[str, Any], **kw: Any) -> list[Requirement]:
    return requirements(api, op, params, account=ACCOUNT, region=REGION, **kw)


def pairs(found: list[Requirement]) -> list[tuple[str, list[str]]]:
    return [(r.action, r.resources) for r in found]


# --- S3 -------------------------------------------------------------------------------------


def test_list_objects_v2_is_list_bucket_with_listing_keys() -> None:
    [r] = req(
        "s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "logs/", "Delimiter": "/", "MaxKeys": 10}
    )
    assert (r.action, r.resources) == ("s3:ListBucket", ["arn:aws:s3:::b"])
    assert r.context == {"s3:prefix": "logs/", "s3:delimiter": "/", "s3:max-keys": 10}


def test_absent_listing_keys_are_left_out() -> None:
    [r] = req("s3", "ListObjects", {"Bucket": "b"})
    assert r.context == {}


def test_get_object_and_its_version_variant() -> None:
    assert pairs(req("s3", "GetObject", {"Bucket": "b", "Key": "a/b c.txt"})) == [
        ("s3:GetObject", ["arn:aws:s3:::b/a/b c.txt"])
    ]
    [r] = req("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"})
    assert (r.action, r.resources, r.context) == (
        "s3:GetObjectVersion",
        ["arn:aws:s3:::b/k"],
        {"s3:versionid": "v1"},
    )


def test_keys_are_not_url_encoded_in_arns() -> None:
    [r] = req("s3", "GetObject", {"Bucket": "b", "Key": "dir/ä b+c%20.txt"})
    assert r.resources == ["arn:aws:s3:::b/dir/ä b+c%20.txt"]


def test_head_object_is_get_object() -> None:
    assert pairs(req("s3", "HeadObject", {"Bucket": "b", "Key": "k"})) == [
        ("s3:GetObject", ["arn:aws:s3:::b/k"])
    ]
    assert [
        r.action for r in req("s3", "HeadObject", {"Bucket": "b", "Key": "k", "VersionId": "1"})
    ] == ["s3:GetObjectVersion"]


def test_put_object_plain_and_with_tagging_header() -> None:
    assert pairs(req("s3", "PutObject", {"Bucket": "b", "Key": "k", "Body": b""})) == [
        ("s3:PutObject", ["arn:aws:s3:::b/k"])
    ]
    found = req("s3", "PutObject", {"Bucket": "b", "Key": "k", "Tagging": "team=a%20b&env=prod"})
    assert [r.action for r in found] == ["s3:PutObject", "s3:PutObjectTagging"]
    assert found[1].context == {
        "s3:RequestObjectTag/team": "a b",
        "s3:RequestObjectTag/env": "prod",
        "s3:RequestObjectTagKeys": ["team", "env"],
    }


def test_put_object_headers_become_condition_keys_and_sub_actions() -> None:
    found = req(
        "s3",
        "PutObject",
        {
            "Bucket": "b",
            "Key": "k",
            "ACL": "bucket-owner-full-control",
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": "key-1",
            "ObjectLockLegalHoldStatus": "ON",
        },
    )
    assert [r.action for r in found] == ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectLegalHold"]
    assert found[0].context == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": "key-1",
        "s3:object-lock-legal-hold": "ON",
    }


@pytest.mark.parametrize(
    ("source", "arn", "action", "version"),
    [
        ("src/a.txt", "arn:aws:s3:::src/a.txt", "s3:GetObject", None),
        ("/src/a.txt", "arn:aws:s3:::src/a.txt", "s3:GetObject", None),
        ("src/dir%2Fa%20b%2Bc.txt", "arn:aws:s3:::src/dir/a b+c.txt", "s3:GetObject", None),
        ("src/a.txt?versionId=3%2Fx", "arn:aws:s3:::src/a.txt", "s3:GetObjectVersion", "3/x"),
    ],
)
def test_copy_object_source_parsing(
    source: str, arn: str, action: str, version: str | None
) -> None:
    found = req("s3", "CopyObject", {"Bucket": "dst", "Key": "d/k", "CopySource": source})
    assert found[0].action == "s3:PutObject"
    assert found[0].resources == ["arn:aws:s3:::dst/d/k"]
    assert found[0].context["s3:x-amz-copy-source"] == source
    assert (found[1].action, found[1].resources) == (action, [arn])
    assert found[1].context.get("s3:versionid") == version
    assert len(found) == 2


def test_upload_part_copy_reads_the_source() -> None:
    found = req(
        "s3",
        "UploadPartCopy",
        {
            "Bucket": "d",
            "Key": "k",
            "CopySource": "s/o?versionId=7",
            "UploadId": "u",
            "PartNumber": 1,
        },
    )
    assert pairs(found) == [
        ("s3:PutObject", ["arn:aws:s3:::d/k"]),
        ("s3:GetObjectVersion", ["arn:aws:s3:::s/o"]),
    ]


def test_unparseable_copy_source_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnresolvedPlaceholder):
        req("s3", "CopyObject", {"Bucket": "d", "Key": "k", "CopySource": "nokey"})


def test_list_buckets_and_bucket_level_operations() -> None:
    assert pairs(req("s3", "ListBuckets", {})) == [("s3:ListAllMyBuckets", ["*"])]
    assert pairs(req("s3", "GetBucketLocation", {"Bucket": "b"})) == [
        ("s3:GetBucketLocation", ["arn:aws:s3:::b"])
    ]
    assert pairs(req("s3", "HeadBucket", {"Bucket": "b"})) == [
        ("s3:ListBucket", ["arn:aws:s3:::b"])
    ]
    assert pairs(req("s3", "DeleteBucketCors", {"Bucket": "b"})) == [
        ("s3:PutBucketCORS", ["arn:aws:s3:::b"])
    ]
    assert pairs(req("s3", "ListMultipartUploads", {"Bucket": "b"})) == [
        ("s3:ListBucketMultipartUploads", ["arn:aws:s3:::b"])
    ]


@pytest.mark.parametrize(
    "op",
    ["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"],
)
def test_multipart_writes_are_put_object(op: str) -> None:
    params = {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1}
    assert pairs(req("s3", op, params)) == [("s3:PutObject", ["arn:aws:s3:::b/k"])]


def test_list_parts_and_abort() -> None:
    params = {"Bucket": "b", "Key": "k", "UploadId": "u"}
    assert pairs(req("s3", "ListParts", params)) == [
        ("s3:ListMultipartUploadParts", ["arn:aws:s3:::b/k"])
    ]
    assert pairs(req("s3", "AbortMultipartUpload", params)) == [
        ("s3:AbortMultipartUpload", ["arn:aws:s3:::b/k"])
    ]


def test_delete_objects_is_authorized_per_key() -> None:
    params = {
        "Bucket": "b",
        "Delete": {"Objects": [{"Key": "a"}, {"Key": "b/c", "VersionId": "v"}, {"Key": "d e"}]},
    }
    found = req("s3", "DeleteObjects", params)
    assert sorted((r.item, r.action, r.resources[0]) for r in found) == [
        (0, "s3:DeleteObject", "arn:aws:s3:::b/a"),
        (1, "s3:DeleteObjectVersion", "arn:aws:s3:::b/b/c"),
        (2, "s3:DeleteObject", "arn:aws:s3:::b/d e"),
    ]
    assert next(r for r in found if r.item == 1).context == {"s3:versionid": "v"}


def test_delete_object_with_governance_bypass() -> None:
    found = req(
        "s3", "DeleteObject", {"Bucket": "b", "Key": "k", "BypassGovernanceRetention": True}
    )
    assert [r.action for r in found] == ["s3:DeleteObject", "s3:BypassGovernanceRetention"]
    found = req(
        "s3", "DeleteObject", {"Bucket": "b", "Key": "k", "BypassGovernanceRetention": False}
    )
    assert [r.action for r in found] == ["s3:DeleteObject"]


def test_object_sub_resources_have_version_variants() -> None:
    base = {"Bucket": "b", "Key": "k"}
    assert [r.action for r in req("s3", "GetObjectTagging", base)] == ["s3:GetObjectTagging"]
    assert [r.action for r in req("s3", "GetObjectTagging", {**base, "VersionId": "1"})] == [
        "s3:GetObjectVersionTagging"
    ]
    assert [
        r.action for r in req("s3", "PutObjectAcl", {**base, "VersionId": "1", "ACL": "private"})
    ] == ["s3:PutObjectVersionAcl"]
    assert [r.action for r in req("s3", "GetObjectAttributes", {**base, "VersionId": "1"})] == [
        "s3:GetObjectVersion",
        "s3:GetObjectVersionAttributes",
    ]


def test_create_bucket_acl_rules() -> None:
    assert [r.action for r in req("s3", "CreateBucket", {"Bucket": "b", "ACL": "private"})] == [
        "s3:CreateBucket"
    ]
    found = req(
        "s3",
        "CreateBucket",
        {
            "Bucket": "b",
            "ACL": "public-read",
            "ObjectLockEnabledForBucket": True,
            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
        },
    )
    assert [r.action for r in found] == [
        "s3:CreateBucket",
        "s3:PutBucketAcl",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketVersioning",
    ]
    assert found[0].context == {"s3:x-amz-acl": "public-read", "s3:LocationConstraint": "eu-west-1"}


def test_bucket_tagging_supplies_request_tags() -> None:
    [r] = req(
        "s3",
        "PutBucketTagging",
        {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}},
    )
    assert r.context == {"aws:RequestTag/k": "v", "aws:TagKeys": ["k"]}


def test_put_bucket_replication_passes_the_role() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/repl"
    found = req(
        "s3",
        "PutBucketReplication",
        {"Bucket": "b", "ReplicationConfiguration": {"Role": role, "Rules": []}},
    )
    assert pairs(found) == [
        ("s3:PutReplicationConfiguration", ["arn:aws:s3:::b"]),
        ("iam:PassRole", [role]),
    ]
    assert found[1].context == {"iam:PassedToService": "s3.amazonaws.com"}


def test_s3_owner_hint_is_the_bucket() -> None:
    [r] = req("s3", "GetObject", {"Bucket": "b", "Key": "k/x"})
    assert r.owners() == [ResourceOwner(bucket="b")]
    assert resource_owner("*") == ResourceOwner()


def test_partition_is_configurable() -> None:
    [r] = requirements(
        "s3",
        "GetObject",
        {"Bucket": "b", "Key": "k"},
        account=ACCOUNT,
        region="cn-north-1",
        partition="aws-cn",
    )
    assert r.resources == ["arn:aws-cn:s3:::b/k"]


# --- SQS ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        (
            f"https://sqs.us-east-2.amazonaws.com/{OTHER}/jobs",
            f"arn:aws:sqs:us-east-2:{OTHER}:jobs",
        ),
        (
            f"https://us-west-1.queue.amazonaws.com/{OTHER}/jobs",
            f"arn:aws:sqs:us-west-1:{OTHER}:jobs",
        ),
        (f"https://queue.amazonaws.com/{OTHER}/jobs", f"arn:aws:sqs:{REGION}:{OTHER}:jobs"),
        (
            f"http://sqs.ap-south-1.nimbus.internal:8080/{ACCOUNT}/q.fifo",
            f"arn:aws:sqs:ap-south-1:{ACCOUNT}:q.fifo",
        ),
        (f"http://localhost:4566/{ACCOUNT}/q", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"),
    ],
)
def test_sqs_queue_url_forms(url: str, arn: str) -> None:
    [r] = req("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": []})
    assert (r.action, r.resources) == ("sqs:SendMessage", [arn])


def test_sqs_cross_account_owner_comes_from_the_url() -> None:
    [r] = req(
        "sqs", "ReceiveMessage", {"QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{OTHER}/q"}
    )
    assert r.owners() == [ResourceOwner(account=OTHER)]


def test_sqs_bad_queue_url_is_an_error() -> None:
    with pytest.raises(UnresolvedPlaceholder):
        req("sqs", "DeleteQueue", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/justaname"})


def test_sqs_batch_actions() -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q"
    assert [r.action for r in req("sqs", "DeleteMessageBatch", {"QueueUrl": url})] == [
        "sqs:DeleteMessage"
    ]
    assert [r.action for r in req("sqs", "ChangeMessageVisibilityBatch", {"QueueUrl": url})] == [
        "sqs:ChangeMessageVisibility"
    ]


def test_sqs_create_queue_with_tags_needs_tag_queue() -> None:
    found = req("sqs", "CreateQueue", {"QueueName": "q", "tags": {"team": "a"}})
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
    assert pairs(found) == [("sqs:CreateQueue", [arn]), ("sqs:TagQueue", [arn])]
    assert found[0].context == {"aws:RequestTag/team": "a", "aws:TagKeys": ["team"]}
    assert pairs(req("sqs", "CreateQueue", {"QueueName": "q"})) == [("sqs:CreateQueue", [arn])]


def test_sqs_get_queue_url_other_owner() -> None:
    [r] = req("sqs", "GetQueueUrl", {"QueueName": "q", "QueueOwnerAWSAccountId": OTHER})
    assert r.resources == [f"arn:aws:sqs:{REGION}:{OTHER}:q"]
    [r] = req("sqs", "GetQueueUrl", {"QueueName": "q"})
    assert r.resources == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"]


def test_sqs_untag_supplies_tag_keys() -> None:
    [r] = req(
        "sqs",
        "UntagQueue",
        {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q", "TagKeys": ["a"]},
    )
    assert r.context == {"aws:TagKeys": ["a"]}


def test_sqs_message_move_tasks() -> None:
    dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"
    dst = f"arn:aws:sqs:{REGION}:{ACCOUNT}:main"
    found = req("sqs", "StartMessageMoveTask", {"SourceArn": dlq, "DestinationArn": dst})
    assert pairs(found)[0] == ("sqs:StartMessageMoveTask", [dlq])
    assert pairs(found)[-1] == ("sqs:SendMessage", [dst])
    handle = base64.b64encode(json.dumps({"taskId": "t", "sourceArn": dlq}).encode()).decode()
    found = req("sqs", "CancelMessageMoveTask", {"TaskHandle": handle})
    assert pairs(found)[0] == ("sqs:CancelMessageMoveTask", [dlq])


# --- IAM ------------------------------------------------------------------------------------


def test_iam_create_user_default_and_explicit_path() -> None:
    assert pairs(req("iam", "CreateUser", {"UserName": "bob"})) == [
        ("iam:CreateUser", [f"arn:aws:iam::{ACCOUNT}:user/bob"])
    ]
    found = req(
        "iam",
        "CreateUser",
        {"UserName": "bob", "Path": "/eng/", "Tags": [{"Key": "k", "Value": "v"}]},
    )
    assert pairs(found) == [
        ("iam:CreateUser", [f"arn:aws:iam::{ACCOUNT}:user/eng/bob"]),
        ("iam:TagUser", [f"arn:aws:iam::{ACCOUNT}:user/eng/bob"]),
    ]
    assert found[0].context == {"aws:RequestTag/k": "v", "aws:TagKeys": ["k"]}


def test_iam_existing_entity_uses_its_stored_path() -> None:
    def paths(kind: str, name: str) -> str | None:
        return {("user", "bob"): "/eng/", ("role", "r"): "/svc/"}.get((kind, name))

    [r] = req("iam", "DeleteUser", {"UserName": "bob"}, paths=paths)
    assert r.resources == [f"arn:aws:iam::{ACCOUNT}:user/eng/bob"]
    [r] = req("iam", "DeleteUser", {"UserName": "bob"})
    assert r.resources == [f"arn:aws:iam::{ACCOUNT}:user/bob"]
    [r] = req("iam", "GetRole", {"RoleName": "r"}, paths=paths)
    assert r.resources == [f"arn:aws:iam::{ACCOUNT}:role/svc/r"]


def test_iam_user_name_defaults_to_the_caller() -> None:
    caller = f"arn:aws:iam::{ACCOUNT}:user/dev/alice"
    [r] = req("iam", "ListAccessKeys", {}, caller_arn=caller)
    assert r.resources == [caller]
    [r] = req("iam", "ListAccessKeys", {"UserName": "bob"}, caller_arn=caller)
    assert r.resources == [f"arn:aws:iam::{ACCOUNT}:user/bob"]
    with pytest.raises(UnresolvedPlaceholder):
        req("iam", "GetUser", {})
    assert pairs(
        req("iam", "ChangePassword", {"OldPassword": "a", "NewPassword": "b"}, caller_arn=caller)
    ) == [("iam:ChangePassword", [caller])]


def test_iam_attach_policy_supplies_policy_arn() -> None:
    policy = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    [r] = req("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": policy})
    assert (r.action, r.resources, r.context) == (
        "iam:AttachRolePolicy",
        [f"arn:aws:iam::{ACCOUNT}:role/r"],
        {"iam:PolicyARN": policy},
    )


def test_iam_rename_needs_old_and_new_arn() -> None:
    found = req("iam", "UpdateUser", {"UserName": "bob", "NewUserName": "rob", "NewPath": "/x/"})
    assert pairs(found) == [
        ("iam:UpdateUser", [f"arn:aws:iam::{ACCOUNT}:user/bob"]),
        ("iam:UpdateUser", [f"arn:aws:iam::{ACCOUNT}:user/x/rob"]),
    ]
    assert len(req("iam", "UpdateUser", {"UserName": "bob"})) == 1


def test_iam_add_role_to_instance_profile_passes_the_role() -> None:
    found = req("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "ip", "RoleName": "r"})
    assert pairs(found) == [
        ("iam:AddRoleToInstanceProfile", [f"arn:aws:iam::{ACCOUNT}:instance-profile/ip"]),
        ("iam:PassRole", [f"arn:aws:iam::{ACCOUNT}:role/r"]),
    ]


def test_iam_oidc_provider_arn_drops_the_scheme() -> None:
    [r] = req("iam", "CreateOpenIDConnectProvider", {"Url": "https://token.example.com/"})
    assert r.resources == [f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com"]


def test_iam_owner_hint_is_the_arn_account() -> None:
    [r] = req("iam", "GetPolicy", {"PolicyArn": f"arn:aws:iam::{OTHER}:policy/p"})
    assert r.owners() == [ResourceOwner(account=OTHER)]


def test_iam_list_users_is_unscoped() -> None:
    assert pairs(req("iam", "ListUsers", {})) == [("iam:ListUsers", ["*"])]


# --- STS ------------------------------------------------------------------------------------


def test_sts_assume_role() -> None:
    role = f"arn:aws:iam::{OTHER}:role/deploy"
    [r] = req("sts", "AssumeRole", {"RoleArn": role, "RoleSessionName": "s", "ExternalId": "x"})
    assert (r.action, r.resources) == ("sts:AssumeRole", [role])
    assert r.context == {"sts:RoleSessionName": "s", "sts:ExternalId": "x"}
    assert r.owners() == [ResourceOwner(account=OTHER)]


def test_sts_assume_role_with_session_tags_and_source_identity() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    found = req(
        "sts",
        "AssumeRole",
        {
            "RoleArn": role,
            "RoleSessionName": "s",
            "Tags": [{"Key": "p", "Value": "x"}],
            "SourceIdentity": "me",
        },
    )
    assert [r.action for r in found] == [
        "sts:AssumeRole",
        "sts:TagSession",
        "sts:SetSourceIdentity",
    ]
    assert found[1].context == {"aws:RequestTag/p": "x", "aws:TagKeys": ["p"]}


def test_sts_get_caller_identity_needs_no_permission() -> None:
    assert req("sts", "GetCallerIdentity", {}) == []
    assert entry("sts", "GetCallerIdentity").no_authorization
    assert req("sts", "GetSessionToken", {}) == []


def test_sts_federated_calls_are_marked_unsigned() -> None:
    assert entry("sts", "AssumeRoleWithWebIdentity").unsigned
    assert not entry("sts", "AssumeRole").unsigned


def test_sts_federation_token_resource() -> None:
    [r] = req("sts", "GetFederationToken", {"Name": "fed"})
    assert r.resources == [f"arn:aws:sts::{ACCOUNT}:federated-user/fed"]


# --- misc -----------------------------------------------------------------------------------


def test_unknown_operation_and_pending_api_are_refused() -> None:
    with pytest.raises(UnknownOperation):
        req("s3", "NoSuchOperation", {})
    with pytest.raises(UnknownOperation):
        req("ec2", "DescribeInstances", {})
