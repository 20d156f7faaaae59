# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain FILE``: the options, the table set, and the output form.

The table set comes from the one selector rendering uses (:func:`krm_dynamo.defaults.for_release`);
``--operator-version V`` selects it, and is passed to rendering as the ``operatorVersion``
setting when the settings table has that row.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults, diagram, explain_output
from krm_dynamo.config import DEFAULTS, load_config
from krm_dynamo.explain_file import ExplainFileError, explain_file
from krm_dynamo.provenance import read_inputs, render

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


def run(paths: list[str], options: dict[str, str], function_config: dict[str, Any] | None,
        config_path: str | None) -> str:
    """The text ``explain FILE`` prints.

    Raises:
        ExplainFileError: unknown operator version, an input with errors, filters matching nothing.
        InputError: a file cannot be read.
    """
    version = options.get("operator-version")
    if version:
        function_config = _with_version(function_config, version)
    inputs = read_inputs(paths, function_config, config_path)
    cfg, _ = load_config(function_config, inputs.items)
    version = version or getattr(cfg, "operatorVersion", "") or defaults.DEFAULT_RELEASE  # the one rendering uses
    try:
        table = defaults.for_release(version)
    except defaults.UnknownReleaseError as exc:
        raise ExplainFileError(f"explain: {exc}") from None
    output = options.get("output", "text")
    if output == "mermaid":
        rendered = render(inputs.items, function_config)
        if rendered is None:
            raise ExplainFileError("explain: the input has errors and renders nothing (run `krm-dynamo render`)")
        return diagram.mermaid(rendered, {"natsServer": cfg.natsServer, "etcdEndpoints": cfg.etcdEndpoints})
    document = explain_file(inputs, table, service=options.get("service"), object_name=options.get("object"),
                            field=options.get("field"))
    if output == "json":
        return explain_output.as_json(document)
    if output == "yaml":
        rendered = render(inputs.items, function_config)
        return explain_output.as_yaml(document, rendered.objects if rendered else [])
    return explain_output.as_text(document)
