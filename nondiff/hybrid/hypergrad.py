"""Gradient-based optimization of gradient-based optimization: hypergradients.

:func:`hypergrad` differentiates a validation loss through ``T`` unrolled steps of SGD with
heavy-ball momentum with respect to the learning rate, the momentum and the scale of the
initialization (the unrolled approach of Maclaurin et al. [1], without their
reversible-memory trick: the engine keeps the whole tape, fine for a few hundred steps of small
models). The inner gradient is itself taken by the engine, so this is reverse over reverse.

:func:`sgd_hd` is online hypergradient descent, SGD-HD of Baydin et al. [2]: the learning
rate follows its own gradient step,
``alpha_t = alpha_{t-1} + beta * g_t . g_{t-1}`` (because ``d f(theta_{t-1}) / d alpha =
-g_t . g_{t-1}``), then ``theta_t = theta_{t-1} - alpha_t g_t``.

[1] D. Maclaurin, D. Duvenaud, R. P. Adams, "Gradient-based hyperparameter optimization
    through reversible learning", ICML 2015.
[2] A. G. Baydin, R. Cornish, D. Martinez Rubio, M. Schmidt, F. Wood, "Online learning rate
    adaptation with hypergradient descent", ICLR 2018.
"""

from __future__ import annotations

import numpy as np

from nondiff.autodiff import grad, value_and_grad

__all__ = ["unrolled_sgd", "hypergrad", "sgd_hd"]


def unrolled_sgd(train_loss, w0, *, lr, momentum=0.0, init_scale=1.0, steps=100):
    """The weights after ``steps`` of SGD with momentum, traceable in every argument.

    ``w_0 = init_scale * w0``; ``v_{t+1} = momentum * v_t - lr * grad L(w_t)``;
    ``w_{t+1} = w_t + v_{t+1}``.
    """
    g = grad(train_loss)
    w = init_scale * w0
    v = 0.0 * w
    for _ in range(steps):
        v = momentum * v - lr * g(w)
        w = w + v
    return w


def hypergrad(train_loss, val_loss, w0, *, lr, momentum=0.0, init_scale=1.0, steps=100):
    """Validation loss after unrolled training and its gradient w.r.t. the hyperparameters.

    Parameters
    ----------
    train_loss, val_loss : callable
        ``loss(w) -> scalar``, written with :mod:`nondiff.autodiff.numpy`.
    w0 : array
        The initialization (multiplied by ``init_scale``).
    lr, momentum, init_scale : float
    steps : int

    Returns
    -------
    value : float
    gradient : dict
        ``{"lr": ..., "momentum": ..., "init_scale": ...}``.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> loss = lambda w: 0.5 * anp.sum(w ** 2)
    >>> v, g = hypergrad(loss, loss, anp.ones(2), lr=0.1, steps=1)
    >>> round(v, 6), round(g["lr"], 6)  # v = (1 - lr)^2, dv/dlr = -2 (1 - lr)
    (0.81, -1.8)
    """
    w0 = np.asarray(w0, dtype=float)

    def through(h):
        w = unrolled_sgd(train_loss, w0, lr=h["lr"], momentum=h["momentum"],
                         init_scale=h["init_scale"], steps=steps)
        return val_loss(w)

    h = {"lr": float(lr), "momentum": float(momentum), "init_scale": float(init_scale)}
    value, g = value_and_grad(through)(h)
    return float(value), {k: float(v) for k, v in g.items()}


def sgd_hd(loss, w0, *, lr, beta, steps):
    """SGD whose learning rate is adapted online by hypergradient descent (Baydin et al.).

    Returns
    -------
    w : array
        The final weights.
    lrs : array
        ``alpha_1 .. alpha_steps``, the learning rate used at each step.

    Examples
    --------
    >>> w, lrs = sgd_hd(lambda w: 0.5 * w ** 2, 1.0, lr=0.1, beta=0.01, steps=3)
    >>> lrs.round(6).tolist()  # alpha_1 = 0.1 (no previous gradient), then + beta g_t g_{t-1}
    [0.1, 0.109, 0.116217]
    """
    g_of = grad(loss)
    w = np.asarray(w0, dtype=float)
    alpha, prev = float(lr), np.zeros_like(w)
    lrs = np.empty(steps)
    for t in range(steps):
        g = np.asarray(g_of(w), dtype=float)
        alpha += beta * float(np.sum(g * prev))  # -d f(w_{t-1}) / d alpha = g_t . g_{t-1}
        w = w - alpha * g
        lrs[t], prev = alpha, g
    return w, lrs
