# SPDX-License-Identifier: Apache-2.0
"""D32: warnings where the operator silently builds a pod that cannot work.

Probes (and the frontend Service) aimed at a named port the main container does not have,
and component types that get no component defaults. Output is unchanged: these are
results only.
"""

from __future__ import annotations

import pytest
from multinode_util import IMAGE, dgd, kinds, run

S = "spec.services.S"
MC = f"{S}.extraPodSpec.mainContainer"


def _svc(component_type: str = "worker", ports=None, **extra) -> dict:
    main: dict = {"image": IMAGE, "command": ["python3", "-m", "dynamo.vllm"]}
    if ports is not None:
        main["ports"] = ports
    main.update(extra.pop("main", {}))
    return {"componentType": component_type, "extraPodSpec": {"mainContainer": main}, **extra}


def _d32(svc: dict) -> dict[str, str]:
    out, results = run(dgd({"S": svc}, "vllm"))
    assert out, [r.message for r in results]
    return {r.field_path: r.message for r in results if "(D32)" in r.message}


def test_worker_ports_without_system_warn_once():
    """The field report's case: `ports` replaces the default list, every default probe names `system`."""
    assert _d32(_svc(ports=[{"name": "metrics", "containerPort": 9090}])) == {
        f"{MC}.ports": 'the default probes `livenessProbe`, `readinessProbe`, `startupProbe` check the port named '
                       '"system", which `ports` no longer has (a `ports` list replaces the default one): the pod never '
                       'becomes ready; add a port named "system" or set the probes yourself (D32)',
    }


def test_the_output_is_what_the_operator_builds():
    """A warning only: the user's port list and the default probes are emitted as the operator would."""
    out, _ = run(dgd({"S": _svc(ports=[{"name": "metrics", "containerPort": 9090}])}, "vllm"))
    main = kinds(out, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    assert main["ports"] == [{"name": "metrics", "containerPort": 9090}]
    assert main["livenessProbe"]["httpGet"]["port"] == "system"


@pytest.mark.parametrize(
    ("svc", "expected"),
    [
        pytest.param(_svc(ports=[{"name": "system", "containerPort": 9090}, {"name": "nixl", "containerPort": 5600}]),
                     {}, id="system-kept"),
        pytest.param(_svc(), {}, id="default-ports"),
        pytest.param(_svc(ports=[{"name": "m", "containerPort": 1}],
                          livenessProbe={"httpGet": {"path": "/l", "port": 1}},
                          readinessProbe={"tcpSocket": {"port": 1}},
                          main={"startupProbe": {"exec": {"command": ["true"]}}}),
                     {}, id="every-probe-replaced"),
        pytest.param(_svc(ports=[{"name": "m", "containerPort": 1}],
                          livenessProbe={"httpGet": {"path": "/l", "port": "m"}},
                          readinessProbe={"tcpSocket": {"port": "1"}}, main={"startupProbe": {"grpc": {"port": 1}}}),
                     {}, id="user-probes-name-existing-or-numeric-ports"),
        pytest.param(_svc(ports=[{"name": "m", "containerPort": 1}],
                          livenessProbe={"httpGet": {"path": "/l", "port": 1}},
                          main={"startupProbe": {"failureThreshold": 100}}),
                     {f"{MC}.ports": "the default probes `readinessProbe`, `startupProbe` check"},
                     id="R4-keeps-default-port"),
        pytest.param(_svc(livenessProbe={"httpGet": {"path": "/l", "port": "health"}}),
                     {f"{S}.livenessProbe": '`livenessProbe` checks the port named "health", which the main container'},
                     id="user-probe-names-a-missing-port"),
        pytest.param(_svc(ports=[{"name": "m", "containerPort": 1}],
                          main={"readinessProbe": {"tcpSocket": {"port": "x"}}},
                          livenessProbe={"exec": {"command": ["true"]}}, startupProbe={"exec": {"command": ["true"]}}),
                     {f"{MC}.readinessProbe": '`readinessProbe` checks the port named "x"'},
                     id="user-main-container-probe"),
        pytest.param(_svc("frontend", ports=[{"name": "web", "containerPort": 8000}]),
                     {f"{MC}.ports": 'the frontend Service sends traffic to the port named "http"'},
                     id="frontend-service-and-liveness"),
        pytest.param(_svc("planner", ports=[{"name": "web", "containerPort": 8000}]), {}, id="planner-has-no-probes"),
    ],
)
def test_probe_ports(svc, expected):
    """Each result starts with the expected text; nothing else is reported."""
    found = _d32(svc)
    assert sorted(found) == sorted(expected)
    for path, start in expected.items():
        assert start in found[path]


def test_frontend_reports_probe_and_service():
    """A frontend whose ports lack `http`: its liveness probe and its Service both name it (two results at one path)."""
    _, results = run(dgd({"S": _svc("frontend", ports=[{"name": "web", "containerPort": 8000}])}))
    messages = [r.message for r in results if r.field_path == f"{MC}.ports"]
    assert len(messages) == 2
    assert messages[0].startswith('the default probe `livenessProbe` checks the port named "http"')


@pytest.mark.parametrize(
    ("component_type", "severity", "message"),
    [
        ("wroker", "warning", 'componentType "wroker" is not a known component type and gets no defaults: '
                              'did you mean "worker"?'),
        ("frontent", "warning", 'componentType "frontent" is not a known component type and gets no defaults: '
                                'did you mean "frontend"?'),
        ("Planner", "warning", 'componentType "Planner" gets no defaults: component types are case-sensitive, '
                               'did you mean "planner"?'),
        ("main", "info", 'componentType "main" is none of frontend, worker, planner: it gets no component defaults '
                         "(no ports, probes, component env vars or backend settings), as with the operator"),
        ("decode", "info", 'componentType "decode" is none of frontend, worker, planner: it gets no component '
                           "defaults (no ports, probes, component env vars or backend settings), as with the operator "
                           "(a worker's role, such as prefill or decode, goes in `subComponentType`)"),
    ],
)
def test_component_types_without_defaults(component_type, severity, message):
    _, results = run(dgd({"S": _svc(component_type)}))
    found = [(r.severity, r.message) for r in results if r.field_path == f"{S}.componentType"]
    assert found == [(severity, message)]


@pytest.mark.parametrize("component_type", ["frontend", "worker", "planner", None])
def test_known_or_unset_component_type_is_quiet(component_type):
    svc = _svc(component_type or "")
    if component_type is None:
        del svc["componentType"]
    _, results = run(dgd({"S": svc}))
    assert not [r for r in results if r.field_path == f"{S}.componentType"]
