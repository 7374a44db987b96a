-- migrate:up
-- A process that publishes its own commits (publisher.py) needs no wake-up for them: its relay is
-- the safety net and ignored every NOTIFY, yet each one still cost PostgreSQL a notification queue
-- entry and a signal, and every listening process a wake-up (measured at 100 commits/s: ~170 us of
-- PostgreSQL and ~260 us of the listener's process a commit). Its connections say so with
-- `linli.outbox_notify = off` (db.create_pool); any other writer (psql, a tool, a process that
-- leaves its commits to the relay) still wakes the relays.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('linli.outbox_notify', true) IS DISTINCT FROM 'off' THEN
        PERFORM pg_notify('outbox_' || TG_TABLE_SCHEMA, '');
    END IF;
    RETURN NULL;
END $$;

-- migrate:down
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;
