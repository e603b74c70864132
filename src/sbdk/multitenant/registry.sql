-- The platform's registry, written by sbdk (never by a dbt model); dbt documents and reads it
-- as source `registry`. Rows are only added or, for the schema history, updated in place.
create schema if not exists registry;

-- One blueprint per landing contract: the physical fingerprint a landed table must have to
-- be routed, and the master model its records go to.
create table if not exists registry.connector_blueprints (
    source_schema_hash varchar primary key,
    contract_id varchar not null,
    api varchar not null,
    api_version varchar not null,
    object_name varchar not null,
    master_model varchar not null,
    columns json not null,
    registered_at timestamp not null
);

-- Every fingerprint seen per landed table, with the runs it was first and last seen in.
create table if not exists registry.source_schema_history (
    source_table varchar not null,
    tenant_slug varchar not null,
    source_platform varchar not null,
    object_name varchar not null,
    source_schema_hash varchar not null,
    columns json not null,
    routing_status varchar not null,
    master_model varchar,
    first_seen_run_id varchar not null,
    first_seen_at timestamp not null,
    last_seen_run_id varchar not null,
    last_seen_at timestamp not null,
    primary key (source_table, source_schema_hash)
);

-- A landed table that was not routed, per run: its columns, the contract its source
-- expects, the closest blueprint and how the table differs from it.
create table if not exists registry.quarantined_tables (
    run_id varchar not null,
    quarantined_at timestamp not null,
    source_table varchar not null,
    tenant_slug varchar not null,
    source_platform varchar not null,
    object_name varchar not null,
    source_schema_hash varchar not null,
    columns json not null,
    expected_contract varchar not null,
    closest_contract varchar not null,
    missing_columns json not null,
    unexpected_columns json not null,
    retyped_columns json not null,
    reason varchar not null
);

-- Each version of each tenant's configuration (its entry of tenants.yaml), when first seen.
create table if not exists registry.tenant_config_history (
    tenant_slug varchar not null,
    config_version integer not null,
    config_hash varchar not null,
    config json not null,
    first_seen_run_id varchar not null,
    first_seen_at timestamp not null,
    primary key (tenant_slug, config_hash)
);
