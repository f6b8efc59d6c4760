"""Policy variables (`${aws:username}`, `${s3:prefix, 'default'}`, `${*}`...), 2012-10-17 only.

A variable that names a key absent from the request (with no default) is unresolvable; the
element holding it then does not match, as in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nimbus_policy.wildcard import ANY_ONE, STAR, Pattern, Token, tokens_of

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}

Lookup = Callable[[str], str | None]


def resolve(text: str, lookup: Lookup, *, variables: bool) -> tuple[Pattern | None, list[str]]:
    """Tokenise `text`, substituting variables when enabled.

    Returns (pattern or None if a variable is unresolvable, names of keys that were missing).
    """
    if not variables or "${" not in text:
        return tokens_of(text), []
    out: list[Token] = []
    missing: list[str] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        out.extend(tokens_of(text[pos : m.start()]))
        pos = m.end()
        body = m.group(1)
        value = _substitute(body, lookup, missing)
        if value is None:
            continue
        if value:
            out.append(value)
    out.extend(tokens_of(text[pos:]))
    if missing:
        return None, missing
    return _merge(out), []


def _substitute(body: str, lookup: Lookup, missing: list[str]) -> str | None:
    stripped = body.strip()
    if stripped in _ESCAPES:
        return _ESCAPES[stripped]
    default_match = _DEFAULT.match(body)
    key, default = (
        (default_match.group(1), default_match.group(2)) if default_match else (stripped, None)
    )
    value = lookup(key)
    if value is not None:
        return value
    if default is not None:
        return default
    missing.append(key)
    return None


def _merge(tokens: list[Token]) -> Pattern:
    """Join adjacent literal runs so plain strings compare fast."""
    out: list[Token] = []
    for t in tokens:
        if isinstance(t, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + t
        else:
            out.append(t)
    return tuple(out)


__all__ = ["ANY_ONE", "STAR", "Lookup", "resolve"]
