"""The outcome of a run, in scipy.optimize's vocabulary plus what black-box users need.

``Result`` behaves like :class:`scipy.optimize.OptimizeResult` (a dict with attribute access;
not a subclass, so that importing nondiff does not import scipy.optimize) with the
fields ``x, fun, nfev, nit, success, status, message`` and nondiff's own ``params`` (best
parameters by name), ``value`` (= ``fun``, in the user's sense), ``history``, ``counts``
(evaluations by status name), ``stop_reason``, ``elapsed`` (seconds), ``strategy`` and ``seed``.
"""

from __future__ import annotations

import math

from nondiff.plain import plain

__all__ = ["Result", "STOP_STATUS"]

# status codes by stop reason; 0 means the run ended as asked
STOP_STATUS = {"budget": 0, "target": 0, "max_time": 0, "callback": 0, "interrupted": 5}


class Result(dict):
    """Best point, value and full history of a run (see the module docstring)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self) -> str:
        keys = ("message", "success", "status", "fun", "params", "nfev", "nit", "stop_reason",
                "counts", "elapsed")
        width = max(map(len, keys)) + 1
        return "\n".join(f"{k.rjust(width)}: {self.get(k)!r}" for k in keys if k in self)

    def to_json_dict(self) -> dict:
        """A JSON-serializable summary (no history arrays)."""
        return {
            "params": plain(self.params),
            "value": _float_or_none(self.value),
            "nfev": int(self.nfev),
            "nit": int(self.nit),
            "success": bool(self.success),
            "status": int(self.status),
            "message": self.message,
            "stop_reason": self.stop_reason,
            "counts": dict(self.counts),
            "elapsed": float(self.elapsed),
            "strategy": self.strategy,
            "strategy_info": self.get("strategy_info"),
            "seed": self.seed,
        }


def _float_or_none(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
