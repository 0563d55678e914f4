"""Give the learner their own copies of the chapters, in ``work/`` (git-ignored), and never overwrite them.

    make work                                  # copy every chapter that work/ does not have yet (make lab does it too)
    python -m utils.workspace                  # the same (it needs only Python: no package of the course's environment)
    python -m utils.workspace --fresh 03_losses   # today's chapter beside your copy: work/03_losses-new.ipynb

Learners edit and run these copies; the committed ``chapters/`` stay pristine for ``make test``. When a chapter
changed after it was copied, ``make work`` (and so ``make lab``) says which copies are older and how to get the
new version beside them. A copy remembers what it was copied from: the notebook's metadata ``course`` holds the
chapter's name and a fingerprint of its cells' sources (outputs left out, so a regenerated chapter with the same
text is not "newer"). A copy made before copies carried a fingerprint is compared cell by cell instead: every cell
of the chapter but the exercises (which the learner edits) must be in the copy, same id, same source.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
METADATA_KEY = "course"
EXERCISE_TAG = "exercise:"
FRESH_SUFFIX = "-new"


class Copy(NamedTuple):
    """A chapter's copy in ``work/``: ``created`` now, or kept; ``older`` when the chapter changed since."""

    path: Path
    created: bool
    older: bool


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _is_exercise(cell: dict) -> bool:
    return any(tag.startswith(EXERCISE_TAG) for tag in cell.get("metadata", {}).get("tags", []))


def chapter_fingerprint(notebook: dict) -> str:
    """A short hash of a notebook's cells (type and source, in order); outputs and metadata are left out."""
    cells = [[cell.get("cell_type"), _source(cell)] for cell in notebook.get("cells", [])]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def write_copy(chapter: Path, target: Path) -> None:
    """Write ``chapter`` to ``target`` with its fingerprint in the metadata; never over an existing file."""
    notebook = _read(chapter)
    notebook.setdefault("metadata", {})[METADATA_KEY] = {
        "chapter": chapter.stem, "fingerprint": chapter_fingerprint(notebook),
        "copied_on": datetime.date.today().isoformat()}
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with open(target, "x", encoding="utf-8") as out:  # "x": fails if the file exists, even one made a moment ago
        out.write(text)


def is_older(copy: Path, chapter: Path) -> bool:
    """Whether ``chapter`` changed since ``copy`` was made from it (the learner's edits do not count)."""
    try:
        mine = _read(copy)
    except (OSError, ValueError):  # not a notebook any more: nothing to compare; the learner's file stays as is
        return False
    upstream = _read(chapter)
    stored = mine.get("metadata", {}).get(METADATA_KEY, {})
    if isinstance(stored, dict) and stored.get("fingerprint"):
        return stored["fingerprint"] != chapter_fingerprint(upstream)
    # a copy made without a fingerprint: every non-exercise cell of the chapter must be there, unchanged
    cells = {cell.get("id"): _source(cell) for cell in mine.get("cells", [])}
    return any(cells.get(cell.get("id")) != _source(cell) for cell in upstream.get("cells", [])
               if not _is_exercise(cell))


def make_workspace(root: Path = ROOT, work: Path | None = None) -> list[Copy]:
    """Copy each ``chapters/*.ipynb`` that ``work/`` does not have; one :class:`Copy` per chapter, kept or new."""
    work = work or root / "work"
    work.mkdir(exist_ok=True)
    done = []
    for chapter in sorted((root / "chapters").glob("[0-9]*.ipynb")):
        target = work / chapter.name
        created = not target.exists()
        if created:
            write_copy(chapter, target)
        done.append(Copy(target, created, not created and is_older(target, chapter)))
    return done


def chapter_named(name: str, root: Path = ROOT) -> Path:
    """The chapter a learner means by ``name``: ``03_losses``, ``03_losses.ipynb``, ``03`` or ``losses``."""
    chapters = sorted((root / "chapters").glob("[0-9]*.ipynb"))
    stem = Path(name).name.removesuffix(".ipynb")
    found = [c for c in chapters if stem in (c.stem, c.stem.split("_", 1)[0], c.stem.split("_", 1)[-1])]
    if len(found) != 1:
        raise ValueError(f"no chapter is called {name!r}: expected one of {', '.join(c.stem for c in chapters)}")
    return found[0]


def fresh_copy(name: str, root: Path = ROOT, work: Path | None = None) -> Path:
    """Today's version of chapter ``name`` beside the learner's copy: ``work/NN_topic-new.ipynb`` (or ``-new2``, …
    when that exists too). Never writes over a file."""
    chapter = chapter_named(name, root)
    work = work or root / "work"
    work.mkdir(exist_ok=True)
    for number in range(1, 1000):
        target = work / f"{chapter.stem}{FRESH_SUFFIX}{number if number > 1 else ''}.ipynb"
        try:
            write_copy(chapter, target)
            return target
        except FileExistsError:
            continue
    raise FileExistsError(f"{work} has 999 fresh copies of {chapter.stem} already: delete some first")


def _fresh_beside(copy: Path, chapter: Path) -> Path | None:
    """A fresh copy beside ``copy`` (``NN_topic-new*.ipynb``) that is up to date with ``chapter``, if any."""
    for fresh in sorted(copy.parent.glob(f"{copy.stem}{FRESH_SUFFIX}*.ipynb")):
        try:
            stored = _read(fresh).get("metadata", {}).get(METADATA_KEY, {})
        except (OSError, ValueError):
            continue
        if isinstance(stored, dict) and stored.get("fingerprint") == chapter_fingerprint(_read(chapter)):
            return fresh
    return None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def report(copies: list[Copy], root: Path = ROOT) -> str:
    """What ``make work`` prints: the new copies, the kept ones, and each older copy with how to get the new one."""
    lines = []
    new = [c.path.name for c in copies if c.created]
    kept = [c.path.name for c in copies if not c.created]
    if new:
        lines.append(f"your copies in work/: new {', '.join(new)}")
    if kept:
        lines.append(f"your copies in work/: kept your work in {', '.join(kept)}")
    older = [c for c in copies if c.older]
    if older:
        lines.append("")
        lines.append("These chapters changed after you copied them (your copies stay as they are):")
        for copy in older:
            chapter = copy.path.stem
            beside = _fresh_beside(copy.path, root / "chapters" / copy.path.name)
            if beside is not None:
                lines.append(f"  {_relative(copy.path, root)}: the new version is beside it, "
                             f"{_relative(beside, root)}")
            else:
                lines.append(f"  {_relative(copy.path, root)}: get the new version beside it with "
                             f"`make fresh CHAPTER={chapter}` (or `python -m utils.workspace --fresh {chapter}`), "
                             f"which writes {chapter}{FRESH_SUFFIX}.ipynb")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.workspace", description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="folder for your copies (default: work/)")
    parser.add_argument("--fresh", nargs="+", metavar="CHAPTER", default=None,
                        help="write today's version of CHAPTER (e.g. 03_losses) beside your copy, as "
                             "work/03_losses-new.ipynb; never over a file")
    args = parser.parse_args(argv)
    if args.fresh:
        for name in args.fresh:
            try:
                target = fresh_copy(name, work=args.work)
            except (ValueError, FileExistsError) as error:
                print(f"python -m utils.workspace: {error}", file=sys.stderr)
                return 2
            print(f"the new version of {target.stem.removesuffix(FRESH_SUFFIX)}: {_relative(target, ROOT)} "
                  "(your own copy is untouched)")
        return 0
    print(report(make_workspace(work=args.work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
