"""One trace crosses the outbox and Kafka: the consumer's span continues the writer's trace."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from nimbus_core import kafka
from nimbus_core.consumer import IdempotentConsumer
from nimbus_core.events import Event, new_event
from nimbus_core.outbox import add_event
from nimbus_core.relay import OutboxRelay
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

pytestmark = pytest.mark.infra


async def test_consumer_span_continues_the_trace_of_the_request_that_wrote_the_event(
    core_pool: asyncpg.Pool, kafka_bootstrap: str, unique_topic: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    event = new_event(
        source="test.trace",
        detail_type="Traced",
        account="000000000000",
        region="us-east-1",
        detail={},
    )

    # The global provider is set once per process; only the propagation API reads it here.
    trace.set_tracer_provider(provider)
    with tracer.start_as_current_span("PutObject") as request_span:
        async with core_pool.acquire() as conn, conn.transaction():
            await add_event(conn, unique_topic, event)
    producer = kafka.make_producer(kafka_bootstrap, "trace-relay")
    await producer.start()
    try:
        await OutboxRelay(core_pool, producer).drain()
    finally:
        await producer.stop()

    seen: list[str] = []

    async def record(received: Event, conn: asyncpg.Connection) -> None:
        seen.append(received.id)

    source = kafka.make_consumer(kafka_bootstrap, f"g-{uuid.uuid4().hex[:8]}", [unique_topic], "t")
    await source.start()
    stop = asyncio.Event()
    consumer = IdempotentConsumer(name="tracer", consumer=source, pool=core_pool, handler=record)
    task = asyncio.create_task(consumer.run(stop))
    try:
        for _ in range(300):
            if seen:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        await source.stop()

    assert seen == [event.id]
    spans = {s.name: s for s in exporter.get_finished_spans()}
    consumed = spans[f"{unique_topic} process"]
    assert consumed.context.trace_id == request_span.get_span_context().trace_id
    assert consumed.kind == trace.SpanKind.CONSUMER
