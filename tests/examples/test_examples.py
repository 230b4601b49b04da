"""Every example in examples/ runs, as a user would start it, on a tiny budget."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# example -> small arguments; a new example must be added here (see the last test)
SMOKE_ARGS = {
    "quickstart.py": ["--budget", "200", "--strategy", "cmaes"],
    "simulator.py": ["--reorder", "20", "--up-to", "60"],
    "feature_selection.py": ["--budget", "300"],
    "stochastic_program.py": ["--steps", "50"],
    "cartpole.py": ["--budget", "300", "--starts", "1"],
    "knapsack.py": ["--budget", "500"],
    "tsp.py": ["--cities", "12", "--budget", "500"],
    "mixed_config.py": ["--budget", "200"],
    "admm_lasso.py": ["--samples", "40", "--features", "60"],
    "admm_consensus.py": ["--shards", "2", "--workers", "1"],
    "admm_fallback.py": ["--budget", "40"],
    "admm_network.py": ["--hidden", "8", "--iterations", "3"],
    "admm_sparse.py": ["--restarts", "2"],
    "hybrid_feature_selection.py": ["--budget", "400"],
    "hybrid_thermostat.py": ["--budget", "150"],
    "hybrid_network.py": ["--budget", "4", "--steps", "30"],
    "hybrid_hypergradient.py": ["--outer", "3"],
}


@pytest.mark.parametrize("name", sorted(SMOKE_ARGS))
def test_example_runs(name):
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *SMOKE_ARGS[name]],
                          capture_output=True, text=True, timeout=120, cwd=EXAMPLES.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip(), f"{name} printed nothing"


def test_every_example_is_smoke_tested():
    found = {p.name for p in EXAMPLES.glob("*.py")}
    assert found == set(SMOKE_ARGS), f"add to SMOKE_ARGS: {sorted(found - set(SMOKE_ARGS))}"
