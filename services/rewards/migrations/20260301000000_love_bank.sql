-- migrate:up
-- The love bank (爱心银行): a double-entry points ledger the database itself keeps honest.
--
-- Guarantees enforced here, not only in code:
--   * every transaction's postings sum to zero and it has at least two (deferred constraint triggers);
--   * transactions, postings, awards and honours are immutable (triggers refuse UPDATE, DELETE, TRUNCATE);
--   * cached balances are maintained by the posting trigger only, so they always equal the sum of postings,
--     and a person's (or the reserved pool's) balance can never go below zero (CHECK on the cached row);
--   * an award happens once per (source event, recipient, rule) (UNIQUE).

CREATE SEQUENCE volunteer_numbers;

CREATE TABLE accounts (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    community       text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('person', 'issuance', 'reserved', 'redeemed', 'adjustments')),
    person_id       text,
    volunteer_no    text,
    building_group  integer     CHECK (building_group BETWEEN 1 AND 6),
    balance         bigint      NOT NULL DEFAULT 0,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT person_accounts_name_a_person CHECK ((kind = 'person') = (person_id IS NOT NULL)),
    CONSTRAINT balance_never_negative CHECK (kind NOT IN ('person', 'reserved') OR balance >= 0),
    UNIQUE NULLS NOT DISTINCT (community, kind, person_id)
);
CREATE UNIQUE INDEX accounts_volunteer_no ON accounts (community, volunteer_no) WHERE volunteer_no IS NOT NULL;
CREATE INDEX accounts_group ON accounts (community, building_group) WHERE kind = 'person';

CREATE TABLE transactions (
    id                uuid        PRIMARY KEY,
    seq               bigserial   NOT NULL UNIQUE,
    community         text        NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('award', 'adjustment', 'reservation', 'fulfilment', 'refund', 'reversal')),
    person_id         text,
    memo              jsonb       NOT NULL DEFAULT '{}'::jsonb,   -- human explanation keyed by language
    reason            text,
    actor_id          text,
    reverses          uuid        UNIQUE REFERENCES transactions (id),
    redemption_id     uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT manual_needs_reason CHECK (kind NOT IN ('adjustment', 'reversal') OR (reason IS NOT NULL AND actor_id IS NOT NULL))
);
CREATE INDEX transactions_person ON transactions (community, person_id, created_at);

CREATE TABLE postings (
    id              bigserial   PRIMARY KEY,
    transaction_id  uuid        NOT NULL REFERENCES transactions (id),
    account_id      uuid        NOT NULL REFERENCES accounts (id),
    amount          bigint      NOT NULL CHECK (amount <> 0),
    balance_after   bigint      NOT NULL,      -- the account's running balance, set by the trigger
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- Statements page through one account newest first: keyset on (account_id, id).
CREATE INDEX postings_account ON postings (account_id, id);
CREATE INDEX postings_transaction ON postings (transaction_id);

-- Awards: one row per (source event, recipient, rule), even when the daily cap left nothing to credit.
CREATE TABLE awards (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    community         text        NOT NULL,
    person_id         text        NOT NULL,
    source_event_id   uuid        NOT NULL,
    source_event_type text        NOT NULL,
    rule_id           text        NOT NULL,
    rule_version      integer     NOT NULL,
    cap_version       integer,
    computed_points   integer     NOT NULL CHECK (computed_points >= 0),
    points            integer     NOT NULL CHECK (points >= 0 AND points <= computed_points),
    capped_points     integer     GENERATED ALWAYS AS (computed_points - points) STORED,
    hours             numeric(8, 2) NOT NULL DEFAULT 0,
    night_hours       numeric(8, 2) NOT NULL DEFAULT 0,
    post_type         text,
    service_day       date        NOT NULL,
    building_group    integer,
    explanation       jsonb       NOT NULL,
    -- Deferred: the award row is written first, so a duplicate is refused before any posting exists.
    transaction_id    uuid        REFERENCES transactions (id) DEFERRABLE INITIALLY DEFERRED,
    awarded_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT award_once UNIQUE (source_event_id, person_id, rule_id)
);
CREATE INDEX awards_person ON awards (community, person_id, awarded_at DESC, id DESC);
CREATE INDEX awards_day ON awards (community, person_id, service_day);

-- No-shows cost nothing but are counted.
CREATE TABLE no_shows (
    participation_id uuid        PRIMARY KEY,
    community        text        NOT NULL,
    person_id        text        NOT NULL,
    shift_id         uuid        NOT NULL,
    post_type        text        NOT NULL,
    recorded_at      timestamptz NOT NULL
);
CREATE INDEX no_shows_person ON no_shows (community, person_id);

-- Award rules: data, versioned. Editing inserts a new version; the newest version is in force.
CREATE TABLE rules (
    community    text        NOT NULL,
    rule_id      text        NOT NULL,
    version      integer     NOT NULL CHECK (version >= 1),
    trigger      text        NOT NULL,
    params       jsonb       NOT NULL,
    title        jsonb       NOT NULL,
    active       boolean     NOT NULL DEFAULT true,
    reason       text,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community, rule_id, version)
);

CREATE TABLE prizes (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    community     text        NOT NULL,
    code          text        NOT NULL,
    name_zh       text        NOT NULL,
    name_en       text        NOT NULL,
    description   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    cost          integer     NOT NULL CHECK (cost > 0),
    stock         integer     NOT NULL CHECK (stock >= 0),
    active_from   timestamptz,
    active_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (community, code),
    CHECK (active_until IS NULL OR active_from IS NULL OR active_until > active_from)
);

CREATE TABLE redemptions (
    id              uuid        PRIMARY KEY,
    community       text        NOT NULL,
    person_id       text        NOT NULL,
    prize_id        uuid        NOT NULL REFERENCES prizes (id),
    points          integer     NOT NULL CHECK (points > 0),
    status          text        NOT NULL CHECK (status IN ('reserved', 'fulfilled', 'cancelled')),
    pickup_code     text        NOT NULL,
    reserve_tx      uuid        NOT NULL REFERENCES transactions (id),
    settle_tx       uuid        REFERENCES transactions (id),
    reserved_at     timestamptz NOT NULL DEFAULT now(),
    settled_at      timestamptz,
    settled_by      text,
    cancel_reason   text,
    idempotency_key text,           -- the client's Idempotency-Key: a retried request reserves once
    CHECK ((status = 'reserved') = (settle_tx IS NULL))
);
CREATE UNIQUE INDEX redemptions_idempotency ON redemptions (community, person_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX redemptions_open_code ON redemptions (community, pickup_code) WHERE status = 'reserved';
CREATE INDEX redemptions_person ON redemptions (community, person_id, reserved_at DESC, id DESC);
CREATE INDEX redemptions_all ON redemptions (community, reserved_at DESC, id DESC);

CREATE TABLE honours (
    id              uuid        PRIMARY KEY,
    community       text        NOT NULL,
    person_id       text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('star_level', 'neighbour_star', 'excellent_group_leader')),
    level           integer     CHECK (level BETWEEN 1 AND 5),
    year            integer,
    building_group  integer,
    citation        text,
    granted_by      text,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'star_level') = (level IS NOT NULL)),
    CHECK ((kind = 'star_level') = (year IS NULL))
);
CREATE UNIQUE INDEX honours_star_once ON honours (community, person_id, level) WHERE kind = 'star_level';
CREATE UNIQUE INDEX honours_yearly_once ON honours (community, person_id, kind, year) WHERE kind <> 'star_level';

CREATE SEQUENCE certificate_numbers;

CREATE TABLE certificates (
    id              uuid        PRIMARY KEY,
    community       text        NOT NULL,
    number          text        NOT NULL,
    person_id       text        NOT NULL,
    person_name     text        NOT NULL,
    id_document     text        NOT NULL,
    id_number       text        NOT NULL,       -- stored masked
    volunteer_no    text        NOT NULL,
    hours           numeric(10, 2) NOT NULL,
    content         jsonb       NOT NULL,
    period_from     date,
    period_to       date,
    issued_by       text        NOT NULL,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (community, number)
);
CREATE INDEX certificates_person ON certificates (community, person_id);

-- ---------------------------------------------------------------- triggers

-- A posting moves the cached balance of its account, in the same statement, and records the running
-- balance. The UPDATE takes the row lock, so concurrent postings to one account serialise and the CHECK
-- balance_never_negative refuses any that would overdraw.
CREATE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    after bigint;
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id RETURNING balance INTO after;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'posting to unknown account %', NEW.account_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    NEW.balance_after := after;
    RETURN NEW;
END $$;
CREATE TRIGGER postings_apply BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION apply_posting();

-- Only the posting trigger may move a cached balance.
CREATE FUNCTION guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balances change only through postings' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_guard_balance BEFORE UPDATE OF balance ON accounts FOR EACH ROW EXECUTE FUNCTION guard_balance();

CREATE FUNCTION refuse_account_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'accounts are never deleted' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION refuse_account_delete();

-- At commit: every transaction touched has at least two postings summing to zero.
CREATE FUNCTION check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    n integer;
    tx uuid;
BEGIN
    IF TG_TABLE_NAME = 'postings' THEN
        tx := NEW.transaction_id;
    ELSE
        tx := NEW.id;
    END IF;
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM postings WHERE transaction_id = tx;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'ledger transaction % is not balanced (% postings summing to %)', tx, n, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transaction_balanced';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_balanced();
CREATE CONSTRAINT TRIGGER transactions_balanced AFTER INSERT ON transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_balanced();

-- The books are written once.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: ledger records are immutable; post a reversing transaction', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER transactions_immutable BEFORE UPDATE OR DELETE ON transactions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER awards_immutable BEFORE UPDATE OR DELETE ON awards FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER honours_immutable BEFORE UPDATE OR DELETE ON honours FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rules_immutable BEFORE UPDATE OR DELETE ON rules FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER awards_no_truncate BEFORE TRUNCATE ON awards FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- migrate:down
DROP TABLE certificates, honours, redemptions, prizes, rules, no_shows, awards, postings, transactions, accounts;
DROP SEQUENCE volunteer_numbers, certificate_numbers;
DROP FUNCTION refuse_change(), check_balanced(), refuse_account_delete(), guard_balance(), apply_posting();
