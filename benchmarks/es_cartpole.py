"""Neuroevolution on the numpy cart-pole (examples/cartpole.py): episodes to the maximum return.

For seeds 0-4 and each of ``pgpe`` (ClipUp) and ``openai-es`` with the example's settings,
the search runs until a policy scores the maximum return 500 on all 3 training starts (the
``target``) or the budget of 10,000 evaluations (30,000 episodes) is spent. It prints, per
run, the evaluations and episodes used and the best policy's mean return on 100 fresh starts,
then the number of seeds that reached the maximum.

Usage: ``python benchmarks/es_cartpole.py [--seeds 5] [--budget 10000]``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import cartpole  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--budget", type=int, default=10_000)
    args = ap.parse_args()
    for strategy in ("pgpe", "openai-es"):
        solved, episodes = 0, []
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            res, ep = cartpole.solve(strategy, args.budget, seed, starts=3)
            w = np.asarray(res.params["w"]).reshape(1, cartpole.N_WEIGHTS)
            fresh = cartpole.episode_returns(w, cartpole.random_starts(seed + 10_000, 100))[0]
            ok = res.fun >= cartpole.MAX_STEPS
            solved += ok
            episodes.append(ep)
            print(f"  {strategy:9s} seed {seed}: return {res.fun:5.1f} after {res.nfev:5d} "
                  f"evaluations ({ep:5d} episodes), {time.perf_counter() - t0:4.1f} s; fresh "
                  f"starts mean {fresh.mean():5.1f}, {int((fresh == 500).sum())}/100 at 500")
        print(f"{strategy}: {solved}/{args.seeds} seeds reached 500; episodes median "
              f"{np.median(episodes):.0f}, max {max(episodes)} (budget {3 * args.budget})")


if __name__ == "__main__":
    main()
