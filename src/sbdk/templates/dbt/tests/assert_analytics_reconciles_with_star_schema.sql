-- The analytics layer adds attributes, never rows or amounts:
--   analytics_orders           = fct_orders:       orders, amount, items, quantity
--   analytics_order_items      = fct_order_items:  items, quantity, amount
--   analytics_customer_summary = dim_customers:    customers, orders, spent
--   analytics_customer_summary = fct_order_items of the valid orders of those customers:
--                                items, quantity, amount
-- Returns one row per measure that differs.
{{ config(meta={'dagster': {'ref': {'name': 'analytics_orders'}}}) }}

with customer_items as (

    select items.*
    from {{ ref('fct_order_items') }} as items
    inner join {{ ref('fct_orders') }} as orders
        on items.order_id = orders.order_id
    where orders.data_quality_flag = 'valid'
      and items.customer_id in (select customer_id from {{ ref('dim_customers') }})

),

measures as (

    select 'analytics_orders' as layer, 'orders' as measure, 'fct_orders' as reference,
        (select count(*) from {{ ref('fct_orders') }})::decimal(38, 2) as expected_value,
        (select count(*) from {{ ref('analytics_orders') }})::decimal(38, 2) as actual_value
    union all
    select 'analytics_orders', 'amount', 'fct_orders',
        (select coalesce(sum(order_amount), 0) from {{ ref('fct_orders') }}),
        (select coalesce(sum(order_amount), 0) from {{ ref('analytics_orders') }})
    union all
    select 'analytics_orders', 'items', 'fct_orders',
        (select coalesce(sum(item_count), 0) from {{ ref('fct_orders') }}),
        (select coalesce(sum(item_count), 0) from {{ ref('analytics_orders') }})
    union all
    select 'analytics_orders', 'quantity', 'fct_orders',
        (select coalesce(sum(total_quantity), 0) from {{ ref('fct_orders') }}),
        (select coalesce(sum(total_quantity), 0) from {{ ref('analytics_orders') }})

    union all
    select 'analytics_order_items', 'items', 'fct_order_items',
        (select count(*) from {{ ref('fct_order_items') }}),
        (select count(*) from {{ ref('analytics_order_items') }})
    union all
    select 'analytics_order_items', 'quantity', 'fct_order_items',
        (select coalesce(sum(quantity), 0) from {{ ref('fct_order_items') }}),
        (select coalesce(sum(quantity), 0) from {{ ref('analytics_order_items') }})
    union all
    select 'analytics_order_items', 'amount', 'fct_order_items',
        (select coalesce(sum(line_amount), 0) from {{ ref('fct_order_items') }}),
        (select coalesce(sum(line_amount), 0) from {{ ref('analytics_order_items') }})

    union all
    select 'analytics_customer_summary', 'customers', 'dim_customers',
        (select count(*) from {{ ref('dim_customers') }}),
        (select count(*) from {{ ref('analytics_customer_summary') }})
    union all
    select 'analytics_customer_summary', 'orders', 'dim_customers',
        (select coalesce(sum(total_orders), 0) from {{ ref('dim_customers') }}),
        (select coalesce(sum(total_orders), 0) from {{ ref('analytics_customer_summary') }})
    union all
    select 'analytics_customer_summary', 'spent', 'dim_customers',
        (select coalesce(sum(total_spent), 0) from {{ ref('dim_customers') }}),
        (select coalesce(sum(total_spent), 0) from {{ ref('analytics_customer_summary') }})

    union all
    select 'analytics_customer_summary', 'items', 'fct_order_items (valid orders)',
        (select count(*) from customer_items),
        (select coalesce(sum(total_items), 0) from {{ ref('analytics_customer_summary') }})
    union all
    select 'analytics_customer_summary', 'quantity', 'fct_order_items (valid orders)',
        (select coalesce(sum(quantity), 0) from customer_items),
        (select coalesce(sum(total_quantity), 0) from {{ ref('analytics_customer_summary') }})
    union all
    select 'analytics_customer_summary', 'amount', 'fct_order_items (valid orders)',
        (select coalesce(sum(line_amount), 0) from customer_items),
        (select coalesce(sum(items_amount), 0) from {{ ref('analytics_customer_summary') }})

)

select *
from measures
where expected_value != actual_value
