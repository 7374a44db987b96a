-- migrate:up
-- Every instance forgets its cached categories of a community when that community's rows change,
-- and every community's when a default ('*') row does (services/kernel/cache.py).
SELECT cache_invalidated_by('categories', 'categories', 'community');

-- migrate:down
SELECT cache_not_invalidated_by('categories', 'categories');
