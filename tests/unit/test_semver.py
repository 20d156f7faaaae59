"""kube/semver: the operator's lenient parse and the strict option."""

import pytest

from krm_dynamo.kube import semver


@pytest.mark.parametrize("text", ["1.0.0", "v1.0", "1", "1.0.0-rc.1", "1.0.0+build.7", "01.2.3", "1.02"])
def test_lenient_accepts(text):
    assert semver.is_valid(text)


@pytest.mark.parametrize("text", ["", "x", "1.0.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1..0"])
def test_lenient_refuses(text):
    assert not semver.is_valid(text)


@pytest.mark.parametrize(("text", "valid"), [("1.0.0", True), ("v1.0", True), ("1.0.0-rc.1", True),
                                             ("01.2.3", False), ("1.02", False), ("1.0.00", False),
                                             ("0.0.0", True), ("1.0.0-0", True), ("1.0.0-01", False)])
def test_strict_refuses_leading_zeros(text, valid):
    assert semver.is_valid(text, strict=True) is valid


def test_order_and_leading_zeros_compare_as_numbers():
    assert semver.parse("01.2.3") == semver.parse("1.2.3")
    assert semver.at_least("1.0.0", "1.0.0-rc.1")
    assert not semver.at_least("1.0.0-rc.1", "1.0.0")
    assert semver.at_least("1.0.0-rc.10", "1.0.0-rc.9")
    assert not semver.at_least(None, "1.0.0")
