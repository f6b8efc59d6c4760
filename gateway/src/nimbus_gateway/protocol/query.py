"""The query and ec2 protocols: form-encoded Action requests, XML responses.

query: lists as Name.member.N (or Name.N when flattened, renamed after the member),
maps as Name.entry.N.key/value, results inside <ActionResult> and <ResponseMetadata>.
ec2: names are queryName or the capitalised locationName, lists are Name.N, the response
root carries <requestId> and errors come as <Response><Errors><Error>..<RequestID>.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import (
    Codec,
    fault_type,
    loose_extras,
    modeled_extras,
)
from nimbus_gateway.protocol.errorshapes import query_error_status
from nimbus_gateway.protocol.faults import malformed_body, unknown_operation
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.models import OperationModel, Shape
from nimbus_gateway.protocol.xmlwrite import (
    escape_text,
    loose_elements,
    namespace_attr,
    structure_body,
)

_FORM = "application/x-www-form-urlencoded"


class _Node:
    """One dotted segment of the flattened parameters (Tags.member.1.Key)."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}

    def indexed(self) -> list[_Node]:
        """The children named 1, 2, ... in numeric order (gaps are tolerated)."""
        numbered = [
            (int(key), child)
            for key, child in self.children.items()
            if key.isascii() and key.isdigit()
        ]
        return [child for _, child in sorted(numbered, key=lambda pair: pair[0])]


class QueryCodec(Codec):
    """Both form-encoded protocols; `ec2` switches on EC2's naming and envelopes."""

    @property
    def _ec2(self) -> bool:
        return self.dialect.protocol == "ec2"

    # -- requests -----------------------------------------------------------------------

    def _params(self, request: HttpRequest) -> list[tuple[str, str]]:
        try:
            pairs = parse_qsl(request.query, keep_blank_values=True, errors="strict")
            content_type = request.headers.get("content-type", "").lower()
            if request.body and (_FORM in content_type or not content_type):
                body = request.body.decode("utf-8")
                pairs += parse_qsl(body, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            raise malformed_body(
                self.dialect, f"The request is not valid form data: {exc}"
            ) from None
        return pairs

    def find_operation(self, request: HttpRequest) -> OperationModel:
        action = ""
        for key, value in self._params(request):
            if key == "Action":
                action = value
        if action not in self.operation_names:
            raise unknown_operation(self.dialect, action)
        return self.model.operation_model(action)

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        root = _Node()
        for key, value in self._params(request):
            node = root
            for part in key.split("."):
                child = node.children.get(part)
                if child is None:
                    child = node.children[part] = _Node()
                node = child
            node.value = value
        parsed = self._structure(shape, root)
        self.validate(shape, parsed)
        return parsed

    def wire_name(self, member: Shape, member_name: str) -> str:
        serialization = member.serialization
        if not self._ec2:
            return str(serialization.get("name", member_name))
        if "queryName" in serialization:
            return str(serialization["queryName"])
        name = serialization.get("name")
        return str(name[0].upper() + name[1:]) if name else member_name

    def _member_key(self, member: Shape, member_name: str) -> str:
        if (
            not self._ec2
            and member.type_name == "list"
            and member.serialization.get("flattened")
            and member.member.serialization.get("name")
        ):
            return str(member.member.serialization["name"])
        return self.wire_name(member, member_name)

    def _structure(self, shape: Shape, node: _Node) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for member_name, member in shape.members.items():
            key = self._member_key(member, member_name)
            child = node.children.get(key)
            if child is not None:
                parsed[member_name] = self._value(member, child, key)
            elif key != (wire := self.wire_name(member, member_name)):
                # An empty flattened list goes by the member's own name: AWSAccountIds= (SQS).
                empty = node.children.get(wire)
                if empty is not None and empty.value == "" and not empty.children:
                    parsed[member_name] = []
        return parsed

    def _value(self, shape: Shape, node: _Node, key: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, node)
        if kind == "list":
            member = shape.member
            items = node
            if not (self._ec2 or shape.serialization.get("flattened")):
                found = node.children.get(str(member.serialization.get("name", "member")))
                if found is None:
                    return []  # Name= : the query protocol's empty list
                items = found
            return [self._value(member, child, key) for child in items.indexed()]
        if kind == "map":
            return self._map(shape, node, key)
        if node.value is None:
            raise self.bad_value(key, "", kind)
        return self.scalar(shape, key, node.value)

    def _map(self, shape: Shape, node: _Node, key: str) -> dict[Any, Any]:
        key_shape = shape.key
        value_shape = shape.value
        key_name = str(key_shape.serialization.get("name") or "key")
        value_name = str(value_shape.serialization.get("name") or "value")
        entries = node if shape.serialization.get("flattened") else node.children.get("entry")
        parsed: dict[Any, Any] = {}
        for entry in entries.indexed() if entries is not None else []:
            key_node = entry.children.get(key_name)
            if key_node is None or key_node.value is None:
                continue
            map_key = self.scalar(key_shape, key, key_node.value)
            value_node = entry.children.get(value_name)
            if value_node is not None:
                parsed[map_key] = self._value(value_shape, value_node, key)
            elif value_shape.type_name == "structure":
                parsed[map_key] = {}
        return parsed

    # -- responses ----------------------------------------------------------------------

    def _headers(self, request_id: str) -> list[tuple[str, str]]:
        content_type = "text/xml;charset=UTF-8" if self._ec2 else "text/xml"
        return [("x-amzn-RequestId", request_id), ("Content-Type", content_type)]

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> HttpResponse:
        root = f"{operation.name}Response"
        out = [f"<{root}{namespace_attr(self.dialect.xml_namespace)}>"]
        shape = operation.output_shape
        rid = escape_text(request_id)
        if self._ec2:
            out.append(f"<requestId>{rid}</requestId>")
            if shape is not None:
                structure_body(out, shape, output)
        else:
            if shape is not None:
                wrapper = shape.serialization.get("resultWrapper")
                if wrapper:
                    out.append(f"<{wrapper}>")
                structure_body(out, shape, output)
                if wrapper:
                    out.append(f"</{wrapper}>")
            out.append(f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata>")
        out.append(f"</{root}>")
        return HttpResponse(200, self._headers(request_id), "".join(out).encode("utf-8"))

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        identity = self.identify(error)
        code = escape_text(identity.code)
        message = escape_text(error.message)
        details: list[str] = []
        modeled = modeled_extras(identity.shape, error.extra)
        if identity.shape is not None and modeled:
            structure_body(details, identity.shape, modeled)
        loose_elements(details, loose_extras(identity.shape, error.extra))
        rid = escape_text(request_id)
        if self._ec2:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                f"<Code>{code}</Code><Message>{message}</Message>{''.join(details)}"
                f"</Error></Errors><RequestID>{rid}</RequestID></Response>"
            )
        else:
            if self.dialect.query_compatible:
                details.append("<Detail/>")  # SQS always sends an empty one
            body = (
                f"<ErrorResponse{namespace_attr(self.dialect.xml_namespace)}><Error>"
                f"<Type>{fault_type(error)}</Type><Code>{code}</Code>"
                f"<Message>{message}</Message>{''.join(details)}</Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>"
            )
        # A query-compatible service's modeled errors have their query HTTP status (SQS).
        status = query_error_status(self.dialect.service, identity.type_name) or error.http_status
        return HttpResponse(status, self._headers(request_id), body.encode("utf-8"))
