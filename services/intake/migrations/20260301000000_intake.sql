-- migrate:up
-- Intake: issues residents raise, their history, comments, categories and Open311 keys.

-- Categories: rows with community '*' are the defaults every community sees; an admin's
-- edit writes a row for the own community that takes precedence (codes are the contract's enum).
CREATE TABLE categories (
    community   text        NOT NULL,
    code        text        NOT NULL,
    name_zh     text        NOT NULL,
    name_en     text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    attributes  jsonb       NOT NULL DEFAULT '[]',   -- Open311 service-definition attributes
    active      boolean     NOT NULL DEFAULT true,
    sort_order  integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community, code)
);

INSERT INTO categories (community, code, name_zh, name_en, sort_order, attributes) VALUES
    ('*', 'neighbour_dispute',   '邻里纠纷', 'Neighbour dispute', 1, '[]'),
    ('*', 'dog_keeping',         '文明养犬', 'Dog keeping', 2, '[]'),
    ('*', 'corridor_clutter',    '楼道堆物', 'Corridor clutter', 3, '[]'),
    ('*', 'sanitation',          '环境卫生', 'Sanitation', 4, '[]'),
    ('*', 'public_security',     '治安安全', 'Public security', 5, '[]'),
    ('*', 'repairs',             '设施报修', 'Repairs', 6,
     '[{"code": "facility", "datatype": "singlevaluelist", "required": false, "variable": true, "order": 1,
        "description": "损坏的设施 / Broken facility", "datatype_description": null,
        "values": [{"key": "light", "name": "照明 / Light"}, {"key": "lift", "name": "电梯 / Lift"},
                   {"key": "door", "name": "单元门 / Entrance door"}, {"key": "pipe", "name": "管道 / Pipe"},
                   {"key": "other", "name": "其他 / Other"}]}]'),
    ('*', 'property_management', '物业管理', 'Property management', 7, '[]'),
    ('*', 'noise',               '噪音扰民', 'Noise', 8, '[]'),
    ('*', 'micro_wish',          '微心愿', 'Micro-wish', 9, '[]'),
    ('*', 'suggestion',          '意见建议', 'Suggestion', 10, '[]'),
    ('*', 'other',               '其他', 'Other', 11, '[]');

CREATE TABLE issues (
    id               uuid        PRIMARY KEY,
    community        text        NOT NULL,
    category         text        NOT NULL,
    title            text        NOT NULL,
    description      text        NOT NULL DEFAULT '',
    building         text,
    unit             text,
    location_text    text,
    lat              double precision,
    long             double precision,
    building_group   smallint    CHECK (building_group BETWEEN 1 AND 6),
    photos           jsonb       NOT NULL DEFAULT '[]',
    channel          text        NOT NULL,
    anonymous        boolean     NOT NULL DEFAULT false,
    reporter_id      text        NOT NULL,
    reporter_name    text,
    contact          jsonb       NOT NULL DEFAULT '{}',   -- phone, email, names (Open311): never shown to other residents
    priority         text        NOT NULL DEFAULT 'normal',
    attributes       jsonb       NOT NULL DEFAULT '{}',
    status           text        NOT NULL,
    held_for_review  boolean     NOT NULL DEFAULT false,  -- link-stuffed text: not published until a committee looks
    duplicate_of     uuid        REFERENCES issues (id),
    decision_id      uuid,
    decision_note    text,
    resolution_summary text,
    contributors     jsonb       NOT NULL DEFAULT '[]',
    resolved_at      timestamptz,
    resolved_event_id uuid,
    satisfaction     smallint    CHECK (satisfaction BETWEEN 1 AND 5),
    status_note      text,
    open311_token    uuid        UNIQUE,
    search           tsvector    NOT NULL DEFAULT ''::tsvector,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination of lists, newest first, per community (and with the common filters).
CREATE INDEX issues_community_created ON issues (community, created_at DESC, id DESC);
CREATE INDEX issues_community_status_created ON issues (community, status, created_at DESC, id DESC);
CREATE INDEX issues_community_reporter_created ON issues (community, reporter_id, created_at DESC, id DESC);
CREATE INDEX issues_community_updated ON issues (community, updated_at DESC, id DESC);
-- The review queue (oldest first) and the auto-close sweep.
CREATE INDEX issues_queue ON issues (community, created_at, id) WHERE status = 'submitted';
CREATE INDEX issues_resolved_due ON issues (resolved_at) WHERE status = 'resolved';
CREATE INDEX issues_search ON issues USING gin (search);

CREATE TABLE issue_history (
    seq         bigserial   PRIMARY KEY,
    issue_id    uuid        NOT NULL REFERENCES issues (id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    text,
    from_status text,
    to_status   text        NOT NULL,
    note        text,
    event_id    uuid
);
CREATE INDEX issue_history_issue ON issue_history (issue_id, seq);

CREATE TABLE issue_comments (
    id          uuid        PRIMARY KEY,
    issue_id    uuid        NOT NULL REFERENCES issues (id),
    author_id   text        NOT NULL,
    author_name text,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX issue_comments_issue ON issue_comments (issue_id, created_at, id);

-- Who follows an issue besides its reporter (reporters of merged duplicates).
CREATE TABLE issue_followers (
    issue_id    uuid        NOT NULL REFERENCES issues (id),
    person_id   text        NOT NULL,
    via_issue   uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issue_id, person_id)
);
CREATE INDEX issue_followers_person ON issue_followers (person_id);

-- Open311 api keys: the hash of the key, the community and the system principal it acts as.
CREATE TABLE open311_keys (
    id          uuid        PRIMARY KEY,
    community   text        NOT NULL,
    key_hash    text        NOT NULL UNIQUE,
    principal   text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX open311_keys_community ON open311_keys (community, created_at DESC, id DESC);

-- migrate:down
DROP TABLE open311_keys;
DROP TABLE issue_followers;
DROP TABLE issue_comments;
DROP TABLE issue_history;
DROP TABLE issues;
DROP TABLE categories;
