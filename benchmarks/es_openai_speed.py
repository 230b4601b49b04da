"""Time per generation of OpenAI-ES, popsize 256, dimension 1000, on a vectorized sphere.

Three implementations run interleaved in one process, one block of generations each per round:

- ``nondiff``: ``strategies.es.OpenAIES`` through ask -> stack the vectors -> sphere -> tell,
  in float64, with ``dtype="float32"`` sampling, and with float32 plus a shared noise table of
  2**22 numbers (``noise_table``, Salimans et al.'s device: perturbations are windows of one
  table read at random offsets, so a generation draws 128 integers instead of 128,000
  normals);
- ``numpy-ref``: the same generation written as a bare numpy loop (no candidates, no ids): the
  floor for a numpy implementation;
- ``evosax``: evosax's ``Open_ES`` with ask, evaluation and tell in one ``jax.jit``-compiled
  step on the CPU (only when evosax and jax import: run this script with the interpreter of
  the venv that has them, e.g. ``/work/venv-es/bin/python``).

BLAS, OpenMP and XLA are pinned to one thread before numpy/jax load. Every implementation
uses antithetic sampling, centered ranks and Adam (lr 0.01, sigma 0.05).

glibc hands freed blocks above its trim threshold back to the kernel, so every 2 MB numpy
temporary of a generation is page-faulted in again (this alone made the bare numpy generation
~6x slower here). The script re-executes itself with ``MALLOC_TRIM_THRESHOLD_`` and
``MALLOC_MMAP_THRESHOLD_`` at 256 MB unless ``--default-malloc`` is given; both settings are
printed. Wall time and process CPU time are both reported: on a shared machine the CPU time is
the steadier figure.

Usage: ``python benchmarks/es_openai_speed.py [--rounds 7] [--gens 40]``; prints the median and
the 10-90% range of the per-round mean time per generation, in milliseconds.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

_MALLOC = {"MALLOC_TRIM_THRESHOLD_": "268435456", "MALLOC_MMAP_THRESHOLD_": "268435456"}
if "--default-malloc" not in __import__("sys").argv and any(
        os.environ.get(k) != v for k, v in _MALLOC.items()):
    os.environ.update(_MALLOC)
    os.execv(__import__("sys").executable, [__import__("sys").executable, *__import__("sys").argv])

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nondiff.space import Array, Space  # noqa: E402
from strategies.es import OpenAIES  # noqa: E402

POP, DIM, LR, SIGMA = 256, 1000, 0.01, 0.05


def vectors(cands):
    v = getattr(cands, "vectors", None)  # a Batch carries its matrix
    return v if v is not None else np.stack([c.vector for c in cands])


def nondiff_runner(dtype, noise_table=0):
    es = OpenAIES(Space(w=Array((DIM,), -5.0, 5.0)), seed=0, popsize=POP, sigma0=SIGMA, lr=LR,
                  x0=np.full(DIM, 0.6), dtype=dtype, noise_table=noise_table)

    def gen():
        cands = es.ask()
        X = vectors(cands)
        es.tell(cands, ((X - 0.5) ** 2).sum(axis=1))
    return gen


def numpy_reference():
    rng = np.random.default_rng(0)
    mean, m, v = np.full(DIM, 0.6), np.zeros(DIM), np.zeros(DIM)
    t = [0]

    def gen():
        nonlocal mean, m, v
        half = rng.standard_normal((POP // 2, DIM))
        eps = np.concatenate([half, -half])
        f = ((mean + SIGMA * eps - 0.5) ** 2).sum(axis=1)
        r = np.empty(POP)
        r[np.argsort(f)] = np.arange(POP)
        g = (r / (POP - 1) - 0.5) @ eps / (POP * SIGMA)
        t[0] += 1
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        mean = mean - LR * (m / (1 - 0.9 ** t[0])) / (np.sqrt(v / (1 - 0.999 ** t[0])) + 1e-8)
    return gen


def evosax_runner():
    try:
        import jax
        import jax.numpy as jnp
        import optax
        from evosax.algorithms import Open_ES
    except ImportError as exc:
        print(f"evosax: not measured ({exc}); run with the venv that has evosax and jax")
        return None
    es = Open_ES(population_size=POP, solution=jnp.zeros(DIM), optimizer=optax.adam(LR),
                 std_schedule=optax.constant_schedule(SIGMA))
    params = es.default_params
    state = [es.init(jax.random.key(0), jnp.full(DIM, 0.6), params), jax.random.key(1)]

    @jax.jit
    def step(state, key):
        k_ask, k_tell, key = jax.random.split(key, 3)
        pop, state = es.ask(k_ask, state, params)
        fit = ((pop - 0.5) ** 2).sum(axis=1)
        state, _ = es.tell(k_tell, pop, fit, state, params)
        return state, key

    def gen():
        state[0], state[1] = step(state[0], state[1])
        state[0].mean.block_until_ready()
    gen()  # compile outside the timings
    return gen


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--gens", type=int, default=40)
    ap.add_argument("--default-malloc", action="store_true")
    args = ap.parse_args()
    runners = {"nondiff float64": nondiff_runner("float64"),
               "nondiff float32": nondiff_runner("float32"),
               "nondiff f32 noise table": nondiff_runner("float32", 2**22),
               "numpy-ref float64": numpy_reference()}
    ev = evosax_runner()
    if ev is not None:
        runners["evosax Open_ES (jit)"] = ev
    wall, cpu = {k: [] for k in runners}, {k: [] for k in runners}
    for gen in runners.values():
        gen()  # warm up
    for _ in range(args.rounds):
        for name, gen in runners.items():
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(args.gens):
                gen()
            wall[name].append((time.perf_counter() - t0) / args.gens * 1e3)
            cpu[name].append((time.process_time() - c0) / args.gens * 1e3)
    malloc = {k: os.environ.get(k, "default") for k in _MALLOC}
    print(f"OpenAI-ES popsize {POP} dim {DIM}: ms per generation, median [p10, p90] over "
          f"{args.rounds} rounds of {args.gens} generations, 1 thread, {malloc}")
    print(f"  {'':24s} {'wall':>22s}   {'cpu':>22s}")
    for name in runners:
        w10, w50, w90 = np.percentile(wall[name], [10, 50, 90])
        c10, c50, c90 = np.percentile(cpu[name], [10, 50, 90])
        print(f"  {name:24s} {w50:7.3f} [{w10:6.3f}, {w90:6.3f}]   "
              f"{c50:7.3f} [{c10:6.3f}, {c90:6.3f}]")


if __name__ == "__main__":
    main()
