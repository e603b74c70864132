-- The hub key registry: every tenant_skey of every master model, with the tenant,
-- platform and master model it belongs to (unique: tested in _platform.yml).
{{ config(materialized='table') }}
-- Built after every pusher has merged its records (dbt orders them by these refs).
$pushed

$unions
