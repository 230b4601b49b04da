"""The conformance suite on GA configurations beyond the registry default (name ``ga``)."""

import pytest

from nondiff import registry
from nondiff.conformance import conformance_space, strategy_checks
from strategies.ga import GeneticAlgorithm

VARIANTS = {
    "steady-truncation-dedupe": dict(mode="steady-state", offspring=5, selection="truncation",
                                     dedupe=True),
    "memetic-asked": dict(popsize=10, memetic=True, local_size=2, local_rounds=2,
                          local_fraction=0.5),
    "memetic-local-objective": dict(popsize=10, memetic=True,
                                    local_objective=lambda g: g["x"] ** 2),
    "constrained": dict(popsize=12, constraint=lambda p: p["x"] - 2.0, elitism=2),
    "penalty": dict(popsize=12, constraint=lambda p: [p["k"] - 4, -p["x"]],
                    constraint_handling="penalty", penalty=10.0),
}

SPACE_BOUND = {"memetic-local-objective", "constrained", "penalty"}


def _factory(options):
    def make(space, *, seed=None, budget=None):
        return GeneticAlgorithm(space, seed=seed, budget=budget, **options)
    return make


@pytest.fixture(scope="module")
def registered():
    # The driver-based checks look strategies up by name, so variants are registered briefly.
    names = {v: f"test-ga-{v}" for v in VARIANTS}
    for v, name in names.items():
        registry.register(name, _factory(VARIANTS[v]))
    yield names
    for name in names.values():
        registry.unregister(name)


@pytest.mark.parametrize("check", [c for _, c in strategy_checks()],
                         ids=[n for n, _ in strategy_checks()])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_ga_variant_conformance(variant, check, registered):
    if check.__name__ == "check_one_dimensional_spaces" and variant in SPACE_BOUND:
        pytest.skip("its constraint or local objective reads the conformance space's names")
    check(registered[variant], conformance_space())
