# SPDX-License-Identifier: Apache-2.0
"""S17 (operator 1.1): ``topologyConstraint`` on the graph and on services.

The CRD's shape (``topologyProfile`` required and non-empty, ``packDomain`` a string; a
service's ``packDomain`` required), then the admission webhook's rules on create
(``validateTopologyConstraints`` in the 1.1 operator): a ``packDomain`` is a lower-case DNS
label; any constraint needs ``spec.topologyConstraint`` with a ``topologyProfile``; without a
graph-level ``packDomain`` every service needs its own. The webhook's cluster check (the named
``ClusterTopology`` exists, has every domain, a service is not broader than the graph) uses a
``ClusterTopology`` of the input instead (D62, D14), else says it was not checked. On the Grove
path a domain outside the PodCliqueSet CRD's enum is an error (D31).
"""

from __future__ import annotations

import re
from typing import Any

from krm_dynamo.api import shapes
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.display import show_value

DOMAIN = shapes.TOPOLOGY_DOMAIN  # IsValidTopologyDomainFormat


def _constraint(value: Any, path: str, required: tuple[str, ...], report: Report) -> dict[str, str] | None:
    """The constraint's string fields, or None (reported) when its shape is not the CRD's."""
    if not isinstance(value, dict):
        report.error(path, f"expected `{path.rsplit('.', 1)[-1]}` to be a mapping, got {show_value(value)}")
        return None
    out: dict[str, str] = {}
    shape = shapes.GRAPH_TOPOLOGY_CONSTRAINT if path == "spec.topologyConstraint" else shapes.TOPOLOGY_CONSTRAINT
    for key, item in value.items():
        if key not in shapes.known(shape):
            report.warning(f"{path}.{key}", f"unknown field `{key}` of `topologyConstraint`: dropped "
                                            "(the API server prunes it)")
        elif not isinstance(item, str):
            report.error(f"{path}.{key}", f"expected `{key}` to be a string, got {show_value(item)}")
            return None
        else:
            out[key] = item
    for key in required:
        if not out.get(key):
            report.error(f"{path}.{key}", f"`{path}.{key}` is required (the CRD of operator 1.1)")
            return None
    return out


def check_topology_constraints(g: DerivedGraph, report: Report) -> None:
    """S17: the CRD's shape and the webhook's format rules of every ``topologyConstraint`` (1.1)."""
    if not g.table.switch("S17"):
        return
    graph_value = g.graph.topologyConstraint
    spec = None
    if graph_value is not None:
        spec = _constraint(graph_value, "spec.topologyConstraint", ("topologyProfile",), report)
        if spec is None:
            return
    services: dict[str, dict[str, str]] = {}
    for key, component in sorted(g.services.items()):
        value = component.spec.topologyConstraint
        if value is not None:
            found = _constraint(value, f"{component.path}.topologyConstraint", ("packDomain",), report)
            if found is None:
                return
            services[key] = found
    domains = [("spec.topologyConstraint.packDomain", (spec or {}).get("packDomain", ""))]
    domains += [(f"spec.services.{k}.topologyConstraint.packDomain", v["packDomain"]) for k, v in services.items()]
    grove_domains = g.table.grove.topology_domains
    for path, domain in domains:
        if domain and not re.fullmatch(DOMAIN, domain):  # Go: `$` is the end of the text, no newline before it
            report.error(path, f"{show_value(domain)} is not a valid topology domain: expected a lower-case "
                               f"DNS label matching {DOMAIN} (the operator's admission webhook)")
        elif domain and g.grove_mode and domain not in grove_domains:  # D31
            report.error(path, f"expected one of {', '.join(grove_domains)}, got {show_value(domain)}: the "
                               "PodCliqueSet's CRD accepts no other domain (the API server rejects it)")
    if spec is None and services:
        first = next(iter(services))
        report.error(f"spec.services.{first}.topologyConstraint", "a service `topologyConstraint` needs "
                     "`spec.topologyConstraint` with a `topologyProfile` (the operator's admission webhook)")
    if spec is not None and not spec.get("packDomain"):
        for key in sorted(set(g.services) - set(services)):
            report.error(f"spec.services.{key}.topologyConstraint",
                         "expected a `topologyConstraint` on every service, since `spec.topologyConstraint` "
                         "sets no `packDomain` (the operator's admission webhook)")
    if (spec is not None or services) and not report.failed:  # the webhook checks the cluster only then
        _check_cluster(g, spec, services, report)


def _check_cluster(g: DerivedGraph, spec: dict[str, str] | None, services: dict[str, dict[str, str]],
                   report: Report) -> None:
    """D62: the ClusterTopology check of the webhook, against the input; where the constraints go."""
    if not g.grove_mode:
        report.warning("spec.topologyConstraint" if spec else f"spec.services.{next(iter(services))}",
                       "`topologyConstraint` places pods only on the Grove path (functionConfig "
                       "`multinodeOrchestrator: grove`); the Deployments and LeaderWorkerSets generated here "
                       "carry no constraint, as with the operator")
    if spec is None or not spec.get("topologyProfile"):
        return
    profile = spec["topologyProfile"]
    levels = g.cluster_topologies.get(profile)
    if levels is None:
        report.warning("spec.topologyConstraint.topologyProfile",
                       f'not checked: on create the operator requires the ClusterTopology "{profile}" '
                       "(grove.io/v1alpha1) to exist and to define every packDomain used; add it to the input, "
                       "annotated `config.kubernetes.io/local-config: \"true\"` so that it is not applied, "
                       "to have it checked here")
        return
    index = {domain: i for i, domain in enumerate(levels)}
    graph_domain = spec.get("packDomain", "")
    checks = [("spec.topologyConstraint.packDomain", graph_domain)] if graph_domain else []
    checks += [(f"spec.services.{k}.topologyConstraint.packDomain", v["packDomain"]) for k, v in services.items()]
    for path, domain in checks:
        if domain not in index:
            report.error(path, f'domain "{domain}" does not exist in ClusterTopology "{profile}"; '
                               f"available domains: {', '.join(levels) or 'none'}")
        elif graph_domain in index and index[domain] < index[graph_domain]:
            report.error(path, f'"{domain}" is broader than the graph\'s packDomain "{graph_domain}": a '
                               "service constraint must be equal to or narrower than it")
