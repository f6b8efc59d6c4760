"""The rest-json protocol: JSON bodies, the error type in x-amzn-ErrorType."""

from __future__ import annotations

from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import loose_extras, message_member, modeled_extras
from nimbus_gateway.protocol.faults import malformed_body
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.jsonbody import JsonReader, dumps, encode, encode_structure, loads
from nimbus_gateway.protocol.models import OperationModel, Shape
from nimbus_gateway.protocol.rest import RestCodec, has_body_members, is_head
from nimbus_gateway.protocol.statuses import document_extras


class RestJsonCodec(RestCodec):
    def read_body(self, shape: Shape, request: HttpRequest, parsed: dict[str, Any]) -> str:
        handled, streamed = self.raw_payload(shape, request, parsed)
        if handled:
            return streamed
        payload = shape.serialization.get("payload")
        if not request.body.strip() or not (payload or has_body_members(shape)):
            return ""
        try:
            document = loads(request.body)
        except ValueError as exc:
            raise malformed_body(self.dialect, f"Could not parse the request: {exc}") from None
        reader = JsonReader(self.bad_value)
        if payload:
            member = shape.members[payload]
            parsed[payload] = reader.value(member, document, payload)
        else:
            parsed.update(reader.structure(shape, document, shape.name, body_only=True))
        return ""

    def payload_body(
        self, member: Shape, name: str, value: Any, headers: list[tuple[str, str]]
    ) -> bytes:
        self.add_content_type(headers, "application/json")
        return dumps(encode(member, value))

    def body(
        self,
        operation: OperationModel,
        shape: Shape,
        output: dict[str, Any],
        headers: list[tuple[str, str]],
    ) -> bytes:
        self.add_content_type(headers, "application/json")
        return dumps(encode_structure(shape, output, body_only=True))

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        identity = self.identify(error)
        status, headers = self.error_headers(error, identity.shape, request_id)
        headers.append(("x-amzn-ErrorType", identity.code))
        if is_head(operation):
            return HttpResponse(status, headers)
        document: dict[str, Any] = {message_member(identity.shape) or "message": error.message}
        extra = document_extras(error.extra)
        modeled = modeled_extras(identity.shape, extra)
        if identity.shape is not None and modeled:
            document.update(encode_structure(identity.shape, modeled, body_only=True))
        document.update(loose_extras(identity.shape, extra))
        headers.append(("Content-Type", "application/json"))
        return HttpResponse(status, headers, dumps(document))
