"""The blob collector (placeholder: filled in by its owner)."""

from __future__ import annotations

from nimbus_core.runtime import Resources


async def collect_forever(resources: Resources) -> None:
    """Remove blobs no version or part references, every s3_gc_interval_seconds."""
    await resources.stop.wait()
