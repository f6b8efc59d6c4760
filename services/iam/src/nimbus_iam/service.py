"""What the iam service is to the runtime: its schema and its operations."""

from nimbus_core.migrations import load_migrations
from nimbus_core.operations import OperationTable
from nimbus_core.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="iam",
    migrations=load_migrations("nimbus_iam.migrations"),
    # No AWS operation is served yet: every one answers NotImplemented.
    build_operations=lambda resources: OperationTable(),
)
