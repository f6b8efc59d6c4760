"""The AWS CLI against a throwaway recorder on 127.0.0.1: every request it sends must
authenticate, exactly as the gateway would receive it off the wire."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.auth import SigningCredential, authenticate
from nimbus_gateway.protocol.http import HttpRequest

from tests.auth.helpers import lookup_of

LOOKUP = lookup_of(SigningCredential("test", "test"))
STS_REPLY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/test</Arn>"
    "<UserId>AIDATEST</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)
IAM_REPLY = (
    '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>'
    "<Users/><IsTruncated>false</IsTruncated></ListUsersResult>"
    "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListUsersResponse>"
)
EC2_REPLY = (
    '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
    "<requestId>1</requestId><vpcSet/></DescribeVpcsResponse>"
)
S3_LIST_REPLY = (
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name>'
    "<Prefix>a b/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
    "<IsTruncated>false</IsTruncated></ListBucketResult>"
)


def aws_command() -> list[str]:
    """The pinned AWS CLI of the workspace (a dev dependency, so never missing)."""
    return [sys.executable, "-m", "awscli"]


async def reply(request: web.Request) -> web.Response:
    """Just enough of each service's answer for the CLI to exit cleanly."""
    recorded: list[HttpRequest] = request.app[RECORDED]
    path, _, query = request.raw_path.partition("?")
    body = await request.read()
    recorded.append(HttpRequest(request.method, path, query, CIMultiDict(request.headers), body))
    if "AmazonSQS" in request.headers.get("X-Amz-Target", ""):
        return web.Response(body=b"{}", content_type="application/x-amz-json-1.0")
    for action, text in (
        (b"GetCallerIdentity", STS_REPLY),
        (b"ListUsers", IAM_REPLY),
        (b"DescribeVpcs", EC2_REPLY),
    ):
        if b"Action=" + action in body:
            return web.Response(text=text, content_type="text/xml")
    if request.method == "GET":
        return web.Response(text=S3_LIST_REPLY, content_type="application/xml")
    return web.Response(headers={"ETag": '"0"'})


RECORDED = web.AppKey("recorded", list[HttpRequest])


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[HttpRequest]]]:
    app = web.Application()
    app[RECORDED] = []
    app.router.add_route("*", "/{tail:.*}", reply)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", app[RECORDED]
    finally:
        await runner.cleanup()


def cli_environment(home: Path) -> dict[str, str]:
    """Only these credentials; nothing of the machine's own AWS configuration."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name not in ("HOME", "XDG_CONFIG_HOME")
    }
    config = home / "config"
    config.write_text("")
    environment.update(
        HOME=str(home),
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(config),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        AWS_PAGER="",
    )
    return environment


async def run_cli(endpoint: str, home: Path, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *aws_command(),
        "--endpoint-url",
        endpoint,
        *args,
        env=cli_environment(home),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, (stdout + stderr).decode(errors="replace")


@pytest.mark.parametrize(
    ("args", "is_s3", "service"),
    [
        (["sts", "get-caller-identity"], False, "sts"),
        (["iam", "list-users", "--path-prefix", "/a b/"], False, "iam"),
        (["sqs", "list-queues", "--queue-name-prefix", "q+ü"], False, "sqs"),
        (["ec2", "describe-vpcs"], False, "ec2"),
        (["s3api", "list-objects-v2", "--bucket", "bucket", "--prefix", "a b/"], True, "s3"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else str(value),
)
async def test_cli_requests_authenticate(
    recorder: tuple[str, list[HttpRequest]],
    tmp_path: Path,
    args: list[str],
    is_s3: bool,
    service: str,
) -> None:
    endpoint, recorded = recorder
    await run_cli(endpoint, tmp_path, *args)
    assert recorded, "the CLI sent nothing"
    for request in recorded:
        auth = await authenticate(
            request, LOOKUP, is_s3=is_s3, now=datetime.now(UTC), service=service
        )
        assert auth is not None
        assert (auth.access_key_id, auth.region, auth.service) == ("test", "us-east-1", service)


@pytest.mark.parametrize("high_level", [False, True], ids=["s3api-put-object", "s3-cp"])
async def test_cli_uploads_authenticate_with_their_bodies(
    recorder: tuple[str, list[HttpRequest]], tmp_path: Path, high_level: bool
) -> None:
    endpoint, recorded = recorder
    source = tmp_path / "upload.bin"
    source.write_bytes(b"nimbus " * 1000)
    if high_level:
        await run_cli(endpoint, tmp_path, "s3", "cp", str(source), "s3://bucket/dir/a b+c.bin")
    else:
        await run_cli(
            endpoint,
            tmp_path,
            "s3api",
            "put-object",
            "--bucket",
            "bucket",
            "--key",
            "dir/a b+c~ü.bin",
            "--body",
            str(source),
        )
    (request,) = [request for request in recorded if request.method == "PUT"]
    assert request.path.startswith("/bucket/dir/a%20b%2Bc")
    assert request.body == source.read_bytes()
    auth = await authenticate(request, LOOKUP, is_s3=True, now=datetime.now(UTC))
    assert auth is not None and auth.payload == "signed"

    tampered = HttpRequest(
        request.method, request.path, request.query, request.headers, request.body[:-1] + b"!"
    )
    with pytest.raises(AwsError) as raised:
        await authenticate(tampered, LOOKUP, is_s3=True, now=datetime.now(UTC))
    assert raised.value.code == "XAmzContentSHA256Mismatch"
