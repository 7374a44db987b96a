-- migrate:up
-- The micro-wish award (微心愿) is paid once per wish and person, whichever path reports it first:
-- intake's issue.resolved of a micro_wish matter (rule issue.resolved.contributor) or community's
-- wish.confirmed (rule wish.confirmed.claimer). wish_key is the intake matter's id when the wish was
-- raised there (both paths name it), else the wish's own id.
CREATE TABLE micro_wish_awards (
    community        text        NOT NULL,
    wish_key         uuid        NOT NULL,
    person_id        text        NOT NULL,
    source_event_id  uuid        NOT NULL,
    rule_id          text        NOT NULL,
    paid_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community, wish_key, person_id)
);

-- migrate:down
DROP TABLE micro_wish_awards;
