"""What the sqs service is to the runtime: its schema, operations and background loops."""

from __future__ import annotations

from nimbus_core.migrations import load_migrations
from nimbus_core.operations import OperationTable, UnaryHandler
from nimbus_core.runtime import Resources, ServiceSpec

from nimbus_sqs import internal_api, mover, retention
from nimbus_sqs.api import messages, move_tasks, queues
from nimbus_sqs.runtime import build_runtime

API_MODULES = (queues, messages, move_tasks)


def build_operations(resources: Resources) -> OperationTable:
    """Every API module's handlers in one table; an operation belongs to one module only."""
    runtime = build_runtime(resources)
    unary: dict[str, UnaryHandler] = {}
    for module in API_MODULES:
        part = module.table(runtime)
        clash = unary.keys() & part.unary.keys()
        if clash:
            raise RuntimeError(f"operations served twice: {sorted(clash)}")
        unary.update(part.unary)
    return OperationTable(unary=unary)


SPEC = ServiceSpec(
    name="sqs",
    migrations=load_migrations("nimbus_sqs.migrations"),
    build_operations=build_operations,
    extra_services=[(internal_api.SERVICE_NAME, internal_api.registrar)],
    background=(retention.reconcile_forever, mover.run_forever),
    on_reset=retention.reset,
)
