{#-
    Processed events (delete+insert processing of new landed files): the landed Parquet files of stream app/events given in
    var('files'), deduplicated to the latest extracted version of each event, properties
    flattened, typed, and upserted (delete+insert on event_id) into processed.int_app__events.

    Columns follow the raw contract (raw.raw_events: "timestamp" is occurred_at, utm_source
    and page come from properties) plus device and lineage metadata.

    Events carry no updated_at: the latest version is the greatest
    (_extracted_at, _source_file, _source_row_number). In incremental runs the rows already in
    the table for the batch's events compete with the batch, so processing the files one by
    one, in any order, gives the same table as one full refresh.

    `sbdk run --incremental --full-refresh` builds the table aside, as
    int_app__events__refresh (var sbdk_processed_suffix, set by sbdk), from every landed file,
    and swaps it in only once complete: staging never reads a half-rebuilt table.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    tags=['processed', 'app__events'],
    schema='processed',
    alias='int_app__events' ~ var('sbdk_processed_suffix', ''),
    enabled=(var('sbdk_mode', 'full') == 'incremental'),
) }}

with batch as (

    select
        -- identifiers
        {{ sbdk_source_key() }}::bigint as event_id,
        user_id::bigint as user_id,

        -- raw contract names
        event_type::varchar as event_type,
        occurred_at::timestamp as "timestamp",
        properties::json ->> '$.utm_source' as utm_source,
        properties::json ->> '$.page' as page,
        properties::json ->> '$.device' as device,

        -- versioning and lineage
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
    -- versions already processed for the events of this batch compete with the batch
    union all by name
    select * from {{ this }}
    where event_id in (select event_id from batch)
    {% endif %}

)

select *
from candidates
qualify row_number() over (
    partition by event_id
    order by
        {{ sbdk_version_column('_extracted_at') }} desc nulls last,
        _source_file desc,
        _source_row_number desc
) = 1
