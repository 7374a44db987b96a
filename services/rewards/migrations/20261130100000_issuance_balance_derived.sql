-- migrate:up
-- The issuance account (the source of every awarded point) no longer caches a balance.
--
-- Every award posted to it, so every award moved and locked that one row: all awards of a
-- community, whatever the person, queued on it (the consumers of five event types and every
-- instance of the service), and a batch of awards stacked one row version per award. Its balance
-- says nothing a person or a check needs: it is minus the sum of every other account of the
-- community (every transaction sums to zero), which is how GET /ledger/accounts shows it and how
-- GET /ledger/verify checks it. Person and reserved accounts, whose balances must never go below
-- zero, keep their cached balance, running balance and row lock exactly as before.
--
-- From now on a posting to issuance moves no cached balance and has no running balance
-- (balance_after is NULL); the postings themselves, and the deferred check that every transaction
-- sums to zero, are unchanged. The issuance row's cached balance is set to 0 and stays there.
ALTER TABLE postings ALTER COLUMN balance_after DROP NOT NULL;

CREATE OR REPLACE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    after bigint;
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id AND kind <> 'issuance'
    RETURNING balance INTO after;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = NEW.account_id AND kind = 'issuance') THEN
        RAISE EXCEPTION 'posting to unknown account %', NEW.account_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    NEW.balance_after := after;  -- NULL on issuance: no running balance kept there
    RETURN NEW;
END $$;

ALTER TABLE accounts DISABLE TRIGGER accounts_guard_balance;
UPDATE accounts SET balance = 0 WHERE kind = 'issuance';
ALTER TABLE accounts ENABLE TRIGGER accounts_guard_balance;
ALTER TABLE accounts ADD CONSTRAINT issuance_balance_not_cached CHECK (kind <> 'issuance' OR balance = 0);

-- migrate:down
ALTER TABLE accounts DROP CONSTRAINT issuance_balance_not_cached;
ALTER TABLE accounts DISABLE TRIGGER accounts_guard_balance;
UPDATE accounts a SET balance = coalesce((SELECT sum(amount) FROM postings p WHERE p.account_id = a.id), 0)
WHERE kind = 'issuance';
ALTER TABLE accounts ENABLE TRIGGER accounts_guard_balance;
CREATE OR REPLACE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- (issuance postings written meanwhile keep a NULL balance_after)
