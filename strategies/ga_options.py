"""Options of the genetic algorithm: validation, defaults and the fixed coefficients.

:func:`build_params` turns the keyword options of :class:`~strategies.ga.GeneticAlgorithm`
into one frozen :class:`GAParams`: every option checked (``ValueError``/``TypeError`` naming
it), operator names resolved per parameter, and one :class:`~strategies.ga_operators.GeneSpec`
per parameter with its bounds in operator coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nondiff import seeding
from strategies import ga_operators as ops
from strategies.ga_constraints import HANDLINGS

__all__ = ["GAParams", "build_params", "DEFAULT_OPTIONS", "check_callable", "check_int"]

MODES = ("generational", "steady-state")
SELECTIONS = ("tournament", "truncation")


@dataclass(frozen=True)
class GAParams:
    """Options after validation, fixed for the life of the strategy."""

    popsize: int
    mode: str
    offspring: int
    selection: str
    tournament_size: int
    truncation: float
    elitism: int
    crossover_rate: float
    dedupe: bool
    handling: str
    penalty: float
    vectorized: bool
    memetic: bool
    local_size: int
    local_rounds: int
    local_fraction: float
    crossovers: dict  # parameter name -> crossover name
    mutations: dict  # parameter name -> mutation name
    specs: dict  # parameter name -> GeneSpec
    gene_weights: np.ndarray  # share of the genes held by each parameter (memetic move choice)




def check_int(name, value, lo, hi=None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    if value < lo or (hi is not None and value > hi):
        bound = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return int(value)


def _float(name, value, lo, hi) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return float(value)


def _choice(name, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_callable(name, fn):
    if fn is not None and not callable(fn):
        raise TypeError(f"{name} must be callable, not {type(fn).__name__}")
    return fn


DEFAULT_OPTIONS = {
    "popsize": 100, "mode": "generational", "offspring": 2, "selection": "tournament",
    "tournament_size": 3, "truncation": 0.5, "elitism": 1, "crossover_rate": 0.9,
    "mutation_rate": None, "crossover": None, "mutation": None, "eta_c": 15.0, "eta_m": 20.0,
    "creep": None, "dedupe": False, "constraint_handling": "feasibility", "penalty": 1e3,
    "vectorized": False, "memetic": False, "local_size": 4, "local_rounds": 1,
    "local_fraction": 1.0, "local_step": 0.05,
}


def build_params(space, options) -> GAParams:
    unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
    if unknown:
        raise TypeError(f"unknown GeneticAlgorithm option(s): {', '.join(unknown)}")
    o = {**DEFAULT_OPTIONS, **options}
    popsize = check_int("popsize", o["popsize"], 2)
    genes = {name: int(np.prod(col.shape[1:], dtype=int))
             for name, col in space.sample(seeding.as_generator(0), 1).items()}
    rate = 1.0 / sum(genes.values()) if o["mutation_rate"] is None else o["mutation_rate"]
    specs = {name: _spec(space[name], o, _float("mutation_rate", rate, 0.0, 1.0))
             for name in space.names}
    return GAParams(
        popsize=popsize,
        mode=_choice("mode", o["mode"], MODES),
        offspring=check_int("offspring", o["offspring"], 1),
        selection=_choice("selection", o["selection"], SELECTIONS),
        tournament_size=check_int("tournament_size", o["tournament_size"], 1),
        truncation=_float("truncation", o["truncation"], 1e-9, 1.0),
        elitism=check_int("elitism", o["elitism"], 0, popsize - 1),
        crossover_rate=_float("crossover_rate", o["crossover_rate"], 0.0, 1.0),
        dedupe=bool(o["dedupe"]),
        handling=_choice("constraint_handling", o["constraint_handling"], HANDLINGS),
        penalty=_float("penalty", o["penalty"], 0.0, np.inf),
        vectorized=bool(o["vectorized"]),
        memetic=bool(o["memetic"]),
        local_size=check_int("local_size", o["local_size"], 1),
        local_rounds=check_int("local_rounds", o["local_rounds"], 1),
        local_fraction=_float("local_fraction", o["local_fraction"], 1e-9, 1.0),
        crossovers=_operator_names("crossover", o["crossover"], space, ops.CROSSOVERS, 0),
        mutations=_operator_names("mutation", o["mutation"], space, ops.MUTATIONS, 1),
        specs=specs,
        gene_weights=np.array(list(genes.values()), float) / sum(genes.values()),
    )


def _spec(param, o, rate) -> ops.GeneSpec:
    kind = param.kind
    common = {"rate": rate, "eta_c": _float("eta_c", o["eta_c"], 0.0, 1e6),
              "eta_m": _float("eta_m", o["eta_m"], 0.0, 1e6),
              "local_step": _float("local_step", o["local_step"], 0.0, 1.0)}
    if kind == "real" and getattr(param, "log", False):
        return ops.GeneSpec(kind, np.log(param.lo), np.log(param.hi), log=True,
                            bounds=(param.lo, param.hi), **common)
    if kind == "real":
        return ops.GeneSpec(kind, float(param.lo), float(param.hi), **common)
    if kind == "array":
        lo = np.broadcast_to(np.asarray(param.lo, float), param.shape)
        return ops.GeneSpec(kind, lo, np.broadcast_to(np.asarray(param.hi, float), param.shape),
                            **common)
    if kind == "integer":
        default = max(1, int(round(0.05 * (param.hi - param.lo))))
        creep = default if o["creep"] is None else check_int("creep", o["creep"], 1)
        return ops.GeneSpec(kind, int(param.lo), int(param.hi), creep=creep, **common)
    if kind == "categorical":
        return ops.GeneSpec(kind, n_choices=len(param.choices), **common)
    return ops.GeneSpec(kind, **common)


def _operator_names(option, value, space, table, slot) -> dict:
    """Parameter name -> operator name, from a string, a dict by name/kind, or the defaults."""
    if value is not None and not isinstance(value, (str, dict)):
        raise TypeError(f"{option} must be a string or a dict, not {type(value).__name__}")
    out = {}
    for name in space.names:
        kind = space[name].kind
        chosen = value if isinstance(value, str) else None
        if isinstance(value, dict):
            chosen = value.get(name, value.get(kind))
        chosen = ops.DEFAULTS[kind][slot] if chosen is None else chosen
        if chosen not in table[kind]:
            known = ", ".join(sorted(table[kind]))
            raise ValueError(f"{option} {chosen!r} is not available for {kind} parameter "
                             f"{name!r}; known: {known}")
        out[name] = chosen
    if isinstance(value, dict):
        stray = set(value) - set(space.names) - set(ops.KINDS)
        if stray:
            raise ValueError(f"{option} keys {sorted(stray)} are neither parameters nor kinds")
    return out
