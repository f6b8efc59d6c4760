"""The default account and its test/test root key: made once, however many replicas start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from nimbus_core import db, events, kafka
from nimbus_core.migrations import apply_migrations, load_migrations
from nimbus_core.relay import OutboxRelay
from nimbus_iam import credential_events, ids
from nimbus_iam.bootstrap import bootstrap_default_account
from nimbus_iam.settings import IamSettings

from tests.iam.conftest import IamReplicas
from tests.integration.kafka_helpers import read_events

pytestmark = pytest.mark.infra


@pytest.fixture
async def iam_pool(
    pg_server: str, database_name: str, fresh_database: str
) -> AsyncIterator[asyncpg.Pool]:
    """A fresh database with the core and iam schemas, and no replica running on it."""
    await db.ensure_database(pg_server, database_name)
    pool = await db.create_pool(fresh_database, max_size=8)
    async with pool.acquire() as conn:
        await apply_migrations(conn, "core", load_migrations("nimbus_core.schema"))
        await apply_migrations(conn, "iam", load_migrations("nimbus_iam.migrations"))
    yield pool
    await db.close_pool(pool)


async def test_three_replicas_started_together_made_one_default_account_and_key(
    iam: IamReplicas, iam_db: asyncpg.Pool
) -> None:
    accounts = await iam_db.fetch("SELECT account_id, name FROM accounts")
    assert [(a["account_id"], a["name"]) for a in accounts if a["name"] == "default"] == [
        ("000000000000", "default")
    ]
    keys = await iam_db.fetch("SELECT * FROM access_keys WHERE account_id = '000000000000'")
    assert len(keys) == 1
    key = keys[0]
    assert (key["access_key_id"], key["secret_access_key"], key["status"]) == (
        "test",
        "test",
        "Active",
    )
    assert (key["principal_type"], key["principal_arn"], key["user_id"]) == (
        "root",
        "arn:aws:iam::000000000000:root",
        "000000000000",
    )
    assert key["session_token"] is None and key["expires_at"] is None


async def test_concurrent_bootstraps_create_and_announce_the_key_exactly_once(
    iam_pool: asyncpg.Pool, kafka_bootstrap: str
) -> None:
    # An account of its own, so the event is told apart from other clouds' bootstraps.
    account = ids.new_account_id()
    settings = IamSettings(iam_default_account=account, iam_bootstrap_root_key="boot")
    created = await asyncio.gather(
        *(bootstrap_default_account(iam_pool, settings) for _ in range(5))
    )
    assert sorted(created) == [False, False, False, False, True]
    assert await bootstrap_default_account(iam_pool, settings) is False
    assert await iam_pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert await iam_pool.fetchval("SELECT count(*) FROM access_keys") == 1
    assert await iam_pool.fetchval("SELECT count(*) FROM nimbus_outbox") == 1

    producer = kafka.make_producer(kafka_bootstrap, "test-iam-bootstrap")
    await producer.start()
    try:
        assert await OutboxRelay(iam_pool, producer).drain() == 1
    finally:
        await producer.stop()

    def mine(seen: list[events.Event]) -> list[events.Event]:
        return [e for e in seen if e.account == account]

    received = mine(
        await read_events(
            kafka_bootstrap, credential_events.TOPIC, until=lambda seen: bool(mine(seen))
        )
    )
    assert len(received) == 1
    event = received[0]
    assert (event.source, event.detail_type) == ("nimbus.iam", "AccessKeyChanged")
    assert events.detail(event) == {
        "accessKeyId": "boot",
        "accountId": account,
        "principalArn": f"arn:aws:iam::{account}:root",
        "change": "Created",
    }


async def test_an_existing_key_is_left_alone_when_the_settings_change(
    iam_pool: asyncpg.Pool,
) -> None:
    await bootstrap_default_account(iam_pool, IamSettings())
    changed = IamSettings(iam_bootstrap_root_secret="other")
    assert await bootstrap_default_account(iam_pool, changed) is False
    secret = await iam_pool.fetchval(
        "SELECT secret_access_key FROM access_keys WHERE access_key_id = 'test'"
    )
    assert secret == "test"


async def test_bootstrap_can_be_turned_off(iam_pool: asyncpg.Pool) -> None:
    assert await bootstrap_default_account(iam_pool, IamSettings(iam_bootstrap=False)) is False
    assert await iam_pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_a_malformed_default_account_stops_the_start(iam_pool: asyncpg.Pool) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        await bootstrap_default_account(iam_pool, IamSettings(iam_default_account="42"))
