-- One row per customer (user) with at least one valid order: how much and how often they
-- bought. Ephemeral: inlined into dim_customers as a CTE, never materialised.
{{ config(materialized='ephemeral') }}

select
    user_id as customer_id,
    count(*) as total_orders,
    sum(order_amount) as total_spent,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date
from {{ ref('stg_orders') }}
where data_quality_flag = 'valid'
group by user_id
