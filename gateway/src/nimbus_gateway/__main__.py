"""Run the gateway: `python -m nimbus_gateway` (settings from NIMBUS_* variables)."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
import uvloop
from nimbus.iam.v1 import iam_pb2
from nimbus_core.grpc_client import make_channel
from nimbus_core.logs import configure_logging
from nimbus_core.telemetry import configure_tracing

from nimbus_gateway.admin import AdminEndpoints
from nimbus_gateway.asgi import GatewayApp
from nimbus_gateway.bucket_access import IDEMPOTENT_METHODS as S3_IDEMPOTENT
from nimbus_gateway.bucket_access import BucketAccessCache
from nimbus_gateway.chain.authentication import Authenticator
from nimbus_gateway.chain.authorization import Authorizer
from nimbus_gateway.chain.dispatching import Dispatcher
from nimbus_gateway.credentials import CredentialStore
from nimbus_gateway.http_guard import HeaderGuardProtocol
from nimbus_gateway.pipeline import Pipeline
from nimbus_gateway.policies import PolicyCache
from nimbus_gateway.queue_access import IDEMPOTENT_METHODS as SQS_IDEMPOTENT
from nimbus_gateway.queue_access import QueueAccessCache
from nimbus_gateway.settings import GatewaySettings

log = logging.getLogger("nimbus_gateway")

_IAM_SERVICE = iam_pb2.DESCRIPTOR.services_by_name["IamInternal"].full_name
_IAM_IDEMPOTENT = [
    (_IAM_SERVICE, m) for m in ("ResolveAccessKey", "ListAccounts", "GetPrincipalPolicies")
]


async def serve(settings: GatewaySettings) -> None:
    """Serve HTTP until SIGTERM (uvicorn handles it and finishes in-flight requests)."""
    configure_logging(
        settings.log_level, service="gateway", replica=settings.replica, zone=settings.zone
    )
    provider = configure_tracing("gateway", settings.otel_exporter, settings.otel_endpoint)
    stop = asyncio.Event()

    channels = {name: make_channel(addresses) for name, addresses in settings.targets.items()}
    iam_channel = make_channel(
        settings.targets.get("iam", ["127.0.0.1:50100"]), idempotent_methods=_IAM_IDEMPOTENT
    )
    store = CredentialStore(iam_channel)
    policies = PolicyCache(iam_channel)
    # The s3 service's S3Internal: bucket owners, policies, ACLs, CORS and website configs.
    s3_channel = (
        make_channel(settings.targets["s3"], idempotent_methods=S3_IDEMPOTENT)
        if "s3" in settings.targets
        else None
    )
    buckets = BucketAccessCache(s3_channel) if s3_channel is not None else None
    # The sqs service's SqsInternal: queue owners and queue policies.
    sqs_channel = (
        make_channel(settings.targets["sqs"], idempotent_methods=SQS_IDEMPOTENT)
        if "sqs" in settings.targets
        else None
    )
    queues = QueueAccessCache(sqs_channel) if sqs_channel is not None else None
    pipeline = Pipeline(
        authenticator=Authenticator(
            store, mode=settings.auth_mode, default_account=settings.default_account
        ),
        authorizer=Authorizer(policies, mode=settings.auth_mode, buckets=buckets, queues=queues),
        dispatcher=Dispatcher(channels),
        base_hosts=settings.hostnames,
        default_region=settings.region,
        max_body_bytes=settings.max_body_bytes,
        buckets=buckets,
    )

    def forget_everything() -> None:
        store.invalidate()
        policies.invalidate()
        if buckets is not None:
            buckets.invalidate()
        if queues is not None:
            queues.invalidate()

    admin = AdminEndpoints(channels, allow_reset=settings.allow_reset, on_reset=forget_everything)
    server = uvicorn.Server(
        uvicorn.Config(
            GatewayApp(pipeline, admin),
            host=settings.http_host,
            port=settings.http_port,
            loop="none",
            http=HeaderGuardProtocol,
            lifespan="off",
            access_log=False,
            server_header=False,
            log_config=None,
            timeout_graceful_shutdown=int(settings.drain_seconds),
            timeout_keep_alive=60,
        )
    )
    feeds = [
        asyncio.create_task(store.follow_invalidations(settings.kafka_bootstrap, stop)),
        asyncio.create_task(policies.follow_invalidations(settings.kafka_bootstrap, stop)),
    ]
    if buckets is not None:
        feeds.append(
            asyncio.create_task(buckets.follow_invalidations(settings.kafka_bootstrap, stop))
        )
    if queues is not None:
        feeds.append(
            asyncio.create_task(queues.follow_invalidations(settings.kafka_bootstrap, stop))
        )
    log.info(
        "gateway listening",
        extra={
            "endpoint": f"http://{settings.http_host}:{settings.http_port}",
            "auth_mode": settings.auth_mode,
        },
    )
    await server.serve()
    stop.set()
    for feed in feeds:
        feed.cancel()
    await asyncio.gather(*feeds, return_exceptions=True)
    internal = [c for c in (s3_channel, sqs_channel) if c is not None]
    for channel in [*channels.values(), iam_channel, *internal]:
        await channel.close()
    if provider is not None:
        provider.shutdown()


def main() -> None:
    uvloop.run(serve(GatewaySettings()))


if __name__ == "__main__":
    main()
