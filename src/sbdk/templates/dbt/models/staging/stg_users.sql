-- Staging model for users: type casting, standardised codes, data quality flag.
-- Input: sbdk_source('users') = raw.raw_users in full mode, processed.int_app__users in
-- incremental mode.

select
    user_id::bigint as user_id,
    name,
    lower(trim(email)) as email,
    created_at::timestamp as created_at,
    upper(country) as country_code,
    lower(referrer) as referrer_source,

    -- Data quality flags
    case
        when user_id is null then 'missing_id'
        when created_at is null then 'missing_created_at'
        else 'valid'
    end as data_quality_flag,

    -- Derived fields
    created_at::date as signup_date,
    date_part('year', created_at::timestamp) as signup_year,
    date_part('month', created_at::timestamp) as signup_month,

    -- Meta fields
    current_timestamp as dbt_updated_at

from {{ sbdk_source('users') }}
where user_id is not null
