"""``python -m utils.doctor`` finds the classic set-up faults, each with its fix: every fault is faked here.

The fakes are real where they can be: a package named ``utils`` on PYTHONPATH, a kernelspec of another
environment's Python found first on JUPYTER_PATH, a stale copy of the widget extension in an extension folder
JupyterLab reads first, a page config that disables it. The course's own environment (this test's) passes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from utils import doctor
from utils.doctor import INFO, OK, PROBLEM, Row


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- the table and the exit code ---------------------------------------------------------------------------

def test_exit_code_is_zero_when_nothing_is_a_problem_and_information_never_is(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "report", lambda: [Row("python", OK, "3.11.7"),
                                                   Row("torch device", INFO, "cuda: a GPU")])
    assert doctor.main() == 0
    assert capsys.readouterr().out.splitlines()[-1] == "all good"


def test_each_problem_has_its_fix_on_the_line_under_it_and_the_exit_code_is_one(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "report", lambda: [Row("python", OK, "3.11.7"),
                                                   Row("work folder", PROBLEM, "missing", "make work")])
    assert doctor.main() == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"PROBLEM +work folder +missing", lines[1])
    assert re.fullmatch(r" +fix: make work", lines[2])
    assert lines[3].startswith("1 problem: run the fix under each")


def test_doctor_in_an_incomplete_environment_lists_what_it_cannot_import(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails as if torch were not installed
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert re.search(r"^PROBLEM +torch device +cannot import torch\n +fix: .* -m pip install -r requirements.txt$",
                     out, re.M), out
    assert "Traceback" not in out


# --- the course's own environment ---------------------------------------------------------------------------

def test_this_environment_passes_the_checks_a_notebook_depends_on():
    rows = [doctor.utils_row(), doctor.kernel_row(), doctor.widget_extension_row(), doctor.solutions_row()]
    assert [row.status for row in rows] == [OK] * 4, rows


# --- Python and the pins ------------------------------------------------------------------------------------

def test_another_python_version_is_a_problem():
    assert doctor.python_row("3.11.9").status == OK
    row = doctor.python_row("3.12.1")
    assert row.status == PROBLEM and "3.12.1" in row.detail and "3.11" in row.fix


def test_a_package_missing_or_at_another_version_is_a_problem_fixed_by_reinstalling_the_pins():
    import numpy

    rows = doctor.package_rows({"numpy": numpy.__version__, "scipy": "0.0.1", "a-package-nobody-has": "1.0"})
    assert [row.status for row in rows] == [OK, PROBLEM, PROBLEM]
    assert rows[2].detail == "missing (pinned 1.0)"
    assert all(row.fix.endswith("-m pip install -r requirements.txt") for row in rows[1:])


# --- utils as a notebook imports it -------------------------------------------------------------------------

def test_a_pypi_package_named_utils_shadowing_the_course_is_a_problem(tmp_path, monkeypatch):
    site = tmp_path / "site"
    write(site / "utils" / "__init__.py", "")
    write(site / "utils-1.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: utils\nVersion: 1.0\n")
    write(site / "utils-1.0.dist-info" / "RECORD", "utils/__init__.py,,\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    row = doctor.utils_row()
    assert row.status == PROBLEM and str(site / "utils") in row.detail and "PyPI package utils" in row.detail
    assert row.fix.endswith("-m pip uninstall -y utils")


def test_another_utils_on_pythonpath_is_a_problem(tmp_path, monkeypatch):
    write(tmp_path / "elsewhere" / "utils" / "__init__.py", "")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "elsewhere"))
    row = doctor.utils_row()
    assert row.status == PROBLEM and "from PYTHONPATH" in row.detail and "PYTHONPATH" in row.fix


def test_another_copy_of_the_course_installed_is_a_problem(tmp_path):
    write(tmp_path / "old-course" / "utils" / "__init__.py", "")
    # a notebook's Python that finds another checkout's utils (as `pip install -e` in another copy leaves it)
    other = ("env", f"PYTHONPATH={tmp_path / 'old-course'}", sys.executable)
    row = doctor.utils_row(other)
    assert row.status == PROBLEM and "another copy of the course" in row.detail
    assert row.fix.startswith(f"{doctor.python_command()} -m pip install -e .")


def test_utils_not_importable_from_a_notebook_is_a_problem():
    row = doctor.utils_row((sys.executable, "-S", "-E"))  # no site-packages: the course's package not installed
    assert row.status == PROBLEM and "cannot import utils" in row.detail
    assert row.fix.startswith(f"{doctor.python_command()} -m pip install -e .")


# --- the notebook kernel ------------------------------------------------------------------------------------

def fake_kernelspec(monkeypatch, folder: Path, program: str) -> Path:
    """A kernelspec ``python3`` starting ``program``, in a folder JupyterLab reads before any other."""
    spec = write(folder / "kernels" / "python3" / "kernel.json", json.dumps(
        {"argv": [program, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Python 3 (ipykernel)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    return spec.parent


def test_a_kernel_running_another_environments_python_is_a_problem(tmp_path, monkeypatch):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "other")], check=True)
    spec = fake_kernelspec(monkeypatch, tmp_path / "jupyter", str(tmp_path / "other" / "bin" / "python"))
    row = doctor.kernel_row()
    assert row.status == PROBLEM and "another environment's Python" in row.detail
    assert str(tmp_path / "other") in row.detail
    assert f"-m jupyter kernelspec remove -y python3   (removes {spec}" in row.fix


def test_a_kernel_whose_python_is_gone_is_a_problem(tmp_path, monkeypatch):
    spec = fake_kernelspec(monkeypatch, tmp_path / "jupyter", str(tmp_path / "deleted-env" / "bin" / "python"))
    row = doctor.kernel_row()
    assert row.status == PROBLEM and "cannot run" in row.detail
    assert f"kernelspec remove -y python3   (removes {spec}" in row.fix


def test_the_kernels_python_as_jupyter_resolves_it():
    assert doctor.kernel_executable(["python", "-m", "ipykernel_launcher"]) == sys.executable
    assert doctor.kernel_executable(["python3"]) == sys.executable
    assert doctor.kernel_executable(["/opt/conda/bin/python"]) == "/opt/conda/bin/python"


def test_no_kernel_at_all_is_a_problem():
    row = doctor.kernel_row("a-kernel-nobody-has")
    assert row.status == PROBLEM and row.fix == f"{doctor.python_command()} -m ipykernel install --sys-prefix"


# --- the widget extension -----------------------------------------------------------------------------------

def test_jupyterlab_widgets_not_installed_is_a_problem(monkeypatch):
    monkeypatch.setattr(doctor, "WIDGETS_DISTRIBUTION", "jupyterlab-widgets-nobody-has")
    row = doctor.widget_extension_row()
    assert row.status == PROBLEM and "IntSlider(" in row.detail
    assert row.fix.endswith("-m pip install -r requirements.txt")


def test_the_widget_extension_not_found_is_a_problem(tmp_path):
    row = doctor.widget_extension_row([str(tmp_path)])
    assert row.status == PROBLEM and "in none of JupyterLab's extension folders" in row.detail
    assert re.search(r"-m pip install --force-reinstall --no-deps jupyterlab_widgets==\d", row.fix)


def test_an_old_widget_extension_found_first_is_a_problem(tmp_path):
    from jupyter_core.paths import jupyter_path

    stale = write(tmp_path / doctor.WIDGETS_EXTENSION / "package.json", '{"version": "1.1.0"}').parent
    row = doctor.widget_extension_row([str(tmp_path), *jupyter_path("labextensions")])
    assert row.status == PROBLEM and f"loads {doctor.WIDGETS_EXTENSION} 1.1.0 from {stale}" in row.detail
    assert row.fix == f"remove the folder {stale}"


def test_a_disabled_widget_extension_is_a_problem(tmp_path, monkeypatch):
    # as `jupyter labextension disable --level=user @jupyter-widgets/jupyterlab-manager` leaves it
    write(tmp_path / "labconfig" / "page_config.json",
          json.dumps({"disabledExtensions": {doctor.WIDGETS_EXTENSION: True}}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))
    row = doctor.widget_extension_row()
    assert row.status == PROBLEM and "is disabled" in row.detail
    assert row.fix.endswith(f"-m jupyter labextension enable --level=user {doctor.WIDGETS_EXTENSION}")


# --- work/, the solutions, the device -----------------------------------------------------------------------

def test_work_missing_or_without_a_chapter_is_a_problem_fixed_by_make_work(tmp_path):
    for name in ("00_a.ipynb", "01_b.ipynb"):
        write(tmp_path / "chapters" / name, "{}")
    row = doctor.work_row(tmp_path)
    assert row.status == PROBLEM and "does not exist" in row.detail and row.fix.startswith("make work")
    write(tmp_path / "work" / "00_a.ipynb", "{}")
    row = doctor.work_row(tmp_path)
    assert row.status == PROBLEM and row.detail.endswith("has no copy of 01_b.ipynb")
    write(tmp_path / "work" / "01_b.ipynb", "{}")
    assert doctor.work_row(tmp_path).status == OK


def test_solutions_not_found_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SOLUTIONS_DIR", str(tmp_path / "nowhere"))
    row = doctor.solutions_row()
    assert row.status == PROBLEM and row.fix.startswith("unset COURSE_SOLUTIONS_DIR")


def fake_torch(cuda: list[str], mps: bool):
    return SimpleNamespace(
        cuda=SimpleNamespace(is_available=lambda: bool(cuda), device_count=lambda: len(cuda),
                             get_device_name=lambda i: cuda[i]),
        backends=SimpleNamespace(mps=SimpleNamespace(is_available=lambda: mps)))


@pytest.mark.parametrize(("cuda", "mps", "shown"), [
    (["NVIDIA T4"], False, "cuda: NVIDIA T4"), ([], True, "mps: this Mac's GPU"), ([], False, "cpu: no GPU visible")])
def test_the_device_is_information_only(cuda, mps, shown):
    row = doctor.device_row(fake_torch(cuda, mps))
    assert row.status == INFO and row.detail.startswith(shown) and not row.fix


def test_readmes_troubleshooting_section_points_to_the_doctor_and_lists_the_faults(root):
    readme = (root / "README.md").read_text()
    section = readme[readme.index("## Troubleshooting"):readme.index("## Getting help")]
    assert "make doctor" in section and "python -m utils.doctor" in section
    for fault in ("IntSlider(", "kernel", "`utils`", "`work/`", "pinned", "GPU"):
        assert fault in section, fault
