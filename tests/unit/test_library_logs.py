"""Library logs and warnings go to the project's log file, never to the terminal."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap


def test_dlt_errors_and_python_warnings_reach_the_log_file_not_stderr(tmp_path):
    # In a fresh process: logging's set-up is process-wide.
    script = textwrap.dedent(
        f"""
        import logging, warnings
        from pathlib import Path
        from sbdk.library_logs import route_library_logs
        path = route_library_logs(Path({str(tmp_path)!r}))
        # what dlt does when it starts: reuse its logger's first handler
        from dlt.common import logger
        text_format = "{{asctime}}|[{{levelname}}]|{{message}}"
        logger.LOGGER = logger._create_logger("dlt", "WARNING", text_format, "p", {{}})
        try:
            raise OSError("landing folder is read-only")
        except OSError:
            logging.getLogger("dlt").exception("load failed")
        warnings.warn("a library's deprecation")
        logging.getLogger("fsspec").warning("retrying")
        print(path)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    log = (tmp_path / "logs" / "sbdk.log").read_text()
    assert "load failed" in log and "Traceback" in log and "read-only" in log
    assert "a library's deprecation" in log
    assert "retrying" in log


def test_routing_again_replaces_the_earlier_file(tmp_path):
    from sbdk.library_logs import route_library_logs

    first = route_library_logs(tmp_path / "one")
    second = route_library_logs(tmp_path / "two")
    try:
        logging.getLogger("sbdk.test").warning("only in the second")
        assert "only in the second" in second.read_text()
        assert not first.exists() or "only in the second" not in first.read_text()
    finally:
        root = logging.getLogger()
        for handler in root.handlers[:]:
            if isinstance(handler, logging.FileHandler):
                root.removeHandler(handler)
                handler.close()
        logging.captureWarnings(False)
