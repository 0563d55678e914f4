"""The exercise checker. In a notebook::

    from utils.checks import check
    check("activations.sigmoid", sigmoid)     # prints ✓ / ✗ / ○ and a hint; returns None

``check`` compares your answer with the reference in ``solutions/`` (never showing the reference), prints a
short verdict and records it (``verdicts()``, ``last_verdict()``) for a grading command to collect.
"""

from __future__ import annotations

from .reference import ReferenceNotFound
from .registry import UnknownExercise, all_exercises, get
from .verdict import ERROR, Verdict, last_verdict, record, summary_by_exercise, verdicts

__all__ = ["check", "last_verdict", "verdicts", "summary_by_exercise", "Verdict", "all_exercises"]


def check(exercise_id: str, answer=None) -> None:
    """Check ``answer`` (your function, or your value) for the exercise ``exercise_id`` and print a verdict."""
    verdict = judge(exercise_id, answer)
    record(verdict)
    print(verdict.render())


def judge(exercise_id: str, answer=None) -> Verdict:
    """The verdict ``check`` would print, without printing or recording it."""
    try:
        exercise = get(exercise_id)
    except UnknownExercise as exc:
        return Verdict(str(exercise_id), ERROR, exc.args[0])
    try:
        return exercise.judge(answer)
    except ReferenceNotFound as exc:
        return Verdict(exercise_id, ERROR, f"cannot check: {exc}")
    except Exception as exc:  # noqa: BLE001 - the checker must never crash the learner's kernel
        return Verdict(exercise_id, ERROR, f"the checker itself failed ({type(exc).__name__}: {exc}); "
                                           "please report this as a course bug")
