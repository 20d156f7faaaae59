# SPDX-License-Identifier: Apache-2.0
"""The core's placement rules: where generated objects go and what replaces what."""

import copy

from krm_dynamo.core import expand

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"


def dgd(path: str | None = "demo/dgd.yaml") -> dict:
    annotations = {"internal.config.kubernetes.io/path": path, "config.kubernetes.io/path": path} if path else {}
    return {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "llm", "namespace": "demo", "annotations": annotations},
        "spec": {"services": {"Planner": {"componentType": "planner", "extraPodSpec": {"mainContainer": {"image": IMAGE}}}}},
    }


def test_generated_object_gets_a_file_beside_its_dgd():
    """Under kpt a new object is written to `<kind>_<name>.yaml` next to the DGD's file."""
    out, _ = expand([dgd()])
    assert [o["kind"] for o in out] == ["DynamoGraphDeployment", "Deployment"]
    assert out[1]["metadata"]["annotations"] == {
        "config.kubernetes.io/index": "0",
        "config.kubernetes.io/path": "demo/deployment_llm-planner.yaml",
        "internal.config.kubernetes.io/index": "0",
        "internal.config.kubernetes.io/path": "demo/deployment_llm-planner.yaml",
        "krm-dynamo.dev/generated-from": "demo/llm",
    }


def test_earlier_outputs_are_replaced_all_copies_and_keep_their_annotations():
    """Two stale copies of a generated object: both go, the new one inherits the first's file and id."""
    first, _ = expand([dgd()])
    stale = copy.deepcopy(first[1])
    stale["spec"]["replicas"] = 7
    stale["metadata"]["annotations"]["internal.config.kubernetes.io/path"] = "demo/moved.yaml"
    stale["metadata"]["annotations"]["config.kubernetes.io/path"] = "demo/moved.yaml"
    stale["metadata"]["annotations"]["internal.config.kubernetes.io/id"] = "2"
    copy_two = copy.deepcopy(stale)
    copy_two["metadata"]["annotations"]["internal.config.kubernetes.io/id"] = "3"
    out, _ = expand([first[0], stale, copy_two])
    assert [o["kind"] for o in out] == ["DynamoGraphDeployment", "Deployment"]
    assert "replicas" not in out[1]["spec"]
    assert out[1]["metadata"]["annotations"]["internal.config.kubernetes.io/path"] == "demo/moved.yaml"
    assert out[1]["metadata"]["annotations"]["internal.config.kubernetes.io/id"] == "2"


def test_config_object_among_items_is_read_and_marked_local():
    """A KrmDynamoConfig among the items configures the run and is never applied."""
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "natsServer": "nats://nats:4222"}
    out, results = expand([config, dgd(path=None)])
    assert out[0] == {**config, "metadata": {"name": "c", "annotations": {"config.kubernetes.io/local-config": "true"}}}
    env = out[2]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "NATS_SERVER", "value": "nats://nats:4222"} in env
    assert [r.message for r in results] == ["expanded into 1 Deployment"]


def test_same_dgd_twice_is_an_error_and_generates_once():
    """The second copy of a graph would own the same objects: it is reported, the first expands."""
    out, results = expand([dgd(), dgd()])
    assert [o["kind"] for o in out] == ["DynamoGraphDeployment", "Deployment", "DynamoGraphDeployment"]
    errors = [(r.field_path, r.message) for r in results if r.severity == "error"]
    assert errors == [
        (
            "metadata.name",
            'generates Deployment "demo/llm-planner", which the DynamoGraphDeployment "demo/llm" '
            "(file demo/dgd.yaml) earlier in the input also generates; object names must be unique (rename the graph or the service)",
        )
    ]


def test_an_item_that_is_no_object_is_named_by_its_yaml_type():
    """Each item that is no mapping is one error naming its index and what it is, in YAML's words."""
    items, results = expand([1, "x", [1], None, True, 1.5, b"\x00"], {})
    assert items == [1, "x", [1], None, True, 1.5, b"\x00"]
    assert [(r.message, r.severity) for r in results] == [
        (f"`items[{i}]` must be a KRM object (a mapping), got {found}", "error")
        for i, found in enumerate(["an integer", "a string", "a list", "a null", "a boolean", "a number", "a binary"])
    ]
