"""Shape-driven JSON bodies for the json and rest-json protocols, both ways.

Numbers are read as Decimal so epoch timestamps keep their exact microseconds; blobs are
base64 text; timestamps default to epoch seconds; NaN and the infinities are strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.models import Shape
from nimbus_gateway.protocol.values import (
    INT32,
    INT64,
    UNIX,
    check_int,
    epoch_to_datetime,
    format_blob,
    format_timestamp,
    json_float,
    parse_blob,
    parse_timestamp,
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

# (wire name, value, expected kind) -> the protocol's error for a value of the wrong type
BadValue = Callable[[str, Any, str], AwsError]


def loads(body: bytes) -> Any:
    """A JSON document with exact decimals; ValueError when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from exc


def dumps(document: Any) -> bytes:
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "replace")


class JsonReader:
    """Reads decoded JSON into values of their shapes."""

    def __init__(self, bad_value: BadValue) -> None:
        self._bad = bad_value

    def structure(
        self, shape: Shape, document: Any, name: str, *, body_only: bool = False
    ) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise self._bad(name, document, "structure")
        parsed: dict[str, Any] = {}
        for member_name, member in shape.members.items():
            serialization = member.serialization
            if body_only and (serialization.get("location") or serialization.get("hostLabel")):
                continue
            key = serialization.get("name", member_name)
            item = document.get(key)
            if item is not None:
                parsed[member_name] = self.value(member, item, key)
        return parsed

    def value(self, shape: Shape, item: Any, name: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return plain(item)
            return self.structure(shape, item, name)
        if kind == "list":
            if not isinstance(item, list):
                raise self._bad(name, item, "list")
            member = shape.member
            return [self.value(member, element, name) for element in item if element is not None]
        if kind == "map":
            if not isinstance(item, dict):
                raise self._bad(name, item, "map")
            value_shape = shape.value
            return {
                key: self.value(value_shape, element, name)
                for key, element in item.items()
                if element is not None
            }
        return self._scalar(kind, item, name)

    def _scalar(self, kind: str, item: Any, name: str) -> Any:
        try:
            return _SCALARS[kind](item)
        except (KeyError, TypeError, ValueError):
            raise self._bad(name, item, kind) from None


def _string(item: Any) -> str:
    if not isinstance(item, str) or _SURROGATE.search(item):
        raise TypeError("not a string")
    return item


def _integer(bounds: tuple[int, int]) -> Callable[[Any], int]:
    def read(item: Any) -> int:
        if isinstance(item, bool):
            raise TypeError("not an integer")
        if isinstance(item, Decimal) and item == item.to_integral_value():
            item = int(item)
        if not isinstance(item, int):
            raise TypeError("not an integer")
        return check_int(item, bounds)

    return read


def _float(item: Any) -> float:
    if isinstance(item, str) and item in _SPECIAL:
        return _SPECIAL[item]
    if isinstance(item, bool) or not isinstance(item, int | Decimal):
        raise TypeError("not a number")
    return float(item)


def _boolean(item: Any) -> bool:
    if not isinstance(item, bool):
        raise TypeError("not a boolean")
    return item


def _blob(item: Any) -> bytes:
    if not isinstance(item, str):
        raise TypeError("not base64 text")
    return parse_blob(item)


def _timestamp(item: Any) -> Any:
    if isinstance(item, bool):
        raise TypeError("not a timestamp")
    if isinstance(item, int | Decimal):
        return epoch_to_datetime(item)
    if isinstance(item, str):
        return parse_timestamp(item)
    raise TypeError("not a timestamp")


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "character": _string,
    "integer": _integer(INT32),
    "long": _integer(INT64),
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "blob": _blob,
    "timestamp": _timestamp,
}


def plain(item: Any) -> Any:
    """A document value with JSON's own types (Decimal back to int or float)."""
    if isinstance(item, Decimal):
        return int(item) if item == item.to_integral_value() else float(item)
    if isinstance(item, list):
        return [plain(element) for element in item]
    if isinstance(item, dict):
        return {key: plain(element) for key, element in item.items()}
    return item


def encode_structure(
    shape: Shape, value: Mapping[str, Any], *, body_only: bool = False
) -> dict[str, Any]:
    """The JSON object of a structure (body_only: without header/uri/status members)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{shape.name} must be a mapping, not {type(value).__name__}")
    document: dict[str, Any] = {}
    for member_name, member in shape.members.items():
        item = value.get(member_name)
        if item is None or (body_only and member.serialization.get("location")):
            continue
        document[member.serialization.get("name", member_name)] = encode(member, item)
    return document


def encode(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return value
        return encode_structure(shape, value)
    if kind == "list":
        member = shape.member
        return [encode(member, item) for item in value if item is not None]
    if kind == "map":
        value_shape = shape.value
        return {
            str(key): encode(value_shape, item) for key, item in value.items() if item is not None
        }
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", UNIX))
    if kind == "blob":
        return format_blob(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return json_float(value)
    if kind == "boolean":
        return bool(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)
