"""Two s3 replicas behind the gateway serve each other's objects.

Beside the cloud's own gateway (balanced over both replicas) the test starts two more
gateways, each pinned to one replica; whatever goes in through one replica must come out
through the other: objects, overwrites, deletes and multipart uploads whose parts land on
different replicas. And an object written while one replica is down (kill -9) is served by
that replica once the supervisor has brought it back.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import boto3
import grpc
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.s3.conftest import BASE_PORT, S3Cloud, s3_client
from tests.system.pinned import pinned_gateways, spare_ports

pytestmark = pytest.mark.system

MIB = 1024 * 1024


def s3_rows(cloud: S3Cloud) -> dict[int, dict[str, Any]]:
    rows: list[dict[str, Any]] = cloud.status()["processes"]  # type: ignore[assignment]
    return {row["replica"]: row for row in rows if row["service"] == "s3"}


@pytest.fixture(scope="module")
def pinned(s3_cloud: S3Cloud) -> Iterator[dict[int, Any]]:
    """replica -> a boto3 client whose gateway talks to that s3 replica only."""
    with pinned_gateways(s3_cloud, "s3", (0, 1), spare_ports(BASE_PORT)) as endpoints:
        yield {replica: s3_client(endpoint) for replica, endpoint in endpoints.items()}


def body_of(client: Any, bucket: str, key: str) -> bytes:
    data: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


def test_each_replica_reads_what_the_other_wrote(pinned: dict[int, Any], bucket: str) -> None:
    one, two = pinned[0], pinned[1]
    small, large = os.urandom(1000), os.urandom(2 * MIB + 333)  # large spans several chunks
    one.put_object(Bucket=bucket, Key="from-0/small", Body=small, Metadata={"by": "zero"})
    two.put_object(Bucket=bucket, Key="from-1/large", Body=large, ContentType="image/png")

    head = two.head_object(Bucket=bucket, Key="from-0/small")
    assert head["Metadata"] == {"by": "zero"}
    assert head["ETag"] == f'"{hashlib.md5(small).hexdigest()}"'
    assert body_of(two, bucket, "from-0/small") == small
    assert one.head_object(Bucket=bucket, Key="from-1/large")["ContentType"] == "image/png"
    assert body_of(one, bucket, "from-1/large") == large
    ranged = one.get_object(Bucket=bucket, Key="from-1/large", Range="bytes=1048570-1048590")
    assert ranged["Body"].read() == large[1048570:1048591]

    for client in (one, two):
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
        assert keys == ["from-0/small", "from-1/large"]

    # An overwrite on one replica is what the other serves next; so is a delete.
    replaced = os.urandom(500)
    two.put_object(Bucket=bucket, Key="from-0/small", Body=replaced)
    assert body_of(one, bucket, "from-0/small") == replaced
    one.delete_object(Bucket=bucket, Key="from-1/large")
    with pytest.raises(ClientError) as missing:
        two.get_object(Bucket=bucket, Key="from-1/large")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_a_multipart_upload_spread_over_both_replicas(pinned: dict[int, Any], bucket: str) -> None:
    one, two = pinned[0], pinned[1]
    parts_data = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1234)]
    upload = one.create_multipart_upload(Bucket=bucket, Key="spread")["UploadId"]
    parts = []
    for number, data in enumerate(parts_data, start=1):
        client = pinned[number % 2]  # parts 1 and 3 through replica 1, part 2 through 0
        etag = client.upload_part(
            Bucket=bucket, Key="spread", UploadId=upload, PartNumber=number, Body=data
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    listed = one.list_parts(Bucket=bucket, Key="spread", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [
        (n, len(d)) for n, d in enumerate(parts_data, start=1)
    ]
    done = two.complete_multipart_upload(
        Bucket=bucket, Key="spread", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    digests = b"".join(hashlib.md5(d).digest() for d in parts_data)
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-3"'
    assert body_of(one, bucket, "spread") == b"".join(parts_data)


def replica_serving(port: int) -> bool:
    """Whether the gRPC health service on port answers SERVING right now."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=0.5
            )
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def test_an_object_written_while_a_replica_is_down_is_served_when_it_is_back(
    s3_cloud: S3Cloud, pinned: dict[int, Any], bucket: str
) -> None:
    victim = s3_rows(s3_cloud)[1]
    assert victim["health"] == "SERVING"
    writer = boto3.client(
        "s3",
        endpoint_url=s3_cloud.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )
    objects = {f"while-down/{n}": os.urandom(n * 700_000 + 10) for n in range(4)}

    os.kill(victim["pid"], signal.SIGKILL)
    for key, data in objects.items():  # through the cloud's gateway, balanced over both
        writer.put_object(Bucket=bucket, Key=key, Body=data)
    assert not replica_serving(victim["port"]), "s3-1 was back before the writes ended"

    deadline = time.monotonic() + 60
    while True:
        row = s3_rows(s3_cloud)[1]
        if row["pid"] not in (None, victim["pid"]) and row["health"] == "SERVING":
            break
        assert time.monotonic() < deadline, f"s3-1 not back: {row}"
        time.sleep(0.2)

    back = pinned[1]
    deadline = time.monotonic() + 10
    while True:  # the pinned gateway's channel reconnects within a second or so
        try:
            back.head_object(Bucket=bucket, Key="while-down/0")
            break
        except ClientError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    for key, data in objects.items():
        assert body_of(back, bucket, key) == data
    keys = [o["Key"] for o in back.list_objects_v2(Bucket=bucket, Prefix="while-down/")["Contents"]]
    assert keys == sorted(objects)
