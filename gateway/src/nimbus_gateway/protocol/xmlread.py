"""Shape-driven reading of XML request bodies (rest-xml), namespace-agnostic.

A document type definition is refused outright: request bodies never need one, and
refusing it closes entity-expansion and external-entity attacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from nimbus_gateway.protocol.models import Shape
from nimbus_gateway.protocol.xmlwrite import member_key_name

# (shape, wire name, text) -> the parsed value; raises the protocol's AwsError when bad.
ScalarReader = Callable[[Shape, str, str], Any]


def parse_document(body: bytes) -> Element:
    """The root element of body; ValueError when it is not well-formed XML."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError("document type definitions are not allowed")
    parser = XMLParser()
    try:
        parser.feed(body)
        return parser.close()
    except ParseError as exc:
        raise ValueError(str(exc)) from exc


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


class XmlReader:
    """Reads elements into values of their shapes."""

    def __init__(self, scalar: ScalarReader) -> None:
        self._scalar = scalar

    def structure(self, shape: Shape, node: Element, *, body_only: bool = False) -> dict[str, Any]:
        children: dict[str, list[Element]] = {}
        for child in node:
            if isinstance(child.tag, str):
                children.setdefault(local_name(child.tag), []).append(child)
        parsed: dict[str, Any] = {}
        for member_name, member in shape.members.items():
            serialization = member.serialization
            if body_only and (serialization.get("location") or serialization.get("hostLabel")):
                continue
            if serialization.get("xmlAttribute"):
                wanted = local_name(str(serialization["name"]).split(":")[-1])
                for key, text in node.attrib.items():
                    if local_name(key).split(":")[-1] == wanted:
                        parsed[member_name] = self._scalar(member, wanted, text)
                continue
            key = member_key_name(member, member_name)
            nodes = children.get(key)
            if not nodes:
                continue
            if member.type_name in ("list", "map") and serialization.get("flattened"):
                parsed[member_name] = self._collection(member, nodes)
            else:
                parsed[member_name] = self.value(member, nodes[0])
        return parsed

    def value(self, shape: Shape, node: Element) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, node)
        if kind in ("list", "map"):
            if kind == "map":
                entries = [child for child in node if _is(child, "entry")]
                return self._collection(shape, entries)
            return self._collection(shape, [child for child in node if isinstance(child.tag, str)])
        return self._scalar(shape, local_name(node.tag), node.text or "")

    def _collection(self, shape: Shape, nodes: list[Element]) -> Any:
        if shape.type_name == "list":
            member = shape.member
            return [self.value(member, node) for node in nodes]
        key_shape = shape.key
        value_shape = shape.value
        key_name = str(key_shape.serialization.get("name") or "key")
        value_name = str(value_shape.serialization.get("name") or "value")
        parsed: dict[Any, Any] = {}
        for entry in nodes:
            key_node = next((child for child in entry if _is(child, key_name)), None)
            value_node = next((child for child in entry if _is(child, value_name)), None)
            if key_node is None:
                continue
            key = self.value(key_shape, key_node)
            if value_node is not None:
                parsed[key] = self.value(value_shape, value_node)
            elif value_shape.type_name == "structure":
                parsed[key] = {}
        return parsed


def _is(node: Element, name: str) -> bool:
    return isinstance(node.tag, str) and local_name(node.tag) == name
