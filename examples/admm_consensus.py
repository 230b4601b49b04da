"""Consensus ADMM: one sparse model fit on data split across shards, shards solved in parallel.

Each shard holds part of the rows of a regression; ADMM keeps one local model per shard and
drives them to agree on a shared, L1-regularized model (Boyd et al. 2011, Sec. 7.1). The shards'
sub-problems go to any ``concurrent.futures.Executor``: a process pool here, or a Dask cluster
with ``--dask`` (``client.get_executor()``; needs the ``dask`` extra), unchanged.

Run: ``python examples/admm_consensus.py`` (options: ``--shards``, ``--workers``, ``--dask``).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from strategies.admm import L1, LeastSquares, consensus, lambda_max, lasso


def shards_of(D, b, count):
    rows = np.array_split(np.arange(D.shape[0]), count)
    return [LeastSquares(D[r], b[r]) for r in rows]


def run(executor, D, b, lam, shards):
    return consensus(shards_of(D, b, shards), L1(lam), executor=executor, max_iter=500)


def main(argv=None):
    parser = argparse.ArgumentParser(description="consensus ADMM across data shards")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    D = rng.standard_normal((400, 30))
    b = D @ np.r_[rng.standard_normal(5) * 2, np.zeros(25)] + 0.1 * rng.standard_normal(400)
    lam = 0.1 * lambda_max(D, b)
    if args.dask:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            res = run(client.get_executor(), D, b, lam, args.shards)
    else:
        with ProcessPoolExecutor(args.workers) as pool:
            res = run(pool, D, b, lam, args.shards)
    pooled = lasso(D, b, lam, eps_abs=1e-9, eps_rel=1e-9)
    print(f"consensus over {args.shards} shards: {res.stop_reason} in {res.nit} iterations")
    print(f"  max |x_consensus - x_pooled| = {np.abs(res.x - pooled.x).max():.2e}")
    print(f"  disagreement between shards: {np.abs(res.x_shards - res.x).max():.2e}")
    return res


if __name__ == "__main__":
    main()
