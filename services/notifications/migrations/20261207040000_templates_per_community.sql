-- migrate:up
-- Message templates per community: a district runs many communities on one stack, and one community's
-- admin must not rewrite what another's residents read. The stack's texts are community '*' (the defaults,
-- and the edits made before this migration); a community's own version of a template overrides them.
ALTER TABLE templates ADD COLUMN community text NOT NULL DEFAULT '*';
ALTER TABLE templates DROP CONSTRAINT templates_pkey;
ALTER TABLE templates ADD PRIMARY KEY (community, key, language);
SELECT cache_not_invalidated_by('templates', 'templates');
SELECT cache_invalidated_by('templates', 'templates', 'community');  -- a '*' row's change forgets every community

-- migrate:down
SELECT cache_not_invalidated_by('templates', 'templates');
DELETE FROM templates WHERE community <> '*';
ALTER TABLE templates DROP CONSTRAINT templates_pkey;
ALTER TABLE templates ADD PRIMARY KEY (key, language);
ALTER TABLE templates DROP COLUMN community;
SELECT cache_invalidated_by('templates', 'templates');
