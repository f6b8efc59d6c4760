"""The per-entry half of SQS's batch operations: a bad entry fails alone.

AWS answers a batch with 200 and two lists: Successful, and Failed entries carrying the
entry's Id, the error Code, its Message and SenderFault. Only request-level problems
(validation.check_batch_entries, an oversized SendMessageBatch, a missing queue) fail the
whole call. An empty list is left out, as AWS's JSON replies leave it out since 2023 (SDKs
such as Java v2's hasFailed() rely on that).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from nimbus_core.errors import AwsError

T = TypeVar("T")
Entry = Mapping[str, Any]


def failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    """One Failed[] item: what the error would have said had the entry been sent alone."""
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }


@dataclass
class BatchResult:
    """Successful and Failed items, kept in the order of the request's entries."""

    _slots: dict[int, tuple[bool, dict[str, Any]]] = field(default_factory=dict)

    def succeed(self, index: int, item: dict[str, Any]) -> None:
        self._slots[index] = (True, item)

    def fail(self, index: int, entry_id: str, error: AwsError) -> None:
        self._slots[index] = (False, failure(entry_id, error))

    def output(self) -> dict[str, Any]:
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for index in sorted(self._slots):
            ok, item = self._slots[index]
            (successful if ok else failed).append(item)
        output: dict[str, Any] = {}
        if successful:
            output["Successful"] = successful
        if failed:
            output["Failed"] = failed
        return output


def prepare(
    entries: Sequence[Entry], build: Callable[[int, Entry], T], result: BatchResult
) -> list[tuple[int, T]]:
    """Validate every entry with `build` (1-based position, entry); an AwsError marks that
    entry failed in `result`, the others come back as (index, built value) in order.
    """
    ready: list[tuple[int, T]] = []
    for index, entry in enumerate(entries):
        try:
            ready.append((index, build(index + 1, entry)))
        except AwsError as error:
            result.fail(index, str(entry["Id"]), error)
    return ready


async def run_each(
    entries: Sequence[Entry], action: Callable[[int, Entry], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """Run `action` on every entry concurrently; an AwsError fails only its entry, any
    other exception fails the request (an internal error is not the sender's fault).
    """
    result = BatchResult()

    async def one(index: int, entry: Entry) -> None:
        try:
            result.succeed(index, await action(index + 1, entry))
        except AwsError as error:
            result.fail(index, str(entry["Id"]), error)

    await asyncio.gather(*(one(index, entry) for index, entry in enumerate(entries)))
    return result.output()
