{#-
    The observability tables, created when missing. dbt does not manage them (they are not
    models), so no --full-refresh, `dbt clean` or model rebuild ever drops them: their
    history only grows, one set of rows per dbt invocation. Documented as the source
    `observability` in models/observability/_observability.yml.

    test_results is a view over run_results rather than a fifth table: a test's outcome is
    already its run_results row, written once, so the two can never disagree, and the view
    adds what the test checks from test_definitions.

    Run by observability_row_types only when one of these relations is missing.
-#}
{% macro init_artifact_tables() -%}
create schema if not exists observability;

create table if not exists observability.invocations (
    invocation_id varchar primary key,
    project_name varchar,
    command varchar,
    started_at timestamp,
    finished_at timestamp,
    dbt_version varchar,
    target_name varchar,
    threads integer,
    sbdk_mode varchar,
    full_refresh boolean,
    select_arguments varchar[],
    exclude_arguments varchar[],
    selected_nodes integer,
    args json,
    success boolean,
    nodes_total integer,
    nodes_succeeded integer,
    nodes_warned integer,
    nodes_failed integer,
    nodes_skipped integer
);

create table if not exists observability.model_definitions (
    invocation_id varchar,
    node_id varchar,
    resource_type varchar,
    name varchar,
    package_name varchar,
    database_name varchar,
    schema_name varchar,
    alias varchar,
    relation_name varchar,
    original_file_path varchar,
    materialization varchar,
    depends_on varchar[],
    tags varchar[],
    config json,
    contract_enforced boolean,
    access varchar,
    description varchar,
    documented_columns integer,
    checksum varchar
);

create table if not exists observability.run_results (
    invocation_id varchar,
    node_id varchar,
    resource_type varchar,
    name varchar,
    status varchar,
    started_at timestamp,
    completed_at timestamp,
    execution_seconds double,
    rows_affected bigint,
    adapter_response json,
    message varchar,
    failures bigint,
    thread_id varchar,
    relation_name varchar
);

create table if not exists observability.test_definitions (
    invocation_id varchar,
    node_id varchar,
    name varchar,
    test_type varchar,
    generic_test varchar,
    package_name varchar,
    attached_node_id varchar,
    depends_on varchar[],
    column_name varchar,
    severity varchar,
    store_failures boolean,
    warn_if varchar,
    error_if varchar,
    where_clause varchar,
    arguments json,
    tags varchar[],
    meta json,
    original_file_path varchar
);

create or replace view observability.test_results as
select
    results.invocation_id,
    results.node_id,
    results.name,
    definitions.test_type,
    definitions.generic_test,
    definitions.attached_node_id,
    definitions.column_name,
    definitions.severity,
    results.status,
    results.failures,
    results.message,
    results.started_at,
    results.completed_at,
    results.execution_seconds,
    results.relation_name as failures_relation
from observability.run_results as results
left join observability.test_definitions as definitions
    on definitions.invocation_id = results.invocation_id
    and definitions.node_id = results.node_id
where results.resource_type in ('test', 'unit_test');
{%- endmacro %}
