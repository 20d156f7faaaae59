# SPDX-License-Identifier: Apache-2.0
"""One DGD from input to valid, derived values: parse -> derive -> validate.

* :mod:`.validation`: the strict parse of the spec (salvaged on failure) and the run of every rule;
* :mod:`.derive`: every per-service value computed once (:class:`.component.Component`);
* :mod:`.rules`: the cross-field rules, one home each, grouped by concern;
* :mod:`.backend`: backend framework resolution; :mod:`.discovery`: lookups in the ResourceList;
* :mod:`.report`: the results of one DGD.

The builders (:mod:`krm_dynamo.render`) read the derived values once no rule reported an error.
"""
