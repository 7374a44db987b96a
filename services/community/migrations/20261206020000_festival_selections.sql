-- migrate:up
-- The neighbourhood festival (邻里节) and public selections (评选).

-- One festival per community and year (the 13th was in 2020).
CREATE TABLE festivals (
    id                  uuid        PRIMARY KEY,
    community           text        NOT NULL,
    year                integer     NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    edition             integer     CHECK (edition >= 1),
    theme               text        NOT NULL DEFAULT '',
    proposals_close_at  timestamptz NOT NULL,
    opened_by           text        NOT NULL,
    opened_at           timestamptz NOT NULL,
    UNIQUE (community, year)
);

-- A resident's proposed activity; once adopted it is the festival's activity (same id), and once
-- scheduled people sign up for it.
CREATE TABLE festival_activities (
    id              uuid        PRIMARY KEY,
    festival_id     uuid        NOT NULL REFERENCES festivals (id),
    community       text        NOT NULL,
    title           text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    proposed_by     text        NOT NULL,
    proposed_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'adopted', 'scheduled')),
    adopted_by      text,
    adopted_at      timestamptz,
    support_at_adoption integer,
    starts_at       timestamptz,
    ends_at         timestamptz,
    location        text,
    capacity        integer     CHECK (capacity >= 1),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX festival_activities_of ON festival_activities (festival_id, proposed_at, id);

-- One support per person and proposal (the key is the rule).
CREATE TABLE festival_supports (
    activity_id     uuid        NOT NULL REFERENCES festival_activities (id),
    person_id       text        NOT NULL,
    supported_at    timestamptz NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);

-- One sign-up per person and activity; capacity is checked under the activity's row lock.
CREATE TABLE festival_signups (
    activity_id     uuid        NOT NULL REFERENCES festival_activities (id),
    person_id       text        NOT NULL,
    name            text        NOT NULL DEFAULT '',
    building_group  integer     CHECK (building_group BETWEEN 1 AND 6),
    signed_up_at    timestamptz NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);

CREATE TABLE selections (
    id                      uuid        PRIMARY KEY,
    community               text        NOT NULL,
    category                text        NOT NULL,
    year                    integer     NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    title_zh                text        NOT NULL,
    title_en                text        NOT NULL,
    seats                   integer     NOT NULL CHECK (seats >= 1),
    who_may_nominate        text[]      NOT NULL,
    who_may_vote            text[]      NOT NULL,
    nominations_close_at    timestamptz NOT NULL,
    voting_closes_at        timestamptz NOT NULL CHECK (voting_closes_at > nominations_close_at),
    state                   text        NOT NULL DEFAULT 'nominating'
                                        CHECK (state IN ('nominating', 'checking', 'voting', 'concluded')),
    created_by              text        NOT NULL,
    created_at              timestamptz NOT NULL,
    votes_cast              integer,
    concluded_by            text,
    concluded_at            timestamptz
);
CREATE INDEX selections_of ON selections (community, year DESC, created_at DESC, id DESC);

CREATE TABLE selection_nominations (
    id                  uuid        PRIMARY KEY,
    selection_id        uuid        NOT NULL REFERENCES selections (id),
    candidate_id        text        NOT NULL,
    candidate_name      text        NOT NULL,
    building_group      integer     CHECK (building_group BETWEEN 1 AND 6),
    reason              text        NOT NULL,
    nominated_by        text        NOT NULL,
    nominated_at        timestamptz NOT NULL,
    status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    checked_by          text,
    checked_at          timestamptz,
    rejection_reason    text,
    votes               integer,    -- written when the selection concludes, never before
    winner              boolean     NOT NULL DEFAULT false,
    UNIQUE (selection_id, candidate_id)
);

-- One ballot per person and selection (the key is the rule); its marks, one per chosen candidate.
CREATE TABLE selection_ballots (
    selection_id    uuid        NOT NULL REFERENCES selections (id),
    voter_id        text        NOT NULL,
    cast_at         timestamptz NOT NULL,
    PRIMARY KEY (selection_id, voter_id)
);
CREATE TABLE selection_marks (
    selection_id    uuid        NOT NULL,
    voter_id        text        NOT NULL,
    nomination_id   uuid        NOT NULL REFERENCES selection_nominations (id),
    PRIMARY KEY (selection_id, voter_id, nomination_id),
    FOREIGN KEY (selection_id, voter_id) REFERENCES selection_ballots (selection_id, voter_id)
);
CREATE INDEX selection_marks_tally ON selection_marks (nomination_id);

-- migrate:down
DROP TABLE selection_marks, selection_ballots, selection_nominations, selections,
    festival_signups, festival_supports, festival_activities, festivals;
