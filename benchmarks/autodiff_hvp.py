"""Hessian-vector product on Rosenbrock, dimension 1,000: hvp time / the engine's own gradient
time; and the full Hessian in dimension 100 against the closed form.

Engines: nondiff.autodiff (forward over reverse), HIPS autograd (``hessian_vector_product``,
reverse over reverse), PyTorch CPU (double backward). Run:
``/work/venv-autodiff/bin/python benchmarks/autodiff_hvp.py``.
"""

from __future__ import annotations

import numpy as np
from autodiff_common import interleaved, optional, table

import nondiff.autodiff as ad
import nondiff.autodiff.numpy as anp

DIM = 1000


def rosenbrock(np_like, x):
    return np_like.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    n = len(x)
    h = np.zeros((n, n))
    i = np.arange(n - 1)
    h[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    h[i + 1, i + 1] += 200
    h[i, i + 1] = h[i + 1, i] = -400 * x[:-1]
    return h


def main():
    rng = np.random.default_rng(0)
    x, v = rng.uniform(-1, 1, DIM), rng.standard_normal(DIM)
    f = lambda z: rosenbrock(anp, z)  # noqa: E731
    grad, hvp = ad.grad(f), ad.hvp(f)
    assert np.allclose(hvp(x, v), rosenbrock_hessian(x) @ v)
    cases = {"nondiff grad": lambda: grad(x), "nondiff hvp": lambda: hvp(x, v)}
    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as agnp
        ag_f = lambda z: rosenbrock(agnp, z)  # noqa: E731
        ag_grad, ag_hvp = autograd.grad(ag_f), autograd.hessian_vector_product(ag_f)
        cases["autograd grad"] = lambda: ag_grad(x)
        cases["autograd hvp"] = lambda: ag_hvp(x, v)
    torch = optional("torch")
    if torch is not None:
        tv = torch.tensor(v)

        def t_grad():
            tx = torch.tensor(x, requires_grad=True)
            return torch.autograd.grad(rosenbrock(torch, tx), tx)[0]

        def t_hvp():
            tx = torch.tensor(x, requires_grad=True)
            (g,) = torch.autograd.grad(rosenbrock(torch, tx), tx, create_graph=True)
            return torch.autograd.grad(g @ tv, tx)[0]
        cases["torch grad"], cases["torch hvp"] = t_grad, t_hvp
    med = interleaved(cases, rounds=9, repeat=5)
    rows = []
    for engine in ("nondiff", "autograd", "torch"):
        if f"{engine} grad" in med:
            g, h = med[f"{engine} grad"], med[f"{engine} hvp"]
            rows.append((engine, f"{g * 1e6:.0f} us", f"{h * 1e6:.0f} us", f"{h / g:.2f}x"))
    table(f"Rosenbrock, dimension {DIM} (median of 9 interleaved rounds)", rows,
          ("engine", "grad", "hvp", "hvp / grad"))
    x100 = rng.uniform(-1, 1, 100)
    err = np.max(np.abs(ad.hessian(f)(x100) - rosenbrock_hessian(x100)))
    print(f"\nfull Hessian, dimension 100: max |H - closed form| = {err:.1e}")


if __name__ == "__main__":
    main()
