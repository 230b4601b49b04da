"""The conformance suite every Strategy must pass, parametrized over the registry.

``strategy_checks()`` lists the checks as ``(name, function)`` pairs so that a test file can
parametrize over strategies x checks (as scikit-learn's ``parametrize_with_checks`` does);
``check_strategy(strategy)`` runs them all. Each check builds strategies through the registry
(or a factory) with fixed seeds and raises ``AssertionError`` saying what broke.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nondiff import registry

__all__ = ["check_strategy", "strategy_checks", "conformance_space"]


def conformance_space():
    """A space with one parameter of every kind, the default for the checks."""
    from nondiff.space import Array, Bits, Categorical, Integer, Permutation, Real, Space

    return Space({
        "x": Real(-2.0, 3.0), "lr": Real(1e-4, 1.0, log=True), "k": Integer(1, 6),
        "act": Categorical(["relu", "tanh", "gelu"]), "mask": Bits(4),
        "order": Permutation(4), "w": Array((2,), -1.0, 1.0),
    })


def _make(strategy, space, seed=0, budget=None):
    if isinstance(strategy, str):
        return registry.create(strategy, space, seed=seed, budget=budget)
    return strategy(space, seed=seed, budget=budget)


def _values(space, candidates, fail_above=None):
    """Sphere in the unit cube around 0.3; +inf (a failure) where the first coordinate is high."""
    X = np.stack([c.vector for c in candidates])
    v = ((X - 0.3) ** 2).sum(axis=1)
    if fail_above is not None:
        v[X[:, 0] > fail_above] = np.inf
    return v


def check_candidates_in_space(strategy, space):
    s = _make(strategy, space)
    last = -1
    for _ in range(3):
        cands = s.ask()
        assert cands, "ask() returned no candidates"
        ids = [c.id for c in cands]
        assert len(set(ids)) == len(ids), f"ask() repeated ids: {ids}"
        assert min(ids) > last, f"ids must increase across asks: {ids} after {last}"
        last = max(ids)
        for c in cands:
            v = np.asarray(c.vector)
            assert v.shape == (space.dim,), f"vector shape {v.shape} != ({space.dim},)"
            assert np.all((v >= 0) & (v <= 1)), f"vector outside the unit cube: {v}"
            space.validate(c.params)
        s.tell(cands, _values(space, cands))


def check_failures_ranked_worst(strategy, space):
    s = _make(strategy, space, seed=1)
    for _ in range(5):
        cands = s.ask()
        s.tell(cands, _values(space, cands, fail_above=0.5))
    best = s.best
    assert best is not None, "best is None after tells"
    cand, value = best
    assert np.isfinite(value), f"best value is a failure: {value}"
    assert cand.vector[0] <= 0.5, "best candidate is one that failed"
    cands = s.ask()
    bad = _values(space, cands)
    bad[0] = np.nan
    try:
        s.tell(cands, bad)
    except ValueError:
        return
    raise AssertionError("tell() accepted a NaN value; failures must arrive as +inf")


def check_rejects_foreign_ids(strategy, space):
    from nondiff.strategy import Candidate

    s = _make(strategy, space)
    s.ask()
    stranger = Candidate(10**9, space, vector=np.full(space.dim, 0.5))
    try:
        s.tell([stranger], np.array([1.0]))
    except ValueError:
        return
    raise AssertionError("tell() accepted a candidate id that ask() never issued")


def _through_checkpoint(state):
    """Push a state_dict through the checkpoint's plain-data encoding, as resume does."""
    from nondiff.checkpoint import _flatten, _mac, _unflatten

    arrays, blobs = {}, {}
    skeleton = json.loads(json.dumps(_flatten(state, arrays, blobs, "state")))
    macs = {k: _mac(arrays[k].tobytes()) for k in blobs}
    return _unflatten(skeleton, {k: np.array(v) for k, v in arrays.items()}, macs, False, "-")


def check_state_round_trip(strategy, space):
    a = _make(strategy, space, seed=7)
    for _ in range(2):
        cands = a.ask()
        a.tell(cands, _values(space, cands))
    b = _make(strategy, space, seed=7)
    b.load_state_dict(_through_checkpoint(a.state_dict()))
    for _ in range(2):
        ca, cb = a.ask(), b.ask()
        assert [c.id for c in ca] == [c.id for c in cb], "ids differ after a state round trip"
        xa, xb = np.stack([c.vector for c in ca]), np.stack([c.vector for c in cb])
        assert np.array_equal(xa, xb), "the next ask differs after a state round trip"
        a.tell(ca, _values(space, ca))
        b.tell(cb, _values(space, cb))


def _sphere_objective(space):
    def f(**params):
        x = space.encode([params])[0]
        return float(((x - 0.3) ** 2).sum())
    return f


def check_same_seed_same_run(strategy, space):
    from nondiff.minimize import minimize

    f = _sphere_objective(space)
    r1 = minimize(f, space, strategy, budget=60, seed=11)
    with ThreadPoolExecutor(2) as pool:
        r2 = minimize(f, space, strategy, budget=60, seed=11, executor=pool)
    h1, h2 = r1.history, r2.history
    assert np.array_equal(h1.vectors, h2.vectors), "same seed, different candidates at 2 workers"
    assert np.array_equal(h1.values, h2.values), "same seed, different values at 2 workers"


def check_budget_respected(strategy, space):
    from nondiff.minimize import minimize

    res = minimize(_sphere_objective(space), space, strategy, budget=37, seed=5)
    assert res.nfev <= 37, f"used {res.nfev} evaluations of a budget of 37"
    if res.stop_reason == "budget":
        assert res.nfev == 37, f"stopped for budget after {res.nfev} of 37"
    assert len(res.history) == res.nfev


def check_interrupt_then_resume(strategy, space):
    """Ctrl-C mid-generation, then resume: the same result as the run never interrupted."""
    import os
    import tempfile

    from nondiff.checkpoint import resume
    from nondiff.minimize import minimize

    f, calls = _sphere_objective(space), [0]

    def interrupted_once(**params):
        calls[0] += 1
        if calls[0] == 23:
            raise KeyboardInterrupt
        return f(**params)

    unbroken = minimize(f, space, strategy, budget=60, seed=11)
    if unbroken.nfev < 23:
        return  # the strategy stops (converged) before the interruption would come
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.ckpt")
        first = minimize(interrupted_once, space, strategy, budget=60, seed=11, checkpoint=path)
        assert first.stop_reason == "interrupted", f"stop reason {first.stop_reason!r}"
        resumed = resume(path, objective=f)
    assert resumed.nfev == unbroken.nfev, f"nfev {resumed.nfev} != {unbroken.nfev} unbroken"
    assert np.array_equal(resumed.history.vectors, unbroken.history.vectors), \
        "resumed after Ctrl-C, the run evaluated other candidates than the unbroken run"
    assert resumed.fun == unbroken.fun


def check_one_dimensional_spaces(strategy, space):
    """A single integer, real or categorical parameter: the smallest spaces users write."""
    from nondiff.minimize import minimize
    from nondiff.space import Categorical, Integer, Real, Space

    for tiny, f in ((Space(n=Integer(0, 5)), lambda n: float(abs(n - 2))),
                    (Space(x=Real(-1.0, 3.0)), lambda x: (x - 0.5) ** 2),
                    (Space(c=Categorical(["a", "b", "c"])), lambda c: float(c != "b"))):
        res = minimize(f, tiny, strategy, budget=60, seed=3)
        assert res.nfev <= 60 and np.isfinite(res.fun), f"failed on {tiny}: {res.message}"


def check_stop_reason(strategy, space):
    s = _make(strategy, space)
    reason = s.stop()
    assert reason is None or isinstance(reason, str), f"stop() returned {reason!r}"


def check_empty_tell_changes_nothing(strategy, space):
    """``tell([], [])`` with no ask pending, before and after a generation, is a no-op."""
    a, b = _make(strategy, space, seed=5), _make(strategy, space, seed=5)
    a.tell([], [])
    for s in (a, b):
        batch = s.ask()
        s.tell(batch, _values(space, batch) if len(batch) else [])
    a.tell([], [])
    ca, cb = a.ask(), b.ask()
    assert np.array_equal(_vectors(ca), _vectors(cb)), "an empty tell changed the next ask"


def _vectors(candidates):
    return np.stack([c.vector for c in candidates]) if len(candidates) else np.zeros((0, 0))


_CHECKS = [
    check_candidates_in_space, check_failures_ranked_worst, check_rejects_foreign_ids,
    check_state_round_trip, check_same_seed_same_run, check_budget_respected,
    check_interrupt_then_resume, check_one_dimensional_spaces, check_stop_reason,
    check_empty_tell_changes_nothing,
]


def strategy_checks():
    """``(name, check)`` pairs; each check is called as ``check(strategy, space)``."""
    return [(c.__name__, c) for c in _CHECKS]


def check_strategy(strategy, space=None) -> None:
    """Run every conformance check on ``strategy`` (a registry name or a factory)."""
    space = space if space is not None else conformance_space()
    for _, check in strategy_checks():
        check(strategy, space)
