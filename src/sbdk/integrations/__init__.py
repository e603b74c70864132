"""Integrations with other tools, each behind its own extra (`pip install 'sbdk[dagster]'`)."""
