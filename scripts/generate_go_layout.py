# SPDX-License-Identifier: Apache-2.0
"""Generate ``krm_dynamo/kube/golayout.json``: the operator's service spec Go types and CRD defaults.

    python scripts/generate_go_layout.py OPERATOR_MODULE_DIR CRD_FILE

``OPERATOR_MODULE_DIR`` is a Go module holding the operator's ``api/v1alpha1`` package (the
module ``github.com/ai-dynamo/dynamo/deploy/operator`` of the v1.1.0 cut, with the Kubernetes
libraries it pins); ``go_layout/main.go`` is copied into it as ``cmd/golayout`` and run: it
walks ``DynamoComponentDeploymentSharedSpec`` (and ``PodSpec``) by reflection and prints each
struct's fields in declaration order with their JSON names and ``omitempty`` (``"zero"`` with
``omitzero``). ``CRD_FILE`` is the ``DynamoGraphDeployment`` CRD of the same cut: every
``default`` under a service's schema is listed by its path. The v1.0.0 cut gives the same
layout without the four service fields 1.1 adds (and their defaults): the 1.0 profile prunes
those (``later_fields`` of the worker-hash row), so one layout serves both releases. The
result is data for :mod:`krm_dynamo.kube.gostruct` (M01).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).resolve().parent.parent / "krm_dynamo" / "kube" / "golayout.json"


def crd_defaults(crd_file: Path) -> dict[str, Any]:
    crd = yaml.safe_load(crd_file.read_text(encoding="utf-8"))
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    out: dict[str, Any] = {}

    def walk(schema: dict[str, Any], path: str) -> None:
        if "default" in schema:
            out[path] = schema["default"]
        for key, sub in (schema.get("properties") or {}).items():
            walk(sub, f"{path}.{key}" if path else key)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], path + "[]")
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], path + "{}")

    walk(spec["properties"]["services"]["additionalProperties"], "")
    return dict(sorted(out.items()))


def main() -> None:
    module, crd_file = Path(sys.argv[1]), Path(sys.argv[2])
    target = module / "cmd" / "golayout"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).parent / "go_layout" / "main.go", target / "main.go")
    layout = json.loads(subprocess.run(["go", "run", "./cmd/golayout"], cwd=module, check=True,
                                       capture_output=True, text=True).stdout)
    layout["crdDefaults"] = crd_defaults(crd_file)
    OUTPUT.write_text(json.dumps(layout, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
