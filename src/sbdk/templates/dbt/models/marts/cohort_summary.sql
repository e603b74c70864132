-- One row per signup month: cohort size, conversion, retention and revenue.

with cohort_base as (

    select
        date_trunc('month', signup_date)::date as cohort_month,
        user_id,
        total_revenue,
        total_orders,
        user_lifecycle_stage,
        customer_age_days
    from {{ ref('user_metrics') }}

),

cohort_metrics as (

    select
        cohort_month,
        count(distinct user_id) as cohort_size,
        count(distinct case when total_orders > 0 then user_id end) as buyers_in_cohort,
        sum(total_revenue) as cohort_revenue,
        {{ sbdk_money_per("sum(total_revenue)", "count(total_revenue)") }} as avg_revenue_per_user,

        -- Retention by lifecycle stage
        count(distinct case when user_lifecycle_stage = 'active' then user_id end) as active_users,
        count(distinct case when user_lifecycle_stage = 'engaged' then user_id end)
            as engaged_users,
        count(distinct case when user_lifecycle_stage = 'dormant' then user_id end)
            as dormant_users,

        -- Age cohort analysis
        {{ sbdk_ratio("sum(customer_age_days)", "count(customer_age_days)") }}
            as avg_customer_age_days,
        percentile_cont(0.5) within group (order by customer_age_days) as median_customer_age_days
    from cohort_base
    group by cohort_month

)

select
    cohort_month,
    cohort_size,
    buyers_in_cohort,
    cohort_revenue,
    avg_revenue_per_user,

    -- Conversion rates
    coalesce({{ sbdk_ratio("buyers_in_cohort", "cohort_size", scale=100) }}, 0)
        as buyer_conversion_rate_pct,

    -- Retention rates
    active_users,
    engaged_users,
    dormant_users,
    coalesce({{ sbdk_ratio("active_users", "cohort_size", scale=100) }}, 0)
        as active_retention_rate_pct,
    coalesce({{ sbdk_ratio("active_users + engaged_users", "cohort_size", scale=100) }}, 0)
        as engaged_retention_rate_pct,

    -- Revenue metrics
    coalesce({{ sbdk_money_per("cohort_revenue", "buyers_in_cohort") }}, 0)
        as avg_revenue_per_buyer,

    avg_customer_age_days,
    median_customer_age_days,

    current_timestamp as dbt_updated_at

from cohort_metrics
