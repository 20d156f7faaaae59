# SPDX-License-Identifier: Apache-2.0
"""The function's configuration: the operator's installation-wide settings (D13: operator flags
become functionConfig keys).

The operator takes these from its command-line flags; a renderer has no operator, so they
arrive as the functionConfig. :class:`FunctionConfig` is the one table of settings: each
row (a :class:`~krm_dynamo.config_values.Setting`) gives the key, value kind, default,
choices, help, effect and decision, and the class, the parsing below, the ``--help``
list and the README's table (:mod:`krm_dynamo.config_doc`) all come from it.

These carriers are accepted, merged in this order (later wins):

1. a ``KrmDynamoConfig`` object among the ``items`` (``krm-dynamo render DIR``, and kpt
   ``configPath: dgd.yaml``, where the functionConfig slot holds the DGD itself);
2. the functionConfig, as a ``ConfigMap`` (``kpt fn eval -- key=value``, kpt
   ``configMap:``; every value a string) or as a typed ``KrmDynamoConfig``.

A functionConfig of any other kind (the DGD in kustomize generator mode) carries no
settings. No pydantic and no dataclasses here: this runs on every call, DGD or not.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.config_values import BOOLEAN, DURATION, ENUM, REGISTRY_MAP, STRING, Setting, convert, did_you_mean
from krm_dynamo.kio.results import ERROR, WARNING, Result

CONFIG_API_VERSION = "fn.krm-dynamo.dev/v1alpha1"
CONFIG_KIND = "KrmDynamoConfig"
DEFAULT_OPERATOR_VERSION = "0.6"  # the release the function reproduces completely (D34)


class FunctionConfig:
    """Operator-level settings: one row per functionConfig key, in the order users see them.

    Attribute names are the keys; ``FunctionConfig(natsServer="nats://...")`` sets some,
    the rest keep their defaults. Immutable. A plain class rather than a dataclass: this
    runs on every call, DGD or not, and the dataclass machinery alone costs about 10 ms.
    """

    natsServer = Setting(
        STRING, "", decision="D13",
        help="NATS server address (the operator's --natsAddr)",
        effect="env `NATS_SERVER` on every pod",
    )
    etcdEndpoints = Setting(
        STRING, "", decision="D13",
        help="etcd endpoints (the operator's --etcdAddr)",
        effect="env `ETCD_ENDPOINTS` on every pod",
    )
    modelExpressUrl = Setting(
        STRING, "", decision="D13",
        help="Model Express server URL (the operator's --model-express-url)",
        effect="env `MODEL_EXPRESS_URL` on every pod",
    )
    prometheusEndpoint = Setting(
        STRING, "", decision="D13",
        help="Prometheus endpoint (the operator's --prometheus-endpoint)",
        effect="env `PROMETHEUS_ENDPOINT` on every pod",
    )
    ingressClassName = Setting(
        STRING, "", decision="D13",
        help="class of the default frontend Ingress (the operator's --ingress-controller-class-name)",
        effect="`ingressClassName` of the default Ingress of frontends",
    )
    ingressTlsSecretName = Setting(
        STRING, "", decision="D13",
        help="TLS secret of the default frontend Ingress (the operator's --ingress-controller-tls-secret-name)",
        effect="TLS secret of the default Ingress of frontends",
    )
    ingressHostSuffix = Setting(
        STRING, "", decision="D13",
        help="host suffix of the default frontend Ingress (the operator's --ingress-host-suffix)",
        effect="host suffix of the default Ingress of frontends",
    )
    istioGateway = Setting(
        STRING, "", decision="D20",
        help="default VirtualService gateway (the operator's --istio-virtual-service-gateway)",
        effect="default VirtualService gateway (frontends get a VirtualService)",
    )
    registrySecrets: Setting[dict[str, tuple[str, ...]]] = Setting(
        REGISTRY_MAP, {}, decision="D14",
        help="registry host -> image pull secret names; JSON in a ConfigMap",
        effect="registry host → image pull secret names, added to the Secrets discovered in the input",
    )
    componentServiceAccountName = Setting(
        STRING, "", decision="D14",
        help="pod service account when no labelled ServiceAccount is in the input",
        effect="pod service account when no ServiceAccount labelled "
        '`nvidia.com/dynamo-component-pod: "true"` is in the input',
    )
    mpiRunSecretName = Setting(
        STRING, "mpi-run-ssh-secret", decision="D13",
        help="TRT-LLM multinode SSH secret (the operator's --mpi-run-ssh-secret-name)",
        effect="TRT-LLM multinode SSH secret",
    )
    multinodeOrchestrator = Setting(
        ENUM, "lws", decision="D2", choices=("lws", "grove"),
        help="orchestrator of multinode services",
        effect="multinode services as LeaderWorkerSets (`lws`) or one Grove PodCliqueSet (`grove`)",
    )
    graphDeployment = Setting(
        ENUM, "local", decision="D3", choices=("local", "drop", "keep"),
        help="the DGD in the output: local-config, dropped or kept",
        effect="the DGD in the output: `local` (local-config), `drop`, or `keep` (applied as is)",
    )
    defaultImage = Setting(
        STRING, "", decision="D15",
        help="main container image for services that name none",
        effect="main container image for services that name none",
    )
    gangScheduling = Setting(
        ENUM, "volcano", decision="D27", choices=("volcano", "none"),
        help="gang scheduling of LeaderWorkerSets: Volcano PodGroups, or none",
        effect="LeaderWorkerSets: `volcano` (a Volcano PodGroup each, `schedulerName: volcano`) or `none` (neither)",
    )
    debuggerImage = Setting(
        STRING, "python:3.12-slim",
        help="debugger sidecar image (the operator's env INTERNAL_IMAGES_DEBUGGER)",
        effect="image of the `nvidia.com/enable-debug-mode` sidecar",
    )
    groveTerminationDelay = Setting(
        DURATION, "", decision="D2",
        help="Grove terminationDelay, e.g. 4h (the operator's --grove-termination-delay)",
        effect="`terminationDelay` of the Grove PodCliqueSet (unset: `15m`, the operator's default)",
    )
    kaiScheduler = Setting(
        BOOLEAN, False, decision="D2",
        help="Grove pods scheduled by the KAI scheduler",
        effect="Grove pods get `schedulerName: kai-scheduler` and a KAI queue label",
    )
    reviewAnnotation = Setting(
        BOOLEAN, False,
        help="annotate each generated object with its DGD and service (for reviews)",
        effect="each generated object gets `krm-dynamo.dev/review: <namespace>/<graph> <service>` "
        "(off: output as the operator's)",
    )

    warningsAsErrors = Setting(
        BOOLEAN, False, decision="D35",
        help="report every warning about the input as an error (exit 1), e.g. to fail CI on a mistyped field",
        effect="every warning about the input (an unknown or dropped field, a replaced value) is reported as an "
        "error, so the run fails; a notice that an operator profile is incomplete (none today) stays a warning",
    )

    # The operator's default (C02): deploy/operator/api/config/v1alpha1/defaults.go:80 @ 01a4b6d6d.
    discoveryBackend = Setting(
        ENUM, "kubernetes", decision="D45", choices=("kubernetes", "etcd"),
        help="operator 1.x discovery backend (its settings file's discovery.backend); not for 0.6",
        effect="from operatorVersion 1.0: `kubernetes` gives each graph a discovery ServiceAccount, Role and "
        "RoleBinding, runs its pods under that account and puts a Service in front of every component; `etcd` "
        "none of these and no `DYN_DISCOVERY_BACKEND` env. A graph's or service's "
        "`nvidia.com/dynamo-discovery-backend` annotation overrides it. An error under 0.6",
    )

    operatorVersion = Setting(
        ENUM, DEFAULT_OPERATOR_VERSION, decision="D34", choices=("0.6", "1.0", "1.1", "latest"),
        help="operator release to render for (latest = 1.1); `explain --operator-version V` shows its changes",
        effect="the operator release whose defaults, fields and rules apply (`latest` is `1.1`); 1.0 and 1.1 "
        "reproduce every catalogued operator change a client can compute (`krm-dynamo explain "
        "--operator-version V` lists them, with the deliberate differences)",
    )

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        for name, default in DEFAULTS.items():
            value = values.get(name, default)
            self.__dict__[name] = dict(value) if isinstance(value, dict) else value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FunctionConfig is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FunctionConfig):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        changed = ", ".join(f"{n}={v!r}" for n, v in self.__dict__.items() if v != DEFAULTS[n])
        return f"FunctionConfig({changed})"


# The table, in order, and every setting's default.
SETTINGS: tuple[Setting[Any], ...] = tuple(v for v in vars(FunctionConfig).values() if isinstance(v, Setting))
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}
_BY_KEY: dict[str, Setting[Any]] = {s.key: s for s in SETTINGS}
# The functionConfig slot legitimately holds the DGD itself (kustomize generator mode,
# kpt `configPath: dgd.yaml`); settings then come from a config object among the items.
_SETTINGLESS_CARRIERS = ("DynamoGraphDeployment",)


def is_config_object(item: Any) -> bool:
    """True for a typed ``KrmDynamoConfig`` object."""
    return isinstance(item, dict) and item.get("apiVersion") == CONFIG_API_VERSION and item.get("kind") == CONFIG_KIND


def load_config(function_config: Any, items: list[Any],
                overrides: dict[str, Any] | None = None) -> tuple[FunctionConfig, list[Result]]:
    """Merge every carrier into one :class:`FunctionConfig`, then ``overrides`` (valid values); report each bad key.

    Returns the configuration (defaults where a value is bad) and the results; any
    error result means the run must not expand anything.
    """
    values: dict[str, Any] = {}
    origins: dict[str, tuple[dict[str, Any], str]] = {}  # key -> (carrier, field path) of its value
    results: list[Result] = []
    for item in items:
        if is_config_object(item):
            _read_object(item, values, results, origins)
    if isinstance(function_config, dict) and function_config:
        if is_config_object(function_config):
            _read_object(function_config, values, results, origins)
        elif function_config.get("kind") == "ConfigMap" and function_config.get("apiVersion") == "v1":
            _read_config_map(function_config, values, results, origins)
        elif function_config.get("kind") not in _SETTINGLESS_CARRIERS:
            results.append(
                Result(
                    f'a functionConfig of kind "{function_config.get("kind")}" carries no settings and is ignored; '
                    f"expected a ConfigMap or a {CONFIG_KIND} (apiVersion: {CONFIG_API_VERSION})",
                    WARNING,
                    function_config,
                )
            )
    values.update(overrides or {})
    _check_release_settings(values, origins, results)
    return FunctionConfig(**values), results


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
        known = ", ".join(f"`{name}`" for name in _BY_KEY)
        hint = did_you_mean(key, list(_BY_KEY))
        results.append(Result(f"unknown setting `{key}`{hint}; known settings are {known}", ERROR, obj, path))
        return
    try:
        values[key] = convert(setting, raw, from_string)
    except ValueError as exc:
        results.append(Result(str(exc), ERROR, obj, path))
