-- The master model registry: each master model's contract, fingerprint, connectors,
-- and how many records and tenants it holds.
{{ config(materialized='table') }}
-- Built after every pusher has merged its records (dbt orders them by these refs).
$pushed

with counts as (

$unions

)

select
    blueprints.master_model,
    blueprints.contract_id,
    blueprints.source_schema_hash,
    counts.record_count,
    counts.tenant_count,
    counts.last_loaded_at
from {{ source('registry', 'connector_blueprints') }} as blueprints
inner join counts on blueprints.master_model = counts.master_model
