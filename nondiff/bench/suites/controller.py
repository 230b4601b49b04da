"""The ``bang-bang`` controller program in pure Python, run as a command by ``bang-bang-cli``.

``python -m nondiff.bench.suites.controller --instance 1 --c 1 --deadband 0.1 --k 2 --kd 2``
prints the total settling time (seconds) of the double integrator from the instance's 8
starting states (see :mod:`nondiff.bench.suites.programs`). It imports neither numpy nor the
rest of nondiff, so one call costs little more than the interpreter's start-up; the tests check
it against the vectorized numpy version.
"""

from __future__ import annotations

import argparse
import random

__all__ = ["NAMES", "starts", "settling_time", "main"]

NAMES = ("c", "deadband", "k", "kd")
DT, HORIZON, TOL = 0.05, 200, 0.05


def starts(instance: int) -> list[tuple[float, float]]:
    """8 (position, velocity) starting states of an instance: positions in +-2, speeds in +-1."""
    rng = random.Random(7919 * instance + 7)  # fixed problem data, not a search's randomness
    return [(rng.uniform(-2, 2), rng.uniform(-1, 1)) for _ in range(8)]


def _sign(s: float) -> float:
    return (s > 0) - (s < 0)


def _settle_one(c, w, k, kd, x, v) -> int:
    """Steps until the state enters the tolerance box for good (HORIZON if it never does)."""
    last_out = 0
    for t in range(HORIZON):
        if abs(x) >= TOL or abs(v) >= TOL:
            last_out = t + 1
        s = x + c * v * abs(v)
        if abs(s) > w:
            u = -_sign(s)  # full thrust against the switching function
        else:
            u = min(1.0, max(-1.0, -k * x - kd * v))  # saturated PD inside the dead band
        x, v = x + DT * v, v + DT * u
    if abs(x) >= TOL or abs(v) >= TOL:
        last_out = HORIZON
    return last_out


def settling_time(params, instance: int) -> float:
    """Total settling time in seconds of the gains ``params = (c, deadband, k, kd)``."""
    c, w, k, kd = (float(p) for p in params)
    return DT * sum(_settle_one(c, w, k, kd, x, v) for x, v in starts(instance))


def main(argv=None) -> None:
    """Print the settling time of the gains given as flags."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--instance", type=int, default=1)
    for name in NAMES:
        parser.add_argument(f"--{name}", type=float, required=True)
    args = parser.parse_args(argv)
    print(repr(settling_time([getattr(args, n) for n in NAMES], args.instance)))


if __name__ == "__main__":
    main()
