"""The SqsInternal gRPC service: what the gateway needs to authorize SQS requests itself.

The gateway evaluates the queue policy as the resource policy, with the queue's owner as the
resource account; it caches these answers until a QueueChanged event names the queue. Read
straight from sqs_queues, so the answer is what the last committed change left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import asyncpg
import grpc
from nimbus.sqs.v1 import sqs_pb2, sqs_pb2_grpc
from nimbus_core.runtime import Resources

SERVICE_NAME = sqs_pb2.DESCRIPTOR.services_by_name["SqsInternal"].full_name

_QUERY = (
    "SELECT account, region, name, attributes->>'Policy' AS policy, tags"
    " FROM sqs_queues WHERE account = $1 AND region = $2 AND name = $3"
)


def _tags(raw: Any) -> dict[str, str]:
    loaded = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(loaded, dict):
        return {}
    return {str(k): str(v) for k, v in loaded.items()}


async def queue_access(
    pool: asyncpg.Pool[asyncpg.Record], account: str, region: str, name: str
) -> sqs_pb2.QueueAccess:
    """A queue's owner, ARN, policy and tags; exists=False when there is no such queue."""
    if "\x00" in account + region + name:
        return sqs_pb2.QueueAccess(exists=False)  # no stored name can hold NUL
    row = await pool.fetchrow(_QUERY, account, region, name)
    if row is None:
        return sqs_pb2.QueueAccess(exists=False)
    return sqs_pb2.QueueAccess(
        exists=True,
        owner_account=row["account"],
        queue_arn=f"arn:aws:sqs:{row['region']}:{row['account']}:{row['name']}",
        policy=row["policy"] or "",
        tags=_tags(row["tags"]),
    )


class SqsInternalServicer(sqs_pb2_grpc.SqsInternalServicer):
    def __init__(self, resources: Resources) -> None:
        self._pool = resources.pool

    async def GetQueueAccess(
        self, request: sqs_pb2.GetQueueAccessRequest, context: grpc.aio.ServicerContext
    ) -> sqs_pb2.QueueAccess:
        return await queue_access(self._pool, request.account, request.region, request.name)


def registrar(resources: Resources) -> Callable[[grpc.aio.Server], None]:
    def add(server: grpc.aio.Server) -> None:
        sqs_pb2_grpc.add_SqsInternalServicer_to_server(SqsInternalServicer(resources), server)

    return add
