"""A stream file sets only the stream's settings, and its mistakes are named in its terms."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from sbdk.errors import SbdkError
from sbdk.incremental.discovery import list_landed_files
from sbdk.incremental.streams import StreamConfig, read_stream_configs


def write_stream(streams_dir, content: bytes | dict, stream: str = "users"):
    path = streams_dir / "app" / f"{stream}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


@pytest.mark.parametrize("key", ["source", "name", "[/bad]", "batchsize"])
def test_keys_other_than_the_settings_are_refused_by_name(tmp_path, key):
    path = write_stream(tmp_path, {key: "../../elsewhere"})
    with pytest.raises(SbdkError) as raised:
        read_stream_configs(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"invalid stream config {path}: unknown key '{key}'")
    assert "unique_key, cursor_column, batch_size" in message
    assert "StreamConfig" not in message and "keyword argument" not in message


def test_discovery_never_lists_outside_the_landing_root(tmp_path):
    landing, streams = tmp_path / "landing", tmp_path / "streams"
    outside = tmp_path / "x" / "users" / "year=2025" / "month=01" / "day=01"
    outside.mkdir(parents=True)
    (outside / "1.parquet").write_bytes(b"PAR1")  # what "source": "../x" would have found
    write_stream(streams, {"source": "../x"})
    with pytest.raises(SbdkError, match="unknown key 'source'"):
        read_stream_configs(streams)
    write_stream(streams, {})
    for stream in read_stream_configs(streams):
        for landed in list_landed_files(str(landing), stream.source, stream.name):
            assert landed.url.startswith(str(landing))
    with pytest.raises(ValidationError):  # nor can code build a stream that leaves the root
        StreamConfig(source="..", name="users")


def test_a_file_that_is_not_utf8_is_named_with_what_to_do(tmp_path):
    path = write_stream(tmp_path, b'{"unique_key": "caf\xe9"}')
    with pytest.raises(SbdkError) as raised:
        read_stream_configs(tmp_path)
    assert str(raised.value) == (
        f"{path} is not UTF-8 text (byte 0xe9 at position 19): save it as UTF-8"
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"batch_size": "5"}, 'batch_size = "5": Input should be a valid integer'),
        ({"batch_size": True}, "batch_size = true: Input should be a valid integer"),
        ({"unique_key": "id; drop"}, 'unique_key = "id; drop": must be a column name'),
    ],
)
def test_wrong_values_are_named_in_json_terms(tmp_path, settings, expected):
    write_stream(tmp_path, settings)
    with pytest.raises(SbdkError, match=expected.replace("(", r"\(")):
        read_stream_configs(tmp_path)
