-- One row per item of an order with its order's and customer's attributes, for BI tools:
-- no joins needed. Items keep their row when the customer is not (yet) in dim_customers.

select
    items.order_item_id,
    items.order_id,
    items.line_number,
    items.product_id,
    items.product_name,
    items.product_category,
    items.quantity,
    items.unit_price,
    items.line_amount,
    {{ sbdk_ratio("items.line_amount * 100", "orders.order_amount * 100", scale=100) }}
        as share_of_order_pct,

    -- Order
    items.ordered_at,
    items.order_date,
    orders.payment_method,
    orders.order_amount,
    orders.item_count as order_item_count,
    orders.data_quality_flag as order_data_quality_flag,

    -- Customer
    items.customer_id,
    customers.name as customer_name,
    customers.email as customer_email,
    customers.country_code as customer_country_code,
    customers.referrer_source as customer_referrer_source,
    customers.signup_date as customer_signup_date

from {{ ref('fct_order_items') }} as items
left join {{ ref('fct_orders') }} as orders
    on items.order_id = orders.order_id
left join {{ ref('dim_customers') }} as customers
    on items.customer_id = customers.customer_id
