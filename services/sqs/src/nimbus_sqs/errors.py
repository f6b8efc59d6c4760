"""SQS's errors, raised under their shape names (the gateway maps them to the wire codes
AWS.SimpleQueueService.NonExistentQueue etc. for the query protocol and the JSON
x-amzn-query-error header).
"""

from __future__ import annotations

from nimbus_core.errors import AwsError


def queue_does_not_exist() -> AwsError:
    return AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400)


def invalid_parameter_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)


def invalid_attribute_value(name: str, detail: str = "") -> AwsError:
    message = f"Invalid value for the parameter {name}."
    return AwsError("InvalidAttributeValue", f"{message} {detail}".strip(), 400)


def invalid_attribute_name(name: str) -> AwsError:
    return AwsError("InvalidAttributeName", f"Unknown Attribute {name}.", 400)


def missing_parameter(name: str) -> AwsError:
    return AwsError("MissingParameter", f"The request must contain the parameter {name}.", 400)


def receipt_handle_invalid(handle: str) -> AwsError:
    return AwsError(
        "ReceiptHandleIsInvalid",
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
        404,
    )


def message_not_inflight() -> AwsError:
    return AwsError("MessageNotInflight", "The message referred to isn't in flight.", 400)


def unsupported_operation(message: str) -> AwsError:
    return AwsError("UnsupportedOperation", message, 400)
