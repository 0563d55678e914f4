"""Rules every notebook of solutions/ and chapters/ follows: a cell whose output nbval does not compare (tag
``nbval-ignore-output``) says why in a comment, so a reader (and a reviewer) knows what was given up and why
(CONTRIBUTING, "Rules for stored outputs")."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.notebooks import CHAPTERS, SOLUTIONS

IGNORE_OUTPUT = "nbval-ignore-output"
PRAGMAS = ("# noqa", "# type:", "# fmt:", "# pragma")  # comments for tools, not for readers


def says_why(source: str) -> bool:
    """True when a line of ``source`` is a comment of at least three words (not a tool's pragma)."""
    comments = [line.strip() for line in source.splitlines() if line.lstrip().startswith("#")]
    return any(len(c.lstrip("#").split()) >= 3 and not c.startswith(PRAGMAS) for c in comments)


def unexplained_ignored_outputs(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """"name, cell i (id ...)" for each code cell tagged nbval-ignore-output without a comment saying why."""
    return [f"{name}, cell {i} (id {cell.get('id', '?')})" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and IGNORE_OUTPUT in cell.metadata.get("tags", [])
            and not says_why(cell.source)]


@pytest.mark.parametrize("path", SOLUTIONS + CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ignored_output_says_why(path):
    problems = unexplained_ignored_outputs(nbformat.read(path, as_version=4), path.name)
    assert not problems, (f"cells tagged {IGNORE_OUTPUT} without a comment line saying why nbval does not compare "
                          "their output (e.g. '# Timings depend on the machine: not compared'):\n"
                          + "\n".join(problems))


def test_the_notebooks_have_ignored_outputs_to_check():
    assert sum(IGNORE_OUTPUT in c.metadata.get("tags", []) for p in SOLUTIONS
               for c in nbformat.read(p, as_version=4).cells) >= 10


def _tagged(source: str, cell_id: str, tags=(IGNORE_OUTPUT,)) -> nbformat.NotebookNode:
    cell = new_code_cell(source, id=cell_id)
    cell.metadata["tags"] = list(tags)
    return cell


def test_an_ignored_output_without_a_comment_is_found():
    nb = new_notebook(cells=[
        _tagged("# Timings depend on the machine: this cell's output is not compared.\nt = timeit(f)", "timed"),
        _tagged("import ipywidgets as w\nw.IntSlider()", "bare"),
        _tagged("x = train()  # trained\nprint(x)", "trailing-comment"),
        _tagged("#\nprint(x)", "empty-comment"),
        _tagged("import numpy as np  # noqa\n# noqa: F401\nnp", "pragma-only"),
        _tagged("print(1)", "not-ignored", tags=("solution-only",)),
        _tagged("    # Interactive: widgets render only in a live kernel.\nexplorer()", "indented"),
    ])
    assert unexplained_ignored_outputs(nb, "synthetic.ipynb") == [
        "synthetic.ipynb, cell 1 (id bare)", "synthetic.ipynb, cell 2 (id trailing-comment)",
        "synthetic.ipynb, cell 3 (id empty-comment)", "synthetic.ipynb, cell 4 (id pragma-only)"]
