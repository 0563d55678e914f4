"""One notebook's grade (every exercise of its chapter with a status) and a class's gradebook.

Exercise statuses, best first (a learner with two notebooks of a chapter keeps each exercise's best):
passed, failed, not_attempted (the stub was left), error (the exercise or its check cell raised, or the checker
could not check), timed_out (its cell ran over the time limit), not_checked (its check never ran), missing
(its exercise cell was deleted or lost its ``exercise:`` tag).

A notebook's state: graded (every cell ran), timed_out / notebook_timed_out / kernel_died (the run stopped:
exercises after that cell are not checked), kernel_failed, unreadable (not a notebook), unknown_chapter (no
exercise of any chapter in it). Anything but "graded" means it could not be graded in full.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .kernel import run_notebook
from .notebooks import (
    Submission,
    UnreadableNotebook,
    chapter_exercises,
    chapter_name,
    check_cells,
    exercise_cells,
    read_notebook,
    recognise_chapter,
)

STATUSES = ("passed", "failed", "not_attempted", "error", "timed_out", "not_checked", "missing")
SYMBOL = {"passed": "✓", "failed": "✗", "not_attempted": "○", "error": "!", "timed_out": "⏱",
          "not_checked": "·", "missing": "?"}
GRADED, UNREADABLE, UNKNOWN_CHAPTER = "graded", "unreadable", "unknown_chapter"


@dataclass
class NotebookResult:
    """The grade of one notebook: ``exercises`` maps every exercise id of ``chapter`` to a status (STATUSES),
    ``details`` says why for the ones that need it, ``problems`` lists what went wrong with the notebook."""

    path: str
    learner: str
    state: str
    chapter: str | None = None
    exercises: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def fully_graded(self) -> bool:
        return self.state == GRADED

    @property
    def passed(self) -> int:
        return sum(status == "passed" for status in self.exercises.values())

    def to_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed, "total": len(self.exercises)}


def grade_notebook(submission: Submission, cell_timeout: float = 120, notebook_timeout: float = 600) -> NotebookResult:
    """Read, recognise and run one notebook; never raises for anything the notebook does."""
    path = Path(submission.path)
    result = NotebookResult(str(path), submission.learner, UNREADABLE)
    try:
        nb = read_notebook(path)
    except (OSError, UnreadableNotebook) as exc:
        result.problems.append(str(exc))
        return result
    slug = recognise_chapter(nb)
    if slug is None:
        result.state = UNKNOWN_CHAPTER
        result.problems.append("no exercise of any chapter in it (no exercise: tag, no check(...) call): not graded")
        return result
    result.chapter = chapter_name(slug)
    outcome = run_notebook(nb, path.parent, cell_timeout, notebook_timeout)
    result.state, result.seconds = outcome.stop_reason or GRADED, round(outcome.seconds, 2)
    if outcome.stop_reason:
        result.problems.append(outcome.message)
    tagged, checks = exercise_cells(nb), check_cells(nb)
    for eid in chapter_exercises()[slug]:
        cells = ([tagged[eid]] if eid in tagged else []) + checks.get(eid, [])
        status, detail = _status(eid, outcome, cells, tagged)
        result.exercises[eid] = status
        if detail:
            result.details[eid] = detail
    missing = [eid for eid, status in result.exercises.items() if status == "missing"]
    if missing:
        result.problems.append(f"exercise cell deleted or its tag removed: {', '.join(missing)}")
    exercise_related = set(tagged.values()) | {i for cells in checks.values() for i in cells}
    errors = sorted(set(outcome.errors) - exercise_related)  # the others are in the exercises' details
    if errors:
        result.problems.append(f"{len(errors)} other cell(s) raised an error, first cell {errors[0] + 1}: "
                               f"{outcome.errors[errors[0]]}")
    return result


def _status(eid: str, outcome, cells: list[int], tagged: dict[str, int]) -> tuple[str, str | None]:
    if eid in outcome.recorded:
        return outcome.recorded[eid], None
    if eid not in tagged:
        return "missing", None  # named once in the notebook's problems
    if outcome.stopped_at in cells:
        return "timed_out", outcome.message
    for index in cells:
        if index in outcome.errors:
            return "error", f"cell {index + 1}: {outcome.errors[index]}"
    if outcome.stopped_at is not None and min(cells) > outcome.stopped_at:
        return "not_checked", "not reached: the run stopped before it"
    has_check = any(index != tagged[eid] for index in cells)
    return "not_checked", None if has_check else "no check(...) call for it"


def best(first: str, second: str) -> str:
    """The better of two statuses of one exercise (STATUSES is best first)."""
    return min(first, second, key=STATUSES.index)


def gradebook(results: list[NotebookResult]) -> tuple[list[str], list[dict[str, str]]]:
    """(columns, rows): one row per learner, one column per exercise of every chapter graded, a total.
    A learner's cell for a chapter they handed no notebook of is empty; ``notes`` lists their notebooks'
    problems."""
    order = {eid: i for i, eid in enumerate(eid for ids in chapter_exercises().values() for eid in ids)}
    exercises = sorted({eid for r in results for eid in r.exercises}, key=lambda eid: order.get(eid, len(order)))
    rows: dict[str, dict[str, str]] = {}
    for r in results:
        row = rows.setdefault(r.learner, {"learner": r.learner, "notes": ""})
        for eid, status in r.exercises.items():
            row[eid] = best(row[eid], status) if eid in row else status
        notes = [f"{Path(r.path).name}: {problem}" for problem in r.problems]
        row["notes"] = "; ".join(filter(None, [row["notes"], *notes]))
    for row in rows.values():
        row["passed"] = str(sum(row.get(eid) == "passed" for eid in exercises))
        row["total"] = str(sum(eid in row for eid in exercises))
    columns = ["learner", *exercises, "passed", "total", "notes"]
    return columns, [{c: row.get(c, "") for c in columns} for _, row in sorted(rows.items())]


def gradebook_csv(results: list[NotebookResult]) -> str:
    columns, rows = gradebook(results)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def render(result: NotebookResult) -> str:
    """The table block of one notebook, e.g. ``alice/01_activations.ipynb (alice, 01_activations): 9/13 passed``."""
    named = [result.learner] if result.learner != Path(result.path).stem else []  # a learner per file: its name
    head = f"{result.path} ({', '.join(named + [result.chapter or 'no chapter'])}): "
    head += f"{result.passed}/{len(result.exercises)} passed" if result.exercises else "NOT GRADED"
    if result.exercises and not result.fully_graded:
        head += " (incomplete: " + result.state.replace("_", " ") + ")"
    lines = [head]
    for eid, status in result.exercises.items():
        detail = f"  ({result.details[eid]})" if eid in result.details else ""
        lines.append(f"  {SYMBOL[status]} {eid:40s} {status.replace('_', ' ')}{detail}")
    lines += [f"  problem: {problem}" for problem in result.problems]
    return "\n".join(lines)
