"""Every operation of every API Nimbus serves has an authorization entry, or is pending by name."""

from __future__ import annotations

import re

import botocore.session
import pytest
from nimbus_gateway import catalog
from nimbus_gateway.authz import PENDING_APIS, mapped_apis, operations
from nimbus_gateway.authz.functions import FUNCTIONS

MAPPED = ("iam", "sts", "s3", "sqs")
_session = botocore.session.get_session()


def test_served_apis_are_mapped_or_explicitly_pending() -> None:
    served = {api.name for api in catalog.APIS}
    assert set(mapped_apis()) | set(PENDING_APIS) == served
    assert not set(mapped_apis()) & set(PENDING_APIS)
    assert set(MAPPED) <= set(mapped_apis())


@pytest.mark.parametrize("api", sorted(PENDING_APIS))
def test_pending_api_is_listed(api: str) -> None:
    """Shown in every run so the gap stays visible; fails once a data file exists."""
    assert api not in mapped_apis(), f"{api} is mapped: drop it from PENDING_APIS"


@pytest.mark.parametrize("api", MAPPED)
def test_every_operation_has_an_entry(api: str) -> None:
    model_ops = set(_session.get_service_model(api).operation_names)
    mapped = set(operations(api))
    missing = sorted(model_ops - mapped)
    assert not missing, f"{api}: no authorization entry for {missing}"
    stale = sorted(mapped - model_ops)
    assert not stale, f"{api}: entries for operations botocore does not have: {stale}"


_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_FACTS = {"Partition", "Region", "Account", "CallerArn"}


def _sources(api: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for op, entry in operations(api).items():
        for rule in entry.rules:
            for template in rule.resources:
                for body in _PLACEHOLDER.findall(template):
                    found.extend((op, alt) for alt in body.split("|"))
            found.extend((op, s) for s in rule.context.values())
            for test in (*rule.when, *rule.when_any, *rule.unless):
                found.append((op, re.split("!=|=", test, maxsplit=1)[0]))
            for path in (
                rule.each,
                rule.caller_default,
                rule.request_tags,
                rule.tag_keys,
                rule.request_object_tags,
            ):
                if path:
                    found.append((op, path))
    return found


@pytest.mark.parametrize("api", MAPPED)
def test_templates_name_real_input_members(api: str) -> None:
    """Typos in member paths would silently drop condition keys: check them against botocore."""
    model = _session.get_service_model(api)
    bad: list[str] = []
    for op, source in _sources(api):
        if source.startswith("=") or source in _FACTS:
            continue
        path, _, function = source.partition("->")
        if function and function not in FUNCTIONS:
            bad.append(f"{op}: unknown function {function}")
        if path.startswith("@"):
            continue  # item paths are checked through their list's shape below
        shape = model.operation_model(op).input_shape
        for part in path.split("."):
            members = getattr(shape, "members", {})
            if part not in members:
                bad.append(f"{op}: {path}")
                break
            shape = members[part]
    assert not bad, bad


@pytest.mark.parametrize("api", MAPPED)
def test_actions_carry_a_service_prefix(api: str) -> None:
    for op, entry in operations(api).items():
        for rule in entry.rules:
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", rule.action), (op, rule.action)
