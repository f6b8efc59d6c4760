"""S3Internal over gRPC against the cloud's s3 replicas: what the gateway reads to authorize,
and the BucketConfigChanged events that tell it to forget."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nimbus.s3.v1 import s3_pb2, s3_pb2_grpc
from nimbus_core.events import detail
from nimbus_core.grpc_client import make_channel

from tests.integration.kafka_helpers import read_events
from tests.s3.conftest import BASE_PORT, S3_REPLICAS, S3Cloud

S3_INDEX = 1  # iam, s3, sqs, ...: the s3 replicas listen on BASE_PORT + 20 * 1 + r
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
async def stub(s3_cloud: S3Cloud) -> AsyncIterator[s3_pb2_grpc.S3InternalStub]:
    addresses = [f"127.0.0.1:{BASE_PORT + 20 * S3_INDEX + r}" for r in range(S3_REPLICAS)]
    async with make_channel(addresses, default_timeout=10) as channel:
        yield s3_pb2_grpc.S3InternalStub(channel)


async def test_missing_bucket(stub: s3_pb2_grpc.S3InternalStub) -> None:
    access = await stub.GetBucketAccess(s3_pb2.GetBucketAccessRequest(bucket="no-such-bkt-xyz"))
    assert access.exists is False
    assert access.owner_account == ""


async def test_new_bucket_access(stub: s3_pb2_grpc.S3InternalStub, s3: Any, bucket: str) -> None:
    access = await stub.GetBucketAccess(s3_pb2.GetBucketAccessRequest(bucket=bucket))
    assert access.exists is True
    assert access.owner_account == "000000000000"
    assert access.region == "us-east-1"
    assert access.policy == ""
    assert access.object_ownership == "BucketOwnerEnforced"
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    document = json.loads(access.acl_json)
    assert document["Owner"]["ID"] == owner["ID"]
    assert document["Grants"] == [
        {
            "Grantee": {
                "Type": "CanonicalUser",
                "ID": owner["ID"],
                "DisplayName": owner["DisplayName"],
            },
            "Permission": "FULL_CONTROL",
        }
    ]
    assert json.loads(access.public_access_block_json) == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert access.cors_json == "" and access.website_json == ""


async def test_configured_bucket_access(
    stub: s3_pb2_grpc.S3InternalStub, s3: Any, bucket: str
) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    cors = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors)
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "i.html"}}
    )
    access = await stub.GetBucketAccess(s3_pb2.GetBucketAccessRequest(bucket=bucket))
    assert access.policy == policy
    assert access.object_ownership == "BucketOwnerPreferred"
    assert access.public_access_block_json == ""
    grants = json.loads(access.acl_json)["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    assert json.loads(access.cors_json) == cors
    assert json.loads(access.website_json) == {"IndexDocument": {"Suffix": "i.html"}}


async def test_object_acl(stub: s3_pb2_grpc.S3InternalStub, s3: Any, bucket: str) -> None:
    missing = await stub.GetObjectAcl(s3_pb2.GetObjectAclRequest(bucket=bucket, key="nope"))
    assert missing.exists is False
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    found = await stub.GetObjectAcl(s3_pb2.GetObjectAclRequest(bucket=bucket, key="k"))
    assert found.exists is True
    document = json.loads(found.acl_json)
    assert document["Grants"][0]["Permission"] == "FULL_CONTROL"
    assert document["Owner"]["ID"] == s3.get_object_acl(Bucket=bucket, Key="k")["Owner"]["ID"]


async def test_object_acl_by_version(
    stub: s3_pb2_grpc.S3InternalStub, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    s3.delete_public_access_block(Bucket=bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1")["VersionId"]
    s3.put_object_acl(Bucket=bucket, Key="k", VersionId=first, ACL="public-read")
    s3.put_object(Bucket=bucket, Key="k", Body=b"2")
    old = await stub.GetObjectAcl(
        s3_pb2.GetObjectAclRequest(bucket=bucket, key="k", version_id=first)
    )
    assert any(g["Grantee"].get("URI") == ALL_USERS for g in json.loads(old.acl_json)["Grants"])
    current = await stub.GetObjectAcl(s3_pb2.GetObjectAclRequest(bucket=bucket, key="k"))
    assert not any(
        g["Grantee"].get("URI") == ALL_USERS for g in json.loads(current.acl_json)["Grants"]
    )
    s3.delete_object(Bucket=bucket, Key="k")  # a delete marker is now current
    marker = await stub.GetObjectAcl(s3_pb2.GetObjectAclRequest(bucket=bucket, key="k"))
    assert marker.exists is False


async def test_bucket_config_changed_events(s3: Any, kafka_bootstrap: str) -> None:
    name = f"ev-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    s3.delete_public_access_block(Bucket=name)
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]},
    )
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_bucket(Bucket=name)
    wanted = ["created", "public_access_block", "cors", "deleted"]

    def changes(events: list[Any]) -> list[str]:
        return [
            detail(e)["change"]
            for e in events
            if e.detail_type == "BucketConfigChanged" and detail(e)["bucket"] == name
        ]

    events = await read_events(
        kafka_bootstrap, "s3.bucket-events.v1", until=lambda seen: len(changes(seen)) >= 4
    )
    assert changes(events) == wanted  # tagging is not access-relevant: no event
    mine = [
        e for e in events if e.detail_type == "BucketConfigChanged" and detail(e)["bucket"] == name
    ]
    assert all(e.source == "nimbus.s3" and e.account == "000000000000" for e in mine)
