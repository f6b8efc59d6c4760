"""Retention: a reconciler deleting messages older than their queue's retention. STUB."""

from __future__ import annotations

from nimbus_core.runtime import Resources


async def reconcile_forever(resources: Resources) -> None:
    return None


async def reset(resources: Resources) -> None:
    """Admin.Reset: drop every message key of this cloud."""
    return None
