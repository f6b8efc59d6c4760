"""The rest-xml protocol (S3, Route 53): XML bodies, S3's and coral's error documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import fault_type, host_id, loose_extras, modeled_extras
from nimbus_gateway.protocol.faults import malformed_body
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.models import OperationModel, Shape
from nimbus_gateway.protocol.rest import RestCodec, has_body_members, is_head
from nimbus_gateway.protocol.statuses import BODYLESS_STATUSES, document_extras
from nimbus_gateway.protocol.xmlread import XmlReader, parse_document
from nimbus_gateway.protocol.xmlroots import xml_root
from nimbus_gateway.protocol.xmlwrite import (
    Interleaving,
    element,
    escape_text,
    loose_elements,
    namespace_attr,
    scalar_text,
    structure_body,
)

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Outputs whose document is a bare scalar root, which the model cannot say (botocore
# parses these with a hand-written handler too): <LocationConstraint>eu-west-1</...>.
_SCALAR_ROOT = {("s3", "GetBucketLocation")}

# Flattened lists S3 writes as one run of elements in listing order, which the model (one
# list after the other) cannot say: ListObjectVersions' <Version> and <DeleteMarker>, key
# ascending, newest first within a key. Only the service knows that order; it sends it in
# the reserved output key ORDER_KEY, one tag per entry naming the list whose next item comes
# next, e.g. {"Versions": [v1, v2], "DeleteMarkers": [d1], "__order": ["V", "D", "V"]}.
# Without the key the lists are written one after the other, as the model says. Like
# "__status" (protocol.statuses), the key is no member of any shape, so it is never written.
ORDER_KEY = "__order"
INTERLEAVED: Mapping[tuple[str, str], Mapping[str, str]] = {
    ("s3", "ListObjectVersions"): {"V": "Versions", "D": "DeleteMarkers"},
}


def interleaving(service: str, operation: str, output: Mapping[str, Any]) -> Interleaving | None:
    """How the output's interleaved lists are ordered, if the service said so."""
    tags = INTERLEAVED.get((service, operation))
    order = output.get(ORDER_KEY)
    if tags is None or not isinstance(order, list | str):
        return None
    return Interleaving(tags, [str(tag) for tag in order])


class RestXmlCodec(RestCodec):
    def read_body(self, shape: Shape, request: HttpRequest, parsed: dict[str, Any]) -> str:
        handled, streamed = self.raw_payload(shape, request, parsed)
        if handled:
            return streamed
        body = request.body
        if not body.strip():
            return ""
        payload = shape.serialization.get("payload")
        if not (payload or has_body_members(shape)):
            return ""  # nothing of the operation lives in the body
        try:
            root = parse_document(body)
        except ValueError as exc:
            raise malformed_body(self.dialect, str(exc)) from None
        reader = XmlReader(self.scalar)
        if payload:
            parsed[payload] = reader.value(shape.members[payload], root)
        else:
            parsed.update(reader.structure(shape, root, body_only=True))
        return ""

    def _root_namespace(self, shape: Shape) -> str:
        own = namespace_attr(shape.serialization.get("xmlNamespace"))
        return "" if own else namespace_attr(self.dialect.xml_namespace)

    def payload_body(
        self, member: Shape, name: str, value: Any, headers: list[tuple[str, str]]
    ) -> bytes:
        out = [_XML_DECLARATION]
        root = str(member.serialization.get("name", name))
        element(out, member, value, root, self._root_namespace(member))
        self.add_content_type(headers, "application/xml")
        return "".join(out).encode("utf-8")

    def body(
        self,
        operation: OperationModel,
        shape: Shape,
        output: dict[str, Any],
        headers: list[tuple[str, str]],
    ) -> bytes:
        namespace = namespace_attr(self.dialect.xml_namespace)
        self.add_content_type(headers, "application/xml")
        if (self.dialect.service, operation.name) in _SCALAR_ROOT:
            name, member = next(iter(shape.members.items()))
            value = output.get(name)
            text = "" if value is None else escape_text(scalar_text(member, value))
            return f"{_XML_DECLARATION}<{name}{namespace}>{text}</{name}>".encode()
        root = xml_root(
            self.dialect.service,
            operation.name,
            str(shape.serialization.get("name", shape.name)),
        )
        out = [_XML_DECLARATION, f"<{root}{namespace}>"]
        order = interleaving(self.dialect.service, operation.name, output)
        structure_body(out, shape, output, body_only=True, interleaving=order)
        out.append(f"</{root}>")
        return "".join(out).encode("utf-8")

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        identity = self.identify(error)
        status, headers = self.error_headers(error, identity.shape, request_id)
        if is_head(operation) or status in BODYLESS_STATUSES:
            return HttpResponse(status, headers)
        details: list[str] = []
        extra = document_extras(error.extra)
        modeled = modeled_extras(identity.shape, extra)
        if identity.shape is not None and modeled:
            structure_body(details, identity.shape, modeled, body_only=True)
        loose_elements(details, loose_extras(identity.shape, extra))
        code, message = escape_text(identity.code), escape_text(error.message)
        rid = escape_text(request_id)
        if self.dialect.s3:
            body = (
                f"{_XML_DECLARATION}<Error><Code>{code}</Code><Message>{message}</Message>"
                f"{''.join(details)}<RequestId>{rid}</RequestId>"
                f"<HostId>{host_id(request_id)}</HostId></Error>"
            )
        else:
            body = (
                f"{_XML_DECLARATION}<ErrorResponse{namespace_attr(self.dialect.xml_namespace)}>"
                f"<Error><Type>{fault_type(error)}</Type><Code>{code}</Code>"
                f"<Message>{message}</Message>{''.join(details)}</Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>"
            )
        headers.append(("Content-Type", "application/xml"))
        return HttpResponse(status, headers, body.encode("utf-8"))
