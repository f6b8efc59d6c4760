"""The round-trip summary: per service, operations whose request and response round-trip
through botocore, printed at the end of every run that executed them."""

from __future__ import annotations

import pytest

from tests.protocol.exclusions import EXCLUSIONS, EXTRA_SERVICES, SERVICES
from tests.protocol.results import OUTCOMES


def _cell(outcomes: list[str]) -> str:
    if not outcomes:
        return "-"
    passed = outcomes.count("passed")
    excluded = outcomes.count("excluded")
    counted = len(outcomes) - excluded
    share = 100.0 * passed / counted if counted else 100.0
    text = f"{passed}/{counted} ({share:.0f}%)"
    return f"{text} +{excluded} excl." if excluded else text


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("protocol round trips (botocore as the oracle)")
    ran = {key[0] for key in OUTCOMES}
    services = [s for s in (*SERVICES, *EXTRA_SERVICES) if s in ran]
    services += sorted(ran - set(services))
    write(
        f"{'service':<10}{'operations':>11}   {'request round trip':<26}{'response round trip':<26}"
    )
    for service in services:
        keys = [key for key in OUTCOMES if key[0] == service]
        operations = len({key[1] for key in keys})
        cells = [
            _cell([OUTCOMES[key] for key in keys if key[2] == side])
            for side in ("request", "response")
        ]
        label = f"{service}*" if service in EXTRA_SERVICES else service
        write(f"{label:<10}{operations:>11}   {cells[0]:<26}{cells[1]:<26}")
    if any(service in EXTRA_SERVICES for service in services):
        write("* not a Nimbus service: covers rest-json and plain json with the same tests")
    write("exclusions:")
    for (service, operation, side), reason in sorted(EXCLUSIONS.items()):
        write(f"  {service} {operation} ({side}): {reason}")
