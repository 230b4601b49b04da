"""A 2,000-step scalar recurrence with data-dependent ``if`` and ``while``: gradient time over
plain-Python forward time, and what recording non-differentiable events for ``analyze`` costs.

Engines: nondiff.autodiff, HIPS autograd, PyTorch CPU (0-d float64 tensors), micrograd
(branches read ``.data``, it has no comparisons). Run:
``/work/venv-autodiff/bin/python benchmarks/autodiff_recurrence.py``.
"""

from __future__ import annotations

import importlib
import statistics

from autodiff_common import interleaved_samples, optional, table

import nondiff.autodiff as ad

analysis = importlib.import_module("nondiff.autodiff.analyze")  # the module, not the function

STEPS = 2000


def recurrence(a, b, value=lambda v: v):
    x = a
    for _ in range(STEPS):
        if value(x) > 1.0:  # data-dependent branch
            x = x * 0.5 + b
        else:
            x = x * 1.1 + 0.01 * b * x
        while value(x) > 3.0:  # data-dependent loop
            x = x * 0.9
    return x


def main():
    ours = ad.grad(recurrence, argnums=(0, 1))
    cases = {"plain Python": lambda: recurrence(0.5, 0.3),
             "nondiff.autodiff grad": lambda: ours(0.5, 0.3),
             "nondiff.autodiff analyze": lambda: ad.analyze(recurrence, 0.5, 0.3),
             "analyze, recording off": _analyze_without_recording}
    autograd = optional("autograd")
    if autograd is not None:
        ag_a, ag_b = autograd.grad(recurrence, 0), autograd.grad(recurrence, 1)
        cases["autograd grad"] = lambda: (ag_a(0.5, 0.3), ag_b(0.5, 0.3))
    torch = optional("torch")
    if torch is not None:
        def run_torch():
            a = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
            recurrence(a, b).backward()
            return a.grad, b.grad
        cases["torch grad"] = run_torch
    micrograd = optional("micrograd.engine")
    if micrograd is not None:
        def run_micrograd():
            a, b = micrograd.Value(0.5), micrograd.Value(0.3)
            recurrence(a, b, value=lambda v: v.data).backward()
            return a.grad, b.grad
        cases["micrograd grad"] = run_micrograd
    samples = interleaved_samples(cases, rounds=15, repeat=3)
    med = {k: statistics.median(v) for k, v in samples.items()}
    base, grad_time = med["plain Python"], med["nondiff.autodiff grad"]
    table(f"{STEPS}-step recurrence with if/while (median of 15 interleaved rounds)",
          [(k, f"{v * 1e3:.2f} ms", f"{v / base:.0f}x") for k, v in med.items()],
          ("case", "time", "/ plain Python"))
    # paired per round (same load), relative to that round's gradient time
    shares = [(a - b) / g for a, b, g in zip(samples["nondiff.autodiff analyze"],
                                           samples["analyze, recording off"],
                                           samples["nondiff.autodiff grad"])]
    print(f"\nrecording events costs {100 * statistics.median(shares):.1f}% of the gradient time "
          "(median over rounds of the paired difference); a whole analyze() run is "
          f"{med['nondiff.autodiff analyze'] / grad_time:.2f}x the gradient time; "
          f"gradient / micrograd's: {grad_time / med.get('micrograd grad', float('nan')):.2f}")


def _analyze_without_recording():
    """analyze() with the conversion hook reduced to what grad does (no recording)."""
    event = analysis.AnalyzeTrace.event
    analysis.AnalyzeTrace.event = lambda self, kind, box, convert: convert(box._value)
    try:
        return ad.analyze(recurrence, 0.5, 0.3)
    finally:
        analysis.AnalyzeTrace.event = event


if __name__ == "__main__":
    main()
