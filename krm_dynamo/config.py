# SPDX-License-Identifier: Apache-2.0
"""The function's configuration: the operator's installation-wide settings (decision D13).

The operator takes these from its command-line flags; a renderer has no operator, so
they arrive as the functionConfig. These carriers are accepted, merged in this order
(later wins):

1. a ``KrmDynamoConfig`` object among the ``items`` (for kustomize generator mode and
   kpt ``configPath: dgd.yaml``, where the functionConfig slot holds the DGD itself);
2. the functionConfig, as a ``ConfigMap`` (``kpt fn eval -- key=value``, kpt
   ``configMap:``; every value a string) or as a typed ``KrmDynamoConfig``.

A functionConfig of any other kind (the DGD in kustomize generator mode) carries no
settings. No pydantic and no dataclasses here: this runs on every call, DGD or not.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kio.results import ERROR, WARNING, Result

CONFIG_API_VERSION = "fn.krm-dynamo.dev/v1alpha1"
CONFIG_KIND = "KrmDynamoConfig"

# Choices of the enumerated settings; the first one is the default.
GRAPH_DEPLOYMENT_CHOICES = ("local", "drop", "keep")  # D3
ORCHESTRATOR_CHOICES = ("lws", "grove")  # D2
GANG_SCHEDULING_CHOICES = ("volcano", "none")  # D27


# Every setting with its default: the operator's (or its Helm chart's) value for the same
# flag, so that an empty configuration renders what a default installation would create.
DEFAULTS: dict[str, Any] = {
    # env NATS_SERVER on every pod; operator flag --natsAddr (no default in the function)
    "natsServer": "",
    # env ETCD_ENDPOINTS; operator flag --etcdAddr
    "etcdEndpoints": "",
    # env MODEL_EXPRESS_URL; operator flag --model-express-url
    "modelExpressUrl": "",
    # env PROMETHEUS_ENDPOINT; operator flag --prometheus-endpoint
    "prometheusEndpoint": "",
    # default frontend ingress class; operator flag --ingress-controller-class-name
    "ingressClassName": "",
    # default frontend ingress TLS secret; operator flag --ingress-controller-tls-secret-name
    "ingressTlsSecretName": "",
    # default frontend host suffix; operator flag --ingress-host-suffix
    "ingressHostSuffix": "",
    # default VirtualService gateway; operator flag --istio-virtual-service-gateway (D20)
    "istioGateway": "",
    # registry host -> image pull secret names, added to the discovered index (D14)
    "registrySecrets": {},
    # pod serviceAccountName when no labelled ServiceAccount is in the ResourceList (D14)
    "componentServiceAccountName": "",
    # TRT-LLM multinode SSH secret; operator flag --mpi-run-ssh-secret-name, default mpi-run-ssh-secret
    "mpiRunSecretName": "mpi-run-ssh-secret",
    # multinode orchestrator: lws (default) or grove (D2)
    "multinodeOrchestrator": "lws",
    # what happens to the DGD in the output: local (default), drop or keep (D3)
    "graphDeployment": "local",
    # main container image when the DGD names none (D15)
    "defaultImage": "",
    # Volcano PodGroups and schedulerName on LWS pods: volcano (default) or none (D27)
    "gangScheduling": "volcano",
    # debugger sidecar image; operator env INTERNAL_IMAGES_DEBUGGER, default python:3.12-slim
    "debuggerImage": "python:3.12-slim",
    # Grove terminationDelay; operator flag --grove-termination-delay
    "groveTerminationDelay": "",
    # Grove pods scheduled by the KAI scheduler
    "kaiScheduler": False,
}


class FunctionConfig:
    """Operator-level settings; attribute names are the functionConfig keys (D13).

    A plain class rather than a dataclass: this runs on every call, DGD or not, and the
    dataclass machinery alone costs about 10 ms of start-up.
    """

    __slots__ = tuple(DEFAULTS)

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        for name, default in DEFAULTS.items():
            value = values.get(name, default)
            object.__setattr__(self, name, dict(value) if isinstance(value, dict) else value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FunctionConfig is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FunctionConfig):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in DEFAULTS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        changed = ", ".join(f"{n}={getattr(self, n)!r}" for n in DEFAULTS if getattr(self, n) != DEFAULTS[n])
        return f"FunctionConfig({changed})"


_CHOICES = {
    "graphDeployment": GRAPH_DEPLOYMENT_CHOICES,
    "multinodeOrchestrator": ORCHESTRATOR_CHOICES,
    "gangScheduling": GANG_SCHEDULING_CHOICES,
}
_FIELDS = DEFAULTS
# The functionConfig slot legitimately holds the DGD itself (kustomize generator mode,
# kpt `configPath: dgd.yaml`); settings then come from a config object among the items.
_SETTINGLESS_CARRIERS = ("DynamoGraphDeployment",)


def is_config_object(item: Any) -> bool:
    """True for a typed ``KrmDynamoConfig`` object."""
    return (
        isinstance(item, dict)
        and item.get("apiVersion") == CONFIG_API_VERSION
        and item.get("kind") == CONFIG_KIND
    )


def load_config(function_config: Any, items: list) -> tuple[FunctionConfig, list[Result]]:
    """Merge every carrier into one :class:`FunctionConfig`; report each bad key.

    Returns the configuration (defaults where a value is bad) and the results; any
    error result means the run must not expand anything.
    """
    values: dict[str, Any] = {}
    results: list[Result] = []
    for item in items:
        if is_config_object(item):
            _read_object(item, values, results)
    if isinstance(function_config, dict) and function_config:
        if is_config_object(function_config):
            _read_object(function_config, values, results)
        elif function_config.get("kind") == "ConfigMap" and function_config.get("apiVersion") == "v1":
            data = function_config.get("data") or {}
            if not isinstance(data, dict):
                results.append(Result("`data` must be a mapping of strings", ERROR, function_config, "data"))
            else:
                for key, raw in data.items():
                    _set(values, results, function_config, "data", str(key), raw, from_string=True)
        elif function_config.get("kind") not in _SETTINGLESS_CARRIERS:
            results.append(
                Result(
                    f'a functionConfig of kind "{function_config.get("kind")}" carries no settings and is ignored; '
                    f"expected a ConfigMap or a {CONFIG_KIND} (apiVersion: {CONFIG_API_VERSION})",
                    WARNING,
                    function_config,
                )
            )
    return FunctionConfig(**values), results


def _read_object(obj: dict, values: dict, results: list[Result]) -> None:
    for key, raw in obj.items():
        if key in ("apiVersion", "kind", "metadata"):
            continue
        _set(values, results, obj, "", str(key), raw, from_string=False)


def _set(values, results, obj, prefix, key, raw, *, from_string):
    path = f"{prefix}.{key}" if prefix else key
    spec = _FIELDS.get(key)
    if spec is None:
        known = ", ".join(f"`{name}`" for name in _FIELDS)
        hint = _did_you_mean(key, list(_FIELDS))
        results.append(
            Result(f"unknown setting `{key}`{hint}; known settings are {known}", ERROR, obj, path)
        )
        return
    try:
        values[key] = _convert(key, raw, from_string)
    except ValueError as exc:
        results.append(Result(str(exc), ERROR, obj, path))


def _convert(key: str, raw: Any, from_string: bool) -> Any:
    if key == "registrySecrets":
        return _registry_secrets(raw, from_string)
    if key == "kaiScheduler":
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
    if key == "groveTerminationDelay" and value:
        _check_duration(key, value)
    choices = _CHOICES.get(key)
    if choices is not None:
        if value == "":
            return choices[0]
        if value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
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
        try:
            import json  # only for this form

            raw = json.loads(text)
        except ValueError:
            import yaml  # only for this rare form

            try:
                raw = yaml.safe_load(text)
            except yaml.YAMLError:
                raw = None
    if not isinstance(raw, dict):
        raise ValueError(
            "`registrySecrets` must map a registry host to a list of secret names, "
            'e.g. {"nvcr.io": ["ngc-pull-secret"]}'
        )
    out: dict[str, tuple[str, ...]] = {}
    for host, names in raw.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"`registrySecrets.{host}` must be a list of secret names, got {names!r}")
        out[str(host)] = tuple(names)
    return out


def _did_you_mean(word: str, candidates: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean `{close[0]}`?)" if close else ""
