# SPDX-License-Identifier: Apache-2.0
"""The multinode rules agree with the templates the builder writes.

``graph.rules.multinode`` restates, on derived values, whether each LWS pod's main
container has a ``command`` and ``args`` after the backend's multinode rewrite, and which
launch will not work. These tests build the real leader and worker templates for many
launches and check that the rules report exactly what the built templates show.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.backend import BackendError, resolve
from krm_dynamo.graph.derive import derive
from krm_dynamo.graph.discovery import SecretIndex
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.graph.rules.multinode import check_launch, check_lws_requirements
from krm_dynamo.render import backends
from krm_dynamo.render.multinode import role_templates
from krm_dynamo.render.podtemplate import PodContext

IMG = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
COMMANDS: list[list[str] | None] = [None, [], ["python3"], ["/usr/bin/python3.11"], ["/bin/sh", "-c"], ["serve"]]
ARGS: list[list[str] | None] = [
    None, [], ["-m", "dynamo.sglang", "--model", "x"], ["python3 -m dynamo.sglang --model x"],
    ["python3 -m dynamo.vllm --model x"], ["python3 -m dynamo.trtllm --model x"], ["run"],
]
SERVICES = [("worker", "vllm"), ("worker", "sglang"), ("worker", "trtllm"), ("worker", None), ("frontend", None)]


def _resolves(ctype: str, framework: str | None, command: list[str] | None, args: list[str] | None) -> bool:
    try:
        resolve(ctype, {"command": command, "args": args}, framework)
    except BackendError:
        return False  # the backend rule's case, not this one
    return True


def _cases() -> list[tuple[str, str | None, list[str] | None, list[str] | None]]:
    return [(ctype, fw, cmd, args) for (ctype, fw), cmd, args in itertools.product(SERVICES, COMMANDS, ARGS)
            if _resolves(ctype, fw, cmd, args)]


@pytest.mark.parametrize(("component_type", "framework", "command", "args"), _cases())
def test_rule_matches_built_templates(component_type: str, framework: str | None, command: list[str] | None,
                                      args: list[str] | None) -> None:
    main: dict[str, Any] = {"image": IMG}
    if command is not None:
        main["command"] = command
    if args is not None:
        main["args"] = args
    spec: dict[str, Any] = {"services": {"W": {
        "componentType": component_type, "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
        "extraPodSpec": {"mainContainer": main}}}}
    if framework:
        spec["backendFramework"] = framework
    cfg = FunctionConfig()
    derived = derive("g", v1alpha1.DynamoGraphDeploymentSpec.model_validate(spec), cfg)
    component = derived.services["W"]
    report = Report({})
    check_lws_requirements(ServiceCheck(graph=derived, component=component), report)
    reported = {r.field_path.rsplit(".", 1)[-1]: r.message for r in report.results}

    ctx = PodContext(dgd_name="g", dgd_namespace="ns", dgd_annotations={}, cfg=cfg, secrets=SecretIndex(),
                     service_account="")
    templates = role_templates(component, ctx, deployer=backends.LWS, service_name=component.name)
    for field_name in ("command", "args"):
        missing = [role for role, pod in templates.items() if not pod.main_container.get(field_name)]
        if missing:
            assert field_name in reported, (field_name, missing)
            assert f"the {' and '.join(missing)} pod of" in reported[field_name]
        else:
            assert field_name not in reported, reported


def _template_warnings(component: Any, leader: dict[str, Any]) -> set[str]:
    """The launch warnings as the builders used to compute them, on the built leader container."""
    backend = component.backend.name
    command = [str(c) for c in leader.get("command") or []]
    out = set()
    if backend == "vllm" and not (command and command[0].rsplit("/", 1)[-1] in defaults.SHELLS):
        out.add("command")
    elif backend == "sglang" and "--dist-init-addr" not in " ".join(
            command + [str(a) for a in leader.get("args") or []]):
        out.add("args")
    elif backend == "trtllm" and backends.gpus_per_node(component.resources) == 0:
        out.add("gpu")
    return out


@pytest.mark.parametrize("gpu", ["1", None])
@pytest.mark.parametrize(("component_type", "framework", "command", "args"), _cases())
def test_launch_rule_matches_built_leader(component_type: str, framework: str | None, command: list[str] | None,
                                          args: list[str] | None, gpu: str | None) -> None:
    main: dict[str, Any] = {"image": IMG}
    if command is not None:
        main["command"] = command
    if args is not None:
        main["args"] = args
    svc: dict[str, Any] = {"componentType": component_type, "multinode": {"nodeCount": 3},
                           "extraPodSpec": {"mainContainer": main}}
    if gpu:
        svc["resources"] = {"limits": {"gpu": gpu}}
    spec: dict[str, Any] = {"services": {"W": svc}, **({"backendFramework": framework} if framework else {})}
    cfg = FunctionConfig()
    derived = derive("g", v1alpha1.DynamoGraphDeploymentSpec.model_validate(spec), cfg)
    component = derived.services["W"]
    report = Report({})
    check_launch(ServiceCheck(graph=derived, component=component), report)
    reported = {r.field_path.rsplit(".", 1)[-1] for r in report.results}
    ctx = PodContext(dgd_name="g", dgd_namespace="ns", dgd_annotations={}, cfg=cfg, secrets=SecretIndex(),
                     service_account="")
    for deployer, name in ((backends.LWS, component.name), (backends.GROVE, component.key)):
        templates = role_templates(component, ctx, deployer=deployer, service_name=name)
        assert reported == _template_warnings(component, templates[defaults.ROLE_LEADER].main_container)
