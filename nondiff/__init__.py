"""nondiff: optimize programs that gradients cannot reach.

Point it at a Python function, a simulator or a shell command with branches, loops, integer and
categorical choices and random sampling; it searches good parameters with evolution strategies,
CMA-ES, genetic algorithms, REINFORCE-style estimators or ADMM, and uses the bundled autodiff
engine (:mod:`nondiff.autodiff`) wherever part of the program is differentiable.

>>> import nondiff as nd
>>> space = nd.Space(x=nd.Real(-5, 5), n=nd.Integer(0, 10), act=nd.Categorical(["a", "b"]))
>>> res = nd.minimize(lambda x, n, act: (x - 1) ** 2 + n + (act == "b"), space,
...                   strategy="random", budget=300, seed=0)
>>> res.params["n"], res.params["act"]
(0, 'a')

Glossary
--------
space
    A named mapping of typed parameters (:class:`Real`, :class:`Integer`, :class:`Categorical`,
    :class:`Bits`, :class:`Permutation`, :class:`Array`). It owns two encodings: the *vector*
    (a point of the unit cube [0, 1]^dim, what ES/CMA-ES work on) and the *genome* (typed arrays
    per parameter with a population axis, what GAs work on).
params
    One point of a space as the user sees it: a dict name -> value.
objective
    What is optimized: a callable, a ``file.py:function`` reference or a shell command,
    with a direction (minimize/maximize) and a failure policy.
strategy
    An optimizer with the ask/tell protocol (:class:`~nondiff.strategy.Strategy`), found by
    name in the registry (``nondiff strategies`` lists them).
candidate
    One point handed out by ``ask()``: an id, its vector and its params.
generation
    One ask/evaluate/tell round.
budget
    The maximum number of objective evaluations of a run.
status
    The outcome of one evaluation: ok, error, nan, timeout, crashed or interrupted. Anything
    but ok is a *failure*, ranked worst and never passed to a strategy's arithmetic.
checkpoint
    A run saved as plain data; ``resume(path)`` continues it to the same result.
"""

from __future__ import annotations

import importlib

# eager: submodules of the same name would otherwise shadow these functions once imported
from nondiff.checkpoint import resume as resume
from nondiff.minimize import minimize as minimize

__version__ = "0.1.0"

# name -> module; resolved on first access so that `import nondiff` stays cheap (PEP 562)
_EXPORTS = {
    "Space": "nondiff.space", "Real": "nondiff.space", "Integer": "nondiff.space",
    "Categorical": "nondiff.space", "Bits": "nondiff.space", "Permutation": "nondiff.space",
    "Array": "nondiff.space",
    "Objective": "nondiff.objective", "as_objective": "nondiff.objective",
    "Status": "nondiff.evaluate", "Evaluator": "nondiff.evaluate",
    "Result": "nondiff.result",
    "Strategy": "nondiff.strategy", "Candidate": "nondiff.strategy",
    "check_strategy": "nondiff.conformance",
    "UsageError": "nondiff.errors", "ObjectiveError": "nondiff.errors",
    "NoFiniteValue": "nondiff.errors", "CheckpointError": "nondiff.errors",
    "sample": "nondiff.stochastic", "estimate_grad": "nondiff.stochastic",
    "Estimator": "nondiff.stochastic",
    "classify": "nondiff.hybrid", "HybridModel": "nondiff.hybrid",
}
_MODULES = {"registry", "seeding", "autodiff", "stochastic", "hybrid"}

__all__ = sorted(set(_EXPORTS) | _MODULES | {"minimize", "resume"})


def __getattr__(name):
    if name in _MODULES:
        value = importlib.import_module(f"nondiff.{name}")
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'nondiff' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
