"""The CMA-ES adapter against raw pycma (the oracle), plus restarts, integers, noise, silence."""

import os

import cma
import numpy as np
import pytest

from nondiff import seeding
from nondiff.space import Array, Categorical, Integer, Real, Space
from strategies.cmaes import CMAES

BOX = Space(x=Array((6,), -5.0, 5.0))
X0 = np.linspace(0.2, 0.8, 6)


def rastrigin_like(X):
    Z = -5.0 + 10.0 * np.atleast_2d(X)
    return (Z**2).sum(axis=1) + 3.0 * np.sin(3 * Z).sum(axis=1)


def step(es, f):
    cands = es.ask()
    values = f(np.stack([c.vector for c in cands])) if cands else np.zeros(0)
    es.tell(cands, values)
    return cands, values


def raw_pycma(seed, x0, sigma0, **opts):
    rng = seeding.spawn(seed, 2)[0]  # the adapter's documented sampler stream
    options = {"bounds": [[0.0] * len(x0), [1.0] * len(x0)], "verbose": -9, "verb_log": 0,
               "verb_disp": 0, "seed": np.nan, "randn": lambda a, b: rng.standard_normal((a, b))}
    return cma.CMAEvolutionStrategy(x0, sigma0, dict(options, **opts))


def test_reproduces_raw_pycma_exactly():
    ad = CMAES(BOX, seed=5, x0=X0, sigma0=0.2)
    raw = raw_pycma(5, X0, 0.2)
    for _ in range(40):
        cands, values = step(ad, rastrigin_like)
        X = raw.ask()
        raw.tell(X, list(rastrigin_like(np.array(X))))
        np.testing.assert_array_equal(np.stack([c.vector for c in cands]), np.array(X))
        assert ad.best[1] == raw.best.f
    np.testing.assert_array_equal(ad.es.mean, raw.mean)


def test_failures_reach_pycma_as_worst_finite_values():
    ad = CMAES(BOX, seed=1, x0=X0)
    cands = ad.ask()
    values = rastrigin_like(np.stack([c.vector for c in cands]))
    values[:3] = np.inf
    ad.tell(cands, values)
    told = np.sort(np.asarray(ad.es.fit.fit))  # what pycma was told, sorted
    assert np.all(np.isfinite(told))
    assert told[-3:].min() > values[3:].max()


def test_global_rng_untouched_and_interleaved_runs_agree():
    space = Space(x=Real(-3.0, 3.0), k=Integer(-5, 5), c=Categorical(["a", "b", "c"]))
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = CMAES(space, seed=9, noise_handling=True, restarts=2, restart_strategy="bipop")
    b = CMAES(space, seed=9, noise_handling=True, restarts=2, restart_strategy="bipop")

    def f(X):
        g = space.decode(X)
        return (g["x"] - 1) ** 2 + (g["k"] - 2) ** 2 + (g["c"] != 1)

    for _ in range(30):
        xa = np.stack([c.vector for c in step(a, f)[0]])
        xb = np.stack([c.vector for c in step(b, f)[0]])
        np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_integer_dimensions_are_cell_centres_and_the_optimum_is_found():
    space = Space(x=Real(-3.0, 3.0), k=Integer(-5, 5), j=Integer(0, 2))
    es = CMAES(space, seed=1)
    assert es.es.opts["integer_variables"] == [1, 2]

    def f(X):
        g = space.decode(X)
        return (g["x"] - 1) ** 2 + (g["k"] - 2) ** 2 + g["j"]

    for _ in range(150):
        cands, _ = step(es, f)
        X = np.stack([c.vector for c in cands])
        np.testing.assert_allclose((X[:, 1] * 11 - 0.5) % 1, 0, atol=1e-9)  # centres of k
        if es.stop():
            break
    best, value = es.best
    assert best.params["k"] == 2 and best.params["j"] == 0 and value < 1e-10


def test_ipop_restart_doubles_the_population():
    es = CMAES(BOX, seed=3, x0=X0, popsize=6, restarts=2, options={"tolfun": 1e3})
    step(es, rastrigin_like)  # tolfun 1e3 stops pycma's run after its first generation
    step(es, rastrigin_like)
    assert es._state.irun >= 1 and es.es.popsize == 6 * 2 ** es._state.irun
    while es.stop() is None:
        step(es, rastrigin_like)
    assert es._state.irun == 2 and es.stop().startswith("converged")


def test_bipop_interleaves_small_runs():
    es = CMAES(BOX, seed=4, x0=X0, restarts=3, restart_strategy="bipop",
               options={"tolfun": 1e3})
    regimes = []
    while es.stop() is None:
        step(es, rastrigin_like)
        regimes.append((es._state.regime, es.es.popsize, es.es.sigma0))
    small = [r for r in regimes if r[0] == "small"]
    assert es._state.runs_with_small >= 1
    assert any(r[2] <= 0.25 for r in small)  # small runs use sigma0 * 0.01^U
    assert es._state.irun - es._state.runs_with_small == 3


def test_state_round_trip_across_restarts_and_noise_phase():
    kw = dict(seed=8, x0=X0, restarts=3, noise_handling=True, options={"tolfun": 1e2})
    a = CMAES(BOX, **kw)
    for _ in range(7):
        step(a, rastrigin_like)
    b = CMAES(BOX, **kw)
    b.load_state_dict(a.state_dict())
    for _ in range(6):
        ca, _ = step(a, rastrigin_like)
        cb, _ = step(b, rastrigin_like)
        assert [c.id for c in ca] == [c.id for c in cb]
        np.testing.assert_array_equal(np.stack([c.vector for c in ca]),
                                      np.stack([c.vector for c in cb]))
    assert a._state.irun == b._state.irun >= 1


def test_noise_handler_asks_reevaluations_after_each_generation():
    es = CMAES(BOX, seed=2, x0=X0, noise_handling=True)
    first, _ = step(es, rastrigin_like)
    re, _ = step(es, rastrigin_like)
    assert len(first) == es.es.popsize and 2 <= len(re) <= 3  # 2 + popsize/20 points
    assert len(step(es, rastrigin_like)[0]) == es.es.popsize


def test_noise_handling_raises_sigma_on_a_noisy_plateau():
    rng = np.random.default_rng(0)
    noisy = CMAES(BOX, seed=2, x0=X0, noise_handling=True)
    plain = CMAES(BOX, seed=2, x0=X0)

    def f(X):
        return rng.standard_normal(len(X))  # pure noise: no ranking is repeatable

    for _ in range(40):
        step(noisy, f)
    for _ in range(20):
        step(plain, f)
    assert noisy._state.noise.noiseS > 0 and noisy.es.sigma > plain.es.sigma


def test_sep_cma_chosen_from_dimension_500():
    assert CMAES(Space(w=Array((500,), 0.0, 1.0)), seed=0).es.opts["CMA_diagonal"] is True
    assert CMAES(BOX, seed=0).es.opts["CMA_diagonal"] is False
    big = Space(w=Array((500,), 0.0, 1.0))
    assert CMAES(big, seed=0, diagonal=False).es.opts["CMA_diagonal"] is False


def test_penalty_bounds_keep_candidates_in_the_cube():
    es = CMAES(BOX, seed=0, x0=np.full(6, 0.99), sigma0=0.5, bounds="penalty")
    X = np.stack([c.vector for c in es.ask()])
    assert X.min() >= 0 and X.max() <= 1
    assert es.es.boundary_handler.__class__ is cma.BoundPenalty


def test_silent_and_writes_no_files(tmp_path, capsys):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        es = CMAES(BOX, seed=0, restarts=1, options={"tolfun": 1e3})
        for _ in range(5):
            step(es, rastrigin_like)
    finally:
        os.chdir(cwd)
    assert list(tmp_path.iterdir()) == []
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_budget_cuts_the_last_generation():
    es = CMAES(BOX, seed=0, budget=15)  # popsize 9 at dim 6
    step(es, rastrigin_like)
    mean = es.es.mean.copy()
    cands, _ = step(es, rastrigin_like)
    assert len(cands) == 6 and es.stop() == "budget"
    np.testing.assert_array_equal(es.es.mean, mean)  # a partial generation is not told to pycma


def sphere2(x, y):
    return (x - 0.3) ** 2 + (y + 0.2) ** 2


def test_resume_with_a_larger_budget_continues_as_an_unbroken_run(tmp_path, monkeypatch):
    import nondiff as nd

    monkeypatch.setenv("NONDIFF_KEY_FILE", str(tmp_path / "key"))
    space, ck = Space(x=Real(-1, 1), y=Real(-1, 1)), tmp_path / "run.ckpt"
    # popsize 6 in dimension 2: 12 evaluations are two whole generations, so the checkpoint
    # holds a state the unbroken run also passes through
    short = nd.minimize(sphere2, space, "cmaes", budget=12, seed=3, checkpoint=ck)
    assert short.nfev == 12 and short.stop_reason == "budget"
    resumed = nd.resume(ck, budget=40, objective=sphere2)
    unbroken = nd.minimize(sphere2, space, "cmaes", budget=40, seed=3)
    assert resumed.nfev == 40 and resumed.stop_reason == "budget"
    np.testing.assert_array_equal(resumed.history.vectors, unbroken.history.vectors)
    assert resumed.fun == unbroken.fun


def test_all_failing_generations_are_resampled_until_the_driver_fails_fast():
    import nondiff as nd
    from nondiff.errors import ObjectiveError

    es = CMAES(BOX, seed=2, x0=X0)
    mean, sigma = es.es.mean.copy(), es.es.sigma
    for _ in range(3):
        cands = es.ask()
        es.tell(cands, np.full(len(cands), np.inf))
        assert es.stop() is None  # no "converged: tolfun" from a landscape that is not flat
    np.testing.assert_array_equal(es.es.mean, mean)  # nothing was told to pycma
    assert es.es.sigma == sigma and es.es.countiter == 0
    cands, values = step(es, rastrigin_like)  # the first informative generation is told
    assert es.es.countiter == 1 and len({tuple(c.vector) for c in cands}) == len(cands)
    space = Space(x=Real(-1, 1), y=Real(-1, 1))  # popsize 6: fail-fast needs a second generation
    with pytest.raises(ObjectiveError, match="the first 12 evaluations all failed"):
        nd.minimize(lambda x, y: float("inf"), space, "cmaes", budget=100, seed=0)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"sigma0": 0}, "sigma0"),
        ({"popsize": 1}, "popsize"),
        ({"restarts": -1}, "restarts"),
        ({"restart_strategy": "lpop"}, "restart_strategy"),
        ({"bounds": "clip"}, "bounds"),
        ({"options": {"no_such_option": 1}}, "no_such_option"),
        ({"options": {"randn": np.random.randn}}, "randn"),
        ({"x0": np.full(6, 1.5)}, "x0"),
        ({"incpopsize": "2"}, "incpopsize"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        CMAES(BOX, **kwargs)


def test_bounds_mapped_by_the_adapter_only_on_continuous_spaces():
    """pycma runs unbounded (the adapter maps whole populations) unless integers or a penalty
    need its own bound handling; the candidates stay in the box either way."""
    assert not CMAES(BOX, seed=0).es.boundary_handler.has_bounds()
    assert CMAES(BOX, seed=0, bounds="penalty").es.boundary_handler.has_bounds()
    mixed = Space(x=Real(-1.0, 1.0), k=Integer(0, 4))
    assert CMAES(mixed, seed=0).es.boundary_handler.has_bounds()
    es = CMAES(BOX, seed=3, sigma0=2.0)  # most samples fall outside the box in genotype space
    X = np.stack([c.vector for c in es.ask()])
    assert np.all((X >= 0) & (X <= 1)) and np.any(np.ptp(X, axis=0) > 0.5)


def test_population_bound_mapping_equals_pycmas_transform_row_by_row():
    from strategies.cmaes import _UnitBox

    rng = np.random.default_rng(0)
    tf = cma.BoundTransform([0.0, 1.0])
    for C in (rng.uniform(0.06, 0.94, (7, 4)), rng.normal(0.5, 2.0, (7, 4)),
              rng.normal(0.5, 0.3, (3, 1))):
        expected = np.stack([tf.repair(row) for row in C])
        np.testing.assert_array_equal(_UnitBox()(C), expected)


def test_start_near_the_faces_matches_raw_pycma():
    """x0 in the quadratic part of the bound transformation: the adapter's own inverse gives
    pycma's initial mean, and the runs stay identical."""
    x0 = np.array([0.01, 0.99, 0.03, 0.5, 0.97, 0.0])
    ad, raw = CMAES(BOX, seed=2, x0=x0, sigma0=0.1), raw_pycma(2, x0, 0.1)
    np.testing.assert_array_equal(ad.es.mean, raw.mean)
    for _ in range(10):
        cands, _ = step(ad, rastrigin_like)
        X = raw.ask()
        raw.tell(X, list(rastrigin_like(np.array(X))))
        np.testing.assert_array_equal(np.stack([c.vector for c in cands]), np.array(X))


def corner(X):
    """A sphere around the corner (1, ..., 1): the step sizes grow until maxstd caps them."""
    return ((np.atleast_2d(X) - 1.0) ** 2).sum(axis=1)


@pytest.mark.parametrize("options", [{"maxstd": None}, {"maxstd": "None"},
                                     {"maxstd_boundrange": "1/5"}, {"maxstd_boundrange": 0.2},
                                     {"maxstd": 0.1}])
def test_maxstd_options_give_raw_pycmas_run_with_bounds(options):
    """pycma's own spellings of its default maxstd (None, "None") and of a bound range (a
    string it evaluates) mean on the unbounded run what they mean to pycma with bounds."""
    x0 = np.full(6, 0.02)
    ad, raw = CMAES(BOX, seed=4, x0=x0, sigma0=0.3, options=options), raw_pycma(4, x0, 0.3,
                                                                             **options)
    for _ in range(12):
        cands, _ = step(ad, corner)
        X = raw.ask()
        raw.tell(X, list(corner(np.array(X))))
        np.testing.assert_array_equal(np.stack([c.vector for c in cands]), np.array(X))


@pytest.mark.parametrize("space", [BOX, Space(x=Real(-1.0, 1.0), k=Integer(0, 4))])
def test_ask_after_the_budget_is_spent_returns_no_candidates(space):
    es = CMAES(space, seed=0, budget=4)
    step(es, rastrigin_like)
    assert es.stop() == "budget"
    cands, _ = step(es, rastrigin_like)
    assert len(cands) == 0 and es.stop() == "budget"


def test_the_noise_handlers_reevaluations_respect_the_budget():
    space = Space(x=Real(0.0, 1.0), y=Real(0.0, 1.0), z=Real(0.0, 1.0))  # popsize 7
    es = CMAES(space, seed=0, budget=8, noise_handling=True)
    step(es, rastrigin_like)
    assert es._state.noise_pending is not None and len(es._state.noise_pending["idx"]) > 1
    cands, _ = step(es, rastrigin_like)
    assert len(cands) == 1 and es.stop() == "budget"


def test_maxstd_on_a_one_dimensional_space_is_refused_by_name():
    with pytest.raises(ValueError, match="maxstd"):
        CMAES(Space(x=Real(0.0, 1.0)), options={"maxstd": 0.2})
    CMAES(Space(x=Real(0.0, 1.0)), options={"maxstd": None})  # pycma's default spelling is fine
