"""Find learners' notebooks, read them without trusting them, and recognise each one's chapter.

A PATH is a notebook or a folder searched recursively (``.ipynb_checkpoints`` and hidden folders skipped).
Learners: a notebook inside a sub-folder of a folder PATH belongs to the learner named by that sub-folder
(``class/alice/01_activations.ipynb`` -> ``alice``); a notebook given as a file, or lying directly in a folder
PATH, is its own learner, named by its file name without ``.ipynb``.

The chapter comes from the content: the ``exercise:<slug>.<name>`` tags of its cells and the ids of its
``check("<slug>.<name>", ...)`` calls; the chapter with most of them wins. A renamed copy
(``01_activations-Copy1.ipynb``, ``homework.ipynb``) is recognised like the original.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from utils.checks import all_exercises
from utils.checks.reference import cell_source, exercise_id_of

ROOT = Path(__file__).resolve().parents[2]
CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([A-Za-z0-9_]+\.[A-Za-z0-9_]+)["']""")


@dataclass(frozen=True)
class Submission:
    """One notebook to grade and the learner it belongs to."""

    path: Path
    learner: str


class UnreadableNotebook(ValueError):
    """The file is not a Jupyter notebook (not JSON, not UTF-8, or not notebook-shaped)."""


def find_submissions(paths: list[Path]) -> list[Submission]:
    """Every notebook under ``paths`` (files and folders), in a stable order, each with its learner.
    Raises FileNotFoundError naming a path that does not exist."""
    found: list[Submission] = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(Submission(path, path.stem))
        elif path.is_dir():
            for notebook in sorted(path.rglob("*.ipynb")):
                relative = notebook.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue  # .ipynb_checkpoints/, .git/, hidden folders
                learner = relative.parts[0] if len(relative.parts) > 1 else notebook.stem
                found.append(Submission(notebook, learner))
        else:
            raise FileNotFoundError(f"no notebook or folder at {path}")
    return found


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (version 4), or UnreadableNotebook saying why not."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        _ = [(cell.cell_type, cell_source(cell)) for cell in nb.cells]  # notebook-shaped
    except UnicodeDecodeError:
        raise UnreadableNotebook("not a notebook: the file is not UTF-8 text") from None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError):
        raise UnreadableNotebook("not a notebook: the file is not JSON (corrupt or truncated)") from None
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise UnreadableNotebook(f"not a notebook: its JSON is not shaped like one ({why})") from None
    return nb


def chapter_exercises() -> dict[str, list[str]]:
    """{chapter slug: its exercise ids in the order of the chapter's notebook}."""
    chapters: dict[str, list[str]] = {}
    for exercise_id in all_exercises():
        chapters.setdefault(exercise_id.split(".")[0], []).append(exercise_id)
    for slug, ids in chapters.items():
        order = _notebook_order(slug)
        ids.sort(key=lambda eid: order.index(eid) if eid in order else len(order))
    return chapters


@cache
def _notebook_order(slug: str) -> tuple[str, ...]:
    """The exercise ids of ``solutions/NN_<slug>.ipynb`` in cell order (empty without that notebook)."""
    files = sorted((ROOT / "solutions").glob(f"[0-9]*_{slug}.ipynb"))
    if not files:
        return ()
    cells = json.loads(files[0].read_text(encoding="utf-8")).get("cells", [])
    return tuple(eid for cell in cells if (eid := exercise_id_of(cell)))


def chapter_name(slug: str) -> str:
    """``activations`` -> ``01_activations`` (the chapter's file name), or the slug if no chapter file has it."""
    files = sorted((ROOT / "chapters").glob(f"[0-9]*_{slug}.ipynb"))
    return files[0].stem if files else slug


def mentioned_exercises(nb) -> list[str]:
    """Exercise ids the notebook mentions: its cells' ``exercise:`` tags and its ``check("...")`` calls."""
    ids = []
    for cell in nb.cells:
        tagged = exercise_id_of(cell)
        if tagged:
            ids.append(tagged)
        if cell.get("cell_type") == "code":
            ids += CHECK_CALL.findall(cell_source(cell))
    return ids


def recognise_chapter(nb) -> str | None:
    """The slug of the chapter whose exercises the notebook mentions most, or None if it mentions none."""
    known = chapter_exercises()
    votes = Counter(eid.split(".")[0] for eid in mentioned_exercises(nb) if eid in all_exercises())
    votes = Counter({slug: n for slug, n in votes.items() if slug in known})
    return votes.most_common(1)[0][0] if votes else None


def exercise_cells(nb) -> dict[str, int]:
    """{exercise id: index of the cell tagged with it}."""
    return {eid: i for i, cell in enumerate(nb.cells) if (eid := exercise_id_of(cell))}


def check_cells(nb) -> dict[str, list[int]]:
    """{exercise id: indices of the code cells that call ``check`` on it}."""
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            for eid in CHECK_CALL.findall(cell_source(cell)):
                found.setdefault(eid, []).append(i)
    return found
