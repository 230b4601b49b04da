"""MLP 784-256-256-10, batch 128, softmax cross-entropy: gradient time / plain numpy forward.

Engines: nondiff.autodiff, HIPS autograd, PyTorch CPU (all float64, one thread), and a
hand-written numpy backward pass as the floor. Run:
``/work/venv-autodiff/bin/python benchmarks/autodiff_mlp.py``.
"""

from __future__ import annotations

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


def main():
    steady_allocator()
    params, x, y = make_data()
    ours = ad.grad(engine_loss(anp, anp.special.logsumexp))
    expected = numpy_backward(params, x, y)
    assert all(np.allclose(a, b) for a, b in zip(ours(params, x, y), expected))
    cases = {"numpy forward": lambda: numpy_forward(params, x, y),
             "numpy hand backward": lambda: numpy_backward(params, x, y),
             "nondiff.autodiff grad": lambda: ours(params, x, y)}
    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as agnp
        from autograd.scipy.special import logsumexp as ag_lse
        ag = autograd.grad(engine_loss(agnp, ag_lse))
        cases["autograd grad"] = lambda: ag(params, x, y)
    torch = optional("torch")
    if torch is not None:
        cases["torch grad"] = torch_case(torch, params, x, y)
    med = interleaved(cases, rounds=9, repeat=3)
    base = med["numpy forward"]
    table("MLP 784-256-256-10, batch 128 (float64, 1 thread, median of 9 interleaved rounds)",
          [(k, f"{v * 1e3:.2f} ms", f"{v / base:.2f}x") for k, v in med.items()],
          ("case", "time", "/ numpy forward"))


if __name__ == "__main__":
    main()
