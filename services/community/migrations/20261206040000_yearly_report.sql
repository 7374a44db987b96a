-- migrate:up
-- The yearly report's read model: what each consumed event added to which figure of which year
-- (services/community/domain/yearly_report.py defines the figures). One row per event and figure,
-- so an event delivered twice counts once; nothing here is read from another service's tables.
CREATE TABLE report_facts (
    event_id   uuid        NOT NULL,
    figure     text        NOT NULL,
    community  text        NOT NULL,
    year       smallint    NOT NULL,
    counts     text        NOT NULL DEFAULT '',   -- what a distinct figure counts: an issue, a shift, a person
    amount     numeric     NOT NULL DEFAULT 1,
    event_type text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, figure)
);

CREATE INDEX report_facts_by_year ON report_facts (community, year, figure);

-- migrate:down
DROP TABLE report_facts;
