"""Environment variables for the libraries sbdk drives, set only while they run.

dbt and dlt read settings from the process environment. Setting them for the duration of
one call and restoring them afterwards keeps a project's paths from leaking into the next
command, or into another project handled by the same process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def scoped_environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
