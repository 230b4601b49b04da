"""scipy.special functions: logsumexp, expit, logit, softmax, log_softmax, erf, gammaln.

These are the only rules that wrap scipy; importing this module imports ``scipy.special``.
``logsumexp`` gives scipy's value but computes it with numpy (see ``_logsumexp``).
"""

from __future__ import annotations

import numpy as _np
import scipy.special as _sp

from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Primitive, getval
from .elementwise import exp
from .reductions import _expand, _keep, sum

__all__ = ["logsumexp", "expit", "logit", "softmax", "log_softmax", "erf", "gammaln", "digamma"]

def _logsumexp(x, axis=None, keepdims=False):
    """scipy.special.logsumexp's value (max-shifted; all -inf gives -inf), computed with numpy:
    scipy's array-API layer costs ~100 us a call, more than the arithmetic on small batches."""
    x = _np.asarray(x)
    m = _np.max(x, axis=axis, keepdims=True)
    m = _np.where(_np.isfinite(m), m, 0.0)
    with _np.errstate(divide="ignore"):
        out = _np.log(_np.sum(_np.exp(x - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return out.reshape(()) if axis is None else _np.squeeze(out, axis=axis)


logsumexp = Primitive(_logsumexp, "logsumexp")
expit = Primitive(_sp.expit, "expit")
logit = Primitive(_sp.logit, "logit")
softmax = Primitive(lambda x, axis=None: _sp.softmax(x, axis=axis), "softmax")
log_softmax = Primitive(lambda x, axis=None: _sp.log_softmax(x, axis=axis), "log_softmax")
erf = Primitive(_sp.erf, "erf")
gammaln = Primitive(_sp.gammaln, "gammaln")
digamma = Primitive(_sp.digamma, "digamma")
polygamma = Primitive(_sp.polygamma, "polygamma")


def _lse_weights(ans, x, axis, keepdims):
    return exp(x - _keep(ans, _np.shape(getval(x)), axis, keepdims))


def _lse_vjp(ans, x, axis=None, keepdims=False):
    shape = _np.shape(getval(x))
    return lambda g: _expand(g, shape, axis, keepdims) * _lse_weights(ans, x, axis, keepdims)


defvjp(logsumexp, _lse_vjp)
defjvp(logsumexp, lambda t, ans, x, axis=None, keepdims=False:
       sum(t * _lse_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
defvjp(expit, lambda ans, x: lambda g: g * ans * (1.0 - ans))
defjvp(expit, lambda t, ans, x: t * ans * (1.0 - ans))
defvjp(logit, lambda ans, x: lambda g: g / (x * (1.0 - x)))
defjvp(logit, lambda t, ans, x: t / (x * (1.0 - x)))
defvjp(softmax, lambda ans, x, axis=None: lambda g: ans * (g - sum(g * ans, axis=axis,
                                                                    keepdims=True)))
defjvp(softmax, lambda t, ans, x, axis=None: ans * (t - sum(t * ans, axis=axis, keepdims=True)))
defvjp(log_softmax, lambda ans, x, axis=None: lambda g: g - exp(ans) * sum(g, axis=axis,
                                                                          keepdims=True))
defjvp(log_softmax, lambda t, ans, x, axis=None: t - sum(exp(ans) * t, axis=axis,
                                                         keepdims=True))
defvjp(erf, lambda ans, x: lambda g: g * (2.0 / _np.sqrt(_np.pi)) * exp(-x * x))
defjvp(erf, lambda t, ans, x: t * (2.0 / _np.sqrt(_np.pi)) * exp(-x * x))
defvjp(gammaln, lambda ans, x: lambda g: g * digamma(x))
defjvp(gammaln, lambda t, ans, x: t * digamma(x))
defvjp(digamma, lambda ans, x: lambda g: g * polygamma(1, x))
defjvp(digamma, lambda t, ans, x: t * polygamma(1, x))
defvjp(polygamma, None, lambda ans, n, x: lambda g: g * polygamma(n + 1, x))
defjvp(polygamma, None, lambda t, ans, n, x: t * polygamma(n + 1, x))

