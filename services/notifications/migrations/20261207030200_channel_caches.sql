-- migrate:up
-- What every event reads of the channels is cached per process (ChannelCaches, services/kernel/cache.py):
-- every instance forgets a community's subscriptions or robots, or the templates, when their rows change.
SELECT cache_invalidated_by('subscriptions', 'subscriptions', 'community');
SELECT cache_invalidated_by('wecom_robots', 'wecom_robots', 'community');
SELECT cache_invalidated_by('templates', 'templates');

-- migrate:down
SELECT cache_not_invalidated_by('templates', 'templates');
SELECT cache_not_invalidated_by('wecom_robots', 'wecom_robots');
SELECT cache_not_invalidated_by('subscriptions', 'subscriptions');
