"""benchmarks/measure_controls.py keeps working: a tiny run (one widget module, two values per control) prints its
table and writes its JSON. No timing is asserted (the script measures; tests never judge a wall clock)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # the script in a subprocess, as it is run
def test_a_tiny_run_times_every_control_of_the_chosen_explorers(tmp_path):
    out = tmp_path / "controls.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "measure_controls.py"), "--only", "foundations",
                             "--values", "2", "--output", str(out)], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))["controls"]
    assert {row["widget"] for row in rows} == {"foundations.matrix_explorer", "foundations.perceptron_playground"}
    assert {row["control"] for row in rows if row["widget"] == "foundations.matrix_explorer"} == {"a", "b", "c", "d"}
    assert all(row["n"] >= 1 and row["errors"] == 0 and row["median_ms"] > 0 for row in rows)
    assert "matrix_explorer" in result.stdout and "over target" in result.stdout
