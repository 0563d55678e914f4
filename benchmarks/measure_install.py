"""What does a fresh install cost? A clean clone, then `make test` creating `.venv` on its first run: time and disk.

Run from the repository root (~10 minutes: pip installs the environment, then the whole suite runs)::

    python benchmarks/measure_install.py                 # writes benchmarks/install.json
    python benchmarks/measure_install.py --keep          # and leaves the clone (its path is printed)

What is measured, once (each step is minutes long):
1. ``git clone`` of this repository's committed HEAD into a temporary folder (uncommitted changes are not in it);
2. ``make .venv/.installed`` there: a new virtual environment and ``pip install -r requirements.txt`` — what
   ``make test`` and ``make lab`` do on their first run (pip's own cache, ``~/.cache/pip``, is used when it is
   there, as on a learner's laptop that installed before; its size is reported);
3. ``make test`` there, now with the environment installed;
4. the disk: the environment (``.venv``) and the checkout without it.
There is no target (issue 22: time and disk reported); the figure is "the time of `make test` including the
`.venv` creation". ``python -m benchmarks`` runs this script; its smoke test does not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure_test_suite import pytest_summary, run_timed  # noqa: E402
from stored_results import add_output_arguments, machine_record, write_results  # noqa: E402


def disk_bytes(path: Path, exclude: str | None = None) -> int:
    """The bytes of the files under ``path`` (symbolic links not followed), leaving out the top folder ``exclude``."""
    total = 0
    for entry in path.iterdir():
        if entry.name == exclude:
            continue
        if entry.is_symlink() or entry.is_file():
            total += entry.lstat().st_size
        elif entry.is_dir():
            total += disk_bytes(entry)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_output_arguments(parser, ROOT / "benchmarks" / "install.json", strict=False)
    parser.add_argument("--keep", action="store_true", help="keep the clone (default: delete it)")
    args = parser.parse_args(argv)
    if shutil.which("make") is None or shutil.which("git") is None:
        parser.error("needs make and git on the PATH")

    work = Path(tempfile.mkdtemp(prefix="course-install-"))
    clone = work / "course"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                                text=True, check=True).stdout.strip()
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}  # not this venv
        install_s, install_code, _ = run_timed(["make", ".venv/.installed"], clone, env)
        test_s, test_code, output = run_timed(["make", "test"], clone, env)
        venv_bytes = disk_bytes(clone / ".venv") if (clone / ".venv").is_dir() else 0
        checkout_bytes = disk_bytes(clone, exclude=".venv")
    finally:
        if args.keep:
            print(f"the clone: {clone}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    pip_cache = Path.home() / ".cache" / "pip"
    cache_bytes = disk_bytes(pip_cache) if pip_cache.is_dir() else 0
    summary = pytest_summary(output)
    ok = install_code == 0 and test_code == 0
    total = install_s + test_s
    print(f"\nfresh clone of {commit}: install {install_s:.0f} s (exit {install_code}), make test {test_s:.0f} s "
          f"(exit {test_code}{', ' + summary if summary else ''}), total {total:.0f} s; .venv "
          f"{venv_bytes / 1e9:.2f} GB, checkout {checkout_bytes / 1e6:.0f} MB; pip cache {cache_bytes / 1e9:.2f} GB")
    rows = [{"measure": "fresh install from a clean clone: `make test` including the `.venv` creation (timed once)",
             "figure": f"{total / 60:.1f} min ({install_s:.0f} s pip install + {test_s:.0f} s tests)"
                       + ("" if ok else " — FAILED"),
             "target": "reported", "passed": None if ok else False},
            {"measure": "disk of a fresh install", "figure": f".venv {venv_bytes / 1e9:.2f} GB + checkout "
                                                               f"{checkout_bytes / 1e6:.0f} MB",
             "target": "reported", "passed": None}]
    write_results(args.output, {"measured": machine_record(), "commit": commit, "install_s": round(install_s, 1),
                                "install_exit_code": install_code, "test_s": round(test_s, 1),
                                "test_exit_code": test_code, "summary": summary, "venv_bytes": venv_bytes,
                                "checkout_bytes": checkout_bytes, "pip_cache_bytes": cache_bytes, "rows": rows},
                  dry_run=args.dry_run)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
