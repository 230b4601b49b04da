"""An inventory simulator run from the command line: the target of ``nondiff optimize --command``.

A shop sells one product for a year. Daily demand is random (Poisson, busier at weekends);
stock is reviewed every ``--review`` days and, when the stock on hand plus on order has fallen
to ``--reorder`` units or below, an order brings it back up to ``--up-to`` units (an (s, S)
policy). The ``--supplier`` is ``local`` (delivers next day, dearer) or ``overseas`` (a week,
cheaper). Sales missed for lack of stock are lost. The cost per day adds ordering, holding and
lost-sale costs. Integer decisions, a categorical choice and discrete events make it piecewise
constant in every parameter: no gradient to follow, a job for black-box search.

Run it by hand::

    python examples/simulator.py --reorder 60 --up-to 200 --review 3 --supplier local

It prints a few log lines, then the mean cost per day (lower is better) on the last line of
stdout; with ``--json`` the last line is a JSON object with the cost and its parts instead.
The demand is drawn from ``--seed`` (default 0), so the same flags always give the same cost.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys

DAYS = 365
MEAN_DEMAND = 20.0  # units per day on weekdays
WEEKEND_FACTOR = 1.6
HOLDING_COST = 0.05  # per unit in stock overnight
LOST_SALE_COST = 3.0  # margin lost per unit of demand not served
# supplier -> (lead time in days, fixed cost per order, cost per unit)
SUPPLIERS = {"local": (1, 40.0, 1.3), "overseas": (7, 60.0, 1.0)}


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw by multiplying uniforms (Knuth); fine for means of a few tens."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def simulate(reorder: int, up_to: int, review: int, supplier: str, seed: int = 0) -> dict:
    """One year of the (s, S) policy; returns the mean daily cost and its parts."""
    rng = random.Random(seed)
    lead, order_cost, unit_cost = SUPPLIERS[supplier]
    stock, arrivals = up_to, {}  # arrivals: day -> units delivered that morning
    spent = {"ordering": 0.0, "holding": 0.0, "lost_sales": 0.0}
    demand_total = lost_total = orders = 0
    for day in range(DAYS):
        stock += arrivals.pop(day, 0)
        demand = poisson(rng, MEAN_DEMAND * (WEEKEND_FACTOR if day % 7 >= 5 else 1.0))
        sold = min(stock, demand)
        stock -= sold
        demand_total, lost_total = demand_total + demand, lost_total + demand - sold
        position = stock + sum(arrivals.values())
        if day % review == 0 and position <= reorder and up_to > position:
            arrivals[day + lead] = arrivals.get(day + lead, 0) + up_to - position
            spent["ordering"] += order_cost + unit_cost * (up_to - position)
            orders += 1
        spent["holding"] += HOLDING_COST * stock
    spent["lost_sales"] = LOST_SALE_COST * lost_total
    return {"cost": sum(spent.values()) / DAYS, **{k: v / DAYS for k, v in spent.items()},
            "fill_rate": 1.0 - lost_total / max(demand_total, 1), "orders": orders}


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Simulate a year of an (s, S) stock policy.")
    parser.add_argument("--reorder", type=int, required=True, help="reorder point s (units)")
    parser.add_argument("--up-to", type=int, required=True, help="order-up-to level S (units)")
    parser.add_argument("--review", type=int, default=1, help="days between stock reviews")
    parser.add_argument("--supplier", choices=sorted(SUPPLIERS), default="local")
    parser.add_argument("--seed", type=int, default=0, help="seed of the demand")
    parser.add_argument("--json", action="store_true", help="print a JSON object last")
    args = parser.parse_args(argv)
    if args.reorder < 0 or args.up_to < 0:
        parser.error("--reorder and --up-to must be >= 0")
    if args.review < 1:
        parser.error("--review must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"simulating {DAYS} days: reorder={args.reorder} up_to={args.up_to} "
          f"review={args.review} supplier={args.supplier} seed={args.seed}")
    out = simulate(args.reorder, args.up_to, args.review, args.supplier, args.seed)
    print(f"fill rate {out['fill_rate']:.3f}, {out['orders']} orders")
    print(json.dumps(out) if args.json else f"{out['cost']:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
