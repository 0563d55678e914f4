"""What every measurement script of benchmarks/ stores beside its numbers, and how it writes them.

    from stored_results import machine_record, write_results   # the scripts run as `python benchmarks/<script>.py`
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path


def machine_record() -> dict:
    """The date, the library versions and the CPU count a measurement was made with (for the JSON's "measured")."""
    import numpy as np
    import sklearn
    import torch

    return {"date": datetime.date.today().isoformat(), "torch": torch.__version__, "numpy": np.__version__,
            "sklearn": sklearn.__version__, "python": platform.python_version(), "cpu_count": os.cpu_count()}


def write_results(path: Path, results: dict, *, dry_run: bool) -> None:
    """Write ``results`` as indented JSON to ``path`` (the stored asset the notebooks assert against), unless
    ``dry_run``; say which."""
    if dry_run:
        print("dry run: nothing written")
        return
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def add_output_arguments(parser, default_output: Path, *, strict: bool = True) -> None:
    """The options every measurement script takes: ``--output`` (its JSON, ``python -m benchmarks`` passes one),
    ``--dry-run`` (print, write nothing) and, unless ``strict=False``, ``--strict`` (exit 1 on a missed target)."""
    parser.add_argument("--output", type=Path, default=default_output, help=f"the JSON to write (default "
                                                                            f"benchmarks/{default_output.name})")
    parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
    if strict:
        parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
