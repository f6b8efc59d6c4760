"""S3 buckets operations (placeholder: filled in by its owner)."""

from __future__ import annotations

from nimbus_core.operations import OperationTable
from nimbus_core.runtime import Resources

from nimbus_s3.settings import S3Settings


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    return OperationTable()
