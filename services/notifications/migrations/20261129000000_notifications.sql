-- migrate:up
-- Per-person preferences. A person without a row gets the defaults (zh-CN, inbox on, quiet 22:00-07:00).
CREATE TABLE preferences (
    person_id      text        PRIMARY KEY,
    community      text        NOT NULL,
    display_name   text,                                -- from the person's token, for group announcements
    language       text        NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    email          text,
    inbox_enabled  boolean     NOT NULL DEFAULT true,
    email_enabled  boolean     NOT NULL DEFAULT true,
    quiet_start    time,                                -- NULL start and end: no quiet hours
    quiet_end      time,
    timezone       text        NOT NULL DEFAULT 'Asia/Shanghai',
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Message templates, editable by admins; key is an event name (points.awarded) or a reminder kind.
CREATE TABLE templates (
    key        text        NOT NULL,
    language   text        NOT NULL CHECK (language IN ('zh-CN', 'en')),
    subject    text        NOT NULL,
    body       text        NOT NULL,
    updated_by text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, language)
);

-- The WeCom group robot of each building group.
CREATE TABLE wecom_robots (
    community      text        NOT NULL,
    building_group integer     NOT NULL CHECK (building_group BETWEEN 1 AND 6),
    url            text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community, building_group)
);

-- Messages the robot accepted within its rate window (shared by every instance of the service).
CREATE TABLE wecom_sends (
    robot   text        NOT NULL,
    sent_at timestamptz NOT NULL
);
CREATE INDEX wecom_sends_robot ON wecom_sends (robot, sent_at);

-- Outbound webhook subscriptions of other systems.
CREATE TABLE subscriptions (
    id                      uuid        PRIMARY KEY,
    community               text        NOT NULL,
    url                     text        NOT NULL,
    event_types             text[]      NOT NULL,
    description             text,
    secret                  text        NOT NULL,
    previous_secret         text,
    previous_secret_expires timestamptz,
    active                  boolean     NOT NULL DEFAULT true,
    created_by              text        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_community ON subscriptions (community) WHERE active;

-- One row per (event, recipient, channel): the exactly-once key. Inbox rows are the inbox;
-- e-mail, WeCom and webhook rows are the durable delivery queue the worker drains.
CREATE TABLE notifications (
    id              uuid        PRIMARY KEY,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    community       text        NOT NULL,
    recipient       text        NOT NULL,             -- person id, 'building_group:N', or subscription id
    channel         text        NOT NULL CHECK (channel IN ('inbox', 'email', 'wecom', 'webhook')),
    language        text,
    urgent          boolean     NOT NULL DEFAULT false,
    subject         text        NOT NULL DEFAULT '',
    body            text        NOT NULL,             -- rendered text, the WeCom JSON, or the CloudEvent JSON
    address         text,                             -- e-mail address or robot URL, fixed when queued
    link            text,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    retry_from      timestamptz NOT NULL,             -- start of the retry window (reset by manual redelivery)
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    read_at         timestamptz,
    UNIQUE (event_id, recipient, channel)
);
-- The worker's queue scan.
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
-- The inbox: unread first, newest first, keyset pagination.
CREATE INDEX notifications_inbox ON notifications (recipient, (read_at IS NULL) DESC, created_at DESC, id DESC)
    WHERE channel = 'inbox';
-- A subscription's delivery log, newest first.
CREATE INDEX notifications_webhook_log ON notifications (recipient, created_at DESC, id DESC)
    WHERE channel = 'webhook';

-- Every try of a queued delivery, for the delivery log.
CREATE TABLE delivery_attempts (
    id              bigserial   PRIMARY KEY,
    notification_id uuid        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL,
    ok              boolean     NOT NULL,
    status_code     integer,
    error           text,
    duration_ms     integer
);
CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, id);

-- Local read copy: who reported an issue, so a council decision on it reaches them.
CREATE TABLE issue_reporters (
    issue_id    uuid PRIMARY KEY,
    reporter_id text NOT NULL
);

-- Timed reminders (sessions 24 h and 2 h before, shifts 24 h before); fired by a background loop.
CREATE TABLE reminders (
    id         uuid        PRIMARY KEY,
    community  text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('session', 'shift')),
    ref_id     uuid        NOT NULL,
    recipient  text        NOT NULL,
    offset_label text      NOT NULL,
    signup_id  uuid,                                   -- shift reminders: the sign-up that asked for it
    fire_at    timestamptz NOT NULL,
    data       jsonb       NOT NULL,
    status     text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
    UNIQUE (kind, ref_id, recipient, offset_label)
);
CREATE INDEX reminders_due ON reminders (fire_at) WHERE status = 'pending';

-- Sessions and shifts known to be cancelled, so a reminder arriving late (events of different
-- types are not ordered) is never scheduled for them.
CREATE TABLE cancelled_refs (
    kind   text NOT NULL,
    ref_id uuid NOT NULL,
    PRIMARY KEY (kind, ref_id)
);

-- migrate:down
DROP TABLE cancelled_refs;
DROP TABLE reminders;
DROP TABLE issue_reporters;
DROP TABLE delivery_attempts;
DROP TABLE notifications;
DROP TABLE subscriptions;
DROP TABLE wecom_sends;
DROP TABLE wecom_robots;
DROP TABLE templates;
DROP TABLE preferences;
