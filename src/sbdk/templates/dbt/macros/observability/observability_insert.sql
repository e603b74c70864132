{#-
    How the on-run-end hook writes rows (see record_dbt_invocation.sql): one statement per
    table per invocation, however many nodes ran,

        insert into observability.<table> by name
        select unnest(json_transform_strict('<the rows as one JSON array>', '<the row type>'), max_depth := 2)

    dbt's tojson serialises all rows in one call, with single quotes doubled for the SQL
    string, so no value (a test message, a model description) can break the statement;
    DuckDB parses the document and casts each field to its column's type (ISO 8601 text to
    TIMESTAMP, objects to JSON, arrays to VARCHAR[]), failing rather than writing null when
    a value does not fit (hence every row has every column). The row type is read from the
    table itself (observability_row_types), so the column types are written once, in
    init_artifact_tables.sql. This costs a few milliseconds where a literal per value in
    INSERT ... VALUES cost ~0.3 s of Jinja and SQL binding for a ~230-row build.
-#}
{% macro observability_insert(table_name, rows, row_types) -%}
    {%- if not rows -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set document = tojson(rows) -%}
    {%- if document is none -%}
        {#- A loader whose tojson cannot serialise the rows (SQLMesh's returns None):
            record nothing rather than insert the text 'None'. -#}
        {{- return('') -}}
    {%- endif -%}
    {{- return(
        'insert into observability.' ~ table_name ~ ' by name\n'
        ~ "select unnest(json_transform_strict('" ~ document | replace("'", "''") ~ "', '"
        ~ tojson([row_types[table_name]]) ~ "'), max_depth := 2);"
    ) -}}
{%- endmacro %}


{#-
    The column types of the observability tables as json_transform structures,
    {'run_results': {'invocation_id': 'VARCHAR', 'started_at': 'TIMESTAMP', ...}, ...},
    creating the tables first when one is missing (the first invocation in a warehouse).
-#}
{% macro observability_row_types() -%}
    {%- set row_types = observability_catalog_row_types() -%}
    {%- if row_types | length < 5 -%}
        {%- do run_query(init_artifact_tables()) -%}
        {%- set row_types = observability_catalog_row_types() -%}
    {%- endif -%}
    {{- return(row_types) -}}
{%- endmacro %}


{% macro observability_catalog_row_types() -%}
    {%- set query -%}
        {#- duckdb_columns() rather than information_schema.columns: ~2 ms instead of ~5. -#}
        select table_name, json_group_object(column_name, data_type)
        from duckdb_columns()
        where database_name = current_database()
            and schema_name = 'observability'
            and table_name in ('invocations', 'model_definitions', 'run_results', 'test_definitions', 'test_results')
        group by table_name
    {%- endset -%}
    {%- set row_types = {} -%}
    {%- for table_name, columns in run_query(query).rows -%}
        {%- do row_types.update({table_name: fromjson(columns)}) -%}
    {%- endfor -%}
    {{- return(row_types) -}}
{%- endmacro %}


{#-
    `value` with everything json.dumps refuses replaced by its string: a date in a model's
    meta or in --vars ('{as_of_date: 2025-12-31}' is a YAML date) would otherwise make tojson
    raise and fail the whole dbt command. NaN and infinity, which DuckDB rejects in JSON,
    become null. Scalars and empty containers are kept without a recursive call: each dbt
    macro call costs ~20 us, and an invocation serialises a few hundred containers.
-#}
{% macro observability_json_safe(value) -%}
    {%- if value is none or value is boolean or value is string or value is integer -%}
        {{- return(value) -}}
    {%- elif value is float -%}
        {{- return(value if value * 0 == 0 else none) -}}
    {%- elif value is mapping or value is iterable -%}
        {%- set safe_items = [] -%}
        {%- for item in (value.values() if value is mapping else value) -%}
            {%- if item is none or item is boolean or item is string or item is integer
                or ((item is mapping or item is sequence) and not item) -%}
                {%- do safe_items.append(item) -%}
            {%- else -%}
                {%- do safe_items.append(observability_json_safe(item)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if value is mapping -%}
            {{- return(dict(zip(value.keys() | map('string'), safe_items))) -}}
        {%- endif -%}
        {{- return(safe_items) -}}
    {%- endif -%}
    {{- return(value | string) -}}
{%- endmacro %}
