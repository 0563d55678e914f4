"""Time ``python -m utils.grade`` on a generated class: 100 small Chapter 01 notebooks, one learner each.

    python benchmarks/measure_grading.py                 # 100 notebooks, --jobs 2
    python benchmarks/measure_grading.py --notebooks 20 --jobs 1

Each learner's notebook holds Chapter 01's exercise cells and check calls (tests.notebooks.generated_notebook),
a seeded random part of them solved, some with a wrong answer; a few learners have a broken notebook (an infinite
loop, a syntax error, a deleted exercise cell, a corrupt file). Prints the wall time, the time per notebook, the
load average before and after (the machine may be shared) and how many notebooks were graded in full.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

from tests.notebooks import generated_notebook  # noqa: E402
from utils.grading.notebooks import chapter_exercises  # noqa: E402

LOOP = "while True:\n    pass\n"
BROKEN = {7: ("loop", dict(extra=(3, LOOP))), 17: ("syntax error", dict(extra=(5, "def oops(:\n    pass\n"))),
          27: ("deleted cell", dict(deleted=("activations.elu",))), 37: ("corrupt", None)}


def write_class(folder: Path, learners: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    exercises = chapter_exercises()["activations"]
    for n in range(learners):
        path = folder / f"learner{n:03d}" / "01_activations.ipynb"
        path.parent.mkdir(parents=True)
        what, broken = BROKEN.get(n, (None, {}))
        if broken is None:
            path.write_text('{"cells": [')
            continue
        solved = [eid for eid in exercises if rng.random() < 0.7]
        wrong = {"activations.relu": "import numpy as np\n\ndef relu(x):\n    return np.minimum(x, 0)\n"} \
            if rng.random() < 0.2 else None
        nbformat.write(generated_notebook("activations", solved, wrong, **broken), path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cell-timeout", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_class(Path(tmp), args.notebooks)
        load_before = os.getloadavg()
        start = time.perf_counter()
        graded = subprocess.run([sys.executable, "-m", "utils.grade", tmp, "--csv", "--jobs", str(args.jobs),
                                 "--cell-timeout", str(args.cell_timeout)], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()
    rows = list(csv.DictReader(io.StringIO(graded.stdout)))
    print(graded.stderr.splitlines()[-1] if graded.stderr else "")
    print(f"{args.notebooks} notebooks, --jobs {args.jobs}, {os.cpu_count()} CPUs: {seconds:.0f} s wall "
          f"({seconds / args.notebooks:.2f} s per notebook); exit code {graded.returncode}; {len(rows)} gradebook rows")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
