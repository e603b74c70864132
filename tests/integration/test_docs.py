"""`sbdk docs` in a real browser: Debian's chromium, headless, driven by Playwright, loads the
served site and its lineage view (apt-get install chromium; .ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:  # .ci/run installs it: CI never skips this
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

NODES = "() => document.getElementById('cy')._cyreg.cy.nodes().map(n => n.data('label'))"
GRAPH_DRAWN = (
    "() => { const c = document.getElementById('cy');"
    " return !!(c && c._cyreg && c._cyreg.cy && c._cyreg.cy.nodes().length > 0) }"
)


@pytest.fixture(scope="module")
def served(built_project):
    process = subprocess.Popen(
        [sys.executable, "-m", "sbdk", "docs", "--port", "0"],
        cwd=built_project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "lineage" in line:
            break
        if process.poll() is not None:
            pytest.fail("sbdk docs ended early:\n" + "".join(lines + process.stdout.readlines()))
    site = next(line.split("dbt docs at ")[1].strip() for line in lines if "dbt docs at" in line)
    lineage = next(line.split(": ", 1)[1].strip() for line in lines if "lineage" in line)
    yield process, site, lineage
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def test_the_served_site_lists_the_projects_models(served, browser):
    _, site, _ = served
    assert site.startswith("http://127.0.0.1:")
    page = browser.new_page()
    page.goto(site)
    page.wait_for_selector("text=user_metrics", state="attached", timeout=30_000)
    content = page.content()
    for model in ("stg_events", "int_event_sessions", "fct_orders", "analytics_orders"):
        assert model in content


def test_the_lineage_view_shows_the_data_graph_without_the_run_history(served, browser):
    _, site, lineage = served
    page = browser.new_page()
    page.goto(lineage)
    page.wait_for_function(GRAPH_DRAWN, timeout=30_000)
    shown = set(page.evaluate(NODES))
    assert {"raw.raw_users", "stg_users", "int_user_activity", "user_metrics",
            "fct_orders", "analytics_orders"} <= shown  # fmt: skip
    assert not {name for name in shown if name.startswith("observability.")}
    # dbt's own default view has the run-history tables as orphan sources: sbdk's hides them.
    everything = browser.new_page()
    everything.goto(site + "#!/overview?g_v=1")
    everything.wait_for_function(GRAPH_DRAWN, timeout=30_000)
    assert "observability.invocations" in set(everything.evaluate(NODES))


def test_the_site_is_served_on_loopback_only_and_stops_cleanly(served):
    process, site, _ = served
    port = int(site.rstrip("/").rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("the machine has no other interface")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
        pass
    assert process.poll() is None
