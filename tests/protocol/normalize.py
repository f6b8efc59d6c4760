"""The explicit normaliser: what each protocol's wire legitimately loses, and nothing else.

Every rule below is a property of the protocol (or of HTTP), not of our engine:

Timestamps
  T1  rfc822 carries whole seconds; so does every timestamp in a header (botocore converts
      header timestamps to epoch seconds before formatting them).
  T2  responses carry milliseconds (AWS's precision); requests keep microseconds.
query / ec2 (form encoding)
  Q1  a structure or map with nothing in it sends no parameter, so it is absent.
  Q2  list elements that send nothing are absent; a non-empty list of such elements is absent.
  Q3  query sends an empty list as `Name=` (kept); ec2 sends nothing (absent).
  Q4  a map entry whose structure value is empty still sends its key: the value is {}.
XML bodies (rest-xml, and query/ec2 responses)
  X1  an empty flattened list or map has no element at all, so it is absent.
  X2  members sharing one element (S3's deprecated Event and its list Events) read the same
      elements: the list all of them, the scalar the first.
rest locations
  R1  empty header lists, query-string lists and maps and header maps are not sent.
  R2  header-map (x-amz-meta-*) keys are case-insensitive on the wire: they read lower case.
  R3  HTTP owns Content-Length (the real body length) and a client may add Content-Type;
      members bound to those headers read what the request carries.
  R4  a blob/string payload left out is an empty body (b"" / ""); a streamed one is not
      parsed at all (the gateway streams it to the service).
  R5  rest-json sends a structure payload left out as `{}`: it reads as {}.
botocore's response parser
  B1  a prefixed-header map (x-amz-meta-*) is always present, {} when empty.
  B2  a structure payload left out parses as {}; a statusCode member is the HTTP status.
  B3  S3 GetBucketLocation is read by botocore's handler: an empty <LocationConstraint/>
      (us-east-1) is None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.model import OperationModel, Shape
from nimbus_gateway.protocol import HttpRequest

from tests.protocol.strategies import aliases

_ABSENT: Any = object()


def _timestamp(value: datetime, shape: Shape, *, header: bool, output: bool) -> datetime:
    fmt = shape.serialization.get("timestampFormat", "rfc822" if header else "")
    if (header and not output) or fmt == "rfc822":
        return value.replace(microsecond=0)  # T1
    if output:
        return value.replace(microsecond=value.microsecond // 1000 * 1000)  # T2
    return value


class _Walker:
    def __init__(self, protocol: str, *, output: bool) -> None:
        self.protocol = protocol
        self.output = output
        self.form = protocol in ("query", "ec2") and not output
        self.xml = protocol == "rest-xml" or (output and protocol in ("query", "ec2"))

    def value(self, shape: Shape, value: Any, *, header: bool = False) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return value
            result = {}
            for name, item in value.items():
                normalised = self.value(shape.members[name], item)
                if normalised is not _ABSENT:
                    result[name] = normalised
            if self.xml:
                self._aliases(shape, result)
            return _ABSENT if self.form and not result else result  # Q1
        if kind == "list":
            flattened = bool(shape.serialization.get("flattened"))
            items = [self.value(shape.member, item, header=header) for item in value]
            kept = [item for item in items if item is not _ABSENT]  # Q2
            if self.form:
                if value and not kept:
                    return _ABSENT
                if not value and self.protocol == "ec2":
                    return _ABSENT  # Q3
            if not value and self.xml and flattened:
                return _ABSENT  # X1
            return kept
        if kind == "map":
            flattened = bool(shape.serialization.get("flattened"))
            if not value and (self.form or (self.xml and flattened)):
                return _ABSENT  # Q1, X1
            result = {}
            for key, item in value.items():
                normalised = self.value(shape.value, item)
                if normalised is _ABSENT and shape.value.type_name == "structure":
                    normalised = {}  # Q4
                if normalised is not _ABSENT:
                    result[key] = normalised
            return result
        if kind == "timestamp":
            return _timestamp(value, shape, header=header, output=self.output)
        return value

    @staticmethod
    def _aliases(shape: Shape, result: dict[str, Any]) -> None:
        for names in aliases(shape).values():
            lists = [result[name] for name in names if isinstance(result.get(name), list)]
            if not lists or not lists[0]:
                continue
            for name in names:
                twin = shape.members[name]
                result[name] = lists[0] if twin.type_name == "list" else lists[0][0]  # X2


def expected_input(
    operation: OperationModel, params: dict[str, Any], request: HttpRequest
) -> dict[str, Any]:
    """What parse() must return for params sent by botocore as request."""
    shape = operation.input_shape
    if shape is None:
        return {}
    walker = _Walker(operation.service_model.protocol, output=False)
    expected: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        value = params.get(name, _ABSENT)
        if location == "header" and wire.lower() in ("content-length", "content-type"):
            sent = request.headers.get(wire)  # R3
            value = (
                _ABSENT if sent is None else (int(sent) if member.type_name != "string" else sent)
            )
        elif value is _ABSENT:
            continue
        elif (
            location in ("header", "headers", "querystring")
            and not value
            and (member.type_name in ("list", "map"))
        ):
            value = _ABSENT  # R1
        elif location == "headers":
            value = {key.lower(): item for key, item in value.items()}  # R2
        elif location == "header":
            value = walker.value(member, value, header=True)
        elif location in ("uri", "querystring"):
            value = _Walker("rest-json", output=False).value(member, value)
        else:
            value = walker.value(member, value)
        if value is not _ABSENT:
            expected[name] = value
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name == "structure":
        if operation.service_model.protocol == "rest-json" and payload not in expected:
            expected[payload] = {}  # R5
    elif payload and shape.members[payload].type_name in ("blob", "string"):
        if request.body_streamed:
            expected.pop(payload, None)  # R4
        elif payload not in expected:
            expected[payload] = b"" if shape.members[payload].type_name == "blob" else ""
    return expected


def expected_output(
    operation: OperationModel, output: dict[str, Any], status: int, shape: Shape | None = None
) -> dict[str, Any]:
    """What botocore's parser must make of our response to output."""
    shape = operation.output_shape if shape is None else shape
    if shape is None:
        return {}
    protocol = operation.service_model.protocol
    rest = protocol.startswith("rest-")
    walker = _Walker(protocol, output=True)
    expected: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location") if rest else None
        value = output.get(name, _ABSENT)
        if location == "headers":
            expected[name] = {} if value is _ABSENT else dict(value)  # B1
            continue
        if location == "statusCode":
            expected[name] = status  # B2
            continue
        if value is _ABSENT:
            continue
        if location == "header":
            value = _ABSENT if member.type_name == "list" and not value else value  # R1
            if value is not _ABSENT:
                value = walker.value(member, value, header=True)
        elif member.serialization.get("eventstream"):
            value = _ABSENT
        else:
            value = walker.value(member, value)
        if value is not _ABSENT:
            expected[name] = value
    if (operation.service_model.service_name, operation.name) == ("s3", "GetBucketLocation"):
        expected.setdefault("LocationConstraint", None)  # B3
    payload = shape.serialization.get("payload") if rest else None
    if payload and payload not in expected:
        kind = shape.members[payload].type_name
        expected[payload] = {"blob": b"", "string": ""}.get(kind, {})  # R4, B2
    return expected


def expected_error_members(shape: Shape, extra: dict[str, Any], protocol: str) -> dict[str, Any]:
    walker = _Walker(protocol, output=True)
    expected = {}
    for name, value in extra.items():
        member = shape.members[name]
        location = member.serialization.get("location") if protocol.startswith("rest-") else None
        normalised = walker.value(member, value, header=location == "header")
        if normalised is not _ABSENT:
            expected[name] = normalised
    return expected


def lost_required(shape: Shape | None, value: Any, exempt: str = "") -> bool:
    """Whether normalising dropped a required member (Q1: an empty required structure
    sends nothing), so that AWS, and the engine, must answer with a validation error.
    exempt names a top-level member that is legitimately absent (a streamed payload)."""
    if shape is None or not isinstance(value, dict):
        return False
    if shape.type_name != "structure" or getattr(shape, "is_document_type", False):
        return False
    if any(name not in value and name != exempt for name in shape.required_members):
        return True
    return any(_lost_in(shape.members[name], item) for name, item in value.items())


def _lost_in(shape: Shape, value: Any) -> bool:
    if shape.type_name == "structure":
        return lost_required(shape, value)
    if shape.type_name == "list" and isinstance(value, list):
        return any(_lost_in(shape.member, item) for item in value)
    if shape.type_name == "map" and isinstance(value, dict):
        return any(_lost_in(shape.value, item) for item in value.values())
    return False
