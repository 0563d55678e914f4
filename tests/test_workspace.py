"""`python -m utils.workspace` gives learners copies of the chapters, never overwrites their work, says which
copies are older than their chapter and writes the new version beside them. Regeneration, `make test` and
`git pull` leave `work/` alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib

import pytest

from utils import generate
from utils.workspace import (
    METADATA_KEY,
    chapter_fingerprint,
    chapter_named,
    fresh_copy,
    is_older,
    main,
    make_workspace,
    report,
)


def _cell(kind, source, cell_id, tags=(), outputs=()):
    cell = {"cell_type": kind, "id": cell_id, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=list(outputs))
    return cell


def _chapter(title="# Chapter 03 — Loss functions", outputs=()):
    return {"cells": [_cell("markdown", title, "title"),
                      _cell("code", "import numpy as np\nprint(1)", "setup", outputs=outputs),
                      _cell("code", "def mse(p, t):\n    raise NotImplementedError()", "ex", ["exercise:losses.mse"]),
                      _cell("code", 'check("losses.mse", mse)', "check")],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def course(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "03_losses.ipynb").write_text(json.dumps(_chapter()))
    (tmp_path / "chapters" / "04_backprop.ipynb").write_text(json.dumps(_chapter("# Chapter 04")))
    return tmp_path


def _change_upstream(course, **kwargs):
    (course / "chapters" / "03_losses.ipynb").write_text(json.dumps(_chapter(**kwargs)))


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit_exercise(path):
    notebook = json.loads(path.read_text())
    notebook["cells"][2]["source"] = "def mse(p, t):\n    return ((p - t) ** 2).mean()"
    notebook["cells"].append(_cell("code", "mse(1, 2)  # my own experiment", "mine"))
    path.write_text(json.dumps(notebook))


def test_copies_the_real_chapters_once_and_keeps_edited_ones(tmp_path, root):
    shutil.copytree(root / "chapters", tmp_path / "chapters")
    first = make_workspace(tmp_path)
    assert first and all(c.created and not c.older for c in first)
    mine = first[0].path
    mine.write_text("my edits")
    second = make_workspace(tmp_path)
    assert not any(c.created for c in second)
    assert mine.read_text() == "my edits"


def test_a_copy_remembers_its_chapter_and_is_still_a_notebook(course):
    (copy, created, older), _ = make_workspace(course)
    notebook = json.loads(copy.read_text())
    stored = notebook["metadata"][METADATA_KEY]
    assert stored["chapter"] == "03_losses"
    assert stored["fingerprint"] == chapter_fingerprint(_chapter())
    assert notebook["cells"] == _chapter()["cells"]
    assert created and not older


def test_the_learners_edits_do_not_make_a_copy_older(course):
    make_workspace(course)
    _edit_exercise(course / "work" / "03_losses.ipynb")
    _change_upstream(course, outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}])  # outputs only
    assert not any(c.older for c in make_workspace(course))


def test_a_changed_chapter_is_named_and_the_copy_is_kept_byte_for_byte(course):
    make_workspace(course)
    _edit_exercise(course / "work" / "03_losses.ipynb")
    before = _snapshot(course / "work")
    _change_upstream(course, title="# Chapter 03 — Loss functions, with a new section")
    copies = make_workspace(course)
    assert [c.path.name for c in copies if c.older] == ["03_losses.ipynb"]
    assert _snapshot(course / "work") == before
    text = report(copies, course)
    assert "work/03_losses.ipynb: get the new version beside it with `make fresh CHAPTER=03_losses`" in text
    assert "python -m utils.workspace --fresh 03_losses" in text and "04_backprop" not in text.split("\n\n")[1]


def test_fresh_writes_beside_and_never_over(course):
    make_workspace(course)
    _edit_exercise(course / "work" / "03_losses.ipynb")
    _change_upstream(course, title="# Chapter 03 — new")
    mine = (course / "work" / "03_losses.ipynb").read_bytes()
    first = fresh_copy("03_losses", course)
    assert first.name == "03_losses-new.ipynb"
    assert json.loads(first.read_text())["cells"][0]["source"] == "# Chapter 03 — new"
    first.write_text("my edits of the new version")
    second = fresh_copy("03", course)
    assert second.name == "03_losses-new2.ipynb"
    assert first.read_text() == "my edits of the new version"
    assert (course / "work" / "03_losses.ipynb").read_bytes() == mine
    assert "the new version is beside it, work/03_losses-new2.ipynb" in report(make_workspace(course), course)


def test_a_copy_made_before_fingerprints_is_compared_outside_its_exercises(course):
    (course / "work").mkdir()
    old = course / "work" / "03_losses.ipynb"
    shutil.copy(course / "chapters" / "03_losses.ipynb", old)  # how copies were made before
    _edit_exercise(old)
    assert not is_older(old, course / "chapters" / "03_losses.ipynb")
    _change_upstream(course, title="# Chapter 03 — changed")
    assert is_older(old, course / "chapters" / "03_losses.ipynb")


def test_a_copy_that_is_no_longer_a_notebook_is_left_alone(course):
    make_workspace(course)
    (course / "work" / "03_losses.ipynb").write_text("not json")
    assert not any(c.older for c in make_workspace(course))
    assert (course / "work" / "03_losses.ipynb").read_text() == "not json"


@pytest.mark.parametrize("name", ["03_losses", "03_losses.ipynb", "03", "losses", "work/03_losses.ipynb"])
def test_a_chapter_can_be_named_several_ways(course, name):
    assert chapter_named(name, course).name == "03_losses.ipynb"


def test_an_unknown_chapter_is_named_with_the_choices(course, capsys):
    with pytest.raises(ValueError, match=r"no chapter is called '99_nothing': expected one of 03_losses, 04_backprop"):
        chapter_named("99_nothing", course)
    assert main(["--fresh", "99_nothing"]) == 2
    assert "no chapter is called '99_nothing'" in capsys.readouterr().err


def test_regeneration_writes_nothing_in_work(course, root):
    (course / "solutions").mkdir()
    shutil.copy(root / "solutions" / "03_losses.ipynb", course / "solutions")
    make_workspace(course)
    _edit_exercise(course / "work" / "03_losses.ipynb")
    before = _snapshot(course / "work")
    generate.generate(course / "solutions" / "03_losses.ipynb", course / "chapters", run=False)
    assert _snapshot(course / "work") == before
    assert is_older(course / "work" / "03_losses.ipynb", course / "chapters" / "03_losses.ipynb")


def test_make_test_and_git_leave_work_alone(root):
    options = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "work" in options["norecursedirs"] and not any(p.startswith("work") for p in options["testpaths"])
    assert "work/" in (root / ".gitignore").read_text().splitlines()
    if shutil.which("git") and (root / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", "work/03_losses.ipynb"], cwd=root)
        assert ignored.returncode == 0, "git would track work/: a pull could then change a learner's copy"
