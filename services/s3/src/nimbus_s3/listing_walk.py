"""The listing walk every S3 list operation shares: prefix range, marker, delimiter roll-up.

The walk reads rows in key order in batches from a source (an index range scan) and turns
them into entries: rows listed as themselves, or CommonPrefixes. A common prefix is
listed once and then skipped in the index (the next batch starts past every key under it),
so a "directory" of a million keys costs one seek, not a million rows. A common prefix at
or before the marker was listed on an earlier page and is skipped too, which keeps
pagination free of repeats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from nimbus_s3.listing_keys import common_prefix, prefix_end

Row = TypeVar("Row")

BATCH_MIN = 32
BATCH_MAX = 1001
# Rows of one common prefix read past before seeking beyond it instead.
SKIP_SEEK = 16


@dataclass(frozen=True)
class Start:
    """Where a batch starts: at or after `key`; with `seq`, first the rows of `key` older
    than seq (versions listings), then the keys after it."""

    key: str
    inclusive: bool
    seq: int | None = None


@dataclass(frozen=True)
class CommonPrefix:
    prefix: str


@dataclass
class Page(Generic[Row]):
    entries: list[Row | CommonPrefix] = field(default_factory=list)
    truncated: bool = False


# fetch(start, end (exclusive, None: unbounded), limit) -> rows in listing order.
Fetch = Callable[[Start, "str | None", int], Awaitable[list[Row]]]


def first_start(prefix: str, marker: str) -> Start:
    """The start of a listing: after the marker, but never before the prefix."""
    if marker and marker >= prefix:
        return Start(marker, inclusive=False)
    return Start(prefix, inclusive=True)


async def walk(
    fetch: Fetch[Row],
    key_of: Callable[[Row], str],
    seq_of: Callable[[Row], int | None],
    *,
    prefix: str,
    delimiter: str,
    start: Start,
    marker: str,
    limit: int,
) -> Page[Row]:
    """Up to `limit` entries from `start`; truncated when at least one more exists."""
    page: Page[Row] = Page()
    if limit <= 0:
        return page
    end = prefix_end(prefix)
    wanted = limit + 1
    position: Start | None = start
    # With a delimiter, batches start small and grow while no big prefix is met, so a
    # listing of large "directories" reads a few rows of each rather than whole batches.
    size = BATCH_MIN if delimiter else BATCH_MAX
    while position is not None and len(page.entries) < wanted:
        batch = min(size, max(BATCH_MIN, wanted - len(page.entries)))
        rows = await fetch(position, end, batch)
        skipping: str | None = None
        skipped = 0
        last: Row | None = None
        seek = False
        for row in rows:
            last = row
            key = key_of(row)
            if skipping is not None:
                if key.startswith(skipping):
                    skipped += 1
                    if skipped > SKIP_SEEK:
                        seek = True  # a big "directory": jump past it in the index
                        break
                    continue
                skipping = None
                skipped = 0
            rolled = common_prefix(key, prefix, delimiter)
            if rolled is None:
                page.entries.append(row)
            else:
                skipping = rolled
                if not (marker and rolled <= marker):
                    page.entries.append(CommonPrefix(rolled))
            if len(page.entries) >= wanted:
                break
        if len(page.entries) >= wanted or last is None:
            break
        size = BATCH_MIN if seek else min(BATCH_MAX, size * 2)
        if len(rows) < batch and not seek:
            position = None  # the range is exhausted
        elif skipping is not None:
            after = prefix_end(skipping)
            position = None if after is None else Start(after, inclusive=True)
        else:
            position = Start(key_of(last), inclusive=False, seq=seq_of(last))
    page.truncated = len(page.entries) > limit
    del page.entries[limit:]
    return page
