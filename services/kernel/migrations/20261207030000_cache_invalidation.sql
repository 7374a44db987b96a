-- migrate:up
-- Reference-data caches forgotten by the database (services/kernel/cache.py), applied into every
-- service's schema like the outbox. A service's migration names a cached table once:
--     SELECT cache_invalidated_by('subscriptions', 'subscriptions', 'community');
-- and every committed change of it notifies `cache_<schema>` with '<cache>:<key>' for each key
-- (community) the statement touched, '<cache>:*' when the whole cache is concerned (a TRUNCATE, or
-- a table cached as one entry). NOTIFY is sent on commit only, and every instance of the service
-- LISTENs, so every instance forgets what changed, whichever instance (or psql) changed it.

-- TG_ARGV[0]: the cache's name; TG_ARGV[1]: the column holding the key, absent if the table is one entry.
-- Statement-level: one call per statement, over its transition tables, whatever the rows it changed.
CREATE FUNCTION cache_forget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    channel text := 'cache_' || TG_TABLE_SCHEMA;
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' OR TG_NARGS < 2 THEN
        PERFORM pg_notify(channel, TG_ARGV[0] || ':*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        FOR changed IN EXECUTE format('SELECT DISTINCT %I::text FROM cache_new_rows', TG_ARGV[1]) LOOP
            PERFORM pg_notify(channel, TG_ARGV[0] || ':' || changed);
        END LOOP;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        FOR changed IN EXECUTE format('SELECT DISTINCT %I::text FROM cache_old_rows', TG_ARGV[1]) LOOP
            PERFORM pg_notify(channel, TG_ARGV[0] || ':' || changed);  -- the same payload twice is sent once
        END LOOP;
    END IF;
    RETURN NULL;
END $$;

-- The triggers that make `cache` forget what a change of `tbl` touched, keyed by `key_column`
-- (NULL: the whole table is one entry), for the operations named (all four by default).
-- Transition tables need one trigger per operation; the triggers are named <table>_<cache>_<op>.
CREATE FUNCTION cache_invalidated_by(
    tbl regclass, cache text, key_column text DEFAULT NULL,
    operations text[] DEFAULT '{INSERT,UPDATE,DELETE,TRUNCATE}'
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    op text;
    args text := quote_literal(cache) || coalesce(', ' || quote_literal(key_column), '');
    referencing text;
BEGIN
    FOREACH op IN ARRAY operations LOOP
        referencing := CASE
            WHEN key_column IS NULL OR op = 'TRUNCATE' THEN ''
            WHEN op = 'INSERT' THEN 'REFERENCING NEW TABLE AS cache_new_rows'
            WHEN op = 'UPDATE' THEN 'REFERENCING OLD TABLE AS cache_old_rows NEW TABLE AS cache_new_rows'
            WHEN op = 'DELETE' THEN 'REFERENCING OLD TABLE AS cache_old_rows'
        END;
        EXECUTE format(
            'CREATE TRIGGER %I AFTER %s ON %s %s FOR EACH STATEMENT EXECUTE FUNCTION cache_forget(%s)',
            (tbl::text || '_' || cache || '_' || lower(op)), op, tbl, referencing, args
        );
    END LOOP;
END $$;

-- What a service's down migration calls: the triggers cache_invalidated_by made are dropped.
CREATE FUNCTION cache_not_invalidated_by(tbl regclass, cache text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    op text;
BEGIN
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', tbl::text || '_' || cache || '_' || op, tbl);
    END LOOP;
END $$;

-- migrate:down
DROP FUNCTION cache_not_invalidated_by(regclass, text);
DROP FUNCTION cache_invalidated_by(regclass, text, text, text[]);
DROP FUNCTION cache_forget();
