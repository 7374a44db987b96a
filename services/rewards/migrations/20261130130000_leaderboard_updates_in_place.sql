-- migrate:up
-- Leaderboard totals are written on every award and read when someone opens a leaderboard.
--
-- The two ordering indexes (points first, hours first) held the very columns every award changes,
-- so each award's four upserts (week, month, year, all) wrote a new row version plus three index
-- entries apiece: the largest single cost of an award (~30 % of the database's work per award
-- under a backlog). Without them an upsert changes no indexed column and PostgreSQL updates the
-- row in place on its page (a HOT update, no index entry), for which pages keep free space.
--
-- A leaderboard now reads the totals of one community and period through the primary key and
-- sorts them: as many rows as people who earned something in that period in that community
-- (hundreds to a few thousand), a few milliseconds at most, for a page opened now and then.
DROP INDEX leaderboard_by_points;
DROP INDEX leaderboard_by_hours;
ALTER TABLE leaderboard_totals SET (fillfactor = 70);

-- migrate:down
ALTER TABLE leaderboard_totals RESET (fillfactor);
CREATE INDEX leaderboard_by_points ON leaderboard_totals (community, period, period_start, points DESC, hours DESC, person_id);
CREATE INDEX leaderboard_by_hours ON leaderboard_totals (community, period, period_start, hours DESC, points DESC, person_id);
