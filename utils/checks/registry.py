"""Where exercises are declared: one module per chapter in ``utils/checks/chapters/``, named by the
chapter's slug (``01_activations.ipynb`` -> ``utils/checks/chapters/activations.py``), each calling
``register(...)``. Exercise ids are ``<slug>.<name>`` and unique."""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from . import chapters as _chapters_pkg
from .kinds import Exercise

_EXERCISES: dict[str, Exercise] = {}


class UnknownExercise(KeyError):
    pass


def register(*exercises: Exercise) -> None:
    for exercise in exercises:
        slug = exercise.id.split(".")[0]
        if "." not in exercise.id or not slug:
            raise ValueError(f"exercise ids look like '<chapter slug>.<name>', got {exercise.id!r}")
        if exercise.id in _EXERCISES and _EXERCISES[exercise.id] is not exercise:
            raise ValueError(f"exercise id {exercise.id!r} is registered twice")
        _EXERCISES[exercise.id] = exercise


def _import_all() -> None:
    for module in pkgutil.iter_modules(_chapters_pkg.__path__):
        importlib.import_module(f"{_chapters_pkg.__name__}.{module.name}")


def all_exercises() -> dict[str, Exercise]:
    """Every declared exercise, by id."""
    _import_all()
    return dict(_EXERCISES)


def get(exercise_id: str) -> Exercise:
    exercises = all_exercises()
    if exercise_id not in exercises:
        close = difflib.get_close_matches(str(exercise_id), exercises, n=1)
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownExercise(f"there is no exercise {exercise_id!r}{suggestion}")
    return exercises[exercise_id]
