"""STS GetCallerIdentity through the uniform Invoke, answered from the gateway's context."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import grpc
import pytest
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus.service.v1 import service_pb2, service_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc

pytestmark = pytest.mark.infra


async def caller_identity(channel: grpc.aio.Channel, context: RequestContext) -> dict[str, Any]:
    reply = await service_pb2_grpc.AwsServiceStub(channel).Invoke(
        service_pb2.InvokeRequest(operation="GetCallerIdentity", input_json=b"{}", context=context)
    )
    output: dict[str, Any] = json.loads(reply.output_json)
    return output


def signed_context(account: str, principal_arn: str = "", user_id: str = "") -> RequestContext:
    """What the gateway sends once it has verified the signature (empty ARN/id for root)."""
    return RequestContext(
        request_id="req-1",
        account_id=account,
        region="us-east-1",
        access_key_id="test",
        service="sts",
        api="sts",
        principal_arn=principal_arn,
        user_id=user_id,
    )


async def test_root_identity_follows_from_the_account(iam_channel: grpc.aio.Channel) -> None:
    assert await caller_identity(iam_channel, signed_context("000000000000")) == {
        "UserId": "000000000000",
        "Account": "000000000000",
        "Arn": "arn:aws:iam::000000000000:root",
    }


async def test_the_gateway_resolved_principal_is_reported_as_it_is(
    iam_channel: grpc.aio.Channel,
) -> None:
    context = signed_context(
        "123456789012",
        principal_arn="arn:aws:sts::123456789012:assumed-role/Admin/dev",
        user_id="AROAEXAMPLEID:dev",
    )
    assert await caller_identity(iam_channel, context) == {
        "UserId": "AROAEXAMPLEID:dev",
        "Account": "123456789012",
        "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/dev",
    }


async def test_the_output_is_botocores_shape(iam_channel: grpc.aio.Channel) -> None:
    model = botocore.session.get_session().get_service_model("sts")
    shape = model.operation_model("GetCallerIdentity").output_shape
    output = await caller_identity(iam_channel, signed_context("000000000000"))
    assert set(output) == set(shape.members)
    assert all(shape.members[name].type_name == "string" for name in output)


async def test_an_anonymous_caller_is_refused(iam_channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await caller_identity(iam_channel, RequestContext(request_id="req-2", api="sts"))
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.http_status) == ("MissingAuthenticationToken", 403)
