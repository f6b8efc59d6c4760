"""The lifecycle reconciler (placeholder: filled in by its owner)."""

from __future__ import annotations

from nimbus_core.runtime import Resources


async def reconcile_forever(resources: Resources) -> None:
    """Apply every bucket's lifecycle rules, every s3_lifecycle_interval_seconds."""
    await resources.stop.wait()
