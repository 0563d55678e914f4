"""benchmarks/measure_mlp_speed.py keeps working: a tiny run (one repeat) prints its table and writes its JSON. No
timing is asserted (the script measures; tests never judge a wall clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmark_scripts import run_benchmark_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # the script in a subprocess, as it is run
def test_a_tiny_run_measures_minibatch_and_full_batch(tmp_path):
    out = tmp_path / "mlp.json"
    result, stored = run_benchmark_script("measure_mlp_speed.py", "--repeats", "1", output=out)
    assert [row["batch_size"] for row in stored["epochs"]] == [32, None]
    assert all(row["ours_ms"] > 0 and row["torch_ms"] > 0 and row["n"] == 1347 for row in stored["epochs"])
    assert "full batch" in result.stdout and "minibatch 32" in result.stdout
    assert [row["target"] for row in stored["rows"]] == ["≤ 1.5×", "≤ 1.5×"]  # the summary python -m benchmarks reads
    assert all(isinstance(row["passed"], bool) and row["figure"].endswith("ms)") for row in stored["rows"])
