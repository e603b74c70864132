{#-
    SBDK's two modes, chosen by var('sbdk_mode') (default 'full', see dbt_project.yml):

    - full         `sbdk run`: dlt loads the raw.raw_* tables, staging reads them as the
                   `raw` source. The processed models are disabled.
    - incremental  the landed Parquet files are processed stream by stream into the
                   processed.int_app__* tables (models/processed/app/), and staging reads
                   those instead. The `raw` source (and its tests) is disabled.

    The mode must be given at PARSE time (`--vars '{sbdk_mode: incremental}'` on every dbt
    command of that mode): refs, enabled flags and hence the DAG are fixed when dbt parses.
-#}

{#-
    The current mode, validated: exactly 'full' or 'incremental' (compared as-is, like the
    enabled flags of the processed models, the raw source and the unit tests).
-#}
{% macro sbdk_mode() -%}
    {%- set mode = var('sbdk_mode', 'full') -%}
    {%- if mode not in ['full', 'incremental'] -%}
        {{ exceptions.raise_compiler_error(
            "var sbdk_mode must be 'full' or 'incremental', not '" ~ var('sbdk_mode') ~ "'"
        ) }}
    {%- endif -%}
    {{- return(mode) -}}
{%- endmacro %}


{#-
    The relation that holds a stream in the raw contract (the columns of raw.raw_<stream>),
    for staging models and the reconciliation tests:

    - full mode:        source('raw', 'raw_<stream>')
    - incremental mode: ref('int_app__<stream>')

    Called at parse time like ref/source, so dbt records the dependency of the current mode:
    `dbt ls --select tag:app__events+ --vars '{sbdk_mode: incremental}'` lists stg_events
    and everything built on it.
-#}
{% macro sbdk_source(stream) -%}
    {%- set streams = var('sbdk_streams') -%}
    {%- if stream not in streams -%}
        {{ exceptions.raise_compiler_error(
            "sbdk_source: unknown stream '" ~ stream ~ "' (expected one of " ~ streams | join(', ') ~ ")"
        ) }}
    {%- endif -%}
    {%- if sbdk_mode() == 'incremental' -%}
        {{ return(ref('int_app__' ~ stream)) }}
    {%- else -%}
        {{ return(source('raw', 'raw_' ~ stream)) }}
    {%- endif -%}
{%- endmacro %}
