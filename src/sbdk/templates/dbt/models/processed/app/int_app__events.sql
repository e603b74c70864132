{#-
    Processed events (delete+insert processing of new landed files): the landed Parquet
    files of stream app/events given in var('files'), deduplicated to the latest extracted
    version of each event, properties flattened, typed, and upserted (delete+insert on
    event_id) into processed.int_app__events.

    Columns follow the raw contract (raw.raw_events: "timestamp" is occurred_at, utm_source
    and page come from properties) plus device and lineage metadata.

    The batch read, the lineage columns and the choice of each record's latest version
    (against the rows already in the table, too) are the same for every stream:
    macros/sbdk_processed.sql. `sbdk run --incremental --full-refresh` builds the table
    aside, as int_app__events__refresh (var sbdk_processed_suffix, set by sbdk), and swaps it in
    only once complete.
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

{{ sbdk_processed_latest_versions(
    key='event_id',
    columns=[
        'user_id::bigint as user_id',
        'event_type::varchar as event_type',
        'occurred_at::timestamp as "timestamp"',
        "properties::json ->> '$.utm_source' as utm_source",
        "properties::json ->> '$.page' as page",
        "properties::json ->> '$.device' as device",
    ],
) }}
