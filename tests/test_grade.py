"""python -m utils.grade runs a learner's notebook and reports each exercise's status.

One small notebook, graded once by the command (``python -m utils.grade --json``, as a learner or an instructor
runs it), proves what grading a whole chapter would: a right answer passes, a wrong one fails, a stub is "not
attempted", an exercise whose check never ran is "not checked", and every exercise of the chapter is listed; and
the kernel it starts logs no "Kernel is running over TCP without encryption" warning. The command-line table is
tested on that report without starting a second kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from utils import grade as grade_module
from utils.checks import all_exercises
from utils.grade import main

CELLS = [
    "from utils.checks import check",
    "import numpy as np\n\ndef sigmoid(x):\n    return 0.5 * (1 + np.tanh(0.5 * x))\n",  # right
    'check("activations.sigmoid", sigmoid)',
    "import numpy as np\n\ndef relu(x):\n    return np.minimum(x, 0)\n",  # wrong: min instead of max
    'check("activations.relu", relu)',
    "def tanh(x):\n    raise NotImplementedError()\n",  # a stub
    'check("activations.tanh", tanh)',
    "raise ValueError('a learner broke this cell')",  # an error does not stop the run
]
CHAPTER_01 = sorted(eid for eid in all_exercises() if eid.startswith("activations."))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> subprocess.CompletedProcess:
    """``python -m utils.grade --json`` on the small notebook, run from the folder a learner's copies live in."""
    work = tmp_path_factory.mktemp("work")
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in CELLS]), work / "01_activations.ipynb")
    return subprocess.run([sys.executable, "-m", "utils.grade", "--json", "01_activations.ipynb"], cwd=work,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def report(graded) -> dict[str, str]:
    assert graded.returncode == 0, graded.stderr
    return json.loads(graded.stdout)["01_activations.ipynb"]


def test_grading_logs_no_kernel_warning(graded):
    assert graded.returncode == 0
    assert "without encryption" not in graded.stderr and "IPKernelApp" not in graded.stderr, graded.stderr


def test_grade_reports_passed_failed_unattempted_and_unchecked(report):
    assert report["activations.sigmoid"] == "passed"
    assert report["activations.relu"] == "failed"
    assert report["activations.tanh"] == "not_attempted"
    assert report["activations.output_activation"] == "not_checked"  # no check cell ran for it


def test_grade_lists_every_exercise_of_the_chapter(report):
    assert sorted(report) == CHAPTER_01 and len(CHAPTER_01) > 5


def test_main_prints_a_table_with_the_score(report, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(grade_module, "grade", lambda path: report)
    assert main([str(tmp_path / "01_activations.ipynb")]) == 0
    out = capsys.readouterr().out
    assert f"1/{len(CHAPTER_01)} passed" in out
    assert "✓ activations.sigmoid" in out and "✗ activations.relu" in out and "○ activations.tanh" in out
