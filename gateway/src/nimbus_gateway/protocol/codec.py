"""What every protocol codec provides, and the helpers they share."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from base64 import b64encode
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.dialect import Dialect
from nimbus_gateway.protocol.errorshapes import ErrorIdentity, identify
from nimbus_gateway.protocol.faults import invalid_value, validation_failed
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.models import OperationModel, ServiceModel, Shape
from nimbus_gateway.protocol.statuses import HEADER_PREFIX
from nimbus_gateway.protocol.validate import find_violations
from nimbus_gateway.protocol.values import from_text

_EXPECTED = {
    "integer": "integer",
    "long": "long",
    "float": "float",
    "double": "double",
    "boolean": "boolean",
    "blob": "base64-encoded binary",
    "timestamp": "timestamp",
}


class Codec(ABC):
    """One protocol's reading of requests and writing of responses."""

    def __init__(self, model: ServiceModel, dialect: Dialect) -> None:
        self.model = model
        self.dialect = dialect
        self.operation_names = frozenset(model.operation_names)

    @abstractmethod
    def find_operation(self, request: HttpRequest) -> OperationModel: ...

    @abstractmethod
    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]: ...

    @abstractmethod
    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> HttpResponse: ...

    @abstractmethod
    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse: ...

    def wire_name(self, member: Shape, member_name: str) -> str:
        """How a member is named on the wire (for error messages)."""
        return str(member.serialization.get("name", member_name))

    def scalar(self, shape: Shape, wire_name: str, text: str) -> Any:
        """A scalar from text, or the protocol's error for a bad value."""
        try:
            return from_text(shape.type_name, text)
        except ValueError:
            expected = _EXPECTED.get(shape.type_name, shape.type_name)
            raise invalid_value(self.dialect, wire_name, text, expected) from None

    def bad_value(self, wire_name: str, value: Any, kind: str) -> AwsError:
        return invalid_value(self.dialect, wire_name, value, _EXPECTED.get(kind, kind))

    def validate(
        self, shape: Shape, parsed: dict[str, Any], exempt: frozenset[str] = frozenset()
    ) -> None:
        violations = find_violations(
            shape,
            parsed,
            constraints=self.dialect.coral_validation,
            wire_name=self.wire_name,
            exempt=exempt,
        )
        if violations:
            raise validation_failed(self.dialect, violations)

    def identify(self, error: AwsError) -> ErrorIdentity:
        return identify(self.model, self.dialect.service, error.code)


def host_id(request_id: str) -> str:
    """S3's x-amz-id-2: an opaque token, stable per request id."""
    return b64encode(hashlib.sha256(request_id.encode()).digest() * 2).decode()


def fault_type(error: AwsError) -> str:
    return "Sender" if error.sender_fault else "Receiver"


def message_member(shape: Shape | None) -> str | None:
    """The member of an error shape that carries its message (message or Message)."""
    if shape is None:
        return None
    for name in shape.members:
        if name.lower() == "message":
            return str(name)
    return None


def modeled_extras(shape: Shape | None, extra: dict[str, Any]) -> dict[str, Any]:
    """error.extra members the error shape models (its message member excluded)."""
    if shape is None:
        return {}
    members = shape.members
    return {
        key: value
        for key, value in extra.items()
        if key in members and key.lower() != "message" and value is not None
    }


def loose_extras(shape: Shape | None, extra: dict[str, Any]) -> dict[str, Any]:
    """error.extra entries the error shape does not model (S3's BucketName, Key...), but for
    the "header:<name>" ones, which travel as headers (protocol.statuses)."""
    members = shape.members if shape is not None else {}
    reserved = {"code", "message", "type", "requestid", "hostid"}
    return {
        key: value
        for key, value in extra.items()
        if key not in members
        and key.lower() not in reserved
        and not key.startswith(HEADER_PREFIX)
        and value is not None
    }
