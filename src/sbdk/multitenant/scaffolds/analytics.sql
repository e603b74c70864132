-- $tenant's $table: the union of its sources' engines ($sources), each mapped onto the
-- domain contract; a tenant without a source in the domain gets an empty, typed table.
{{ config(materialized='table', contract={'enforced': true}) }}

{{ $factory(
    '$tenant',
    $source_list
) }}
