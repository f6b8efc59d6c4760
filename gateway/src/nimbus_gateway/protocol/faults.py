"""The errors AWS answers when a request cannot be understood, per protocol and dialect.

Codes and messages follow what the real services send: query/ec2 InvalidAction and
MissingParameter, coral's "N validation errors detected", SQS's MissingParameter and
InvalidParameterValue, JSON SerializationException, S3 MalformedXML/MethodNotAllowed/
InvalidArgument, Route 53 InvalidInput.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.dialect import Dialect

# S3 error messages, word for word.
_S3_MALFORMED_XML = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)
_S3_METHOD_NOT_ALLOWED = "The specified method is not allowed against this resource."


@dataclass(frozen=True)
class Violation:
    """One input constraint a request broke."""

    kind: str  # missing | min_length | max_length | min_value | max_value
    path: tuple[str | int, ...]  # member names, list indexes (0-based) and map keys
    wire_name: str  # the member's name on the wire (header, query key, element)
    location: str = ""  # header | querystring | uri | "" (body)
    value: Any = None
    bound: int | float = 0


def coral_path(path: Sequence[str | int]) -> str:
    """Coral's spelling of a member path: tags.1.member.key."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"{part + 1}.member")
        else:
            parts.append(part[:1].lower() + part[1:])
    return ".".join(parts)


def _coral_message(violation: Violation) -> str:
    where = coral_path(violation.path)
    if violation.kind == "missing":
        return f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
    shown = _shown(violation.value)
    bound = violation.bound
    constraint = {
        "min_length": f"Member must have length greater than or equal to {bound}",
        "max_length": f"Member must have length less than or equal to {bound}",
        "min_value": f"Member must have value greater than or equal to {bound}",
        "max_value": f"Member must have value less than or equal to {bound}",
    }[violation.kind]
    return f"Value '{shown}' at '{where}' failed to satisfy constraint: {constraint}"


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def validation_failed(dialect: Dialect, violations: Sequence[Violation]) -> AwsError:
    """The error for a request that broke the model's constraints."""
    first = violations[0]
    if dialect.protocol == "ec2":
        return _missing_parameter(first.wire_name)
    if dialect.query_compatible:  # SQS ends the sentence, EC2 does not
        return _missing_parameter(first.wire_name, ".")
    if dialect.s3:
        return _s3_missing(first)
    count = len(violations)
    text = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(
        _coral_message(violation) for violation in violations
    )
    return AwsError(_validation_code(dialect), text, 400)


def _validation_code(dialect: Dialect) -> str:
    if dialect.protocol == "query":
        return "ValidationError"
    if dialect.protocol == "rest-xml":
        return "InvalidInput"
    return "ValidationException"


def _missing_parameter(name: str, end: str = "") -> AwsError:
    return AwsError("MissingParameter", f"The request must contain the parameter {name}{end}", 400)


def _s3_missing(violation: Violation) -> AwsError:
    if violation.location == "header":
        return AwsError(
            "InvalidRequest",
            f"Missing required header for this request: {violation.wire_name}",
            400,
        )
    if violation.location in ("querystring", "uri"):
        return AwsError(
            "InvalidRequest",
            f"Missing required parameter for this request: {violation.wire_name}",
            400,
        )
    return AwsError("MalformedXML", _S3_MALFORMED_XML, 400)


def invalid_value(dialect: Dialect, wire_name: str, value: Any, expected: str) -> AwsError:
    """A value of the wrong type or format (not an integer, bad base64, bad date...)."""
    text = str(value)
    if len(text) > 256:
        text = text[:256] + "..."
    if dialect.s3:
        return AwsError(
            "InvalidArgument",
            f"Invalid value for {wire_name}: expected {expected}",
            400,
            extra={"ArgumentName": wire_name, "ArgumentValue": text},
        )
    if dialect.protocol in ("ec2", "query") or dialect.query_compatible:
        coral = dialect.protocol == "query" and not dialect.query_compatible
        return AwsError(
            "ValidationError" if coral else "InvalidParameterValue",
            f"Value ({text}) for parameter {wire_name} is invalid. Expected: {expected}.",
            400,
        )
    if dialect.protocol == "rest-xml":
        return AwsError("InvalidInput", f"Invalid value for {wire_name}: expected {expected}", 400)
    return AwsError(
        "SerializationException", f"Invalid value for {wire_name}: expected {expected}", 400
    )


def malformed_body(dialect: Dialect, detail: str) -> AwsError:
    """A body that is not well-formed for the protocol (bad XML, bad JSON, bad form)."""
    if dialect.s3:
        return AwsError("MalformedXML", _S3_MALFORMED_XML, 400)
    if dialect.protocol == "rest-xml":
        return AwsError("InvalidInput", f"Could not parse the request body: {detail}", 400)
    if dialect.protocol in ("json", "rest-json"):
        return AwsError("SerializationException", detail, 400)
    if dialect.protocol == "ec2":
        return AwsError("InvalidParameterValue", detail, 400)
    return AwsError("MalformedQueryString", detail, 400)


def invalid_uri(dialect: Dialect, detail: str) -> AwsError:
    """A path or query string that does not decode (bad percent-encoding or UTF-8)."""
    if dialect.s3:
        return AwsError("InvalidURI", "Couldn't parse the specified URI.", 400)
    return invalid_value(dialect, "URI", detail, "valid percent-encoded UTF-8")


def missing_body(dialect: Dialect) -> AwsError:
    """A structure payload the operation needs arrived empty."""
    if dialect.s3:
        return AwsError("MissingRequestBodyError", "Request Body is empty", 400)
    return malformed_body(dialect, "The request body is empty")


def unknown_operation(dialect: Dialect, name: str, method: str = "", path: str = "") -> AwsError:
    """No operation of the service answers this request."""
    if dialect.protocol in ("query", "ec2"):
        if not name:
            return AwsError("MissingAction", "The request must contain the parameter Action", 400)
        # SQS words it for its endpoint; the other query services for their web service.
        where = "endpoint" if dialect.query_compatible else "web service"
        return AwsError("InvalidAction", f"The action {name} is not valid for this {where}.", 400)
    if dialect.s3:
        segments = [part for part in path.split("/", 2)[1:] if part]
        resource = ("SERVICE", "BUCKET", "OBJECT")[min(len(segments), 2)]
        return AwsError(
            "MethodNotAllowed",
            _S3_METHOD_NOT_ALLOWED,
            405,
            extra={"Method": method, "ResourceType": resource},
        )
    if dialect.protocol == "json":
        return AwsError("UnknownOperationException", "", 400)
    return AwsError("UnknownOperationException", f"No operation matches {method} {path}", 404)
