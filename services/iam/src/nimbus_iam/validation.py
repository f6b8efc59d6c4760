"""Input constraints from botocore's iam model, reported the way AWS's front end does:
"1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: ..."."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nimbus_iam.iam_errors import validation_error

NAME = r"[\w+=,.@-]+"
PATH = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
PATH_PREFIX = r"\u002F[\u0021-\u007F]*"
POLICY_PATH = r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
DOCUMENT = r"[\u0009\u000A\u000D\u0020-\u00FF]+"
ACCESS_KEY_ID = r"[\w]+"
VERSION_ID = r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"
TAG_KEY = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
TAG_VALUE = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"
DESCRIPTION = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"

# Python's re has no \p{..}: the tag patterns are checked with these equivalents.
_PYTHON_PATTERNS = {
    TAG_KEY: r"[^\W_]|[\s_.:/=+\-@]",
    TAG_VALUE: r"[^\W_]|[\s_.:/=+\-@]",
}


def _matches(pattern: str, value: str) -> bool:
    if pattern in _PYTHON_PATTERNS:
        return all(re.fullmatch(_PYTHON_PATTERNS[pattern], c) for c in value)
    # AWS's (Java) \w is ASCII only.
    return re.fullmatch(pattern, value, re.ASCII if "\\w" in pattern else 0) is not None


class Checks:
    """Collects every violation of one request, then raises them together."""

    def __init__(self) -> None:
        self._found: list[str] = []

    def _add(self, value: Any, member: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{value}'"
        self._found.append(
            f"Value {shown} at '{member}' failed to satisfy constraint: {constraint}"
        )

    def required(self, value: Any, member: str) -> None:
        if value is None:
            self._add(None, member, "Member must not be null")

    def string(
        self,
        value: Any,
        member: str,
        *,
        min_len: int = 0,
        max_len: int | None = None,
        pattern: str | None = None,
        required: bool = False,
    ) -> None:
        if value is None:
            if required:
                self.required(value, member)
            return
        if not isinstance(value, str):
            self._add(value, member, "Member must be a string")
            return
        if len(value) < min_len:
            self._add(value, member, f"Member must have length greater than or equal to {min_len}")
        elif max_len is not None and len(value) > max_len:
            self._add(value, member, f"Member must have length less than or equal to {max_len}")
        elif pattern is not None and not _matches(pattern, value):
            self._add(value, member, f"Member must satisfy regular expression pattern: {pattern}")

    def integer(self, value: Any, member: str, low: int, high: int) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self._add(value, member, "Member must be an integer")
        elif value < low:
            self._add(value, member, f"Member must have value greater than or equal to {low}")
        elif value > high:
            self._add(value, member, f"Member must have value less than or equal to {high}")

    def enum(self, value: Any, member: str, allowed: Sequence[str]) -> None:
        if value is not None and value not in allowed:
            self._add(value, member, f"Member must satisfy enum value set: [{', '.join(allowed)}]")

    def count(self, values: Sequence[Any] | None, member: str, maximum: int) -> None:
        if values is not None and len(values) > maximum:
            self._add(
                f"[{', '.join(map(str, values))}]",
                member,
                f"Member must have length less than or equal to {maximum}",
            )

    def done(self) -> None:
        """Raise a ValidationError naming every violation found, if any."""
        if not self._found:
            return
        count = len(self._found)
        noun = "error" if count == 1 else "errors"
        raise validation_error(f"{count} validation {noun} detected: " + "; ".join(self._found))


def check_one(**kwargs: Any) -> None:
    """A single string member checked on its own (member, value and the string() options)."""
    checks = Checks()
    value = kwargs.pop("value")
    member = kwargs.pop("member")
    checks.string(value, member, **kwargs)
    checks.done()
