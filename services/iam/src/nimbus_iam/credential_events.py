"""AccessKeyChanged events: how caches of resolved keys (the gateway's) learn to forget one."""

from __future__ import annotations

from enum import StrEnum

import asyncpg
from nimbus_core.events import new_event
from nimbus_core.outbox import add_event

from nimbus_iam.models import AccessKey

TOPIC = "iam.credential-events.v1"
SOURCE = "nimbus.iam"
DETAIL_TYPE = "AccessKeyChanged"


class Change(StrEnum):
    CREATED = "Created"
    ACTIVATED = "Activated"
    DEACTIVATED = "Deactivated"
    DELETED = "Deleted"


async def emit(conn: asyncpg.Connection, key: AccessKey, change: Change, region: str) -> None:
    """Announce change to key; call inside the transaction that makes it.

    Keyed by access key id, so one key's changes stay in order on one partition.
    """
    event = new_event(
        source=SOURCE,
        detail_type=DETAIL_TYPE,
        account=key.account_id,
        region=region,
        detail={
            "accessKeyId": key.access_key_id,
            "accountId": key.account_id,
            "principalArn": key.principal_arn,
            "change": change.value,
        },
        resources=[key.principal_arn],
    )
    await add_event(conn, TOPIC, event, key=key.access_key_id)
