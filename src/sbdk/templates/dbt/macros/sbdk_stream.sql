{#-
    Per-stream overrides from streams/<source>/<stream>.json, passed by sbdk as vars on each
    batch: `unique_key` names the landed column holding the record's id (default `id`), and
    `cursor_column` the column that orders a record's versions, latest first (default: the
    model's own, `updated_at` or `_extracted_at`).
-#}
{% macro sbdk_source_key() -%}
    {{ adapter.quote(var('unique_key', 'id')) }}
{%- endmacro %}

{% macro sbdk_version_column(default) -%}
    {{ adapter.quote(var('cursor_column', default)) }}
{%- endmacro %}
