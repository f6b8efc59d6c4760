"""Object sub-resources through boto3: tagging (with its events), ACLs, retention and legal
hold, including S3's errors and the Object Lock rules on shortening a retention."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from nimbus_core.events import detail

from tests.integration.kafka_helpers import read_events
from tests.s3.test_configs import fails

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture
def lock_bucket(s3: Any) -> Iterator[str]:
    name = f"olk-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    for version in s3.list_object_versions(Bucket=name).get("Versions", []):
        try:
            s3.put_object_legal_hold(
                Bucket=name,
                Key=version["Key"],
                VersionId=version["VersionId"],
                LegalHold={"Status": "OFF"},
            )
            s3.delete_object(
                Bucket=name,
                Key=version["Key"],
                VersionId=version["VersionId"],
                BypassGovernanceRetention=True,
            )
        except ClientError:
            pass
    with contextlib.suppress(ClientError):
        s3.delete_bucket(Bucket=name)


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "a", "Value": "1"}]
    tags = [{"Key": "team", "Value": "s3"}, {"Key": "env", "Value": "test"}]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags})
    got = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert sorted(got["TagSet"], key=str) == sorted(tags, key=str)
    assert "VersionId" not in got  # never-versioned bucket
    fails(
        s3.put_object_tagging,
        "InvalidTag",
        400,
        "Object tags cannot be greater than 10",
        Bucket=bucket,
        Key="k",
        Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]},
    )
    fails(
        s3.put_object_tagging,
        "InvalidTag",
        400,
        "Cannot provide multiple Tags with the same key",
        Bucket=bucket,
        Key="k",
        Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
    )
    assert sorted(s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"], key=str) == sorted(
        tags, key=str
    )
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    fails(s3.get_object_tagging, "NoSuchKey", 404, Bucket=bucket, Key="missing")
    fails(
        s3.put_object_tagging,
        "NoSuchKey",
        404,
        Bucket=bucket,
        Key="missing",
        Tagging={"TagSet": []},
    )


def test_object_tagging_by_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"2")["VersionId"]
    put = s3.put_object_tagging(
        Bucket=bucket, Key="k", VersionId=first, Tagging={"TagSet": [{"Key": "old", "Value": "y"}]}
    )
    assert put["VersionId"] == first
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == [
        {"Key": "old", "Value": "y"}
    ]
    latest = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert latest["TagSet"] == [] and latest["VersionId"] == second
    other = s3.put_object(Bucket=bucket, Key="other", Body=b"3")["VersionId"]
    fails(s3.get_object_tagging, "NoSuchVersion", 404, Bucket=bucket, Key="k", VersionId=other)


async def test_object_tag_events(s3: Any, bucket: str, kafka_bootstrap: str) -> None:
    key = f"ev-{uuid.uuid4().hex}"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_object_tagging(Bucket=bucket, Key=key)

    def mine(events: list[Any]) -> list[str]:
        return [
            e.detail_type
            for e in events
            if e.detail_type.startswith("Object Tags") and detail(e)["object"]["key"] == key
        ]

    events = await read_events(
        kafka_bootstrap, "s3.object-events.v1", until=lambda seen: len(mine(seen)) >= 2
    )
    assert mine(events) == ["Object Tags Added", "Object Tags Deleted"]
    added = next(
        e
        for e in events
        if e.detail_type == "Object Tags Added" and detail(e)["object"]["key"] == key
    )
    assert detail(added)["bucket"]["name"] == bucket
    assert added.source == "aws.s3"


def test_object_acl(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    got = s3.get_object_acl(Bucket=bucket, Key="k")
    assert got["Grants"] == [
        {"Grantee": {**got["Owner"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}
    ]
    fails(
        s3.put_object_acl,
        "AccessControlListNotSupported",
        400,
        "The bucket does not allow ACLs",
        Bucket=bucket,
        Key="k",
        ACL="public-read",
    )
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")  # still only the owner
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    fails(s3.put_object_acl, "AccessDenied", 403, Bucket=bucket, Key="k", ACL="public-read")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    fails(s3.get_object_acl, "NoSuchKey", 404, Bucket=bucket, Key="missing")


def test_retention_and_legal_hold_need_object_lock(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    until = datetime.now(UTC) + timedelta(days=1)
    message = "Bucket is missing Object Lock Configuration"
    fails(
        s3.put_object_retention,
        "InvalidRequest",
        400,
        message,
        Bucket=bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until},
    )
    fails(s3.get_object_retention, "InvalidRequest", 400, message, Bucket=bucket, Key="k")
    fails(
        s3.put_object_legal_hold,
        "InvalidRequest",
        400,
        message,
        Bucket=bucket,
        Key="k",
        LegalHold={"Status": "ON"},
    )


def test_retention_rules(s3: Any, lock_bucket: str) -> None:
    version = s3.put_object(Bucket=lock_bucket, Key="k", Body=b"x")["VersionId"]
    fails(
        s3.get_object_retention,
        "NoSuchObjectLockConfiguration",
        404,
        "The specified object does not have a ObjectLock configuration",
        Bucket=lock_bucket,
        Key="k",
    )
    fails(
        s3.put_object_retention,
        "InvalidArgument",
        400,
        "The retain until date must be in the future!",
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": datetime(2020, 1, 1, tzinfo=UTC)},
    )
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    sooner = later - timedelta(days=1)
    s3.put_object_retention(
        Bucket=lock_bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": later}
    )
    got = s3.get_object_retention(Bucket=lock_bucket, Key="k", VersionId=version)["Retention"]
    assert got == {"Mode": "GOVERNANCE", "RetainUntilDate": later}
    # GOVERNANCE: shortening needs the bypass.
    fails(
        s3.put_object_retention,
        "AccessDenied",
        403,
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": sooner},
    )
    s3.put_object_retention(
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": sooner},
        BypassGovernanceRetention=True,
    )
    # Extending is allowed without the bypass; changing the mode is not.
    s3.put_object_retention(
        Bucket=lock_bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": later}
    )
    fails(
        s3.put_object_retention,
        "AccessDenied",
        403,
        "Access Denied because object protected by object lock.",
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later},
    )
    s3.put_object_retention(
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later},
        BypassGovernanceRetention=True,
    )
    fails(
        s3.put_object_retention,
        "AccessDenied",
        403,
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": sooner},
        BypassGovernanceRetention=True,
    )
    fails(
        s3.put_object_retention,
        "AccessDenied",
        403,
        Bucket=lock_bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": later},
        BypassGovernanceRetention=True,
    )
    assert s3.get_object_retention(Bucket=lock_bucket, Key="k")["Retention"]["Mode"] == "COMPLIANCE"


def test_legal_hold(s3: Any, raw_client: Any, lock_bucket: str) -> None:
    s3.put_object(Bucket=lock_bucket, Key="k", Body=b"x")
    fails(
        s3.get_object_legal_hold,
        "NoSuchObjectLockConfiguration",
        404,
        "The specified object does not have a ObjectLock configuration",
        Bucket=lock_bucket,
        Key="k",
    )
    s3.put_object_legal_hold(Bucket=lock_bucket, Key="k", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=lock_bucket, Key="k")["LegalHold"] == {"Status": "ON"}
    fails(
        raw_client.put_object_legal_hold,
        "MalformedXML",
        400,
        Bucket=lock_bucket,
        Key="k",
        LegalHold={"Status": "MAYBE"},
    )
    assert s3.get_object_legal_hold(Bucket=lock_bucket, Key="k")["LegalHold"] == {"Status": "ON"}
    s3.put_object_legal_hold(Bucket=lock_bucket, Key="k", LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=lock_bucket, Key="k")["LegalHold"] == {"Status": "OFF"}


@pytest.fixture(scope="module")
def raw_client(s3: Any) -> Any:
    from tests.s3.conftest import s3_client

    return s3_client(s3.meta.endpoint_url, parameter_validation=False)


async def invoke(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """One AwsService call straight to the s3 replicas, as the gateway makes it."""
    import json

    import grpc
    from nimbus.common.v1.common_pb2 import RequestContext
    from nimbus.service.v1 import service_pb2, service_pb2_grpc
    from nimbus_core.errors import error_from_aio_rpc
    from nimbus_core.grpc_client import make_channel

    from tests.s3.conftest import BASE_PORT, S3_REPLICAS

    addresses = [f"127.0.0.1:{BASE_PORT + 20 + r}" for r in range(S3_REPLICAS)]
    async with make_channel(addresses, default_timeout=10) as channel:
        stub = service_pb2_grpc.AwsServiceStub(channel)
        request = service_pb2.InvokeRequest(
            operation=operation,
            input_json=json.dumps(params).encode(),
            context=RequestContext(
                request_id=str(uuid.uuid4()), account_id="000000000000", region="us-east-1"
            ),
        )
        try:
            reply = await stub.Invoke(request)
        except grpc.aio.AioRpcError as error:
            raise error_from_aio_rpc(error) from None
    result: dict[str, Any] = json.loads(reply.output_json)
    return result


async def test_retention_rules_at_the_service(s3: Any, lock_bucket: str) -> None:
    """The retention rules through the s3 service's own AwsService (the gateway's
    authorization step is bypassed: only the service's checks are under test)."""
    from nimbus_core.errors import AwsError

    s3.put_object(Bucket=lock_bucket, Key="k", Body=b"x")
    target = {"Bucket": lock_bucket, "Key": "k"}

    def iso(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    sooner = later - timedelta(days=1)

    async def refused(params: dict[str, Any], code: str, message: str | None = None) -> None:
        with pytest.raises(AwsError) as excinfo:
            await invoke("PutObjectRetention", {**target, **params})
        assert excinfo.value.code == code
        if message is not None:
            assert excinfo.value.message == message

    with pytest.raises(AwsError) as excinfo:
        await invoke("GetObjectRetention", target)
    assert excinfo.value.code == "NoSuchObjectLockConfiguration"
    await refused(
        {"Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": "2020-01-01T00:00:00Z"}},
        "InvalidArgument",
        "The retain until date must be in the future!",
    )
    await refused({"Retention": {"Mode": "GOVERNANCE"}}, "MalformedXML")
    await invoke(
        "PutObjectRetention",
        {**target, "Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": iso(later)}},
    )
    got = await invoke("GetObjectRetention", target)
    assert got["Retention"]["Mode"] == "GOVERNANCE"
    assert (
        datetime.fromisoformat(got["Retention"]["RetainUntilDate"].replace("Z", "+00:00")) == later
    )
    shorter = {"Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": iso(sooner)}}
    await refused(shorter, "AccessDenied", "Access Denied because object protected by object lock.")
    await invoke("PutObjectRetention", {**target, **shorter, "BypassGovernanceRetention": True})
    await invoke(
        "PutObjectRetention",
        {**target, "Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": iso(later)}},
    )
    compliance = {"Retention": {"Mode": "COMPLIANCE", "RetainUntilDate": iso(later)}}
    await refused(compliance, "AccessDenied")
    await invoke("PutObjectRetention", {**target, **compliance, "BypassGovernanceRetention": True})
    await refused(
        {
            "Retention": {"Mode": "COMPLIANCE", "RetainUntilDate": iso(sooner)},
            "BypassGovernanceRetention": True,
        },
        "AccessDenied",
    )
    await refused({"Retention": {}, "BypassGovernanceRetention": True}, "AccessDenied")
    assert (await invoke("GetObjectRetention", target))["Retention"]["Mode"] == "COMPLIANCE"
    # A locked version cannot be deleted, even with the bypass.
    version = s3.list_object_versions(Bucket=lock_bucket)["Versions"][0]["VersionId"]
    with pytest.raises(ClientError):
        s3.delete_object(
            Bucket=lock_bucket, Key="k", VersionId=version, BypassGovernanceRetention=True
        )
