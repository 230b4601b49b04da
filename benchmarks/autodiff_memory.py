"""Peak memory of the gradient of a 10,000-operation chain, each engine in its own process.

The chain ``x = sin(x) * 0.999`` (5,000 steps, two primitives each) on arrays of 1,000
float64: the backward pass needs one saved array per ``sin`` (8 kB each, 40 MB in all), nothing
for the multiplications by a constant. Reported: the growth of peak RSS during the gradient
call, against that 40 MB floor. Run:
``/work/venv-autodiff/bin/python benchmarks/autodiff_memory.py``.
"""

from __future__ import annotations

import subprocess
import sys

from autodiff_common import table

STEPS, SIZE = 5000, 1000

CHILD = r"""
import resource, sys
sys.path.insert(0, {root!r})
import numpy as np
engine = {engine!r}
x = np.linspace(0.1, 0.9, {size})

def chain(m, x):
    for _ in range({steps}):
        x = m.sin(x) * 0.999
    return m.sum(x)

if engine == "nondiff":
    import nondiff.autodiff as ad, nondiff.autodiff.numpy as anp
    run = lambda: ad.grad(lambda v: chain(anp, v))(x)
elif engine == "autograd":
    import autograd, autograd.numpy as agnp
    run = lambda: autograd.grad(lambda v: chain(agnp, v))(x)
else:
    import torch
    def run():
        v = torch.tensor(x, requires_grad=True)
        chain(torch, v).backward()
        return v.grad
x_small = x
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024)
"""


def main():
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    floor = STEPS * SIZE * 8 / 2 ** 20
    rows = []
    for engine in ("nondiff", "autograd", "torch"):
        code = CHILD.format(root=root, engine=engine, size=SIZE, steps=STEPS)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if proc.returncode:
            rows.append((engine, "skipped: " + proc.stderr.strip().splitlines()[-1][:60], ""))
            continue
        grow = float(proc.stdout.strip())
        rows.append((engine, f"{grow:.1f} MiB", f"{grow / floor:.2f}x"))
    table(f"Peak RSS growth, gradient of a {2 * STEPS}-op chain on {SIZE} floats "
          f"(saved values needed: {floor:.1f} MiB)", rows, ("engine", "peak growth", "/ needed"))


if __name__ == "__main__":
    main()
