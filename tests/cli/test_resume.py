"""``nondiff resume``: a run split by a checkpoint ends where the unbroken run ends; unreadable
checkpoints are one-line errors with exit code 2."""

from __future__ import annotations

SOURCE = """
    def f(x, n):
        return (x - 0.25) ** 2 + 0.1 * n
"""
SPACE = ("--param", "x=real:-1:1", "--param", "n=int:0:4")


def test_resume_extends_budget_to_the_unbroken_result(run, objective_file, tmp_path):
    ref = f"{objective_file(SOURCE)}:f"
    ckpt = tmp_path / "run.npz"
    # random search does not plan by its budget, so an extended run is the longer run
    first = run("optimize", ref, *SPACE, "--budget", 20, "--seed", 5, "--checkpoint", ckpt,
                "--strategy", "random", "--json")
    assert first.code == 0 and ckpt.is_file()
    resumed = run("resume", ckpt, "--budget", 45, "--json")
    assert resumed.code == 0, resumed.stderr
    whole = run("optimize", ref, *SPACE, "--budget", 45, "--seed", 5, "--strategy", "random",
                "--json").json()
    doc = resumed.json()
    assert doc["nfev"] == 45 and doc["exit_code"] == 0 and doc["error"] is None
    assert (doc["params"], doc["value"]) == (whole["params"], whole["value"])


def test_resume_human_output(run, objective_file, tmp_path):
    ckpt = tmp_path / "run.npz"
    run("optimize", f"{objective_file(SOURCE)}:f", *SPACE, "--budget", 5, "--seed", 1,
        "--checkpoint", ckpt)
    inv = run("resume", ckpt, "--budget", 8)
    assert inv.code == 0
    assert inv.stdout.startswith("best value: ") and "evaluations: 8 " in inv.stdout


def test_missing_checkpoint(run, tmp_path, usage_error):
    usage_error(run("resume", tmp_path / "nope.npz"), "nope.npz", "does not exist")
    inv = run("resume", tmp_path / "nope.npz", "--json")
    assert inv.json()["exit_code"] == 2


def test_corrupted_checkpoint_names_the_file(run, tmp_path, usage_error):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip file")
    usage_error(run("resume", bad), "bad.npz")
    doc = run("resume", bad, "--json").json()
    assert doc["exit_code"] == 2 and "bad.npz" in doc["error"]


def test_truncated_checkpoint(run, objective_file, tmp_path, usage_error):
    ckpt = tmp_path / "run.npz"
    run("optimize", f"{objective_file(SOURCE)}:f", *SPACE, "--budget", 5, "--seed", 1,
        "--checkpoint", ckpt)
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) // 2])
    usage_error(run("resume", ckpt), "run.npz")


def test_bad_budget(run, tmp_path, usage_error):
    f = tmp_path / "x.npz"
    f.write_bytes(b"")
    usage_error(run("resume", f, "--budget", "-3"), "--budget")


def test_foreign_pickled_state_needs_trust(run, objective_file, tmp_path, monkeypatch,
                                           usage_error):
    # cmaes keeps pycma's state pickled, signed with the user's key; another key is "foreign"
    monkeypatch.setenv("NONDIFF_KEY_FILE", str(tmp_path / "mine.key"))
    ckpt = tmp_path / "cma.npz"
    ref = f"{objective_file(SOURCE)}:f"
    first = run("optimize", ref, *SPACE, "--strategy", "cmaes", "--budget", 12, "--seed", 2,
                "--checkpoint", ckpt)
    assert first.code == 0, first.stderr
    monkeypatch.setenv("NONDIFF_KEY_FILE", str(tmp_path / "someone-else.key"))
    usage_error(run("resume", ckpt), "cma.npz", "--trust")
    trusted = run("resume", ckpt, "--trust", "--workers", 1, "--json")
    assert trusted.code == 0
    assert trusted.json()["params"] == run("optimize", ref, *SPACE, "--strategy", "cmaes",
                                           "--budget", 12, "--seed", 2, "--json").json()["params"]
