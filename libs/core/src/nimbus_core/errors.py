"""The one AWS error type, and its translation to and from gRPC status.

A service raises AwsError; the server interceptor turns it into a gRPC status whose
trailing metadata carries the serialized AwsError; the client side turns it back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import grpc
from nimbus.common.v1 import common_pb2

ERROR_METADATA_KEY = "nimbus-aws-error-bin"

# HTTP status of an AWS error -> gRPC code that best describes it. UNAVAILABLE is kept
# for transport failures only, because clients retry idempotent calls on it.
_GRPC_CODE_BY_HTTP_STATUS: Mapping[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    412: grpc.StatusCode.FAILED_PRECONDITION,
    416: grpc.StatusCode.OUT_OF_RANGE,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.RESOURCE_EXHAUSTED,
}

# gRPC code of a failure that carried no AwsError (transport, crash) -> what AWS would say.
_AWS_ERROR_BY_GRPC_CODE: Mapping[grpc.StatusCode, tuple[str, int]] = {
    grpc.StatusCode.UNAVAILABLE: ("ServiceUnavailable", 503),
    grpc.StatusCode.DEADLINE_EXCEEDED: ("RequestTimeout", 503),
    grpc.StatusCode.RESOURCE_EXHAUSTED: ("SlowDown", 503),
    grpc.StatusCode.UNIMPLEMENTED: ("NotImplemented", 501),
    grpc.StatusCode.CANCELLED: ("RequestCanceled", 503),
}


class AwsError(Exception):
    """An error the AWS client sees: code, message, HTTP status and who is at fault."""

    def __init__(
        self,
        code: str,
        message: str,
        http_status: int = 400,
        *,
        sender_fault: bool | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.sender_fault = http_status < 500 if sender_fault is None else sender_fault
        self.extra: dict[str, Any] = dict(extra or {})

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, {self.http_status})"

    @property
    def grpc_code(self) -> grpc.StatusCode:
        """The gRPC status code this error travels under."""
        fallback = grpc.StatusCode.INTERNAL if self.http_status >= 500 else grpc.StatusCode.UNKNOWN
        return _GRPC_CODE_BY_HTTP_STATUS.get(self.http_status, fallback)

    def to_proto(self) -> common_pb2.AwsError:
        return common_pb2.AwsError(
            code=self.code,
            message=self.message,
            http_status=self.http_status,
            sender_fault=self.sender_fault,
            extra_json=json.dumps(self.extra).encode() if self.extra else b"",
        )

    @classmethod
    def from_proto(cls, message: common_pb2.AwsError) -> AwsError:
        extra = json.loads(message.extra_json) if message.extra_json else None
        return cls(
            message.code,
            message.message,
            message.http_status,
            sender_fault=message.sender_fault,
            extra=extra,
        )

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        """gRPC trailing metadata that carries this error across the hop."""
        return ((ERROR_METADATA_KEY, self.to_proto().SerializeToString()),)


def internal_error(
    message: str = "We encountered an internal error. Please try again.",
) -> AwsError:
    """AWS's generic server-side failure."""
    return AwsError("InternalError", message, 500, sender_fault=False)


def not_implemented(operation: str) -> AwsError:
    """What Nimbus answers for an operation it does not serve yet."""
    return AwsError(
        "NotImplemented",
        f"The operation {operation} is not implemented by Nimbus yet.",
        501,
        sender_fault=False,
    )


def error_from_rpc(code: grpc.StatusCode, trailing: Any) -> AwsError:
    """Rebuild the AwsError a service raised, or describe a transport failure as AWS would."""
    for key, value in trailing or ():
        if key == ERROR_METADATA_KEY and isinstance(value, bytes):
            return AwsError.from_proto(common_pb2.AwsError.FromString(value))
    aws_code, status = _AWS_ERROR_BY_GRPC_CODE.get(code, ("InternalError", 500))
    if status == 503:
        return AwsError(aws_code, "Service is unable to handle request.", 503, sender_fault=False)
    if status == 501:
        return AwsError(
            aws_code, "The requested operation is not implemented.", 501, sender_fault=False
        )
    return internal_error()


def error_from_aio_rpc(error: grpc.aio.AioRpcError) -> AwsError:
    """error_from_rpc for a failed grpc.aio call."""
    return error_from_rpc(error.code(), error.trailing_metadata())
