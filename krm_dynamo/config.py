# SPDX-License-Identifier: Apache-2.0
"""The function's configuration: the operator's installation-wide settings (D13: operator flags
become functionConfig keys).

The operator takes these from its command-line flags; a renderer has no operator, so they
arrive as the functionConfig. :class:`FunctionConfig` is the one table of settings: each
row (a :class:`Setting`) gives the key, value kind, default, choices, help, effect and
decision, and the class, the parsing of the carriers (:mod:`krm_dynamo.config_values`,
loaded only when a carrier may hold a setting), the ``--help`` list and the README's table
(:mod:`krm_dynamo.config_doc`) all come from it.

These carriers are accepted, merged in this order (later wins):

1. a ``KrmDynamoConfig`` object among the ``items`` (``krm-dynamo render DIR``, and kpt
   ``configPath: dgd.yaml``, where the functionConfig slot holds the DGD itself);
2. the functionConfig, as a ``ConfigMap`` (``kpt fn eval -- key=value``, kpt
   ``configMap:``; every value a string) or as a typed ``KrmDynamoConfig``.

A functionConfig of any other kind (the DGD in kustomize generator mode) carries no
settings. No pydantic and no dataclasses here: this runs on every call, DGD or not.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

from krm_dynamo.kio.results import Result

CONFIG_API_VERSION = "fn.krm-dynamo.dev/v1alpha1"
CONFIG_KIND = "KrmDynamoConfig"
DEFAULT_OPERATOR_VERSION = "0.6"  # the release the function reproduces completely (D34)

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
# The functionConfig slot legitimately holds the DGD itself (kustomize generator mode,
# kpt `configPath: dgd.yaml`); settings then come from a config object among the items.
SETTINGLESS_CARRIERS = ("DynamoGraphDeployment",)


def is_config_object(item: Any) -> bool:
    """True for a typed ``KrmDynamoConfig`` object."""
    return isinstance(item, dict) and item.get("apiVersion") == CONFIG_API_VERSION and item.get("kind") == CONFIG_KIND


def load_config(function_config: Any, items: list[Any],
                overrides: dict[str, Any] | None = None) -> tuple[FunctionConfig, list[Result]]:
    """Merge every carrier into one :class:`FunctionConfig`, then ``overrides`` (valid values); report each bad key.

    Returns the configuration (defaults where a value is bad) and the results; any
    error result means the run must not expand anything.
    """
    if overrides or _may_carry_settings(function_config) or any(is_config_object(item) for item in items):
        # Here only: a run whose carriers hold no setting (none, or kpt's empty ConfigMap)
        # never loads their parsing (start-up is paid by every `kustomize build`).
        from krm_dynamo.config_values import read_carriers

        return read_carriers(function_config, items, overrides)
    return FunctionConfig(), []


def _may_carry_settings(function_config: Any) -> bool:
    """False for a functionConfig that holds no setting and deserves no warning: none, ``{}``,
    a ``ConfigMap`` without data (what kpt sends when given none) or the DGD itself."""
    if not isinstance(function_config, dict) or not function_config:
        return False
    if function_config.get("kind") == "ConfigMap" and function_config.get("apiVersion") == "v1":
        return bool(function_config.get("data"))
    return function_config.get("kind") not in SETTINGLESS_CARRIERS
