{#-
    The INSERT of one observability.test_definitions row per data test and unit test this
    invocation executed (or skipped), as parsed for this invocation: what it checks and
    how. Data tests come from dbt's graph; unit tests, which the graph given to hooks
    lacks, from their results, with the model they test as attached_node_id. The config
    keys that matter for tests have columns of their own rather than a JSON copy of the
    whole config: a build runs ~100 tests, and making ~100 configs JSON-safe in Jinja took
    as long as writing every other row of the invocation.
-#}
{% macro upload_test_definitions(results, row_types) -%}
    {%- set rows = [] -%}
    {%- for result in results if result.node.resource_type == 'test' -%}
        {%- set node = graph.nodes[result.node.unique_id] -%}
        {%- set config = node.config -%}
        {%- set metadata = node.get('test_metadata') or {} -%}
        {%- set parents = node.depends_on.get('nodes', []) -%}
        {#- dbt attaches generic tests to models only; a source test's one parent is its source. -#}
        {%- do rows.append({
            'invocation_id': invocation_id,
            'node_id': node.unique_id,
            'name': node.name,
            'test_type': 'generic' if metadata else 'singular',
            'generic_test': ((metadata.namespace ~ '.') if metadata.namespace else '') ~ metadata.name
                if metadata else none,
            'package_name': node.package_name,
            'attached_node_id': node.get('attached_node')
                or (parents[0] if metadata and parents | length == 1 else none),
            'depends_on': parents,
            'column_name': node.get('column_name'),
            'severity': config.severity | lower if config.severity else none,
            'store_failures': config.store_failures,
            'warn_if': config.warn_if,
            'error_if': config.error_if,
            'where_clause': config.where,
            'arguments': observability_json_safe(metadata.kwargs) if metadata else none,
            'tags': node.tags,
            'meta': observability_json_safe(config.meta),
            'original_file_path': node.original_file_path,
        }) -%}
    {%- endfor -%}
    {%- for result in results if result.node.resource_type == 'unit_test' -%}
        {%- set node = result.node -%}
        {%- set tested = node.tested_node_unique_id | default(none) -%}
        {#- depends_on as in the manifest: the executed node depends on its input fixtures instead. -#}
        {%- do rows.append({
            'invocation_id': invocation_id,
            'node_id': node.unique_id,
            'name': node.name,
            'test_type': 'unit',
            'generic_test': none,
            'package_name': node.package_name,
            'attached_node_id': tested,
            'depends_on': [tested] if tested else [],
            'column_name': none,
            'severity': none,
            'store_failures': none,
            'warn_if': none,
            'error_if': none,
            'where_clause': none,
            'arguments': none,
            'tags': node.tags | list,
            'meta': observability_json_safe(node.config.meta),
            'original_file_path': node.original_file_path,
        }) -%}
    {%- endfor -%}
    {{- return(observability_insert('test_definitions', rows, row_types)) -}}
{%- endmacro %}
