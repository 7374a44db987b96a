-- migrate:up
-- An inbox item announces itself to the live streams (adapters/hub.py, LISTEN notifications_inbox)
-- when its transaction commits: a row trigger instead of a pg_notify round trip per message from
-- the consumer, and every way an inbox row is written is announced alike.
CREATE FUNCTION inbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications_inbox', json_build_object('recipient', NEW.recipient, 'id', NEW.id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_announce AFTER INSERT ON notifications
    FOR EACH ROW WHEN (NEW.channel = 'inbox') EXECUTE FUNCTION inbox_announce();

-- migrate:down
DROP TRIGGER inbox_announce ON notifications;
DROP FUNCTION inbox_announce();
