-- migrate:up
-- Councils of a community: one consultation council (协商议事会) and one women's council (妇女议事会).
CREATE TABLE councils (
    id              uuid        PRIMARY KEY,
    community       text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('consultation', 'women')),
    name            text        NOT NULL,
    majority_rule   text        NOT NULL DEFAULT 'simple' CHECK (majority_rule IN ('simple', 'two_thirds', 'consensus')),
    -- quorum: strictly more than this fraction of the voting members must be present
    quorum_fraction numeric(4, 3) NOT NULL DEFAULT 0.5 CHECK (quorum_fraction >= 0 AND quorum_fraction < 1),
    meeting_time    time        NOT NULL,
    timezone        text        NOT NULL,
    duration_minutes integer    NOT NULL CHECK (duration_minutes BETWEEN 15 AND 1440),
    default_mode    text        NOT NULL,
    location        text,
    feed_token      text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (community, kind)
);

CREATE TABLE members (
    id          uuid        PRIMARY KEY,
    council_id  uuid        NOT NULL REFERENCES councils (id),
    community   text        NOT NULL,
    person_id   text        NOT NULL,
    name        text        NOT NULL,
    party       text        NOT NULL,
    position    text        NOT NULL,
    voting      boolean     NOT NULL,
    term_from   date        NOT NULL,
    term_until  date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (council_id, person_id),
    CHECK (term_until IS NULL OR term_until >= term_from)
);

CREATE TABLE sessions (
    id            uuid        PRIMARY KEY,
    council_id    uuid        NOT NULL REFERENCES councils (id),
    community     text        NOT NULL,
    title         text        NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    mode          text        NOT NULL,
    location      text,
    status        text        NOT NULL DEFAULT 'scheduled'
                              CHECK (status IN ('scheduled', 'open', 'concluded', 'cancelled')),
    -- the first-Friday date of a regular session; NULL for ad-hoc sessions. The unique key
    -- makes scheduling idempotent across concurrent instances of the service.
    regular_date  date,
    opened_at     timestamptz,
    concluded_at  timestamptz,
    cancelled_at  timestamptz,
    cancel_reason text,
    minutes       text,
    report        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (council_id, regular_date),
    CHECK (ends_at > starts_at)
);
-- keyset pagination of a council's sessions by time, and "the next scheduled session"
CREATE INDEX sessions_council_time ON sessions (council_id, starts_at, id);

CREATE TABLE attendance (
    session_id  uuid        NOT NULL REFERENCES sessions (id),
    person_id   text        NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, person_id)
);

-- Agenda items. session_id NULL means "waiting for the next session" (a referral that
-- arrived before any council or session existed, or an item deferred with no next session).
CREATE TABLE agenda_items (
    id           uuid        PRIMARY KEY,
    community    text        NOT NULL,
    council_id   uuid        REFERENCES councils (id),
    session_id   uuid        REFERENCES sessions (id),
    title        text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    source       text        NOT NULL CHECK (source IN ('referral', 'member')),
    -- one item per referred issue, whatever how many times or under which event ids it arrives
    issue_id     uuid        UNIQUE,
    proposed_by  text,
    status       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
    times_deferred integer   NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agenda_items_session ON agenda_items (session_id, created_at, id);
CREATE INDEX agenda_items_waiting ON agenda_items (community, created_at) WHERE session_id IS NULL;

CREATE TABLE motions (
    id             uuid        PRIMARY KEY,
    agenda_item_id uuid        NOT NULL REFERENCES agenda_items (id),
    session_id     uuid        NOT NULL REFERENCES sessions (id),
    council_id     uuid        NOT NULL REFERENCES councils (id),
    community      text        NOT NULL,
    title          text        NOT NULL,
    text           text        NOT NULL DEFAULT '',
    proposed_by    text        NOT NULL,
    status         text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'adopted', 'rejected', 'withdrawn')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz
);
CREATE INDEX motions_session ON motions (session_id, created_at, id);
CREATE INDEX motions_item ON motions (agenda_item_id);

CREATE TABLE votes (
    motion_id  uuid        NOT NULL REFERENCES motions (id),
    person_id  text        NOT NULL,
    choice     text        NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at    timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, person_id)
);

CREATE TABLE decisions (
    id                    uuid        PRIMARY KEY,
    motion_id             uuid        NOT NULL UNIQUE REFERENCES motions (id),
    agenda_item_id        uuid        NOT NULL REFERENCES agenda_items (id),
    session_id            uuid        NOT NULL REFERENCES sessions (id),
    council_id            uuid        NOT NULL REFERENCES councils (id),
    community             text        NOT NULL,
    issue_id              uuid,
    outcome               text        NOT NULL CHECK (outcome IN ('adopted', 'rejected')),
    title                 text        NOT NULL,
    votes_for             integer     NOT NULL,
    votes_against         integer     NOT NULL,
    votes_abstain         integer     NOT NULL,
    action_plan           text,
    responsible_party     text,
    responsible_person_id text,
    review_date           date,
    note                  text,
    suggestion_id         uuid,
    decided_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_council ON decisions (council_id, decided_at DESC, id DESC);
CREATE INDEX decisions_session ON decisions (session_id);

-- migrate:down
DROP TABLE decisions;
DROP TABLE votes;
DROP TABLE motions;
DROP TABLE agenda_items;
DROP TABLE attendance;
DROP TABLE sessions;
DROP TABLE members;
DROP TABLE councils;
