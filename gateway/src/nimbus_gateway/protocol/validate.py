"""Input checks every AWS front end makes before an operation runs: required members and,
for coral-based services, the model's length and range constraints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nimbus_gateway.protocol.faults import Violation
from nimbus_gateway.protocol.models import Shape

WireName = Callable[[Shape, str], str]


def find_violations(
    shape: Shape,
    value: dict[str, Any],
    *,
    constraints: bool,
    wire_name: WireName,
    exempt: frozenset[str] = frozenset(),
) -> list[Violation]:
    """Every broken rule of a parsed input; exempt names top-level members not to require."""
    found: list[Violation] = []
    _structure(shape, value, (), found, constraints, wire_name, exempt, top=True)
    return found


def _structure(
    shape: Shape,
    value: dict[str, Any],
    path: tuple[str | int, ...],
    found: list[Violation],
    constraints: bool,
    wire_name: WireName,
    exempt: frozenset[str],
    *,
    top: bool,
) -> None:
    if getattr(shape, "is_document_type", False):
        return
    members = shape.members
    for name in shape.required_members:
        if value.get(name) is None and not (top and name in exempt):
            member = members[name]
            location = member.serialization.get("location", "") if top else ""
            found.append(Violation("missing", (*path, name), wire_name(member, name), location))
    for name, item in value.items():
        member = members.get(name)
        if member is not None and item is not None:
            _value(member, item, (*path, name), found, constraints, wire_name)


def _value(
    shape: Shape,
    value: Any,
    path: tuple[str | int, ...],
    found: list[Violation],
    constraints: bool,
    wire_name: WireName,
) -> None:
    kind = shape.type_name
    if constraints:
        _bounds(shape, value, path, found, wire_name)
    if kind == "structure" and isinstance(value, dict):
        _structure(shape, value, path, found, constraints, wire_name, frozenset(), top=False)
    elif kind == "list" and isinstance(value, list):
        member = shape.member
        for index, item in enumerate(value):
            if item is not None:
                _value(member, item, (*path, index), found, constraints, wire_name)
    elif kind == "map" and isinstance(value, dict):
        member = shape.value
        for key, item in value.items():
            if item is not None:
                _value(member, item, (*path, str(key)), found, constraints, wire_name)


def _bounds(
    shape: Shape,
    value: Any,
    path: tuple[str | int, ...],
    found: list[Violation],
    wire_name: WireName,
) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is None and high is None:
        return
    name = wire_name(shape, str(path[-1]) if path else "")
    if shape.type_name in ("string", "blob", "list", "map"):
        if isinstance(value, str | bytes | list | dict):
            size = len(value)
            if low is not None and size < low:
                found.append(Violation("min_length", path, name, value=value, bound=low))
            if high is not None and size > high:
                found.append(Violation("max_length", path, name, value=value, bound=high))
    elif (
        shape.type_name in ("integer", "long", "float", "double")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        if low is not None and value < low:
            found.append(Violation("min_value", path, name, value=value, bound=low))
        if high is not None and value > high:
            found.append(Violation("max_value", path, name, value=value, bound=high))
