# SPDX-License-Identifier: Apache-2.0
"""What kpt shows of a run: each problem once, with its file and field path.

kustomize shows only a function's stderr, so the CLI prints every error and warning
there as well as returning it in ``results``. kpt prints both the results and the
stderr, so the same problem would appear twice, and its result line names the object
and the field but not the file. When kpt runs the function, the CLI therefore prints
nothing on stderr and names the file in the message of each error and warning.

kpt is recognised by what its function runner sends: items with a path annotation
(kpt reads files) and a kyaml id annotation (added by the runner). kustomize sends no
paths; ``kpt fn source | krm-dynamo`` sends no ids, and there stderr is all the user sees.
A run whose results hold no error or warning shows nothing either way: the CLI imports this
module only when there is a problem to show.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kio.results import INFO, PATH_ANNOTATIONS, Result, annotations_of

_ID_ANNOTATIONS = ("internal.config.kubernetes.io/id", "config.k8s.io/id")


def run_by_kpt(items: list[Any]) -> bool:
    """True when the items came through kpt's function runner (see the module docstring)."""
    for item in items:
        annotations = annotations_of(item)
        if any(annotations.get(k) for k in PATH_ANNOTATIONS) and any(k in annotations for k in _ID_ANNOTATIONS):
            return True
    return False


def with_files(results: list[Result]) -> list[Result]:
    """Errors and warnings with `` (file <path>)`` appended where the message lacks it."""
    out = []
    for result in results:
        file = result.file
        if result.severity == INFO or file is None or str(file["path"]) in result.message:
            out.append(result)
            continue
        where = str(file["path"]) + (f", document {file['index'] + 1}" if "index" in file else "")
        out.append(Result(f"{result.message} (file {where})", result.severity, result.resource,
                          result.field_path, result.line))
    return out
