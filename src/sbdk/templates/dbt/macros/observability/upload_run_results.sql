{#-
    The INSERT of one observability.run_results row per node this invocation executed,
    skipped ones included (status 'skipped', no timings): dbt's `results`, which hold every
    selected node and none of the project's own hooks.

    rows_affected is what the adapter reports in its adapter_response; dbt-duckdb reports
    none, so with DuckDB it is null.
-#}
{% macro upload_run_results(results, row_types) -%}
    {%- set rows = [] -%}
    {%- for result in results -%}
        {%- set timings = result.timing | selectattr('started_at') | list -%}
        {%- set adapter_response = result.adapter_response or {} -%}
        {%- do rows.append({
            'invocation_id': invocation_id,
            'node_id': result.node.unique_id,
            'resource_type': result.node.resource_type | string,
            'name': result.node.name,
            'status': result.status | string,
            'started_at': timings[0].started_at.isoformat() if timings else none,
            'completed_at': timings[-1].completed_at.isoformat() if timings else none,
            'execution_seconds': result.execution_time,
            'rows_affected': adapter_response.get('rows_affected'),
            'adapter_response': observability_json_safe(adapter_response),
            'message': result.message,
            'failures': result.failures,
            'thread_id': result.thread_id,
            'relation_name': result.node.relation_name | default(none),
        }) -%}
    {%- endfor -%}
    {{- return(observability_insert('run_results', rows, row_types)) -}}
{%- endmacro %}
