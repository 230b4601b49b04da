"""Per-primitive overhead: forward + backward time per operation on tiny values.

A chain of N operations (``x = sin(x) * c + d``: three primitives a step) on arrays of shape
(4,) and on Python floats, differentiated once; the figure is total time / number of
primitives. Engines: nondiff.autodiff, HIPS autograd, PyTorch CPU, and micrograd on floats (it
has no sin, so its float chain is ``x = (x * c + d) * e``, also three operations a step).
Run: ``/work/venv-autodiff/bin/python benchmarks/autodiff_overhead.py``.
"""

from __future__ import annotations

import numpy as np
from autodiff_common import interleaved, optional, table

import nondiff.autodiff as ad
import nondiff.autodiff.numpy as anp

STEPS = 1000
OPS = 3 * STEPS


def chain(np_like, x):
    for _ in range(STEPS):
        x = np_like.sin(x) * 0.999 + 0.001
    return x


def scalar_chain(x):
    for _ in range(STEPS):
        x = (x * 0.999 + 0.001) * 1.0001
    return x


def cases_arrays():
    x = np.linspace(0.1, 0.4, 4)
    ours = ad.grad(lambda v: anp.sum(chain(anp, v)))
    cases = {"nondiff.autodiff": lambda: ours(x)}
    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as agnp
        ag = autograd.grad(lambda v: agnp.sum(chain(agnp, v)))
        cases["autograd"] = lambda: ag(x)
    torch = optional("torch")
    if torch is not None:
        def run():
            v = torch.tensor(x, requires_grad=True)
            torch.sum(chain(torch, v)).backward()
            return v.grad
        cases["torch"] = run
    return cases


def cases_floats():
    ours = ad.grad(lambda v: chain(anp, v))
    ours_arith = ad.grad(scalar_chain)
    cases = {"nondiff.autodiff (sin)": lambda: ours(0.3),
             "nondiff.autodiff (arith)": lambda: ours_arith(0.3)}
    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as agnp
        ag = autograd.grad(lambda v: chain(agnp, v))
        cases["autograd (sin)"] = lambda: ag(0.3)
    micrograd = optional("micrograd.engine")
    if micrograd is not None:
        def run():
            v = micrograd.Value(0.3)
            scalar_chain(v).backward()
            return v.grad
        cases["micrograd (arith)"] = run
    torch = optional("torch")
    if torch is not None:
        def run_torch():
            v = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
            chain(torch, v).backward()
            return v.grad
        cases["torch 0-d (sin)"] = run_torch
    return cases


def main():
    for title, cases in (("arrays of shape (4,)", cases_arrays()),
                         ("Python floats", cases_floats())):
        med = interleaved(cases, rounds=9, repeat=3)
        table(f"Per-primitive forward+backward, {title} ({OPS} ops, median of 9 rounds)",
              [(k, f"{v / OPS * 1e6:.2f} us/op") for k, v in med.items()], ("engine", "time"))


if __name__ == "__main__":
    main()
