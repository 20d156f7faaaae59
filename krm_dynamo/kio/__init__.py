# SPDX-License-Identifier: Apache-2.0
"""The function's edge: YAML with kyaml's meaning, the ResourceList, results and how messages show values.

``yamlio`` (read and write YAML) builds on ``scalars`` (what a scalar means to go-yaml v3,
when text needs quotes) and ``loader`` (events to values, bounded); what only some runs need
is apart: ``yamlerrors`` (the message for broken YAML), ``tags`` (scalars with an explicit
tag), ``lines`` (where a field was written, for ``render``) and ``parts`` (output written a
few documents at a time); ``limits`` holds every bound; ``files`` reads bounded input and
writes complete output; ``sources`` turns ``render``'s files into KRM objects; ``resourcelist``,
``results`` and ``display`` are the wire format, the results and the words messages use.

Nothing here knows a DynamoGraphDeployment; every module is cheap to import (no pydantic).
"""
