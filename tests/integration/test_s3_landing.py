"""Incremental mode with an s3:// landing root, against a local S3-compatible server (moto).

dlt lands the files through s3fs, discovery lists them with s3fs, and DuckDB reads them
through s3fs registered by the profile's `filesystems:` (no httpfs, so no network needed).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import Completed, sbdk
from .test_incremental import PER_LANDING, VOLATILE, new_project, snapshot

pytestmark = pytest.mark.integration

BUCKET = "sbdk-landing"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "sbdk-test-secret-5c1e9b",  # moto accepts any credentials
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class S3Server:
    endpoint: str
    env: dict[str, str]  # what the sbdk processes need to reach it
    client: object  # boto3 S3 client


@pytest.fixture(scope="module")
def s3_server():
    pytest.importorskip("s3fs", reason="s3fs is not installed (pip install 'sbdk[s3]')")
    pytest.importorskip("boto3", reason="boto3 is not installed (pip install 'moto[server]')")
    moto_server = pytest.importorskip(
        "moto.server", reason="moto's server is not installed (pip install 'moto[server]')"
    )
    try:
        import flask  # noqa: F401  (ThreadedMotoServer needs the [server] extra)
    except ImportError:
        pytest.skip("moto is installed without its server extra (pip install 'moto[server]')")
    import boto3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        )
        client.create_bucket(Bucket=BUCKET)
        env = {
            **CREDENTIALS,
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        yield S3Server(endpoint, env, client)
    finally:
        server.stop()


def s3_project(workdir: Path, name: str, endpoint: str) -> Path:
    root = new_project(workdir, name)
    config = root / "sbdk.toml"
    text, replaced = re.subn(
        r'^landing = "landing".*$',
        f'landing = "s3://{BUCKET}/landing"\ns3_endpoint_url = "{endpoint}"',
        config.read_text(),
        count=1,
        flags=re.MULTILINE,
    )
    assert replaced == 1
    config.write_text(text)
    return root


@dataclass
class S3Runs:
    root: Path
    runs: list[Completed]
    keys: list[str]  # object keys in the bucket after the runs
    tables: dict
    local_tables: dict


@pytest.fixture(scope="module")
def s3_runs(s3_server, tmp_path_factory) -> S3Runs:
    workdir = tmp_path_factory.mktemp("s3_landing")
    root = s3_project(workdir, "shop_s3", s3_server.endpoint)
    runs = [sbdk("run", cwd=root, env=s3_server.env) for _ in range(2)]
    for run in runs:
        assert run.code == 0, run.output
    pages = s3_server.client.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix="landing/"
    )
    keys = sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    local = new_project(workdir, "shop_local")
    for _ in range(2):
        run = sbdk("run", cwd=local)
        assert run.code == 0, run.output
    ignored = VOLATILE | PER_LANDING
    return S3Runs(root, runs, keys, snapshot(root, ignored), snapshot(local, ignored))


def test_files_land_in_the_bucket_hive_partitioned(s3_runs):
    events = [k for k in s3_runs.keys if k.startswith("landing/app/events/")]
    assert len(events) == 4  # two runs of two days
    assert all(k.endswith(".parquet") for k in events)
    assert any(k.startswith("landing/app/events/year=2025/month=01/day=02/") for k in events)
    assert not (s3_runs.root / "landing").exists()  # nothing landed locally
    assert "2025-01-02 .. 2025-01-03" in s3_runs.runs[0].output
    assert "2025-01-04 .. 2025-01-05" in s3_runs.runs[1].output


def test_processed_rows_keep_their_s3_source_file(s3_runs):
    from .conftest import scalar

    source = scalar(s3_runs.root, "select min(_source_file) from processed.int_app__events")
    assert source.startswith(f"s3://{BUCKET}/landing/app/events/year=2025/month=01/day=02/")


def test_s3_landing_gives_the_same_tables_as_local_landing(s3_runs):
    assert "processed.int_app__orders" in s3_runs.tables
    assert "marts.user_metrics" in s3_runs.tables
    assert s3_runs.tables.keys() == s3_runs.local_tables.keys()
    for table, rows in s3_runs.tables.items():
        assert rows, table
        assert rows == s3_runs.local_tables[table], table


def test_credentials_are_not_written_to_the_project(s3_runs):
    secret = CREDENTIALS["AWS_SECRET_ACCESS_KEY"].encode()
    for path in s3_runs.root.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            assert secret not in path.read_bytes(), path
