"""IamInternal over real gRPC, balanced over three replicas sharing one database."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core import events
from nimbus_core.errors import error_from_aio_rpc
from nimbus_iam import credential_events, ids, store
from nimbus_iam.models import PrincipalType

from tests.iam.conftest import LAST_USED_INTERVAL
from tests.integration.kafka_helpers import read_events

pytestmark = pytest.mark.infra


async def test_the_default_root_key_resolves_to_its_secret_and_principal(
    iam_stub: iam_pb2_grpc.IamInternalStub,
) -> None:
    identity = await iam_stub.ResolveAccessKey(
        iam_pb2.ResolveAccessKeyRequest(access_key_id="test")
    )
    assert (identity.access_key_id, identity.secret_access_key, identity.session_token) == (
        "test",
        "test",
        "",
    )
    assert (identity.account_id, identity.principal_arn, identity.user_id) == (
        "000000000000",
        "arn:aws:iam::000000000000:root",
        "000000000000",
    )
    assert (identity.principal_type, identity.status) == ("root", "Active")
    assert not identity.HasField("expiration")


@pytest.mark.parametrize("key", ["AKIAIOSFODNN7EXAMPLE", "", "TEST"])
async def test_an_unknown_key_is_not_found_and_says_invalid_client_token_id(
    iam_stub: iam_pb2_grpc.IamInternalStub, key: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iam_stub.ResolveAccessKey(iam_pb2.ResolveAccessKeyRequest(access_key_id=key))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.http_status, error.sender_fault) == (
        "InvalidClientTokenId",
        403,
        True,
    )
    assert error.message == "The security token included in the request is invalid."


async def test_a_created_account_has_aws_shaped_ids_and_its_root_key_resolves(
    iam_stub: iam_pb2_grpc.IamInternalStub,
) -> None:
    created = await iam_stub.CreateAccount(iam_pb2.CreateAccountRequest(name="team a"))
    assert re.fullmatch(r"[0-9]{12}", created.account_id)
    assert created.account_id != "000000000000"
    assert created.name == "team a"
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", created.access_key_id)
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", created.secret_access_key)

    # Every replica answers for it: they share the database, nothing lives in memory.
    for _ in range(3):
        identity = await iam_stub.ResolveAccessKey(
            iam_pb2.ResolveAccessKeyRequest(access_key_id=created.access_key_id)
        )
        assert identity.secret_access_key == created.secret_access_key
        assert identity.account_id == created.account_id
        assert identity.principal_arn == f"arn:aws:iam::{created.account_id}:root"
        assert identity.user_id == created.account_id
        assert (identity.principal_type, identity.status) == ("root", "Active")

    listed = await iam_stub.ListAccounts(iam_pb2.ListAccountsRequest())
    by_id = {a.account_id: a for a in listed.accounts}
    assert by_id[created.account_id].name == "team a"
    assert by_id[created.account_id].created.seconds > 0
    assert by_id["000000000000"].name == "default"


async def test_the_new_root_key_is_announced_on_the_credential_events_topic(
    iam_stub: iam_pb2_grpc.IamInternalStub, kafka_bootstrap: str
) -> None:
    created = await iam_stub.CreateAccount(iam_pb2.CreateAccountRequest(name="announced"))

    def mine(seen: list[events.Event]) -> list[events.Event]:
        return [e for e in seen if e.account == created.account_id]

    received = mine(
        await read_events(
            kafka_bootstrap, credential_events.TOPIC, until=lambda seen: bool(mine(seen))
        )
    )
    assert len(received) == 1
    event = received[0]
    assert (event.source, event.detail_type, list(event.resources)) == (
        "nimbus.iam",
        "AccessKeyChanged",
        [f"arn:aws:iam::{created.account_id}:root"],
    )
    assert events.detail(event) == {
        "accessKeyId": created.access_key_id,
        "accountId": created.account_id,
        "principalArn": f"arn:aws:iam::{created.account_id}:root",
        "change": "Created",
    }


async def test_concurrent_creations_make_distinct_accounts(
    iam_stub: iam_pb2_grpc.IamInternalStub,
) -> None:
    created = await asyncio.gather(
        *(iam_stub.CreateAccount(iam_pb2.CreateAccountRequest(name=f"many-{n}")) for n in range(20))
    )
    assert len({c.account_id for c in created}) == 20
    assert len({c.access_key_id for c in created}) == 20


@pytest.mark.parametrize("name", ["", "x" * 51, "tab\there", "caf\u00e9"])
async def test_a_bad_account_name_is_a_validation_error(
    iam_stub: iam_pb2_grpc.IamInternalStub, name: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iam_stub.CreateAccount(iam_pb2.CreateAccountRequest(name=name))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = error_from_aio_rpc(caught.value)
    assert (error.code, error.http_status) == ("ValidationError", 400)


async def test_key_use_is_recorded_once_an_interval_whichever_replica_hears_of_it(
    iam_stub: iam_pb2_grpc.IamInternalStub, iam_db: asyncpg.Pool
) -> None:
    created = await iam_stub.CreateAccount(iam_pb2.CreateAccountRequest(name="used"))
    key = created.access_key_id

    def use(service: str) -> iam_pb2.RecordAccessKeyUseRequest:
        return iam_pb2.RecordAccessKeyUseRequest(
            access_key_id=key, service=service, region="eu-west-1"
        )

    first = await iam_stub.RecordAccessKeyUse(use("s3"))
    # The channel is balanced over three replicas: the later calls reach the others too,
    # which know nothing of the first in memory, so the database's condition coalesces them.
    later = [await iam_stub.RecordAccessKeyUse(use("sqs")) for _ in range(6)]
    assert first.recorded is True
    assert [r.recorded for r in later] == [False] * 6

    row = await iam_db.fetchrow(
        "SELECT last_used_at, last_used_service, last_used_region FROM access_keys"
        " WHERE access_key_id = $1",
        key,
    )
    assert row["last_used_at"] is not None
    assert (row["last_used_service"], row["last_used_region"]) == ("s3", "eu-west-1")

    # Once the interval (2 s for these replicas, 60 s by default) has passed, exactly one
    # replica writes the next use: whichever hears of it first.
    await asyncio.sleep(LAST_USED_INTERVAL + 0.2)
    again = [await iam_stub.RecordAccessKeyUse(use("sqs")) for _ in range(3)]
    assert [r.recorded for r in again] == [True, False, False]
    service = await iam_db.fetchval(
        "SELECT last_used_service FROM access_keys WHERE access_key_id = $1", key
    )
    assert service == "sqs"


async def test_use_of_an_unknown_key_is_ignored(iam_stub: iam_pb2_grpc.IamInternalStub) -> None:
    reply = await iam_stub.RecordAccessKeyUse(
        iam_pb2.RecordAccessKeyUseRequest(access_key_id="AKIANOSUCHKEY0000000", service="s3")
    )
    assert reply.recorded is False


async def test_temporary_and_inactive_keys_resolve_with_what_the_gateway_must_check(
    iam_stub: iam_pb2_grpc.IamInternalStub, iam_db: asyncpg.Pool
) -> None:
    # No operation makes these yet (AssumeRole, UpdateAccessKey come later): write them.
    expiration = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    session = await store.insert_access_key(
        iam_db,
        access_key_id=ids.new_access_key_id(temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        account_id="000000000000",
        principal_type=PrincipalType.ASSUMED_ROLE,
        principal_arn="arn:aws:sts::000000000000:assumed-role/Admin/dev",
        user_id="AROAEXAMPLEID:dev",
        session_token="FwoGZXIvYXdzE-token",
        expiration=expiration,
    )
    assert session is not None
    identity = await iam_stub.ResolveAccessKey(
        iam_pb2.ResolveAccessKeyRequest(access_key_id=session.access_key_id)
    )
    assert (identity.principal_type, identity.user_id, identity.session_token) == (
        "assumed_role",
        "AROAEXAMPLEID:dev",
        "FwoGZXIvYXdzE-token",
    )
    assert identity.HasField("expiration")
    assert identity.expiration.ToDatetime(UTC) == expiration

    await iam_db.execute(
        "UPDATE access_keys SET status = 'Inactive' WHERE access_key_id = $1",
        session.access_key_id,
    )
    identity = await iam_stub.ResolveAccessKey(
        iam_pb2.ResolveAccessKeyRequest(access_key_id=session.access_key_id)
    )
    assert identity.status == "Inactive"
