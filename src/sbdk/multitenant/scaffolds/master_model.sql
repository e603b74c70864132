-- The multi-tenant master model of $contract: every tenant's $object_name records from
-- $platforms, one row per tenant_skey, the landed record kept whole in raw_data_payload.
-- Created empty once (materialization master_model) and filled only by the staging
-- pushers' merges: no run or --full-refresh ever rebuilds it.
{{ config(materialized='master_model') }}

{{ master_model_columns() }}
