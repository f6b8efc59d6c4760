-- The transactional outbox: events written in the same transaction as the change they
-- describe, published to Kafka by the relay, then deleted.
CREATE TABLE nimbus_outbox (
    id         bigserial   PRIMARY KEY,
    event_id   uuid        NOT NULL,
    topic      text        NOT NULL,
    key        bytea,
    payload    bytea       NOT NULL,
    headers    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Events a consumer has already processed, so redelivery has no second effect.
CREATE TABLE nimbus_processed_events (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
