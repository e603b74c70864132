-- Staging model for orders: financial data cleaning and categorisation.
-- Orders below var('min_order_amount') (or without an amount) stay here, flagged,
-- so that raw and staging totals reconcile; downstream models use valid orders only.
-- Input: sbdk_source('orders') = raw.raw_orders in full mode, processed.int_app__orders in
-- incremental mode.

with orders as (

    select
        order_id::bigint as order_id,
        user_id::bigint as user_id,
        event_id::bigint as event_id,
        amount::decimal(12, 2) as order_amount,
        lower(product_category) as product_category,
        lower(payment_method) as payment_method,
        created_at::timestamp as created_at,
        line_items::json as line_items
    from {{ sbdk_source('orders') }}
    where
        order_id is not null
        and user_id is not null

)

select
    order_id,
    user_id,
    event_id,
    order_amount,
    product_category,
    payment_method,
    created_at,
    created_at::date as order_date,
    line_items,

    -- Order size categorisation
    case
        when order_amount < 50 then 'small'
        when order_amount <= 200 then 'medium'
        when order_amount > 200 then 'large'
    end as order_size_category,

    -- Payment method grouping
    case
        when payment_method = 'credit_card' then 'card'
        when payment_method = 'paypal' then 'digital_wallet'
        else 'other'
    end as payment_method_group,

    -- Revenue categorisation
    case
        when product_category = 'subscription' then 'recurring'
        when product_category in ('addon', 'renewal') then 'expansion'
        else 'one_time'
    end as revenue_type,

    -- Data quality
    case
        when
            order_amount is null or order_amount < {{ var('min_order_amount') }}
            then 'invalid_amount'
        when created_at is null then 'missing_created_at'
        else 'valid'
    end as data_quality_flag,

    current_timestamp as dbt_updated_at

from orders
