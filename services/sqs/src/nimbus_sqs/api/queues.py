"""SQS operations: queues. STUB: being written."""

from __future__ import annotations

from nimbus_core.operations import OperationTable

from nimbus_sqs.runtime import SqsRuntime


def table(runtime: SqsRuntime) -> OperationTable:
    return OperationTable()
