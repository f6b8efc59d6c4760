"""Migrations are applied exactly once, however many replicas start together."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import time
from pathlib import Path

import asyncpg
import pytest
from nimbus_core.db import ensure_database
from nimbus_core.migrations import MigrationError, apply_migrations, migrations_from

pytestmark = pytest.mark.infra

MIGRATIONS = {
    "0001_create_log.sql": "CREATE TABLE applied_log (version int NOT NULL, at timestamptz"
    " DEFAULT clock_timestamp()); INSERT INTO applied_log VALUES (1);",
    # The sleep widens the window in which a racing replica could apply it again.
    "0002_slow.sql": "SELECT pg_sleep(0.3); INSERT INTO applied_log VALUES (2);",
    "0003_more.sql": "CREATE TABLE widgets (id int PRIMARY KEY);"
    " INSERT INTO applied_log VALUES (3);",
}

WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from pathlib import Path
    import asyncpg
    from nimbus_core.db import ensure_database
    from nimbus_core.migrations import apply_migrations, migrations_from

    async def main(server, database, dsn, directory, start_at):
        time.sleep(max(0.0, start_at - time.time()))
        await ensure_database(server, database)
        conn = await asyncpg.connect(dsn)
        applied = await apply_migrations(conn, "demo", migrations_from(Path(directory)))
        await conn.close()
        print(json.dumps([m.version for m in applied]))

    asyncio.run(main(*sys.argv[1:5], float(sys.argv[5])))
    """
)


def write_migrations(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


async def test_four_processes_starting_at_once_apply_each_migration_once(
    tmp_path: Path, pg_server: str, database_name: str, fresh_database: str
) -> None:
    directory = write_migrations(tmp_path / "migrations", MIGRATIONS)
    start_at = time.time() + 1.5  # every worker has imported by then, so they race for real
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            pg_server,
            database_name,
            fresh_database,
            str(directory),
            str(start_at),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outputs = [await w.communicate() for w in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr.decode()
    applied_per_worker = [json.loads(stdout) for stdout, _ in outputs]
    assert sorted(v for applied in applied_per_worker for v in applied) == [1, 2, 3]

    conn = await asyncpg.connect(fresh_database)
    try:
        log = await conn.fetch("SELECT version FROM applied_log ORDER BY at")
        recorded = await conn.fetch(
            "SELECT version FROM nimbus_schema_migrations WHERE component = 'demo' ORDER BY 1"
        )
    finally:
        await conn.close()
    assert [r["version"] for r in log] == [1, 2, 3]
    assert [r["version"] for r in recorded] == [1, 2, 3]


async def test_new_migrations_apply_on_top_and_edited_ones_are_refused(
    tmp_path: Path, pg_server: str, database_name: str, fresh_database: str
) -> None:
    directory = write_migrations(tmp_path / "m", dict(list(MIGRATIONS.items())[:1]))
    await ensure_database(pg_server, database_name)
    conn = await asyncpg.connect(fresh_database)
    try:
        first = await apply_migrations(conn, "demo", migrations_from(directory))
        write_migrations(directory, {"0002_second.sql": "INSERT INTO applied_log VALUES (2);"})
        second = await apply_migrations(conn, "demo", migrations_from(directory))
        again = await apply_migrations(conn, "demo", migrations_from(directory))
        assert [m.version for m in first] == [1]
        assert [m.version for m in second] == [2]
        assert again == []

        write_migrations(directory, {"0001_create_log.sql": "SELECT 1;"})
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply_migrations(conn, "demo", migrations_from(directory))
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(
    tmp_path: Path, pg_server: str, database_name: str, fresh_database: str
) -> None:
    directory = write_migrations(
        tmp_path / "m",
        {
            "0001_ok.sql": "CREATE TABLE t (id int);",
            "0002_broken.sql": "CREATE TABLE u (id int); INSERT INTO missing_table VALUES (1);",
        },
    )
    await ensure_database(pg_server, database_name)
    conn = await asyncpg.connect(fresh_database)
    try:
        with pytest.raises(asyncpg.UndefinedTableError):
            await apply_migrations(conn, "demo", migrations_from(directory))
        versions = await conn.fetch("SELECT version FROM nimbus_schema_migrations")
        u_exists = await conn.fetchval("SELECT to_regclass('u') IS NOT NULL")
    finally:
        await conn.close()
    assert [r["version"] for r in versions] == [1]
    assert u_exists is False
