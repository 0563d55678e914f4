"""Find the reference answer of an exercise: the code cell tagged ``exercise:<id>`` in ``solutions/``.

The cell is executed alone, in a fresh namespace, the first time it is needed (then cached); nothing it
prints reaches the learner, and its source is never shown.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from functools import cache
from pathlib import Path

from .sandbox import NumpyState

SOLUTIONS_ENV = "COURSE_SOLUTIONS_DIR"
TAG_PREFIX = "exercise:"


class ReferenceNotFound(LookupError):
    """The solutions folder or the exercise's tagged cell is missing."""


def solutions_dir() -> Path:
    """``$COURSE_SOLUTIONS_DIR`` if set, else ``<repository>/solutions`` next to this package."""
    override = os.environ.get(SOLUTIONS_ENV)
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "solutions"
    if not path.is_dir():
        raise ReferenceNotFound(
            f"the reference solutions were not found at {path}; the checker needs the course's "
            f"solutions/ folder (set the environment variable {SOLUTIONS_ENV} to its path)")
    return path


def exercise_id_of(cell: dict) -> str | None:
    """The id in a cell's ``exercise:<id>`` tag, or None."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith(TAG_PREFIX):
            return tag[len(TAG_PREFIX):]
    return None


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


@cache
def _index(folder: Path) -> dict[str, tuple[Path, str]]:
    found: dict[str, tuple[Path, str]] = {}
    for notebook in sorted(folder.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            exercise_id = exercise_id_of(cell)
            if exercise_id is not None and cell["cell_type"] == "code":
                found[exercise_id] = (notebook, cell_source(cell))
    return found


def reference_cell(exercise_id: str) -> tuple[Path, str]:
    """(notebook path, source) of the solution cell tagged ``exercise:<exercise_id>``."""
    folder = solutions_dir()
    index = _index(folder)
    if exercise_id not in index:
        raise ReferenceNotFound(f"no cell tagged '{TAG_PREFIX}{exercise_id}' in {folder}")
    return index[exercise_id]


@cache
def _namespace(exercise_id: str, folder: str) -> dict:
    notebook, source = reference_cell(exercise_id)
    namespace: dict = {"__name__": f"reference_{exercise_id.replace('.', '_')}"}
    state = NumpyState.capture()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"<reference {exercise_id}>", "exec"), namespace)
    finally:
        state.restore()
    return namespace


def load_reference(exercise_id: str, name: str):
    """The object called ``name`` that the reference cell of ``exercise_id`` defines."""
    namespace = _namespace(exercise_id, str(solutions_dir()))
    if name not in namespace:
        raise ReferenceNotFound(f"the reference cell of {exercise_id} defines no '{name}'")
    return namespace[name]


def clear_cache() -> None:
    """Forget loaded references (after editing a solution notebook)."""
    _index.cache_clear()
    _namespace.cache_clear()
