# SPDX-License-Identifier: Apache-2.0
"""Items that look like a DynamoGraphDeployment or a settings object but are not read: what the user is told.

:func:`krm_dynamo.core.expand` expands only the (apiVersion, kind) pairs it knows; every other
item passes through unchanged. A misspelled kind or group would pass through without a word,
and reach the cluster as an object no operator reconciles, so such an item gets a result here:

* the DGD's kind in its group, of a version the function does not know: an error (a later
  version is never guessed at);
* the DGD's kind in another group (``nvidia.con/v1alpha1``, ``v1alpha1``): a warning;
* a kind of the DGD's group that is no kind of that group and is close to the DGD's kind
  (a letter or two off, or another case): a warning with ``did you mean``;
* a settings object (:mod:`krm_dynamo.config`) with another kind or apiVersion than its own: a
  warning, as its settings are not read.

Warnings only, never errors, for the last two: the item may be a resource the function does not
know, and it still passes through unchanged. :mod:`krm_dynamo.core` imports this module only for
an item of the DGD's kind or group that it does not expand, or a settings object's kind or apiVersion
without the other: a run without one never pays for it.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.config import CONFIG_API_VERSION, CONFIG_KIND
from krm_dynamo.core import DGD_GROUP, DGD_KIND, EXPANDERS
from krm_dynamo.kio.results import ERROR, WARNING, Result

# The kinds of the nvidia.com group that the Dynamo operator defines (one CRD each): never a
# misspelling, whatever the distance. A kind far from the DGD's is never one either (MAX_EDITS), so a
# CRD added later does not need a row to stay silent.
GROUP_KINDS = frozenset({
    "DynamoGraphDeployment",  # operator 0.6 on
    "DynamoComponentDeployment",  # operator 0.6 on
    "DynamoModel",  # operator 1.0 on
    "DynamoGraphDeploymentRequest",  # operator 1.0 on
    "DynamoGraphDeploymentScalingAdapter",  # operator 1.0 on (catalogued A02)
    "DynamoCheckpoint",  # operator 1.0 on
    "DynamoWorkerMetadata",  # operator 1.0 on
})

# A kind this many single-letter edits (insert, delete, replace) from the DGD's, or the DGD's in
# another case, is taken for a misspelling of it: a typo is a letter or two, while the group's
# other kinds differ by a word (``DynamoGraphDeploymentRequest`` is 7 edits away).
MAX_EDITS = 2

_PASSES = "the object passes through unchanged, nothing is generated for it"
_UNREAD = "its settings are not read and the object passes through unchanged"


def check(item: dict[str, Any], api_version: str, kind: str, results: list[Result]) -> None:
    """Append to ``results`` what an item the core does not expand, of the DGD's kind or group, is told
    (see the module docstring); nothing for an item of the group that is no lookalike."""
    group = api_version.rpartition("/")[0]
    if api_version == CONFIG_API_VERSION:
        results.append(Result(
            f'kind "{kind}" is not a kind of {CONFIG_API_VERSION} (did you mean {CONFIG_KIND}?); {_UNREAD}',
            WARNING, item, "kind"))
    elif kind == CONFIG_KIND:
        results.append(Result(
            f'the apiVersion of a {CONFIG_KIND} is "{CONFIG_API_VERSION}", not "{api_version}"; {_UNREAD}',
            WARNING, item, "apiVersion"))
    elif kind == DGD_KIND and group == DGD_GROUP:
        supported = ", ".join(f'"{v}"' for v, k in EXPANDERS if k == kind)
        results.append(Result(
            f'apiVersion "{api_version}" is not supported for kind "{kind}"; supported: {supported}',
            ERROR, item, "apiVersion"))
    elif kind == DGD_KIND:
        expected = " or ".join(f'"{v}"' for v, k in EXPANDERS if k == kind)
        results.append(Result(
            f'the apiVersion of a {DGD_KIND} is {expected}, not "{api_version}"; {_PASSES}',
            WARNING, item, "apiVersion"))
    elif group == DGD_GROUP and kind not in GROUP_KINDS and _close(kind, DGD_KIND):
        results.append(Result(
            f'kind "{kind}" is not a kind of {DGD_GROUP} (did you mean {DGD_KIND}?); {_PASSES}',
            WARNING, item, "kind"))


def _close(word: str, target: str) -> bool:
    """True when ``word`` is ``target`` in another case, or at most MAX_EDITS edits from it."""
    if word.lower() == target.lower():
        return True
    return abs(len(word) - len(target)) <= MAX_EDITS and edit_distance(word, target) <= MAX_EDITS


def edit_distance(a: str, b: str) -> int:
    """The Levenshtein distance: the fewest single-character inserts, deletes and replacements
    that turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]
