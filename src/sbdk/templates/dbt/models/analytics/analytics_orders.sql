-- One row per order with its customer's attributes, for BI tools: no joins needed.
-- Orders whose customer is not (yet) in dim_customers keep their row, customer columns null.

select
    orders.order_id,
    orders.ordered_at,
    orders.order_date,
    orders.product_category,
    orders.payment_method,
    orders.payment_method_group,
    orders.revenue_type,
    orders.order_size_category,
    orders.order_amount,
    orders.item_count,
    orders.total_quantity,
    orders.data_quality_flag,

    -- The order among the customer's orders: 1 = their first
    row_number() over (
        partition by orders.customer_id
        order by orders.ordered_at, orders.order_id
    ) as customer_order_number,

    -- Customer
    orders.customer_id,
    customers.name as customer_name,
    customers.email as customer_email,
    customers.country_code as customer_country_code,
    customers.referrer_source as customer_referrer_source,
    customers.signup_date as customer_signup_date,
    date_diff('day', customers.signup_date, orders.order_date) as days_since_signup

from {{ ref('fct_orders') }} as orders
left join {{ ref('dim_customers') }} as customers
    on orders.customer_id = customers.customer_id
