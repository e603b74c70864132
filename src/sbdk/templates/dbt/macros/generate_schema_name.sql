{#-
    Use a model's or test's custom schema name as-is (staging, intermediate, marts,
    analytics, processed, test_failures) instead of dbt's default
    "<target schema>_<custom schema>".
    Nodes without a custom schema go to the target schema (main).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
