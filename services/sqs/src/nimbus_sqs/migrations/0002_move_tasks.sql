-- Message move tasks (StartMessageMoveTask): one row per task, the progress the worker
-- persists as it moves, and the key of the advisory lock that lets exactly one replica run
-- a task at a time (mover.py).
CREATE TABLE sqs_move_tasks (
    task_id              uuid        PRIMARY KEY,
    -- pg_try_advisory_lock(namespace, lock_key): unique per task, so tasks never share a lock.
    lock_key             integer     GENERATED ALWAYS AS IDENTITY UNIQUE,
    source_arn           text        NOT NULL,
    -- The DLQ as it was when the task started: a re-created queue (new id) is another queue.
    source_queue_id      uuid        NOT NULL,
    destination_arn      text,
    destination_queue_id uuid,
    max_per_second       integer,
    status               text        NOT NULL
        CHECK (status IN ('RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED')),
    moved                bigint      NOT NULL DEFAULT 0,
    to_move              bigint      NOT NULL,
    failure_reason       text,
    started_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at           timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- AWS allows one active task per source queue; the index makes that hold across replicas.
CREATE UNIQUE INDEX sqs_move_tasks_one_active ON sqs_move_tasks (source_queue_id)
    WHERE status IN ('RUNNING', 'CANCELLING');

-- ListMessageMoveTasks: a source's most recent tasks first.
CREATE INDEX sqs_move_tasks_recent ON sqs_move_tasks (source_queue_id, started_at DESC);
