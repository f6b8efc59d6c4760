"""Glob matching for IAM patterns: `*` is any run of characters, `?` is one character.

Patterns are held as token tuples so that characters produced by policy variables (and the
`${*}`, `${?}` escapes) stay literal while the `*` and `?` written in the policy stay wild.
"""

from __future__ import annotations

import re
from functools import lru_cache

STAR = 1
ANY_ONE = 2
Token = str | int
Pattern = tuple[Token, ...]


def tokens_of(text: str) -> Pattern:
    """Tokenise text with no variables: every `*` and `?` is a wildcard."""
    out: list[Token] = []
    buf: list[str] = []
    for ch in text:
        if ch in "*?":
            if buf:
                out.append("".join(buf))
                buf.clear()
            out.append(STAR if ch == "*" else ANY_ONE)
        else:
            buf.append(ch)
    if buf:
        out.append("".join(buf))
    return tuple(out)


def literal_of(pattern: Pattern) -> str:
    """The pattern read without wildcards (for the Equals operators)."""
    return "".join(t if isinstance(t, str) else ("*" if t == STAR else "?") for t in pattern)


@lru_cache(maxsize=4096)
def _compile(pattern: Pattern, ignore_case: bool) -> re.Pattern[str]:
    parts = [re.escape(t) if isinstance(t, str) else (".*" if t == STAR else ".") for t in pattern]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


def matches(pattern: Pattern, value: str, *, ignore_case: bool = False) -> bool:
    """Whether `value` matches the whole pattern."""
    if pattern == (STAR,):
        return True
    if all(isinstance(t, str) for t in pattern):
        joined = "".join(str(t) for t in pattern)
        return joined.lower() == value.lower() if ignore_case else joined == value
    return _compile(pattern, ignore_case).fullmatch(value) is not None


def glob(text: str, value: str, *, ignore_case: bool = False) -> bool:
    """Match a variable-free pattern string against a value."""
    return matches(tokens_of(text), value, ignore_case=ignore_case)
