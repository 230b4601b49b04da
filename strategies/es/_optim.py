"""First-order steps the gradient-based ES (OpenAI-ES, PGPE) apply to their search gradient.

[1] D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015,
    arXiv:1412.6980, Algorithm 1.
[2] N. E. Toklu, P. Liskowski, R. K. Srivastava, "ClipUp: a simple and powerful optimizer for
    distribution-based policy evolution", PPSN 2020, arXiv:2008.02387, Sec. 3 (Algorithm 1).

Each step takes the gradient of the quantity being *minimized* and returns the parameter change
plus the optimizer's new moments; the moments live in the calling strategy's ``_State``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adam_step", "clipup_step", "sgd_step", "OPTIMIZERS"]


def sgd_step(grad, lr, moments, t, *, momentum=0.0, **_):
    """Plain (heavy-ball) gradient descent: ``v <- momentum v - lr g``; the change is ``v``."""
    v = momentum * moments[0] - lr * grad
    return v, (v, moments[1])


def adam_step(grad, lr, moments, t, *, beta1=0.9, beta2=0.999, eps=1e-8, **_):
    """One Adam step [1, Alg. 1]; ``t`` is the 1-based step count used for bias correction."""
    m = beta1 * moments[0] + (1 - beta1) * grad
    v = beta2 * moments[1] + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return -lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)


def clipup_step(grad, lr, moments, t, *, momentum=0.9, max_speed=None, **_):
    """One ClipUp step [2]: normalized gradient, heavy-ball velocity, velocity norm clipped.

    ``v <- momentum v - lr g/||g||``; ``v <- v max_speed/||v||`` when ``||v|| > max_speed``.
    ``max_speed`` defaults to ``2 lr``, the ratio [2] recommends.
    """
    max_speed = 2.0 * lr if max_speed is None else max_speed
    norm = float(np.linalg.norm(grad))
    v = momentum * moments[0] - (lr / norm) * grad if norm > 0 else momentum * moments[0]
    speed = float(np.linalg.norm(v))
    if speed > max_speed:
        v = v * (max_speed / speed)
    return v, (v, moments[1])


OPTIMIZERS = {"adam": adam_step, "clipup": clipup_step, "sgd": sgd_step}
