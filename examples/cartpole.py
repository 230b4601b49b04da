"""Neuroevolution: evolve the weights of a small policy network that balances a cart-pole.

The task is the classic cart-pole of Barto, Sutton and Anderson (1983), written here in numpy
with the constants of the usual benchmark version: cart 1 kg, pole 0.1 kg and half-length
0.5 m, push of +-10 N, Euler steps of 0.02 s. An episode ends when the cart leaves
[-2.4, 2.4] m or the pole leans more than 12 degrees, or after 500 steps; the return is the
number of steps survived (so the maximum is 500). Termination makes the return a step
function of the weights: there is no gradient to follow, only search.

The policy is a 4-8-1 tanh network (49 weights in [-3, 3]) whose output sign picks the push.
The objective is a *batch* objective: it receives the weights of a whole generation and rolls
out every policy at once, one numpy step for all cart-poles, masking the ones whose episode
has ended. Each policy is scored on the same ``--starts`` initial states (uniform in
[-0.05, 0.05]^4, drawn once from ``--seed``), and the score is the mean return.

Run it with ``python examples/cartpole.py`` (options: ``--strategy openai-es|pgpe``,
``--budget`` evaluations, ``--seed``, ``--starts``); it stops as soon as a policy scores 500
on every start and then re-tests the best policy on 100 fresh starts.
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff as nd
from nondiff.seeding import as_generator

MAX_STEPS, HIDDEN = 500, 8
N_WEIGHTS = 4 * HIDDEN + HIDDEN + HIDDEN + 1
SPACE = nd.Space(w=nd.Array((N_WEIGHTS,), -3.0, 3.0))

# physical constants of the cart-pole (Barto et al. 1983)
GRAVITY, CART, POLE, HALF_LENGTH, FORCE, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL, POLE_MOMENT = CART + POLE, POLE * HALF_LENGTH
X_LIMIT, THETA_LIMIT = 2.4, 12 * 2 * np.pi / 360


def policy_actions(W: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Pushes (+-FORCE) of policies ``W`` (n, N_WEIGHTS) in ``states`` (n, 4)."""
    n = len(W)
    W1 = W[:, : 4 * HIDDEN].reshape(n, 4, HIDDEN)
    b1 = W[:, 4 * HIDDEN: 5 * HIDDEN]
    w2 = W[:, 5 * HIDDEN: 6 * HIDDEN]
    hidden = np.tanh(np.einsum("ni,nih->nh", states, W1) + b1)
    out = (hidden * w2).sum(axis=1) + W[:, -1]
    return np.where(out > 0, FORCE, -FORCE)


def physics_step(states: np.ndarray, force: np.ndarray) -> np.ndarray:
    """One Euler step of the cart-pole equations of motion for every row of ``states``."""
    x, x_dot, theta, theta_dot = states.T
    cos, sin = np.cos(theta), np.sin(theta)
    temp = (force + POLE_MOMENT * theta_dot**2 * sin) / TOTAL
    theta_acc = (GRAVITY * sin - cos * temp) / (
        HALF_LENGTH * (4.0 / 3.0 - POLE * cos**2 / TOTAL))
    x_acc = temp - POLE_MOMENT * theta_acc * cos / TOTAL
    return np.stack([x + TAU * x_dot, x_dot + TAU * x_acc,
                     theta + TAU * theta_dot, theta_dot + TAU * theta_acc], axis=1)


def episode_returns(W: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Returns of every policy in ``W`` from every start: shape (n_policies, n_starts)."""
    n, k = len(W), len(starts)
    W_rep = np.repeat(W, k, axis=0)  # one row per (policy, start) pair
    states = np.tile(starts, (n, 1))
    alive = np.ones(n * k, dtype=bool)
    returns = np.zeros(n * k)
    for _ in range(MAX_STEPS):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        s = physics_step(states[idx], policy_actions(W_rep[idx], states[idx]))
        states[idx] = s
        returns[idx] += 1.0  # the step that ends the episode still counts, as usual
        alive[idx] = (np.abs(s[:, 0]) <= X_LIMIT) & (np.abs(s[:, 2]) <= THETA_LIMIT)
    return returns.reshape(n, k)


def make_objective(starts: np.ndarray) -> nd.Objective:
    """A batch objective to maximize: mean return of each policy over the fixed starts."""

    def mean_return(W):
        return episode_returns(np.asarray(W).reshape(-1, N_WEIGHTS), starts).mean(axis=1)

    return nd.Objective(mean_return, SPACE, direction="maximize", batch=True)


def random_starts(seed, k: int) -> np.ndarray:
    return as_generator(seed).uniform(-0.05, 0.05, size=(k, 4))


# sigma0 and step sizes are in the unit cube (one unit = the whole [-3, 3] weight range)
STRATEGY_OPTIONS = {
    "openai-es": {"popsize": 32, "sigma0": 0.05, "lr": 0.05},
    "pgpe": {"popsize": 32, "sigma0": 0.15, "optimizer": "clipup", "center_lr": 0.05},
}


def solve(strategy="pgpe", budget=10_000, seed=0, starts=3):
    """Run the search; return the Result and the episodes used (evaluations x starts)."""
    s0 = random_starts(seed, starts)
    res = nd.minimize(make_objective(s0), strategy=strategy, budget=budget, seed=seed,
                      target=float(MAX_STEPS), strategy_options=STRATEGY_OPTIONS.get(strategy))
    return res, res.nfev * starts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="pgpe", choices=sorted(STRATEGY_OPTIONS))
    parser.add_argument("--budget", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    res, episodes = solve(args.strategy, args.budget, args.seed, args.starts)
    w = np.asarray(res.params["w"]).reshape(1, N_WEIGHTS)
    fresh = episode_returns(w, random_starts(args.seed + 10_000, 100))[0]
    print(f"{args.strategy}: best mean return {res.fun:.1f} "
          f"after {res.nfev} evaluations ({episodes} episodes), stop: {res.stop_reason}")
    print(f"best policy on 100 fresh starts: mean return {fresh.mean():.1f}, "
          f"{int((fresh == MAX_STEPS).sum())}/100 at the maximum {MAX_STEPS}")
    return res


if __name__ == "__main__":
    main()
