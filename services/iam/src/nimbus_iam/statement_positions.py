"""Where each statement of a policy document starts and ends (line and column, from 1), for
the simulator's MatchedStatements StartPosition/EndPosition."""

from __future__ import annotations

import json

Position = tuple[int, int]

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _position(text: str, index: int) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _value_span(text: str, index: int) -> tuple[int, int]:
    """Start and end (exclusive) of the JSON value at index."""
    start = _skip(text, index)
    _, end = _DECODER.raw_decode(text, start)
    return start, end


def _statement_spans(text: str) -> list[tuple[int, int]]:
    index = _skip(text, 0)
    if text[index] != "{":
        raise ValueError("not an object")
    spans: list[tuple[int, int]] = []
    index = _skip(text, index + 1)
    while index < len(text) and text[index] != "}":
        key, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if text[index] != ":":
            raise ValueError("no colon")
        start, end = _value_span(text, index + 1)
        if key == "Statement":
            # The last Statement wins, as in json.loads.
            spans = [(start, end)]
            if text[start] == "[":
                spans = []
                item = _skip(text, start + 1)
                while text[item] != "]":
                    spans.append(_value_span(text, item))
                    item = _skip(text, spans[-1][1])
                    item = _skip(text, item + 1) if text[item] == "," else item
        index = _skip(text, end)
        index = _skip(text, index + 1) if index < len(text) and text[index] == "," else index
    return spans


def statement_positions(text: str) -> list[tuple[Position, Position]]:
    """Start and end of every statement, in document order; [] when the text cannot be read.

    The end is the statement's closing brace.
    """
    try:
        spans = _statement_spans(text)
    except (ValueError, IndexError):
        return []
    return [(_position(text, start), _position(text, end - 1)) for start, end in spans]
