select
    source_table,
    tenant_slug,
    source_platform,
    object_name,
    source_schema_hash,
    routing_status,
    master_model,
    columns,
    first_seen_run_id,
    first_seen_at,
    last_seen_run_id,
    last_seen_at
from {{ source('registry', 'source_schema_history') }}
