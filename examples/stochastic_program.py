"""A stochastic program mixing a discrete choice and a continuous random variable.

A courier picks one of three routes (a Categorical draw: no pathwise gradient) and then drives
at a speed that varies around a chosen mean (a Normal draw: reparameterizable). The cost is
travel time plus fuel, which grows with speed. ``estimate_grad`` combines the score-function
term of the route choice with the pathwise gradient through the speed, and Adam trains the
route logits and the mean speed. The exact optimum is computed by enumeration for comparison.

    python examples/stochastic_program.py [--steps 1500] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

from nondiff.stochastic import Categorical, Estimator, Normal, sample

DISTANCE = np.array([10.0, 7.0, 12.0])     # km per route
CONGESTION = np.array([1.0, 1.6, 0.8])     # multiplies the travel time
SPEED_SPREAD = 0.1                          # std of the speed around its mean (fraction)


def trip_cost(theta):
    """Expected-cost program: choose a route, drive at a random speed, pay time + fuel."""
    route = sample(Categorical(theta["route_logits"]), name="route")
    speed = theta["speed"] * (1.0 + sample(Normal(0.0, SPEED_SPREAD), name="speed_noise"))
    hours = DISTANCE[route] * CONGESTION[route] / speed
    fuel = 0.002 * DISTANCE[route] * speed ** 2
    return 10.0 * hours + fuel


def exact_best():
    """Best route and speed by enumeration, with E over the Normal by quadrature."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    speeds = np.linspace(5.0, 150.0, 2901)
    best = (np.inf, None, None)
    for r in range(3):
        v = speeds[:, None] * (1.0 + SPEED_SPREAD * nodes[None, :])
        cost = (10.0 * DISTANCE[r] * CONGESTION[r] / v + 0.002 * DISTANCE[r] * v ** 2) @ weights
        i = int(np.argmin(cost))
        best = min(best, (cost[i], r, speeds[i]), key=lambda t: t[0])
    return best


def train(steps=1500, seed=0, lr=0.05):
    theta = {"route_logits": np.zeros(3), "speed": np.array(30.0)}
    est = Estimator(trip_cost, 16, baseline="rloo", seed=seed)
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v2 = {k: np.zeros_like(v) for k, v in theta.items()}
    for t in range(1, steps + 1):
        g = est(theta).grad
        for k in theta:  # Adam (Kingma & Ba 2015), speed on a scale 100x the logits'
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v2[k] = 0.999 * v2[k] + 0.001 * g[k] ** 2
            step = (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v2[k] / (1 - 0.999 ** t)) + 1e-8)
            theta[k] = theta[k] - lr * (100.0 if k == "speed" else 1.0) * step
    return theta


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    theta = train(args.steps, args.seed)
    probs = np.exp(theta["route_logits"]) / np.exp(theta["route_logits"]).sum()
    cost, route, speed = exact_best()
    speed_learned = float(theta["speed"])
    print(f"learned: route probabilities {np.round(probs, 3)}, mean speed {speed_learned:.1f}")
    print(f"exact:   route {route}, speed {speed:.1f}, expected cost {cost:.3f}")
    return theta


if __name__ == "__main__":
    main()
