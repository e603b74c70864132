{#-
    The Parquet files of one processing batch, var('files'), as a DuckDB list literal for
    read_parquet(): ['/landing/app/users/year=2025/month=01/day=01/1.0.parquet', 's3://...'].

    The orchestrator passes them per dbt invocation:
        dbt run --select tag:app__users --vars '{"sbdk_mode": "incremental", "files": [...]}'
    A single string is taken as a one-file list. Paths are quoted as SQL string literals
    (single quotes doubled); note that DuckDB still expands glob characters (* ? [ ]) in them.

    dbt parses the project without the batch's vars, so while parsing (execute is false),
    and for commands that only compile (compile, docs generate), a missing `files` renders a
    placeholder; in a run or build it is an error rather than a silent empty read.
-#}
{% macro sbdk_files() -%}
    {%- set placeholder = "['<no files: pass var files>']" -%}
    {%- set files = var('files', none) -%}
    {%- if files is string -%}
        {%- set files = [files] if files | trim else [] -%}
    {%- endif -%}
    {%- if not execute -%}
        {{- return(placeholder) -}}
    {%- endif -%}
    {%- if files is none or files is mapping or files is not iterable or files | length == 0 -%}
        {%- if flags.WHICH in ['compile', 'generate', 'parse', 'list', 'ls'] -%}
            {{- return(placeholder) -}}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ " reads only the Parquet files given in var 'files', and none were given. "
            ~ "Run it with --vars '{\"sbdk_mode\": \"incremental\", \"files\": [\"<path or s3:// url>\", ...]}', "
            ~ "or leave the processed models out of the selection "
            ~ "(--exclude \"tag:processed,resource_type:model\" --indirect-selection empty)."
        ) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in files -%}
        {%- if path is not string or not (path | trim) -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ ": var 'files' must be a list of non-empty paths, got " ~ (path | string)
            ) }}
        {%- endif -%}
        {%- do quoted.append("'" ~ (path | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{- return('[' ~ quoted | join(', ') ~ ']') -}}
{%- endmacro %}
