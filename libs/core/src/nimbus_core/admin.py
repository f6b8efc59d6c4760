"""The Admin gRPC service every Nimbus service serves: Reset, for test runs.

Reset empties every table of the service's database but the migration bookkeeping, runs the
service's own reset hook (e.g. flush its Redis keys) and then its start hook again (e.g.
recreate the default account). It is refused unless the process was started with
NIMBUS_ALLOW_RESET=true, so a shared staging cloud cannot be wiped by accident.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import grpc
from nimbus.admin.v1 import admin_pb2, admin_pb2_grpc

from nimbus_core.errors import AwsError

SERVICE_NAME = admin_pb2.DESCRIPTOR.services_by_name["Admin"].full_name
_KEEP = ("nimbus_schema_migrations",)

Hook = Callable[[], Awaitable[None]]


async def truncate_all(pool: asyncpg.Pool) -> list[str]:
    """Empty every table in the public schema except the migration bookkeeping."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND NOT (tablename = ANY($1::text[])) ORDER BY tablename",
            list(_KEEP),
        )
        tables = [row["tablename"] for row in rows]
        if tables:
            quoted = ", ".join('"' + t.replace('"', '""') + '"' for t in tables)
            await conn.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    return tables


class AdminServicer(admin_pb2_grpc.AdminServicer):
    def __init__(self, pool: asyncpg.Pool, *, allowed: bool, hooks: Sequence[Hook]) -> None:
        self._pool = pool
        self._allowed = allowed
        self._hooks = hooks

    async def Reset(
        self, request: admin_pb2.ResetRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.ResetResponse:
        if not self._allowed:
            raise AwsError(
                "AccessDenied", "Reset is disabled; start with NIMBUS_ALLOW_RESET=true.", 403
            )
        tables = await truncate_all(self._pool)
        for hook in self._hooks:
            await hook()
        return admin_pb2.ResetResponse(tables=tables)


def register(servicer: AdminServicer) -> Callable[[grpc.aio.Server], None]:
    def add(server: grpc.aio.Server) -> None:
        admin_pb2_grpc.add_AdminServicer_to_server(servicer, server)

    return add
