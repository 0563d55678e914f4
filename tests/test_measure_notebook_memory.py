"""benchmarks/measure_notebook_memory.py measures what a kernel holds: a notebook that keeps 200 MiB peaks at least
that much above a kernel alone. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # two kernels, in the script's own subprocess, as it is run
def test_a_notebook_holding_memory_peaks_above_the_kernel_alone(tmp_path):
    notebook = tmp_path / "holds_memory.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nkept = np.ones(200 * 2**20 // 8)")]), notebook)
    out = tmp_path / "memory.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "measure_notebook_memory.py"), str(notebook),
                             "--output", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["notebooks"]
    alone, holding = results["(kernel alone)"], results[f"{tmp_path.name}/holds_memory.ipynb"]
    assert holding["peak_rss_mib"] > alone["peak_rss_mib"] + 190
    assert "| notebook | peak RSS (MiB) |" in result.stdout and "highest peak: " in result.stdout
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]  # the summary python -m benchmarks reads
    assert [row["target"] for row in rows] == ["≤ 30 s each", "≤ 10 s on average", "≤ 1.5 GB"]
    assert "holds_memory.ipynb" in rows[0]["figure"] and all(isinstance(row["passed"], bool) for row in rows)
