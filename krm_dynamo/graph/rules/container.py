# SPDX-License-Identifier: Apache-2.0
"""Rules about the containers of a service's pod: names, image, probes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import (
    PROBE_HANDLERS,
    PROBE_KINDS,
    ServiceCheck,
)


def check_main_container(s: ServiceCheck, report: Report) -> None:
    """What the schema check of the embedded types cannot say: env and container names are
    non-empty, and no sidecar or init container takes the main container's name (types and
    required fields are checked against the Kubernetes schemas, :mod:`krm_dynamo.graph.rules.embedded`)."""
    extra = s.svc.extraPodSpec
    if extra is None:
        return
    if extra.mainContainer is not None and isinstance(extra.mainContainer.get("env"), list):
        from krm_dynamo.graph.rules.envs import check_env_names  # here: only a main container with env pays for it

        check_env_names(extra.mainContainer["env"], f"{s.mc_path}.env", report)
    _check_container_names(s, s.component.pod_fields, report)


def _check_container_names(s: ServiceCheck, pod: dict[str, Any], report: Report) -> None:
    """V33: sidecar and init container names are non-empty, differ from the main container's and
    from each other (the API server wants every container name of a pod, init ones included,
    unique)."""
    main_name = s.main.get("name") or defaults.MAIN_CONTAINER
    seen: dict[str, str] = {}
    for field_name in ("containers", "initContainers"):
        items = pod.get(field_name)
        for i, container in enumerate(items if isinstance(items, list) else []):
            name = container.get("name") if isinstance(container, dict) else None
            path = f"{s.path}.extraPodSpec.{field_name}[{i}].name"
            if name == "":  # a missing or non-string name is a schema error (rules.embedded)
                report.error(path, "expected every container to have a `name`, found none")
            elif name == main_name:
                report.error(path, f'expected a container name other than "{main_name}", the name of the main '
                                   "container (two containers of one pod cannot share a name)")
            elif isinstance(name, str) and name in seen:
                report.error(path, f'expected container names to be unique, got "{name}" again (first at '
                                   f"{seen[name]}): the API server rejects two containers of one name in a pod")
            if isinstance(name, str) and name:
                seen.setdefault(name, path)


def check_image(s: ServiceCheck, report: Report) -> None:
    """D15: an image in the main container, or functionConfig ``defaultImage``."""
    image = s.main.get("image")
    if image not in (None, "") and not isinstance(image, str):
        return  # wrong type: reported by the schema check (rules.embedded)
    if s.component.image is None:
        report.error(
            f"{s.mc_path}.image",
            "expected a container image in `extraPodSpec.mainContainer.image`, found none "
            "(or set `defaultImage` in the functionConfig)",
        )


def check_probes(s: ServiceCheck, report: Report) -> None:
    """R4: a user probe without a handler needs a default probe of that kind to complete.

    The same on every pod role: probes are applied before the multinode rewrite.
    """
    table = s.graph.table.for_component(s.svc.componentType)
    for kind in PROBE_KINDS:
        for probe, path in ((s.main.get(kind), f"{s.mc_path}.{kind}"), (getattr(s.svc, kind), f"{s.path}.{kind}")):
            if not isinstance(probe, dict):
                continue  # absent, or a wrong type reported by the schema check (rules.embedded)
            if any(probe.get(h) is not None for h in PROBE_HANDLERS):
                continue
            if kind not in table.probes:
                report.error(
                    path,
                    "expected the probe to name a handler (`exec`, `httpGet`, `tcpSocket` or `grpc`): there is no "
                    "default probe of this kind to complete",
                )


def check_probe_ports(s: ServiceCheck, report: Report) -> None:
    """D32: a probe (or the frontend Service) aimed at a named port the main container does not have.

    A non-empty ``mainContainer.ports`` replaces the default list (mergo: a slice replaces),
    but the default probes keep naming ``http``, ``system`` or ``metrics``; the kubelet cannot
    resolve a missing name, so the pod never becomes ready. The operator builds it silently:
    a warning, never an error.
    """
    table = s.graph.table.for_component(s.svc.componentType)
    user_ports = s.main.get("ports")
    ports: Sequence[Any] = user_ports if isinstance(user_ports, list) and user_ports else table.ports
    names = {p.get("name") for p in ports if hasattr(p, "get") and isinstance(p.get("name"), str)}
    ports_path = f"{s.mc_path}.ports"
    missing: dict[str, list[str]] = {}  # port name -> default probe kinds that check it
    for kind in PROBE_KINDS:
        probe, path = _effective_probe(s, kind, table.probes.get(kind))
        port = _named_port(probe)
        if port is None or port in names:
            continue
        if path is None:
            missing.setdefault(port, []).append(f"`{kind}`")
        else:
            report.warning(path, f'`{kind}` checks the port named "{port}", which the main container does not have: '
                                 "the pod never becomes ready (D32)")
    for port, kinds in missing.items():
        probes = f"default {'probes' if len(kinds) > 1 else 'probe'} {', '.join(kinds)}"
        verb = "check" if len(kinds) > 1 else "checks"
        report.warning(ports_path, f'the {probes} {verb} the port named "{port}", which `ports` no longer has (a '
                                   "`ports` list replaces the default one): the pod never becomes ready; add a port "
                                   f'named "{port}" or set the probes yourself (D32)')
    target = s.graph.table.service.port.get("targetPort")
    if s.svc.componentType == defaults.COMPONENT_FRONTEND and isinstance(target, str) and target not in names:
        report.warning(ports_path, f'the frontend Service sends traffic to the port named "{target}", which `ports` '
                                   f'no longer has: add a port named "{target}" (D32)')


def _effective_probe(s: ServiceCheck, kind: str, default: Any) -> tuple[Any, str | None]:
    """``(probe, field path of the user's probe or None for the default)``, as the builder applies them.

    A user probe with a handler replaces the default; one without is laid over it (R4), so
    the default's handler, and its port, stay.
    """
    for probe, path in ((getattr(s.svc, kind, None), f"{s.path}.{kind}"), (s.main.get(kind), f"{s.mc_path}.{kind}")):
        if isinstance(probe, dict):
            if any(probe.get(h) is not None for h in PROBE_HANDLERS):
                return probe, path
            return default, None
    return default, None


def _named_port(probe: Any) -> str | None:
    """The port name an ``httpGet`` or ``tcpSocket`` handler targets (None for a number or no such handler)."""
    if not hasattr(probe, "get"):
        return None
    for handler in ("httpGet", "tcpSocket"):
        spec = probe.get(handler)
        port = spec.get("port") if hasattr(spec, "get") else None
        if isinstance(port, str) and not port.isdigit():
            return port
    return None

