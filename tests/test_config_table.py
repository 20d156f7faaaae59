# SPDX-License-Identifier: Apache-2.0
"""The settings table is the one source of the configuration: class, parsing, --help, README."""

from __future__ import annotations

import pytest
from procs import REPO, run_krm

from krm_dynamo import config, config_doc
from krm_dynamo.config import (
    BOOLEAN,
    DEFAULTS,
    DURATION,
    ENUM,
    REGISTRY_MAP,
    SETTINGS,
    STRING,
    FunctionConfig,
    Setting,
    load_config,
)


def _settings_table(readme: str) -> str:
    text = (REPO / readme).read_text(encoding="utf-8")
    start = text.index("| Key | Type | Default |")
    return text[start : text.index("\n\n", start) + 1]


@pytest.mark.parametrize("readme", ["README.md", "functions/krm-dynamo/README.md"])
def test_readme_table_is_the_generated_one(readme: str):
    """The configuration table, exactly as the settings table makes it (python -m krm_dynamo.config_doc)."""
    assert _settings_table(readme) == config_doc.markdown_table()


def test_help_lists_every_key_with_its_help():
    proc = run_krm("--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for setting in SETTINGS:
        assert f"\n  {setting.key} (" in out, setting.key
        assert setting.help in out, setting.key
    assert config_doc.help_text() in out


def test_every_row_is_complete():
    assert [s.key for s in SETTINGS] == list(DEFAULTS)
    assert len(SETTINGS) == 22  # operatorVersion (D34), warningsAsErrors (D35), discoveryBackend (D45) joined the 19
    for s in SETTINGS:
        assert s.kind in (STRING, ENUM, DURATION, BOOLEAN, REGISTRY_MAP), s.key
        assert s.help and s.effect, s.key
        assert "\n" not in s.help and "|" not in s.effect, s.key
        assert (s.kind == ENUM) == bool(s.choices), s.key
        if s.choices:
            assert s.default == s.choices[0], s.key
        assert getattr(FunctionConfig, s.key) is s  # the class attribute is the row
        assert getattr(FunctionConfig(), s.key) == s.default


def test_defaults_are_the_operators():
    assert DEFAULTS["mpiRunSecretName"] == "mpi-run-ssh-secret"
    assert DEFAULTS["debuggerImage"] == "python:3.12-slim"
    assert (DEFAULTS["multinodeOrchestrator"], DEFAULTS["graphDeployment"], DEFAULTS["gangScheduling"]) == (
        "lws", "local", "volcano",
    )
    assert DEFAULTS["kaiScheduler"] is False and DEFAULTS["registrySecrets"] == {}


def test_function_config_is_immutable_and_compares_by_value():
    cfg = FunctionConfig(natsServer="nats://n:4222", registrySecrets={"nvcr.io": ("s",)})
    with pytest.raises(AttributeError):
        cfg.natsServer = "x"  # type: ignore[misc]
    with pytest.raises(TypeError, match="unknown settings: natsServr"):
        FunctionConfig(natsServr="x")
    assert cfg == FunctionConfig(natsServer="nats://n:4222", registrySecrets={"nvcr.io": ("s",)})
    assert cfg != FunctionConfig()
    assert repr(cfg) == "FunctionConfig(natsServer='nats://n:4222', registrySecrets={'nvcr.io': ('s',)})"
    assert isinstance(FunctionConfig.natsServer, Setting)


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("natsServer", "nats://n:4222", "nats://n:4222"),
        ("graphDeployment", "", "local"),
        ("graphDeployment", "drop", "drop"),
        ("groveTerminationDelay", "4h", "4h"),
        ("kaiScheduler", "True", True),
        ("registrySecrets", '{"nvcr.io": ["a", "b"]}', {"nvcr.io": ("a", "b")}),
        ("registrySecrets", "{nvcr.io: a}", {"nvcr.io": ("a",)}),
        ("registrySecrets", "", {}),
    ],
)
def test_config_map_strings_are_read_by_kind(key, raw, value):
    cfg, results = load_config({"apiVersion": "v1", "kind": "ConfigMap", "data": {key: raw}}, [])
    assert results == []
    assert getattr(cfg, key) == value


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("natsServer", ["x"], "`natsServer` must be a string, got list ['x']"),
        ("kaiScheduler", "yes", "`kaiScheduler` must be `true` or `false`, got 'yes'"),
        ("gangScheduling", "kai", '`gangScheduling` must be one of "volcano", "none", got "kai"'),
        ("groveTerminationDelay", "-1s", '`groveTerminationDelay` must not be negative, got "-1s"'),
        ("registrySecrets", {"nvcr.io": [1]}, "`registrySecrets.nvcr.io` must be a list of secret names, got [1]"),
    ],
)
def test_typed_object_values_are_checked_by_kind(key, raw, message):
    obj = {"apiVersion": config.CONFIG_API_VERSION, "kind": config.CONFIG_KIND, key: raw}
    cfg, results = load_config(obj, [])
    assert [(r.message, r.field_path) for r in results] == [(message, key)]
    assert getattr(cfg, key) == DEFAULTS[key]
