-- In incremental mode late-arriving rows can break this for a day or two: warn there.
{{ config(
    severity=('warn' if var('sbdk_mode', 'full') == 'incremental' else 'error'),
    meta={'dagster': {'ref': {'name': 'dim_customers'}}},
) }}
-- dim_customers holds every valid user once, and its purchase history adds up to the valid
-- orders of fct_orders:
--   customers:    stg_users (valid) = dim_customers
--   orders, spent: fct_orders (valid) = sum of dim_customers.total_orders / total_spent
-- Returns one row per measure that differs.

with valid_orders as (

    select * from {{ ref('fct_orders') }}
    where data_quality_flag = 'valid'

),

comparisons as (

    select
        'customers' as measure,
        (
            select count(*) from {{ ref('stg_users') }}
            where data_quality_flag = 'valid'
        )::decimal(38, 2)
            as expected_value,
        (select count(*) from {{ ref('dim_customers') }})::decimal(38, 2) as actual_value

    union all

    select
        'orders' as measure,
        (select count(*) from valid_orders) as expected_value,
        (select coalesce(sum(total_orders), 0) from {{ ref('dim_customers') }}) as actual_value

    union all

    select
        'spent' as measure,
        (select coalesce(sum(order_amount), 0) from valid_orders) as expected_value,
        (select coalesce(sum(total_spent), 0) from {{ ref('dim_customers') }}) as actual_value

)

select *
from comparisons
where expected_value != actual_value
