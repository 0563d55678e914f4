"""Grade learners' notebooks: run each one in its own kernel and list every exercise of its chapter.

    make grade                                             # your notebooks in work/
    make grade NOTEBOOKS="submissions/ extra.ipynb"        # notebooks and folders (searched recursively)
    python -m utils.grade PATH [PATH ...] [--jobs N] [--json | --csv] [--cell-timeout S] [--timeout S]

One learner per file, or per sub-folder of a folder PATH (``submissions/alice/*.ipynb`` -> alice). Each notebook
runs headlessly in a fresh kernel (an error in a learner's cell does not stop it) under a per-cell and a
whole-notebook time limit; a hung cell stops that notebook's kernel only. The chapter is recognised from the
notebook's exercise cells and check calls, not its file name. Every exercise of the chapter is listed: passed,
failed, not attempted, error, timed out, not checked (its check never ran) or missing (its cell was deleted).
A notebook that is not JSON, has no exercise, hangs or kills its kernel gets a row saying so; the others are
graded. ``--json``: every notebook's report; ``--csv``: the gradebook (one row per learner, one column per
exercise, passed, total, notes). Exit code 0 when every notebook was graded in full, 1 when one could not be
(the rows say why), 2 for a wrong command line. Learners' notebooks are untrusted code: see the README's
"Grading a class" before grading other people's notebooks. Nothing is written back to the notebooks.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from .tooling import course_environment

with course_environment(__name__, "utils.grade", "make grade"):
    from .grading.notebooks import find_submissions
    from .grading.results import NotebookResult, grade_notebook, gradebook_csv, render


def grade_all(submissions, jobs: int = 1, cell_timeout: float = 120, notebook_timeout: float = 600,
              progress=None) -> list[NotebookResult]:
    """Grade every submission, ``jobs`` at a time (separate processes); results in the submissions' order.
    ``progress(result)`` is called as each one finishes."""
    results: dict[int, NotebookResult] = {}

    def done(i: int, result: NotebookResult) -> None:
        results[i] = result
        if progress:
            progress(result)

    if jobs <= 1:
        for i, submission in enumerate(submissions):
            done(i, grade_notebook(submission, cell_timeout, notebook_timeout))
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(submissions)), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(grade_notebook, s, cell_timeout, notebook_timeout): i
                       for i, s in enumerate(submissions)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker process died: that notebook gets a row
                    s = submissions[i]
                    result = NotebookResult(str(s.path), s.learner, "grader_failed",
                                            problems=[f"the grading process failed ({type(exc).__name__}: {exc})"])
                done(i, result)
    return [results[i] for i in range(len(submissions))]


def positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks and folders of notebooks")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print every notebook's report as JSON")
    output.add_argument("--csv", action="store_true", help="print the gradebook as CSV (one row per learner)")
    parser.add_argument("--jobs", "-j", type=positive(int), default=1, help="notebooks graded at once (processes)")
    parser.add_argument("--cell-timeout", type=positive(float), default=120, metavar="S",
                        help="seconds one cell may run (default 120)")
    parser.add_argument("--timeout", type=positive(float), default=600, metavar="S",
                        help="seconds a whole notebook may run (default 600)")
    args = parser.parse_args(argv)
    try:
        submissions = find_submissions(args.paths)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if not submissions:
        parser.error(f"no notebooks (*.ipynb) in {', '.join(map(str, args.paths))}")
    table = not (args.json or args.csv)

    def progress(result: NotebookResult) -> None:
        if table:
            print(render(result), flush=True)
        else:
            score = f"{result.passed}/{len(result.exercises)} passed" if result.exercises else "not graded"
            print(f"{result.path}: {score}, {result.state.replace('_', ' ')}", file=sys.stderr, flush=True)

    results = grade_all(submissions, args.jobs, args.cell_timeout, args.timeout, progress)
    incomplete = [r for r in results if not r.fully_graded]
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=1, ensure_ascii=False))
    elif args.csv:
        print(gradebook_csv(results), end="")
    summary = f"{len(results) - len(incomplete)} of {len(results)} notebooks graded in full"
    if incomplete:
        summary += "; not in full: " + ", ".join(f"{r.path} ({r.state.replace('_', ' ')})" for r in incomplete)
    print(summary, file=sys.stderr if not table else sys.stdout)
    return 1 if incomplete else 0


if __name__ == "__main__":
    with course_environment(__name__, "utils.grade", "make grade"):
        sys.exit(main())
