"""What the s3 service is to the runtime: its schema and its operations."""

from nimbus_core.migrations import load_migrations
from nimbus_core.operations import OperationTable
from nimbus_core.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="s3",
    migrations=load_migrations("nimbus_s3.migrations"),
    # No AWS operation is served yet: every one answers NotImplemented.
    build_operations=lambda resources: OperationTable(),
)
