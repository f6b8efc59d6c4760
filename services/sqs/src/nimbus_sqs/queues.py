"""The queue repository: the only writer of sqs_queues and sqs_deleted_queues.

Every change commits together with its sqs.queue-events.v1 event (outbox), so gateways drop
their cached queue policy exactly when a change is visible. A queue's dead-letter target is
resolved at every load from its RedrivePolicy's ARN, so a DLQ deleted and re-created under
its name is found again under its new queue_id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias
from urllib.parse import unquote, urlsplit

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.events import new_event
from nimbus_core.outbox import add_event

from nimbus_sqs import attributes, permissions
from nimbus_sqs import redrive as redrive_rules
from nimbus_sqs import tags as queue_tags
from nimbus_sqs.errors import (
    invalid_attribute_value,
    invalid_parameter_value,
    missing_parameter,
    queue_does_not_exist,
)
from nimbus_sqs.model import QueueRecord, Redrive

if TYPE_CHECKING:
    from nimbus_sqs.runtime import SqsRuntime

Executor: TypeAlias = "asyncpg.Connection[asyncpg.Record] | asyncpg.Pool[asyncpg.Record]"
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"

TOPIC = "sqs.queue-events.v1"
SOURCE = "nimbus.sqs"
DETAIL_TYPE = "QueueChanged"

_SELECT = (
    "SELECT q.queue_id::text AS queue_id, q.account, q.region, q.name, q.fifo, q.attributes,"
    " q.tags, q.created_at, q.modified_at, d.queue_id::text AS dlq_id, d.fifo AS dlq_fifo"
    " FROM sqs_queues q LEFT JOIN sqs_queues d"
    " ON d.region = split_part(q.dlq_arn, ':', 4) AND d.account = split_part(q.dlq_arn, ':', 5)"
    " AND d.name = split_part(q.dlq_arn, ':', 6)"
)


class Purger(Protocol):
    """What purge_queue needs of the message store."""

    async def purge(self, queue: QueueRecord) -> None: ...


# ---- errors -------------------------------------------------------------------------------


def queue_name_exists(attribute: str) -> AwsError:
    return AwsError(
        "QueueNameExists",
        f"A queue already exists with the same name and a different value for attribute "
        f"{attribute}",
        400,
    )


def queue_deleted_recently(hold_seconds: float) -> AwsError:
    return AwsError(
        "QueueDeletedRecently",
        f"You must wait {int(hold_seconds)} seconds after deleting a queue before you can "
        "create another with the same name.",
        400,
    )


def purge_in_progress(name: str, hold_seconds: float) -> AwsError:
    return AwsError(
        "PurgeQueueInProgress",
        f"Only one PurgeQueue operation on {name} is allowed every {int(hold_seconds)} seconds.",
        403,
    )


# ---- reading ------------------------------------------------------------------------------


def _json(raw: Any) -> dict[str, str]:
    loaded = json.loads(raw) if isinstance(raw, str) else raw
    return {str(k): str(v) for k, v in (loaded or {}).items()}


def _record(row: asyncpg.Record) -> QueueRecord:
    attrs = _json(row["attributes"])
    redrive = None
    raw_redrive = attrs.get("RedrivePolicy")
    if raw_redrive and row["dlq_id"] is not None:
        target = redrive_rules.parse_redrive_policy(raw_redrive)
        redrive = Redrive(row["dlq_id"], target.arn, row["dlq_fifo"], target.max_receive_count)
    return QueueRecord(
        queue_id=row["queue_id"],
        account=row["account"],
        region=row["region"],
        name=row["name"],
        fifo=row["fifo"],
        attributes=attrs,
        tags=_json(row["tags"]),
        created_at=row["created_at"].timestamp(),
        modified_at=row["modified_at"].timestamp(),
        redrive=redrive,
    )


async def _one(db: Executor, where: str, *args: Any, lock: bool = False) -> QueueRecord | None:
    suffix = " FOR UPDATE OF q" if lock else ""
    row = await db.fetchrow(f"{_SELECT} WHERE {where}{suffix}", *args)
    return None if row is None else _record(row)


def _storable(*texts: str) -> bool:
    return not any("\x00" in t for t in texts)  # PostgreSQL text cannot hold NUL


async def load(db: Executor, account: str, region: str, name: str) -> QueueRecord | None:
    """The queue of that owner, region and name, or None."""
    if not _storable(account, region, name):
        return None
    return await _one(db, "q.account = $1 AND q.region = $2 AND q.name = $3", account, region, name)


async def load_by_id(db: Executor, queue_id: str) -> QueueRecord | None:
    try:
        uuid.UUID(queue_id)
    except (ValueError, TypeError, AttributeError):
        return None
    return await _one(db, "q.queue_id = $1::uuid", queue_id)


async def load_by_arn(db: Executor, arn: str) -> QueueRecord | None:
    """The queue an ARN arn:aws:sqs:<region>:<account>:<name> names, or None."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        return None
    return await load(db, parts[4], parts[3], parts[5])


async def all_queues(db: Executor) -> list[QueueRecord]:
    """Every queue of every account and region (background work: retention, moves)."""
    rows = await db.fetch(f"{_SELECT} ORDER BY q.account, q.region, q.name")
    return [_record(r) for r in rows]


def parse_queue_url(queue_url: Any, default_region: str) -> tuple[str, str, str] | None:
    """(account, region, name) of http://<host>/<acct>/<name> or
    http://sqs.<region>.<host>/<acct>/<name>; None for anything else."""
    if not isinstance(queue_url, str) or not queue_url:
        return None
    split = urlsplit(queue_url if "://" in queue_url else "http://" + queue_url)
    segments = [s for s in split.path.split("/") if s]
    if len(segments) != 2:
        return None
    labels = (split.hostname or "").split(".")
    region = default_region
    if len(labels) > 2 and labels[0] == "sqs":
        region = labels[1]
    elif len(labels) > 2 and labels[1] == "queue":
        region = labels[0]
    return unquote(segments[0]), region, unquote(segments[1])


async def resolve_url(runtime: SqsRuntime, ctx: RequestContext, queue_url: Any) -> QueueRecord:
    """The queue a QueueUrl names. The URL's account is the owner, which may be another
    account than the caller's: the gateway has already authorized the call."""
    parts = parse_queue_url(queue_url, ctx.region)
    if parts is None:
        raise queue_does_not_exist()
    queue = await load(runtime.pool, *parts)
    if queue is None:
        raise queue_does_not_exist()
    return queue


async def list_queues(
    db: Executor, account: str, region: str, prefix: str, after: str, limit: int
) -> list[QueueRecord]:
    """Up to limit queues of one owner and region, by name, with names after `after`."""
    if not _storable(account, region, prefix, after):
        return []
    rows = await db.fetch(
        f"{_SELECT} WHERE q.account = $1 AND q.region = $2 AND starts_with(q.name, $3)"
        " AND q.name > $4 ORDER BY q.name LIMIT $5",
        account,
        region,
        prefix,
        after,
        limit,
    )
    return [_record(r) for r in rows]


async def dead_letter_sources(
    db: Executor, queue: QueueRecord, after: str, limit: int
) -> list[QueueRecord]:
    """Queues whose RedrivePolicy targets this queue, by name, with names after `after`."""
    if not _storable(after):
        return []
    rows = await db.fetch(
        f"{_SELECT} WHERE q.dlq_arn = $1 AND q.name > $2 ORDER BY q.name LIMIT $3",
        queue.arn,
        after,
        limit,
    )
    return [_record(r) for r in rows]


# ---- events -------------------------------------------------------------------------------


async def queue_changed(
    conn: asyncpg.Connection[asyncpg.Record], queue: QueueRecord, change: str
) -> None:
    """Announce a change (created|deleted|attributes|tags|purged) in the change's transaction."""
    event = new_event(
        source=SOURCE,
        detail_type=DETAIL_TYPE,
        account=queue.account,
        region=queue.region,
        detail={
            "queueArn": queue.arn,
            "account": queue.account,
            "region": queue.region,
            "name": queue.name,
            "change": change,
        },
        resources=[queue.arn],
    )
    await add_event(conn, TOPIC, event, key=queue.arn)


# ---- writing ------------------------------------------------------------------------------


def _dlq_arn(attrs: Mapping[str, str]) -> str | None:
    raw = attrs.get("RedrivePolicy")
    return redrive_rules.parse_redrive_policy(raw).arn if raw else None


async def _check_redrive(
    conn: asyncpg.Connection[asyncpg.Record],
    changes: Mapping[str, str],
    source: QueueRecord | redrive_rules.NewSource,
) -> None:
    raw = changes.get("RedrivePolicy")
    if not raw:
        return
    target = await load_by_arn(conn, redrive_rules.parse_redrive_policy(raw).arn)
    redrive_rules.check_dead_letter_target(raw, source, target)


async def create_queue(
    pool: Pool,
    *,
    account: str,
    region: str,
    name: Any,
    requested: Any,
    tags: Any,
    deleted_hold_seconds: float,
) -> QueueRecord:
    """CreateQueue: the new queue, or the existing one when every requested attribute
    matches it (QueueNameExists otherwise)."""
    queue_name = attributes.validate_queue_name(name)
    raw = attributes.as_strings(requested)
    fifo = attributes.is_fifo_request(queue_name, raw)
    attributes.check_names(raw, fifo)
    attributes.check_queue_name(queue_name, fifo)
    changes = attributes.validate_changes(raw, fifo=fifo, creating=True)
    tag_map = queue_tags.validate_tags(tags, required=False)
    queue_tags.check_tag_count(queue_name, tag_map)
    if not _storable(account, region, *changes.values(), *tag_map, *tag_map.values()):
        raise invalid_attribute_value("Attributes")
    async with pool.acquire() as conn, conn.transaction():
        existing = await load(conn, account, region, queue_name)
        if existing is not None:
            return _same_or_raise(existing, changes)
        recently = await conn.fetchval(
            "SELECT 1 FROM sqs_deleted_queues WHERE account = $1 AND region = $2 AND name = $3"
            " AND deleted_at > now() - make_interval(secs => $4)",
            account,
            region,
            queue_name,
            deleted_hold_seconds,
        )
        if recently:
            raise queue_deleted_recently(deleted_hold_seconds)
        await conn.execute(  # the hold is over: forget the deletion
            "DELETE FROM sqs_deleted_queues WHERE account = $1 AND region = $2 AND name = $3",
            account,
            region,
            queue_name,
        )
        await _check_redrive(
            conn, changes, redrive_rules.new_source(account, region, queue_name, fifo)
        )
        merged = attributes.merge(attributes.initial_attributes(fifo), changes)
        inserted = await conn.fetchval(
            "INSERT INTO sqs_queues (queue_id, account, region, name, fifo, attributes, tags,"
            " dlq_arn) VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)"
            " ON CONFLICT (account, region, name) DO NOTHING RETURNING queue_id",
            str(uuid.uuid4()),
            account,
            region,
            queue_name,
            fifo,
            json.dumps(merged),
            json.dumps(tag_map),
            _dlq_arn(merged),
        )
        if inserted is None:  # created by a concurrent request since our look
            raced = await load(conn, account, region, queue_name)
            if raced is None:  # and deleted again already
                raise queue_deleted_recently(deleted_hold_seconds)
            return _same_or_raise(raced, changes)
        queue = await load(conn, account, region, queue_name)
        assert queue is not None
        await queue_changed(conn, queue, "created")
        return queue


def _same_or_raise(existing: QueueRecord, changes: Mapping[str, str]) -> QueueRecord:
    differs = attributes.differing(existing.attributes, changes)
    if differs is not None:
        raise queue_name_exists(differs)
    return existing


async def delete_queue(pool: Pool, queue: QueueRecord) -> None:
    """DeleteQueue's metadata part: the row goes, the name is held for a while. The caller
    drops the messages once this has committed."""
    async with pool.acquire() as conn, conn.transaction():
        gone = await conn.fetchval(
            "DELETE FROM sqs_queues WHERE queue_id = $1::uuid RETURNING queue_id", queue.queue_id
        )
        if gone is None:
            raise queue_does_not_exist()
        await conn.execute(
            "INSERT INTO sqs_deleted_queues (account, region, name, deleted_at)"
            " VALUES ($1, $2, $3, now()) ON CONFLICT (account, region, name)"
            " DO UPDATE SET deleted_at = now()",
            queue.account,
            queue.region,
            queue.name,
        )
        await queue_changed(conn, queue, "deleted")


async def _locked(conn: asyncpg.Connection[asyncpg.Record], queue: QueueRecord) -> QueueRecord:
    current = await _one(conn, "q.queue_id = $1::uuid", queue.queue_id, lock=True)
    if current is None:
        raise queue_does_not_exist()
    return current


async def _store_attributes(
    conn: asyncpg.Connection[asyncpg.Record], queue: QueueRecord, merged: Mapping[str, str]
) -> QueueRecord:
    await conn.execute(
        "UPDATE sqs_queues SET attributes = $2::jsonb, dlq_arn = $3, modified_at = now()"
        " WHERE queue_id = $1::uuid",
        queue.queue_id,
        json.dumps(dict(merged)),
        _dlq_arn(merged),
    )
    updated = await _locked(conn, queue)
    await queue_changed(conn, updated, "attributes")
    return updated


async def set_attributes(pool: Pool, queue: QueueRecord, requested: Any) -> QueueRecord:
    """SetQueueAttributes: validate against the queue's type, apply, announce."""
    raw = attributes.as_strings(requested)
    changes = attributes.validate_changes(raw, fifo=queue.fifo, creating=False)
    if not changes:
        return queue
    if not _storable(*changes.values()):
        raise invalid_attribute_value("Attributes")
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, queue)
        await _check_redrive(conn, changes, current)
        merged = attributes.merge(current.attributes, changes)
        return await _store_attributes(conn, current, merged)


async def add_permission(
    pool: Pool, queue: QueueRecord, label: Any, account_ids: Any, actions: Any
) -> QueueRecord:
    """AddPermission: a labelled statement in the queue's Policy."""
    checked_label = permissions.check_label(label)
    accounts, granted = permissions.check_grant(account_ids, actions)
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, queue)
        before = current.attributes.get("Policy")
        policy = permissions.add_permission(before, current.arn, checked_label, accounts, granted)
        if policy == before:
            return current
        return await _store_attributes(conn, current, {**current.attributes, "Policy": policy})


async def remove_permission(pool: Pool, queue: QueueRecord, label: Any) -> QueueRecord:
    """RemovePermission: drop the labelled statement (and the Policy once it is empty)."""
    if label is None or label == "":
        raise missing_parameter("Label")
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, queue)
        policy = permissions.remove_permission(current.attributes.get("Policy"), str(label))
        merged = dict(current.attributes)
        if policy is None:
            merged.pop("Policy", None)
        else:
            merged["Policy"] = policy
        return await _store_attributes(conn, current, merged)


async def tag_queue(pool: Pool, queue: QueueRecord, tags: Any) -> None:
    """TagQueue: add or overwrite tags, at most 50 in all."""
    new = queue_tags.validate_tags(tags, required=True)
    if not _storable(*new, *new.values()):
        raise invalid_parameter_value("Tags must not contain NUL characters.")
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, queue)
        merged = {**current.tags, **new}
        queue_tags.check_tag_count(current.name, merged)
        await _store_tags(conn, current, merged)


async def untag_queue(pool: Pool, queue: QueueRecord, tag_keys: Any) -> None:
    """UntagQueue: remove the keys present; absent ones are no error."""
    keys = queue_tags.validate_tag_keys(tag_keys)
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, queue)
        remaining = {k: v for k, v in current.tags.items() if k not in keys}
        if remaining != current.tags:
            await _store_tags(conn, current, remaining)


async def _store_tags(
    conn: asyncpg.Connection[asyncpg.Record], queue: QueueRecord, tags: Mapping[str, str]
) -> None:
    await conn.execute(
        "UPDATE sqs_queues SET tags = $2::jsonb WHERE queue_id = $1::uuid",
        queue.queue_id,
        json.dumps(dict(tags)),
    )
    await queue_changed(conn, queue, "tags")


async def purge_queue(pool: Pool, store: Purger, queue: QueueRecord, hold_seconds: float) -> None:
    """PurgeQueue: at most once per hold; the messages go before the purge commits, so a
    failed purge leaves no hold behind."""
    async with pool.acquire() as conn, conn.transaction():
        claimed = await conn.fetchval(
            "UPDATE sqs_queues SET purged_at = now() WHERE queue_id = $1::uuid"
            " AND (purged_at IS NULL OR purged_at <= now() - make_interval(secs => $2))"
            " RETURNING queue_id",
            queue.queue_id,
            hold_seconds,
        )
        if claimed is None:
            if await load_by_id(conn, queue.queue_id) is None:
                raise queue_does_not_exist()
            raise purge_in_progress(queue.name, hold_seconds)
        await queue_changed(conn, queue, "purged")
        await store.purge(queue)
