"""What rest-xml and rest-json share: routing, and members bound to the URI, the query
string, headers, the host prefix and the status code. Bodies are left to the subclasses.

The raw path is split on "/" before anything is decoded, and every label is decoded exactly
once, so S3 keys keep "//", trailing slashes, "%2F", "+" and any Unicode.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, unquote

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import Codec, host_id
from nimbus_gateway.protocol.faults import (
    invalid_uri,
    missing_body,
    unknown_operation,
)
from nimbus_gateway.protocol.headers import header_safe, header_text, read_header
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.models import OperationModel, Shape
from nimbus_gateway.protocol.routing import Router
from nimbus_gateway.protocol.statuses import (
    BODYLESS_STATUSES,
    error_header_pairs,
    success_status,
)
from nimbus_gateway.protocol.values import to_bytes


class RestCodec(Codec):
    """Routing and the located members of rest-xml and rest-json."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.router = Router(self.model)

    # -- requests -----------------------------------------------------------------------

    def find_operation(self, request: HttpRequest) -> OperationModel:
        method = request.method.upper()
        matches = self.router.candidates(method, request.path, request.query, request.headers)
        if not matches:
            raise unknown_operation(self.dialect, "", method, request.path)
        return matches[0].route.operation

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        if is_aws_chunked(request):
            request = self._unchunked(request)
        route = self.router.route_for(operation)
        matched = route.match_path(request.path)
        if matched is None:
            raise unknown_operation(self.dialect, "", request.method.upper(), request.path)
        shape = operation.input_shape
        if shape is None:
            return {}
        raw_labels = dict(zip(route.labels, matched[1], strict=True))
        try:
            labels = {name: unquote(raw, errors="strict") for name, raw in raw_labels.items()}
            pairs = parse_qsl(request.query, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            raise invalid_uri(self.dialect, str(exc)) from None
        parsed: dict[str, Any] = {}
        claimed = {key for key, _ in route.literals} | {"x-id"}
        for name, member in shape.members.items():
            serialization = member.serialization
            location = serialization.get("location")
            wire = str(serialization.get("name", name))
            if location == "uri" and wire in labels:
                parsed[name] = self._text_value(member, wire, labels[wire])
            elif location == "querystring" and member.type_name != "map":
                claimed.add(wire)
                self._query_member(parsed, name, member, wire, pairs)
            elif location == "header":
                self._header_member(parsed, name, member, wire, request)
            elif location == "headers":
                self._prefixed_headers(parsed, name, wire, request)
        for name, member in shape.members.items():
            if member.serialization.get("location") == "querystring" and member.type_name == "map":
                self._query_map(parsed, name, member, pairs, claimed)
        self._host_labels(parsed, operation, request)
        streamed = self.read_body(shape, request, parsed)
        self.validate(shape, parsed, exempt=frozenset([streamed]) if streamed else frozenset())
        return parsed

    @staticmethod
    def _unchunked(request: HttpRequest) -> HttpRequest:
        """The headers of an aws-chunked upload as if it had been sent plainly.

        The gateway's SigV4 layer removes the framing (and checks chunk signatures) before
        parse(); what is left is the payload's own Content-Encoding and Content-Length.
        Trailing checksums count only if the gateway copied them into the headers.
        """
        headers = request.headers.copy()
        codings = [
            coding.strip()
            for header in headers.popall("content-encoding", [])
            for coding in header.split(",")
            if coding.strip() and coding.strip().lower() != "aws-chunked"
        ]
        if codings:
            headers["Content-Encoding"] = ",".join(codings)
        length = headers.get("x-amz-decoded-content-length")
        if length is not None:
            headers["Content-Length"] = length
        return replace(request, headers=headers)

    def _text_value(self, member: Shape, wire: str, text: str) -> Any:
        return text if member.type_name == "string" else self.scalar(member, wire, text)

    def _query_member(
        self,
        parsed: dict[str, Any],
        name: str,
        member: Shape,
        wire: str,
        pairs: list[tuple[str, str]],
    ) -> None:
        values = [value for key, value in pairs if key == wire]
        if not values:
            return
        if member.type_name == "list":
            item = member.member
            parsed[name] = [self._text_value(item, wire, value) for value in values]
        else:
            parsed[name] = self._text_value(member, wire, values[0])

    def _query_map(
        self,
        parsed: dict[str, Any],
        name: str,
        member: Shape,
        pairs: list[tuple[str, str]],
        claimed: set[str],
    ) -> None:
        value_shape = member.value
        collected: dict[str, Any] = {}
        for key, value in pairs:
            if key in claimed:
                continue
            if value_shape.type_name == "list":
                item = value_shape.member
                collected.setdefault(key, []).append(self._text_value(item, key, value))
            else:
                collected.setdefault(key, self._text_value(value_shape, key, value))
        if collected:
            parsed[name] = collected

    def _header_member(
        self, parsed: dict[str, Any], name: str, member: Shape, wire: str, request: HttpRequest
    ) -> None:
        values = request.headers.getall(wire, [])
        if values:
            text = ",".join(value.strip() for value in values)
            parsed[name] = read_header(member, wire, text, self._text_value, self.bad_value)

    def _prefixed_headers(
        self, parsed: dict[str, Any], name: str, prefix: str, request: HttpRequest
    ) -> None:
        lowered = prefix.lower()
        collected: dict[str, str] = {}
        for key, value in request.headers.items():
            if key.lower().startswith(lowered) and len(key) > len(prefix):
                suffix = key[len(prefix) :].lower()
                previous = collected.get(suffix)
                collected[suffix] = value.strip() if previous is None else f"{previous},{value}"
        if collected:
            parsed[name] = collected

    def _host_labels(
        self, parsed: dict[str, Any], operation: OperationModel, request: HttpRequest
    ) -> None:
        endpoint = operation.endpoint or {}
        template = endpoint.get("hostPrefix")
        if not template or operation.input_shape is None:
            return
        names: list[str] = []
        pattern = ""
        for index, part in enumerate(re.split(r"\{([^}]+)\}", template)):
            if index % 2:
                names.append(part)
                pattern += "([A-Za-z0-9-]+)"
            else:
                pattern += re.escape(part)
        found = re.match(pattern, request.host)
        if found is None:
            return
        members = operation.input_shape.members
        for label, value in zip(names, found.groups(), strict=True):
            if label in members:
                parsed[label] = value

    @abstractmethod
    def read_body(self, shape: Shape, request: HttpRequest, parsed: dict[str, Any]) -> str:
        """Fill parsed from the body; returns the payload member left to stream, or ""."""

    def raw_payload(
        self, shape: Shape, request: HttpRequest, parsed: dict[str, Any]
    ) -> tuple[bool, str]:
        """A blob/string payload straight from the body: (handled, streamed member)."""
        payload = shape.serialization.get("payload")
        if not payload:
            return False, ""
        member = shape.members[payload]
        if member.type_name not in ("blob", "string"):
            if not request.body.strip() and payload in shape.required_members:
                raise missing_body(self.dialect)
            return False, ""
        if request.body_streamed:
            return True, payload
        if member.type_name == "blob":
            parsed[payload] = request.body
        else:
            try:
                parsed[payload] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise self.bad_value(payload, "<binary>", "UTF-8 text") from None
        return True, ""

    # -- responses ----------------------------------------------------------------------

    def id_headers(self, request_id: str) -> list[tuple[str, str]]:
        if self.dialect.s3:
            return [("x-amz-request-id", request_id), ("x-amz-id-2", host_id(request_id))]
        return [("x-amzn-RequestId", request_id)]

    def located(
        self, shape: Shape, output: dict[str, Any], headers: list[tuple[str, str]], status: int
    ) -> int:
        """Write header, prefixed-header and status-code members; returns the status."""
        for name, member in shape.members.items():
            value = output.get(name)
            if value is None:
                continue
            location = member.serialization.get("location")
            wire = str(member.serialization.get("name", name))
            if location == "header":
                if member.type_name == "list" and not value:
                    continue
                headers.append((wire, header_text(member, value)))
            elif location == "headers":
                for key, item in value.items():
                    if item is not None:
                        headers.append((f"{wire}{key}", header_safe(str(item))))
            elif location == "statusCode":
                status = int(value)
        return status

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> HttpResponse:
        headers = self.id_headers(request_id)
        status = success_status(
            self.dialect.service,
            operation.name,
            output,
            int(operation.http.get("responseCode", 200)),
        )
        shape = operation.output_shape
        response = HttpResponse(status, headers)
        if shape is None:
            return response
        response.status = self.located(shape, output, headers, status)
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            value = output.get(payload)
            if member.serialization.get("eventstream"):
                raise TypeError(f"{operation.name} streams events, which Nimbus does not serve")
            if member.type_name in ("blob", "string"):
                if isinstance(value, AsyncIterator):
                    response.stream = value
                elif value is not None:
                    response.body = to_bytes(value)
            elif value is not None:
                response.body = self.payload_body(member, payload, value, headers)
        elif has_body_members(shape):
            response.body = self.body(operation, shape, output, headers)
        if is_head(operation) or response.status in BODYLESS_STATUSES:
            response.body, response.stream = b"", None
        return response

    @abstractmethod
    def payload_body(
        self, member: Shape, name: str, value: Any, headers: list[tuple[str, str]]
    ) -> bytes:
        """A structure payload's document; adds its Content-Type unless one is set."""

    @abstractmethod
    def body(
        self,
        operation: OperationModel,
        shape: Shape,
        output: dict[str, Any],
        headers: list[tuple[str, str]],
    ) -> bytes:
        """The document of the output's body members; adds its Content-Type."""

    @staticmethod
    def add_content_type(headers: list[tuple[str, str]], content_type: str) -> None:
        if not any(key.lower() == "content-type" for key, _ in headers):
            headers.append(("Content-Type", content_type))

    def error_headers(
        self, error: AwsError, shape: Shape | None, request_id: str
    ) -> tuple[int, list[tuple[str, str]]]:
        """Status and headers of an error: the error shape's header members, and the extras
        named "header:<name>" (see protocol.statuses)."""
        headers = self.id_headers(request_id)
        for name, value in error_header_pairs(error.extra):
            headers.append((name, header_safe(value)))
        status = error.http_status
        if shape is not None:
            located = {
                key: value
                for key, value in error.extra.items()
                if key in shape.members and shape.members[key].serialization.get("location")
            }
            status = self.located(shape, located, headers, status)
        return status, headers


def has_body_members(shape: Shape) -> bool:
    """Some member of the structure lives in the body (not in the URI, headers, host...)."""
    return any(
        not (member.serialization.get("location") or member.serialization.get("hostLabel"))
        for member in shape.members.values()
    )


def is_aws_chunked(request: HttpRequest) -> bool:
    """An aws-chunked upload: said by Content-Encoding or by a STREAMING-* payload hash."""
    if "aws-chunked" in request.headers.get("content-encoding", "").lower():
        return True
    return request.headers.get("x-amz-content-sha256", "").upper().startswith("STREAMING-")


def is_head(operation: OperationModel | None) -> bool:
    return operation is not None and str(operation.http.get("method", "")).upper() == "HEAD"
