-- migrate:up
-- Awards are written many at a time by the participation batch handler, so what the database keeps
-- for each new award moves from row triggers to statement triggers over the inserted rows
-- (one aggregate statement however many awards), and a person's confirmed service hours become a
-- running total on the account row (star levels read it instead of summing every award of the person).
--
-- accounts.confirmed_hours: the sum of `hours` of the person's participation.hours awards. Kept by the
-- trigger below only; every award path holds the person's account row lock (FOR UPDATE) before it
-- inserts the award, so the total the handler read under that lock plus what it adds is exact.
ALTER TABLE accounts ADD COLUMN confirmed_hours numeric(12, 2) NOT NULL DEFAULT 0;

UPDATE accounts a SET confirmed_hours = s.hours
FROM (SELECT community, person_id, sum(hours) AS hours FROM awards
      WHERE rule_id = 'participation.hours' GROUP BY community, person_id) s
WHERE a.kind = 'person' AND a.community = s.community AND a.person_id = s.person_id;

-- A person's account is found by (community, kind, person_id), its unique key. The partial index on
-- (community, building_group) served no query (building groups are filtered after that join), but on
-- a table without statistics yet (a new community, a fresh database) the planner took it for person
-- lookups and read every account of the community for each one.
DROP INDEX accounts_group;

-- One UPDATE per person by the full unique key (a join here could be planned as a scan of every account).
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

-- The leaderboard totals, the same sums as before, now one upsert per statement: rows of one
-- statement are grouped first (an upsert may not touch one row twice).
DROP TRIGGER awards_leaderboard ON awards;
DROP FUNCTION leaderboard_add();
CREATE FUNCTION leaderboard_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO leaderboard_totals AS t (community, period, period_start, person_id, points, hours)
    SELECT community, p.period,
           CASE p.period WHEN 'all' THEN DATE '1970-01-01' ELSE date_trunc(p.period, service_day)::date END,
           person_id, sum(points), sum(hours)
    FROM added CROSS JOIN (VALUES ('week'), ('month'), ('year'), ('all')) AS p(period)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (community, period, period_start, person_id)
    DO UPDATE SET points = t.points + EXCLUDED.points, hours = t.hours + EXCLUDED.hours;
    RETURN NULL;
END $$;
CREATE TRIGGER awards_leaderboard AFTER INSERT ON awards
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_add();

-- migrate:down
CREATE INDEX accounts_group ON accounts (community, building_group) WHERE kind = 'person';
DROP TRIGGER awards_leaderboard ON awards;
DROP FUNCTION leaderboard_add();
CREATE FUNCTION leaderboard_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO leaderboard_totals AS t (community, period, period_start, person_id, points, hours)
    VALUES (NEW.community, 'week',  date_trunc('week',  NEW.service_day)::date, NEW.person_id, NEW.points, NEW.hours),
           (NEW.community, 'month', date_trunc('month', NEW.service_day)::date, NEW.person_id, NEW.points, NEW.hours),
           (NEW.community, 'year',  date_trunc('year',  NEW.service_day)::date, NEW.person_id, NEW.points, NEW.hours),
           (NEW.community, 'all',   DATE '1970-01-01',                          NEW.person_id, NEW.points, NEW.hours)
    ON CONFLICT (community, period, period_start, person_id)
    DO UPDATE SET points = t.points + EXCLUDED.points, hours = t.hours + EXCLUDED.hours;
    RETURN NULL;
END $$;
CREATE TRIGGER awards_leaderboard AFTER INSERT ON awards FOR EACH ROW EXECUTE FUNCTION leaderboard_add();
DROP TRIGGER awards_confirmed_hours ON awards;
DROP FUNCTION confirmed_hours_add();
ALTER TABLE accounts DROP COLUMN confirmed_hours;
