"""Outcome of every round-trip test, for the summary table conftest prints."""

from __future__ import annotations

# (service, operation, side) -> "passed" | "failed" | "excluded"
OUTCOMES: dict[tuple[str, str, str], str] = {}


def record(service: str, operation: str, side: str, outcome: str) -> None:
    OUTCOMES[(service, operation, side)] = outcome
