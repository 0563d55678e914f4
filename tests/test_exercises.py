"""Every exercise of every chapter, generically: declared once, tagged once, runnable alone, checked next,
and its reference agrees with an independent oracle (PyTorch, utils or known values)."""

from __future__ import annotations

import contextlib
import io

import matplotlib
import nbformat
import pytest

from tests.notebooks import CHAPTERS, SOLUTIONS, exercise_cells, slug
from utils.checks import all_exercises, judge

matplotlib.use("Agg")
EXERCISES = all_exercises()
TAGGED = {eid: (path, index, source) for path in SOLUTIONS for eid, index, source in exercise_cells(path)}


def test_there_are_exercises():
    assert len(EXERCISES) >= 3 and len(TAGGED) >= 3


def test_every_declared_exercise_has_exactly_one_tagged_solution_cell():
    assert sorted(EXERCISES) == sorted(TAGGED)
    all_tags = [eid for path in SOLUTIONS for eid, _, _ in exercise_cells(path)]
    assert len(all_tags) == len(set(all_tags)), "an exercise id is tagged twice"


@pytest.mark.parametrize("exercise_id", sorted(TAGGED))
def test_exercise_id_names_its_chapter(exercise_id):
    path = TAGGED[exercise_id][0]
    assert exercise_id.split(".")[0] == slug(path), f"{exercise_id} lives in {path.name}"


@pytest.mark.parametrize("exercise_id", sorted(TAGGED))
def test_next_cell_checks_the_exercise(exercise_id):
    path, index, _ = TAGGED[exercise_id]
    cells = nbformat.read(path, as_version=4).cells
    following = next(c for c in cells[index + 1:] if c.cell_type == "code")
    assert f'check("{exercise_id}",' in following.source, f"the code cell after {exercise_id} must check it"


@pytest.mark.parametrize("notebook", SOLUTIONS + CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_exercise_cell_runs_alone_in_a_fresh_namespace(notebook):
    for exercise_id, _, source in exercise_cells(notebook):
        namespace = {"__name__": "__fresh__"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, exercise_id, "exec"), namespace)
        assert EXERCISES[exercise_id].reference in namespace, f"{exercise_id} must define its answer"


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_reference_agrees_with_its_oracle(exercise_id):
    assert EXERCISES[exercise_id].validate_reference() == []


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_solution_passes_and_stub_is_not_attempted(exercise_id):
    exercise = EXERCISES[exercise_id]
    assert judge(exercise_id, exercise.load()).passed
    chapter = next(p for p in CHAPTERS if p.name == TAGGED[exercise_id][0].name)
    stub_source = next(s for eid, _, s in exercise_cells(chapter) if eid == exercise_id)
    namespace: dict = {}
    exec(stub_source, namespace)
    assert judge(exercise_id, namespace[exercise.reference]).status == "not_attempted"
