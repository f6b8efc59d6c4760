"""OpenTelemetry: one trace per request, across gRPC, PostgreSQL and Kafka.

The exporter is chosen by configuration: none, console (dev) or OTLP (a collector).
Trace context crosses Kafka in message headers, written by the outbox and read by consumers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

_tracer = trace.get_tracer("nimbus")


def configure_tracing(
    service_name: str, exporter: str, endpoint: str, **attributes: str
) -> TracerProvider | None:
    """Install a tracer provider and instrument gRPC and asyncpg; None when tracing is off."""
    if exporter == "none":
        return None
    span_exporter: SpanExporter
    if exporter == "console":
        span_exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True)
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"nimbus-{service_name}", **attributes})
    )
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    instrument_libraries()
    return provider


def instrument_libraries() -> None:
    """Spans for gRPC (server and client) and asyncpg calls."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.grpc import (
        GrpcAioInstrumentorClient,
        GrpcAioInstrumentorServer,
    )

    GrpcAioInstrumentorServer().instrument()
    GrpcAioInstrumentorClient().instrument()
    AsyncPGInstrumentor().instrument()


def current_trace_headers() -> dict[str, str]:
    """The active trace context as W3C headers (empty without an active span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def consumer_span(name: str, headers: Mapping[str, str], consumer: str) -> Iterator[None]:
    """A consumer span that continues the trace carried in a Kafka message's headers."""
    context = propagate.extract(dict(headers))
    with _tracer.start_as_current_span(
        name,
        context=context,
        kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.consumer.group.name": consumer},
    ):
        yield
