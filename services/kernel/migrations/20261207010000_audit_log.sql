-- migrate:up
-- The audit log of privileged actions, applied into every service's schema like the outbox.
-- Written by `uow.audit(...)` in the same transaction as the action it records; nobody may
-- change or remove an entry afterwards, not even the service itself (the triggers below).
CREATE TABLE audit_log (
    seq         bigserial   PRIMARY KEY,               -- the order entries were written: the keyset of GET /audit
    at          timestamptz NOT NULL,                  -- the service clock's now (uow.now())
    community   text        NOT NULL,                  -- the actor's community: another community never reads it
    actor       text        NOT NULL,                  -- the principal's sub
    actor_roles text[]      NOT NULL,
    action      text        NOT NULL,                  -- e.g. issue.reviewed, rule.changed, prize.restocked
    subject     text,                                  -- the object acted on (an id, a code)
    details     jsonb       NOT NULL DEFAULT '{}'      -- what was decided; never a secret, key, token or pickup code
);
CREATE INDEX audit_log_by_community ON audit_log (community, seq DESC);
CREATE INDEX audit_log_by_action ON audit_log (community, action, seq DESC);
CREATE INDEX audit_log_by_actor ON audit_log (community, actor, seq DESC);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- migrate:down
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
