"""Is this environment the course's? Prints what a helper needs when you ask for help.

    python -m utils.doctor
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

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
    from utils.checks.reference import ReferenceNotFound, solutions_dir

    try:
        rows.append(("solutions folder", True, str(solutions_dir())))
    except ReferenceNotFound as exc:
        rows.append(("solutions folder", False, str(exc)))
    from utils.device import pick_device

    rows.append(("torch device", True, str(pick_device())))
    return rows


def main() -> int:
    rows = report()
    for item, ok, detail in rows:
        print(f"{'✓' if ok else '✗'} {item:18s} {detail}")
    bad = sum(not ok for _, ok, _ in rows)
    print("all good" if not bad else f"{bad} problem(s): run `make lab` (or pip install -r requirements.txt) again")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
