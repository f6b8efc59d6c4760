"""Running one service replica: the same start-up and shutdown for every service.

Start: settings -> logging -> tracing -> database (created once) -> migrations (under a
lock) -> the service's on_start hook -> gRPC server -> outbox relay and background loops ->
health SERVING. SIGTERM: health NOT_SERVING, drain in-flight calls, stop loops, close pools.
Nothing that matters lives in memory, so any replica may be killed and any other serves its
callers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import grpc
from aiokafka import AIOKafkaProducer

from nimbus_core import admin, db, kafka, telemetry
from nimbus_core.grpc_server import GrpcServer
from nimbus_core.logs import configure_logging
from nimbus_core.migrations import Migration, apply_migrations, load_migrations
from nimbus_core.operations import SERVICE_NAME, OperationTable, register
from nimbus_core.relay import OutboxRelay
from nimbus_core.settings import CoreSettings
from nimbus_core.signals import install_stop_signals

log = logging.getLogger(__name__)


@dataclass
class Resources:
    """What a service's code is handed at start: created once, passed in, never global."""

    settings: CoreSettings
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    stop: asyncio.Event


BackgroundTask = Callable[[Resources], Coroutine[Any, Any, None]]
StartHook = Callable[[Resources], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one service different from another: its name, schema and operations."""

    name: str
    migrations: Sequence[Migration]
    build_operations: Callable[[Resources], OperationTable]
    # Extra gRPC services (typed internal RPCs): (full service name, registrar factory).
    extra_services: Sequence[
        tuple[str, Callable[[Resources], Callable[[grpc.aio.Server], None]]]
    ] = ()
    background: Sequence[BackgroundTask] = field(default_factory=tuple)
    # Runs once after the migrations and before serving (e.g. seed data); must be idempotent
    # and safe when every replica runs it at once. If it raises, the replica does not start.
    on_start: StartHook | None = None
    # Runs on Admin.Reset after the tables are emptied, before on_start runs again (e.g.
    # flush the service's Redis keys).
    on_reset: StartHook | None = None


async def run_service(spec: ServiceSpec, settings: CoreSettings) -> None:
    """Serve spec until SIGTERM."""
    configure_logging(
        settings.log_level, service=spec.name, replica=settings.replica, zone=settings.zone
    )
    provider = telemetry.configure_tracing(
        spec.name, settings.otel_exporter, settings.otel_endpoint, **{"nimbus.zone": settings.zone}
    )
    stop = asyncio.Event()
    install_stop_signals(stop)

    await db.ensure_database(settings.pg_dsn, settings.database)
    pool = await db.create_pool(settings.database_dsn, settings.pg_pool_min, settings.pg_pool_max)
    async with pool.acquire() as conn:
        await apply_migrations(conn, "core", load_migrations("nimbus_core.schema"))
        await apply_migrations(conn, spec.name, list(spec.migrations))

    producer = kafka.make_producer(settings.kafka_bootstrap, f"nimbus-{settings.instance}")
    resources = Resources(settings=settings, pool=pool, producer=producer, stop=stop)
    if spec.on_start is not None:
        await spec.on_start(resources)
    registrars = [register(spec.build_operations(resources)), _admin(spec, resources)]
    registrars += [factory(resources) for _, factory in spec.extra_services]
    server = GrpcServer(
        settings.grpc_host,
        settings.grpc_port,
        registrars,
        [SERVICE_NAME, admin.SERVICE_NAME, *(name for name, _ in spec.extra_services)],
        drain_seconds=settings.drain_seconds,
    )
    await server.start()
    await server.set_serving(True)
    log.info("serving", extra={"address": server.address, "database": settings.database})

    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(task(resources)) for task in spec.background
    ]
    if settings.outbox_relay_enabled:
        tasks.append(asyncio.create_task(_relay(resources)))
    await stop.wait()

    log.info("stopping: draining in-flight calls")
    await server.drain_and_stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    with contextlib.suppress(Exception):
        await producer.stop()
    await db.close_pool(pool)
    if provider is not None:
        provider.shutdown()


def _admin(spec: ServiceSpec, resources: Resources) -> Callable[[grpc.aio.Server], None]:
    """The Admin service: Reset empties the tables, then runs on_reset and on_start."""
    hooks = [functools.partial(hook, resources) for hook in (spec.on_reset, spec.on_start) if hook]
    servicer = admin.AdminServicer(
        resources.pool, allowed=resources.settings.allow_reset, hooks=hooks
    )
    return admin.register(servicer)


async def _relay(resources: Resources) -> None:
    """The in-process outbox relay; Kafka may come up after us, so it waits for it."""
    settings = resources.settings
    await kafka.start_with_retry(resources.producer, timeout=float("inf"))
    relay = OutboxRelay(
        resources.pool,
        resources.producer,
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
    )
    await relay.run(resources.stop)


def main(spec: ServiceSpec, settings: CoreSettings | None = None) -> None:
    """Entry point of a service's `python -m nimbus_<name>`."""
    asyncio.run(run_service(spec, settings or CoreSettings(service_name=spec.name)))
