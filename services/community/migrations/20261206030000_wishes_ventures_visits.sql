-- migrate:up
-- Micro-wishes (微心愿), micro public-welfare venture projects (微公益创投) and care visits (走访慰问),
-- with the two read models they share: confirmed participations (from shifts) and each person's
-- points and hours per year (from the love bank's points.awarded and shifts' participation.completed).

-- A micro-wish. family_id (the person who made the wish) is private: only the committees see it;
-- the board shows public_title / public_description, which a committee writes on approval.
CREATE TABLE wishes (
    id                  uuid        PRIMARY KEY,
    community           text        NOT NULL,
    status              text        NOT NULL
                        CHECK (status IN ('candidate', 'approved', 'claimed', 'fulfilled', 'confirmed')),
    channel             text        NOT NULL CHECK (channel IN ('intake', 'festival', 'visit', 'committee')),
    issue_id            uuid        UNIQUE,
    family_id           text        NOT NULL,
    private_title       text        NOT NULL,
    private_description text        NOT NULL DEFAULT '',
    public_title        text,
    public_description  text        NOT NULL DEFAULT '',
    building_group      integer     CHECK (building_group BETWEEN 1 AND 6),
    claimer_kind        text        CHECK (claimer_kind IN ('person', 'party_member', 'unit')),
    claimer_id          text,
    claimer_name        text,
    unit_contact        text,
    fulfil_note         text,
    photo_url           text,
    created_at          timestamptz NOT NULL,
    approved_by         text,
    approved_at         timestamptz,
    claimed_at          timestamptz,
    fulfilled_at        timestamptz,
    confirmed_at        timestamptz,
    CHECK (status = 'candidate' OR public_title IS NOT NULL),
    CHECK (status IN ('candidate', 'approved') OR claimer_kind IS NOT NULL)
);
CREATE INDEX wishes_board ON wishes (community, created_at DESC, id DESC);

-- A venture project applied for by a red post's team lead.
CREATE TABLE ventures (
    id                  uuid          PRIMARY KEY,
    community           text          NOT NULL,
    status              text          NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'closed')),
    title               text          NOT NULL,
    aim                 text          NOT NULL,
    post_type           text          NOT NULL,
    budget              numeric(12,2) NOT NULL CHECK (budget >= 0),
    activities_planned  text[]        NOT NULL,
    lead_id             text          NOT NULL,
    return_reason       text,
    decided_by          text,
    decided_at          timestamptz,
    spent               numeric(12,2) CHECK (spent >= 0),
    report              text,
    activities_held     integer,
    participants        integer,
    volunteer_hours     numeric(10,2),
    created_at          timestamptz   NOT NULL,
    updated_at          timestamptz   NOT NULL,
    closed_at           timestamptz
);
CREATE INDEX ventures_list ON ventures (community, created_at DESC, id DESC);

-- The shifts a venture's activities ran as; a shift belongs to one venture at most.
CREATE TABLE venture_shifts (
    community   text        NOT NULL,
    shift_id    uuid        NOT NULL,
    venture_id  uuid        NOT NULL REFERENCES ventures (id),
    linked_by   text        NOT NULL,
    linked_at   timestamptz NOT NULL,
    PRIMARY KEY (community, shift_id)
);
CREATE INDEX venture_shifts_venture ON venture_shifts (venture_id);

-- Read model: every confirmed participation shifts published (participation.completed), once each.
CREATE TABLE participations (
    participation_id uuid          PRIMARY KEY,
    community        text          NOT NULL,
    shift_id         uuid          NOT NULL,
    volunteer_id     text          NOT NULL,
    post_type        text          NOT NULL,
    hours            numeric(6,2)  NOT NULL CHECK (hours > 0),
    started_at       timestamptz   NOT NULL,
    confirmed_at     timestamptz   NOT NULL
);
CREATE INDEX participations_shift ON participations (community, shift_id);

-- Read model: a person's points (rewards' points.awarded) and confirmed hours (shifts'
-- participation.completed) per community year, for picking the backbone volunteers to visit.
CREATE TABLE love_bank_years (
    community   text          NOT NULL,
    person_id   text          NOT NULL,
    year        integer       NOT NULL,
    points      integer       NOT NULL DEFAULT 0,
    hours       numeric(10,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (community, year, person_id)
);
CREATE INDEX love_bank_years_rank ON love_bank_years (community, year, points DESC, hours DESC, person_id);

-- A care visit to a backbone volunteer's home: at most one a year per volunteer.
CREATE TABLE care_visits (
    id            uuid          PRIMARY KEY,
    community     text          NOT NULL,
    year          integer       NOT NULL,
    volunteer_id  text          NOT NULL,
    status        text          NOT NULL CHECK (status IN ('planned', 'visited')),
    planned_for   date          NOT NULL,
    visitors      text[]        NOT NULL,
    points        integer       NOT NULL,
    hours         numeric(10,2) NOT NULL,
    planned_by    text          NOT NULL,
    planned_at    timestamptz   NOT NULL,
    visited_at    timestamptz,
    visited_with  text[],
    note          text,
    UNIQUE (community, year, volunteer_id)
);

-- migrate:down
DROP TABLE care_visits;
DROP TABLE love_bank_years;
DROP TABLE participations;
DROP TABLE venture_shifts;
DROP TABLE ventures;
DROP TABLE wishes;
