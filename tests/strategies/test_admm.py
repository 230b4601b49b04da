"""The ADMM front door: options fixed and validated at construction, the same answer as the
function form, the re-exported names, and the doctests of the ADMM modules."""

import doctest
import importlib

import numpy as np
import pytest

import strategies.admm as front
from nondiff.admm import admm


def test_front_door_matches_the_function_form():
    rng = np.random.default_rng(0)
    D, b = rng.standard_normal((20, 8)), rng.standard_normal(20)
    solver = front.ADMM(alpha=1.5, eps_abs=1e-9, eps_rel=1e-9)
    a = solver.minimize(front.LeastSquares(D, b), front.L1(0.5))
    c = admm(front.LeastSquares(D, b), front.L1(0.5), alpha=1.5, eps_abs=1e-9, eps_rel=1e-9)
    np.testing.assert_array_equal(a.z, c.z)
    assert a.nit == c.nit and a.stop_reason == "converged"
    again = solver.minimize(front.LeastSquares(D, b), front.L1(0.5), warm_start=a)
    assert again.nit <= 2


@pytest.mark.parametrize("options, error, match", [
    ({"alpha": 2.5}, ValueError, "alpha"), ({"speed": 3}, TypeError, "speed"),
    ({"rho": 0.0}, ValueError, "rho"), ({"max_iter": 0}, ValueError, "max_iter"),
])
def test_options_are_validated_at_construction(options, error, match):
    with pytest.raises(error, match=match):
        front.ADMM(**options)


def test_every_exported_name_exists():
    for name in front.__all__:
        assert hasattr(front, name), name


@pytest.mark.parametrize("module", ["strategies.admm", "nondiff.admm.solver",
                                    "nondiff.admm.prox"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
