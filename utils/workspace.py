"""Give the learner their own copies of the chapters, in ``work/`` (git-ignored).

    make work                          # copy every chapter that work/ does not have yet; never overwrite
    python -m utils.workspace          # the same (it needs only Python: no package of the course's environment)

Learners edit and run these copies; the committed ``chapters/`` stay pristine for ``make test``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_workspace(root: Path = ROOT, work: Path | None = None) -> list[tuple[Path, bool]]:
    """Copy ``chapters/*.ipynb`` into ``work/``; returns (copy, newly created?) per chapter."""
    work = work or root / "work"
    work.mkdir(exist_ok=True)
    done = []
    for chapter in sorted((root / "chapters").glob("*.ipynb")):
        target = work / chapter.name
        created = not target.exists()
        if created:
            shutil.copy2(chapter, target)
        done.append((target, created))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.workspace", description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="folder for your copies (default: work/)")
    args = parser.parse_args(argv)
    results = make_workspace(work=args.work)
    new = [p.name for p, created in results if created]
    kept = [p.name for p, created in results if not created]
    if new:
        print(f"your copies in work/: new {', '.join(new)}")
    if kept:
        print(f"your copies in work/: kept your work in {', '.join(kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
