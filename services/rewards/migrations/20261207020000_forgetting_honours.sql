-- migrate:up
-- Forgetting a person (services/rewards/adapters/personal_data.py). The books stay written once:
-- transactions, postings, awards and rules keep refusing every UPDATE and DELETE. An honour is not
-- money but it carries the person's name (person_name, a selection's winner), so it accepts one
-- change and no other: its person becomes their pseudonym (forgotten-...) and its name is cleared.
-- Every other column must stay as it was; DELETE is still refused.
CREATE FUNCTION refuse_honour_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.person_id LIKE 'forgotten-%' AND NEW.person_name IS NULL
       AND (to_jsonb(NEW) - 'person_id' - 'person_name') = (to_jsonb(OLD) - 'person_id' - 'person_name') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: honours are immutable but for forgetting their person', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER honours_immutable ON honours;
CREATE TRIGGER honours_immutable BEFORE UPDATE OR DELETE ON honours FOR EACH ROW EXECUTE FUNCTION refuse_honour_change();

-- migrate:down
DROP TRIGGER honours_immutable ON honours;
CREATE TRIGGER honours_immutable BEFORE UPDATE OR DELETE ON honours FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP FUNCTION refuse_honour_change();
