-- In incremental mode late-arriving rows can break this for a day or two: warn there.
{{ config(severity=('warn' if var('sbdk_mode', 'full') == 'incremental' else 'error')) }}
-- Every user with events must have a signup event, and no other event may come before it.
-- Returns one row per offending user.

with per_user as (

    select
        user_id,
        count(*) filter (where event_type = 'signup') as signup_events,
        min(event_timestamp) filter (where event_type = 'signup') as first_signup_at,
        min(event_timestamp) filter (where event_type != 'signup') as first_other_event_at
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid'
    group by user_id

)

select
    user_id,
    signup_events,
    first_signup_at,
    first_other_event_at,
    case
        when first_signup_at is null then 'no signup event'
        else 'event before signup'
    end as problem
from per_user
where
    first_signup_at is null
    or first_other_event_at < first_signup_at
