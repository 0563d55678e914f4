"""A learner who writes an answer but leaves the stub's ``raise NotImplementedError()`` line in is told so
("your function still raises NotImplementedError…"), not "not attempted yet": tried on every exercise."""

from __future__ import annotations

import linecache

import pytest

from utils.checks import all_exercises, judge
from utils.checks.kinds import STILL_RAISING_TEXT
from utils.checks.reference import reference_cell
from utils.checks.stubs import BEGIN
from utils.checks.verdict import FAILED

EXERCISES = all_exercises()


def answer_with_the_raise_left_in(exercise_id: str):
    """The worked answer, with ``raise NotImplementedError()`` left above it (where the stub had it)."""
    lines = []
    for line in reference_cell(exercise_id)[1].splitlines():
        lines.append(line)
        if line.strip() == BEGIN:
            lines.append(line[: len(line) - len(line.lstrip())] + "raise NotImplementedError()")
    source = "\n".join(lines) + "\n"
    filename = f"<learner cell {exercise_id}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # as IPython does
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[EXERCISES[exercise_id].reference]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_an_answer_below_a_leftover_raise_is_named(exercise_id):
    verdict = judge(exercise_id, answer_with_the_raise_left_in(exercise_id))
    assert verdict.status == FAILED and verdict.summary == STILL_RAISING_TEXT
    assert "delete the line `raise NotImplementedError()`" in verdict.hint


def test_a_function_without_readable_source_keeps_not_attempted():
    stub = eval("lambda x: (_ for _ in ()).throw(NotImplementedError())")  # no source file to read
    assert judge("activations.sigmoid", stub).status == "not_attempted"
