-- One row per customer: attributes, order and item totals (valid orders), the favourite
-- product, and activity and session statistics, for BI tools: no joins needed.

with valid_items as (

    select items.*
    from {{ ref('fct_order_items') }} as items
    inner join {{ ref('fct_orders') }} as orders
        on items.order_id = orders.order_id
    where orders.data_quality_flag = 'valid'

),

customer_items as (

    select
        customer_id,
        count(*) as total_items,
        sum(quantity)::bigint as total_quantity,
        sum(line_amount)::decimal(18, 2) as items_amount,
        count(distinct product_id) as distinct_products
    from valid_items
    group by customer_id

),

-- The product a customer bought most units of; ties go to the alphabetically first id.
product_quantities as (

    select
        customer_id,
        product_id,
        product_name,
        sum(quantity) as quantity
    from valid_items
    group by customer_id, product_id, product_name

),

favourite_products as (

    select
        customer_id,
        arg_min(product_id, (-quantity, product_id)) as favourite_product_id,
        arg_min(product_name, (-quantity, product_id)) as favourite_product_name
    from product_quantities
    group by customer_id

),

-- Durations summed as whole seconds: an avg() of doubles depends on the order DuckDB's
-- threads add them in, and the same data must give the same table.
customer_sessions as (

    select
        user_id as customer_id,
        sum(date_diff('second', session_start, session_end)) / count(*) / 60.0
            as avg_session_duration_minutes,
        count(*) filter (where session_outcome = 'converted') as converted_sessions
    from {{ ref('int_event_sessions') }}
    group by user_id

)

select
    customers.customer_id,
    customers.name,
    customers.email,
    customers.country_code,
    customers.referrer_source,
    customers.signed_up_at,
    customers.signup_date,

    -- Orders (valid)
    customers.total_orders,
    customers.total_spent,
    coalesce({{ sbdk_money_per("customers.total_spent", "customers.total_orders") }}, 0)
        as avg_order_value,
    customers.first_order_date,
    customers.last_order_date,
    metrics.customer_value_segment,
    metrics.buyer_segment,

    -- Items (of valid orders)
    coalesce(items.total_items, 0) as total_items,
    coalesce(items.total_quantity, 0) as total_quantity,
    coalesce(items.items_amount, 0) as items_amount,
    coalesce(items.distinct_products, 0) as distinct_products,
    favourites.favourite_product_id,
    favourites.favourite_product_name,

    -- Activity and sessions
    coalesce(metrics.total_events, 0) as total_events,
    coalesce(metrics.active_days, 0) as active_days,
    coalesce(metrics.pageviews, 0) as pageviews,
    coalesce(metrics.total_sessions, 0) as total_sessions,
    coalesce(sessions.converted_sessions, 0) as converted_sessions,
    sessions.avg_session_duration_minutes,
    metrics.user_lifecycle_stage,
    metrics.days_since_last_activity

from {{ ref('dim_customers') }} as customers
left join {{ ref('user_metrics') }} as metrics
    on customers.customer_id = metrics.user_id
left join customer_items as items
    on customers.customer_id = items.customer_id
left join favourite_products as favourites
    on customers.customer_id = favourites.customer_id
left join customer_sessions as sessions
    on customers.customer_id = sessions.customer_id
