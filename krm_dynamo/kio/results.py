# SPDX-License-Identifier: Apache-2.0
"""KRM ``Result`` values: what the function tells the orchestrator and the user.

Every problem a user can cause becomes a :class:`Result` (never an exception
that escapes): the orchestrator gets it in ``results``, and because kustomize
shows only stderr, the CLI also prints it there with :meth:`Result.line_text`.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from krm_dynamo.kio.display import escape

ERROR = "error"
WARNING = "warning"
INFO = "info"

# Order used when results are sorted for output: errors first.
_SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}

# Annotations that tell where an item came from (kpt sends both twins, kustomize only the index).
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")
INDEX_ANNOTATIONS = ("internal.config.kubernetes.io/index", "config.kubernetes.io/index")
# kustomize drops such objects from its build output; kpt keeps them on disk, never applies them.
LOCAL_CONFIG = "config.kubernetes.io/local-config"


class Result:
    """One entry of ``ResourceList.results`` (KRM functions specification).

    Attributes:
        message: what was expected and what was found, in kpt's error style.
        severity: ``error``, ``warning`` or ``info``; any error means exit code 1.
        resource: the item the result is about (its ``resourceRef`` and ``file``
            are derived from it), or None for a result about the whole run.
        field_path: dotted path inside that item, e.g.
            ``spec.services.VllmDecodeWorker.multinode.nodeCount``.
        line: line of the field in the source file, when known (``render`` mode).
    """

    __slots__ = ("field_path", "line", "message", "resource", "severity")

    def __init__(
        self,
        message: str,
        severity: str = ERROR,
        resource: dict[str, Any] | None = None,
        field_path: str | None = None,
        line: int | None = None,
    ) -> None:
        # A plain class, not a dataclass: the no-DGD path must not pay for dataclasses.
        # User text (values, keys in the path) is escaped here, once: one problem, one line.
        self.message = escape(message)
        self.severity = severity
        self.resource = resource
        self.field_path = escape(field_path) if field_path is not None else None
        self.line = line

    def _key(self) -> tuple[str, str, str | None, int | None]:
        return (self.message, self.severity, self.field_path, self.line)

    def __eq__(self, other: object) -> bool:
        """Equal in what they say; the item they are about is not compared."""
        if not isinstance(other, Result):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Result(message={self.message!r}, severity={self.severity!r}, "
            f"field_path={self.field_path!r}, line={self.line!r})"
        )

    def with_line(self, line: int | None) -> Result:
        """The same result, pointing at ``line`` of its file."""
        return Result(self.message, self.severity, self.resource, self.field_path, line)

    @property
    def resource_ref(self) -> dict[str, str] | None:
        """``resourceRef`` of the item, as the specification spells it."""
        if not isinstance(self.resource, dict):
            return None
        meta = self.resource.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        ref = {
            "apiVersion": str(self.resource.get("apiVersion", "")),
            "kind": str(self.resource.get("kind", "")),
            "name": str(meta.get("name", "")),
        }
        if meta.get("namespace"):
            ref["namespace"] = str(meta["namespace"])
        return ref

    @property
    def file(self) -> dict[str, Any] | None:
        """``file`` of the result: the source path and document index of the item."""
        annotations = annotations_of(self.resource)
        path = next((annotations[k] for k in PATH_ANNOTATIONS if annotations.get(k)), None)
        if path is None:
            return None
        out: dict[str, Any] = {"path": str(path)}
        index = next((annotations[k] for k in INDEX_ANNOTATIONS if k in annotations), None)
        if index not in (None, "", "0", 0):
            with suppress(TypeError, ValueError):  # an index that is not a number is left out
                out["index"] = int(index)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The wire form, with only the keys that have a value."""
        out: dict[str, Any] = {"message": self.message, "severity": self.severity}
        ref = self.resource_ref
        if ref is not None:
            out["resourceRef"] = ref
            if self.field_path:
                out["field"] = {"path": self.field_path}
        file = self.file
        if file is not None:
            out["file"] = file
        return out

    def line_text(self) -> str:
        """One readable line for stderr, in kpt's console style plus the file.

        ``path/to/dgd.yaml:12: [error] nvidia.com/v1alpha1/DynamoGraphDeployment/ns/llm spec.x: message``
        """
        parts = []
        file = self.file
        if file is not None:
            where = file["path"]
            if self.line is not None:
                where += f":{self.line}"
            parts.append(where + ":")
        parts.append(f"[{self.severity}]")
        ref = self.resource_ref
        if ref is not None and any(ref.values()):  # an object without apiVersion, kind or name: none
            ident = "/".join(
                p for p in (ref["apiVersion"], ref["kind"], ref.get("namespace", ""), ref["name"]) if p
            )
            parts.append(ident if self.field_path else ident + ":")
        if self.field_path:
            parts.append(self.field_path + ":")
        parts.append(self.message)
        return escape(" ".join(parts))  # names and file paths come from the user too


def has_errors(results: list[Result]) -> bool:
    """True when any result is an error: the run must exit 1."""
    return any(r.severity == ERROR for r in results)


def sort_key(result: Result) -> tuple[str, int, int]:
    """Order for output: by file, then severity; a stable sort keeps the order of discovery within."""
    file = result.file or {}
    return (file.get("path", ""), file.get("index", 0), _SEVERITY_RANK.get(result.severity, 3))


def annotations_of(resource: object) -> dict[str, Any]:
    """The annotations of an item, or {} where it has none (or they are not a mapping)."""
    if not isinstance(resource, dict):
        return {}
    meta = resource.get("metadata")
    if not isinstance(meta, dict):
        return {}
    annotations = meta.get("annotations")
    return annotations if isinstance(annotations, dict) else {}
