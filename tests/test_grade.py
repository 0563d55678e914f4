"""python -m utils.grade runs a learner's notebook and reports each exercise's status."""

from __future__ import annotations

import shutil

import nbformat

from utils.grade import grade, main


def test_grade_reports_passed_failed_and_unattempted(tmp_path, root, capsys):
    work = tmp_path / "work"
    work.mkdir()
    copy = work / "01_activations.ipynb"
    shutil.copy(root / "chapters" / "01_activations.ipynb", copy)
    nb = nbformat.read(copy, as_version=4)
    answers = {  # one right answer, one wrong one; the rest stay stubs
        "activations.sigmoid": "import numpy as np\n\ndef sigmoid(x):\n    return 0.5 * (1 + np.tanh(0.5 * x))\n",
        "activations.relu": "import numpy as np\n\ndef relu(x):\n    return np.minimum(x, 0)\n",
    }
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.removeprefix("exercise:") in answers:
                cell.source = answers[tag.removeprefix("exercise:")]
    nb.cells = [c for c in nb.cells if "check(\"activations.output_activation\"" not in c.source]
    nbformat.write(nb, copy)

    report = grade(copy)
    assert report["activations.sigmoid"] == "passed"
    assert report["activations.relu"] == "failed"
    assert report["activations.tanh"] == "not_attempted"
    assert report["activations.output_activation"] == "not_checked"  # its check cell was deleted
    assert main([str(copy)]) == 0
    out = capsys.readouterr().out
    assert "1/13 passed" in out and "✓ activations.sigmoid" in out
