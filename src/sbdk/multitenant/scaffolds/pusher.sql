-- The staging pusher of $source_table: every landed column packed into raw_data_payload,
-- keyed by tenant_skey, then merged into the master model $master_model by the post-hook.
-- It pushes only when sbdk routed the table (var sbdk_routes: its fingerprint matches
-- $contract); a re-run updates changed records and never duplicates one.
{{
    config(
        post_hook=$post_hook
    )
}}
$depends_on

{{ push_to_master_hub(
    source('$source_name', '$object_name'),
    tenant='$tenant',
    platform='$platform',
    object_name='$object_name',
    primary_key=$primary_key
) }}
