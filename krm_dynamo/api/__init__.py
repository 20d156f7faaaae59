# SPDX-License-Identifier: Apache-2.0
"""The DGD API (``nvidia.com/v1alpha1``): models, parsing with results, and the JSON Schema.

* :mod:`~krm_dynamo.api.v1alpha1`: the spec's types, named and described as in the operator API;
* :mod:`~krm_dynamo.api.scalars`: quantities, int32 and the backend enum those types use;
* :mod:`~krm_dynamo.api.parse`: a spec into a model, every problem a result with its field path;
* :mod:`~krm_dynamo.api.messages`: the words of those results (no pydantic);
* :mod:`~krm_dynamo.api.schema`: ``krm-dynamo schema``, the JSON Schema made from the models;
* :mod:`~krm_dynamo.api.fastparse`: the parse of a plainly valid spec without pydantic, along the
  field tables of :mod:`~krm_dynamo.api.v1alpha1_light` (generated from the models by
  :mod:`~krm_dynamo.api.codegen`) into plain objects.

* :mod:`~krm_dynamo.api.shapes`: the JSON Schema shapes of the 1.x fields the models keep as
  written, read by the schema and by those fields' rules (their known keys and enums).

:mod:`messages`, :mod:`fastparse`, :mod:`shapes` and :mod:`v1alpha1_light` are light; the others
import pydantic, so they are imported only for invalid input (or when ``schema`` runs). A valid DGD
loads only :mod:`fastparse` and :mod:`v1alpha1_light`: :mod:`messages` is imported where
a problem is worded.
"""
