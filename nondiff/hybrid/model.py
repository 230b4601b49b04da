"""Hybrid models: weights trained by gradients, structure searched, one ``fit``.

A :class:`HybridModel` holds a ``forward(weights, x, **structure)`` function, an
``init(structure, rng)`` that builds the weights (any nested dict/list/tuple of arrays, shaped
by the structure: layer count, widths, which inputs), and a Space of structural parameters.
``fit`` runs a black-box strategy from the registry over the structure; each structure it asks
for is trained from fresh weights by Adam on the training loss (the autodiff engine supplies
the gradient) and scored by the validation loss, which the strategy is told. Fresh weights per
structure is the Baldwinian scheme, forced here because weight shapes change with structure.
"""

from __future__ import annotations

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff import registry, seeding
from nondiff.autodiff import value_and_grad
from nondiff.autodiff.vspace import flatten, unflatten
from nondiff.hybrid.inner import adam

__all__ = ["HybridModel", "mse"]


def mse(pred, y):
    """Mean squared error."""
    return anp.mean((pred - y) ** 2)


class HybridModel:
    """A model with differentiable weights and searched structure.

    Parameters
    ----------
    forward : callable
        ``forward(weights, x, **structure) -> predictions``, with :mod:`nondiff.autodiff.numpy`.
    init : callable
        ``init(structure, rng) -> weights`` (nested containers of float arrays).
    space : Space
        The structural parameters.
    loss : callable
        ``loss(predictions, y) -> scalar`` (default: mean squared error).
    penalty : callable, optional
        ``penalty(**structure) -> float`` added to the validation score (e.g. a size cost).

    Attributes (after ``fit``)
    --------------------------
    structure_, weights_, score_ : the best structure, its trained weights, its validation score
    nfev_, njev_ : function and gradient evaluations of the loss in training and scoring
    history_ : list of (structure, score)

    Examples
    --------
    >>> from nondiff.space import Space, Integer
    >>> X = np.linspace(-1, 1, 40)[:, None]; y = 3 * X[:, 0] ** 2
    >>> def forward(w, x, degree):
    ...     return anp.sum(w * x ** anp.arange(degree + 1), axis=1)
    >>> def init(s, rng):
    ...     return anp.zeros(s["degree"] + 1)
    >>> m = HybridModel(forward, init, Space(degree=Integer(0, 4)),
    ...                 penalty=lambda degree: 0.01 * degree)
    >>> m = m.fit((X, y), budget=10, steps=300, lr=0.1, search="random", seed=0)
    >>> m.structure_["degree"], m.score_ < 0.05
    (2, True)
    """

    def __init__(self, forward, init, space, *, loss=mse, penalty=None):
        for name, f in (("forward", forward), ("init", init), ("loss", loss)):
            if not callable(f):
                raise TypeError(f"{name} must be callable, got {type(f).__name__}")
        if penalty is not None and not callable(penalty):
            raise TypeError(f"penalty must be callable, got {type(penalty).__name__}")
        self.forward, self.init, self.space = forward, init, space
        self.loss, self.penalty = loss, penalty
        self.nfev_ = self.njev_ = 0

    def fit(self, data, *, val_data=None, budget=20, search="random", steps=200, lr=0.01,
            seed=None, search_options=None):
        """Search ``budget`` structures, training each by ``steps`` Adam steps; returns self.

        ``data`` and ``val_data`` are ``(x, y)``; without ``val_data`` the training loss scores.
        """
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"budget must be an integer >= 1, got {budget!r}")
        rng_search, rng = seeding.spawn(seed, 2)
        strategy = registry.create(search, self.space, seed=rng_search, budget=budget,
                                   **dict(search_options or {}))
        self.nfev_ = self.njev_ = 0
        self.history_, self.score_ = [], np.inf
        while len(self.history_) < budget and strategy.stop() is None:
            cands = strategy.ask()[: budget - len(self.history_)]
            scores = np.array([self._try(c.params, data, val_data, steps, lr, rng)
                               for c in cands])
            strategy.tell(cands, np.where(np.isfinite(scores), scores, np.inf))
        return self

    def _try(self, structure, data, val_data, steps, lr, rng):
        weights = self.train(structure, self.init(structure, rng), data, steps=steps, lr=lr)
        x, y = val_data if val_data is not None else data
        self.nfev_ += 1
        score = float(self.loss(self.forward(weights, x, **structure), y))
        if self.penalty is not None:
            score += float(self.penalty(**structure))
        self.history_.append((structure, score))
        if score < self.score_:
            self.structure_, self.weights_, self.score_ = structure, weights, score
        return score

    def train(self, structure, weights, data, *, steps=200, lr=0.01):
        """``weights`` after ``steps`` Adam steps on the training loss (the best seen)."""
        x, y = data
        leaves, tree = flatten(weights)
        shapes = [np.shape(v) for v in leaves]
        cuts = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
        split = lambda theta: [p.reshape(s) for p, s in zip(np.split(theta, cuts), shapes)]  # noqa: E731
        objective = value_and_grad(
            lambda ls: self.loss(self.forward(unflatten(tree, ls), x, **structure), y))

        def fun_and_grad(theta):
            value, g = objective(split(theta))
            return float(value), np.concatenate([np.ravel(v) for v in g])

        theta0 = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in leaves])
        out = adam(fun_and_grad, theta0, steps=steps, lr=lr)
        self.nfev_ += out.evaluations
        self.njev_ += out.evaluations
        return unflatten(tree, split(out.theta))

    def predict(self, x):
        """Predictions of the fitted model."""
        if not hasattr(self, "weights_"):
            raise RuntimeError("call fit() first")
        return np.asarray(self.forward(self.weights_, x, **self.structure_))
