-- migrate:up
-- Caches of the per-event path (services/kernel/cache.py). Rules are only ever inserted (a new version;
-- a trigger refuses UPDATE and DELETE): every instance forgets the community's rules in force then.
-- System accounts never change once made and are never deleted: only a TRUNCATE of the accounts (a
-- test, a restore by hand) makes every instance forget them, and no trigger runs for the per-event
-- writes of person accounts.
SELECT cache_invalidated_by('rules', 'rules', 'community');
SELECT cache_invalidated_by('accounts', 'system_accounts', operations => '{TRUNCATE}');

-- migrate:down
SELECT cache_not_invalidated_by('accounts', 'system_accounts');
SELECT cache_not_invalidated_by('rules', 'rules');
