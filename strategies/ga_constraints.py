"""Constraint handling for the genetic algorithm: violations, the ranking they induce, repair.

Sign convention (one for the whole package): a constraint function ``g`` returns a number or a
vector, and a point is *feasible* when every component is ``<= 0``. The *violation* is the sum of
the positive parts, ``sum(max(g_i, 0))``, so it is 0 exactly on the feasible set.

The GA calls ``g`` itself, on each child's params, when it builds an ask: constraints are cheap
user code on the parameters and need no evaluation of the objective. Two ways to use it:

- ``"feasibility"`` (default), Deb's rules [1]: a feasible point beats an infeasible one, two
  feasible points compare by objective, two infeasible ones by violation. These three rules form
  one total order (violation first, then objective), so tournaments and truncation simply compare
  ranks in that order.
- ``"penalty"``: rank by ``f + penalty * violation``.

Failed evaluations (``+inf``) rank after everything else in both modes.

[1] K. Deb, "An efficient constraint handling method for genetic algorithms", Computer Methods
    in Applied Mechanics and Engineering 186 (2000) 311-338, section 3.
"""

from __future__ import annotations

import numpy as np

__all__ = ["violation", "constraint_violation", "order", "ranks", "apply_repair", "HANDLINGS"]

HANDLINGS = ("feasibility", "penalty")


def violation(g) -> np.ndarray:
    """Sum of positive parts of constraint values, shape ``(n,)`` or ``(n, m)`` -> ``(n,)``."""
    g = np.asarray(g, dtype=float)
    if g.ndim == 1:
        g = g[:, None]
    if np.isnan(g).any():
        raise ValueError("constraint returned NaN; return a number or vector with g <= 0 feasible")
    return np.maximum(g, 0.0).reshape(g.shape[0], -1).sum(axis=1)


def constraint_violation(constraint, space, genome, n: int, vectorized: bool) -> np.ndarray:
    """Violation of each of the ``n`` individuals of ``genome`` (zeros without a constraint).

    ``vectorized`` constraints get the whole genome (dict name -> array, leading axis ``n``) and
    return shape ``(n,)`` or ``(n, m)``; others get one params dict at a time.
    """
    if constraint is None or n == 0:
        return np.zeros(n)
    if vectorized:
        g = np.asarray(constraint(genome), dtype=float)
    else:
        g = np.array([np.ravel(constraint(p)) for p in space.to_params(genome)], dtype=float)
    if g.shape[:1] != (n,):
        raise ValueError(f"constraint must return one row per individual, got shape {g.shape}")
    return violation(g)


def order(values, viol, handling: str = "feasibility", penalty: float = 1e3) -> np.ndarray:
    """Indices from best to worst under the constraint ``handling`` (stable on ties)."""
    values = np.asarray(values, dtype=float)
    failed = ~np.isfinite(values)
    if handling == "penalty":
        return np.lexsort((values + penalty * viol, failed))
    return np.lexsort((values, viol, failed))


def ranks(values, viol, handling: str = "feasibility", penalty: float = 1e3) -> np.ndarray:
    """0-based rank of each individual (0 = best) under :func:`order`."""
    idx = order(values, viol, handling, penalty)
    r = np.empty(len(idx), dtype=np.int64)
    r[idx] = np.arange(len(idx))
    return r


def apply_repair(repair, space, genome, vectorized: bool) -> dict:
    """Children after the user's ``repair`` hook (Lamarckian: repaired genes replace the child's).

    ``vectorized`` hooks map a genome to a genome; others map one params dict to a params dict.
    """
    if repair is None:
        return genome
    if vectorized:
        fixed = repair({k: v.copy() for k, v in genome.items()})
    else:
        fixed = space.from_params([repair(dict(p)) for p in space.to_params(genome)])
    missing = set(genome) - set(fixed)
    if missing:
        raise ValueError(f"repair returned no value for {sorted(missing)}")
    return {k: np.asarray(fixed[k]).astype(genome[k].dtype) for k in genome}
