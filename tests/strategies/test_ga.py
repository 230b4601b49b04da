"""GeneticAlgorithm: search results against exact optima, constraints, memetic budget, options."""

import itertools

import numpy as np
import pytest

from nondiff.space import Array, Bits, Categorical, Integer, Permutation, Real, Space
from strategies.ga import GeneticAlgorithm
from strategies.ga_constraints import order, violation


def _run(ga, f, max_asks=10_000):
    """Drive ask/tell until the strategy stops; ``f`` maps a list of params to values."""
    for _ in range(max_asks):
        if ga.stop() is not None:
            break
        cands = ga.ask()
        ga.tell(cands, np.array([f(c.params) for c in cands], dtype=float))
    return ga


def _knapsack(n, seed):
    rng = np.random.default_rng(seed)
    w, v = rng.integers(1, 30, n), rng.integers(1, 50, n)
    return w, v, int(w.sum() // 2)


def _brute_force_knapsack(w, v, cap):
    best = 0
    for bits in itertools.product([0, 1], repeat=len(w)):
        b = np.array(bits)
        if b @ w <= cap:
            best = max(best, int(b @ v))
    return best


def test_onemax_is_solved():
    ga = GeneticAlgorithm(Space(mask=Bits(64)), seed=0, popsize=30, budget=6000)
    _run(ga, lambda p: -float(p["mask"].sum()))
    assert ga.best[1] == -64.0


def test_sphere_with_sbx_and_log_scale():
    space = Space(x=Real(-5, 5), y=Real(-5, 5), lr=Real(1e-5, 1.0, log=True))
    ga = GeneticAlgorithm(space, seed=1, popsize=40, budget=4000)
    _run(ga, lambda p: (p["x"] - 1) ** 2 + (p["y"] + 2) ** 2 + np.log10(p["lr"] / 1e-3) ** 2)
    best = ga.best[0].params
    assert abs(best["x"] - 1) < 0.05 and abs(best["y"] + 2) < 0.05
    assert abs(np.log10(best["lr"]) + 3) < 0.05


def test_small_tsp_reaches_exact_optimum():
    rng = np.random.default_rng(2)
    xy = rng.random((8, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))

    def length(t):
        return float(dist[t, np.roll(t, -1)].sum())

    exact = min(length(np.array((0,) + p)) for p in itertools.permutations(range(1, 8)))
    for crossover in ("ox", "pmx", "cycle"):
        ga = GeneticAlgorithm(Space(tour=Permutation(8)), seed=3, popsize=30, budget=3000,
                              crossover=crossover, mutation_rate=1.0)
        _run(ga, lambda p: length(p["tour"]))
        assert ga.best[1] == pytest.approx(exact), crossover


@pytest.mark.parametrize("handling", ["feasibility", "penalty"])
def test_knapsack_with_constraint_matches_brute_force(handling):
    w, v, cap = _knapsack(14, seed=4)
    ga = GeneticAlgorithm(Space(take=Bits(14)), seed=5, popsize=40, budget=6000,
                          constraint=lambda p: p["take"] @ w - cap,
                          constraint_handling=handling)
    _run(ga, lambda p: -float(p["take"] @ v))
    cand, value = ga.best
    assert cand.params["take"] @ w <= cap
    assert -value == _brute_force_knapsack(w, v, cap)


def test_vectorized_constraint_and_repair():
    w, v, cap = _knapsack(14, seed=4)
    calls = []

    def repair(genome):
        calls.append(len(genome["take"]))
        take = genome["take"]
        # Drop the heaviest items of overweight rows until they fit (greedy, per item).
        for i in np.argsort(-w):
            over = take @ w > cap
            take[over, i] = False
        return {"take": take}

    ga = GeneticAlgorithm(Space(take=Bits(14)), seed=6, popsize=40, budget=4000,
                          constraint=lambda g: g["take"] @ w - cap, repair=repair,
                          vectorized=True)
    for _ in range(30):
        cands = ga.ask()
        takes = np.stack([c.params["take"] for c in cands])
        if ga._state.generation > 0:
            assert (takes @ w <= cap).all(), "repaired children must be feasible"
        ga.tell(cands, -(takes @ v).astype(float))
    assert calls and -ga.best[1] >= 0.95 * _brute_force_knapsack(w, v, cap)


def test_infeasible_points_are_never_best():
    ga = GeneticAlgorithm(Space(x=Real(-1, 1)), seed=7, popsize=10,
                          constraint=lambda p: [p["x"] - 0.5, -p["x"]])
    _run(ga, lambda p: p["x"], max_asks=5)
    x = ga.best[0].params["x"]
    assert 0 <= x <= 0.5


def test_feasibility_order_follows_debs_rules():
    values = np.array([5.0, 1.0, 0.5, np.inf, 3.0])
    viol = np.array([0.0, 2.0, 1.0, 0.0, 0.0])
    # feasible by value (4: 3.0, 0: 5.0), infeasible by violation (2, 1), failure last.
    assert order(values, viol).tolist() == [4, 0, 2, 1, 3]
    assert order(values, viol, "penalty", 1.0).tolist() == [2, 1, 4, 0, 3]
    assert violation(np.array([[-1.0, 2.0], [0.5, 0.5], [0.0, -3.0]])).tolist() == [2, 1, 0]
    with pytest.raises(ValueError, match="NaN"):
        violation([np.nan])


@pytest.mark.parametrize("extra", [{}, {"mode": "steady-state", "offspring": 6}])
def test_asked_memetic_moves_respect_the_budget_exactly(extra):
    ga = GeneticAlgorithm(Space(mask=Bits(30)), seed=8, popsize=12, budget=500,
                          memetic=True, local_size=3, local_rounds=2, **extra)
    asked = 0
    while ga.stop() is None:
        cands = ga.ask()
        asked += len(cands)
        ga.tell(cands, [-float(c.params["mask"].sum()) for c in cands])
    assert asked == 500 and ga.local_evaluations == 0
    assert ga.best[1] <= -28


def test_local_objective_climbs_before_asking():
    space = Space(mask=Bits(40))
    ga = GeneticAlgorithm(space, seed=9, popsize=10, budget=200, memetic=True, local_size=5,
                          local_rounds=3, local_objective=lambda g: -g["mask"].sum(axis=1))
    asked = _count_asked(ga, lambda p: -float(p["mask"].sum()))
    assert asked == 200
    # Each asked child after the first generation was scored 1 + 3 * 5 times on the surrogate.
    assert ga.local_evaluations == (200 - 10) * 16
    assert ga.best[1] == -40


def _count_asked(ga, f):
    asked = 0
    while ga.stop() is None:
        cands = ga.ask()
        asked += len(cands)
        ga.tell(cands, [f(c.params) for c in cands])
    return asked


def test_dedupe_removes_duplicate_children():
    space = Space(k=Integer(0, 9), c=Categorical(["a", "b", "c"]))  # 30 distinct points
    ga = GeneticAlgorithm(space, seed=10, popsize=6, dedupe=True, mutation_rate=0.5)
    _run(ga, lambda p: 0.0, max_asks=1)
    for _ in range(5):
        cands = ga.ask()
        keys = [(c.params["k"], c.params["c"]) for c in cands]
        pop = ga.population[0]
        parents = set(zip(pop["k"].tolist(), [space["c"].choices[i] for i in pop["c"]]))
        assert len(set(keys)) == len(keys) and not set(keys) & parents
        ga.tell(cands, np.zeros(len(cands)))


def test_generational_keeps_elites_and_popsize():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=11, popsize=20, elitism=3)
    _run(ga, lambda p: p["x"], max_asks=1)
    best_before = np.sort(ga.population[1])[:3]
    cands = ga.ask()
    assert len(cands) == 17
    ga.tell(cands, np.full(17, 10.0))
    pop_values = ga.population[1]
    assert len(pop_values) == 20 and np.array_equal(np.sort(pop_values)[:3], best_before)


def test_steady_state_replaces_worst():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=12, popsize=10, mode="steady-state",
                          offspring=3, selection="truncation", truncation=0.3)
    _run(ga, lambda p: p["x"], max_asks=1)
    before = np.sort(ga.population[1])
    cands = ga.ask()
    assert len(cands) == 3
    ga.tell(cands, np.array([-1.0, -2.0, 5.0]))
    assert np.sort(ga.population[1]).tolist() == [-2.0, -1.0, *before[:8].tolist()]


def test_partial_tell_and_failures():
    ga = GeneticAlgorithm(Space(x=Real(0, 1), w=Array((3,), -1, 1)), seed=13, popsize=8)
    cands = ga.ask()
    ga.tell(cands[:5], np.array([np.inf, 3.0, 2.0, np.inf, 1.0]))
    assert len(ga.population[1]) == 5 and ga.best[1] == 1.0
    cands = ga.ask()
    with pytest.raises(ValueError, match="NaN"):
        ga.tell(cands, np.full(len(cands), np.nan))
    ga.tell(cands[:0], np.zeros(0))
    assert len(ga.population[1]) == 5


def test_budget_shortens_last_ask():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=14, popsize=10, budget=25)
    sizes = []
    while ga.stop() is None:
        cands = ga.ask()
        sizes.append(len(cands))
        ga.tell(cands, np.zeros(len(cands)))
    assert sizes == [10, 9, 6] and ga.stop() == "budget"


def test_same_seed_same_candidates_and_state_round_trip():
    space = Space(x=Real(-1, 1), o=Permutation(5), b=Bits(3), c=Categorical([1, 2, 3]))

    def make():
        return GeneticAlgorithm(space, seed=15, popsize=8, memetic=True, local_size=2)

    a, b = make(), make()
    for _ in range(3):
        ca, cb = a.ask(), b.ask()
        assert np.array_equal(np.stack([c.vector for c in ca]), np.stack([c.vector for c in cb]))
        vals = np.array([c.params["x"] for c in ca])
        a.tell(ca, vals)
        b.tell(cb, vals)
    fresh = make()
    fresh.load_state_dict(a.state_dict())
    for _ in range(3):
        ca, cf = a.ask(), fresh.ask()
        assert [c.id for c in ca] == [c.id for c in cf]
        assert np.array_equal(np.stack([c.vector for c in ca]), np.stack([c.vector for c in cf]))
        vals = np.array([c.params["x"] for c in ca])
        a.tell(ca, vals)
        fresh.tell(cf, vals)


def test_foreign_ids_rejected():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=16, popsize=4)
    cands = ga.ask()
    ga.tell(cands, np.zeros(4))
    with pytest.raises(ValueError, match="did not issue"):
        ga.tell(cands, np.zeros(4))


def test_operator_choice_by_kind_and_name():
    space = Space(a=Permutation(6), b=Permutation(6), m=Bits(5))
    ga = GeneticAlgorithm(space, crossover={"permutation": "pmx", "b": "cycle", "m": "two-point"},
                          mutation={"permutation": "insertion"})
    assert ga._p.crossovers == {"a": "pmx", "b": "cycle", "m": "two-point"}
    assert ga._p.mutations == {"a": "insertion", "b": "insertion", "m": "flip"}


@pytest.mark.parametrize("options,error,match", [
    ({"popsize": 1}, ValueError, "popsize"),
    ({"popsize": 2.5}, TypeError, "popsize"),
    ({"mode": "island"}, ValueError, "mode"),
    ({"selection": "roulette"}, ValueError, "selection"),
    ({"elitism": 100}, ValueError, "elitism"),
    ({"crossover_rate": 1.5}, ValueError, "crossover_rate"),
    ({"mutation_rate": -0.1}, ValueError, "mutation_rate"),
    ({"crossover": "ox"}, ValueError, "crossover 'ox' is not available for real"),
    ({"mutation": {"z": "flip"}}, ValueError, "neither parameters nor kinds"),
    ({"crossover": 3}, TypeError, "crossover"),
    ({"constraint": 3}, TypeError, "constraint"),
    ({"constraint_handling": "death"}, ValueError, "constraint_handling"),
    ({"tournament_size": 0}, ValueError, "tournament_size"),
    ({"colour": "red"}, TypeError, "colour"),
])
def test_bad_options_name_the_option(options, error, match):
    with pytest.raises(error, match=match):
        GeneticAlgorithm(Space(x=Real(0, 1)), **options)


def test_bad_constraint_shape_is_reported():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), popsize=4, vectorized=True,
                          constraint=lambda g: np.zeros(3))
    with pytest.raises(ValueError, match="one row per individual"):
        ga.ask()


def test_row_hashes_separate_exactly_the_distinct_rows():
    from strategies.ga import _row_keys

    rng = np.random.default_rng(17)
    for genome in ({"b": rng.random((5000, 40)) < 0.5},
                   {"k": rng.integers(0, 3, (5000, 6)), "x": rng.integers(0, 2, 5000) * 0.5}):
        flat = np.concatenate([np.asarray(v, float).reshape(5000, -1) for v in genome.values()],
                              axis=1)
        _, inverse = np.unique(flat, axis=0, return_inverse=True)
        _, hash_inverse = np.unique(_row_keys(genome), return_inverse=True)
        # Same partition of the rows: equal rows share a hash and distinct rows do not.
        assert len(np.unique(np.stack([inverse.ravel(), hash_inverse]), axis=1).T) == \
            inverse.max() + 1 == hash_inverse.max() + 1


def test_improve_moves_each_child_to_its_best_better_neighbour():
    from strategies.ga_memetic import improve

    children = {"x": np.array([10.0, 20.0, 30.0])}
    cand = {"x": np.array([11.0, 12.0, 21.0, 31.0])}
    parent = np.array([0, 0, 1, 2])
    zeros = np.zeros
    out, values, viol = improve(children, np.array([5.0, 3.0, 1.0]), zeros(3), cand,
                                np.array([4.0, 4.5, 2.0, 7.0]), zeros(4), parent,
                                "feasibility", 1e3)
    # Child 0 takes neighbour 0 (4 < 4.5 < 5), child 1 neighbour 2, child 2 keeps itself.
    assert out["x"].tolist() == [11.0, 21.0, 30.0] and values.tolist() == [4.0, 2.0, 1.0]
    # A feasible child is not replaced by an infeasible neighbour with a better value.
    out, values, viol = improve({"x": np.array([1.0])}, np.array([5.0]), zeros(1),
                                {"x": np.array([2.0])}, np.array([0.0]), np.array([0.5]),
                                np.array([0]), "feasibility", 1e3)
    assert out["x"].tolist() == [1.0] and viol.tolist() == [0.0]


def test_local_fraction_climbs_only_the_best_children():
    ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=18, popsize=10, memetic=True, local_size=3,
                          local_fraction=0.3)
    _run(ga, lambda p: p["x"], max_asks=1)
    brood = ga.ask()
    values = np.array([c.params["x"] for c in brood])
    ga.tell(brood, values)
    moves = ga.ask()
    assert len(moves) == 3 * 3  # ceil(0.3 * 9) children x 3 neighbours
    best_three = set(np.argsort(values)[:3].tolist())
    assert set(ga._state.local_parent.tolist()) == best_three
