"""The s3 service's settings: the core ones plus storage and background-work knobs."""

from __future__ import annotations

from typing import Literal

from nimbus_core.settings import CoreSettings


class S3Settings(CoreSettings):
    """NIMBUS_S3_* variables on top of the core NIMBUS_* ones."""

    service_name: str = "s3"

    # Where object bytes live: chunked rows in PostgreSQL (any replica reaches them) or a
    # directory (single node, or a shared volume).
    s3_blob_backend: Literal["postgres", "filesystem"] = "postgres"
    s3_blob_dir: str = ""
    # Bytes per stored chunk row; uploads are re-chunked to this size as they stream in.
    s3_chunk_bytes: int = 1024 * 1024
    # Orphaned blobs (overwritten, deleted, abandoned uploads) are collected this long after
    # they are first found unreferenced, so a download already streaming one can finish.
    s3_gc_grace_seconds: float = 600.0
    s3_gc_interval_seconds: float = 60.0
    # Lifecycle rules: how often the reconciler runs, and how fast its clock goes (tests set
    # e.g. 86400 so that one real second counts as one lifecycle day).
    s3_lifecycle_interval_seconds: float = 60.0
    s3_lifecycle_clock_scale: float = 1.0
