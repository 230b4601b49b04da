"""Suites: each problem's stated optimum checked against closed forms, enumeration or cocoex."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

from nondiff.bench import suites
from nondiff.bench.suites import ProblemSpec, build, classic, controller, discrete, programs


def spec(suite, function, dim, instance=1):
    return ProblemSpec(suite, function, dim, instance)


@pytest.mark.parametrize("name", list(classic.FUNCTIONS))
@pytest.mark.parametrize("dim", [2, 7])
def test_classic_optimum_is_zero_at_x_opt_and_positive_around(name, dim):
    s = spec("classic", name, dim, 3)
    p = build(s)
    x_opt = classic.x_opt(s)
    assert p.fopt == 0.0 and p.exact
    assert abs(p.fn(x_opt)) < 1e-12
    rng = np.random.default_rng(0)
    others = x_opt + rng.normal(scale=0.5, size=(50, dim))
    assert min(p.fn(x) for x in others) > 0


def test_classic_closed_forms():
    assert classic.sphere(np.array([1.0, 2.0])) == 5.0
    assert classic.ellipsoid(np.array([1.0, 1.0])) == 1.0 + 1e6
    # textbook Rosenbrock at the origin (z = -1): (1 - 0)^2 summed over d - 1 terms
    assert classic.rosenbrock(np.array([-1.0, -1.0, -1.0])) == 2.0
    assert classic.rastrigin(np.array([0.5])) == pytest.approx(10 + 0.25 + 10)
    assert classic.ackley(np.zeros(4)) == pytest.approx(0.0, abs=1e-15)


def test_problems_lists_dims_times_instances_and_rejects_unknown_names():
    specs = suites.problems("classic", [2, 5], [1, 2], ["sphere", "ackley"])
    assert len(specs) == 8 and {s.dim for s in specs} == {2, 5}
    with pytest.raises(ValueError, match="nope"):
        suites.problems("classic", [2], [1], ["nope"])
    with pytest.raises(ValueError, match="unknown suite 'x'"):
        suites.suite_module("x")


def test_fixed_size_problems_appear_once_per_instance():
    specs = suites.problems("programs", [3, 9], [1], ["cartpole", "feature-selection"])
    assert sorted((s.function, s.dim) for s in specs) == [
        ("cartpole", 5), ("feature-selection", 3), ("feature-selection", 9)]


def test_instances_differ_and_repeat():
    a, b = build(spec("classic", "sphere", 3, 1)), build(spec("classic", "sphere", 3, 2))
    x = np.zeros(3)
    assert a.fn(x) != b.fn(x)
    assert build(spec("classic", "sphere", 3, 1)).fn(x) == a.fn(x)


# --- discrete ---------------------------------------------------------------------------------
def test_onemax_and_leadingones_values():
    one = build(spec("discrete", "onemax", 6))
    lead = build(spec("discrete", "leadingones", 6))
    mask = one.fn.mask
    assert one.fn(mask) == 0 and lead.fn(lead.fn.mask) == 0
    flipped = mask.copy()
    flipped[[1, 4]] ^= True
    assert one.fn(flipped) == 2
    wrong = lead.fn.mask.copy()
    wrong[2] ^= True
    assert lead.fn(wrong) == 6 - 2


def test_knapsack_optimum_matches_exhaustive_enumeration():
    p = build(spec("discrete", "knapsack", 12, 4))
    values = [p.fn(np.array(bits, dtype=bool))
              for bits in itertools.product([0, 1], repeat=12)]
    assert min(values) == p.fopt < 0


def test_knapsack_infeasible_is_worse_than_empty():
    p = build(spec("discrete", "knapsack", 8))
    assert p.fn(np.ones(8, dtype=bool)) > 0 == p.fn(np.zeros(8, dtype=bool))


def test_two_opt_reference_and_tour_length():
    square = np.array([[0, 0], [1, 1], [1, 0], [0, 1.0]])
    assert discrete.tour_length(square, [0, 2, 1, 3]) == pytest.approx(4.0)
    assert discrete.tour_length(square, discrete.two_opt(square, [0, 1, 2, 3])) == \
        pytest.approx(4.0)
    p = build(spec("discrete", "tsp", 7))
    best = min(discrete.tour_length(p.fn.cities, (0, *perm))
               for perm in itertools.permutations(range(1, 7)))
    assert not p.exact and p.fopt >= best - 1e-12
    assert p.fopt == pytest.approx(best)  # 2-opt from 10 starts finds the optimum of 7 cities
    with pytest.raises(ValueError, match="dim >= 5"):
        build(spec("discrete", "tsp", 4))


def test_mixed_optimum_is_zero_at_the_hidden_configuration():
    p = build(spec("discrete", "mixed", 3))
    f = p.fn
    best_opt = min(f.cat_cost, key=f.cat_cost.get)
    assert f(best_opt, f.depth, 10**f.log_lr, f.x_opt) == pytest.approx(0.0, abs=1e-12)
    assert f(best_opt, f.depth + 1, 10**f.log_lr, f.x_opt) == pytest.approx(0.1)
    assert p.space.validate({"optimizer": best_opt, "depth": f.depth, "lr": 10**f.log_lr,
                             "x": f.x_opt})


# --- programs ---------------------------------------------------------------------------------
def test_numpy_and_pure_python_controllers_agree_bit_for_bit():
    rng = np.random.default_rng(1)
    for _ in range(20):
        params = rng.uniform(programs.BANG_LO, programs.BANG_HI)
        assert programs.settling_time(params, programs._starts(2)) == \
            controller.settling_time(params, 2)


def test_controller_command_prints_the_settling_time():
    out = subprocess.run([sys.executable, "-m", "nondiff.bench.suites.controller",
                          "--instance", "2", "--c", "0.5", "--deadband", "0.1", "--k", "2",
                          "--kd", "3"], capture_output=True, text=True, check=True).stdout
    assert float(out) == controller.settling_time([0.5, 0.1, 2, 3], 2)


def test_time_optimal_reference_is_the_bang_bang_time():
    # from (1, 0): accelerate -1 for 1 s, decelerate for 1 s: 2 s
    assert programs.optimal_time(1.0, 0.0) == pytest.approx(2.0)
    assert programs.optimal_time(-1.0, 0.0) == pytest.approx(2.0)
    p = build(spec("programs", "bang-bang", 4))
    # the time-optimal switching curve x = -v|v|/2 is c = 1/2 with no dead band
    assert p.fn(np.array([0.5, 0.0, 0.0, 0.0])) < 10 * 8


def test_cartpole_optimum_is_attained_and_random_policies_fall():
    p = build(spec("programs", "cartpole", 5, 2))
    assert p.fn(np.array([0.0, 0.0, 10.0, 1.0, 0.0])) == p.fopt == -200
    assert p.fn(np.array([0.0, 0.0, -10.0, -1.0, 0.0])) > -50


def test_feature_selection_optimum_is_attained_and_not_beaten():
    p = build(spec("programs", "feature-selection", 6, 2))
    rng = np.random.default_rng(0)
    values = [p.fn(rng.random(6) < 0.5) for _ in range(200)]
    assert p.exact and min(values) >= p.fopt
    masks = itertools.product([False, True], repeat=6)
    assert any(p.fn(np.array(m)) == p.fopt for m in masks)


# --- bbob -------------------------------------------------------------------------------------
def test_bbob_optimum_matches_cocoex_and_observer_logs(tmp_path, monkeypatch):
    cocoex = pytest.importorskip("cocoex", reason="the bbob suite needs coco-experiment")
    from nondiff.bench.suites.bbob import remove_exdata

    monkeypatch.chdir(tmp_path)
    with remove_exdata():
        p = build(spec("bbob", "f3", 5, 2), observer_folder=tmp_path / "log")
        bare = cocoex.BareProblem("bbob", 3, 5, 2)
        assert p.fn(bare.best_parameter()) == pytest.approx(p.fopt, abs=1e-12)
        assert p.fn(np.zeros(5)) > p.fopt
        p.close()
    assert (tmp_path / "log" / "bbobexp_f3.info").exists()
    assert not (tmp_path / "exdata").exists()


def test_bbob_unavailable_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cocoex", None)
    assert "pip install" in suites.unavailable("bbob")
    assert suites.unavailable("classic") is None
