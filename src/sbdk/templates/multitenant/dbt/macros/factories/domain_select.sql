{#-
    The select list of a domain contract (macros/generated/domain_contracts.sql): every
    column in the contract's order, cast to its type, from `expressions` (column -> SQL;
    a column it lacks is null). Engines build their output with it, so every engine has
    exactly its domain's columns and types (tested per tenant: assert_<tenant>__engines_match_contracts).
-#}
{% macro domain_select(name, expressions) -%}
{%- for column, data_type in domain_contract(name) %}
    cast({{ expressions.get(column, 'null') }} as {{ data_type }}) as {{ column }}{{ "," if not loop.last }}
{%- endfor %}
{%- endmacro %}

{#-
    A factory's body: the union of the engines of a tenant's sources for one domain output;
    without sources, an empty result with the contract's columns and types.
-#}
{% macro union_engines(output, tenant, sources) -%}
{%- if sources | length == 0 -%}
select {{ domain_select(output, {}) }}
where false
{%- else -%}
{%- for source in sources %}
{{ "union all" if not loop.first }}
select * from (
{{ engine_output(source, tenant, output) }}
)
{%- endfor %}
{%- endif -%}
{%- endmacro %}

{#- An engine asked for an output of another domain. -#}
{% macro unknown_output(engine_name, output) -%}
{{ exceptions.raise_compiler_error(engine_name ~ " has no output " ~ output) }}
{%- endmacro %}
