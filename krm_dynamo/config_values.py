# SPDX-License-Identifier: Apache-2.0
"""The rows of the settings table and the value kinds they hold.

A :class:`Setting` is one row of the table in :mod:`krm_dynamo.config`: its key, value
kind, default, choices, a one-line help, its effect on the output and the decision it
implements. As a class attribute it is also the typed attribute of ``FunctionConfig``
(reading it on an instance gives the value, on the class the row).

:func:`convert` turns a raw value into the value of a setting, the same way for every
carrier: ``from_string`` is true for a ``ConfigMap``, where every value is a string.
Plain classes and functions only: this runs on every call, DGD or not.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

# Value kinds: how a raw value is read and how the README and `--help` name the type.
STRING = "string"
ENUM = "enum"  # a string, one of the row's choices ("" means the default)
DURATION = "duration"  # a Go duration string such as 15m or 4h ("" means unset)
BOOLEAN = "boolean"
REGISTRY_MAP = "mapping"  # {registry host: [secret name, ...]}


class Setting(Generic[T]):
    """One setting: the key is the attribute name it is assigned to in ``FunctionConfig``.

    Attributes:
        key: the functionConfig key (also the ``FunctionConfig`` attribute).
        kind: one of STRING, ENUM, DURATION, BOOLEAN, REGISTRY_MAP.
        default: the value when the key is absent: the operator's (or its Helm chart's)
            default for the same flag, so an empty configuration renders what a default
            installation would create.
        choices: the allowed values of an ENUM (the default among them).
        help: one line for ``krm-dynamo --help``.
        effect: what the setting changes in the output (the README's table).
        decision: the project decision it implements (``D13``), or "".
    """

    __slots__ = ("choices", "decision", "default", "effect", "help", "key", "kind")

    def __init__(
        self,
        kind: str,
        default: T,
        *,
        help: str,
        effect: str,
        decision: str = "",
        choices: tuple[str, ...] = (),
    ) -> None:
        self.key = ""
        self.kind = kind
        self.default = default
        self.choices = choices
        self.help = help
        self.effect = effect
        self.decision = decision

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.key = name

    # A non-data descriptor: an instance's own value (in its __dict__) wins on instances,
    # so reading a setting costs a dictionary lookup; on the class, the row itself.
    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Setting[T]: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> T: ...
    def __get__(self, obj: object, owner: type[Any]) -> Setting[T] | T:
        if obj is None:
            return self
        return self.default  # pragma: no cover - every instance holds every value

    def type_text(self) -> str:
        """The value type as the README and ``--help`` show it: ``string``, ``lws | grove``."""
        if self.kind == ENUM:
            return " | ".join(self.choices)
        return self.kind


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
