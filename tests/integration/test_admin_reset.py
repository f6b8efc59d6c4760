"""Admin.Reset wipes a service's data when allowed, and refuses otherwise."""

from __future__ import annotations

import asyncpg
import grpc
import pytest
from nimbus.admin.v1 import admin_pb2, admin_pb2_grpc
from nimbus_core import admin
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_server import GrpcServer

pytestmark = pytest.mark.infra


async def reset(servicer: admin.AdminServicer) -> admin_pb2.ResetResponse:
    server = GrpcServer("127.0.0.1", 0, [admin.register(servicer)], [admin.SERVICE_NAME])
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            reply: admin_pb2.ResetResponse = await admin_pb2_grpc.AdminStub(channel).Reset(
                admin_pb2.ResetRequest(), timeout=10
            )
            return reply
    finally:
        await server.drain_and_stop()


async def test_reset_is_refused_unless_allowed(core_pool: asyncpg.Pool) -> None:
    await core_pool.execute("CREATE TABLE things (id int); INSERT INTO things VALUES (1)")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await reset(admin.AdminServicer(core_pool, allowed=False, hooks=[]))
    error = error_from_aio_rpc(refused.value)
    assert (error.code, error.http_status) == ("AccessDenied", 403)
    assert await core_pool.fetchval("SELECT count(*) FROM things") == 1


async def test_reset_empties_every_table_but_migrations_then_runs_the_hooks(
    core_pool: asyncpg.Pool,
) -> None:
    await core_pool.execute(
        "CREATE TABLE things (id serial, v int); INSERT INTO things (v) VALUES (1)"
    )
    calls: list[str] = []

    async def reseed() -> None:
        calls.append("reseed")
        await core_pool.execute("INSERT INTO things (v) VALUES (42)")

    reply = await reset(admin.AdminServicer(core_pool, allowed=True, hooks=[reseed]))
    assert "things" in reply.tables and "nimbus_outbox" in reply.tables
    assert "nimbus_schema_migrations" not in reply.tables
    assert calls == ["reseed"]
    assert [tuple(r) for r in await core_pool.fetch("SELECT id, v FROM things")] == [(1, 42)]
    assert await core_pool.fetchval("SELECT count(*) FROM nimbus_schema_migrations") >= 1
