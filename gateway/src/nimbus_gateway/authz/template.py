"""Filling ``${...}`` placeholders in resource templates and condition sources.

Grammar of a placeholder body: alternatives separated by ``|``, the first with a value wins.
An alternative is ``=literal`` or ``path[->function]``, where ``path`` is a dotted botocore
member path (``@`` / ``@.Key`` = the current list item) or one of the request facts
``Partition``, ``Region``, ``Account``, ``CallerArn``. E.g. ``${Path|=/}``,
``${QueueOwnerAWSAccountId|Account}``.
"""

from __future__ import annotations

import re
from typing import Any

from nimbus_gateway.authz.errors import UnresolvedPlaceholder
from nimbus_gateway.authz.functions import FUNCTIONS, Context
from nimbus_gateway.authz.inputs import lookup, present

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_MISSING = object()


def _fact(name: str, ctx: Context) -> Any:
    facts = {
        "Partition": ctx.partition,
        "Region": ctx.region,
        "Account": ctx.account,
        "CallerArn": ctx.caller_arn,
    }
    return facts.get(name, _MISSING)


def evaluate(source: str, params: dict[str, Any], ctx: Context, item: Any = None) -> Any:
    """The value a source names (raw type kept), or None when the input lacks it."""
    for alternative in source.split("|"):
        value = _alternative(alternative, params, ctx, item)
        if value is not None and value != "":
            return value
    return None


def _alternative(source: str, params: dict[str, Any], ctx: Context, item: Any) -> Any:
    if source.startswith("="):
        return source[1:]
    path, _, function = source.partition("->")
    value = _fact(path, ctx)
    if value is _MISSING:
        value = lookup(params, path, item)
    if function:
        if function not in FUNCTIONS:
            raise UnresolvedPlaceholder(f"unknown template function {function!r}")
        value = FUNCTIONS[function](value, ctx) if value is not None else None
    return value


def holds(test: str, params: dict[str, Any], ctx: Context, item: Any = None) -> bool:
    """A rule qualifier: ``source`` (present), ``source=value`` or ``source!=value``.

    ``!=`` also requires presence: "ACL!=private" means an ACL other than private was sent.
    """
    source, op, expected = test, "", ""
    for candidate in ("!=", "="):
        if candidate in test and not test.startswith("="):
            source, _, expected = test.partition(candidate)
            op = candidate
            break
    value = evaluate(source, params, ctx, item)
    if not present(value):
        return False
    if op == "=":
        return str(value) == expected
    if op == "!=":
        return str(value) != expected
    return True


def render(template: str, params: dict[str, Any], ctx: Context, item: Any = None) -> str:
    """A template with every placeholder filled; a missing required value is an error."""

    def fill(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), params, ctx, item)
        if value is None:
            raise UnresolvedPlaceholder(f"{template}: no value for ${{{match.group(1)}}}")
        return str(value)

    return _PLACEHOLDER.sub(fill, template)
