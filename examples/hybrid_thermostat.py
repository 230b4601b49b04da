"""A thermostat with hysteresis: thresholds searched black-box, heater gains by gradients.

A room is simulated for a day in half-hour steps. The heater switches on when the temperature
falls below ``t_low`` and off when it rises above ``t_low + band`` (if/else on the state);
while on it heats at the step's gain ``gains[t]``. The cost adds discomfort (squared
distance to 21 C), energy at the hour's price, and a price per switch. The thresholds enter
only through the branches, so their gradient is zero: ``classify`` calls them black-box. The
gains have an exact gradient between switches: piecewise. ``hybrid`` searches the thresholds
with CMA-ES and trains the gains with Adam (plus small perturbations so switches can move).

Usage: ``python examples/hybrid_thermostat.py [--seed 0] [--budget 2000]``.
"""

import argparse

import numpy as np

from nondiff.hybrid import classify, minimize
from nondiff.space import Array, Real, Space

STEPS, DT, LOSS_RATE, SETPOINT = 48, 0.5, 0.2, 21.0
ENERGY, SWITCH = 0.02, 0.05

SPACE = Space(t_low=Real(15.0, 22.0), band=Real(0.1, 3.0), gains=Array(STEPS, 0.0, 10.0))


def make_day(seed):
    """Outdoor temperature and energy price per step for the day of ``seed``."""
    rng = np.random.default_rng(seed)
    hours = np.arange(STEPS) * DT
    outdoor = 4 + 5 * np.sin(2 * np.pi * (hours - 9) / 24) + rng.normal(0, 1, STEPS)
    price = 1 + 0.8 * ((hours >= 7) & (hours < 10) | (hours >= 17) & (hours < 21))
    return {"outdoor": outdoor, "price": price}


def make_program(day):
    """``cost(t_low, band, gains)`` for one day (a plain Python loop with if/else)."""
    outdoor, price = day["outdoor"], day["price"]

    def cost(t_low, band, gains):
        temp, on, switches, total = 18.0, False, 0, 0.0
        for t in range(STEPS):
            if on and temp > t_low + band:
                on, switches = False, switches + 1
            elif not on and temp < t_low:
                on, switches = True, switches + 1
            power = gains[t] if on else 0.0
            temp = temp + DT * (LOSS_RATE * (outdoor[t] - temp) + power)
            total = total + (temp - SETPOINT) ** 2 + ENERGY * price[t] * power * DT * 10
        return total / STEPS + SWITCH * switches

    return cost


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=2000)
    args = ap.parse_args()
    program = make_program(make_day(args.seed))
    print(classify(program, SPACE, seed=args.seed))
    res = minimize(program, SPACE, budget=args.budget, seed=args.seed, steps=10, lr=0.02)
    p = res.params
    print(f"cost {res.fun:.4f}: t_low {p['t_low']:.2f}, band {p['band']:.2f}, "
          f"gains {np.round(p['gains'], 1).tolist()}")
    print(f"{res.nfev} function evaluations ({res.nfev_outer} by the driver), "
          f"{res.njev} gradient evaluations")


if __name__ == "__main__":
    main()
