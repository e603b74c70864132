-- One row per UTC day with events or orders: traffic, sessions, orders and revenue.

with daily_events as (

    select
        event_date,
        count(*) as total_events,
        count(distinct user_id) as active_users,
        count(*) filter (where event_type = 'pageview') as pageviews,
        count(*) filter (where event_type = 'purchase') as purchase_events,
        count(*) filter (where event_type = 'signup') as signups
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid'
    group by event_date

),

-- A session counts on every day it spans. Gaps inside a session are at most
-- session_timeout_minutes (less than a day), so a session has events on each day it
-- spans: this equals counting the distinct session_id of each day's events, without
-- recomputing the sessionisation window of the stg_events view.
daily_sessions as (

    select
        session_date::date as session_date,
        count(*) as total_sessions
    from {{ ref('int_event_sessions') }},
        unnest(generate_series(session_start::date, session_end::date, interval 1 day))
            as session_days (session_date)
    group by session_date::date

),

daily_orders as (

    select
        order_date,
        count(*) as total_orders,
        count(distinct user_id) as buyers,
        sum(order_amount) as daily_revenue,
        {{ sbdk_money_per("sum(order_amount)", "count(order_amount)") }} as avg_order_value
    from {{ ref('stg_orders') }}
    where data_quality_flag = 'valid'
    group by order_date

),

daily as (

    select
        coalesce(e.event_date, o.order_date) as report_date,
        coalesce(e.total_events, 0) as total_events,
        coalesce(e.active_users, 0) as active_users,
        coalesce(s.total_sessions, 0) as total_sessions,
        coalesce(e.pageviews, 0) as pageviews,
        coalesce(e.purchase_events, 0) as purchase_events,
        coalesce(e.signups, 0) as new_signups,
        coalesce(o.total_orders, 0) as total_orders,
        coalesce(o.buyers, 0) as unique_buyers,
        coalesce(o.daily_revenue, 0) as daily_revenue,
        coalesce(o.avg_order_value, 0) as avg_order_value
    from daily_events as e
    full outer join daily_orders as o
        on e.event_date = o.order_date
    left join daily_sessions as s
        on e.event_date = s.session_date

)

select
    report_date,

    -- Event metrics
    total_events,
    active_users,
    total_sessions,
    pageviews,
    purchase_events,
    new_signups,

    -- Order metrics
    total_orders,
    unique_buyers,
    daily_revenue,
    avg_order_value,

    -- Conversion metrics
    coalesce({{ sbdk_ratio("total_orders", "pageviews", scale=100) }}, 0)
        as conversion_rate_pct,
    coalesce({{ sbdk_ratio("unique_buyers", "active_users", scale=100) }}, 0)
        as buyer_rate_pct,

    -- Engagement metrics
    coalesce({{ sbdk_ratio("total_events", "total_sessions") }}, 0)
        as avg_events_per_session,

    current_timestamp as dbt_updated_at

from daily
