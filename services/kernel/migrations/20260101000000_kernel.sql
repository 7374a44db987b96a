-- migrate:up
-- The messaging kernel's tables, applied into every service's schema.

-- Transactional outbox: written in the same transaction as the state change it reports.
CREATE TABLE outbox (
    seq          bigserial PRIMARY KEY,
    id           uuid        NOT NULL UNIQUE,          -- the CloudEvent id, also the Nats-Msg-Id
    subject      text        NOT NULL,                 -- linli.<community>.<entity>.<verb>
    event_type   text        NOT NULL,
    community    text        NOT NULL,
    payload      bytea       NOT NULL,                 -- the CloudEvent, JSON, exactly as published
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0
);
-- The relay only ever scans what is still to be published.
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- One notification per committing statement wakes the relays (LISTEN outbox_<schema>).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Idempotent consumers: the effect of an event and this row commit together.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    event_type   text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- migrate:down
DROP TABLE processed_events;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
