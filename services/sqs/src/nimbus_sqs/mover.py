"""Message move tasks (StartMessageMoveTask): the worker that moves the messages. STUB."""

from __future__ import annotations

from nimbus_core.runtime import Resources


async def run_forever(resources: Resources) -> None:
    return None
