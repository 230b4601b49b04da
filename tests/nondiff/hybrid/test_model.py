"""HybridModel: weights trained to the least-squares optimum, structure searched, counts."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import HybridModel
from nondiff.space import Bits, Space

RNG = np.random.default_rng(0)
X = RNG.standard_normal((80, 4))
W_TRUE = np.array([1.5, 0.0, -2.0, 0.0])
Y = X @ W_TRUE + 0.3 + 0.01 * RNG.standard_normal(80)


def forward(weights, x, inputs):
    return x[:, inputs] @ weights["lin"][0] + weights["lin"][1]["bias"]


def init(s, rng):
    return {"lin": [np.zeros(int(s["inputs"].sum())), {"bias": np.zeros(())}]}


SPACE = Space(inputs=Bits(4))


def test_train_reaches_least_squares_on_nested_weights():
    model = HybridModel(forward, init, SPACE)
    s = {"inputs": np.array([True, True, True, False])}
    w = model.train(s, init(s, None), (X, Y), steps=3000, lr=0.01)
    A = np.c_[X[:, :3], np.ones(80)]
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    np.testing.assert_allclose(w["lin"][0], coef[:3], atol=1e-4)
    assert float(w["lin"][1]["bias"]) == pytest.approx(coef[3], abs=1e-4)


def test_fit_finds_the_inputs_and_counts_evaluations():
    model = HybridModel(forward, init, SPACE, penalty=lambda inputs: 1e-3 * inputs.sum())
    model.fit((X, Y), budget=12, steps=200, lr=0.1, search="ga",
              search_options={"popsize": 8}, seed=1)
    assert model.structure_["inputs"].tolist() == [True, False, True, False]
    assert len(model.history_) == 12
    assert model.njev_ == 12 * 200 and model.nfev_ == 12 * 201  # + one scoring call each
    pred = model.predict(X)
    assert np.mean((pred - Y) ** 2) < 1e-3


def test_bad_arguments():
    with pytest.raises(TypeError, match="forward"):
        HybridModel(3, init, SPACE)
    with pytest.raises(TypeError, match="penalty"):
        HybridModel(forward, init, SPACE, penalty="x")
    model = HybridModel(forward, init, SPACE)
    with pytest.raises(ValueError, match="budget"):
        model.fit((X, Y), budget=0)
    with pytest.raises(RuntimeError, match="fit"):
        model.predict(X)


def test_loss_is_pluggable():
    def mae(pred, y):
        return anp.mean(anp.abs(pred - y))

    model = HybridModel(forward, init, Space(inputs=Bits(4)), loss=mae)
    model.fit((X, Y), budget=4, steps=50, lr=0.05, seed=0)
    assert model.score_ == min(score for _, score in model.history_)
