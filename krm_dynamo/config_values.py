# SPDX-License-Identifier: Apache-2.0
"""How a carrier's raw values become settings: the ``KrmDynamoConfig`` objects and the
functionConfig read into one :class:`~krm_dynamo.config.FunctionConfig`.

:func:`convert` turns a raw value into the value of a setting (a row of the table in
:mod:`krm_dynamo.config`), the same way for every carrier: ``from_string`` is true for a
``ConfigMap``, where every value is a string. Imported only when a carrier may hold a
setting (:func:`krm_dynamo.config.load_config`) or a command line gives one: a run without
settings never pays for their parsing. Plain classes and functions only.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.config import (
    BOOLEAN,
    CONFIG_API_VERSION,
    CONFIG_KIND,
    DEFAULT_OPERATOR_VERSION,
    DURATION,
    ENUM,
    REGISTRY_MAP,
    SETTINGLESS_CARRIERS,
    SETTINGS,
    FunctionConfig,
    Setting,
    is_config_object,
)
from krm_dynamo.kio.results import ERROR, WARNING, Result

_BY_KEY: dict[str, Setting[Any]] = {s.key: s for s in SETTINGS}


def read_carriers(function_config: Any, items: list[Any],
                  overrides: dict[str, Any] | None) -> tuple[FunctionConfig, list[Result]]:
    """:func:`krm_dynamo.config.load_config` when a carrier may hold settings: every carrier merged
    in order (later wins), then ``overrides``; each bad key or value an error result (its default kept)."""
    values: dict[str, Any] = {}
    origins: dict[str, tuple[dict[str, Any], str]] = {}  # key -> (carrier, field path) of its value
    results: list[Result] = []
    for item in items:
        if is_config_object(item):
            _read_object(item, values, results, origins)
    if isinstance(function_config, dict) and function_config:
        if is_config_object(function_config):
            if not _among(function_config, items):  # else read already: each problem once
                _read_object(function_config, values, results, origins)
        elif function_config.get("kind") == "ConfigMap" and function_config.get("apiVersion") == "v1":
            _read_config_map(function_config, values, results, origins)
        elif function_config.get("kind") not in SETTINGLESS_CARRIERS:
            kind = function_config.get("kind")
            what = "without a kind" if kind is None else f'of kind "{kind}"'
            results.append(
                Result(
                    f"a functionConfig {what} carries no settings and is ignored; "
                    f"expected a ConfigMap or a {CONFIG_KIND} (apiVersion: {CONFIG_API_VERSION})",
                    WARNING,
                    function_config,
                )
            )
    values.update(overrides or {})
    _check_release_settings(values, origins, results)
    return FunctionConfig(**values), results


def _among(function_config: dict[str, Any], items: list[Any]) -> bool:
    """True when the functionConfig is one of the items, read from the same file and document (kpt
    ``configPath:`` naming a file of the package hands the object over twice)."""
    where = Result("", resource=function_config).file
    return where is not None and any(
        is_config_object(item) and Result("", resource=item).file == where for item in items)


# Settings that exist only from an operator release on (D45): the key, the first release.
_SINCE = {"discoveryBackend": "1.0"}


def _check_release_settings(values: dict[str, Any], origins: dict[str, tuple[dict[str, Any], str]],
                            results: list[Result]) -> None:
    """An error for each setting given for a release before the one it exists from."""
    version = values.get("operatorVersion", DEFAULT_OPERATOR_VERSION)
    for key, since in _SINCE.items():
        if key not in values or version == "latest":
            continue
        # Here only: the catalogue loads the default tables, which a call without such a key never pays for.
        from krm_dynamo.defaults.catalog import release_key

        if release_key(version) < release_key(since):
            obj, path = origins.get(key, ({}, key))
            results.append(Result(
                f"`{key}` is an operator {since} setting (operator {version} has no choice of "
                f"discovery backend); set `operatorVersion: {since}` or later, or remove it",
                ERROR, obj or None, path))


def _read_object(obj: dict[str, Any], values: dict[str, Any], results: list[Result],
                 origins: dict[str, tuple[dict[str, Any], str]]) -> None:
    for key, raw in obj.items():
        if key in ("apiVersion", "kind", "metadata"):
            continue
        _set(values, results, obj, str(key), str(key), raw, from_string=False)
        origins[str(key)] = (obj, str(key))


def _read_config_map(obj: dict[str, Any], values: dict[str, Any], results: list[Result],
                     origins: dict[str, tuple[dict[str, Any], str]]) -> None:
    data = obj.get("data") or {}
    if not isinstance(data, dict):
        results.append(Result("`data` must be a mapping of strings", ERROR, obj, "data"))
        return
    for key, raw in data.items():
        _set(values, results, obj, f"data.{key}", str(key), raw, from_string=True)
        origins[str(key)] = (obj, f"data.{key}")


def _set(
    values: dict[str, Any],
    results: list[Result],
    obj: dict[str, Any],
    path: str,
    key: str,
    raw: Any,
    *,
    from_string: bool,
) -> None:
    setting = _BY_KEY.get(key)
    if setting is None:
        hint = did_you_mean(key, list(_BY_KEY))  # the list itself is long: `--help` shows it
        results.append(Result(f"unknown setting `{key}`{hint}; `krm-dynamo --help` lists the settings",
                              ERROR, obj, path))
        return
    try:
        values[key] = convert(setting, raw, from_string)
    except ValueError as exc:
        results.append(Result(str(exc), ERROR, obj, path))


def convert(setting: Setting[Any], raw: Any, from_string: bool) -> Any:
    """The value of ``setting`` for ``raw``.

    Raises:
        ValueError: the value cannot be read; the message names the key and what was expected.
    """
    key = setting.key
    if setting.kind == REGISTRY_MAP:
        return _registry_secrets(raw, from_string)
    if setting.kind == BOOLEAN:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError(f"`{key}` must be `true` or `false`, got {raw!r}")
    if raw is None:
        raw = ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueError(f"`{key}` must be a string, got {type(raw).__name__} {raw!r}")
    value = str(raw)
    if setting.kind == DURATION and value:
        _check_duration(key, value)
    if setting.kind == ENUM:
        if value == "":
            return setting.default
        if value not in setting.choices:
            listed = ", ".join(f'"{c}"' for c in setting.choices)
            raise ValueError(f'`{key}` must be one of {listed}, got "{value}"')
    return value


def _check_duration(key: str, value: str) -> None:
    from krm_dynamo.kube.durations import parse_duration

    try:
        nanoseconds = parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"`{key}` must be a Go duration such as 15m or 4h: {exc}") from None
    if nanoseconds < 0:
        raise ValueError(f'`{key}` must not be negative, got "{value}"')


def _registry_secrets(raw: Any, from_string: bool) -> dict[str, tuple[str, ...]]:
    """``{host: [secret, ...]}``; in a ConfigMap, the same as a JSON (or YAML flow) string."""
    if from_string and isinstance(raw, str):
        text = raw.strip()
        if not text:
            return {}
        raw = _parse_mapping_text(text)
    if not isinstance(raw, dict):
        raise ValueError(
            "`registrySecrets` must map a registry host to a list of secret names, "
            'e.g. {"nvcr.io": ["ngc-pull-secret"]}'
        )
    out: dict[str, tuple[str, ...]] = {}
    for host, names in raw.items():
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
            raise ValueError(f"`registrySecrets.{host}` must be a list of secret names, got {listed!r}")
        out[str(host)] = tuple(listed)
    return out


def _parse_mapping_text(text: str) -> Any:
    """JSON or YAML text read as kpt reads YAML (go-yaml v3 meaning, bounded depth and aliasing).

    JSON is YAML here, so one bounded reader serves both forms; None when the text is
    not one document.

    Raises:
        ValueError: the text cannot be read (too deep, excessive aliasing, a syntax error);
            the message names ``registrySecrets`` and the problem.
    """
    from krm_dynamo.kio import yamlio

    source = "registrySecrets"
    try:
        documents = yamlio.load_documents(text, source)
    except yamlio.InputError as exc:
        # "registrySecrets:1:5: invalid YAML: <problem>" -> the problem, with the key first.
        problem = str(exc).split(": invalid YAML: ", 1)[-1]
        raise ValueError(f"`registrySecrets` cannot be read as JSON or YAML: {problem}") from None
    return documents[0] if len(documents) == 1 else None


def did_you_mean(word: str, candidates: list[str]) -> str:
    """`` (did you mean `x`?)`` for the closest candidate (spelling or case), or ""."""
    from krm_dynamo.kio import display

    # Setting keys are short and few: a looser match than for field names.
    close = display.closest(word, candidates, cutoff=0.6)
    if close is None:
        lowered = {c.lower(): c for c in candidates}
        close = lowered.get(word.lower())
    return f" (did you mean `{close}`?)" if close else ""
