"""MLP 784-256-256-10, batch 128, softmax cross-entropy: gradient time / plain numpy forward.

Engines: nondiff.autodiff, HIPS autograd, PyTorch CPU (all float64, one thread), and a
hand-written numpy backward pass as the floor. Each engine runs in its own process, where its
gradient and the plain numpy forward are timed alternately; processes are interleaved across
engines and the median ratio is reported. Run:
``/work/venv-autodiff/bin/python benchmarks/autodiff_mlp.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

import numpy as np
from autodiff_common import interleaved, optional, steady_allocator, table

import nondiff.autodiff as ad
import nondiff.autodiff.numpy as anp

SIZES, BATCH = (784, 256, 256, 10), 128


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros(b) for b in SIZES[1:]]
    x = rng.standard_normal((BATCH, SIZES[0]))
    y = rng.integers(0, SIZES[-1], BATCH)
    return [w for pair in zip(ws, bs) for w in pair], x, y


def numpy_forward(params, x, y):
    h = x
    for k in range(0, len(params) - 2, 2):
        h = np.maximum(h @ params[k] + params[k + 1], 0.0)
    logits = h @ params[-2] + params[-1]
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def numpy_backward(params, x, y):
    """Hand-written gradient (the floor any engine is compared to)."""
    hs, h = [x], x
    for k in range(0, len(params) - 2, 2):
        h = np.maximum(h @ params[k] + params[k + 1], 0.0)
        hs.append(h)
    logits = h @ params[-2] + params[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    g = p / len(y)
    grads = [None] * len(params)
    for k in range(len(params) - 2, -1, -2):
        grads[k], grads[k + 1] = hs[k // 2].T @ g, g.sum(axis=0)
        if k:
            g = (g @ params[k].T) * (hs[k // 2] > 0)
    return grads


def engine_loss(np_like, logsumexp):
    def loss(params, x, y):
        h = x
        for k in range(0, len(params) - 2, 2):
            h = np_like.maximum(h @ params[k] + params[k + 1], 0.0)
        logits = h @ params[-2] + params[-1]
        return np_like.mean(logsumexp(logits, axis=1) - logits[np.arange(len(y)), y])
    return loss


def torch_case(torch, params, x, y):
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    tx, ty = torch.tensor(x), torch.tensor(y)

    def run():
        h = tx
        for k in range(0, len(tp) - 2, 2):
            h = torch.relu(h @ tp[k] + tp[k + 1])
        logits = h @ tp[-2] + tp[-1]
        loss = torch.mean(torch.logsumexp(logits, 1) - logits[torch.arange(len(ty)), ty])
        return torch.autograd.grad(loss, tp)
    return run


def engine_case(name, params, x, y):
    """The gradient call of engine ``name`` (None if the engine is not installed)."""
    if name == "nondiff.autodiff":
        ours = ad.grad(engine_loss(anp, anp.special.logsumexp))
        return lambda: ours(params, x, y)
    if name == "numpy hand backward":
        return lambda: numpy_backward(params, x, y)
    if name == "autograd":
        autograd = optional("autograd")
        if autograd is None:
            return None
        import autograd.numpy as agnp
        from autograd.scipy.special import logsumexp as ag_lse
        ag = autograd.grad(engine_loss(agnp, ag_lse))
        return lambda: ag(params, x, y)
    torch = optional("torch")
    return None if torch is None else torch_case(torch, params, x, y)


ENGINES = ("numpy hand backward", "nondiff.autodiff", "autograd", "torch")


def measure(name):
    """One process, one engine: its gradient time over numpy's forward time, both measured
    here, alternately, so that the ratio does not depend on the load of the moment."""
    steady_allocator()
    params, x, y = make_data()
    case = engine_case(name, params, x, y)
    if case is None:
        return None
    med = interleaved({"forward": lambda: numpy_forward(params, x, y), "grad": case},
                      rounds=9, repeat=5)
    return med["grad"] / med["forward"], med["forward"], med["grad"]


def main():
    if "--engine" in sys.argv:
        print(json.dumps(measure(sys.argv[sys.argv.index("--engine") + 1])))
        return
    params, x, y = make_data()
    expected = numpy_backward(params, x, y)
    got = ad.grad(engine_loss(anp, anp.special.logsumexp))(params, x, y)
    assert all(np.allclose(a, b) for a, b in zip(got, expected))
    ratios = {name: [] for name in ENGINES}
    for _ in range(5):  # processes interleaved: engine after engine, five times
        for name in ENGINES:
            out = subprocess.run([sys.executable, __file__, "--engine", name, *sys.argv[1:]],
                                 capture_output=True, text=True, check=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            if result is not None:
                ratios[name].append(result)
    rows = [(name, f"{statistics.median(r[0] for r in rs):.2f}x",
             f"{statistics.median(r[2] for r in rs) * 1e3:.2f} ms",
             f"{statistics.median(r[1] for r in rs) * 1e3:.2f} ms")
            for name, rs in ratios.items() if rs]
    table("MLP 784-256-256-10, batch 128, float64, 1 thread: gradient / numpy forward "
          "(median of 5 interleaved processes)", rows,
          ("engine", "grad / forward", "grad", "forward (same process)"))


if __name__ == "__main__":
    main()
