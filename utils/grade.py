"""Grade learners' notebooks: run each one and collect what the checker recorded.

    make grade NOTEBOOKS="work/01_activations.ipynb [more.ipynb ...]"     # default: every notebook in work/
    python -m utils.grade work/01_activations.ipynb [more.ipynb ...] [--json]   # with .venv activated

Each notebook is executed in a fresh kernel (errors in a learner's cell do not stop the run), then the
verdicts recorded by ``check(...)`` are read back. The report lists every exercise of the chapter:
passed, failed, not attempted, or never checked (its check cell was not run). Nothing is written back to
the notebook.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .tooling import course_environment, kernel_config

with course_environment(__name__, "utils.grade", "make grade"):
    import nbformat

MARKER = "__COURSE_VERDICTS__"
COLLECT = (
    "import json as _json\n"
    "from utils.checks import summary_by_exercise as _summary\n"
    f"print({MARKER!r} + _json.dumps(_summary()))"
)


def slug_of(path: Path) -> str:
    """``work/01_activations.ipynb`` -> ``activations``."""
    return re.sub(r"^\d+_", "", Path(path).stem)


def grade(path: Path, timeout: int = 120) -> dict[str, str]:
    """{exercise id: "passed" | "failed" | "not_attempted" | "error" | "not_checked"} for one notebook."""
    from nbclient import NotebookClient

    from utils.checks import all_exercises

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(COLLECT))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, config=kernel_config(),
                            resources={"metadata": {"path": str(Path(path).parent.resolve())}})
    client.execute()
    recorded: dict[str, str] = {}
    for output in nb.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if MARKER in text:
            recorded = json.loads(text.split(MARKER, 1)[1])
    prefix = slug_of(path) + "."
    expected = sorted(eid for eid in all_exercises() if eid.startswith(prefix))
    report = {eid: recorded.get(eid, "not_checked") for eid in expected}
    report.update({eid: status for eid, status in recorded.items() if eid not in report})
    return report


SYMBOL = {"passed": "✓", "failed": "✗", "error": "✗", "not_attempted": "○", "not_checked": "·"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    results = {str(path): grade(path) for path in args.notebooks}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for path, report in results.items():
        passed = sum(status == "passed" for status in report.values())
        print(f"{path}: {passed}/{len(report)} passed")
        for eid, status in report.items():
            print(f"  {SYMBOL.get(status, '?')} {eid:40s} {status.replace('_', ' ')}")
    return 0


if __name__ == "__main__":
    with course_environment(__name__, "utils.grade", "make grade"):
        sys.exit(main())
