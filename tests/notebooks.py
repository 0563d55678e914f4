"""Read the committed notebooks for tests: their exercise cells and the check calls after them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from utils.checks.reference import exercise_id_of

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))


def slug(path: Path) -> str:
    """01_activations.ipynb -> activations"""
    return re.sub(r"^\d+_", "", path.stem)


def exercise_cells(path: Path) -> list[tuple[str, int, str]]:
    """(exercise id, cell index, source) of every cell tagged exercise:<id>."""
    nb = nbformat.read(path, as_version=4)
    return [(exercise_id_of(c), i, c.source) for i, c in enumerate(nb.cells) if exercise_id_of(c)]


def code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def generated_notebook(chapter: str = "activations", solved=(), wrong=None, deleted=(), extra=None):
    """A small learner's notebook of one chapter (its slug): only its exercise cells, each followed by its check call.

    ``solved`` exercises hold the worked answer, the others the chapter's stub; ``wrong`` maps an exercise id to
    the source of a wrong answer; ``deleted`` exercise cells are gone (their check calls stay); ``extra`` is
    ``(n, source)``: a cell inserted before the n-th exercise (an infinite loop, a syntax error, ...)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    solution = next(p for p in SOLUTIONS if slug(p) == chapter)
    answers = {eid: source for eid, _, source in exercise_cells(solution)}
    stubs = {eid: source for eid, _, source in exercise_cells(ROOT / "chapters" / solution.name)}
    sources = code_cells(solution)
    wrong = wrong or {}
    cells = [new_markdown_cell(f"# {solution.stem}"), new_code_cell("from utils.checks import check")]
    for n, (eid, _, _) in enumerate(exercise_cells(solution)):
        if extra and extra[0] == n:
            cells.append(new_code_cell(extra[1]))
        if eid not in deleted:
            source = wrong.get(eid) or (answers[eid] if eid in solved else stubs[eid])
            cells.append(new_code_cell(source, metadata={"tags": [f"exercise:{eid}"]}))
        cells.append(new_code_cell(next(s for s in sources if s.lstrip().startswith(f'check("{eid}"'))))
    return new_notebook(cells=cells)
