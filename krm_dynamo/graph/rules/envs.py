# SPDX-License-Identifier: Apache-2.0
"""Rules about env lists: EnvVar names (CRD) and the legacy ``DYN_DEPLOYMENT_CONFIG`` env."""

from __future__ import annotations

from typing import Any

from krm_dynamo.graph.component import DeploymentConfig
from krm_dynamo.graph.derive import (
    DEPLOYMENT_CONFIG_ENV,
    DerivedGraph,
    deployment_config_workers_problem,
)
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, show


def check_graph_envs(g: DerivedGraph, report: Report) -> None:
    """EnvVar names and a parsable ``DYN_DEPLOYMENT_CONFIG`` in ``spec.envs``."""
    check_env_names(g.graph.envs, "spec.envs", report)
    _check_configs(g.graph_configs, "spec.envs", report)


def check_service_envs(s: ServiceCheck, report: Report) -> None:
    """EnvVar names and ``DYN_DEPLOYMENT_CONFIG`` in the service's ``envs``; its ``workers`` a replica count."""
    check_env_names(s.svc.envs, f"{s.path}.envs", report)
    _check_configs(s.component.service_configs, f"{s.path}.envs", report)
    workers = s.component.workers
    problem = deployment_config_workers_problem(workers) if workers is not None else None
    if problem:
        report.error(s.component.workers_path, f"{DEPLOYMENT_CONFIG_ENV} of service `{s.key}`: {problem}")


def _check_configs(configs: list[DeploymentConfig], path: str, report: Report) -> None:
    for found in configs:
        if found.config is None:
            report.error(
                path,
                f"failed to parse {DEPLOYMENT_CONFIG_ENV}: expected its `value` to be a JSON object, "
                f'got "{found.value}"',
            )


def check_env_names(envs: list[Any] | None, path: str, report: Report) -> None:
    """EnvVar names are non-empty (a missing or non-string `name` is a schema error, rules.embedded)."""
    for i, env in enumerate(envs or []):
        if isinstance(env, dict) and env.get("name") == "":
            report.error(f"{path}[{i}].name",
                         f"expected every env entry to have a non-empty `name`, got {show(env['name'])}")
