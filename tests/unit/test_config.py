import re
from datetime import date
from pathlib import Path

import pytest

from sbdk.config import (
    DBT_CONTEXT_NAMES,
    build_config,
    environment_overrides,
    load_settings,
    suggest_project_name,
    validate_project_name,
)
from sbdk.errors import SbdkError


def write_config(root: Path, text: str) -> Path:
    (root / "sbdk.toml").write_text(text, encoding="utf-8")
    return root


def test_defaults_are_a_laptop_sized_warehouse():
    config = build_config()
    assert config.data.users == 10_000
    assert config.data.events_per_user == 30
    assert config.data.start_date < config.data.end_date
    assert config.warehouse.path == "data/warehouse.duckdb"


def test_precedence_is_file_then_environment_then_flags(tmp_path):
    write_config(tmp_path, "[data]\nusers = 500\nseed = 1\nevents_per_user = 5\n")
    settings = load_settings(
        tmp_path,
        environ={"SBDK_USERS": "700", "SBDK_SEED": "2"},
        flags={"data": {"users": 900, "seed": None}},
    )
    assert settings.config.data.users == 900  # flag beats environment
    assert settings.config.data.seed == 2  # environment beats file; an unset flag changes nothing
    assert settings.config.data.events_per_user == 5  # file beats default


def test_environment_variables_are_named_after_settings():
    overrides = environment_overrides(
        {
            "SBDK_USERS": "3",
            "SBDK_WAREHOUSE_PATH": "/tmp/w.duckdb",
            "SBDK_DBT_THREADS": "2",
            "OTHER": "x",
        }
    )
    assert overrides == {
        "data": {"users": "3"},
        "warehouse": {"path": "/tmp/w.duckdb"},
        "dbt": {"threads": "2"},
    }


def test_relative_warehouse_path_resolves_against_project_root(tmp_path):
    write_config(tmp_path, '[warehouse]\npath = "db/w.duckdb"\n')
    settings = load_settings(tmp_path, environ={})
    assert settings.warehouse_path == tmp_path / "db" / "w.duckdb"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[data]\nusers = 0\n", "data.users = 0"),
        ('[data]\nusers = "many"\n', "data.users = 'many'"),
        ("[data]\nuserz = 10\n", "unknown setting 'data.userz'"),
        (
            "[data]\nstart_date = 2025-02-01\nend_date = 2025-01-01\n",
            "end_date (2025-01-01) must be after start_date",
        ),
        ('[warehouse]\npath = ":memory:"\n', "must be a file"),
        ('[warehouse]\npath = "data/raw.duckdb"\n', "clashes with the warehouse's 'raw' schema"),
        (
            '[warehouse]\npath = "analytics.duckdb"\n',
            "clashes with the warehouse's 'analytics' schema",
        ),
        ('[project]\nname = "my-project"\n', "not a valid project name"),
        ('[incremental]\nlanding = "gs://bucket/x"\n', "'gs://' is not supported"),
        ('[incremental]\nlanding = "s3://"\n', "needs a bucket"),
        ('[incremental]\ns3_endpoint_url = "127.0.0.1:9000"\n', "http:// or https:// URL"),
        ("[incremental]\nbatch_size = 0\n", "incremental.batch_size = 0"),
    ],
)
def test_invalid_values_give_one_line_errors(tmp_path, toml, expected):
    write_config(tmp_path, toml)
    with pytest.raises(SbdkError) as raised:
        load_settings(tmp_path, environ={})
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message


def test_invalid_environment_value_is_reported(tmp_path):
    write_config(tmp_path, "")
    with pytest.raises(SbdkError, match="data.users = '-5'"):
        load_settings(tmp_path, environ={"SBDK_USERS": "-5"})


def test_broken_toml_is_reported_with_the_file(tmp_path):
    write_config(tmp_path, "[data\nusers = 3\n")
    with pytest.raises(SbdkError, match="is not valid TOML"):
        load_settings(tmp_path, environ={})


def test_missing_config_file_says_what_to_do(tmp_path):
    with pytest.raises(SbdkError, match="run `sbdk init` first"):
        load_settings(tmp_path, environ={})


def test_dates_parse_from_toml_and_environment(tmp_path):
    write_config(tmp_path, "[data]\nstart_date = 2024-03-01\n")
    settings = load_settings(tmp_path, environ={"SBDK_END_DATE": "2024-04-01"})
    assert settings.config.data.start_date == date(2024, 3, 1)
    assert settings.config.data.end_date == date(2024, 4, 1)


@pytest.mark.parametrize("name", ["shop", "Shop_2", "analytics", "Ref", "shop_"])
def test_valid_project_names(name):
    assert validate_project_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        *["my-shop", "2shop", "shop!", "", "dbt", "marts", "observability", "on", "No", "null"],
        *["_", "_private", "ünïcødé", "ref", "source", "config", "var", "target", "this", "zip"],
    ],
)
def test_invalid_project_names(name):
    with pytest.raises(SbdkError):
        validate_project_name(name)


def test_invalid_name_suggests_a_valid_one():
    with pytest.raises(SbdkError, match="e.g. 'my_shop'"):
        validate_project_name("my-shop")


@pytest.mark.parametrize(
    "name",
    ["ünïcødé", "_", "__", "-", "2shop", "ref", "on", "dbt", "raw", "日本", "é", "a b", "x-ref"],
)
def test_every_suggestion_is_itself_a_valid_name(name):
    with pytest.raises(SbdkError) as raised:
        validate_project_name(name)
    suggestion = suggest_project_name(name)
    assert f"e.g. '{suggestion}'" in str(raised.value)
    assert validate_project_name(suggestion) == suggestion
    assert suggestion.isascii()


def test_a_dbt_template_name_is_refused_in_the_config_too(tmp_path):
    write_config(tmp_path, '[project]\nname = "source"\n')
    with pytest.raises(SbdkError, match="project.name = 'source'.*dbt's templates use"):
        load_settings(tmp_path, environ={})


def test_reserved_names_are_exactly_dbts_context_names():
    """dbt puts a project's name into its Jinja context: our list must follow dbt's."""
    import importlib
    import pkgutil

    import dbt.context
    from dbt.context.base import BaseContext
    from dbt.contracts.project import BANNED_PROJECT_NAMES

    for module in pkgutil.iter_modules(dbt.context.__path__):
        importlib.import_module(f"dbt.context.{module.name}")

    def with_subclasses(cls):
        return [cls, *(sub for child in cls.__subclasses__() for sub in with_subclasses(child))]

    context_names = {name for cls in with_subclasses(BaseContext) for name in cls._context_members_}
    assert {"ref", "source", "var", "this", "config", "target"} <= context_names
    assert context_names | set(BANNED_PROJECT_NAMES) == DBT_CONTEXT_NAMES


def test_library_settings_are_scoped_to_the_call(monkeypatch):
    """dbt and dlt read the environment; sbdk's values must not outlive the call."""
    import os

    from sbdk.environment import scoped_environment

    monkeypatch.setenv("SBDK_WAREHOUSE_PATH", "/user/choice.duckdb")
    monkeypatch.delenv("DLT_DATA_DIR", raising=False)
    scoped = {"SBDK_WAREHOUSE_PATH": "/p/w.duckdb", "DLT_DATA_DIR": "/p/.sbdk"}
    with pytest.raises(RuntimeError), scoped_environment(scoped):
        assert os.environ["SBDK_WAREHOUSE_PATH"] == "/p/w.duckdb"
        raise RuntimeError("the call failed")
    assert os.environ["SBDK_WAREHOUSE_PATH"] == "/user/choice.duckdb"
    assert "DLT_DATA_DIR" not in os.environ


S3_CONFIG = (
    '[incremental]\nlanding = "s3://bucket/landing/"\ns3_endpoint_url = "http://127.0.0.1:9000"\n'
)


def test_an_s3_landing_root_is_accepted(tmp_path):
    settings = load_settings(write_config(tmp_path, S3_CONFIG), environ={})
    assert settings.landing_is_s3
    assert settings.landing_root == "s3://bucket/landing"
    assert settings.config.incremental.s3_endpoint_url == "http://127.0.0.1:9000"


def test_local_landing_roots_need_no_storage_options(tmp_path):
    settings = load_settings(write_config(tmp_path, ""), environ={})
    assert not settings.landing_is_s3
    assert settings.landing_root == str(tmp_path / "landing")
    assert settings.landing_storage_options({"AWS_ACCESS_KEY_ID": "x"}) == {}


def test_s3_storage_options_come_from_the_aws_variables(tmp_path):
    pytest.importorskip("s3fs", reason="s3fs is not installed (pip install 'sbdk[s3]')")
    settings = load_settings(write_config(tmp_path, S3_CONFIG), environ={})
    environ = {
        "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "eu-west-1",
    }
    assert settings.landing_storage_options(environ) == {
        "key": "key-id",
        "secret": "secret",
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "region_name": "eu-west-1"},
    }
    # Without credentials, s3fs and dlt fall back to their default chain (profiles, roles).
    bare = load_settings(
        write_config(tmp_path, '[incremental]\nlanding = "s3://bucket"\n'), environ={}
    )
    assert bare.landing_storage_options({}) == {}


def test_the_endpoint_can_come_from_the_environment(tmp_path):
    settings = load_settings(
        write_config(tmp_path, '[incremental]\nlanding = "s3://bucket/x"\n'),
        environ={"SBDK_INCREMENTAL_S3_ENDPOINT_URL": "https://minio.local"},
    )
    assert settings.config.incremental.s3_endpoint_url == "https://minio.local"


def test_an_s3_root_without_s3fs_says_what_to_install(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "s3fs" else real_find_spec(name, *args),
    )
    settings = load_settings(write_config(tmp_path, S3_CONFIG), environ={})
    with pytest.raises(SbdkError) as raised:
        settings.landing_storage_options({})
    message = str(raised.value)
    assert "s3://bucket/landing" in message and "sbdk[s3]" in message
    assert "\n" not in message


@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize(
    ("where", "toml", "named"),
    [
        ("project", "", "the project's path"),
        ("config", '[warehouse]\npath = "data/it{q}s.duckdb"\n', "warehouse.path"),
        ("config", '[incremental]\nlanding = "land{q}ing"\n', "incremental.landing"),
    ],
)
def test_paths_with_quotes_are_refused_in_one_line(tmp_path, quote, where, toml, named):
    root = tmp_path / f"it{quote}s" if where == "project" else tmp_path
    root.mkdir(exist_ok=True)
    write_config(root, toml.replace("{q}", quote.replace('"', '\\"')))
    with pytest.raises(SbdkError) as raised:
        load_settings(root, environ={})
    message = str(raised.value)
    assert message.startswith(named) and f"contains a quote ({quote})" in message
    assert "\n" not in message


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_quoted_path_from_the_environment_is_refused(tmp_path, quote):
    write_config(tmp_path, "")
    with pytest.raises(SbdkError, match="warehouse.path"):
        load_settings(tmp_path, environ={"SBDK_WAREHOUSE_PATH": f"a{quote}b.duckdb"})


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[data]\nseed = true\n", "data.seed = true"),
        ("[data]\nusers = 1.5\n", "data.users = 1.5"),
        ('[data]\nseed = "7"\n', "data.seed = '7'"),
        ('[incremental]\nenabled = "yes"\n', "incremental.enabled = 'yes'"),
        ("[incremental]\nenabled = 1\n", "incremental.enabled = 1"),
        ("[dbt]\nthreads = false\n", "dbt.threads = false"),
        ("[warehouse]\npath = 3\n", "warehouse.path = 3"),
    ],
)
def test_toml_values_of_the_wrong_type_are_refused(tmp_path, toml, expected):
    write_config(tmp_path, toml)
    with pytest.raises(
        SbdkError, match=f"invalid configuration in sbdk.toml: {re.escape(expected)}"
    ):
        load_settings(tmp_path, environ={})


def test_toml_keeps_its_natural_conversions_and_the_environment_converts_strings(tmp_path):
    write_config(tmp_path, '[data]\nevents_per_user = 30\nstart_date = "2025-02-01"\n')
    settings = load_settings(
        tmp_path,
        environ={"SBDK_SEED": "7", "SBDK_INCREMENTAL_ENABLED": "true"},
        flags={"data": {"users": 5}},
    )
    config = settings.config
    assert (config.data.events_per_user, config.data.start_date) == (30.0, date(2025, 2, 1))
    assert (config.data.seed, config.incremental.enabled, config.data.users) == (7, True, 5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('as_of_date = "2025-12-31\' or 1=1"', "as_of_date"),
        ('as_of_date = "2025-02-30"', "as_of_date"),
        ('as_of_date = "31/12/2025"', "as_of_date"),
        ("as_of_date = 2025-12-31T10:00:00", "as_of_date"),
        ("as_of_date = 20251231", "as_of_date"),
        ('session_timeout_minutes = "45"', "session_timeout_minutes = '45'"),
        ("session_timeout_minutes = true", "session_timeout_minutes = True"),
        ("high_value_customer_threshold = -1", "high_value_customer_threshold = -1"),
        ("active_user_min_days = 2.5", "active_user_min_days = 2.5"),
        ('sbdk_mode = "incremental"', "'sbdk_mode' is set by sbdk"),
    ],
)
def test_known_dbt_vars_are_type_checked(tmp_path, value, expected):
    write_config(tmp_path, f"[dbt.vars]\n{value}\n")
    with pytest.raises(SbdkError, match=re.escape(expected)) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value).startswith("invalid configuration: dbt.vars")


def test_valid_and_user_defined_dbt_vars_are_passed_on(tmp_path):
    write_config(
        tmp_path,
        "[dbt.vars]\nas_of_date = 2025-12-31\nsession_timeout_minutes = 45.5\n"
        'dormant_after_days = 0\nmy_own_var = "anything [goes]"\nmy_flag = true\n',
    )
    assert load_settings(tmp_path, environ={}).config.dbt.vars == {
        "as_of_date": "2025-12-31",  # what the models' as_of_date() macro expects
        "session_timeout_minutes": 45.5,
        "dormant_after_days": 0,
        "my_own_var": "anything [goes]",
        "my_flag": True,
    }


def test_typed_vars_are_exactly_the_bundled_projects_vars():
    """A var added to dbt_project.yml must get its type here (the defaults must pass it)."""
    from importlib import resources

    import yaml

    from sbdk import dbt_vars

    text = (resources.files("sbdk") / "templates" / "dbt" / "dbt_project.yml").read_text()
    defaults = yaml.safe_load(text)["vars"]
    typed = dbt_vars.COUNT_VARS | dbt_vars.NUMBER_VARS | dbt_vars.DATE_VARS
    assert set(defaults) - dbt_vars.SBDK_VARS == typed
    user_settable = {name: value for name, value in defaults.items() if name in typed}
    assert dbt_vars.validate_dbt_vars(user_settable) == user_settable


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[project]\nname = "caf\xe9"\n', "is not UTF-8 text (byte 0xe9 at position 21)"),
        (b"data = 3\n", "data must be a table ([data]), not 3"),
        (b"[dbt]\nvars = true\n", "dbt.vars must be a table ([dbt.vars]), not true"),
    ],
)
def test_config_file_mistakes_are_said_in_the_users_terms(tmp_path, content, expected):
    (tmp_path / "sbdk.toml").write_bytes(content)
    with pytest.raises(SbdkError) as raised:
        load_settings(tmp_path, environ={})
    message = str(raised.value)
    assert expected in message
    assert "Decode" not in message and "instance of" not in message and "Section" not in message


def test_the_warehouse_storage_version_is_a_duckdb_version_or_latest():
    assert build_config({}).warehouse.storage_version == "v1.5.0"
    assert build_config({"warehouse": {"storage_version": "latest"}}).warehouse.storage_version
    with pytest.raises(SbdkError, match="warehouse.storage_version = '1.5': must be 'latest' or"):
        build_config({"warehouse": {"storage_version": "1.5"}})
