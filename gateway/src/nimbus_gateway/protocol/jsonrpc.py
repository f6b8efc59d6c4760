"""The json protocol (awsJson1_0/1_1): X-Amz-Target names the operation, bodies are JSON.

Errors carry {"__type": ..., "message": ...}; an awsQueryCompatible service (SQS) also
sends its old query error code as `x-amzn-query-error: Code;Sender|Receiver`.
"""

from __future__ import annotations

from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import (
    Codec,
    fault_type,
    loose_extras,
    message_member,
    modeled_extras,
)
from nimbus_gateway.protocol.faults import malformed_body, unknown_operation
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.jsonbody import JsonReader, dumps, encode_structure, loads
from nimbus_gateway.protocol.models import OperationModel


class JsonCodec(Codec):
    @property
    def _content_type(self) -> str:
        return f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"

    def find_operation(self, request: HttpRequest) -> OperationModel:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        if prefix != self.model.metadata.get("targetPrefix") or (name not in self.operation_names):
            raise unknown_operation(self.dialect, name)
        return self.model.operation_model(name)

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        document: Any = {}
        if request.body.strip():
            try:
                document = loads(request.body)
            except ValueError as exc:
                raise malformed_body(self.dialect, f"Could not parse the request: {exc}") from None
        reader = JsonReader(self.bad_value)
        parsed = reader.structure(shape, document, shape.name)
        self.validate(shape, parsed)
        return parsed

    def _headers(self, request_id: str) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", request_id), ("Content-Type", self._content_type)]

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> HttpResponse:
        shape = operation.output_shape
        document = encode_structure(shape, output) if shape is not None else {}
        return HttpResponse(200, self._headers(request_id), dumps(document))

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        identity = self.identify(error)
        headers = self._headers(request_id)
        type_name = identity.type_name
        if identity.shape is not None:
            type_name = f"com.amazonaws.{self.dialect.service}#{type_name}"
        document: dict[str, Any] = {"__type": type_name}
        document[message_member(identity.shape) or "message"] = error.message
        modeled = modeled_extras(identity.shape, error.extra)
        if identity.shape is not None and modeled:
            document.update(encode_structure(identity.shape, modeled))
        document.update(loose_extras(identity.shape, error.extra))
        if self.dialect.query_compatible:
            headers.append(("x-amzn-query-error", f"{identity.code};{fault_type(error)}"))
        return HttpResponse(error.http_status, headers, dumps(document))
