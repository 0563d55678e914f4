"""Where notebooks take their code from: maths from the maths modules, never from a widget module. A notebook
imports from ``utils.widgets.*`` only explorers and the ``draw_*`` functions that draw an explorer's default state
(CONTRIBUTING, "Where does it go")."""

from __future__ import annotations

import ast
import re

import pytest

from tests.notebooks import CHAPTERS, SOLUTIONS, code_cells

WIDGET_NAME = re.compile(r"^draw_\w+$|^\w+_(explorer|playground|stepper|dashboard)$")


def widget_imports(path) -> list[tuple[str, str]]:
    """(module, name) of every ``from utils.widgets.<module> import <name>`` in the notebook's code cells."""
    found = []
    for source in code_cells(path):
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils.widgets"):
                found += [(node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(alias.name, "*") for alias in node.names if alias.name.startswith("utils.widgets")]
    return found


@pytest.mark.parametrize("path", SOLUTIONS + CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_import_only_explorers_and_their_figures_from_widget_modules(path):
    wrong = [f"{module}.{name}" for module, name in widget_imports(path) if not WIDGET_NAME.match(name)]
    assert not wrong, f"{path.name} imports maths or data from a widget module: {wrong}; use its maths module"


def test_the_rule_catches_a_maths_import(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path / "99_x.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("from utils.widgets.losses import (\n    fit_line,\n"
                                                     "    outlier_explorer,\n)")]), path)
    assert widget_imports(path) == [("utils.widgets.losses", "fit_line"), ("utils.widgets.losses", "outlier_explorer")]
    assert not WIDGET_NAME.match("fit_line") and WIDGET_NAME.match("outlier_explorer")
