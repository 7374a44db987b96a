-- migrate:up
-- accounts.confirmed_hours is now added to by the two writers of participation.hours awards (the
-- one-event handler and the batch handler, both in services/rewards/service_layer), under the
-- account's row lock they already hold, instead of by a statement trigger on awards.
--
-- The trigger updated each person's account row once more per award statement, on top of the
-- posting that moves the balance and the building group a batch learns: three row versions of one
-- account per award. The batch handler now writes the hours and the building group in one UPDATE
-- per batch, and the one-event handler adds the hours with the UPDATE that returns the total its
-- star levels are read from. tests/rewards/test_participation_batches.py checks both against the
-- sum of the awards.
DROP TRIGGER awards_confirmed_hours ON awards;
DROP FUNCTION confirmed_hours_add();

-- migrate:down
CREATE FUNCTION confirmed_hours_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT community, person_id, sum(hours) AS hours FROM added
             WHERE rule_id = 'participation.hours' AND hours <> 0 GROUP BY community, person_id
    LOOP
        UPDATE accounts SET confirmed_hours = confirmed_hours + r.hours
        WHERE community = r.community AND kind = 'person' AND person_id = r.person_id;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER awards_confirmed_hours AFTER INSERT ON awards
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION confirmed_hours_add();
