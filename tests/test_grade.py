"""python -m utils.grade grades a class: folders of notebooks, any file name, broken notebooks get a row.

Notebooks are generated from Chapter 01's exercise cells (solved from solutions/, stubs from chapters/) and
each check call after them. Fast tests grade fabricated kernel runs; one test runs a real kernel on a small
notebook (partly solved, a syntax error, a deleted exercise cell, a renamed file); the whole-class command line
with an infinite loop and two processes is marked slow.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.notebooks import ROOT, code_cells, generated_notebook
from utils import grade as grade_module
from utils.grading import results as results_module
from utils.grading.kernel import RunOutcome, run_notebook
from utils.grading.notebooks import (
    Submission,
    UnreadableNotebook,
    chapter_exercises,
    find_submissions,
    read_notebook,
    recognise_chapter,
)
from utils.grading.results import NotebookResult, grade_notebook, gradebook, gradebook_csv

CHAPTER = chapter_exercises()["activations"]  # in the notebook's order
WRONG_RELU = "import numpy as np\n\ndef relu(x):\n    return np.minimum(x, 0)\n"
CHECKS = {eid: next(s for s in code_cells(ROOT / "solutions" / "01_activations.ipynb") if f'check("{eid}"' in s)
          for eid in CHAPTER}
LOOP = "while True:\n    try:\n        pass\n    except BaseException:  # even Kernel → Interrupt\n        pass\n"


def chapter_notebook(solved=(), deleted=(), extra=None, wrong=()):
    """Chapter 01's exercises (see ``generated_notebook``); ``wrong`` ones answer ReLU with a minimum."""
    return generated_notebook("activations", solved, {eid: WRONG_RELU for eid in wrong}, deleted, extra)


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# --- finding notebooks and learners, reading, recognising the chapter (no kernel) ---

def test_learners_are_sub_folders_or_files_and_checkpoints_are_skipped(tmp_path):
    for name in ["class/alice/01_activations.ipynb", "class/alice/deep/02_forward_pass.ipynb",
                 "class/bob.ipynb", "class/alice/.ipynb_checkpoints/01_activations-checkpoint.ipynb"]:
        write(new_notebook(), tmp_path / name)
    single = write(new_notebook(), tmp_path / "carol" / "homework.ipynb")
    found = find_submissions([tmp_path / "class", single])
    assert [(s.path.relative_to(tmp_path).as_posix(), s.learner) for s in found] == [
        ("class/alice/01_activations.ipynb", "alice"), ("class/alice/deep/02_forward_pass.ipynb", "alice"),
        ("class/bob.ipynb", "bob"), ("carol/homework.ipynb", "homework")]
    with pytest.raises(FileNotFoundError, match="nowhere"):
        find_submissions([tmp_path / "nowhere"])


@pytest.mark.parametrize("content, why", [('{"cells": [', "not JSON"), (b"\xff\xfe\x00", "not UTF-8"),
                                          ('{"cells": 3, "nbformat": 4}', "not shaped like one")])
def test_a_corrupt_file_is_unreadable_with_the_reason(tmp_path, content, why):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(UnreadableNotebook, match=why):
        read_notebook(path)


def test_the_chapter_comes_from_the_content_not_the_file_name(tmp_path):
    nb = chapter_notebook(deleted=CHAPTER[1:])  # one exercise cell left, every check call still there
    assert recognise_chapter(nb) == "activations"
    assert recognise_chapter(new_notebook(cells=[new_code_cell('check("losses.mse", mse)')])) == "losses"
    assert recognise_chapter(new_notebook(cells=[new_code_cell("print(1)")])) is None


# --- statuses, from fabricated kernel runs ---

def fake_run(monkeypatch, outcome):
    monkeypatch.setattr(results_module, "run_notebook", lambda nb, folder, *limits: outcome)


def cell_of(nb, eid, check=False):
    """Index of an exercise's cell (or of its check call)."""
    for i, cell in enumerate(nb.cells):
        if (check and cell.source == CHECKS[eid]) or (not check and f"exercise:{eid}" in cell.metadata.get("tags", [])):
            return i
    raise LookupError(eid)


def test_every_exercise_gets_a_status_and_problems_are_named(tmp_path, monkeypatch):
    nb = chapter_notebook(deleted=["activations.tanh"])
    path = write(nb, tmp_path / "01_activations-Copy1.ipynb")
    errors = {cell_of(nb, "activations.leaky_relu"): "SyntaxError: invalid syntax",
              cell_of(nb, "activations.softmax", check=True): "NameError: name 'softmax' is not defined"}
    outcome = RunOutcome(recorded={"activations.sigmoid": "passed", "activations.relu": "failed",
                                   "activations.elu": "not_attempted"}, errors=errors)
    fake_run(monkeypatch, outcome)
    result = grade_notebook(Submission(path, "alice"))
    assert result.state == "graded" and result.fully_graded and result.chapter == "01_activations"
    assert list(result.exercises) == CHAPTER
    assert result.exercises["activations.sigmoid"] == "passed" and result.exercises["activations.relu"] == "failed"
    assert result.exercises["activations.elu"] == "not_attempted"
    assert result.exercises["activations.tanh"] == "missing"
    statuses, details = result.exercises, result.details
    assert statuses["activations.leaky_relu"] == "error" and "SyntaxError" in details["activations.leaky_relu"]
    assert statuses["activations.softmax"] == "error" and "NameError" in details["activations.softmax"]
    assert result.exercises["activations.log_softmax"] == "not_checked"
    assert any("activations.tanh" in p and "deleted" in p for p in result.problems)


def test_a_timed_out_cell_stops_the_grade_but_keeps_what_was_checked_before(tmp_path, monkeypatch):
    nb = chapter_notebook()
    path = write(nb, tmp_path / "01_activations.ipynb")
    hung = cell_of(nb, "activations.elu")
    fake_run(monkeypatch, RunOutcome(recorded={"activations.sigmoid": "passed"}, stopped_at=hung,
                                     stop_reason="timed_out", message=f"cell {hung + 1} ran over 120 s"))
    result = grade_notebook(Submission(path, "dave"))
    assert result.state == "timed_out" and not result.fully_graded
    assert result.exercises["activations.sigmoid"] == "passed" and result.exercises["activations.elu"] == "timed_out"
    assert result.exercises["activations.softmax"] == "not_checked"
    assert "not reached" in result.details["activations.softmax"]
    assert "ran over" in result.problems[0]


def test_unreadable_and_unrecognised_notebooks_get_a_row_without_a_kernel(tmp_path, monkeypatch):
    fake_run(monkeypatch, None)  # never called
    corrupt = tmp_path / "eve.ipynb"
    corrupt.write_text('{"cells": [')
    assert grade_notebook(Submission(corrupt, "eve")).state == "unreadable"
    other = write(new_notebook(cells=[new_code_cell("print('hello')")]), tmp_path / "notes.ipynb")
    result = grade_notebook(Submission(other, "eve"))
    assert result.state == "unknown_chapter" and result.exercises == {} and "no exercise" in result.problems[0]


# --- the gradebook ---

def result_of(learner, path, statuses, state="graded", problems=()):
    return NotebookResult(path, learner, state, "01_activations", dict(zip(CHAPTER, statuses, strict=False)),
                          problems=list(problems))


def test_gradebook_has_a_row_per_learner_a_column_per_exercise_and_keeps_the_best_of_two_copies():
    results = [result_of("bob", "bob/01.ipynb", ["failed"] * 13),
               result_of("alice", "alice/01.ipynb", ["passed"] * 12 + ["not_checked"]),
               result_of("bob", "bob/01-Copy1.ipynb", ["passed", "not_attempted"] + ["failed"] * 11),
               NotebookResult("eve.ipynb", "eve", "unreadable", problems=["not a notebook: the file is not JSON"])]
    columns, rows = gradebook(results)
    assert columns == ["learner", *CHAPTER, "passed", "total", "notes"]
    assert [row["learner"] for row in rows] == ["alice", "bob", "eve"]
    alice, bob, eve = rows
    assert (alice["passed"], alice["total"]) == ("12", "13")
    assert bob["activations.sigmoid"] == "passed" and bob["activations.relu"] == "failed" and bob["passed"] == "1"
    assert eve["activations.sigmoid"] == "" and eve["total"] == "0" and "eve.ipynb: not a notebook" in eve["notes"]
    parsed = list(csv.DictReader(io.StringIO(gradebook_csv(results))))
    assert parsed == rows


# --- the command line (grading replaced by fabricated results) ---

@pytest.fixture
def fake_class(tmp_path, monkeypatch):
    write(new_notebook(), tmp_path / "class" / "alice" / "01_activations.ipynb")
    (tmp_path / "class" / "eve.ipynb").write_text("not json")
    fabricated = {"alice": result_of("alice", "alice", ["passed"] * 13)}

    def fake_grade(submission, *limits):
        return fabricated.get(submission.learner) or NotebookResult(str(submission.path), submission.learner,
                                                                    "unreadable", problems=["not a notebook"])
    monkeypatch.setattr(grade_module, "grade_notebook", fake_grade)
    return tmp_path / "class"


def test_main_prints_a_table_and_exits_1_when_a_notebook_could_not_be_graded(fake_class, capsys):
    assert grade_module.main([str(fake_class)]) == 1
    out = capsys.readouterr().out
    assert "13/13 passed" in out and "✓ activations.sigmoid" in out
    assert "NOT GRADED" in out and "problem: not a notebook" in out and "1 of 2 notebooks graded in full" in out


def test_main_writes_json_and_csv_and_exits_0_when_all_were_graded(fake_class, capsys):
    (fake_class / "eve.ipynb").unlink()
    assert grade_module.main([str(fake_class), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report[0]["learner"] == "alice" and report[0]["passed"] == 13 and report[0]["total"] == 13
    assert grade_module.main([str(fake_class), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["learner"] == "alice" and rows[0]["passed"] == "13"


@pytest.mark.parametrize("argv", [["nowhere"], ["--jobs", "0", "."], ["--json", "--csv", "."]])
def test_main_rejects_a_wrong_command_line_with_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        grade_module.main(argv)
    assert stop.value.code == 2


# --- real kernels ---

def test_a_real_kernel_grades_a_partly_solved_renamed_notebook(tmp_path, capfd):
    """All in one small run: solved, wrong, stub, a syntax error, a deleted exercise cell, a renamed file."""
    nb = chapter_notebook(solved=["activations.sigmoid", "activations.sigmoid_derivative", "activations.relu"],
                          wrong=["activations.relu"],
                          deleted=["activations.elu"], extra=(8, "def oops(:\n    pass\n"))
    path = write(nb, tmp_path / "01_activations-Copy1.ipynb")
    result = grade_notebook(Submission(path, "carol"), cell_timeout=60, notebook_timeout=300)
    assert result.state == "graded", result.problems
    statuses = result.exercises
    assert [statuses[eid] for eid in ["activations.sigmoid", "activations.sigmoid_derivative", "activations.tanh",
                                      "activations.relu"]] == ["passed", "passed", "not_attempted", "failed"]
    assert statuses["activations.elu"] == "missing" and statuses["activations.softmax"] == "not_attempted"
    assert len(statuses) == len(CHAPTER) == 13
    assert any("SyntaxError" in p for p in result.problems)
    assert "without encryption" not in capfd.readouterr().err


@pytest.mark.slow
def test_the_command_grades_a_class_in_two_processes_despite_a_hang_and_a_corrupt_file(tmp_path):
    """``python -m utils.grade --csv --jobs 2``: all solved, none solved, an infinite loop (its kernel stopped,
    what it checked before kept), a kernel that dies, a corrupt file; the others are graded and the exit code is 1."""
    write(chapter_notebook(solved=CHAPTER), tmp_path / "class" / "alice" / "01_activations.ipynb")
    write(chapter_notebook(), tmp_path / "class" / "bob" / "01_activations.ipynb")
    write(chapter_notebook(solved=CHAPTER[:2], extra=(2, LOOP)), tmp_path / "class" / "dave" / "work.ipynb")
    write(chapter_notebook(solved=CHAPTER[:1], extra=(1, "import os\nos._exit(1)")), tmp_path / "class" / "frank.ipynb")
    (tmp_path / "class" / "eve").mkdir()
    (tmp_path / "class" / "eve" / "01_activations.ipynb").write_text('{"cells": [')
    graded = subprocess.run([sys.executable, "-m", "utils.grade", "class", "--csv", "--jobs", "2",
                             "--cell-timeout", "5"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert graded.returncode == 1, graded.stderr
    assert "without encryption" not in graded.stderr and "Traceback" not in graded.stderr, graded.stderr
    rows = {row["learner"]: row for row in csv.DictReader(io.StringIO(graded.stdout))}
    assert sorted(rows) == ["alice", "bob", "dave", "eve", "frank"]
    assert rows["alice"]["passed"] == "13" and rows["alice"]["total"] == "13"
    assert rows["bob"]["passed"] == "0" and {rows["bob"][eid] for eid in CHAPTER} == {"not_attempted"}
    assert rows["dave"][CHAPTER[1]] == "passed" and rows["dave"][CHAPTER[2]] == "not_checked"  # loop between
    assert "ran over 5 s" in rows["dave"]["notes"] and "not JSON" in rows["eve"]["notes"]
    assert rows["frank"]["activations.sigmoid"] == "passed" and "kernel died" in rows["frank"]["notes"]


@pytest.mark.slow
def test_the_whole_notebook_limit_stops_a_notebook_of_slow_cells(tmp_path):
    """No single cell runs over its limit, but together they run over the notebook's."""
    nb = chapter_notebook(solved=CHAPTER[:1], extra=(1, "import time\ntime.sleep(1.5)"))
    nb.cells[5:5] = [new_code_cell("time.sleep(1.5)") for _ in range(4)]  # after the import time cell
    outcome = run_notebook(nb, tmp_path, cell_timeout=60, notebook_timeout=4)
    assert outcome.stop_reason == "notebook_timed_out" and "ran over 4 s" in outcome.message
    assert outcome.recorded == {"activations.sigmoid": "passed"}


def test_run_notebook_leaves_the_callers_notebook_untouched(tmp_path, monkeypatch):
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    monkeypatch.setattr("utils.grading.kernel._run", lambda nb, *args: _fake_coroutine(nb))
    run_notebook(nb, tmp_path)
    assert nb.cells[0].get("outputs") == []


async def _fake_coroutine(nb):
    nb.cells[0].outputs = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    return RunOutcome()
