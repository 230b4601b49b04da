"""Comparative benchmarks: suites of problems, a resumable parallel runner, SQLite results, reports.

- :mod:`nondiff.bench.suites`: problems with a stated optimum or reference value (``classic``,
  ``bbob`` through ``cocoex``, ``discrete``, ``programs``);
- :mod:`nondiff.bench.runner`: strategies x problems x dimensions x instances x seeds, in
  parallel, resumable (:func:`~nondiff.bench.runner.run_campaign`);
- :mod:`nondiff.bench.store`: one SQLite row per run plus its trace;
- :mod:`nondiff.bench.report`: targets reached, ERT, ranks, ECDF and convergence plots.

Every run is judged on its *precision* ``f - f_opt`` against the 51 COCO targets
``10**2, 10**1.8, ..., 10**-8``.
"""
