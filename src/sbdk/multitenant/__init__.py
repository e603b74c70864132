"""The multi-tenant platform: many tenants' connectors landing raw tables that are routed by
the fingerprint of their physical schema into shared master models, then isolated per tenant.

    contracts/     a pydantic landing contract per connector object and API version
    fingerprint.py the source_schema_hash of a set of (column, type) pairs
    blueprints.py  the registry of fingerprints -> connector object -> master model, and routing
    connectors.py  the connector catalogue (supported_connectors.yaml), validated
    tenants.py     the tenants file (tenants.yaml), validated against the catalogue
    yaml_files.py  reading those files, a mistake as one line naming file and key
"""
