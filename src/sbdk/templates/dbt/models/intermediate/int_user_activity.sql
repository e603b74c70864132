-- One row per valid user: engagement metrics and lifecycle stage.
-- Day counts are relative to the as_of_date() macro (var as_of_date or latest event date).

with user_events as (

    select
        user_id,
        count(*) as total_events,
        count(distinct event_date) as active_days,
        count(*) filter (where event_type = 'pageview') as pageviews,
        count(*) filter (where event_type = 'purchase') as purchase_events,
        count(*) filter (where event_type = 'login') as login_events,
        count(*) filter (where event_type = 'signup') as signup_events,
        min(event_timestamp) as first_event_at,
        max(event_timestamp) as last_event_at
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid'
    group by user_id

),

-- Sessions come from int_event_sessions, so the sessionisation window of the
-- stg_events view is computed there only.
user_sessions as (

    select
        user_id,
        count(*) as total_sessions
    from {{ ref('int_event_sessions') }}
    group by user_id

),

user_base as (

    select *
    from {{ ref('stg_users') }}
    where data_quality_flag = 'valid'

),

joined as (

    select
        u.user_id,
        u.created_at,
        u.country_code,
        u.referrer_source,
        u.signup_date,
        coalesce(e.total_events, 0) as total_events,
        coalesce(e.active_days, 0) as active_days,
        coalesce(e.pageviews, 0) as pageviews,
        coalesce(e.purchase_events, 0) as purchase_events,
        coalesce(e.login_events, 0) as login_events,
        coalesce(e.signup_events, 0) as signup_events,
        coalesce(s.total_sessions, 0) as total_sessions,
        e.first_event_at,
        e.last_event_at,
        date_diff('day', e.last_event_at::date, {{ as_of_date() }}) as days_since_last_activity
    from user_base as u
    left join user_events as e
        on u.user_id = e.user_id
    left join user_sessions as s
        on u.user_id = s.user_id

)

select
    user_id,
    created_at,
    country_code,
    referrer_source,
    signup_date,

    -- Activity metrics
    total_events,
    active_days,
    pageviews,
    purchase_events,
    login_events,
    signup_events,
    total_sessions,

    -- Engagement calculations
    coalesce({{ sbdk_ratio("total_events", "active_days") }}, 0)
        as avg_events_per_active_day,
    coalesce({{ sbdk_ratio("total_events", "total_sessions") }}, 0)
        as avg_events_per_session,

    -- Conversion metrics
    coalesce({{ sbdk_ratio("purchase_events", "pageviews", 4) }}, 0)
        as purchase_conversion_rate,

    -- Lifecycle metrics
    first_event_at,
    last_event_at,
    days_since_last_activity,

    -- User lifecycle stage
    case
        when total_events = 0 or total_events < {{ var('min_user_events') }} then 'inactive'
        when days_since_last_activity > {{ var('dormant_after_days') }} then 'dormant'
        when
            total_events >= {{ var('active_user_min_events') }}
            and active_days >= {{ var('active_user_min_days') }} then 'active'
        when total_events >= {{ var('engaged_user_min_events') }} then 'engaged'
        else 'new'
    end as user_lifecycle_stage,

    current_timestamp as dbt_updated_at

from joined
