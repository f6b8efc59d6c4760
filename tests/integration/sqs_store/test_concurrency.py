"""Concurrent consumers: every message delivered, none back after deletion, FIFO order."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict

from nimbus_sqs.model import QueueCounts
from nimbus_sqs.store import MessageStore

from tests.integration.sqs_store.conftest import message, queue


async def test_eight_consumers_take_every_message_once(store: MessageStore) -> None:
    q = queue()
    sent: set[str] = set()
    for start in range(0, 2000, 10):
        results = await store.send(q, [message(f"m{i}") for i in range(start, start + 10)])
        sent |= {r.message_id for r in results}
    assert len(sent) == 2000
    seen: Counter[str] = Counter()
    deleted: set[str] = set()
    back_after_delete: list[str] = []

    async def consumer() -> None:
        empty = 0
        while empty < 3:
            got = await store.receive(q, 10, 30)
            if not got.messages:
                empty += 1
                await asyncio.sleep(0.01)
                continue
            empty = 0
            for m in got.messages:
                seen[m.message_id] += 1
                if m.message_id in deleted:
                    back_after_delete.append(m.message_id)
            await asyncio.gather(*(store.delete(q, m.receipt_handle) for m in got.messages))
            deleted.update(m.message_id for m in got.messages)

    await asyncio.gather(*(consumer() for _ in range(8)))
    assert set(seen) == sent
    assert max(seen.values()) == 1
    assert back_after_delete == []
    assert await store.counts(q) == QueueCounts(0, 0, 0)
    assert (await store.receive(q, 10, 0)).messages == []


async def test_fifo_order_holds_under_four_consumers(store: MessageStore) -> None:
    q = queue(fifo=True)
    groups = [f"g{i}" for i in range(6)]
    for n in range(60):
        await store.send(q, [message(f"{g}:{n:03d}", group=g) for g in groups])
    delivered: dict[str, list[int]] = defaultdict(list)

    async def consumer() -> None:
        empty = 0
        while empty < 3:
            got = await store.receive(q, 10, 30)
            if not got.messages:
                empty += 1
                await asyncio.sleep(0.01)
                continue
            empty = 0
            # The group is ours until these are deleted: record, yield, then delete.
            for m in got.messages:
                group, n = m.body.split(":")
                delivered[group].append(int(n))
            await asyncio.sleep(0)
            for m in got.messages:
                await store.delete(q, m.receipt_handle)

    await asyncio.gather(*(consumer() for _ in range(4)))
    assert {g: delivered[g] for g in groups} == {g: list(range(60)) for g in groups}
    assert await store.counts(q) == QueueCounts(0, 0, 0)
