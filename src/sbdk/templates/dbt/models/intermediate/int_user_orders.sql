-- One row per valid user: purchase behaviour and customer segments (valid orders only).

with valid_orders as (

    select *
    from {{ ref('stg_orders') }}
    where data_quality_flag = 'valid'

),

user_orders as (

    select
        user_id,
        count(*) as total_orders,
        sum(order_amount) as total_revenue,
        {{ sbdk_money_per("sum(order_amount)", "count(order_amount)") }} as avg_order_value,
        min(order_amount) as min_order_value,
        max(order_amount) as max_order_value,

        -- Revenue by type
        sum(case when revenue_type = 'recurring' then order_amount else 0 end) as recurring_revenue,
        sum(case when revenue_type = 'expansion' then order_amount else 0 end) as expansion_revenue,
        sum(case when revenue_type = 'one_time' then order_amount else 0 end) as one_time_revenue,

        -- Order patterns
        count(distinct product_category) as unique_product_categories,
        count(distinct payment_method) as unique_payment_methods
    from valid_orders
    group by user_id

),

-- Most frequent category / payment method per user; ties go to the alphabetically
-- first value so the result is deterministic.
category_counts as (

    select
        user_id,
        product_category,
        count(*) as orders
    from valid_orders
    group by user_id, product_category

),

preferred_category as (

    select
        user_id,
        arg_min(product_category, (-orders, product_category)) as preferred_product_category
    from category_counts
    group by user_id

),

payment_counts as (

    select
        user_id,
        payment_method,
        count(*) as orders
    from valid_orders
    group by user_id, payment_method

),

preferred_payment as (

    select
        user_id,
        arg_min(payment_method, (-orders, payment_method)) as preferred_payment_method
    from payment_counts
    group by user_id

)

select
    u.user_id,
    u.created_at,
    u.country_code,
    u.referrer_source,

    -- Order metrics
    coalesce(o.total_orders, 0) as total_orders,
    coalesce(o.total_revenue, 0) as total_revenue,
    coalesce(o.avg_order_value, 0) as avg_order_value,
    o.min_order_value,
    o.max_order_value,

    -- Revenue breakdown
    coalesce(o.recurring_revenue, 0) as recurring_revenue,
    coalesce(o.expansion_revenue, 0) as expansion_revenue,
    coalesce(o.one_time_revenue, 0) as one_time_revenue,

    -- Customer behaviour
    coalesce(o.unique_product_categories, 0) as unique_product_categories,
    coalesce(o.unique_payment_methods, 0) as unique_payment_methods,
    pc.preferred_product_category,
    pp.preferred_payment_method,

    -- Customer classification
    case
        when o.total_revenue > {{ var('high_value_customer_threshold') }} then 'high_value'
        when o.total_revenue > {{ var('medium_value_customer_threshold') }} then 'medium_value'
        when o.total_revenue > 0 then 'low_value'
        else 'no_purchases'
    end as customer_value_segment,

    case
        when coalesce(o.total_orders, 0) = 0 then 'non_buyer'
        when o.total_orders = 1 then 'one_time_buyer'
        when o.total_orders <= 5 then 'repeat_buyer'
        else 'loyal_buyer'
    end as buyer_segment,

    current_timestamp as dbt_updated_at

from {{ ref('stg_users') }} as u
left join user_orders as o
    on u.user_id = o.user_id
left join preferred_category as pc
    on u.user_id = pc.user_id
left join preferred_payment as pp
    on u.user_id = pp.user_id
where u.data_quality_flag = 'valid'
