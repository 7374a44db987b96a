-- migrate:up
-- Publicity (宣传): announcements and who acknowledged them, initiatives and their sign-ons,
-- the building groups' publicity agents, the 亮身份 board, and the red posts' volunteers as
-- community learns them from shifts' events (the audience of a post's announcement).

CREATE TABLE publicity_agents (
    community      text        NOT NULL,
    person_id      text        NOT NULL,
    building_group integer     NOT NULL CHECK (building_group BETWEEN 1 AND 6),
    kind           text        NOT NULL CHECK (kind IN ('party_group_leader', 'building_leader')),
    name           text        NOT NULL,
    registered_by  text        NOT NULL,
    registered_at  timestamptz NOT NULL,
    PRIMARY KEY (community, person_id)
);

CREATE TABLE announcements (
    id             uuid        PRIMARY KEY,
    community      text        NOT NULL,
    title          text        NOT NULL,
    body           text        NOT NULL,
    audience       text        NOT NULL CHECK (audience IN ('community', 'building_group', 'post')),
    building_group integer     CHECK (building_group BETWEEN 1 AND 6),
    post_type      text,
    recipient_ids  text[]      NOT NULL DEFAULT '{}',
    pinned         boolean     NOT NULL DEFAULT false,
    expires_at     timestamptz,
    published_by   text        NOT NULL,
    agent_group    integer     CHECK (agent_group BETWEEN 1 AND 6),
    published_at   timestamptz NOT NULL,
    withdrawn_at   timestamptz,
    withdrawn_by   text,
    CHECK ((audience = 'building_group') = (building_group IS NOT NULL)),
    CHECK ((audience = 'post') = (post_type IS NOT NULL))
);
CREATE INDEX announcements_live ON announcements (community, pinned DESC, published_at DESC) WHERE withdrawn_at IS NULL;
CREATE INDEX announcements_publisher ON announcements (community, published_by) WHERE agent_group IS NOT NULL;

-- One acknowledgement per reader; its building group is the reader's when they acknowledged.
CREATE TABLE announcement_acknowledgements (
    announcement_id uuid        NOT NULL REFERENCES announcements (id),
    person_id       text        NOT NULL,
    building_group  integer     CHECK (building_group BETWEEN 1 AND 6),
    acknowledged_at timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, person_id)
);

-- Read copy from shifts' events: who volunteers on which red post.
CREATE TABLE post_volunteers (
    community text        NOT NULL,
    post_type text        NOT NULL,
    person_id text        NOT NULL,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (community, post_type, person_id)
);

CREATE TABLE initiatives (
    id          uuid        PRIMARY KEY,
    community   text        NOT NULL,
    title       text        NOT NULL,
    body        text        NOT NULL,
    closes_at   timestamptz,
    launched_by text        NOT NULL,
    launched_at timestamptz NOT NULL
);
CREATE INDEX initiatives_community ON initiatives (community, launched_at DESC);

-- One sign-on per person per initiative (the primary key is the rule).
CREATE TABLE initiative_signatures (
    initiative_id  uuid        NOT NULL REFERENCES initiatives (id),
    person_id      text        NOT NULL,
    building_group integer     CHECK (building_group BETWEEN 1 AND 6),
    signed_at      timestamptz NOT NULL,
    PRIMARY KEY (initiative_id, person_id)
);

-- The 亮身份 board: a row exists only while its person consents; withdrawing deletes it.
CREATE TABLE board_consents (
    community      text        NOT NULL,
    person_id      text        NOT NULL,
    name           text        NOT NULL,
    photo_url      text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('party_member', 'backbone_volunteer')),
    post_type      text        NOT NULL,
    phone          text        NOT NULL,
    building_group integer     NOT NULL CHECK (building_group BETWEEN 1 AND 6),
    consented_at   timestamptz NOT NULL,
    PRIMARY KEY (community, person_id)
);
CREATE INDEX board_consents_group ON board_consents (community, building_group, role, name);

-- migrate:down
DROP TABLE board_consents;
DROP TABLE initiative_signatures;
DROP TABLE initiatives;
DROP TABLE post_volunteers;
DROP TABLE announcement_acknowledgements;
DROP TABLE announcements;
DROP TABLE publicity_agents;
