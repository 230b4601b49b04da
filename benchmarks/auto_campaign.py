"""``auto`` against the anchors on BBOB, one harness for all: run a campaign, then score it.

Every configuration (``auto`` and its forced portfolios, nondiff's BIPOP-CMA-ES, the scipy and
raw-pycma baselines, random search) runs through :mod:`nondiff.bench.runner` into one SQLite
database, one seed per problem (the BBOB instance is the repetition, as in COCO).

nevergrad's NGOpt, one of the issue's anchors, runs as ``--configs ngopt`` only: nevergrad is
optional (not in the shared environment), so a run without ``--configs`` leaves it out.

Score: the fraction of (run, target) pairs reached within the budget over COCO's 51 targets
``1e2 .. 1e-8`` on the precision ``f - fopt`` (the right end of the aggregated runtime ECDF).
The paired comparison resamples problems (function, dimension, instance) with replacement
(10 000 bootstrap draws) and reports the 95% percentile interval of the mean per-problem
difference.

Usage::

    python benchmarks/auto_campaign.py run --db /tmp/auto_tune.db --instances 1-5 \\
        --dims 2,5,10 --budget 200d --workers 2
    python benchmarks/auto_campaign.py score --db /tmp/auto_tune.db --vs auto

``--configs`` picks configurations by label (see :data:`CONFIGS`; ``auto[<name>]`` runs any
portfolio ``<name>`` of ``strategies.auto.PORTFOLIOS``); tuning uses instances 1-5
only, the final figures instances 6-10.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time

import numpy as np

from nondiff.bench import runner, suites

# label -> (strategy name, options)
CONFIGS = {
    "auto": ("auto", {}),
    "auto[bipop]": ("auto", {"portfolio": "bipop"}),
    "auto[bfgs-restarts]": ("auto", {"portfolio": "bfgs-restarts"}),
    "auto[lbfgs-bipop]": ("auto", {"portfolio": "lbfgs-bipop"}),
    "auto[scan-bfgs-bipop]": ("auto", {"portfolio": "scan-bfgs-bipop"}),
    "auto[bfgs50-bipop]": ("auto", {"portfolio": "bfgs50-bipop"}),
    "auto[lbfgs50-bipop]": ("auto", {"portfolio": "lbfgs50-bipop"}),
    "auto[bfgs-restarts-bipop]": ("auto", {"portfolio": "bfgs-restarts-bipop"}),
    "auto[bfgs-bipop-restarts]": ("auto", {"portfolio": "bfgs-bipop-restarts"}),
    "cmaes-bipop": ("cmaes", {"restarts": 10**9, "restart_strategy": "bipop"}),
    "pycma": ("pycma", {}),
    "scipy-da": ("scipy-da", {}),
    "scipy-nm": ("scipy-nm", {}),
    # scipy's default simplex is a speck at the centre of [-5, 5]^d; an axis simplex of 0.2 of
    # the box scored best of 0.05/0.1/0.2 on instances 1-5 (0.467 at 200d, 0.717 at 1000d)
    "scipy-nm[step0.2]": ("scipy-nm", {"step": 0.2}),
    # the strongest Nelder-Mead of those tried on instances 1-5 (0.511 at 200d): Gao and Han's
    # adaptive coefficients, the axis simplex, tolerances 1e-8
    "scipy-nm[adaptive]": ("scipy-nm", {"step": 0.2, "adaptive": True, "xatol": 1e-8,
                                        "fatol": 1e-8}),
    "pycma-bipop": ("pycma-bipop", {}),
    "scipy-de": ("scipy-de", {}),
    "random": ("random", {}),
    "ngopt": ("ngopt", {}),  # needs nevergrad (pip install nevergrad)
}
# what a run without --configs runs: everything that needs no optional package
DEFAULT_RUN = tuple(label for label in CONFIGS if label != "ngopt")
# the labels that "per-problem best of the anchors" takes the maximum over when scoring
ANCHORS = ("cmaes-bipop", "pycma", "pycma-bipop", "scipy-da", "scipy-nm", "scipy-nm[step0.2]",
           "scipy-nm[adaptive]", "scipy-de", "random", "ngopt")


def config_of(label: str) -> tuple[str, dict]:
    """(strategy name, options) of ``label``: a key of :data:`CONFIGS` or ``auto[<portfolio>]``.

    Any portfolio of ``strategies.auto.PORTFOLIOS`` is reachable as ``auto[<name>]``, so a new
    portfolio is run without editing :data:`CONFIGS`.
    """
    if label in CONFIGS:
        return CONFIGS[label]
    if label.startswith("auto[") and label.endswith("]"):
        from strategies.auto import PORTFOLIOS

        if label[5:-1] in PORTFOLIOS:
            return "auto", {"portfolio": label[5:-1]}
    raise ValueError(f"--configs: unknown label {label!r}; known: {', '.join(CONFIGS)} "
                     "and auto[<name>] for a name in strategies.auto.PORTFOLIOS")


def specs_for(labels, dims, instances, budget):
    problems = suites.problems("bbob", runner.parse_ints(dims), runner.parse_ints(instances))
    out = []
    for label in labels:
        name, opts = config_of(label)
        text = json.dumps(opts, sort_keys=True)
        out += [runner.RunSpec(name, p, 0, runner.parse_budget(budget, p.dim), text)
                for p in problems]
    return out


def cmd_run(args) -> None:
    labels = args.configs.split(",") if args.configs else list(DEFAULT_RUN)
    specs = specs_for(labels, args.dims, args.instances, args.budget)
    # cheap configurations first so that partial campaigns already compare something
    t0 = time.time()

    def progress(done, todo, elapsed):
        if done % 50 == 0 or done == todo:
            print(f"{done}/{todo} runs, {elapsed:.0f} s", flush=True)

    summary = runner.run_campaign(specs, args.db, workers=args.workers, progress=progress,
                                  options={"script": "auto_campaign", "labels": labels,
                                           "budget": args.budget, "dims": args.dims,
                                           "instances": args.instances})
    print(f"done {summary.done}, already {summary.already}, failed {len(summary.failed)}, "
          f"{time.time() - t0:.0f} s")
    for key, err in summary.failed[:10]:
        print("FAILED", key, err)


# --- scoring ------------------------------------------------------------------------------------
def label_of(strategy: str, options: str) -> str:
    opts = json.loads(options) if isinstance(options, str) else options
    for label, (name, o) in CONFIGS.items():
        if name == strategy and o == opts:
            return label
    if strategy == "auto" and list(opts) == ["portfolio"]:
        return f"auto[{opts['portfolio']}]"
    return f"{strategy}{options}"


def load(dbs, budget=None, dims=None, instances=None, pool=False):
    """label -> {(function, dim, instance): fraction of the 51 targets reached}.

    ``dbs`` is a comma-separated list of databases; labels from the second one on get the
    suffix ``@<file name>`` (so a new version of ``auto`` sits beside the old one), unless
    ``pool`` merges them (campaigns on different instances of the same configurations).
    """
    out: dict[str, dict] = {}
    for n, db in enumerate(dbs.split(",")):
        suffix = "" if n == 0 or pool else "@" + db.rsplit("/", 1)[-1].removesuffix(".db")
        _load_one(db, suffix, out, budget, dims, instances)
    return out


def _load_one(db, suffix, out, budget, dims, instances):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT strategy, options, function, dim, instance, budget, hits "
                       "FROM runs WHERE suite='bbob'").fetchall()
    con.close()
    for strategy, options, f, d, i, b, hits in rows:
        if dims and d not in dims or instances and i not in instances:
            continue
        if budget and b != runner.parse_budget(budget, d):
            continue
        h = json.loads(hits)
        out.setdefault(label_of(strategy, options) + suffix, {})[(f, d, i)] = (
            sum(x is not None for x in h) / len(h))


def paired_ci(a: dict, b: dict, draws=10_000, seed=0):
    keys = sorted(set(a) & set(b))
    diff = np.array([a[k] - b[k] for k in keys])
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), (draws, len(diff)))].mean(axis=1)
    return diff.mean(), np.percentile(means, 2.5), np.percentile(means, 97.5), len(keys)


def groups(fn: str) -> str:
    k = int(fn[1:])
    return ("f1-5" if k <= 5 else "f6-9" if k <= 9 else "f10-14" if k <= 14
            else "f15-19" if k <= 19 else "f20-24")


def cmd_score(args) -> None:
    dims = runner.parse_ints(args.dims) if args.dims else None
    inst = runner.parse_ints(args.instances) if args.instances else None
    data = load(args.db, args.budget, dims, inst, args.pool)
    glist = ["f1-5", "f6-9", "f10-14", "f15-19", "f20-24"]
    print(f"| config | runs | score | {' | '.join(glist)} |")
    print("|---|---|---|" + "---|" * len(glist))
    for label in sorted(data, key=lambda k: -np.mean(list(data[k].values()))):
        v = data[label]
        per = [np.mean([s for (f, _, _), s in v.items() if groups(f) == g] or [np.nan])
               for g in glist]
        print(f"| {label} | {len(v)} | {np.mean(list(v.values())):.3f} | "
              + " | ".join(f"{x:.3f}" for x in per) + " |")
    anchors = [lab for lab in data if lab.split("@")[0] in ANCHORS]  # any database's
    best = {k: max(data[lab].get(k, 0) for lab in anchors)
            for k in set().union(*(data[lab] for lab in anchors))}
    if best:
        print(f"\nper-problem best of the anchors: {np.mean(list(best.values())):.3f}")
    if args.vs in data:
        print(f"\npaired difference {args.vs} - anchor (mean, 95% bootstrap interval, problems):")
        for lab in data:
            if lab != args.vs:
                m, lo, hi, n = paired_ci(data[args.vs], data[lab])
                print(f"  {lab:22s} {m:+.3f} [{lo:+.3f}, {hi:+.3f}] n={n}")
    if args.per_function:
        _per_function(data)
    if args.per_dim:
        for d in sorted({k[1] for v in data.values() for k in v}):
            print(f"dim {d}: " + ", ".join(
                f"{lab} {np.mean([s for k, s in v.items() if k[1] == d]):.3f}"
                for lab, v in sorted(data.items())))


def _per_function(data) -> None:
    labels = sorted(data)
    print("\n| f | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for k in range(1, 25):
        cells = [np.mean([s for key, s in data[lab].items() if key[0] == f"f{k}"] or [np.nan])
                 for lab in labels]
        print(f"| f{k} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--db", required=True)
    r.add_argument("--dims", default="2,5,10")
    r.add_argument("--instances", default="1-5")
    r.add_argument("--budget", default="200d")
    r.add_argument("--configs", default="")
    r.add_argument("--workers", type=int, default=2)
    s = sub.add_parser("score")
    s.add_argument("--db", required=True)
    s.add_argument("--dims", default="")
    s.add_argument("--instances", default="")
    s.add_argument("--budget", default="")
    s.add_argument("--vs", default="auto")
    s.add_argument("--per-dim", action="store_true")
    s.add_argument("--per-function", action="store_true")
    s.add_argument("--pool", action="store_true",
                   help="merge the databases' runs under the same labels")
    args = ap.parse_args(argv)
    {"run": cmd_run, "score": cmd_score}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
