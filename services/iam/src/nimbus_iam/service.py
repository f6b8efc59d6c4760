"""What the iam service is to the runtime: its schema, its operations and its internal RPCs."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from nimbus_core.migrations import load_migrations
from nimbus_core.operations import OperationTable
from nimbus_core.runtime import Resources, ServiceSpec

from nimbus_iam import internal_api, sts
from nimbus_iam.accounts import Accounts
from nimbus_iam.api.table import iam_handlers
from nimbus_iam.bootstrap import bootstrap_default_account
from nimbus_iam.credentials import Credentials
from nimbus_iam.principal_policies import PrincipalPolicyReader
from nimbus_iam.sessions import Sessions
from nimbus_iam.settings import IamSettings


def iam_settings(resources: Resources) -> IamSettings:
    """The iam settings, even when the runtime was handed plain CoreSettings."""
    settings = resources.settings
    if isinstance(settings, IamSettings):
        return settings
    return IamSettings(**settings.model_dump())


def build_operations(resources: Resources) -> OperationTable:
    return OperationTable(
        unary={"GetCallerIdentity": sts.get_caller_identity, **iam_handlers(resources.pool)}
    )


def build_internal(resources: Resources) -> Callable[[grpc.aio.Server], None]:
    settings = iam_settings(resources)
    return internal_api.registrar(
        Accounts(resources.pool, settings.region),
        Credentials(resources.pool, settings.iam_last_used_interval_seconds),
        PrincipalPolicyReader(resources.pool),
    )


# Temporary keys expired this long ago are deleted at start: no cache can still hold them.
EXPIRED_KEY_RETENTION_SECONDS = 86400.0


async def on_start(resources: Resources) -> None:
    await bootstrap_default_account(resources.pool, iam_settings(resources))
    await Sessions(resources.pool).delete_long_expired(EXPIRED_KEY_RETENTION_SECONDS)


SPEC = ServiceSpec(
    name="iam",
    migrations=load_migrations("nimbus_iam.migrations"),
    build_operations=build_operations,
    extra_services=[(internal_api.SERVICE_NAME, build_internal)],
    on_start=on_start,
)
