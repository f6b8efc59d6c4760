"""Hypothesis strategies built from botocore shapes: values a boto3 user (input) or a
service (output) could legitimately produce.

They respect required members, enums, min/max lengths and ranges, and the wire's own limits
per location: header values are visible ASCII (what HTTP carries), URI labels are non-empty,
host labels are DNS labels. Patterns are ignored. Sizes stay small (lists of at most two,
a handful of optional members per structure, four levels of nesting) so every operation of
six services fits in the suite's time budget.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

MAX_DEPTH = 4
MAX_OPTIONAL = 5
MAX_ITEMS = 2

# Text that every protocol can carry in a body: no surrogates, no unassigned code points
# (U+FFFE/U+FFFF are not XML), no control characters but tab and newline; never \r,
# which XML parsers are required to turn into \n.
BODY_TEXT = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t"
)
HEADER_TEXT = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
# botocore splits response header lists on "," without honouring quotes.
HEADER_LIST_TEXT = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=',"')
HOST_LABEL_TEXT = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
HEADER_KEY_TEXT = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-")

# Timestamps with microseconds (the input side keeps them); outputs are at AWS's millis.
TIMESTAMPS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


@st.composite
def _structure(
    draw: st.DrawFn,
    members: dict[str, st.SearchStrategy[Any]],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    budget: int,
) -> dict[str, Any]:
    """Every required member and up to budget optional ones, in model order."""
    chosen = set(required)
    if optional:
        chosen.update(draw(st.lists(st.sampled_from(optional), max_size=budget, unique=True)))
    return {name: draw(strategy) for name, strategy in members.items() if name in chosen}


def element_name(member: Any, name: str) -> str:
    """The XML element of a structure member (a flattened list is named after its member)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return str(inner)
    return str(member.serialization.get("name", name))


def aliases(shape: Any) -> dict[str, list[str]]:
    """Body members that share one XML element (S3's deprecated Event and Events):
    element -> member names, for the groups of two or more."""
    groups: dict[str, list[str]] = {}
    for name, member in shape.members.items():
        if not member.serialization.get("location"):
            groups.setdefault(element_name(member, name), []).append(name)
    return {element: names for element, names in groups.items() if len(names) > 1}


def _bounded(shape: Any, default_low: int, default_high: int) -> tuple[int, int]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    low = default_low if low is None else max(int(low), default_low)
    high = default_high if high is None else min(int(high), default_high)
    return low, max(low, high)


class ShapeStrategies:
    """Strategies for one side (input or output) of one protocol."""

    def __init__(self, protocol: str, *, output: bool) -> None:
        self.protocol = protocol
        self.output = output
        self._cache: dict[tuple[str, str, int], st.SearchStrategy[Any]] = {}

    # -- entry points -------------------------------------------------------------------

    def top_level(
        self, shape: Any, *, greedy: frozenset[str] = frozenset()
    ) -> st.SearchStrategy[dict[str, Any]]:
        """An operation's input or output: located members get their location's values.

        greedy names the URI labels written {Label+} in the requestUri.
        """
        if shape is None:
            return st.just({})
        members = {
            name: self._member(member, name, greedy)
            for name, member in shape.members.items()
            if not member.serialization.get("eventstream")
        }
        required = [name for name in shape.required_members if name in members]
        return self._structure_of(members, required, MAX_OPTIONAL + 3)

    def _member(self, member: Any, name: str, greedy: frozenset[str]) -> st.SearchStrategy[Any]:
        serialization = member.serialization
        location = serialization.get("location")
        if serialization.get("hostLabel"):
            return st.text(HOST_LABEL_TEXT, min_size=1, max_size=12)
        if location in ("header", "headers", "uri", "querystring", "statusCode"):
            wire = serialization.get("name", name)
            context = "greedy" if location == "uri" and wire in greedy else location
            return self.value(member, context, 1)
        return self.value(member, "body", 1)

    # -- values -------------------------------------------------------------------------

    def value(self, shape: Any, context: str, depth: int) -> st.SearchStrategy[Any]:
        key = (shape.name, context, min(depth, MAX_DEPTH + 1))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = st.deferred(lambda: self._build(shape, context, depth))
        return cached

    def _build(self, shape: Any, context: str, depth: int) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, depth)
        if kind == "list":
            low, high = _bounded(shape, 0, MAX_ITEMS)
            item_context = "header-list" if context == "header" else context
            member = self.value(shape.member, item_context, depth + 1)
            if context == "header":
                low = max(low, 1)  # an empty header list is not sent at all
            return st.lists(member, min_size=low, max_size=max(low, high))
        if kind == "map":
            low, high = _bounded(shape, 0, MAX_ITEMS)
            if context == "headers":
                keys: st.SearchStrategy[Any] = st.text(HEADER_KEY_TEXT, min_size=1, max_size=8)
                values = self.value(shape.value, "header", depth + 1)
            else:
                keys = self.value(shape.key, context, depth + 1)
                values = self.value(shape.value, context, depth + 1)
            return st.dictionaries(keys, values, min_size=low, max_size=max(low, high))
        return self._scalar(shape, context)

    def _structure(self, shape: Any, depth: int) -> st.SearchStrategy[Any]:
        if getattr(shape, "is_document_type", False):
            return st.recursive(
                st.none()
                | st.booleans()
                | st.integers(-1000, 1000)
                | st.text(BODY_TEXT, max_size=5),
                lambda inner: (
                    st.lists(inner, max_size=2)
                    | st.dictionaries(st.text(BODY_TEXT, max_size=4), inner, max_size=2)
                ),
                max_leaves=4,
            )
        members = {
            name: self.value(member, "body", depth + 1) for name, member in shape.members.items()
        }
        if self.protocol in ("query", "ec2", "rest-xml"):
            # Of members sharing an element, only the list is generated (in a response,
            # of one item: botocore cannot read several into the scalar twin).
            for names in aliases(shape).values():
                for name in names:
                    member = shape.members[name]
                    if member.type_name != "list":
                        members.pop(name)
                    elif self.output:
                        item = self.value(member.member, "body", depth + 2)
                        members[name] = st.lists(item, max_size=1)
        if getattr(shape, "is_tagged_union", False):
            choices = [
                st.fixed_dictionaries({name: strategy}) for name, strategy in members.items()
            ]
            return st.one_of(choices) if choices else st.just({})
        required = list(shape.required_members)
        budget = MAX_OPTIONAL if depth < MAX_DEPTH else 0
        return self._structure_of(members, required, budget)

    @staticmethod
    def _structure_of(
        members: dict[str, st.SearchStrategy[Any]], required: list[str], budget: int
    ) -> st.SearchStrategy[dict[str, Any]]:
        optional = tuple(name for name in members if name not in required)
        return _structure(members, tuple(required), optional if budget else (), budget)

    def _scalar(self, shape: Any, context: str) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind in ("string", "character"):
            return self._string(shape, context)
        if kind in ("integer", "long"):
            bits = 31 if kind == "integer" else 63
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            low = -(2**bits) if low is None else int(low)
            high = 2**bits - 1 if high is None else int(high)
            if context == "statusCode":
                low, high = 200, 299
            return st.integers(low, high)
        if kind in ("float", "double"):
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            return st.floats(
                min_value=None if low is None else float(low),
                max_value=None if high is None else float(high),
                allow_nan=False,
                allow_infinity=False,
            )
        if kind == "boolean":
            return st.booleans()
        if kind == "blob":
            if shape.serialization.get("streaming"):
                return st.binary(max_size=64)
            low, high = _bounded(shape, 0, 12)
            return st.binary(min_size=low, max_size=high)
        if kind == "timestamp":
            if self.output:
                return TIMESTAMPS.map(
                    lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
                )
            return TIMESTAMPS
        return st.nothing()

    def _string(self, shape: Any, context: str) -> st.SearchStrategy[str]:
        enum = shape.enum
        if enum:
            values = [value for value in enum if context not in ("uri", "greedy") or value]
            return st.sampled_from(values) if values else st.just("x")
        alphabet: st.SearchStrategy[str] = BODY_TEXT
        floor = 0
        if context in ("header", "headers"):
            alphabet, floor = HEADER_TEXT, 1
        elif context == "header-list":
            alphabet, floor = HEADER_LIST_TEXT, 1
        elif context in ("uri", "greedy"):
            floor = 1
        low, high = _bounded(shape, floor, 10)
        return st.text(alphabet, min_size=low, max_size=max(low, min(high, low + 10)))
