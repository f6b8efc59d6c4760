"""Members bound to HTTP headers (rest protocols), both ways.

Lists are comma-separated, strings holding a comma or a quote are quoted; timestamps
default to RFC 822 (whose own comma is put back together); jsonvalue strings travel as
base64 JSON. Values written are stripped of control characters, which HTTP cannot carry.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.jsonbody import plain
from nimbus_gateway.protocol.models import Shape
from nimbus_gateway.protocol.values import RFC822, format_blob, format_float, timestamp_text

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")

# (shape, wire name, text) -> value, and (wire name, value, expected) -> error
TextReader = Callable[[Shape, str, str], Any]
BadValue = Callable[[str, Any, str], AwsError]


def split_header_list(text: str) -> list[str]:
    """A comma-separated header, honouring "quoted, items" with \\" escapes."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items


def read_header(member: Shape, wire: str, text: str, read: TextReader, bad_value: BadValue) -> Any:
    """The value of a header-bound member from the header's text."""
    if member.type_name == "list":
        item = member.member
        pieces = split_header_list(text)
        if item.type_name == "timestamp" and (
            item.serialization.get("timestampFormat", RFC822) == RFC822
        ):
            # "Mon, 01 Jan 2024 00:00:00 GMT" holds a comma of its own.
            pieces = [",".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2)]
        return [read(item, wire, piece) for piece in pieces]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        try:
            return plain(json.loads(base64.b64decode(text, validate=True)))
        except (ValueError, RecursionError):
            raise bad_value(wire, text, "base64-encoded JSON") from None
    return read(member, wire, text)


def header_safe(text: str) -> str:
    return _UNSAFE.sub(" ", text)


def _quoted(text: str) -> str:
    if '"' in text or "," in text:
        return '"' + text.replace('"', '\\"') + '"'
    return text


def header_text(member: Shape, value: Any) -> str:
    """The header text of a header-bound member's value."""
    kind = member.type_name
    if kind == "list":
        item = member.member
        texts = [header_text(item, element) for element in value if element is not None]
        if item.type_name == "string":
            texts = [_quoted(text) for text in texts]
        return ",".join(texts)
    if kind == "timestamp":
        return timestamp_text(value, member.serialization.get("timestampFormat", RFC822))
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long"):
        return str(int(value))
    if kind in ("float", "double"):
        return format_float(value)
    if kind == "blob":
        return format_blob(value)
    if member.serialization.get("jsonvalue"):
        encoded = json.dumps(value, separators=(",", ":"), default=str).encode()
        return base64.b64encode(encoded).decode()
    return header_safe(str(value))
