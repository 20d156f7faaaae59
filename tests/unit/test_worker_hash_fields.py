"""The worker hash's later fields (defaults/multinode.py) and the API's release marks agree."""

from krm_dynamo import defaults
from krm_dynamo.api import releases
from krm_dynamo.api.v1alpha1 import DynamoComponentDeploymentSharedSpec
from krm_dynamo.defaults.catalog import release_key


def test_later_fields_are_the_service_fields_after_the_first_hashing_release():
    """A service field the 1.0 CRD lacks is left out of the 1.0 hash: ``later_fields`` lists exactly
    the service fields marked ``_since`` a release after the first one with a worker hash, with
    that release."""
    hashing = sorted((r for r, t in defaults.RELEASES.items() if t.worker_hash is not None), key=release_key)
    first = hashing[0]
    marked = {}
    for name in DynamoComponentDeploymentSharedSpec.model_fields:
        found = releases.since(DynamoComponentDeploymentSharedSpec, name)
        if found is not None and release_key(found[0]) > release_key(first):
            marked[name] = found[0]
    for release in hashing:
        spec = defaults.for_release(release).worker_hash
        assert spec is not None
        assert dict(spec.later_fields) == marked, release
