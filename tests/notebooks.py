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
