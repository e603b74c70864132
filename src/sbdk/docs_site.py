"""`sbdk docs`: dbt's documentation site of the project, generated and served on 127.0.0.1
only, fully offline (the page loads nothing from the internet, and its usage tracking is off
with the project's `send_anonymous_usage_stats: false`).

The lineage view it points to leaves out the run-history sources (source `observability`,
documented beside the graph rather than in it), so that what a newcomer sees is the data's
own graph, raw -> staging -> intermediate -> marts -> analytics; dbt's lineage view reads that
selection from its URL (g_v shows the graph, g_e excludes nodes).
"""

from __future__ import annotations

import contextlib
import errno
import functools
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sbdk import project_lock
from sbdk.config import Settings
from sbdk.errors import SbdkError

HOST = "127.0.0.1"  # never another interface: the docs show the warehouse's tables
LINEAGE_EXCLUDE = "source:observability"


@dataclass(frozen=True)
class DocsSite:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def lineage_url(self) -> str:
        return f"{self.url}#!/overview?g_v=1&g_e={LINEAGE_EXCLUDE}"


def generate(settings: Settings) -> Path:
    """dbt's docs (manifest, catalog, index.html) in the dbt project's target/."""
    from sbdk.transform import DbtProject

    if not settings.warehouse_path.exists():
        raise SbdkError(f"no warehouse at {settings.warehouse_path}: run `sbdk run` first")
    with project_lock.exclusive(settings.state_dir):
        return DbtProject(settings).generate_docs()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base's signature
        pass


def serve(folder: Path, port: int, ready: Callable[[DocsSite], None]) -> None:
    """Serve `folder` on 127.0.0.1:`port` until Ctrl-C or SIGTERM; `ready` is called once
    the socket listens (port 0: any free port)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise SbdkError(f"port {port} on {HOST} is in use: pass another with --port") from None
        raise SbdkError(f"cannot serve on {HOST}:{port}: {error.strerror}") from None
    with server:
        ready(DocsSite(folder, server.server_address[1]))
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C or SIGTERM: stop, exit 0
            server.serve_forever()
