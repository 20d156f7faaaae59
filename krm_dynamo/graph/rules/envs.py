# SPDX-License-Identifier: Apache-2.0
"""Rules about env lists: EnvVar names (CRD) and the legacy ``DYN_DEPLOYMENT_CONFIG`` env.

``DYN_DEPLOYMENT_CONFIG`` (component mode only; the operator's Grove path never reads it):
the value must be JSON that the operator's Go types read (``graph.go``
``ParseDynDeploymentConfig``), every entry, not only the reading service's, else the
operator fails the whole DGD (D31); a frontend also reads it into ``any`` to write it back,
which fails on numbers beyond float64; ``ServiceArgs.workers`` of a service's own entry is
a replica count (V24).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.component import DeploymentConfig
from krm_dynamo.graph.derive import (
    DEPLOYMENT_CONFIG_ENV,
    DerivedGraph,
    deployment_config_workers_problem,
)
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, show
from krm_dynamo.kio import limits

_PARSE_FAILED = f"failed to parse {DEPLOYMENT_CONFIG_ENV}"


def check_graph_envs(g: DerivedGraph, report: Report) -> None:
    """EnvVar names and a readable ``DYN_DEPLOYMENT_CONFIG`` in ``spec.envs``."""
    check_env_names(g.graph.envs, "spec.envs", report)
    _check_configs(g, g.graph_configs, "spec.envs", report)


def check_service_envs(s: ServiceCheck, report: Report) -> None:
    """EnvVar names and ``DYN_DEPLOYMENT_CONFIG`` in the service's ``envs``; its ``workers`` a replica count."""
    check_env_names(s.svc.envs, f"{s.path}.envs", report)
    _check_configs(s.graph, s.component.service_configs, f"{s.path}.envs", report)
    workers = s.component.workers
    problem = deployment_config_workers_problem(workers) if workers is not None else None
    if problem:
        report.error(s.component.workers_path, f"{DEPLOYMENT_CONFIG_ENV} of service `{s.key}`: {problem}")


def _check_configs(g: DerivedGraph, configs: list[DeploymentConfig], path: str, report: Report) -> None:
    if configs and g.grove_mode:
        report.warning(
            path,
            f"{DEPLOYMENT_CONFIG_ENV} is not applied in Grove mode (the operator's Grove path never reads it): "
            "the value is passed on unchanged, and no replicas, resources or port come from it",
        )
        return
    for found in configs:
        if found.too_deep:
            report.error(f"{path}[{found.index}].value",
                         f"{_PARSE_FAILED}: its JSON nests arrays and objects deeper than "
                         f"{limits.MAX_JSON_DEPTH} levels (the limit krm-dynamo reads)")
            continue
        if found.config is None:
            report.error(path, f'{_PARSE_FAILED}: expected its `value` to be a JSON object, got "{found.value}"')
            continue
        readers = [c for c in g.services.values() if c.deployment_config is found]
        # The entry of a service that reads this value has its `workers` checked by V24 (check_service_envs).
        own = {c.key for c in readers}
        from krm_dynamo.graph.deployment_config import shape_problems  # here: only a DGD with the env pays for it
        from krm_dynamo.kube import gojson

        for problem in shape_problems(found.document):
            if not (problem.workers and problem.entry in own):
                report.error(path, f"{_PARSE_FAILED}: {problem.problem}")
        if any(c.component_type == defaults.COMPONENT_FRONTEND for c in readers):
            overflow = gojson.float64_problem(found.document, constants=False)
            if overflow:
                report.error(path, f"{_PARSE_FAILED}: {overflow} (a frontend reads every number as a float64)")


def check_env_names(envs: list[Any] | None, path: str, report: Report) -> None:
    """EnvVar names are non-empty (a missing or non-string `name` is a schema error, rules.embedded)."""
    for i, env in enumerate(envs or []):
        if isinstance(env, dict) and env.get("name") == "":
            report.error(f"{path}[{i}].name",
                         f"expected every env entry to have a non-empty `name`, got {show(env['name'])}")
