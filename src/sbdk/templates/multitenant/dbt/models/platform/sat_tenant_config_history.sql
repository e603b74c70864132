select
    tenant_slug,
    config_version,
    config_hash,
    config,
    first_seen_run_id,
    first_seen_at,
    lead(first_seen_at) over (
        partition by tenant_slug order by config_version
    ) as superseded_at,
    config_version = max(config_version) over (partition by tenant_slug) as is_current
from {{ source('registry', 'tenant_config_history') }}
