"""The 24 noiseless BBOB functions through ``cocoex`` (the ``coco-experiment`` package).

Functions, instances and optima are COCO's own (Hansen et al., *COCO: a platform for comparing
continuous optimizers in a black-box setting*, Optim. Methods Softw. 36, 2021; definitions in
INRIA RR-6829): ``fopt`` is the instance's optimal value from ``cocoex.BareProblem.best_value``
and the box is COCO's [-5, 5]^d. With ``observer_folder`` the problem is observed by COCO's
``bbob`` observer, so the same runs can be post-processed by ``cocopp``: the logger writes one
folder per run, and ``cocopp`` reads every ``.info`` file under a strategy's folder.
"""

from __future__ import annotations

import os
import shutil

import numpy as np

from nondiff.bench.suites import Problem

__all__ = ["FUNCTIONS", "FIXED_DIMS", "available", "build", "remove_exdata"]

# named "f1".."f24" as COCO prints them
FUNCTIONS = {f"f{i}": None for i in range(1, 25)}
FIXED_DIMS: dict[str, int] = {}
DIMS = (2, 3, 5, 10, 20, 40)


def available() -> str | None:
    """None when ``cocoex`` imports, else the reason and the fix."""
    try:
        import cocoex  # noqa: F401
    except ImportError:
        return "the bbob suite needs cocoex: pip install 'nondiff[bbob]' (coco-experiment)"
    return None


def build(spec, observer_folder=None, algorithm="nondiff") -> Problem:
    """BBOB function ``spec.function`` (``"f1"``..``"f24"``), instance and dimension.

    ``observer_folder`` (a path) makes COCO log the run there, emptied first so that a run
    repeated after a crash leaves exactly one log.
    """
    import cocoex

    if spec.dim not in DIMS:
        raise ValueError(f"dim {spec.dim} is not a bbob dimension; use one of {DIMS}")
    if spec.instance < 1:
        raise ValueError(f"instance must be >= 1 for bbob, got {spec.instance}")
    fid = int(spec.function[1:])
    cocoex.log_level("warning")
    fopt = float(cocoex.BareProblem("bbob", fid, spec.dim, spec.instance).best_value())
    suite = cocoex.Suite("bbob", f"instances: {spec.instance}",
                         f"dimensions: {spec.dim} function_indices: {fid}")
    problem = next(iter(suite))
    observer = None
    if observer_folder is not None:
        observer = _observe(problem, observer_folder, algorithm)
    return Problem(spec, _space(problem), _Call(problem), fopt,
                   bounds=(np.array(problem.lower_bounds), np.array(problem.upper_bounds)),
                   close=lambda: _free(problem, observer, suite))


class _Call:
    """Evaluate the cocoex problem on a float vector (cocoex wants a contiguous float array)."""

    def __init__(self, problem):
        self.problem = problem

    def __call__(self, x) -> float:
        return float(self.problem(np.ascontiguousarray(x, dtype=float)))


def _space(problem):
    from nondiff.space import Array, Space

    lo, hi = np.array(problem.lower_bounds), np.array(problem.upper_bounds)
    return Space(x=Array((problem.dimension,), lo, hi))


def _observe(problem, folder, algorithm):
    import cocoex

    folder = os.path.abspath(folder)
    shutil.rmtree(folder, ignore_errors=True)
    # cocoex always writes below "exdata/" in the working directory: reach the folder
    # through a path relative to that. Files are opened through it while the run goes on, so
    # only the campaign, once every run is over, may remove it (:func:`remove_exdata`).
    rel = os.path.relpath(folder, os.path.join(os.getcwd(), "exdata"))
    observer = cocoex.Observer("bbob", f"result_folder: {rel} algorithm_name: {algorithm}")
    problem.observe_with(observer)
    return observer


class remove_exdata:
    """Remove the empty ``exdata`` folder cocoex leaves in the working directory, if it was
    not there before (a context manager around a whole campaign)."""

    def __enter__(self):
        self.path = os.path.join(os.getcwd(), "exdata")
        self.existed = os.path.exists(self.path)

    def __exit__(self, *exc):
        if not self.existed:
            _rmdir_quietly(self.path)


def _rmdir_quietly(path):
    try:
        os.rmdir(path)
    except OSError:
        pass


def _free(problem, observer, suite) -> None:
    problem.free()
    del observer, suite
