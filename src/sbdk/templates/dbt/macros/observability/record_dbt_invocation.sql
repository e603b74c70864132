{#-
    The on-run-end hook (dbt_project.yml): records this dbt invocation in the schema
    `observability` (tables in init_artifact_tables.sql), whether dbt was started by sbdk or
    by hand (`dbt build`, `dbt run`, `dbt test`, `dbt seed`, `dbt snapshot`, `dbt retry`,
    `dbt source freshness`).

    It creates the tables if missing, then returns one script that dbt executes in a single
    call: one INSERT per table, in one transaction, so an invocation is recorded completely
    or not at all. dbt runs on-run-end hooks only for commands that execute nodes, and only
    when something was selected; while parsing (execute is false) this renders nothing.
-#}
{% macro record_dbt_invocation(results) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set row_types = observability_row_types() -%}
    {%- set inserts = [
        upload_invocation(results, row_types),
        upload_model_definitions(results, row_types),
        upload_run_results(results, row_types),
        upload_test_definitions(results, row_types),
    ] -%}
begin transaction;
{{ inserts | select | join('\n') }}
commit;
{%- endmacro %}
