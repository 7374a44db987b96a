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

-- The schema is fixed at creation: whoever inserts an inbox row, whatever their search_path.
CREATE OR REPLACE FUNCTION inbox_announce() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
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
