-- One row per valid user: activity, purchases and lifetime value in one place.
-- Day counts are relative to the as_of_date() macro (var as_of_date or latest event date).

with users as (

    select
        ua.user_id,
        ua.created_at,
        ua.country_code,
        ua.referrer_source,
        ua.signup_date,

        -- Activity metrics
        ua.total_events,
        ua.active_days,
        ua.pageviews,
        ua.total_sessions,
        ua.avg_events_per_active_day,
        ua.avg_events_per_session,
        ua.user_lifecycle_stage,
        ua.days_since_last_activity,

        -- Purchase metrics
        coalesce(uo.total_orders, 0) as total_orders,
        coalesce(uo.total_revenue, 0) as total_revenue,
        coalesce(uo.avg_order_value, 0) as avg_order_value,
        coalesce(uo.customer_value_segment, 'no_purchases') as customer_value_segment,
        coalesce(uo.buyer_segment, 'non_buyer') as buyer_segment,
        uo.preferred_product_category,

        date_diff('day', ua.signup_date, {{ as_of_date() }}) as customer_age_days

    from {{ ref('int_user_activity') }} as ua
    left join {{ ref('int_user_orders') }} as uo
        on ua.user_id = uo.user_id

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
    total_sessions,
    avg_events_per_active_day,
    avg_events_per_session,
    user_lifecycle_stage,
    days_since_last_activity,

    -- Purchase metrics
    total_orders,
    total_revenue,
    avg_order_value,
    customer_value_segment,
    buyer_segment,
    preferred_product_category,

    -- Combined metrics
    coalesce({{ sbdk_ratio("total_orders", "pageviews", 4) }}, 0)
        as overall_conversion_rate,
    coalesce({{ sbdk_money_per("total_revenue", "active_days") }}, 0) as revenue_per_active_day,

    -- Customer lifetime metrics
    customer_age_days,
    coalesce({{ sbdk_money_per("total_revenue", "greatest(customer_age_days, 0)") }}, 0)
        as daily_customer_value,

    -- User quality score (0-100)
    least(
        100,
        active_days * 2
        + total_orders * 5
        + case when total_revenue > 100 then 20 else 0 end
        + case when user_lifecycle_stage = 'active' then 15 else 0 end
    ) as user_quality_score,

    current_timestamp as dbt_updated_at

from users
