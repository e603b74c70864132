-- The order fact of the star schema: one row per order (every order of stg_orders, its
-- data_quality_flag kept), with its measures and the counts of its line items, taken from
-- fct_order_items so that the JSON is parsed once.

with items as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as total_quantity
    from {{ ref('fct_order_items') }}
    group by order_id

)

select
    orders.order_id,
    orders.user_id as customer_id,
    orders.event_id,
    orders.created_at as ordered_at,
    orders.order_date,
    orders.product_category,
    orders.payment_method,
    orders.payment_method_group,
    orders.revenue_type,
    orders.order_size_category,

    -- Measures
    orders.order_amount,
    coalesce(items.item_count, 0)::integer as item_count,
    coalesce(items.total_quantity, 0)::integer as total_quantity,

    orders.data_quality_flag

from {{ ref('stg_orders') }} as orders
left join items
    on orders.order_id = items.order_id
