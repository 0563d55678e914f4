"""benchmarks/measure_notebook_memory.py measures what a kernel holds: a notebook that keeps 200 MiB peaks at least
that much above a kernel alone. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.benchmark_scripts import run_benchmark_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # two kernels, in the script's own subprocess, as it is run
def test_a_notebook_holding_memory_peaks_above_the_kernel_alone(tmp_path):
    notebook = tmp_path / "holds_memory.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nkept = np.ones(200 * 2**20 // 8)")]), notebook)
    out = tmp_path / "memory.json"
    result, stored = run_benchmark_script("measure_notebook_memory.py", str(notebook), output=out, timeout=180)
    results = stored["notebooks"]
    alone, holding = results["(kernel alone)"], results[f"{tmp_path.name}/holds_memory.ipynb"]
    assert holding["peak_rss_mib"] > alone["peak_rss_mib"] + 190
    assert {"wall_s", "shutdown_s"} <= holding.keys()  # the run to its last output, the kernel's shutdown apart
    assert "then shutdown (s)" in result.stdout
    assert "| notebook | peak RSS (MiB) |" in result.stdout and "highest peak: " in result.stdout
    rows = stored["rows"]  # the summary python -m benchmarks reads
    assert [row["target"] for row in rows] == ["≤ 30 s each", "≤ 10 s on average", "≤ 1.5 GB"]
    assert "holds_memory.ipynb" in rows[0]["figure"] and all(isinstance(row["passed"], bool) for row in rows)
