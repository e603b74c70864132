{#-
    Materialization of the master models: create the (empty) table once, then never touch
    it again. The staging pushers' merges are what fill it, so neither a later run nor
    --full-refresh may rebuild it: that would lose every tenant's records. To start over,
    drop the table (or the warehouse) by hand.
-#}
{% materialization master_model, adapter='duckdb' %}
    {%- set existing = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=this.identifier
    ) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {{ run_hooks(pre_hooks) }}
    {% if existing is none %}
        {% call statement('main') -%}
            {{ create_table_as(False, target_relation, sql) }}
        {%- endcall %}
    {% else %}
        {% call statement('main') -%}
            select 1 as master_model_exists
        {%- endcall %}
    {% endif %}
    {{ run_hooks(post_hooks) }}
    {#- Loaders of dbt projects that manage transactions themselves (SQLMesh) have no commit. #}
    {%- if adapter.commit is defined %}{{ adapter.commit() }}{% endif %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The columns every master model has. -#}
{% macro master_model_columns() %}
select
    cast(null as varchar) as tenant_slug,
    cast(null as varchar) as source_platform,
    cast(null as varchar) as tenant_skey,
    cast(null as varchar) as source_schema_hash,
    cast(null as timestamp) as loaded_at,
    cast(null as json) as raw_data_payload
where false
{% endmacro %}
