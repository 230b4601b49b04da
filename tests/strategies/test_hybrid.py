"""The hybrid strategy: conformance with a program, the split, budget accounting, the modes."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff import conformance, registry
from nondiff.hybrid import minimize as hybrid_minimize
from nondiff.minimize import minimize
from nondiff.space import Array, Bits, Integer, Real, Space
from strategies.hybrid import Hybrid


def conf_program(x, lr, k, act, mask, order, w):
    return (x - 0.5) ** 2 + anp.sum((w - 0.2) ** 2) + lr + 0.1 * k + float(mask.sum())


def factory(space, seed=None, budget=None):
    # budget=None: the driver's budget alone limits these runs, so the driver-level checks
    # (budget, interrupt and resume) hold as for any strategy; the budget shared with the
    # inner evaluations is tested below
    return Hybrid(space, seed=seed, budget=None, program=conf_program, steps=3)


@pytest.fixture(scope="module")
def registered():
    # by name, since the driver-based checks take registry names, not factories
    registry.register("hybrid-with-program", factory)
    yield "hybrid-with-program"
    registry.unregister("hybrid-with-program")


@pytest.mark.parametrize("check", [c for _, c in conformance.strategy_checks()],
                         ids=[n for n, _ in conformance.strategy_checks()])
def test_conformance_with_a_program(check, registered):
    check(registered, conformance.conformance_space())


def test_split_follows_the_classification():
    s = factory(conformance.conformance_space(), seed=0)
    assert s.gradient == ("x", "lr", "w")
    assert s.searched == ("k", "act", "mask", "order")
    assert s.classification["x"] == "differentiable"


def quad(w, k):
    return (w - 0.1 * k) ** 2 + 0.01 * k


QUAD_SPACE = Space(w=Real(-2, 2), k=Integer(0, 10))


@pytest.mark.parametrize("trainer", ["adam", "lbfgs"])
def test_budget_counts_every_call(trainer):
    calls = []

    def counted(w, k):
        calls.append(1)
        return quad(w, k)

    res = hybrid_minimize(counted, QUAD_SPACE, budget=150, seed=1, trainer=trainer, steps=5)
    assert res.nfev == len(calls) <= 150
    assert res.nfev == res.nfev_outer + res.nfev_inner
    assert res.nfev_outer == len(res.history) and res.njev > 0
    assert res.stop_reason == "budget" and res.params["k"] == 0 and abs(res.params["w"]) < 1e-3


def test_budget_through_the_driver_by_name():
    calls = []

    def counted(w, k):
        calls.append(1)
        return quad(w, k)

    # classification alone takes ~40 calls and the GA asks more than are left: the strategy
    # hands out only what the budget allows
    res = minimize(counted, QUAD_SPACE, "hybrid", budget=50, seed=0,
                   strategy_options={"program": counted})
    assert len(calls) <= 50 and res.nfev < 50


def test_baldwinian_restarts_training_from_x0_lamarckian_inherits():
    space = Space(w=Real(-2, 2), k=Integer(0, 10))
    starts = {}
    for mode in ("baldwinian", "lamarckian"):
        s = Hybrid(space, program=quad, seed=0, steps=2, lr=0.01, mode=mode, x0={"w": 1.5})
        ws = []
        for _ in range(4):
            cands = s.ask()
            ws.append([c.params["w"] for c in cands])
            s.tell(cands, np.array([quad(**c.params) for c in cands]))
        starts[mode] = np.array(ws[-1])
    # two evaluations: x0, then one Adam step of lr * width = 0.04 (whatever the gradient's
    # size), which is better on this slope; Baldwinian candidates all start again from x0
    np.testing.assert_allclose(starts["baldwinian"], 1.5 - 0.04, atol=1e-9)
    assert np.ptp(starts["lamarckian"]) < 1e-8 and starts["lamarckian"][0] <= 1.5 - 2 * 0.04


def through_item(w, v):
    return np.floor(anp.asarray(w).item() * 4) + (v - 0.3) ** 2 + 0.0 * w


def test_recheck_marks_a_broken_gradient_piecewise():
    space = Space(w=Real(0, 1), v=Real(-1, 1))
    s = Hybrid(space, program=through_item, gradient=("w", "v"), piecewise=(), seed=0,
               recheck_every=1, steps=2)
    for _ in range(2):
        cands = s.ask()
        s.tell(cands, np.array([through_item(**c.params) for c in cands]))
    assert s.piecewise == ("w",)


def test_no_search_part_is_gradient_descent():
    space = Space(w=Array(3, -1, 1))
    target = np.array([0.3, -0.2, 0.5])
    res = hybrid_minimize(lambda w: anp.sum((w - target) ** 2), space, budget=200, seed=0,
                          trainer="lbfgs", steps=20)
    np.testing.assert_allclose(res.params["w"], target, atol=1e-6)
    assert res.nfev <= 200


def test_piecewise_parameters_get_perturbed():
    space = Space(c=Real(-3, 3), m=Bits(2))
    s = Hybrid(space, program=lambda c, m: c * anp.round(c) + float(m.sum()), seed=0,
               steps=0, perturb=0.1)
    assert s.piecewise == ("c",)
    cands = s.ask()
    assert len({c.params["c"] for c in cands}) == len(cands)


@pytest.mark.parametrize("options, match", [
    ({"trainer": "sgd"}, "trainer"), ({"mode": "darwin"}, "mode"), ({"steps": -1}, "steps"),
    ({"lr": float("nan")}, "lr"), ({"gradient": ("k",)}, "integer"),
    ({"gradient": ("nope",)}, "unknown"), ({"search": "hybrid"}, "search"),
    ({"gradient": ("w",), "piecewise": ("x",)}, "piecewise"), ({"x0": {"k": 1}}, "x0"),
])
def test_bad_options(options, match):
    space = Space(w=Real(-1, 1), x=Real(-1, 1), k=Integer(0, 3))
    with pytest.raises(ValueError, match=match):
        Hybrid(space, program=lambda w, x, k: w + x + k, **options)


def test_program_must_be_callable():
    with pytest.raises(TypeError, match="program"):
        Hybrid(QUAD_SPACE, program=3)


def test_same_seed_same_counts():
    a = hybrid_minimize(quad, QUAD_SPACE, budget=120, seed=4)
    b = hybrid_minimize(quad, QUAD_SPACE, budget=120, seed=4)
    assert (a.nfev, a.njev, a.fun) == (b.nfev, b.njev, b.fun)
    c = minimize(quad, QUAD_SPACE, Hybrid(QUAD_SPACE, program=quad, seed=4, budget=120),
                 budget=120, seed=4)
    assert c.fun == a.fun


def test_program_by_reference_keeps_checkpoints_working(tmp_path):
    from nondiff.checkpoint import resume

    source = tmp_path / "prog.py"
    source.write_text("def quad(w, k):\n    return (w - 0.1 * k) ** 2 + 0.01 * k\n")
    ref = f"{source}:quad"
    path = tmp_path / "run.ckpt"
    res = minimize(ref, QUAD_SPACE, "hybrid", budget=120, seed=0, checkpoint=str(path),
                   strategy_options={"program": ref, "steps": 5})
    assert path.exists() and res.params["k"] == 0
    again = resume(str(path))
    assert again.fun == res.fun


def test_bad_program_reference():
    with pytest.raises(ValueError, match="nothere.py"):
        Hybrid(QUAD_SPACE, program="nothere.py:f")
