"""One replica's move worker alone, as its own process (for the kill -9 test).

argv: database name, db prefix. Prints "ready" once the worker loop runs.
"""

from __future__ import annotations

import asyncio
import sys

from nimbus_core import db, kafka
from nimbus_core.runtime import Resources
from nimbus_sqs import mover
from nimbus_sqs.settings import SqsSettings

from tests.conftest import KAFKA, REDIS


async def main(database: str, prefix: str) -> None:
    settings = SqsSettings(
        pg_database=database,
        db_prefix=prefix,
        redis_url=REDIS,
        kafka_bootstrap=KAFKA,
        sqs_move_interval_seconds=0.1,
    )
    pool = await db.create_pool(settings.database_dsn, max_size=4)
    producer = kafka.make_producer(KAFKA, "sqs-move-victim")  # never started
    resources = Resources(settings=settings, pool=pool, producer=producer, stop=asyncio.Event())
    print("ready", flush=True)
    await mover.run_forever(resources)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
