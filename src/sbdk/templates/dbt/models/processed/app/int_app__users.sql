{#-
    Processed users (delete+insert processing of new landed files): the landed Parquet files of stream app/users given in
    var('files'), deduplicated to the latest version of each user, JSON flattened, typed,
    and upserted (delete+insert on user_id) into processed.int_app__users.

    Columns follow the raw contract (raw.raw_users), so staging reads this table unchanged
    in incremental mode (see macros/sbdk_mode.sql), plus version and lineage metadata.

    Latest version = greatest (updated_at, _extracted_at, _source_file, _source_row_number).
    In incremental runs the rows already in the table for the batch's users compete with the
    batch, so a late file carrying an OLDER version never overwrites a newer one, and
    processing the files one by one, in any order, gives the same table as one full refresh.

    `sbdk run --incremental --full-refresh` builds the table aside, as
    int_app__users__refresh (var sbdk_processed_suffix, set by sbdk), from every landed file,
    and swaps it in only once complete: staging never reads a half-rebuilt table.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='user_id',
    tags=['processed', 'app__users'],
    schema='processed',
    alias='int_app__users' ~ var('sbdk_processed_suffix', ''),
    enabled=(var('sbdk_mode', 'full') == 'incremental'),
) }}

with batch as (

    select
        -- identifiers
        {{ sbdk_source_key() }}::bigint as user_id,

        -- flattened attributes (raw contract names)
        attributes::json ->> '$.name' as name,
        attributes::json ->> '$.email' as email,
        created_at::timestamp as created_at,
        attributes::json ->> '$.country' as country,
        attributes::json ->> '$.referrer' as referrer,

        -- versioning and lineage
        updated_at::timestamp as updated_at,
        _extracted_at::timestamp as _extracted_at,
        _batch_id::varchar as _batch_id,
        filename::varchar as _source_file,
        file_row_number::bigint as _source_row_number,
        year::integer as year,
        month::integer as month,
        day::integer as day

    from read_parquet(
        {{ sbdk_files() }},
        filename = true,
        hive_partitioning = true,
        union_by_name = true,
        file_row_number = true
    )
    -- delete+insert cannot replace a row without a key: it would pile up on every reprocessing
    where {{ sbdk_source_key() }} is not null

),

candidates as (

    select * from batch

    {% if is_incremental() %}
    -- versions already processed for the users of this batch compete with the batch
    union all by name
    select * from {{ this }}
    where user_id in (select user_id from batch)
    {% endif %}

)

select *
from candidates
qualify row_number() over (
    partition by user_id
    order by
        {{ sbdk_version_column('updated_at') }} desc nulls last,
        _extracted_at desc nulls last,
        _source_file desc,
        _source_row_number desc
) = 1
