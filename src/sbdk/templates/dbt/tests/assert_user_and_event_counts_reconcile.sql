-- In incremental mode late-arriving rows can break this for a day or two: warn there.
{{ config(
    severity=('warn' if var('sbdk_mode', 'full') == 'incremental' else 'error'),
    meta={'dagster': {'ref': {'name': 'user_metrics'}}},
) }}
-- User and event counts must agree across layers:
--   users:  raw_users = stg_users = int_user_activity = int_user_orders = user_metrics
--           = sum of cohort_summary.cohort_size
--   events: stg_events (valid) = sum of user_metrics.total_events
--           = sum of daily_summary.total_events; signups likewise
--   sessions: int_event_sessions = sum of user_metrics.total_sessions
-- Returns one row per count that differs from its reference.
-- raw_users is sbdk_source('users'): the raw table in full mode, int_app__users in
-- incremental mode.

with counts as (

    select
        'users' as measure,
        'raw_users' as layer,
        count(*) as measured_value
    from {{ sbdk_source('users') }}
    union all
    select
        'users' as measure,
        'stg_users' as layer,
        count(*) as measured_value
    from {{ ref('stg_users') }}
    union all
    select
        'users' as measure,
        'int_user_activity' as layer,
        count(*) as measured_value
    from {{ ref('int_user_activity') }}
    union all
    select
        'users' as measure,
        'int_user_orders' as layer,
        count(*) as measured_value
    from {{ ref('int_user_orders') }}
    union all
    select
        'users' as measure,
        'user_metrics' as layer,
        count(*) as measured_value
    from {{ ref('user_metrics') }}
    union all
    select
        'users' as measure,
        'cohort_summary' as layer,
        coalesce(sum(cohort_size), 0) as measured_value
    from {{ ref('cohort_summary') }}

    union all
    select
        'events' as measure,
        'stg_events' as layer,
        count(*) as measured_value
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid'
    union all
    select
        'events' as measure,
        'user_metrics' as layer,
        coalesce(sum(total_events), 0) as measured_value
    from {{ ref('user_metrics') }}
    union all
    select
        'events' as measure,
        'daily_summary' as layer,
        coalesce(sum(total_events), 0) as measured_value
    from {{ ref('daily_summary') }}

    union all
    select
        'signups' as measure,
        'stg_events' as layer,
        count(*) as measured_value
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid' and event_type = 'signup'
    union all
    select
        'signups' as measure,
        'daily_summary' as layer,
        coalesce(sum(new_signups), 0) as measured_value
    from {{ ref('daily_summary') }}

    union all
    select
        'sessions' as measure,
        'int_event_sessions' as layer,
        count(*) as measured_value
    from {{ ref('int_event_sessions') }}
    union all
    select
        'sessions' as measure,
        'user_metrics' as layer,
        coalesce(sum(total_sessions), 0) as measured_value
    from {{ ref('user_metrics') }}

),

reference_counts as (

    select
        measure,
        measured_value as expected_value
    from counts
    where
        (measure = 'users' and layer = 'raw_users')
        or (measure in ('events', 'signups') and layer = 'stg_events')
        or (measure = 'sessions' and layer = 'int_event_sessions')

)

select
    c.measure,
    c.layer,
    r.expected_value,
    c.measured_value as actual_value
from counts as c
inner join reference_counts as r
    on c.measure = r.measure
where c.measured_value != r.expected_value
