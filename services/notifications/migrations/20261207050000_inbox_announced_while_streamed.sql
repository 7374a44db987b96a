-- migrate:up
-- An inbox item announces itself only while some instance has a live stream open. Every NOTIFY
-- wakes every listening backend of the database (each service's LISTEN connection, not only this
-- one's) and the notifications process that hears it, for each item, so with nobody streaming
-- (the usual case: a phone opens the stream while the app is in front) it was all spent on nothing.
-- An instance with open streams keeps its row here fresh (adapters/hub.py); a row outlives an
-- instance that died by at most its `until`, and meanwhile items are announced as before.
CREATE TABLE live_inbox_listeners (
    instance text        PRIMARY KEY,
    until    timestamptz NOT NULL
);
-- Instances started before this migration keep no row: in a rolling deploy their open streams hear
-- nothing new until a new instance has a stream open or they are replaced (a client reconnecting to
-- a new instance reads its unread count again in 'ready').

-- The writer holds the shared lock until it commits, so a new listener can wait for every writer
-- that checked before its row existed (hub.py, `_BARRIER`) and then count what they wrote.
-- The schema is fixed at creation: whoever inserts an inbox row, whatever their search_path.
CREATE OR REPLACE FUNCTION inbox_announce() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('linli.live_inbox_listeners', 0));
    IF EXISTS (SELECT 1 FROM live_inbox_listeners WHERE until > now()) THEN
        PERFORM pg_notify('notifications_inbox', json_build_object('recipient', NEW.recipient, 'id', NEW.id)::text);
    END IF;
    RETURN NULL;
END $$;

-- migrate:down
CREATE OR REPLACE FUNCTION inbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications_inbox', json_build_object('recipient', NEW.recipient, 'id', NEW.id)::text);
    RETURN NULL;
END $$;
DROP TABLE live_inbox_listeners;
