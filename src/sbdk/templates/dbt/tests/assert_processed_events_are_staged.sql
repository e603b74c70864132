-- Incremental mode only. Every processed event must be in stg_events. An event that arrived
-- older than stg_events' lookback window (var events_lookback_days before the latest event
-- already staged) was skipped by the merge; it stays out of stg_events and everything built
-- on it until `sbdk run --incremental --full-refresh`. A warning, not an error: the
-- warehouse is consistent, only incomplete. Returns the skipped events.
{{ config(
    enabled=(var('sbdk_mode', 'full') == 'incremental'),
    severity='warn',
    meta={'dagster': {'ref': {'name': 'stg_events'}}},
) }}

select
    p.event_id,
    p.user_id,
    p.timestamp as event_timestamp,
    p._extracted_at
from {{ ref('int_app__events') }} as p
left join {{ ref('stg_events') }} as s
    on p.event_id = s.event_id
where
    s.event_id is null
    and p.event_id is not null
    and p.user_id is not null
