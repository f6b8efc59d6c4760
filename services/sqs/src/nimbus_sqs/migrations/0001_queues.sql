-- Queue metadata. Messages live in Redis (store.py), keyed by queue_id: a re-created queue
-- gets a new queue_id and so starts empty.
CREATE TABLE sqs_queues (
    queue_id    uuid        PRIMARY KEY,
    account     text        NOT NULL,
    region      text        NOT NULL,
    name        text        NOT NULL,
    fifo        boolean     NOT NULL,
    -- every settable attribute, effective value, as strings (AWS's names)
    attributes  jsonb       NOT NULL,
    tags        jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    purged_at   timestamptz,
    -- RedrivePolicy's deadLetterTargetArn, kept beside the JSON so that a queue's dead-letter
    -- sources (ListDeadLetterSourceQueues) are one indexed lookup
    dlq_arn     text,
    UNIQUE (account, region, name)
);

CREATE INDEX sqs_queues_dlq_arn ON sqs_queues (dlq_arn) WHERE dlq_arn IS NOT NULL;

-- Names deleted recently: CreateQueue refuses them for a while (QueueDeletedRecently).
CREATE TABLE sqs_deleted_queues (
    account    text        NOT NULL,
    region     text        NOT NULL,
    name       text        NOT NULL,
    deleted_at timestamptz NOT NULL,
    PRIMARY KEY (account, region, name)
);
