"""Quickstart: tune a non-differentiable controller with nondiff.

A heater is switched on and off by a thermostat with hysteresis. The program has branches on
the state, an integer (how many steps the heater must stay on once switched), a categorical
(the switching rule) and two reals (set point offset and hysteresis band). Nothing here has a
useful gradient. The cost is the squared tracking error plus a price per switch.

Run it with ``python examples/quickstart.py`` (options: ``--strategy``, ``--budget``,
``--seed``, ``--workers``).
"""

from __future__ import annotations

import argparse

import nondiff as nd

SPACE = nd.Space(
    offset=nd.Real(-2.0, 2.0),          # set point offset, degrees
    band=nd.Real(0.05, 3.0, log=True),  # hysteresis band, degrees
    min_on=nd.Integer(1, 10),           # steps the heater stays on once switched on
    rule=nd.Categorical(["bang-bang", "hysteresis", "predictive"]),
)


def thermostat_cost(offset, band, min_on, rule, steps=300):
    """Simulate 300 steps of a room with a thermostat; return tracking error + switch cost."""
    temp, target, on, on_for, switches, cost = 15.0, 20.0, False, 0, 0, 0.0
    for t in range(steps):
        outside = 5.0 + 5.0 * ((t // 50) % 2)  # the weather changes every 50 steps
        setpoint = target + offset
        if rule == "bang-bang":
            want = temp < setpoint
        elif rule == "hysteresis":
            want = temp < setpoint - band if not on else temp < setpoint + band
        else:  # predictive: look one step ahead
            ahead = temp + 0.1 * (outside - temp) + (1.5 if on else 0.0)
            want = ahead < setpoint
        if on and on_for < min_on:
            want = True
        switches += want != on
        on_for = on_for + 1 if (want and on) else (1 if want else 0)
        on = want
        temp += 0.1 * (outside - temp) + (1.5 if on else 0.0)
        cost += (temp - target) ** 2
    return cost / steps + 0.05 * switches


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="auto")
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    res = nd.minimize(thermostat_cost, SPACE, args.strategy, budget=args.budget, seed=args.seed,
                      workers=args.workers)
    print(f"strategy {args.strategy}: best cost {res.fun:.4f} after {res.nfev} evaluations")
    print("best parameters:", res.params)
    print("evaluations by status:", res.counts)
    if res.get("strategy_info"):
        print(res.strategy_info)
    return res


if __name__ == "__main__":
    main()
