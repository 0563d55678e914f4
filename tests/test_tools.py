"""The course's tools outside the course's environment say in one line what to do, instead of a traceback.

A learner types ``python -m utils.grade`` in a terminal where ``.venv`` is not activated: that ``python`` has
none of the course's packages. The tests start each tool the same way, from the repository's root, with this
Python but without its site-packages (``-S``) and with PYTHON* variables ignored (``-E``): a Python without
the course's packages on any machine (the system ``python3`` may or may not have NumPy).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from utils import tooling

NEEDS_ENVIRONMENT = {  # tool -> the make command its one line offers
    "utils.doctor": "make doctor",
    "utils.grade": "make grade",
    "utils.generate": "make generate",
    "utils.pretrained": None,
}


def run_outside(root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-S", "-E", "-m", *args], cwd=root, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("tool", sorted(NEEDS_ENVIRONMENT))
def test_a_tool_outside_the_environment_says_what_to_do_in_one_line(root, tool):
    result = run_outside(root, tool, "--help")
    assert result.returncode == tooling.EXIT_OUTSIDE == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"python -m {tool} needs the course's environment, and this Python (")
    if (root / ".venv").is_dir():
        assert "`source .venv/bin/activate` first" in lines[0]
        if NEEDS_ENVIRONMENT[tool]:
            assert f"run `{NEEDS_ENVIRONMENT[tool]}`" in lines[0]
    else:
        assert "`make lab` once to create .venv" in lines[0]


def test_the_workspace_tool_needs_nothing_but_python(root, tmp_path):
    result = run_outside(root, "utils.workspace", "--work", str(tmp_path / "work"))
    assert result.returncode == 0, result.stderr
    chapters = sorted(p.name for p in (root / "chapters").glob("[0-9]*.ipynb"))
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == chapters


def test_imported_as_a_library_a_missing_package_raises_as_usual():
    with pytest.raises(ModuleNotFoundError):
        with tooling.course_environment("utils.grade", "utils.grade", "make grade"):
            import a_package_nobody_has  # noqa: F401


def test_run_as_a_script_a_missing_package_found_late_is_one_line_too(capsys):
    with pytest.raises(SystemExit) as exit_:
        with tooling.course_environment("__main__", "utils.grade", "make grade"):
            import a_package_nobody_has  # noqa: F401
    assert exit_.value.code == 2
    # this test's Python has the course installed: the line says the environment is incomplete, and how to fix it
    assert capsys.readouterr().err == (
        "python -m utils.grade: this environment has no a_package_nobody_has: run `python -m pip install -r "
        "requirements.txt` in it again (`make doctor` lists what else is missing)\n")


def test_a_missing_module_of_the_course_itself_is_a_bug_and_raises():
    with pytest.raises(ModuleNotFoundError):
        with tooling.course_environment("__main__", "utils.grade", "make grade"):
            import utils.no_such_module  # noqa: F401


def test_the_course_is_installed_here_and_its_egg_info_in_the_repository_does_not_count(root):
    assert tooling.course_is_installed()
    code = "from utils import tooling; print(tooling.course_is_installed())"
    outside = subprocess.run([sys.executable, "-S", "-E", "-c", code], cwd=root, capture_output=True, text=True)
    assert outside.stdout.strip() == "False", outside.stderr


def test_make_runs_doctor_and_grade_in_the_environment(root):
    result = subprocess.run(["make", "-n", "doctor", "grade", "NOTEBOOKS=work/01_activations.ipynb"], cwd=root,
                            capture_output=True, text=True, check=True)
    assert ".venv/bin/python -m utils.doctor" in result.stdout
    assert ".venv/bin/python -m utils.grade work/01_activations.ipynb" in result.stdout


def test_readme_activates_the_environment_before_every_python_command(root):
    readme = (root / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    commands = [block for block in blocks if "python -m utils." in block]
    assert commands, "the README shows the tools' commands"
    for block in commands:
        first_tool = block.index("python -m utils.")
        assert "activate" in block[:first_tool], f"no activation line before:\n{block}"
    assert "pytest --nbval" in readme and "--allow-root" in readme
