"""Turning a parsed request into the IAM requirements the policy engine must allow."""

from __future__ import annotations

from typing import Any

from nimbus_gateway.authz.errors import UnresolvedPlaceholder
from nimbus_gateway.authz.functions import Context, PathLookup
from nimbus_gateway.authz.inputs import lookup, present, tag_pairs
from nimbus_gateway.authz.model import Requirement, Rule
from nimbus_gateway.authz.registry import entry
from nimbus_gateway.authz.template import evaluate, holds, render

__all__ = ["PathLookup", "requirements"]


def requirements(
    api: str,
    operation: str,
    params: dict[str, Any],
    *,
    account: str,
    region: str,
    partition: str = "aws",
    caller_arn: str | None = None,
    paths: PathLookup | None = None,
) -> list[Requirement]:
    """What the caller needs for ``api:operation`` with this input; [] when AWS always allows.

    ``account`` fills ``${Account}`` (the caller's account) wherever the input names no other;
    ``caller_arn`` is the resource of IAM calls that default to the caller (GetUser without
    UserName); ``paths`` returns stored IAM paths (AWS's ARNs embed them), "/" without it.
    """
    ctx = Context(partition, region, account, caller_arn, paths)
    found: list[Requirement] = []
    for rule in entry(api, operation).rules:
        if rule.each is None:
            if _applies(rule, params, ctx, None):
                found.append(_requirement(rule, params, ctx, None, None))
            continue
        items = lookup(params, rule.each)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if _applies(rule, params, ctx, item):
                found.append(_requirement(rule, params, ctx, item, index))
    return found


def _applies(rule: Rule, params: dict[str, Any], ctx: Context, item: Any) -> bool:
    if not all(holds(t, params, ctx, item) for t in rule.when):
        return False
    if rule.when_any and not any(holds(t, params, ctx, item) for t in rule.when_any):
        return False
    return not any(holds(t, params, ctx, item) for t in rule.unless)


def _requirement(
    rule: Rule, params: dict[str, Any], ctx: Context, item: Any, index: int | None
) -> Requirement:
    if rule.caller_default and not present(lookup(params, rule.caller_default, item)):
        if ctx.caller_arn is None:
            raise UnresolvedPlaceholder(f"{rule.action}: no {rule.caller_default}, no caller ARN")
        resources = [ctx.caller_arn]
    else:
        resources = [render(t, params, ctx, item) for t in rule.resources]
    return Requirement(rule.action, resources, _context(rule, params, ctx, item), index)


def _context(rule: Rule, params: dict[str, Any], ctx: Context, item: Any) -> dict[str, Any]:
    """Condition keys the request supplies; absent input leaves the key out, as AWS does."""
    keys: dict[str, Any] = {}
    for key, source in rule.context.items():
        value = evaluate(source, params, ctx, item)
        if value is not None:
            keys[key] = value
    if rule.request_tags:
        pairs = tag_pairs(lookup(params, rule.request_tags, item))
        for k, v in pairs:
            keys[f"aws:RequestTag/{k}"] = v
        if pairs:
            keys["aws:TagKeys"] = [k for k, _ in pairs]
    if rule.tag_keys:
        names = lookup(params, rule.tag_keys, item)
        if isinstance(names, list) and names:
            keys["aws:TagKeys"] = [str(n) for n in names]
    if rule.request_object_tags:
        pairs = tag_pairs(lookup(params, rule.request_object_tags, item))
        for k, v in pairs:
            keys[f"s3:RequestObjectTag/{k}"] = v
        if pairs:
            keys["s3:RequestObjectTagKeys"] = [k for k, _ in pairs]
    return keys
