"""SQS operations: message move tasks (DLQ redrive). StartMessageMoveTask records a task; the
worker in mover.py, on whichever replica locks it, moves the messages.

Errors are AWS's as recorded against the real service (LocalStack's snapshot tests of these
operations, tests/aws/services/sqs/test_sqs_move_task.snapshot.json); the range messages of
MaxNumberOfMessagesPerSecond and MaxResults follow moto.
"""

from __future__ import annotations

from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, OperationTable, Output, UnaryHandler

from nimbus_sqs import move_tasks, queues
from nimbus_sqs.errors import invalid_parameter_value, missing_parameter
from nimbus_sqs.model import QueueRecord
from nimbus_sqs.move_tasks import FAILED, RUNNING, MoveTask
from nimbus_sqs.runtime import SqsRuntime

MAX_RATE = 500  # MaxNumberOfMessagesPerSecond, at most (API reference)
MAX_RESULTS = 10  # ListMessageMoveTasks returns up to the 10 most recent tasks


def resource_not_found(parameter: str) -> AwsError:
    return AwsError(
        "ResourceNotFoundException",
        f"The resource that you specified for the {parameter} parameter doesn't exist.",
        404,
    )


def task_does_not_exist() -> AwsError:
    return AwsError("ResourceNotFoundException", "Task does not exist.", 404)


def _arn(params: Input, name: str) -> str:
    """A queue ARN parameter, well formed (arn:partition:service:region:account:resource)."""
    value = params.get(name)
    if value is None or value == "":
        raise missing_parameter(name)
    parts = str(value).split(":")
    if len(parts) != 6 or parts[0] != "arn" or not all(parts[1:]):
        raise invalid_parameter_value(
            f"You must use this format to specify the {name}: "
            "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
        )
    return str(value)


def _bounded(params: Input, name: str, low: int, high: int, default: int | None) -> int | None:
    value: Any = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_parameter_value(
            f"Value {value} for parameter {name} is invalid."
            f" Reason: Must be between {low} and {high}."
        )
    return value


def entry(task: MoveTask) -> Output:
    """One ListMessageMoveTasksResultEntry: TaskHandle only while RUNNING, DestinationArn and
    the rate only when the task was started with them, FailureReason only when FAILED."""
    result: Output = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": task.started_ms,
    }
    if task.status == RUNNING:
        result["TaskHandle"] = task.handle
    if task.destination_arn is not None:
        result["DestinationArn"] = task.destination_arn
    if task.max_per_second is not None:
        result["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    if task.status == FAILED and task.failure_reason:
        result["FailureReason"] = task.failure_reason
    return result


def _handlers(runtime: SqsRuntime) -> dict[str, UnaryHandler]:
    pool = runtime.pool

    async def existing(arn: str, parameter: str) -> QueueRecord:
        queue = await queues.load_by_arn(pool, arn)
        if queue is None:
            raise resource_not_found(parameter)
        return queue

    async def start_message_move_task(ctx: RequestContext, params: Input) -> Output:
        source_arn = _arn(params, "SourceArn")
        rate = _bounded(params, "MaxNumberOfMessagesPerSecond", 1, MAX_RATE, None)
        source = await existing(source_arn, "SourceArn")
        if not await move_tasks.is_dead_letter_queue(pool, source.arn):
            raise invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.")
        destination = None
        if params.get("DestinationArn"):
            destination = await existing(_arn(params, "DestinationArn"), "DestinationArn")
            if destination.fifo != source.fifo:  # developer guide: both queues the same type
                raise invalid_parameter_value(
                    "The destination queue must be the same type as the source queue."
                )
        to_move = (await runtime.store.counts(source)).visible
        task = await move_tasks.create(pool, source, destination, rate, to_move)
        if task is None:
            raise invalid_parameter_value(
                "There is already a task running. Only one active task is allowed for a"
                " source queue arn at a given time."
            )
        return {"TaskHandle": task.handle}

    async def list_message_move_tasks(ctx: RequestContext, params: Input) -> Output:
        source_arn = _arn(params, "SourceArn")
        limit = _bounded(params, "MaxResults", 1, MAX_RESULTS, 1)
        assert limit is not None
        source = await existing(source_arn, "SourceArn")
        tasks = await move_tasks.recent(pool, source.queue_id, limit)
        return {"Results": [entry(task) for task in tasks]}

    async def cancel_message_move_task(ctx: RequestContext, params: Input) -> Output:
        handle = params.get("TaskHandle")
        if handle is None or handle == "":
            raise missing_parameter("TaskHandle")
        try:
            task_id, source_arn = move_tasks.decode_handle(handle)
        except ValueError:
            raise invalid_parameter_value("Value for parameter TaskHandle is invalid.") from None
        source = await queues.load_by_arn(pool, source_arn) if source_arn.count(":") == 5 else None
        if source is None:
            raise resource_not_found("SourceArn")
        moved = await move_tasks.request_cancel(pool, task_id, source.queue_id)
        if moved is None:  # unknown, or no longer RUNNING (only a running task cancels)
            raise task_does_not_exist()
        return {"ApproximateNumberOfMessagesMoved": moved}

    return {
        "StartMessageMoveTask": start_message_move_task,
        "ListMessageMoveTasks": list_message_move_tasks,
        "CancelMessageMoveTask": cancel_message_move_task,
    }


def table(runtime: SqsRuntime) -> OperationTable:
    return OperationTable(unary=_handlers(runtime))
