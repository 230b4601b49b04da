"""examples/simulator.py on its own, and driven by ``nondiff optimize --command`` (tiny budget)."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

SIMULATOR = Path(__file__).resolve().parents[2] / "examples" / "simulator.py"


def simulate(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, str(SIMULATOR), *args], capture_output=True,
                         text=True, check=True)
    return out.stdout.strip().splitlines()


@pytest.fixture(scope="module")
def sim():
    spec = importlib.util.spec_from_file_location("_simulator_under_test", SIMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prints_the_cost_last_and_json_agrees():
    args = ("--reorder", "80", "--up-to", "300", "--review", "2", "--supplier", "overseas")
    plain = simulate(*args)
    doc = json.loads(simulate(*args, "--json")[-1])
    assert len(plain) == 3 and float(plain[-1]) == pytest.approx(doc["cost"], abs=1e-6)
    assert doc["cost"] == pytest.approx(doc["ordering"] + doc["holding"] + doc["lost_sales"])


def test_never_ordering_loses_every_sale_after_the_first_stock(sim):
    # up_to 0: nothing in stock and nothing ever ordered, so all demand is lost
    out = sim.simulate(reorder=0, up_to=0, review=1, supplier="local")
    assert out["orders"] == 0 and out["fill_rate"] == 0.0
    assert out["cost"] == pytest.approx(out["lost_sales"]) and out["holding"] == 0


def test_same_seed_same_cost_and_seed_changes_it(sim):
    a, b = (sim.simulate(100, 300, 1, "local", seed=0) for _ in range(2))
    assert a == b
    assert sim.simulate(100, 300, 1, "local", seed=1)["cost"] != a["cost"]


def test_poisson_mean(sim):
    import random

    rng = random.Random(0)
    draws = [sim.poisson(rng, 20.0) for _ in range(20000)]
    mean = sum(draws) / len(draws)
    assert abs(mean - 20.0) < 4 * (20.0 / len(draws)) ** 0.5  # 4 standard errors


def test_bad_flag_exits_2():
    out = subprocess.run([sys.executable, str(SIMULATOR), "--reorder", "-1", "--up-to", "5"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--reorder" in out.stderr


def test_optimize_command_with_field(run):
    template = (f"{shlex.quote(sys.executable)} {shlex.quote(str(SIMULATOR))} "
                "--reorder {reorder} --up-to {up_to} --review {review} --supplier {supplier} "
                "--json")
    inv = run("optimize", "--command", template, "--field", "cost",
              "--param", "reorder=int:0:400", "--param", "up_to=int:0:800",
              "--param", "review=int:1:14", "--param", "supplier=cat:local,overseas",
              "--budget", 6, "--seed", 0, "--json")
    assert inv.code == 0, inv.stderr
    doc = inv.json()
    assert doc["nfev"] == 6 and doc["counts"]["ok"] == 6
    p = doc["params"]
    again = json.loads(simulate("--reorder", str(p["reorder"]), "--up-to", str(p["up_to"]),
                                "--review", str(p["review"]), "--supplier", p["supplier"],
                                "--json")[-1])
    assert doc["value"] == pytest.approx(again["cost"], rel=1e-12)


def test_the_readme_command_runs(run, monkeypatch):
    readme = (SIMULATOR.parent / "README.md").read_text()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    template = re.search(r'--command "([^"]+)"', block).group(1)
    params = re.findall(r"--param (\S+)", block)
    assert template.startswith("python examples/simulator.py ") and len(params) == 4
    monkeypatch.chdir(SIMULATOR.parents[1])  # the README runs from the repository root
    template = template.replace("python", shlex.quote(sys.executable), 1)
    args = [a for p in params for a in ("--param", p)]
    inv = run("optimize", "--command", template, *args, "--budget", 4, "--seed", 0, "--json")
    assert inv.code == 0, inv.stderr
    assert inv.json()["counts"]["ok"] == 4
