"""Is this environment the course's, and will JupyterLab work in it? Finds the classic set-up faults, each with
its fix, and prints what a helper needs when you ask for help.

    make doctor                 # or, with .venv activated: python -m utils.doctor

One row per check, ``OK``, ``PROBLEM`` (with a ``fix:`` line under it: a command to run in the repository's
folder) or ``info`` (never a problem); exit code 0 only when there is no PROBLEM. It checks:

- Python 3.11 and every package at its pinned version (requirements.txt);
- ``utils`` as a notebook imports it (a Python started outside the repository) is this repository's, not a
  package of the same name from PyPI or another copy of the course;
- the kernel JupyterLab starts for the notebooks (kernelspec ``python3``) is this environment's Python, not
  another one without the course's packages;
- the JupyterLab widget extension (``@jupyter-widgets/jupyterlab-manager``, from jupyterlab_widgets) is
  installed, the version ipywidgets needs, and not disabled: without it a slider shows as the text
  ``IntSlider(value=…)``;
- ``work/`` (your copies of the chapters) exists and has every chapter; the solutions are found;
- the device PyTorch computes on: a GPU if one is visible (information only: the course needs none).

Started from a Python that is not the course's (``.venv`` not activated), it says so in one line (exit 2).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .tooling import DISTRIBUTION, course_is_installed, exit_outside

ROOT = Path(__file__).resolve().parents[1]
OK, PROBLEM, INFO = "OK", "PROBLEM", "info"
KERNEL_NAME = "python3"  # the kernelspec every notebook of the course names in its metadata
WIDGETS_DISTRIBUTION = "jupyterlab_widgets"
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
SUBPROCESS_TIMEOUT = 60  # s: a Python's start on a busy machine, with room to spare


@dataclass(frozen=True)
class Row:
    """One line of the doctor's table; ``fix`` (a command or an instruction) only for a PROBLEM."""

    item: str
    status: str
    detail: str
    fix: str = ""


def pinned_versions(requirements: Path = ROOT / "requirements.txt") -> dict[str, str]:
    """{package: version} for every ``name==version`` line of requirements.txt."""
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip()] = version.strip()
    return pins


def python_command() -> str:
    """This Python as a fix line names it: relative to the current folder when inside it (``.venv/bin/python``)."""
    here = Path(sys.executable)
    try:
        return str(here.relative_to(Path.cwd()))
    except ValueError:
        return str(here)


def _reinstall() -> str:
    return f"{python_command()} -m pip install -r requirements.txt"


def report() -> list[Row]:
    """Every check's row, in the order printed."""
    rows = [python_row()]
    rows += package_rows()
    rows.append(_imported_row("utils package", utils_row))
    rows.append(_imported_row("notebook kernel", kernel_row))
    rows.append(_imported_row("widget extension", widget_extension_row))
    rows.append(work_row())
    rows.append(_imported_row("solutions folder", solutions_row))
    rows.append(_imported_row("torch device", device_row))
    return rows


def python_row(version: str | None = None) -> Row:
    """Python 3.11, the course's (``version``: this Python's, e.g. ``"3.11.7"``)."""
    version = version or platform.python_version()
    if version.split(".")[:2] == ["3", "11"]:
        return Row("python", OK, version)
    return Row("python", PROBLEM, f"{version}: the course pins 3.11 (its stored outputs were made with it)",
               "make a new environment with Python 3.11: `make clean-env lab` (with python3.11 installed)")


def package_rows(pins: dict[str, str] | None = None) -> list[Row]:
    """One row per pinned package: installed at its pinned version (a local build such as ``+cpu`` counts)."""
    rows = []
    for name, want in (pinned_versions() if pins is None else pins).items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "missing"
        ok = have.split("+")[0] == want
        rows.append(Row(name, OK if ok else PROBLEM, f"{have} (pinned {want})", "" if ok else _reinstall()))
    return rows


_WHICH_UTILS = """\
import json
import sys
from importlib import metadata
try:
    import utils
except ImportError as exc:
    print(json.dumps({"error": str(exc)}))
else:
    owners = [d for d in metadata.packages_distributions().get("utils", []) if d != sys.argv[1]]
    print(json.dumps({"file": utils.__file__ or "", "owners": owners}))
"""  # argument: the course's distribution


def utils_row(python: tuple[str, ...] | None = None) -> Row:
    """Is ``utils``, as a notebook's kernel imports it, this repository's? Asked of a Python (``python``, by
    default this one) started in an empty folder, as a kernel starts in ``work/``: there the repository's own
    folder is not on the path, only what is installed (``pip install -e .``) or on PYTHONPATH."""
    command = (*(python or (sys.executable,)), "-c", _WHICH_UTILS, DISTRIBUTION)
    try:
        with tempfile.TemporaryDirectory() as away:
            done = subprocess.run(command, cwd=away, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError, subprocess.TimeoutExpired) as exc:
        hung = isinstance(exc, subprocess.TimeoutExpired)
        why = f"took over {SUBPROCESS_TIMEOUT} s" if hung else _last_line(done.stderr)
        return Row("utils package", PROBLEM, f"importing utils failed: {why}",
                   f"{python_command()} -m pip install -e .")
    if "error" in found:
        return Row("utils package", PROBLEM, f"a notebook cannot import utils ({found['error']})",
                   f"{python_command()} -m pip install -e .   (installs this repository's utils)")
    where = Path(found["file"]).resolve()
    if where == ROOT / "utils" / "__init__.py":
        return Row("utils package", OK, str(where))
    detail = f"a notebook imports another utils: {where}"
    if found["owners"]:
        owners = " ".join(found["owners"])
        return Row("utils package", PROBLEM, f"{detail} (PyPI package {owners}, not the course's)",
                   f"{python_command()} -m pip uninstall -y {owners}")
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry and where.is_relative_to(Path(entry).resolve()):
            return Row("utils package", PROBLEM, f"{detail} (from PYTHONPATH)",
                       f"remove {entry} from PYTHONPATH (e.g. `unset PYTHONPATH`), then start JupyterLab again")
    return Row("utils package", PROBLEM, f"{detail} (another copy of the course?)",
               f"{python_command()} -m pip install -e .   (in this folder: points the environment at this copy)")


def kernel_executable(argv: list[str]) -> str:
    """The Python a kernelspec's ``argv`` starts, as jupyter_client resolves it: ``python``, ``python3`` and
    ``python3.11`` mean the Jupyter server's own Python (``KernelManager.format_kernel_cmd``)."""
    program = argv[0] if argv else ""
    if program in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
        return sys.executable
    return program


def kernel_row(name: str = KERNEL_NAME) -> Row:
    """Does the kernel JupyterLab would start for the notebooks (kernelspec ``name``, found as jupyter_client's
    KernelSpecManager finds it: JUPYTER_PATH, this environment, the user's and the system's folders) run this
    environment's Python? Asks that Python for its ``sys.prefix``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    install = f"{python_command()} -m ipykernel install --sys-prefix"
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return Row("notebook kernel", PROBLEM, f"JupyterLab has no kernel named {name}", install)
    program = kernel_executable(spec.argv)
    where = spec.resource_dir
    remove = f"{python_command()} -m jupyter kernelspec remove -y {name}"
    fix = install if _in_this_environment(where) else f"{remove}   (removes {where}; then this Python starts)"
    try:
        done = subprocess.run([program, "-E", "-c", "import sys; print(sys.prefix)"], capture_output=True,
                              text=True, timeout=SUBPROCESS_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Row("notebook kernel", PROBLEM, f"kernel {name} ({where}) starts {program}, which cannot run: "
                   f"{getattr(exc, 'strerror', None) or exc}", fix)
    prefix = done.stdout.strip()
    if done.returncode != 0 or not prefix:
        return Row("notebook kernel", PROBLEM, f"kernel {name} ({where}) starts {program}, which fails: "
                   f"{_last_line(done.stderr)}", fix)
    if Path(prefix).resolve() != Path(sys.prefix).resolve():
        return Row("notebook kernel", PROBLEM, f"kernel {name} ({where}) starts {program}, another environment's "
                   f"Python ({prefix}), without the course's packages", fix)
    return Row("notebook kernel", OK, f"{name} starts this environment's Python ({program})")


def widget_extension_row(labextensions_path: list[str] | None = None) -> Row:
    """Will JupyterLab draw the widgets? jupyterlab_widgets installed; the extension JupyterLab loads (from the
    first folder of ``labextensions_path`` that has it) the one jupyterlab_widgets installed (same npm version);
    not disabled in JupyterLab's page config."""
    from jupyter_core.paths import jupyter_path
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.config import get_page_config

    item = "widget extension"
    as_text = "sliders show as text such as IntSlider(value=3)"
    try:
        version = metadata.version(WIDGETS_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return Row(item, PROBLEM, f"{WIDGETS_DISTRIBUTION} is not installed: {as_text}", _reinstall())
    reinstall = f"{python_command()} -m pip install --force-reinstall --no-deps {WIDGETS_DISTRIBUTION}=={version}"
    paths = jupyter_path("labextensions") if labextensions_path is None else labextensions_path
    found = [Path(folder, WIDGETS_EXTENSION) for folder in paths]
    found = [folder for folder in found if (folder / "package.json").is_file()]
    if not found:
        return Row(item, PROBLEM, f"{WIDGETS_EXTENSION} is in none of JupyterLab's extension folders "
                   f"({', '.join(paths)}): {as_text}", reinstall)
    loaded, shipped = _npm_version(found[0]), _shipped_npm_version()
    if shipped and loaded != shipped:
        return Row(item, PROBLEM, f"JupyterLab loads {WIDGETS_EXTENSION} {loaded} from {found[0]}, not the "
                   f"{shipped} of {WIDGETS_DISTRIBUTION} {version}: widgets may not display",
                   reinstall if _in_this_environment(found[0]) else f"remove the folder {found[0]}")
    page_config = get_page_config(paths, app_settings_dir=os.path.join(get_app_dir(), "settings"))
    disabled = page_config.get("disabledExtensions", {})
    if isinstance(disabled, list):  # the older format
        disabled = dict.fromkeys(disabled, True)
    if disabled.get(WIDGETS_EXTENSION):
        return Row(item, PROBLEM, f"{WIDGETS_EXTENSION} is disabled: {as_text}",
                   f"{python_command()} -m jupyter labextension enable --level={_disabled_at()} {WIDGETS_EXTENSION}")
    return Row(item, OK, f"{WIDGETS_EXTENSION} {loaded} ({WIDGETS_DISTRIBUTION} {version}, {found[0].parent.parent})")


def _disabled_at() -> str:
    """The configuration level (``user``, ``sys_prefix``, ``system``) whose page config disables the widget
    extension, the one that wins first: ``jupyter labextension enable --level=<it>`` undoes it."""
    from jupyterlab_server.config import get_static_page_config

    for level in ("user", "sys_prefix", "system"):
        disabled = get_static_page_config(level=level).get("disabledExtensions", {})
        if (WIDGETS_EXTENSION in disabled) if isinstance(disabled, list) else disabled.get(WIDGETS_EXTENSION):
            return level
    return "sys_prefix"  # disabled elsewhere (an app settings folder): the level `enable` writes by default


def _npm_version(extension: Path) -> str:
    try:
        return str(json.loads((extension / "package.json").read_text()).get("version", "?"))
    except (OSError, ValueError):
        return "unreadable"


def _shipped_npm_version() -> str | None:
    """The version of the extension's package.json in jupyterlab_widgets' own files (None if not there)."""
    for file in metadata.distribution(WIDGETS_DISTRIBUTION).files or ():
        if str(file).endswith(f"{WIDGETS_EXTENSION.split('/')[1]}/package.json") and Path(file.locate()).is_file():
            return _npm_version(Path(file.locate()).parent)
    return None


def work_row(root: Path = ROOT) -> Row:
    """``work/`` exists and has a copy of every chapter (``make work`` copies what is missing, never overwrites)."""
    work = root / "work"
    fix = "make work   (or: python -m utils.workspace; it never overwrites your copies)"
    if not work.is_dir():
        return Row("work folder", PROBLEM, f"{work} does not exist: your copies of the chapters go there", fix)
    missing = [chapter.name for chapter in sorted((root / "chapters").glob("*.ipynb"))
               if not (work / chapter.name).exists()]
    if missing:
        return Row("work folder", PROBLEM, f"{work} has no copy of {', '.join(missing)}", fix)
    return Row("work folder", OK, str(work))


def solutions_row() -> Row:
    """The checker finds the worked solutions (its reference answers)."""
    from utils.checks.reference import SOLUTIONS_ENV, ReferenceNotFound, solutions_dir

    try:
        return Row("solutions folder", OK, str(solutions_dir()))
    except ReferenceNotFound as exc:
        fix = (f"unset {SOLUTIONS_ENV} (or set it to the solutions/ folder)" if os.environ.get(SOLUTIONS_ENV)
               else "git checkout -- solutions   (restores the folder)")
        return Row("solutions folder", PROBLEM, str(exc), fix)


def device_row(torch=None) -> Row:
    """Where PyTorch computes: information only, never a problem (the course runs on a CPU)."""
    if torch is None:
        import torch
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return Row("torch device", INFO, f"cuda: {names} (used for training; the course needs no GPU)")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return Row("torch device", INFO, "mps: this Mac's GPU (used for training; the course needs no GPU)")
    return Row("torch device", INFO, "cpu: no GPU visible (the course needs none)")


def _in_this_environment(path) -> bool:
    return Path(path).resolve().is_relative_to(Path(sys.prefix).resolve())


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no message"


def _imported_row(item: str, probe) -> Row:
    """``probe()``'s row; a package it cannot import is a PROBLEM row, not a traceback."""
    try:
        return probe()
    except ImportError as exc:
        return Row(item, PROBLEM, f"cannot import {exc.name or exc}", _reinstall())


def format_rows(rows: list[Row]) -> str:
    """The table: status, item, detail; a ``fix:`` line under each PROBLEM; then a summary line."""
    lines = []
    for row in rows:
        lines.append(f"{row.status:8s} {row.item:18s} {row.detail}")
        if row.status == PROBLEM:
            lines.append(f"{'':8s} {'':18s} fix: {row.fix}")
    bad = sum(row.status == PROBLEM for row in rows)
    if not bad:
        lines.append("all good")
    else:
        where = "" if Path.cwd().resolve() == ROOT else f" (in {ROOT})"
        lines.append(f"{bad} problem{'s' * (bad > 1)}: run the fix under each{where}, then `make doctor` again")
    return "\n".join(lines)


def main() -> int:
    if not course_is_installed():  # not a broken environment of the course's: not the course's at all
        exit_outside("utils.doctor", "make doctor", None)
    rows = report()
    print(format_rows(rows))
    return 1 if any(row.status == PROBLEM for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
