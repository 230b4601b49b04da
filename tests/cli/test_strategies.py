"""``nondiff strategies``: one row per registered name, broken entry points as error rows."""

from __future__ import annotations

import pytest

from nondiff import registry


def test_lists_every_registered_name(run):
    inv = run("strategies", "--json")
    assert inv.code == 0
    doc = inv.json()
    assert doc["error"] is None
    rows = {row["name"]: row for row in doc["strategies"]}
    assert sorted(rows) == registry.names()
    assert rows["random"]["error"] is None
    assert set(rows["random"]["supported_types"]) <= {
        "real", "integer", "categorical", "bits", "permutation", "array"}
    assert rows["random"]["summary"]


def test_table_has_one_line_per_name(run):
    inv = run("strategies")
    assert inv.code == 0
    lines = inv.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == registry.names()


@pytest.fixture
def broken(monkeypatch):
    """A registered name whose entry point fails to import, as a third-party one might."""
    real_get, real_names = registry.get, registry.names

    def get(name):
        if name == "broken-plugin":
            raise ImportError("No module named 'plugin_pkg'")
        return real_get(name)

    monkeypatch.setattr(registry, "get", get)
    monkeypatch.setattr(registry, "names", lambda: sorted(real_names() + ["broken-plugin"]))


def test_broken_entry_point_is_an_error_row(run, broken):
    inv = run("strategies")
    assert inv.code == 0
    row = next(line for line in inv.stdout.splitlines() if line.startswith("broken-plugin"))
    assert "ERROR ImportError: No module named 'plugin_pkg'" in row
    assert any(line.startswith("random ") for line in inv.stdout.splitlines())
    doc = run("strategies", "--json").json()
    rows = {row["name"]: row for row in doc["strategies"]}
    assert rows["broken-plugin"]["error"].startswith("ImportError")
    assert rows["random"]["error"] is None


def test_runtime_registration_is_listed(run):
    class Dummy:
        """A dummy strategy."""

        supported_types = ("real",)

    registry.register("dummy-for-cli", Dummy)
    try:
        rows = {r["name"]: r for r in run("strategies", "--json").json()["strategies"]}
    finally:
        registry.unregister("dummy-for-cli")
    assert rows["dummy-for-cli"] == {"name": "dummy-for-cli", "supported_types": ["real"],
                                     "summary": "A dummy strategy.", "error": None}
