-- migrate:up
-- The four red posts of each community and their leaders.
CREATE TABLE posts (
    id          uuid        PRIMARY KEY,
    community   text        NOT NULL,
    post_type   text        NOT NULL CHECK (post_type IN ('publicity', 'patrol', 'environment', 'culture')),
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (community, post_type)
);

CREATE TABLE post_leaders (
    post_id   uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    person_id text NOT NULL,
    PRIMARY KEY (post_id, person_id)
);
CREATE INDEX post_leaders_person ON post_leaders (person_id);

-- Volunteers are people (token subjects) registered with a kind; one row per community and person.
CREATE TABLE volunteers (
    community        text        NOT NULL,
    id               text        NOT NULL,
    name             text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('party_member', 'resident_backbone', 'resident')),
    building_group   integer     CHECK (building_group BETWEEN 1 AND 6),
    skills           text[]      NOT NULL DEFAULT '{}',
    feed_token_hash  bytea       UNIQUE,       -- sha256 of the iCalendar feed token; the token itself is never stored
    suspended_at     timestamptz,              -- set by too many no-shows, cleared by a leader's re-approval
    suspended_reason text,
    approved_at      timestamptz,              -- no-shows before the last re-approval no longer count
    approved_by      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community, id)
);

CREATE TABLE volunteer_posts (
    community    text NOT NULL,
    volunteer_id text NOT NULL,
    post_id      uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (community, volunteer_id, post_id),
    FOREIGN KEY (community, volunteer_id) REFERENCES volunteers (community, id) ON DELETE CASCADE
);
CREATE INDEX volunteer_posts_post ON volunteer_posts (post_id);

-- Recurring templates: local wall-clock times on ISO weekdays (1 = Monday), Asia/Shanghai.
CREATE TABLE templates (
    id                uuid        PRIMARY KEY,
    community         text        NOT NULL,
    post_id           uuid        NOT NULL REFERENCES posts (id),
    title             text        NOT NULL,
    weekdays          integer[]   NOT NULL,
    start_time        time        NOT NULL,
    end_time          time        NOT NULL,
    valid_from        date        NOT NULL,
    valid_until       date,
    location          text,
    capacity          integer     NOT NULL CHECK (capacity >= 1),
    min_party_members integer     NOT NULL DEFAULT 0 CHECK (min_party_members >= 0),
    notes             text,
    active            boolean     NOT NULL DEFAULT true,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX templates_community ON templates (community, created_at, id);

CREATE TABLE shifts (
    id                uuid        PRIMARY KEY,
    community         text        NOT NULL,
    post_id           uuid        NOT NULL REFERENCES posts (id),
    template_id       uuid        REFERENCES templates (id),
    title             text        NOT NULL,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    location          text,
    capacity          integer     NOT NULL CHECK (capacity >= 1),
    min_party_members integer     NOT NULL DEFAULT 0 CHECK (min_party_members >= 0),
    notes             text,
    status            text        NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason     text,
    -- Counters kept under the shift's row lock, so listing "open places" needs no aggregate.
    confirmed_count   integer     NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    waitlist_count    integer     NOT NULL DEFAULT 0 CHECK (waitlist_count >= 0),
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    -- A template generates each start once, however often the generator runs.
    UNIQUE (template_id, starts_at)
);
CREATE INDEX shifts_by_start ON shifts (community, starts_at, id);
CREATE INDEX shifts_by_post ON shifts (post_id, starts_at, id);

CREATE TABLE signups (
    id            uuid        PRIMARY KEY,
    shift_id      uuid        NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    community     text        NOT NULL,
    volunteer_id  text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    queued_seq    bigserial   NOT NULL,     -- waitlist order
    signed_up_by  text        NOT NULL,
    created_at    timestamptz NOT NULL,
    promoted_at   timestamptz,
    cancelled_at  timestamptz,
    cancelled_by  text,
    checked_in_at  timestamptz,
    checked_out_at timestamptz
);
-- One live sign-up per volunteer and shift; cancelled ones stay as history.
CREATE UNIQUE INDEX signups_live ON signups (shift_id, volunteer_id) WHERE status <> 'cancelled';
CREATE INDEX signups_volunteer ON signups (community, volunteer_id) WHERE status <> 'cancelled';
CREATE INDEX signups_waitlist ON signups (shift_id, queued_seq) WHERE status = 'waitlisted';

CREATE TABLE participations (
    id             uuid        PRIMARY KEY,
    shift_id       uuid        NOT NULL REFERENCES shifts (id),
    community      text        NOT NULL,
    volunteer_id   text        NOT NULL,
    post_id        uuid        NOT NULL REFERENCES posts (id),
    outcome        text        NOT NULL CHECK (outcome IN ('completed', 'no_show')),
    hours          numeric(5, 2),
    started_at     timestamptz,
    ended_at       timestamptz,
    hours_source   text CHECK (hours_source IN ('check_in_out', 'planned', 'edited')),
    hours_reason   text,
    confirmed_by   text        NOT NULL,
    confirmed_at   timestamptz NOT NULL,
    -- Confirming twice changes and emits nothing.
    UNIQUE (shift_id, volunteer_id)
);
CREATE INDEX participations_volunteer ON participations (community, volunteer_id, confirmed_at);
CREATE INDEX participations_post ON participations (post_id, confirmed_at);

-- migrate:down
DROP TABLE participations;
DROP TABLE signups;
DROP TABLE shifts;
DROP TABLE templates;
DROP TABLE volunteer_posts;
DROP TABLE volunteers;
DROP TABLE post_leaders;
DROP TABLE posts;
