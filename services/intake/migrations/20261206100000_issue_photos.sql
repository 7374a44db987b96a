-- migrate:up
-- Photos residents upload with an issue (after the browser resized them): the bytes in the database,
-- which at a community's scale (a few thousand issues, at most 9 photos of ~300 KB each) is simpler
-- to back up and to serve with the issue's privacy rules than files beside it.
CREATE TABLE issue_photos (
    id           uuid        PRIMARY KEY,
    issue_id     uuid        NOT NULL REFERENCES issues (id),
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size         integer     NOT NULL,
    data         bytea       NOT NULL,
    uploaded_by  text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX issue_photos_issue ON issue_photos (issue_id, created_at, id);

-- migrate:down
DROP TABLE issue_photos;
