"""Loading the per-API data files once, and the list of APIs still to map."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from nimbus_gateway.authz.errors import UnknownOperation
from nimbus_gateway.authz.model import Entry

# APIs Nimbus serves whose map is not written yet; the completeness test lists them.
PENDING_APIS: dict[str, str] = {
    "ec2": "not mapped yet (830 operations)",
    "route53": "not mapped yet (83 operations)",
}


@cache
def mapped_apis() -> tuple[str, ...]:
    """APIs with a data file, by file name."""
    folder = resources.files("nimbus_gateway.authz") / "data"
    names = (p.name for p in folder.iterdir() if p.name.endswith(".json"))
    return tuple(sorted(n.removesuffix(".json") for n in names))


@cache
def operations(api: str) -> dict[str, Entry]:
    """Every mapped operation of an API; raises UnknownOperation for an unmapped API."""
    if api not in mapped_apis():
        raise UnknownOperation(f"no authorization map for API {api!r}")
    path = resources.files("nimbus_gateway.authz") / "data" / f"{api}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {op: Entry.from_json(api, op, body) for op, body in raw["operations"].items()}


def entry(api: str, operation: str) -> Entry:
    """The entry of one operation; an unmapped operation must be refused, not guessed."""
    found = operations(api).get(operation)
    if found is None:
        raise UnknownOperation(f"no authorization map entry for {api}:{operation}")
    return found
