"""IAM entity change events (UserCreated, PolicyAttached, ...): how caches of effective
policies (the gateway's authorizer) learn which principals to forget."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg
from nimbus_core.events import new_event
from nimbus_core.outbox import add_event

TOPIC = "iam.entity-events.v1"
SOURCE = "nimbus.iam"


async def emit(
    conn: asyncpg.Connection,
    detail_type: str,
    *,
    account_id: str,
    region: str,
    principal_arns: Iterable[str],
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Announce a change affecting principal_arns; call inside the change's transaction.

    Keyed by the first affected ARN, so one principal's changes stay in order.
    """
    arns = list(dict.fromkeys(principal_arns))
    event = new_event(
        source=SOURCE,
        detail_type=detail_type,
        account=account_id,
        region=region,
        detail={"accountId": account_id, "principalArns": arns, **(detail or {})},
        resources=arns,
    )
    await add_event(conn, TOPIC, event, key=arns[0] if arns else account_id)
