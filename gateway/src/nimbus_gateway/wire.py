"""Operation inputs and outputs between the gateway and the services, as JSON.

Inputs go out as JSON with blobs in base64 and timestamps in ISO 8601 (UTC). Outputs come
back the same way; decode_output walks the operation's output shape to give the protocol
serializer real bytes and datetimes again.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape


def _json_default(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot send {type(value).__name__} to a service")


def encode_input(params: dict[str, Any]) -> bytes:
    """The parsed input as compact JSON for InvokeRequest.input_json."""
    return json.dumps(params, separators=(",", ":"), default=_json_default).encode()


def decode_output(shape: Shape | None, payload: bytes) -> dict[str, Any]:
    """A service's JSON output, with blobs and timestamps typed as the serializer wants."""
    raw = json.loads(payload) if payload else {}
    if shape is None or not isinstance(raw, dict):
        return {}
    typed: dict[str, Any] = _typed(shape, raw)
    return typed


def _typed(shape: Shape, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            name: _typed(shape.members[name], member) if name in shape.members else member
            for name, member in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_typed(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _typed(shape.value, item) for key, item in value.items()}
    if shape.type_name == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if shape.type_name == "timestamp":
        return _timestamp(value)
    return value


def _timestamp(value: Any) -> Any:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value
