"""The peak memory (RSS) and CPU time of a Jupyter kernel running each notebook, top to bottom: what a learner's
server needs (README, "Serving a class").

Run from the repository root, in the course's environment (Linux; ~3–6 minutes for the 18 notebooks)::

    python benchmarks/measure_notebook_memory.py                       # solutions/ and chapters/, then the table
    python benchmarks/measure_notebook_memory.py chapters/03_losses.ipynb   # one notebook, printed only
    python benchmarks/measure_notebook_memory.py --dry-run             # print only, write no JSON

Each notebook runs in a fresh kernel (as `make test` and a learner's "Run All" do), with the notebook's folder as
working directory, and gets one extra last cell that reads the kernel's own peak resident set size
(``getrusage(RUSAGE_SELF).ru_maxrss``: the high-water mark of the whole process, kernel start, ``import torch``
and every cell included) and its CPU time. Processes the kernel started (none in the course: DataLoaders use
``num_workers=0``) are reported apart, as ``children``. A kernel running only that cell gives the baseline.
Solutions run every answer, so they are the upper bound of what a learner's copy reaches; chapters run the stubs.
The wall time of each run is kept too, timed once: from the kernel's start to the last cell's output, which is what
a learner's "Restart Kernel and Run All" waits for and the per-notebook figure of CONTRIBUTING's budget. The
kernel's shutdown after it (0.6–1.6 s: IPython's reset of the namespace, torch's teardown; a headless run pays it,
a learner does not wait for it) is measured apart as ``shutdown_s`` and shown in the table. Targets (issue 22):
each notebook ≤ 30 s and ≤ 10 s on average; a kernel's peak ≤ 1.5 GB (PASS / FAIL printed, exit 1 with ``--strict``
on a miss). The results go to ``benchmarks/notebook_memory.json`` with the machine they were measured on; its
``rows`` are what ``python -m benchmarks`` reports.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's utils, also without an install

from stored_results import machine_record, write_results  # noqa: E402

OUT = ROOT / "benchmarks" / "notebook_memory.json"
# Targets (issue 22; CONTRIBUTING's budget): each notebook ≤ 30 s, ~10 s on average; a kernel's peak ≤ 1.5 GB.
MAX_NOTEBOOK_S, MEAN_NOTEBOOK_S, MAX_PEAK_GB = 30.0, 10.0, 1.5

# The last cell: the kernel's peak RSS (Linux: KiB; macOS: bytes) and CPU seconds, its children's apart.
PROBE = """\
import json as _json, resource as _resource, sys as _sys
_unit = 1 if _sys.platform == "darwin" else 1024
_self, _kids = _resource.getrusage(_resource.RUSAGE_SELF), _resource.getrusage(_resource.RUSAGE_CHILDREN)
print(_json.dumps({"peak_rss_mib": _self.ru_maxrss * _unit / 2**20, "cpu_s": _self.ru_utime + _self.ru_stime,
                   "children_peak_rss_mib": _kids.ru_maxrss * _unit / 2**20}))
"""


def measure(path: Path | None, timeout: int = 600) -> dict:
    """Run ``path`` (None: an empty notebook, the kernel alone) in a fresh kernel; its peak RSS and CPU time."""
    import nbformat
    from nbclient import NotebookClient

    from utils.tooling import kernel_config

    nb = nbformat.read(path, as_version=4) if path else nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    cwd = (path.parent if path else ROOT).resolve()
    done = []  # when each cell's execution finished (its outputs in)

    def cell_done(**_):
        done.append(time.perf_counter())

    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", config=kernel_config(), on_cell_executed=cell_done,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    end = time.perf_counter()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    result = json.loads(text.strip().splitlines()[-1])
    result["wall_s"] = done[-1] - start  # kernel start to the last cell's output
    result["shutdown_s"] = end - done[-1]
    return result


def table(results: dict[str, dict]) -> str:
    """The results as a Markdown table, one row per notebook, sizes in MiB."""
    rows = ["| notebook | peak RSS (MiB) | kernel CPU (s) | wall, start to last output (s) | then shutdown (s) |",
            "|---|---:|---:|---:|---:|"]
    for name, r in results.items():
        rows.append(f"| {name} | {r['peak_rss_mib']:.0f} | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | "
                    f"{r.get('shutdown_s', float('nan')):.1f} |")
    return "\n".join(rows)


def summary_rows(results: dict[str, dict]) -> list[dict]:
    """The figures ``python -m benchmarks`` reports: the slowest notebook, the mean, and the highest peak RSS
    against their targets (issue 22, CONTRIBUTING's budget)."""
    notebooks = {name: r for name, r in results.items() if not name.startswith("(")}
    if not notebooks:
        return []
    slowest = max(notebooks, key=lambda name: notebooks[name]["wall_s"])
    mean = sum(r["wall_s"] for r in notebooks.values()) / len(notebooks)
    shutdown = sum(r.get("shutdown_s", float("nan")) for r in notebooks.values()) / len(notebooks)
    biggest = max(notebooks, key=lambda name: notebooks[name]["peak_rss_mib"])
    peak_gb = notebooks[biggest]["peak_rss_mib"] * 2**20 / 1e9
    n = len(notebooks)
    return [
        {"measure": f"slowest of {n} notebooks run headless, top to bottom, from the kernel's start to the last "
                    "cell's output (timed once)",
         "figure": f"{notebooks[slowest]['wall_s']:.1f} s ({slowest})", "target": f"≤ {MAX_NOTEBOOK_S:g} s each",
         "passed": notebooks[slowest]["wall_s"] <= MAX_NOTEBOOK_S},
        {"measure": f"mean time of the {n} notebooks (the kernel's shutdown after: mean {shutdown:.1f} s, apart)",
         "figure": f"{mean:.1f} s",
         "target": f"≤ {MEAN_NOTEBOOK_S:g} s on average", "passed": mean <= MEAN_NOTEBOOK_S},
        {"measure": "peak resident memory of a kernel running a notebook",
         "figure": f"{peak_gb:.2f} GB ({biggest}; kernel alone "
                   f"{results.get('(kernel alone)', {}).get('peak_rss_mib', float('nan')) * 2**20 / 1e9:.2f} GB)",
         "target": f"≤ {MAX_PEAK_GB:g} GB", "passed": peak_gb <= MAX_PEAK_GB},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: every one in solutions/ and chapters/)")
    parser.add_argument("--dry-run", action="store_true", help="print the table, write no JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"the JSON to write (default: {OUT.relative_to(ROOT)} for a full run; none for chosen "
                             "notebooks)")
    args = parser.parse_args(argv)
    paths = args.notebooks or [*sorted((ROOT / "solutions").glob("[0-9]*.ipynb")),
                               *sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))]
    results = {"(kernel alone)": measure(None)}
    for path in paths:
        name = f"{path.resolve().parent.name}/{path.name}"
        results[name] = measure(path)
        r = results[name]
        print(f"{name}: peak {r['peak_rss_mib']:.0f} MiB, CPU {r['cpu_s']:.1f} s, wall {r['wall_s']:.1f} s "
              f"(+ {r['shutdown_s']:.1f} s shutdown)",
              flush=True)
    print()
    print(table(results))
    worst = max(results.items(), key=lambda item: item[1]["peak_rss_mib"])
    print(f"\nhighest peak: {worst[0]}, {worst[1]['peak_rss_mib']:.0f} MiB")
    for row in summary_rows(results):
        print(f"{row['measure']}: {row['figure']}  target {row['target']}  {'PASS' if row['passed'] else 'FAIL'}")
    output = args.output or OUT
    dry_run = args.dry_run or (bool(args.notebooks) and args.output is None)  # chosen notebooks: keep the full run
    write_results(output, {"measured": machine_record(), "notebooks": results, "rows": summary_rows(results)},
                  dry_run=dry_run)
    return 1 if args.strict and not all(row["passed"] for row in summary_rows(results)) else 0


if __name__ == "__main__":
    sys.exit(main())
