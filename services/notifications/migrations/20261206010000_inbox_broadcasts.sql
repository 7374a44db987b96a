-- migrate:up
-- Announcements and initiatives for the whole community or one building group reach every reader
-- they are for without a row per person: one broadcast row with its audience, shown in the inbox of
-- each reader whose token names that community (and building group), read state kept per reader.
-- A post's announcement names its volunteers and gets ordinary per-person inbox rows.
CREATE TABLE inbox_broadcasts (
    id             uuid        PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,           -- the exactly-once key
    event_type     text        NOT NULL,
    community      text        NOT NULL,
    building_group integer     CHECK (building_group BETWEEN 1 AND 6),  -- NULL: every reader of the community
    subject_zh     text        NOT NULL,
    body_zh        text        NOT NULL,
    subject_en     text        NOT NULL,
    body_en        text        NOT NULL,
    urgent         boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz
);
CREATE INDEX inbox_broadcasts_audience ON inbox_broadcasts (community, building_group, created_at DESC);

CREATE TABLE inbox_broadcast_reads (
    broadcast_id uuid        NOT NULL REFERENCES inbox_broadcasts (id) ON DELETE CASCADE,
    person_id    text        NOT NULL,
    read_at      timestamptz NOT NULL,
    PRIMARY KEY (broadcast_id, person_id)
);

-- Local read copy: the event that published each announcement, so its withdrawal removes it from
-- every inbox; a withdrawal seen first (events of two types are not ordered) is remembered so the
-- late publication is never shown.
CREATE TABLE announcement_sources (
    announcement_id uuid    PRIMARY KEY,
    event_id        uuid,
    withdrawn       boolean NOT NULL DEFAULT false
);

-- migrate:down
DROP TABLE announcement_sources;
DROP TABLE inbox_broadcast_reads;
DROP TABLE inbox_broadcasts;
