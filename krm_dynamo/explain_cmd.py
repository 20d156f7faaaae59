# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain FILE``: the options, the table set, and the output form.

The table set comes from the one selector rendering uses (:func:`krm_dynamo.defaults.for_release`);
``--operator-version V`` selects it, and is passed to rendering as the ``operatorVersion``
setting when the settings table has that row.
"""

from __future__ import annotations

from typing import Any, TextIO

from krm_dynamo import defaults, diagram, explain_output
from krm_dynamo.config import DEFAULTS, load_config
from krm_dynamo.explain_file import ExplainFileError, NoMatchError, explain_file, field_selected, selected
from krm_dynamo.kio.results import has_errors
from krm_dynamo.provenance import Inputs, read_inputs, render

__all__ = ["ExplainFileError", "run"]


def _with_version(function_config: dict[str, Any] | None, version: str) -> dict[str, Any] | None:
    """The functionConfig with ``operatorVersion`` set, when that setting exists."""
    if "operatorVersion" not in DEFAULTS:
        return function_config
    if function_config is None:
        return {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "operatorVersion": version}
    if function_config.get("kind") == "ConfigMap":
        return {**function_config, "data": {**(function_config.get("data") or {}), "operatorVersion": version}}
    return {**function_config, "operatorVersion": version}


def check(inputs: Inputs, function_config: dict[str, Any] | None, stderr: TextIO | None) -> None:
    """Print the errors and warnings of rendering ``inputs`` on ``stderr`` (when given), the lines
    ``render`` prints (``file:line: [severity] resource field: message``).

    Raises:
        ExplainFileError: the input has an error (it renders nothing, so nothing is explained).
    """
    from krm_dynamo import core
    from krm_dynamo.cli import report
    from krm_dynamo.commands import in_file_order, with_line

    _, results = core.expand(inputs.items, function_config)
    results = [with_line(r, inputs.nodes) for r in results]
    if stderr is not None:
        report(in_file_order(results, inputs.items), stderr)  # in render's order
    if has_errors(results):
        raise ExplainFileError("explain: the input has errors (above), so it renders nothing to explain")


def _later_release_matching(inputs: Inputs, function_config: dict[str, Any] | None, release: str,
                            filters: dict[str, str | None]) -> str | None:
    """The first release after ``release`` whose render has an object (and leaf) the filters
    select, as a field of a later release names it: one plain render per later release."""
    from krm_dynamo.defaults.catalog import release_key
    from krm_dynamo.leaves import flatten, format_path

    for later in defaults.RELEASES:
        if release_key(later) <= release_key(release) or "operatorVersion" not in DEFAULTS:
            continue
        rendered = render(inputs.items, _with_version(function_config, later))
        for obj in rendered.objects if rendered else []:
            if selected(obj, filters["service"], filters["object_name"]) and any(
                    field_selected(format_path(path), filters["field"]) for path in flatten(obj)):
                return later
    return None


def run(paths: list[str], options: dict[str, str], function_config: dict[str, Any] | None,
        config_path: str | None, stderr: TextIO | None = None, config_nodes: dict[int, Any] | None = None) -> str:
    """The text ``explain FILE`` prints; the render's errors and warnings go to ``stderr`` (:func:`check`),
    a ``--function-config`` file's with their lines when ``config_nodes`` holds its line map (as
    :func:`krm_dynamo.commands.read_function_config` fills it).

    Raises:
        ExplainFileError: unknown operator version, an input with errors, filters matching nothing.
        InputError: a file cannot be read.
    """
    version = options.get("operator-version")
    read = function_config
    if version:
        function_config = _with_version(function_config, version)
    inputs = read_inputs(paths, function_config, config_path)
    node = (config_nodes or {}).get(id(read))
    if node is not None and function_config is not None:
        inputs.nodes[id(function_config)] = node  # the settings as read, or their copy with the version set
    cfg, _ = load_config(function_config, inputs.items)
    version = version or getattr(cfg, "operatorVersion", "") or defaults.DEFAULT_RELEASE  # the one rendering uses
    try:
        table = defaults.for_release(version)
    except defaults.UnknownReleaseError as exc:
        raise ExplainFileError(f"explain: {exc}") from None
    check(inputs, function_config, stderr)
    output = options.get("output", "text")
    if output == "mermaid":
        rendered = render(inputs.items, function_config)
        assert rendered is not None  # check() raised for an input with errors
        return diagram.mermaid(rendered, {"natsServer": cfg.natsServer, "etcdEndpoints": cfg.etcdEndpoints})
    filters = {"service": options.get("service"), "object_name": options.get("object"), "field": options.get("field")}
    try:
        document = explain_file(inputs, table, **filters)
    except NoMatchError as exc:
        later = _later_release_matching(inputs, function_config, table.release, filters)
        if later is None:
            raise
        raise ExplainFileError(f"{exc}; operator {later} generates it: add --operator-version {later}") from None
    if output == "json":
        return explain_output.as_json(document)
    if output == "yaml":
        rendered = render(inputs.items, function_config)
        return explain_output.as_yaml(document, rendered.objects if rendered else [])
    return explain_output.as_text(document)
