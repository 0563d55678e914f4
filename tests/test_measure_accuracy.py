"""benchmarks/measure_accuracy.py keeps working: a --quick run (1 seed, 1 epoch) prints its table, says it is a quick
run, claims no pass against a target that needs the full training, and writes its JSON. No accuracy or timing is
asserted (the script measures; a quick run judges nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmark_scripts import run_benchmark_script

ROOT = Path(__file__).resolve().parents[1]
# the keys of every row: the summary python -m benchmarks reads, the seeds' values, the stored figure, the run's cost
ROW_KEYS = ("measure", "figure", "target", "passed", "values", "stored", "seconds")


@pytest.mark.slow  # the script in a subprocess, as it is run
def test_a_quick_run_prints_every_row_and_claims_no_pass(tmp_path):
    out = tmp_path / "accuracy.json"
    result, stored = run_benchmark_script("measure_accuracy.py", "--quick", output=out, timeout=300)
    assert stored["quick"] is True and stored["seeds"] == [0] and "cpu_count" in stored["measured"]
    rows = stored["rows"]
    assert len(rows) == 8
    assert all(set(ROW_KEYS) <= row.keys() for row in rows)
    trained = [row for row in rows if row["measure"] != "MNIST-5k CNN, shipped weights"]
    assert all(row["passed"] is None and len(row["values"]) == 1 for row in trained)  # nothing judged on 1 epoch
    assert "QUICK RUN" in result.stdout and "quick run" in result.stdout
    assert all(row["measure"] in result.stdout for row in rows)
