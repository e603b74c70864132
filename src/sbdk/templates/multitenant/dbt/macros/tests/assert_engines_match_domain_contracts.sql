{#-
    The body of assert_<tenant>__engines_match_contracts: the output of every engine the
    tenant uses has exactly the columns (names, order) and types of its domain contract.
    `outputs` maps each output (ad_performance, campaigns, orders, sessions) to the sources
    whose engines produce it. One row per column that differs.
-#}
{% macro assert_engines_match_domain_contracts(tenant, outputs) -%}
{%- set empty -%}
    select
        cast(null as varchar) as engine_output,
        cast(null as varchar) as source_platform,
        cast(null as bigint) as position,
        cast(null as varchar) as column_name,
        cast(null as varchar) as data_type
    where false
{%- endset -%}
with expected as (
{{ empty }}
{%- for output, sources in outputs.items() %}{% for source in sources %}
{%- for column, data_type in domain_contract(output) %}
    union all
    select '{{ output }}', '{{ source }}', {{ loop.index }}, '{{ column }}', '{{ data_type }}'
{%- endfor %}{% endfor %}{% endfor %}
),

actual as (
{{ empty }}
{%- for output, sources in outputs.items() %}{% for source in sources %}
    {#- query() runs the DESCRIBE: SQL parsers (sqlfluff's) reject DESCRIBE as a subquery. #}
    {%- set describe = "describe " ~ engine_output(source, tenant, output) %}
    union all
    select '{{ output }}', '{{ source }}', row_number() over (), column_name, column_type
    from query('{{ describe | replace("'", "''") }}')
{%- endfor %}{% endfor %}
)

select
    coalesce(expected.engine_output, actual.engine_output) as engine_output,
    coalesce(expected.source_platform, actual.source_platform) as source_platform,
    coalesce(expected.position, actual.position) as position,
    expected.column_name as expected_column,
    actual.column_name as actual_column,
    expected.data_type as expected_type,
    actual.data_type as actual_type
from expected
full outer join actual
    on expected.engine_output = actual.engine_output
    and expected.source_platform = actual.source_platform
    and expected.position = actual.position
where expected.column_name is distinct from actual.column_name
   or expected.data_type is distinct from actual.data_type
{%- endmacro %}
