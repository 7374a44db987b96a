-- migrate:up
-- Community: the schema's first migration. Each practice adds its own file after this one
-- (publicity, festival and selections, wishes and ventures and visits, the yearly report).
COMMENT ON SCHEMA community IS 'Linli community: publicity and public participation (美湖社区 and others)';

-- migrate:down
COMMENT ON SCHEMA community IS NULL;
