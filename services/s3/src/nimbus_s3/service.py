"""What the s3 service is to the runtime: its schema, operations, internal RPCs and loops."""

from __future__ import annotations

from nimbus_core.migrations import load_migrations
from nimbus_core.operations import (
    DownloadHandler,
    OperationTable,
    UnaryHandler,
    UploadHandler,
)
from nimbus_core.runtime import Resources, ServiceSpec

from nimbus_s3 import gc, internal_api, lifecycle
from nimbus_s3.api import buckets, configs, listing, multipart, objects, restore
from nimbus_s3.input_guard import guard_download, guard_unary, guard_upload
from nimbus_s3.settings import S3Settings

API_MODULES = (buckets, configs, objects, listing, multipart, restore)


def s3_settings(resources: Resources) -> S3Settings:
    """The s3 settings, even when the runtime was handed plain CoreSettings."""
    settings = resources.settings
    if isinstance(settings, S3Settings):
        return settings
    return S3Settings(**settings.model_dump())


def build_operations(resources: Resources) -> OperationTable:
    """Every API module's handlers in one table; an operation belongs to one module only."""
    settings = s3_settings(resources)
    unary: dict[str, UnaryHandler] = {}
    upload: dict[str, UploadHandler] = {}
    download: dict[str, DownloadHandler] = {}
    for module in API_MODULES:
        part = module.table(resources, settings)
        for mine, theirs in ((unary, part.unary), (upload, part.upload), (download, part.download)):
            clash = mine.keys() & theirs.keys()
            if clash:
                raise RuntimeError(f"operations served twice: {sorted(clash)}")
            mine.update(theirs)
    return OperationTable(
        unary={name: guard_unary(handler) for name, handler in unary.items()},
        upload={name: guard_upload(handler) for name, handler in upload.items()},
        download={name: guard_download(handler) for name, handler in download.items()},
    )


SPEC = ServiceSpec(
    name="s3",
    migrations=load_migrations("nimbus_s3.migrations"),
    build_operations=build_operations,
    extra_services=[(internal_api.SERVICE_NAME, internal_api.registrar)],
    background=(gc.collect_forever, lifecycle.reconcile_forever),
)
