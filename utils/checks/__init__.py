"""The exercise checker. In a notebook::

    from utils.checks import check
    check("activations.sigmoid", sigmoid)     # prints ✓ / ✗ / ○ and a hint; returns None

``check`` compares your answer with the reference in ``solutions/`` (never showing the reference), prints a
short verdict and records it (``verdicts()``, ``last_verdict()``) for a grading command to collect.
"""

from __future__ import annotations

import dataclasses

from .limits import CapturedOutput
from .reference import ReferenceNotFound
from .registry import UnknownExercise, all_exercises, get
from .verdict import ERROR, Verdict, last_verdict, record, summary_by_exercise, verdicts

__all__ = ["check", "judge", "last_verdict", "verdicts", "summary_by_exercise", "Verdict", "all_exercises",
           "CheckInterrupted"]


class CheckInterrupted(KeyboardInterrupt):
    """Kernel → Interrupt during a check: the cell ends with this one line (no traceback through the checker),
    and as an error, so that "Run All" stops there as after any interrupt."""

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [str(self)]


def check(exercise_id: str, answer=None) -> None:
    """Check ``answer`` (your function, or your value) for the exercise ``exercise_id`` and print a verdict."""
    try:
        verdict = judge(exercise_id, answer)
    except KeyboardInterrupt:
        verdict = Verdict(str(exercise_id), ERROR, "interrupted (Kernel → Interrupt) before the check finished; run "
                                                   "this cell again to check your answer")
        record(verdict)
        raise CheckInterrupted(verdict.render()) from None
    record(verdict)
    print(verdict.render())


def judge(exercise_id: str, answer=None) -> Verdict:
    """The verdict ``check`` would print, without printing or recording it. What the answer prints while it is
    checked is not shown as it happens: the verdict counts the lines and shows the first few."""
    try:
        exercise = get(exercise_id)
    except UnknownExercise as exc:
        return Verdict(str(exercise_id), ERROR, exc.args[0])
    with CapturedOutput() as printed:
        verdict = _judge(exercise, answer)
    if printed.lines:
        verdict = dataclasses.replace(verdict, details=verdict.details + printed.summary())
    return verdict


def _judge(exercise, answer) -> Verdict:
    exercise_id = exercise.id
    try:
        return exercise.judge(answer)
    except ReferenceNotFound as exc:
        return Verdict(exercise_id, ERROR, f"cannot check: {exc}")
    except Exception as exc:  # noqa: BLE001 - the checker must never crash the learner's kernel
        return Verdict(exercise_id, ERROR, f"the checker itself failed ({type(exc).__name__}: {exc}); "
                                           "please report this as a course bug")
