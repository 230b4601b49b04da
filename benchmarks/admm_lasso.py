"""ADMM on the lasso: accuracy and wall time against scikit-learn, adaptive rho from bad starts,
over-relaxation, and warm starts along a regularization path (issue 7, "What must be shown").

Problem: n=500 samples, p=1000 features, 20 true nonzeros, Gaussian design, noise at 10% of the
signal, lambda = 0.1 lambda_max. scikit-learn (``Lasso``, coordinate descent, installed for this
benchmark only: ``/work/venv-admm``) minimizes ``1/(2n) ||y - Xw||^2 + alpha ||w||_1``, i.e.
ours with ``alpha = lambda / n``. Each figure is the median over ``--repeats`` runs (the machine
is shared). BLAS is pinned to one thread so both solvers use one core.

Run: PYTHONPATH=/work/main /work/venv-admm/bin/python benchmarks/admm_lasso.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from nondiff.admm.problems import lambda_max, lasso, lasso_path  # noqa: E402


def make_problem(seed, normalize=True, n=500, p=1000, k=20):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((n, p))
    if normalize:
        D /= np.linalg.norm(D, axis=0)
    x = np.zeros(p)
    x[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    signal = D @ x
    b = signal + 0.1 * np.linalg.norm(signal) / np.sqrt(n) * rng.standard_normal(n)
    return D, b, 0.1 * lambda_max(D, b)


def objective(D, b, lam, x):
    r = D @ x - b
    return 0.5 * float(r @ r) + lam * float(np.abs(x).sum())


def sklearn_fit(D, b, lam, tol):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso

    model = Lasso(alpha=lam / D.shape[0], fit_intercept=False, tol=tol, max_iter=100000)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(D, b)
    return model.coef_, time.perf_counter() - start


def versus_sklearn(seed):
    D, b, lam = make_problem(seed)
    ref, _ = sklearn_fit(D, b, lam, tol=1e-12)  # an accurate reference objective
    _, t_default = sklearn_fit(D, b, lam, tol=1e-4)
    _, t_tight = sklearn_fit(D, b, lam, tol=1e-8)
    start = time.perf_counter()
    res = lasso(D, b, lam, max_iter=40)  # includes the factorization
    t_admm = time.perf_counter() - start
    f_ref = objective(D, b, lam, ref)
    return {"nit": res.nit, "stop": res.stop_reason,
            "rel_gap": (objective(D, b, lam, res.x) - f_ref) / f_ref,
            "t_admm": t_admm, "t_sk_default": t_default, "t_sk_tol1e-8": t_tight,
            "ratio_default": t_admm / t_default, "ratio_tol1e-8": t_admm / t_tight}


def adaptive_rho(seed):
    D, b, lam = make_problem(seed, normalize=False)
    out = {}
    for rho in (0.01, 1.0, 1e4):
        res = lasso(D, b, lam, rho=rho, max_iter=100)
        out[f"rho0={rho:g}"] = {"nit": res.nit, "converged": res.success,
                                "final_rho": res.rho, "fun": res.fun}
    return out


def over_relaxation(seed):
    D, b, lam = make_problem(seed)
    nits = {alpha: lasso(D, b, lam, alpha=alpha, max_iter=1000).nit for alpha in (1.0, 1.6)}
    return {"nit_alpha1": nits[1.0], "nit_alpha1.6": nits[1.6], "ratio": nits[1.6] / nits[1.0]}


def warm_path(seed):
    D, b, _ = make_problem(seed)
    lams = lambda_max(D, b) * np.geomspace(0.5, 0.05, 10)
    warm = lasso_path(D, b, lams, warm=True, max_iter=1000)
    cold = lasso_path(D, b, lams, warm=False, max_iter=1000)
    nw, nc = sum(r.nit for r in warm), sum(r.nit for r in cold)
    worst = max(abs(w.fun - c.fun) / c.fun for w, c in zip(warm, cold))
    return {"nit_warm": nw, "nit_cold": nc, "ratio": nw / nc, "max_rel_fun_diff": worst}


def median_of(rows, key):
    return float(np.median([r[key] for r in rows]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    seeds = range(args.repeats)
    rows = [versus_sklearn(s) for s in seeds]
    print(json.dumps({"versus_sklearn": rows}, indent=1))
    summary = {k: median_of(rows, k) for k in rows[0] if k != "stop"}
    print("versus sklearn (medians):", json.dumps(summary))
    print("adaptive rho:", json.dumps([adaptive_rho(s) for s in seeds], indent=1))
    relax = [over_relaxation(s) for s in seeds]
    print("over-relaxation:", json.dumps(relax), "median ratio", median_of(relax, "ratio"))
    path = [warm_path(s) for s in seeds]
    print("warm path:", json.dumps(path), "median ratio", median_of(path, "ratio"))


if __name__ == "__main__":
    main()
