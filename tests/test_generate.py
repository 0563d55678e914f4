"""The solutions -> chapters generator: marker lint, a round trip, drift of the committed chapters, and
byte-identical output from two runs (COURSE_DESIGN §4's churn normalised)."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.notebooks import SOLUTIONS
from utils import generate
from utils.generate import REVEALS_ANSWER, MarkerError, make_chapter, strip_solution, student_source

SOLVED = '''import numpy as np


def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION
'''


def _cell(kind, source, cid, tags=()):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    cell.id = cid
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def synthetic_notebook(with_outputs: bool = True) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        _cell("markdown", "# A synthetic chapter", "title"),
        _cell("code", "import numpy as np\nimport matplotlib.pyplot as plt\nx = np.arange(3.0)", "setup"),
        _cell("code", SOLVED, "double-exercise", ["exercise:synthetic.double"]),
        _cell("markdown", "Only the solution explains the answer.", "why", ["solution-only"]),
        _cell("code", "print(f'{np.sqrt(2):.4f}')", "printed"),
        _cell("code", "fig, ax = plt.subplots()\nax.plot(x, x ** 2)\nplt.show()", "figure"),
        _cell("code", "import ipywidgets as w\nw.IntSlider(value=3)", "widget", ["nbval-ignore-output"]),
        _cell("code", "# Run this after answering the exercise: it prints the answer.\nprint(f'answer {2 * 21}')",
              "answer-revealed", [REVEALS_ANSWER]),
    ]
    return nb


def _executed(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` as if a kernel had run it: an execution count and a printed line for every code cell."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"cell {count}\n")]
    return nb


def test_strip_replaces_the_region_with_an_indented_stub():
    student = strip_solution(SOLVED)
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in student
    assert "2 * x" not in student and "SOLUTION" not in student
    assert '"""Twice x."""' in student  # the docstring (the task) stays


def test_round_trip_keeps_ids_tags_and_drops_solution_only():
    solution = synthetic_notebook()
    chapter = make_chapter(solution, "synthetic.ipynb")
    assert [c.id for c in chapter.cells] == ["title", "setup", "double-exercise", "printed", "figure", "widget",
                                             "answer-revealed"]
    exercise = chapter.cells[2]
    assert exercise.metadata["tags"] == ["exercise:synthetic.double"]
    assert "raise NotImplementedError()" in exercise.source and exercise.outputs == []
    namespace: dict = {}
    exec(exercise.source, namespace)
    with pytest.raises(NotImplementedError):
        namespace["double"](1)
    assert solution.cells[2].source == SOLVED  # the solution itself is untouched


@pytest.mark.parametrize("source, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a matching"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n",
     "inside another"),
    ("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n", "inside a function body"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n### END SOLUTION\n", "not indented like"),
    ("def f(:\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "not valid Python"),
])
def test_marker_lint_names_the_problem(source, message):
    with pytest.raises(MarkerError, match=message):
        student_source(source, "nb.ipynb, cell 3 (id x)")


def test_marker_lint_names_the_cell():
    nb = synthetic_notebook()
    nb.cells[2].source = "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n"
    with pytest.raises(MarkerError, match=r"synthetic.ipynb, cell 2 \(id double-exercise\)"):
        make_chapter(nb, "synthetic.ipynb")


def test_markers_need_an_exercise_tag():
    nb = synthetic_notebook()
    nb.cells[2].metadata["tags"] = []
    with pytest.raises(MarkerError, match="without an 'exercise:<id>' tag"):
        make_chapter(nb, "synthetic.ipynb")


def test_duplicate_exercise_ids_are_rejected():
    nb = synthetic_notebook()
    nb.cells.append(_cell("code", SOLVED, "again", ["exercise:synthetic.double"]))
    with pytest.raises(MarkerError, match="used twice"):
        make_chapter(nb, "synthetic.ipynb")


def test_a_cell_that_reveals_an_answer_is_stored_unrun_in_the_chapter_only():
    """The chapter keeps the cell (source and tag) but stores it as never run; other cells keep their outputs."""
    chapter = generate.hide_revealing_outputs(_executed(make_chapter(synthetic_notebook(), "synthetic.ipynb")))
    revealing = next(c for c in chapter.cells if c.id == "answer-revealed")
    assert revealing.outputs == [] and revealing.execution_count is None
    assert revealing.metadata["tags"] == [REVEALS_ANSWER] and revealing.source.startswith("# Run this after")
    others = [c for c in chapter.cells if c.cell_type == "code" and c.id != "answer-revealed"]
    assert all(c.outputs and c.execution_count for c in others)
    solution = _executed(synthetic_notebook())  # the solution notebook is never passed through it
    assert next(c for c in solution.cells if c.id == "answer-revealed").outputs


@pytest.mark.parametrize("cell, message", [
    (_cell("markdown", "The answer is 42.", "md", [REVEALS_ANSWER]), "only a code cell"),
    (_cell("code", "print(42)", "bare", [REVEALS_ANSWER]), "starts with a comment"),
    (_cell("code", "# run\nprint(42)", "terse", [REVEALS_ANSWER]), "starts with a comment"),
    (_cell("code", "print(42)  # Run this after the exercise", "trailing", [REVEALS_ANSWER]), "starts with a comment"),
])
def test_a_revealing_cell_must_say_when_to_run_it(cell, message):
    nb = synthetic_notebook()
    nb.cells.append(cell)
    with pytest.raises(MarkerError, match=message):
        make_chapter(nb, "synthetic.ipynb")


def test_drift_check_finds_a_revealing_cell_that_stores_its_output(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "chapters").mkdir()
    solution = tmp_path / "solutions" / "99_synthetic.ipynb"
    nbformat.write(synthetic_notebook(), solution)
    chapter = _executed(make_chapter(synthetic_notebook(), "synthetic.ipynb"))  # generated without hiding it
    nbformat.write(chapter, tmp_path / "chapters" / solution.name)
    problems = generate.drift(solution, tmp_path / "chapters")
    assert len(problems) == 1 and "id answer-revealed" in problems[0] and REVEALS_ANSWER in problems[0]
    nbformat.write(generate.hide_revealing_outputs(chapter), tmp_path / "chapters" / solution.name)
    assert generate.drift(solution, tmp_path / "chapters") == []


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_committed_chapter_matches_its_solution(solution, root):
    assert generate.drift(solution, root / "chapters") == []


def test_every_chapter_has_a_solution(root):
    chapters = {p.name for p in (root / "chapters").glob("*.ipynb")}
    assert chapters == {p.name for p in SOLUTIONS}


def test_check_mode_fails_on_drift(tmp_path, root):
    for folder in ("solutions", "chapters"):
        shutil.copytree(root / folder, tmp_path / folder)
    assert generate.main(["--check", "--root", str(tmp_path)]) == 0
    chapter = next((tmp_path / "chapters").glob("*.ipynb"))
    nb = nbformat.read(chapter, as_version=4)
    nb.cells[1].source += "\n# edited by hand"
    nbformat.write(nb, chapter)
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1


def test_consecutive_streams_are_merged_and_nothing_else():
    """How a kernel splits printed text into messages varies between runs: the stored notebook holds one stream
    per run of same-named streams, so regenerating does not churn (nbval merges streams before comparing)."""
    nb = new_notebook(cells=[new_code_cell("print('a'); print('b')")])
    output = nbformat.v4.new_output
    nb.cells[0].outputs = [output("stream", name="stdout", text="a\n"), output("stream", name="stdout", text="b\n"),
                           output("stream", name="stderr", text="w\n"), output("stream", name="stdout", text="c\n"),
                           output("display_data", data={"text/plain": "x"}), output("stream", name="stdout", text="d")]
    outputs = generate.normalise(nb).cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "a\nb\n"), ("stream", "stderr", "w\n"), ("stream", "stdout", "c\n"),
        ("display_data", None, None), ("stream", "stdout", "d")]


@pytest.mark.slow  # ~8 s: two kernels; make check-all (CI) and plain pytest run it, make test does not
def test_two_runs_write_byte_identical_notebooks(tmp_path):
    """Execution (a print, a figure, a widget) then normalisation gives the same bytes twice."""
    outputs = []
    for run in ("a", "b"):
        (tmp_path / run / "solutions").mkdir(parents=True)
        (tmp_path / run / "chapters").mkdir()
        solution = tmp_path / run / "solutions" / "99_synthetic.ipynb"
        nbformat.write(synthetic_notebook(), solution)
        chapter = generate.generate(solution, tmp_path / run / "chapters", run=True)
        outputs.append((solution.read_bytes(), chapter.read_bytes()))
    assert outputs[0] == outputs[1]
    solution_nb = nbformat.reads(outputs[0][0].decode(), as_version=4)
    assert "widgets" not in solution_nb.metadata
    assert solution_nb.metadata["language_info"]["version"] == "3.11"
    printed = next(c for c in solution_nb.cells if c.id == "printed")
    assert printed.outputs[0]["text"] == "1.4142\n"
    assert all(generate.WIDGET_VIEW not in o.get("data", {}) for c in solution_nb.cells
               if c.cell_type == "code" for o in c.outputs)
    chapter_nb = nbformat.reads(outputs[0][1].decode(), as_version=4)
    revealed = next(c for c in solution_nb.cells if c.id == "answer-revealed")
    hidden = next(c for c in chapter_nb.cells if c.id == "answer-revealed")
    assert revealed.outputs[0]["text"] == "answer 42\n" and revealed.execution_count is not None
    assert hidden.outputs == [] and hidden.execution_count is None


@pytest.mark.slow  # ~6 s: nbval starts two kernels; make check-all (CI) and plain pytest run it, make test does not
def test_nbval_runs_a_revealing_cell_without_comparing_its_output(tmp_path):
    """nbval compares a cell's output only if the cell was stored run (execution_count set): the generated
    chapter's unrun revealing cell passes, while the same cell stored run with no output fails on its new output."""
    import subprocess
    import sys

    (tmp_path / "solutions").mkdir()
    solution = tmp_path / "solutions" / "99_synthetic.ipynb"
    nbformat.write(synthetic_notebook(), solution)
    (tmp_path / "chapters").mkdir()
    generate.generate(solution, tmp_path / "chapters", run=True)
    chapter = tmp_path / "chapters" / solution.name
    stored_run = nbformat.read(chapter, as_version=4)
    next(c for c in stored_run.cells if c.id == "answer-revealed").execution_count = 99  # run, yet no output
    nbformat.write(stored_run, tmp_path / "chapters" / "98_stored_run.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", "--nbval",
         "--nbval-current-env", "-q", "-rA", "--rootdir", str(tmp_path), str(tmp_path / "chapters")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    report = result.stdout
    assert "98_stored_run.ipynb::Cell 5" in report and "FAILED" in report, report
    assert report.count("FAILED") == 1 and "Unexpected output" in report, report
    assert "PASSED chapters/99_synthetic.ipynb::Cell 5" in report, report
