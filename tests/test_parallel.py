"""`make test` runs pytest on two workers (pytest-xdist): the root conftest.py must keep each notebook on one
worker, its cells in order, in one kernel, while unit tests run beside it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

# Each cell needs the ones before it in the same kernel: a scattered notebook fails with NameError.
CELLS = ["x = 1", "assert x == 1", "x += 1", "assert x == 2", "y = 2 * x", "assert y == 4"]
UNIT_TESTS = "\n".join(f"def test_{i}():\n    assert {i} + 1 == {i + 1}\n" for i in range(12))


@pytest.mark.slow  # ~8-14 s: two xdist workers and a kernel; make check-all (CI) and plain pytest run it
def test_a_notebook_runs_whole_on_one_worker_beside_unit_tests(root, tmp_path):
    shutil.copy(root / "conftest.py", tmp_path / "conftest.py")
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in CELLS]), tmp_path / "cells.ipynb")
    (tmp_path / "test_units.py").write_text(UNIT_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-v", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(CELLS) + 12} passed" in result.stdout
    workers = {}
    for worker, test in re.findall(r"\[(gw\d)\] .*?PASSED (\S+)", result.stdout):
        workers.setdefault(test.replace("::ipynb", ".ipynb").split("::")[0], set()).add(worker)  # -v shows a::ipynb
    assert len(workers["cells.ipynb"]) == 1, workers
