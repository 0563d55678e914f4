"""Is this environment the course's? Prints what a helper needs when you ask for help.

    make doctor                 # or, with .venv activated: python -m utils.doctor

Started from a Python that is not the course's (``.venv`` not activated), it says so in one line (exit 2).
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

from .tooling import course_is_installed, exit_outside

ROOT = Path(__file__).resolve().parents[1]


def pinned_versions(requirements: Path = ROOT / "requirements.txt") -> dict[str, str]:
    """{package: version} for every ``name==version`` line of requirements.txt."""
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip()] = version.strip()
    return pins


def report() -> list[tuple[str, bool, str]]:
    """(item, ok, detail) rows."""
    import utils

    rows = [("python", sys.version_info[:2] == (3, 11), platform.python_version())]
    here = Path(utils.__file__).resolve()
    rows.append(("utils package", here == ROOT / "utils" / "__init__.py", str(here)))
    for name, want in pinned_versions().items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "missing"
        rows.append((name, have.split("+")[0] == want, f"{have} (pinned {want})"))
    rows.append(_imported_row("solutions folder", _solutions_folder))
    rows.append(_imported_row("torch device", _torch_device))
    return rows


def _solutions_folder() -> tuple[bool, str]:
    from utils.checks.reference import ReferenceNotFound, solutions_dir

    try:
        return True, str(solutions_dir())
    except ReferenceNotFound as exc:
        return False, str(exc)


def _torch_device() -> tuple[bool, str]:
    from utils.device import pick_device

    return True, str(pick_device())


def _imported_row(item: str, probe) -> tuple[str, bool, str]:
    """(item, ok, detail) from ``probe()``; a package it cannot import is a failed row, not a traceback."""
    try:
        ok, detail = probe()
    except ImportError as exc:
        return item, False, f"cannot import {exc.name or exc}"
    return item, ok, detail


def main() -> int:
    if not course_is_installed():  # not a broken environment of the course's: not the course's at all
        exit_outside("utils.doctor", "make doctor", None)
    rows = report()
    for item, ok, detail in rows:
        print(f"{'✓' if ok else '✗'} {item:18s} {detail}")
    bad = sum(not ok for _, ok, _ in rows)
    print("all good" if not bad else f"{bad} problem(s): run `make lab` (or pip install -r requirements.txt) again")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
