-- One row per product category: orders, buyers, revenue and payment mix (valid orders only).

with category_orders as (

    select
        product_category,

        -- Order metrics
        count(distinct order_id) as total_orders,
        count(distinct user_id) as unique_buyers,
        sum(order_amount) as total_revenue,
        {{ sbdk_money_per("sum(order_amount)", "count(order_amount)") }} as avg_order_value,

        -- Revenue analysis
        sum(case when revenue_type = 'recurring' then order_amount else 0 end) as recurring_revenue,
        sum(case when revenue_type = 'expansion' then order_amount else 0 end) as expansion_revenue,
        sum(case when revenue_type = 'one_time' then order_amount else 0 end) as one_time_revenue,

        -- Payment method distribution
        count(*) filter (where payment_method = 'credit_card') as credit_card_orders,
        count(*) filter (where payment_method = 'paypal') as paypal_orders,
        count(*) filter (where payment_method = 'wire') as wire_orders,
        count(*) filter (where payment_method = 'gift_card') as gift_card_orders
    from {{ ref('stg_orders') }}
    where data_quality_flag = 'valid'
    group by product_category

)

select
    product_category,
    total_orders,
    unique_buyers,
    total_revenue,
    avg_order_value,
    recurring_revenue,
    expansion_revenue,
    one_time_revenue,
    credit_card_orders,
    paypal_orders,
    wire_orders,
    gift_card_orders,

    -- Performance metrics
    {{ sbdk_money_per("total_revenue", "total_orders") }} as revenue_per_order,
    {{ sbdk_money_per("total_revenue", "unique_buyers") }} as revenue_per_buyer,

    current_timestamp as dbt_updated_at

from category_orders
