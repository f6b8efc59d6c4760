"""The lifecycle actions on one bucket: what each rule finds due, and removes.

Candidates are found with index range scans over the rule's prefix, in pages; each removal
runs in a short transaction of its own that re-checks the key under its lock before
calling versions.delete_key (which writes the "Object Deleted" event, reason "Lifecycle
Expiration"). A version Object Lock protects stays, as on S3.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError

from nimbus_s3.buckets import Bucket
from nimbus_s3.lifecycle_rules import Rule, cutoff, noncurrent_expired
from nimbus_s3.listing_keys import prefix_end
from nimbus_s3.versions import delete_key, lock_key

log = logging.getLogger(__name__)

PAGE = 500
REASON = "Lifecycle Expiration"


def _tags(raw: Any) -> dict[str, str]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value or {})


def key_range(prefix: str, first: int) -> tuple[str, list[Any]]:
    """SQL (key >= prefix AND key < end) with parameters numbered from `first`."""
    end = prefix_end(prefix)
    if end is None:
        return f"key >= ${first}", [prefix]
    return f"key >= ${first} AND key < ${first + 1}", [prefix, end]


class LifecycleActions:
    def __init__(
        self,
        conn: asyncpg.Connection,
        bucket: Bucket,
        ctx: RequestContext,
        scale: float,
        now: datetime,
    ) -> None:
        self.conn = conn
        self.bucket = bucket
        self.ctx = ctx
        self.scale = scale
        self.now = now
        self.removed = 0

    async def apply(self, rule: Rule) -> None:
        if rule.expiration_days is not None or rule.expiration_date is not None:
            await self.expire_current(rule)
        if rule.expiration_days is not None or rule.expired_delete_marker:
            await self.expire_delete_markers(rule)
        if rule.noncurrent_days is not None:
            await self.expire_noncurrent(rule)
        if rule.abort_days is not None:
            await self.abort_uploads(rule)

    async def _pages(self, sql: str, args: list[Any]) -> Any:
        """Rows of a key-ordered query in pages: sql has `key > $after` as its last filter
        parameter slot named {after}, and LIMIT {limit}."""
        after = ""
        while True:
            rows = await self.conn.fetch(sql, *args, after, PAGE)
            for row in rows:
                yield row
            if len(rows) < PAGE:
                return
            after = rows[-1]["key"]

    # --- current versions -------------------------------------------------------------

    async def expire_current(self, rule: Rule) -> None:
        if rule.expiration_days is not None:
            limit = cutoff(self.now, rule.expiration_days, self.scale)
        elif rule.expiration_date is not None and self.now >= rule.expiration_date:
            limit = self.now
        else:
            return
        where, args = key_range(rule.prefix, 3)
        n = len(args) + 3
        sql = (
            "SELECT key, tags, size FROM s3_objects WHERE bucket = $1 AND is_latest"
            f" AND NOT delete_marker AND last_modified <= $2 AND {where} AND key > ${n}"
            f" ORDER BY key LIMIT ${n + 1}"
        )
        async for row in self._pages(sql, [self.bucket.name, limit, *args]):
            if rule.matches(row["key"], _tags(row["tags"]), row["size"]):
                await self._expire_current_key(rule, row["key"], limit)

    async def _expire_current_key(self, rule: Rule, key: str, limit: datetime) -> None:
        try:
            async with self.conn.transaction():
                await lock_key(self.conn, self.bucket.name, key)
                row = await self.conn.fetchrow(
                    "SELECT tags, size, last_modified FROM s3_objects WHERE bucket = $1"
                    " AND key = $2 AND is_latest AND NOT delete_marker",
                    self.bucket.name,
                    key,
                )
                if row is None or row["last_modified"] > limit:
                    return
                if not rule.matches(key, _tags(row["tags"]), row["size"]):
                    return
                await delete_key(self.conn, self.bucket, key, None, self.ctx, reason=REASON)
                self.removed += 1
        except AwsError as exc:  # Object Lock keeps it
            log.info("lifecycle expiration skipped", extra={"key": key, "error": exc.code})

    # --- delete markers ---------------------------------------------------------------

    async def expire_delete_markers(self, rule: Rule) -> None:
        """Remove delete markers that are the only version left of their key (for a Days
        rule, once they are that old, as S3 does)."""
        if rule.expiration_days is not None:
            limit = cutoff(self.now, rule.expiration_days, self.scale)
        else:
            limit = self.now
        where, args = key_range(rule.prefix, 3)
        n = len(args) + 3
        sql = (
            "SELECT key, version_id FROM s3_objects o WHERE bucket = $1 AND is_latest"
            f" AND delete_marker AND last_modified <= $2 AND {where} AND key > ${n}"
            " AND NOT EXISTS (SELECT 1 FROM s3_objects v WHERE v.bucket = o.bucket"
            " AND v.key = o.key AND v.version_id <> o.version_id)"
            f" ORDER BY key LIMIT ${n + 1}"
        )
        async for row in self._pages(sql, [self.bucket.name, limit, *args]):
            if rule.matches_marker(row["key"]):
                await self._remove_lone_marker(row["key"], row["version_id"])

    async def _remove_lone_marker(self, key: str, version_id: str) -> None:
        try:
            async with self.conn.transaction():
                await lock_key(self.conn, self.bucket.name, key)
                versions = await self.conn.fetch(
                    "SELECT version_id, delete_marker FROM s3_objects"
                    " WHERE bucket = $1 AND key = $2",
                    self.bucket.name,
                    key,
                )
                lone = (
                    len(versions) == 1
                    and versions[0]["version_id"] == version_id
                    and versions[0]["delete_marker"]
                )
                if lone:
                    await delete_key(
                        self.conn, self.bucket, key, version_id, self.ctx, reason=REASON
                    )
                    self.removed += 1
        except AwsError as exc:
            log.info("lifecycle marker removal skipped", extra={"key": key, "error": exc.code})

    # --- noncurrent versions ------------------------------------------------------------

    async def expire_noncurrent(self, rule: Rule) -> None:
        where, args = key_range(rule.prefix, 2)
        n = len(args) + 2
        keys_sql = (
            "SELECT DISTINCT key FROM s3_objects WHERE bucket = $1 AND NOT is_latest"
            f" AND {where} AND key > ${n} ORDER BY key LIMIT ${n + 1}"
        )
        batch: list[str] = []
        async for row in self._pages(keys_sql, [self.bucket.name, *args]):
            batch.append(row["key"])
            if len(batch) >= 100:
                await self._noncurrent_batch(rule, batch)
                batch = []
        if batch:
            await self._noncurrent_batch(rule, batch)

    async def _noncurrent_batch(self, rule: Rule, keys: list[str]) -> None:
        rows = await self.conn.fetch(
            "SELECT key, version_id, delete_marker, size, tags, is_latest,"
            " lag(last_modified) OVER w AS newer_modified, row_number() OVER w AS rank"
            " FROM s3_objects WHERE bucket = $1 AND key = ANY($2::text[])"
            " WINDOW w AS (PARTITION BY key ORDER BY seq DESC) ORDER BY key, seq DESC",
            self.bucket.name,
            keys,
        )
        due: dict[str, list[str]] = {}
        for row in rows:
            if row["rank"] < 2 or row["newer_modified"] is None:
                continue  # the current version (or the newest, if none is latest)
            key = row["key"]
            if row["delete_marker"]:
                selected = rule.matches_marker(key)
            else:
                selected = rule.matches(key, _tags(row["tags"]), row["size"])
            position = int(row["rank"]) - 1
            if selected and noncurrent_expired(
                rule, position, row["newer_modified"], self.now, self.scale
            ):
                due.setdefault(key, []).append(row["version_id"])
        for key, version_ids in due.items():
            await self._remove_versions(key, version_ids)

    async def _remove_versions(self, key: str, version_ids: list[str]) -> None:
        for version_id in version_ids:
            try:
                async with self.conn.transaction():
                    await lock_key(self.conn, self.bucket.name, key)
                    still_noncurrent = await self.conn.fetchval(
                        "SELECT NOT is_latest FROM s3_objects WHERE bucket = $1 AND key = $2"
                        " AND version_id = $3",
                        self.bucket.name,
                        key,
                        version_id,
                    )
                    if still_noncurrent:
                        await delete_key(
                            self.conn, self.bucket, key, version_id, self.ctx, reason=REASON
                        )
                        self.removed += 1
            except AwsError as exc:  # Object Lock keeps it
                log.info(
                    "lifecycle noncurrent expiration skipped",
                    extra={"key": key, "error": exc.code},
                )

    # --- incomplete multipart uploads ---------------------------------------------------

    async def abort_uploads(self, rule: Rule) -> None:
        """AbortIncompleteMultipartUpload: by prefix only (S3 refuses tag filters with it)."""
        if rule.filters_on_properties or rule.abort_days is None:
            return
        limit = cutoff(self.now, rule.abort_days, self.scale)
        where, args = key_range(rule.prefix, 3)
        status = await self.conn.execute(
            f"DELETE FROM s3_uploads WHERE bucket = $1 AND initiated_at <= $2 AND {where}",
            self.bucket.name,
            limit,
            *args,
        )
        self.removed += int(status.split()[-1])
