{#-
    The INSERT of one observability.model_definitions row per model, seed and snapshot this
    invocation executed (or skipped), as dbt parsed it for this invocation: its place in the
    DAG, materialization and full config. One row per such run_results row, so each result
    can be read against the definition it ran with. Recording only executed nodes keeps the
    cost proportional to the work: sbdk's incremental mode runs dbt once per batch of
    files, each time for one model, in a project of ~130 nodes.
-#}
{% macro upload_model_definitions(results, row_types) -%}
    {%- set rows = [] -%}
    {%- for result in results if result.node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- set node = graph.nodes[result.node.unique_id] -%}
        {%- do rows.append({
            'invocation_id': invocation_id,
            'node_id': node.unique_id,
            'resource_type': node.resource_type,
            'name': node.name,
            'package_name': node.package_name,
            'database_name': node.database,
            'schema_name': node.schema,
            'alias': node.alias,
            'relation_name': node.relation_name,
            'original_file_path': node.original_file_path,
            'materialization': node.config.materialized,
            'depends_on': node.depends_on.get('nodes', []),
            'tags': node.tags,
            'config': observability_json_safe(node.config),
            'contract_enforced': node.config.get('contract', {}).get('enforced'),
            'access': node.get('access'),
            'description': node.description,
            'documented_columns': node.columns | length,
            'checksum': node.checksum.checksum,
        }) -%}
    {%- endfor -%}
    {{- return(observability_insert('model_definitions', rows, row_types)) -}}
{%- endmacro %}
