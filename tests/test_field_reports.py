# SPDX-License-Identifier: Apache-2.0
"""The field reports: small inputs on which an earlier version went wrong, each pinned exactly.

The inputs live beside the clone in ``../shared/field-reports/`` (each file's opening comment says
what the operator does with it) and are read at test time, never copied here. Every file runs
through both entry points, the CLI's ``render`` (:func:`cli.run_render`) and the KRM function
(:func:`cli.run_function` on a ResourceList); the two must agree on the objects they print, and
every generated object must pass the strict schema check of ``k8s_validate`` (built-in kinds against
the Kubernetes schemas with ``additionalProperties: false``, the LeaderWorkerSet / PodGroup /
PodCliqueSet pod templates as built-in pod templates). Each file then has one test that asserts, in
exact values, what its header expects: the field values, the results (severity, field path,
message), the absence of duplicates, label sets and, for the YAML 1.1 booleans, the bytes written.

One header is settled differently, on purpose: ``lws-metadata-labels.yaml`` expects the operator's
``role`` label on the LeaderWorkerSet object; krm-dynamo leaves it off (D7: ``role`` belongs to
each template, and on the operator's object it is only the worker template's value leaking through
a shared map). ``test_every_file_has_a_test`` fails when a new report arrives without its test.

CI fails, rather than skips, when ``../shared`` is missing (``shared_files.require``).
"""

from __future__ import annotations

import copy
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import k8s_validate
from shared_files import SHARED, require

from krm_dynamo import cli
from krm_dynamo.kio import yamlio

FIELD_REPORTS = SHARED / "field-reports"
GROVE_CONFIG = "grove.fn-config.yaml"  # the functionConfig that selects Grove (a ConfigMap)
LOCAL_CONFIG = "config.kubernetes.io/local-config"


# --- running one report through both entry points ----------------------------------------------


@dataclass(frozen=True)
class Run:
    """One input through ``render`` and through the KRM function, in process."""

    inputs: list[Any]
    render_code: int
    render_stdout: str
    render_stderr: str
    function_code: int
    function_stdout: str
    items: list[dict[str, Any]]  # the function's output items
    results: list[dict[str, Any]]  # the function's results (wire form)

    @property
    def generated(self) -> list[dict[str, Any]]:
        """Objects the function made (neither the DGD it passes through nor other input items)."""
        return [o for o in self.items if not _is_local_config(o) and o not in self.inputs]

    def one(self, kind: str, name: str) -> dict[str, Any]:
        found = [o for o in self.generated if o["kind"] == kind and o["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, got {_names(self.generated)}"
        return found[0]

    def findings(self) -> list[tuple[str, str | None, str]]:
        """(severity, field path, message) of every result except the per-DGD summary."""
        return [(r["severity"], (r.get("field") or {}).get("path"), r["message"]) for r in self.results
                if not r["message"].startswith("expanded into ")]


def _names(objs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in objs]


def _docs(text: str, source: str) -> list[Any]:
    """YAML documents read as the function reads them (go-yaml v3 scalars)."""
    return [d for d in yamlio.load_documents(text, source) if d is not None]


def _is_local_config(obj: dict[str, Any]) -> bool:
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(LOCAL_CONFIG) == "true"


def run_text(path: Path, *, grove: bool = False) -> Run:
    """The file at ``path`` through ``render`` and through the KRM function (the CLI's own code)."""
    inputs = _docs(path.read_text(encoding="utf-8"), str(path))
    config = ["--function-config", str(require(FIELD_REPORTS / GROVE_CONFIG))] if grove else []
    out, err = io.StringIO(), io.StringIO()
    render_code = cli.run_render([str(path), *config], out, err)
    resource_list: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                                     "items": copy.deepcopy(inputs)}
    if grove:
        config_text = (FIELD_REPORTS / GROVE_CONFIG).read_text(encoding="utf-8")
        resource_list["functionConfig"] = _docs(config_text, GROVE_CONFIG)[0]
    fn_out, fn_err = io.StringIO(), io.StringIO()
    function_code = cli.run_function(io.BytesIO(yamlio.dump(resource_list).encode()), fn_out, fn_err)
    written = _docs(fn_out.getvalue(), "function output")[0]
    return Run(inputs, render_code, out.getvalue(), err.getvalue(), function_code, fn_out.getvalue(),
               written.get("items") or [], written.get("results") or [])


def variant(tmp_path: Path, name: str, text: str) -> Run:
    """An edited copy of a report (written under ``tmp_path``) through both entry points."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_text(path)


@functools.cache
def run(name: str, *, grove: bool = False) -> Run:
    """Report ``name`` through both entry points, with the checks every report shares.

    Both entry points agree: the same exit code, the same printed objects, and ``render`` prints
    every warning and error of the function's results (with the field path). Every generated object
    is strictly schema-valid.
    """
    result = run_text(require(FIELD_REPORTS / name), grove=grove)
    assert result.render_code == result.function_code
    if result.render_code == 0:
        printed = [o for o in result.items if not _is_local_config(o)]
        assert _docs(result.render_stdout, "render output") == printed, "render and the KRM function disagree"
    else:
        assert result.render_stdout == ""  # never half an output
    reported = [r for r in result.results if r["severity"] in ("error", "warning")]
    lines = result.render_stderr.splitlines()
    assert len(lines) == len(reported), result.render_stderr
    for r, line in zip(reported, lines, strict=True):
        assert f"[{r['severity']}]" in line and r["message"] in line and (r.get("field") or {}).get("path", "") in line
    problems = [p for obj in result.generated for p in k8s_validate.validate_object(obj)]
    assert not problems, "\n".join(problems)
    return result


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def main_container(spec: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in spec["containers"] if c["name"] == "main"]
    assert len(found) == 1, [c["name"] for c in spec["containers"]]
    return found[0]


def env(container: dict[str, Any]) -> dict[str, Any]:
    names = [e["name"] for e in container.get("env", [])]
    assert len(names) == len(set(names)), f"duplicate env names: {names}"
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def expanded(run_: Run) -> list[str]:
    return [r["message"] for r in run_.results if r["message"].startswith("expanded into ")]


# --- the collection itself ---------------------------------------------------------------------


TESTED = {
    "backend-ambiguous-command-explicit-framework.yaml",
    "embedded-unknown-field.yaml",
    "extrapodspec-false-and-zero.yaml",
    "frontend-dyn-deployment-config-reserialised.yaml",
    "grove-dyn-deployment-config.yaml",
    "grove-name-over-45.yaml",
    "lws-metadata-labels.yaml",
    "multinode-worker-user-probe.yaml",
    "probe-port-missing.yaml",
    "pvc-mounted-twice.yaml",
    "shm-user-mount-at-dev-shm.yaml",
    "yaml11-y-n-strings.yaml",
}


def test_every_file_has_a_test() -> None:
    """Every top-level report (the Grove functionConfig aside) has its test below."""
    require(FIELD_REPORTS)
    present = {p.name for p in FIELD_REPORTS.glob("*.yaml")} - {GROVE_CONFIG}
    assert present == TESTED


# --- one test per report -----------------------------------------------------------------------


def test_explicit_backend_beats_an_ambiguous_command(tmp_path: Path) -> None:
    """D30: the worker's command names vLLM and SGLang; `backendFramework: vllm` decides, no error."""
    r = run("backend-ambiguous-command-explicit-framework.yaml")
    assert r.function_code == 0 and r.findings() == []
    assert _names(r.generated) == [("Deployment", "b2-worker")]
    main = main_container(pod_spec(r.one("Deployment", "b2-worker")))
    assert main["command"] == ["/bin/sh", "-c"]
    assert main["args"] == ["python3 -m dynamo.vllm --model m || python3 -m dynamo.sglang --model-path m"]
    assert env(main)["DYN_SYSTEM_PORT"] == "9090" and main["resources"] == {"limits": {"nvidia.com/gpu": "1"}}
    # Without the explicit value the ambiguity stays an error (V21).
    text = (FIELD_REPORTS / "backend-ambiguous-command-explicit-framework.yaml").read_text(encoding="utf-8")
    bare = variant(tmp_path, "ambiguous-without-framework.yaml", text.replace("  backendFramework: vllm\n", ""))
    assert bare.function_code == 1 and bare.render_code == 1
    [(severity, path, message)] = bare.findings()
    assert severity == "error" and path is not None and path.startswith("spec.services.worker")
    assert "multiple backend frameworks" in message


def test_unknown_field_in_an_embedded_volume_mount_is_dropped() -> None:
    """D31: `workingDir` under `mainContainer.volumeMounts[0]` is not a VolumeMount field: dropped,
    with a warning naming its path; the mount itself is kept."""
    r = run("embedded-unknown-field.yaml")
    assert r.function_code == 0
    assert r.findings() == [
        ("warning", "spec.services.Worker.extraPodSpec.mainContainer.volumeMounts[0].workingDir",
         "unknown field `workingDir` is dropped (not part of a Kubernetes VolumeMount)"),
    ]
    worker = pod_spec(r.one("Deployment", "demo-passthrough-worker"))
    assert main_container(worker)["volumeMounts"] == [
        {"name": "llm-config", "readOnly": True, "mountPath": "/opt/dynamo/configs"},
        {"name": "shared-memory", "mountPath": "/dev/shm"},
    ]
    assert {"name": "llm-config", "configMap": {"name": "llm-config"}} in worker["volumes"]
    assert "workingDir" not in r.render_stdout
    assert "workingDir" not in yamlio.dump_all(r.generated)


def test_pointer_fields_keep_false_and_zero() -> None:
    """D29: pointer fields of the pod spec replace the default whatever their value."""
    r = run("extrapodspec-false-and-zero.yaml")
    assert r.function_code == 0 and r.findings() == []
    spec = pod_spec(r.one("Deployment", "b1-worker"))
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False
    assert spec["terminationGracePeriodSeconds"] == 0 and type(spec["terminationGracePeriodSeconds"]) is int
    assert "terminationGracePeriodSeconds: 0\n" in r.render_stdout
    assert "automountServiceAccountToken: false\n" in r.render_stdout
    assert "enableServiceLinks: false\n" in r.render_stdout


def test_frontend_deployment_config_is_written_as_go_writes_it() -> None:
    """A frontend's `DYN_DEPLOYMENT_CONFIG` is always re-serialised: compact, keys sorted, numbers
    as float64 are printed; a frontend with an entry gets its port."""
    r = run("frontend-dyn-deployment-config-reserialised.yaml")
    assert r.function_code == 0 and r.findings() == []
    first = env(main_container(pod_spec(r.one("Deployment", "f1-frontend"))))
    second = env(main_container(pod_spec(r.one("Deployment", "f1-frontend2"))))
    assert first["DYN_DEPLOYMENT_CONFIG"] == '{"Common":{"a":2,"b":1},"worker":{"ServiceArgs":{"workers":2}}}'
    assert second["DYN_DEPLOYMENT_CONFIG"] == '{"Frontend2":{"port":8000,"ratio":1}}'
    assert """value: '{"Frontend2":{"port":8000,"ratio":1}}'\n""" in r.render_stdout


def test_grove_mode_does_not_apply_the_deployment_config() -> None:
    """Grove: `DYN_DEPLOYMENT_CONFIG` passes unchanged (no port, replicas or resources from it),
    with a warning on `spec.envs`; the cliques are sorted by name."""
    r = run("grove-dyn-deployment-config.yaml", grove=True)
    assert r.function_code == 0
    assert r.findings() == [
        ("warning", "spec.envs",
         "DYN_DEPLOYMENT_CONFIG is not applied in Grove mode (the operator's Grove path never reads it): the value "
         "is passed on unchanged, and no replicas, resources or port come from it"),
    ]
    assert _names(r.generated) == [("Service", "g-frontend"), ("PodCliqueSet", "g")]
    cliques = r.one("PodCliqueSet", "g")["spec"]["template"]["cliques"]
    assert [c["name"] for c in cliques] == ["frontend", "worker"]
    value = '{"Frontend":{"port":1234},"worker":{"ServiceArgs":{"resources":{"cpu":"2"}}}}'
    frontend, worker = (main_container(c["spec"]["podSpec"]) for c in cliques)
    assert env(frontend)["DYN_DEPLOYMENT_CONFIG"] == value and env(worker)["DYN_DEPLOYMENT_CONFIG"] == value
    assert env(frontend)["DYN_HTTP_PORT"] == "8000" and frontend["ports"][0]["containerPort"] == 8000
    assert r.one("Service", "g-frontend")["spec"]["ports"][0]["port"] == 8000
    assert worker["resources"] == {"limits": {"nvidia.com/gpu": "1"}}
    assert [c["spec"]["replicas"] for c in cliques] == [1, 1]
    # The same DGD on LeaderWorkerSet (component mode) applies it: the worker gets cpu "2".
    lws = run("grove-dyn-deployment-config.yaml")
    lws_worker = main_container(pod_spec(lws.one("Deployment", "g-worker")))
    assert lws_worker["resources"]["requests"]["cpu"] == "2" and lws_worker["resources"]["limits"]["cpu"] == "2"


def test_grove_name_over_45_characters_is_an_error(tmp_path: Path) -> None:
    """D31: PodCliqueSet (33) + clique (16) = 49 > 45, Grove's webhook limit: an error naming the
    parts and their lengths; nothing is generated. The KrmDynamoConfig in the file selects Grove."""
    r = run("grove-name-over-45.yaml")
    assert r.function_code == 1
    assert r.findings() == [
        ("error", "spec.services.DecodeWorkerPool",
         'expected the Grove names that make up a pod name to have at most 45 characters together (Grove\'s webhook '
         'rejects the PodCliqueSet otherwise), got PodCliqueSet "a-very-long-graph-deployment-name" (33) + '
         'PodClique "decodeworkerpool" (16) = 49: shorten the graph name or the service name'),
    ]
    assert r.generated == [] and expanded(r) == []
    # Without the Grove setting the same DGD is a Deployment (the limit is Grove's).
    text = (FIELD_REPORTS / "grove-name-over-45.yaml").read_text(encoding="utf-8").split("\n---\n")[0] + "\n"
    lws = variant(tmp_path, "grove-name-over-45-lws.yaml", text)
    assert lws.function_code == 0 and lws.render_code == 0 and lws.findings() == []
    assert [o["metadata"]["name"] for o in lws.generated] == ["a-very-long-graph-deployment-name-decodeworkerpool"]


def test_leaderworkerset_object_labels() -> None:
    """The LeaderWorkerSet object carries the operator's label set (pod labels under the three base
    labels and `instance-id`, `extraPodMetadata.labels` included, no `nvidia.com/selector`) but not
    `role`, which D7 keeps on each template (the report's header expects the operator's
    `role: worker` there)."""
    r = run("lws-metadata-labels.yaml")
    assert r.function_code == 0 and r.findings() == []
    base = {
        "instance-id": "0",
        "nvidia.com/dynamo-component": "W",
        "nvidia.com/dynamo-component-type": "worker",
        "nvidia.com/dynamo-graph-deployment-name": "demo-lws-labels",
        "nvidia.com/dynamo-namespace": "dynamo-demo-lws-labels",
        "nvidia.com/metrics-enabled": "true",
        "team": "team-a",
    }
    lws = r.one("LeaderWorkerSet", "demo-lws-labels-w-0")
    assert lws["metadata"]["labels"] == base
    template = lws["spec"]["leaderWorkerTemplate"]
    pod = {**base, "nvidia.com/selector": "demo-lws-labels-w"}
    assert template["leaderTemplate"]["metadata"]["labels"] == {**pod, "role": "leader"}
    assert template["workerTemplate"]["metadata"]["labels"] == {**pod, "role": "worker"}
    assert r.one("PodGroup", "demo-lws-labels-w-0")["metadata"]["labels"] == {"instance-id": "0"}


def test_multinode_worker_loses_the_users_probe() -> None:
    """D28: the vLLM worker template has no probe (it only runs `ray start --block`); the leader
    keeps the user's startup probe; an info result names the probe removed."""
    r = run("multinode-worker-user-probe.yaml")
    assert r.function_code == 0
    assert r.findings() == [
        ("info", "spec.services.decode.extraPodSpec.mainContainer.startupProbe",
         "the user's `startupProbe` is removed from the worker pods of this multinode vllm service, as the operator "
         "does: a worker pod does not serve the probe; the leader keeps it (D28)"),
    ]
    template = r.one("LeaderWorkerSet", "demo-mn-probe-decode-0")["spec"]["leaderWorkerTemplate"]
    worker = main_container(template["workerTemplate"]["spec"])
    leader = main_container(template["leaderTemplate"]["spec"])
    assert worker["args"] == ["ray start --address=$(LWS_LEADER_ADDRESS):6379 --block"]
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & worker.keys()
    assert leader["startupProbe"] == {"httpGet": {"path": "/health", "port": 9090}, "timeoutSeconds": 10,
                                      "periodSeconds": 10, "failureThreshold": 600}
    assert leader["livenessProbe"]["httpGet"] == {"path": "/live", "port": "system"}
    assert leader["readinessProbe"]["httpGet"] == {"path": "/health", "port": "system"}


def test_default_probes_naming_a_removed_port_warn() -> None:
    """D32: the user's `ports` replace the default list; the default probes still name `system`
    (reproduced), and one warning on `ports` says so."""
    r = run("probe-port-missing.yaml")
    assert r.function_code == 0
    assert r.findings() == [
        ("warning", "spec.services.Worker.extraPodSpec.mainContainer.ports",
         'the default probes `livenessProbe`, `readinessProbe`, `startupProbe` check the port named "system", which '
         "`ports` no longer has (a `ports` list replaces the default one): the pod never becomes ready; add a port "
         'named "system" or set the probes yourself (D32)'),
    ]
    main = main_container(pod_spec(r.one("Deployment", "port-demo-worker")))
    assert main["ports"] == [{"name": "metrics", "containerPort": 9090}]
    assert [main[p]["httpGet"] for p in ("livenessProbe", "readinessProbe", "startupProbe")] == [
        {"path": "/live", "port": "system"}, {"path": "/health", "port": "system"}, {"path": "/live", "port": "system"}]


def test_claim_mounted_twice_is_one_volume() -> None:
    """D31: the same claim at two mount points is one pod volume and two mounts."""
    r = run("pvc-mounted-twice.yaml")
    assert r.function_code == 0 and r.findings() == []
    spec = pod_spec(r.one("Deployment", "pvc2-frontend"))
    assert spec["volumes"] == [
        {"name": "models", "persistentVolumeClaim": {"claimName": "models"}},
        {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}},
    ]
    assert main_container(spec)["volumeMounts"] == [
        {"name": "models", "mountPath": "/a"},
        {"name": "models", "mountPath": "/b"},
        {"name": "shared-memory", "mountPath": "/dev/shm"},
    ]
    assert not any(o["kind"] == "PersistentVolumeClaim" for o in r.generated)  # `create: false`


def test_users_own_dev_shm_mount_wins() -> None:
    """D31: the user's memory volume at `/dev/shm` is kept; the default `shared-memory` volume and
    mount are not added; a warning on the user's mount says so."""
    r = run("shm-user-mount-at-dev-shm.yaml")
    assert r.function_code == 0
    assert r.findings() == [
        ("warning", "spec.services.Worker.extraPodSpec.mainContainer.volumeMounts[0].mountPath",
         'a mount at "/dev/shm" is used instead of the default shared memory (volume "shared-memory" at '
         '"/dev/shm"): the default volume and mount are not added (the operator adds its own as well, and the API '
         "server rejects the duplicate) (D31)"),
    ]
    spec = pod_spec(r.one("Deployment", "shm-demo-worker"))
    assert spec["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "32Gi"}}]
    assert main_container(spec)["volumeMounts"] == [{"name": "dshm", "mountPath": "/dev/shm"}]
    assert "shared-memory" not in r.render_stdout


def test_yaml11_booleans_stay_quoted() -> None:
    """go-yaml v3 quoting: a string `y` is written `"y"` in both outputs (a ConfigMap passed through
    and a generated env value), so a YAML 1.1 reader such as kubectl reads a string, not `true`."""
    r = run("yaml11-y-n-strings.yaml")
    assert r.function_code == 0 and r.findings() == []
    assert env(main_container(pod_spec(r.one("Deployment", "yn-frontend"))))["ASSUME_YES"] == "y"
    (config_map,) = [o for o in r.items if o["kind"] == "ConfigMap"]
    assert config_map["data"] == {"a": "y"}
    for written in (r.render_stdout, r.function_stdout):
        lines = [line.strip() for line in written.splitlines()]
        assert 'a: "y"' in lines
        assert lines[lines.index("- name: ASSUME_YES") + 1] == 'value: "y"'
        assert not [line for line in lines if line.endswith((": y", ": n", ": Y", ": N"))]
