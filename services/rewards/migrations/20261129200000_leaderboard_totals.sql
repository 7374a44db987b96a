-- migrate:up
-- Leaderboards read running totals per period instead of summing every award of the period:
-- the cost of a leaderboard then follows the number of people, not the number of awards.
-- Awards are immutable (insert-only), so a row trigger keeps the totals exact.
CREATE TABLE leaderboard_totals (
    community    text          NOT NULL,
    period       text          NOT NULL CHECK (period IN ('week', 'month', 'year', 'all')),
    period_start date          NOT NULL,
    person_id    text          NOT NULL,
    points       bigint        NOT NULL DEFAULT 0,
    hours        numeric(12, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (community, period, period_start, person_id)
);
CREATE INDEX leaderboard_by_points ON leaderboard_totals (community, period, period_start, points DESC, hours DESC, person_id);
CREATE INDEX leaderboard_by_hours ON leaderboard_totals (community, period, period_start, hours DESC, points DESC, person_id);

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

INSERT INTO leaderboard_totals (community, period, period_start, person_id, points, hours)
SELECT community, period, period_start, person_id, sum(points), sum(hours)
FROM (
    SELECT community, 'week' AS period, date_trunc('week', service_day)::date AS period_start, person_id, points, hours FROM awards
    UNION ALL SELECT community, 'month', date_trunc('month', service_day)::date, person_id, points, hours FROM awards
    UNION ALL SELECT community, 'year', date_trunc('year', service_day)::date, person_id, points, hours FROM awards
    UNION ALL SELECT community, 'all', DATE '1970-01-01', person_id, points, hours FROM awards
) a
GROUP BY community, period, period_start, person_id;

-- migrate:down
DROP TRIGGER awards_leaderboard ON awards;
DROP FUNCTION leaderboard_add();
DROP TABLE leaderboard_totals;
