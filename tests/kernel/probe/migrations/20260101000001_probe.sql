-- migrate:up
CREATE TABLE effects (
    id       bigserial PRIMARY KEY,
    event_id uuid NOT NULL,          -- deliberately not unique: a doubled effect must be visible
    title    text NOT NULL,
    trace_id text,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE switches (name text PRIMARY KEY, fixed boolean NOT NULL);
INSERT INTO switches VALUES ('poison', false);

-- migrate:down
DROP TABLE effects;
DROP TABLE switches;
