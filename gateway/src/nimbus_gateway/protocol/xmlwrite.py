"""Shape-driven XML output for the query, ec2 and rest-xml protocols.

Element names follow the model exactly as the SDK parsers read them: locationName, the
member name of flattened lists, <member>/<entry><key><value> wrappers, xmlAttribute and
xmlNamespace traits. Text is escaped so that it survives an XML parser unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nimbus_gateway.protocol.models import Shape
from nimbus_gateway.protocol.values import (
    ISO8601,
    format_blob,
    format_float,
    timestamp_text,
)

# Characters XML 1.0 cannot carry literally (and \r, which parsers would turn into \n)
# become character references, as AWS does; control characters then fail in the client
# exactly as they do against AWS (hence S3's EncodingType=url).
_TEXT_ESCAPES: dict[int, str] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_TEXT_ESCAPES.update(
    {code: f"&#{code};" for code in [*range(0x20), 0xFFFE, 0xFFFF] if code not in (9, 10)}
)
_TEXT_ESCAPES.update({code: f"&#{code};" for code in range(0xD800, 0xE000)})
_ATTR_ESCAPES = {**_TEXT_ESCAPES, ord('"'): "&quot;", 9: "&#9;", 10: "&#10;"}
_XML_NAME = re.compile(r"[A-Za-z_][\w.\-]*")


def escape_text(text: str) -> str:
    return text.translate(_TEXT_ESCAPES)


def escape_attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


def namespace_attr(namespace: Any) -> str:
    """The xmlns declaration of an xmlNamespace trait (a URI or {prefix, uri})."""
    if isinstance(namespace, str):
        return f' xmlns="{escape_attr(namespace)}"' if namespace else ""
    if isinstance(namespace, Mapping) and namespace.get("uri"):
        prefix = namespace.get("prefix")
        name = f"xmlns:{prefix}" if prefix else "xmlns"
        return f' {name}="{escape_attr(str(namespace["uri"]))}"'
    return ""


def member_key_name(member: Shape, member_name: str) -> str:
    """The element of a structure member (a flattened list takes its member's name)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return str(inner)
    return str(member.serialization.get("name", member_name))


def scalar_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long"):
        return str(int(value))
    if kind in ("float", "double"):
        return format_float(value)
    if kind == "timestamp":
        return timestamp_text(value, shape.serialization.get("timestampFormat", ISO8601))
    if kind == "blob":
        return format_blob(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def element(out: list[str], shape: Shape, value: Any, name: str, extra_attrs: str = "") -> None:
    """Append <name>value</name> for a value of shape."""
    kind = shape.type_name
    namespace = namespace_attr(shape.serialization.get("xmlNamespace")) + extra_attrs
    if kind == "structure":
        out.append(f"<{name}{namespace}{_attributes(shape, value)}>")
        structure_body(out, shape, value)
        out.append(f"</{name}>")
    elif kind == "list":
        member = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                if item is not None:
                    element(out, member, item, name)
            return
        item_name = str(member.serialization.get("name", "member"))
        out.append(f"<{name}{namespace}>")
        for item in value:
            if item is not None:
                element(out, member, item, item_name)
        out.append(f"</{name}>")
    elif kind == "map":
        _map(out, shape, value, name, namespace)
    else:
        out.append(f"<{name}{namespace}>{escape_text(scalar_text(shape, value))}</{name}>")


def _map(out: list[str], shape: Shape, value: Mapping[Any, Any], name: str, ns: str) -> None:
    key_shape = shape.key
    value_shape = shape.value
    key_name = str(key_shape.serialization.get("name") or "key")
    value_name = str(value_shape.serialization.get("name") or "value")
    flattened = bool(shape.serialization.get("flattened"))
    if not flattened:
        out.append(f"<{name}{ns}>")
    for key, item in value.items():
        if item is None:
            continue
        out.append(f"<{name}>" if flattened else "<entry>")
        element(out, key_shape, key, key_name)
        element(out, value_shape, item, value_name)
        out.append(f"</{name}>" if flattened else "</entry>")
    if not flattened:
        out.append(f"</{name}>")


def _attributes(shape: Shape, value: Mapping[str, Any]) -> str:
    parts = []
    for member_name, member in shape.members.items():
        if member.serialization.get("xmlAttribute") and value.get(member_name) is not None:
            text = escape_attr(scalar_text(member, value[member_name]))
            parts.append(f' {member.serialization["name"]}="{text}"')
    return "".join(parts)


@dataclass(frozen=True)
class Interleaving:
    """Flattened list members written as one run of elements, in an order the model cannot
    say: order names, entry by entry, the member (by its tag) whose next item comes next."""

    tags: Mapping[str, str]  # tag -> list member name
    order: Sequence[str]


def _interleaved(
    out: list[str], shape: Shape, value: Mapping[str, Any], interleaving: Interleaving
) -> None:
    """The members' items in the given order, then any the order did not reach (none lost)."""
    queues = {tag: iter(value.get(name) or ()) for tag, name in interleaving.tags.items()}

    def write(tag: str, item: Any) -> None:
        name = interleaving.tags[tag]
        member = shape.members[name]
        element(out, member.member, item, member_key_name(member, name))

    for tag in interleaving.order:
        item = next(queues[tag], None) if tag in queues else None
        if item is not None:
            write(tag, item)
    for tag, queue in queues.items():
        for item in queue:
            if item is not None:
                write(tag, item)


def structure_body(
    out: list[str],
    shape: Shape,
    value: Mapping[str, Any],
    *,
    body_only: bool = False,
    interleaving: Interleaving | None = None,
) -> None:
    """The child elements of a structure, in model order (body_only: skip located members);
    interleaved members are written together where the first of them stands."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{shape.name} must be a mapping, not {type(value).__name__}")
    merged = set(interleaving.tags.values()) if interleaving else set()
    for member_name, member in shape.members.items():
        if member_name in merged:
            if interleaving is not None:
                _interleaved(out, shape, value, interleaving)
                interleaving = None
            continue
        item = value.get(member_name)
        if item is None or member.serialization.get("xmlAttribute"):
            continue
        if body_only and member.serialization.get("location"):
            continue
        element(out, member, item, member_key_name(member, member_name))


def loose_elements(out: list[str], values: Mapping[str, Any]) -> None:
    """Unmodeled extras of an error (S3's BucketName, Key...) as text elements."""
    for key, item in values.items():
        if item is not None and _XML_NAME.fullmatch(key):
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            out.append(f"<{key}>{escape_text(text)}</{key}>")
