"""Every registered strategy against every conformance check (nondiff.conformance)."""

import pytest

from nondiff import registry
from nondiff.conformance import conformance_space, strategy_checks


@pytest.fixture(scope="module")
def space():
    return conformance_space()


@pytest.mark.parametrize("check", [c for _, c in strategy_checks()],
                         ids=[n for n, _ in strategy_checks()])
@pytest.mark.parametrize("name", registry.names())
def test_conformance(name, check, space):
    check(name, space)
