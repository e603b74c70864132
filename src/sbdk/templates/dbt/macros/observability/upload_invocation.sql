{#-
    The INSERT of this invocation's row in observability.invocations: the command, when it
    started and when its nodes finished (this hook runs right after the last one), how it
    was called, and how many of the executed nodes succeeded, warned, failed or were skipped.
-#}
{% macro upload_invocation(results, row_types) -%}
    {#- dbt's node statuses: run/build (success, error, skipped, partial success, no-op),
        tests (pass, warn, fail, error, skipped), source freshness (runtime error). -#}
    {%- set buckets = {
        'success': 'succeeded', 'pass': 'succeeded', 'no-op': 'succeeded',
        'warn': 'warned',
        'error': 'failed', 'fail': 'failed', 'runtime error': 'failed', 'partial success': 'failed',
        'skipped': 'skipped',
    } -%}
    {%- set counts = {'succeeded': 0, 'warned': 0, 'failed': 0, 'skipped': 0} -%}
    {%- for result in results -%}
        {%- set bucket = buckets.get(result.status | string) -%}
        {%- if bucket -%}
            {%- do counts.update({bucket: counts[bucket] + 1}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set row = {
        'invocation_id': invocation_id,
        'project_name': project_name,
        'command': flags.WHICH,
        'started_at': run_started_at.astimezone(modules.pytz.utc).replace(tzinfo=none).isoformat(),
        'finished_at': modules.datetime.datetime.now(modules.pytz.utc).replace(tzinfo=none).isoformat(),
        'dbt_version': dbt_version,
        'target_name': target.name,
        'threads': target.threads,
        'sbdk_mode': var('sbdk_mode', none),
        'full_refresh': flags.FULL_REFRESH is true,
        'select_arguments': invocation_args_dict.get('select', []) | list,
        'exclude_arguments': invocation_args_dict.get('exclude', []) | list,
        'selected_nodes': selected_resources | length,
        'args': observability_json_safe(invocation_args_dict),
        'success': counts['failed'] == 0,
        'nodes_total': results | length,
        'nodes_succeeded': counts['succeeded'],
        'nodes_warned': counts['warned'],
        'nodes_failed': counts['failed'],
        'nodes_skipped': counts['skipped'],
    } -%}
    {{- return(observability_insert('invocations', [row], row_types)) -}}
{%- endmacro %}
