# SPDX-License-Identifier: Apache-2.0
"""Ownership across renders (D33) and file names of generated objects, on the pure core.

Each test renders once, edits the input as a user would, and feeds the earlier output
back as kpt does (path annotations on every item); the e2e tests do the same with kpt.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo.core import expand
from krm_dynamo.ownership import GENERATED_FROM

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
PATH = "internal.config.kubernetes.io/path"


def _at(obj: dict[str, Any], path: str | None) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    if path is not None:
        annotations = obj["metadata"].setdefault("annotations", {})
        annotations[PATH] = annotations["config.kubernetes.io/path"] = path
    return obj


def dgd(name: str = "llm", namespace: str = "demo", services: tuple[str, ...] = ("Planner", "Worker"),
        path: str | None = "dgd.yaml", pvc: bool = False) -> dict[str, Any]:
    service = {"componentType": "planner", "extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    spec: dict[str, Any] = {"services": {s: copy.deepcopy(service) for s in services}}
    if pvc:
        spec["pvcs"] = [{"name": "cache", "create": True, "storageClass": "standard", "size": "1Gi",
                         "volumeAccessMode": "ReadWriteOnce"}]
    obj = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    return _at(obj, path)


def ids(items: list[Any]) -> list[tuple[str, str, str]]:
    return [(i["kind"], i["metadata"]["name"], i["metadata"].get("annotations", {}).get(PATH, "")) for i in items]


def generated(out: list[Any]) -> list[Any]:
    return [o for o in out if o["kind"] != "DynamoGraphDeployment"]


def messages(results: list[Any], severity: str) -> list[str]:
    return [r.message for r in results if r.severity == severity]


def rerender(new_graphs: list[Any], earlier: list[Any]) -> tuple[list[Any], list[Any]]:
    """The edited DGDs plus the earlier generated objects, as kpt reads the package again."""
    return expand([*new_graphs, *generated(earlier)])


def test_generated_objects_carry_the_marker_only_where_they_get_a_file():
    with_file, _ = expand([dgd()])
    assert [o["metadata"]["annotations"][GENERATED_FROM] for o in generated(with_file)] == ["demo/llm"] * 2
    without, _ = expand([dgd(path=None)])
    assert all("annotations" not in o["metadata"] for o in generated(without))  # kustomize: operator's bytes


def test_second_render_changes_nothing():
    first, _ = expand([dgd()])
    second, results = expand(first)
    assert second == first
    assert messages(results, "error") == messages(results, "warning") == []


def test_renamed_service_removes_the_old_workload():
    first, _ = expand([dgd()])
    out, results = rerender([dgd(services=("Planner", "Decode"))], first)
    assert ids(generated(out)) == [
        ("Deployment", "llm-planner", "deployment_llm-planner.yaml"),
        ("Deployment", "llm-decode", "deployment_llm-decode.yaml"),
    ]
    (removed,) = [r for r in results if r.message.startswith("removed")]
    assert removed.resource["metadata"]["name"] == "llm-worker"
    assert removed.message == 'removed from the output: the DynamoGraphDeployment "demo/llm" no longer generates it'
    assert removed.to_dict()["file"] == {"path": "deployment_llm-worker.yaml"}


def test_deleted_service_is_removed():
    first, _ = expand([dgd()])
    out, results = rerender([dgd(services=("Planner",))], first)
    assert ids(generated(out)) == [("Deployment", "llm-planner", "deployment_llm-planner.yaml")]
    assert len(messages(results, "info")) == 2  # the summary and the removal


def test_removed_graph_removes_everything_it_generated():
    first, _ = expand([dgd()])
    other = _at({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, "cm.yaml")
    out, results = expand([other, *generated(first)])
    assert out == [other]
    assert messages(results, "info") == [
        'removed from the output: the DynamoGraphDeployment "demo/llm" that generated it is no longer in the input'
    ] * 2


def test_renamed_graph_replaces_its_objects():
    first, _ = expand([dgd()])
    out, _ = rerender([dgd(name="big")], first)
    assert [i[1] for i in ids(generated(out))] == ["big-planner", "big-worker"]


def test_changed_namespace_moves_objects_and_reuses_the_files():
    first, _ = expand([dgd()])
    out, results = rerender([dgd(namespace="prod")], first)
    assert [(o["metadata"]["namespace"], o["metadata"]["annotations"][PATH]) for o in generated(out)] == [
        ("prod", "deployment_llm-planner.yaml"), ("prod", "deployment_llm-worker.yaml"),
    ]
    assert len([m for m in messages(results, "info") if m.startswith("removed")]) == 2


def test_pvc_is_never_removed():
    first, _ = expand([dgd(pvc=True)])
    assert ("PersistentVolumeClaim", "cache", "persistentvolumeclaim_cache.yaml") in ids(first)
    out, results = rerender([dgd()], first)
    assert ("PersistentVolumeClaim", "cache", "persistentvolumeclaim_cache.yaml") in ids(out)
    assert messages(results, "warning") == [
        'kept, although the DynamoGraphDeployment "demo/llm" no longer generates it: a PersistentVolumeClaim may '
        "hold data; delete it (file persistentvolumeclaim_cache.yaml) yourself once the data can go"
    ]


def test_hand_written_object_with_a_generated_name_is_an_error_naming_both_files():
    mine = _at({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "llm-worker", "namespace": "demo"}, "spec": {"replicas": 3}}, "mine.yaml")
    out, results = expand([dgd(), mine])
    (error,) = [r for r in results if r.severity == "error"]
    assert error.message == (
        'Deployment "demo/llm-worker" (file mine.yaml) has the name of an object that the DynamoGraphDeployment '
        '"demo/llm" (file dgd.yaml) generates, and was not generated by krm-dynamo; it must not be replaced: '
        "rename or remove this object, or rename the graph or the service"
    )
    assert error.field_path == "metadata.name"
    assert mine in out and generated(out) == [mine]  # the graph generates nothing
    assert not [r for r in results if r.message.startswith("expanded into")]  # and does not claim it did


def test_hand_written_object_of_another_version_of_the_group_is_an_error_too():
    """An ``autoscaling/v1`` HPA and the generated ``autoscaling/v2`` one are one object in a cluster."""
    graph = dgd(services=("Worker",))
    graph["spec"]["services"]["Worker"]["autoscaling"] = {"enabled": True, "minReplicas": 1, "maxReplicas": 2}
    mine = _at({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "llm-worker", "namespace": "demo"},
                "spec": {"maxReplicas": 5, "scaleTargetRef": {"kind": "Deployment", "name": "x"}}}, "hpa.yaml")
    out, results = expand([graph, mine])
    (error,) = [r for r in results if r.severity == "error"]
    assert error.message.startswith(
        'HorizontalPodAutoscaler "demo/llm-worker" (file hpa.yaml) has the name of an object')
    assert generated(out) == [mine]


def test_hand_written_object_is_an_error_without_files_too():
    """kustomize's transformer form sends no paths; a user's object is still never replaced."""
    mine = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "llm-worker", "namespace": "demo"}}
    _, results = expand([dgd(path=None), mine])
    assert "(no file: it came without a path annotation)" in messages(results, "error")[0]


def test_unmarked_copy_equal_to_the_generated_object_is_adopted():
    """Output of a version before the marker, or `kustomize build` output fed back."""
    first, _ = expand([dgd()])
    old = copy.deepcopy(generated(first))
    for obj in old:
        del obj["metadata"]["annotations"][GENERATED_FROM]
    out, results = expand([dgd(), *old])
    assert out == first
    assert messages(results, "error") == []


def test_same_graph_name_in_two_namespaces_gets_distinct_files_stable_across_renders():
    graphs = [dgd(namespace="a", services=("Planner",)), dgd(namespace="b", services=("Planner",))]
    first, results = expand(graphs)
    assert messages(results, "error") == []
    assert [i[2] for i in ids(generated(first))] == ["deployment_llm-planner.yaml", "deployment_b_llm-planner.yaml"]
    second, _ = expand(first)
    assert second == first
    swapped, _ = expand([first[2], first[3], first[0], first[1]])  # the files keep their objects
    assert sorted(map(str, ids(generated(swapped)))) == sorted(map(str, ids(generated(first))))


def test_a_users_file_of_that_name_is_never_shared():
    theirs = _at({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, "deployment_llm-planner.yaml")
    out, _ = expand([theirs, dgd(services=("Planner",))])
    assert ids(generated(out))[1:] == [("Deployment", "llm-planner", "deployment_demo_llm-planner.yaml")]


def test_render_removes_stale_objects_and_prints_no_marker(tmp_path):
    """`krm-dynamo render DIR` on a kpt package (as Argo CD runs it) applies the same rules."""
    import io

    import yaml

    from krm_dynamo.cli import run_render

    (tmp_path / "deployment_llm-planner.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: llm-planner\n  namespace: demo\n"
        f"  annotations:\n    {GENERATED_FROM}: demo/llm\nspec: {{}}\n"
    )
    (tmp_path / "deployment_llm-gone.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: llm-gone\n  namespace: demo\n"
        f"  annotations:\n    {GENERATED_FROM}: demo/llm\nspec: {{}}\n"
    )
    (tmp_path / "dgd.yaml").write_text(yaml.safe_dump(dgd(path=None, services=("Planner",))))
    out, err = io.StringIO(), io.StringIO()
    assert run_render([str(tmp_path)], out, err) == 0, err.getvalue()
    objs = list(yaml.safe_load_all(out.getvalue()))
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [("Deployment", "llm-planner")]
    assert "annotations" not in objs[0]["metadata"]
    assert "deployment_llm-gone.yaml" not in err.getvalue()  # an info result: not printed by render


def test_a_failing_graph_leaves_its_earlier_output_alone():
    """An error in the DGD: nothing is generated, and nothing it generated before is called stale."""
    first, _ = expand([dgd()])
    broken = dgd()
    broken["spec"]["services"]["Worker"]["replicas"] = "two"
    out, results = expand([broken, *generated(first)])
    assert messages(results, "error") != []
    assert not [m for m in messages(results, "info") if m.startswith("removed")]
    assert generated(out) == generated(first)
