"""Run every benchmark of the course and write benchmarks/RESULTS.md: each promise of the course as a measured figure.

Run from the repository root, in the course's environment, on an otherwise idle machine::

    python -m benchmarks                      # everything (~40 minutes on 2 cores), then RESULTS.md
    python -m benchmarks --skip install,browser   # without the two longest rows (~20 minutes)
    python -m benchmarks --only conv_speed    # one script again; RESULTS.md keeps the others' stored figures
    python -m benchmarks --quick --only mlp_speed,conv_speed   # tiny sizes, a temporary folder: keeps them working
    python -m benchmarks --list               # the benchmarks, what each measures, how long it takes

Each benchmark is a script of its own in benchmarks/ (``measure_*.py``, runnable alone, its docstring says what
and how it measures), run here in a subprocess of its own, one after the other (never two at once: they time
things). Each writes a JSON beside it (``benchmarks/<name>.json``) whose ``rows`` hold the figures, their targets
and PASS / FAIL, measured in that run against a reference measured in the same run. This script then writes
RESULTS.md from the JSONs: the machine (CPU, cores, memory, versions, load average), one table of every figure,
and for a benchmark not run this time its last stored figures, dated. ``--strict`` exits 1 when a figure misses
its target; a script that fails makes the exit code 2 either way.

``--quick`` runs the scripts with tiny sizes into a temporary folder and writes no RESULTS.md (unless
``--results``): it proves the scripts still run, and its figures mean nothing. It never runs the ``suite`` and
``install`` benchmarks (they run the whole test suite, which would then run itself) nor ``browser``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"


@dataclasses.dataclass(frozen=True)
class Benchmark:
    """One script of benchmarks/: its name (and JSON's), what it measures, its arguments for a quick run."""

    name: str
    script: str
    measures: str
    minutes: float  # about how long a full run takes on the course's 2-core machine
    quick: tuple[str, ...] | None  # the arguments of a quick run; None: never run in a quick run
    json: str = ""

    @property
    def json_name(self) -> str:
        return self.json or f"{self.name}.json"


BENCHMARKS = (
    Benchmark("mlp_speed", "measure_mlp_speed.py", "NumPy MLP epoch vs PyTorch (minibatch, full batch)", 0.5,
              ("--repeats", "1")),
    Benchmark("conv_speed", "measure_conv_speed.py", "im2col Conv2d forward + backward vs PyTorch, N=64", 0.5,
              ("--batch", "2", "--repeats", "1")),
    Benchmark("controls", "measure_controls.py", "every widget control's callback, driven from Python", 3,
              ("--values", "2", "--only", "foundations")),
    Benchmark("notebooks", "measure_notebook_memory.py", "each notebook run headless: time and peak memory", 5,
              (str(ROOT / "chapters" / "00_foundations.ipynb"),), json="notebook_memory.json"),
    Benchmark("accuracy", "measure_accuracy.py", "accuracy on the fixed splits over 5 seeds", 6, ("--quick",)),
    Benchmark("suite", "measure_test_suite.py", "`make test`, timed once", 4, None, json="test_suite.json"),
    Benchmark("browser", "measure_browser.py", "every control in JupyterLab in headless Chromium", 13, None),
    Benchmark("install", "measure_install.py", "a fresh clone's install and `make test`: time and disk", 12, None),
)
BY_NAME = {b.name: b for b in BENCHMARKS}


def machine_description() -> dict:
    """What the figures were measured on: CPU model, cores, memory, OS, versions, the commit and the load."""
    import numpy as np
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory_gb = float("nan")
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    return {"date": datetime.datetime.now().isoformat(timespec="minutes"), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(memory_gb, 1), "os": platform.platform(), "python": platform.python_version(),
            "numpy": np.__version__, "torch": torch.__version__, "commit": commit,
            "load_average": round(os.getloadavg()[0], 2)}


def run_benchmark(benchmark: Benchmark, output: Path, quick: bool) -> tuple[int, float]:
    """Run one script in its own process, writing its JSON to ``output``: its exit code and wall time in seconds."""
    command = [sys.executable, str(HERE / benchmark.script), "--output", str(output)]
    if quick:
        command += list(benchmark.quick or ())
    print(f"\n=== {benchmark.name}: {benchmark.measures} ({'quick' if quick else f'~{benchmark.minutes:g} min'})",
          flush=True)
    start = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT).returncode
    return code, time.perf_counter() - start


def read_rows(path: Path) -> tuple[list[dict], str]:
    """The ``rows`` of a benchmark's JSON and the date they were measured ("" when there is no such JSON)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], ""
    rows = [row for row in stored.get("rows", [])
            if isinstance(row, dict) and {"measure", "figure", "target"} <= set(row)]
    return rows, str(stored.get("measured", {}).get("date", ""))  # an older JSON without summary rows: none


def verdict(passed) -> str:
    """PASS, FAIL or — (a figure reported without a target)."""
    return {True: "PASS", False: "**FAIL**"}.get(passed, "—")


def results_markdown(machine: dict, sections: list[tuple[Benchmark, list[dict], str, str]]) -> str:
    """RESULTS.md: the machine, then one table of every figure. ``sections``: (benchmark, rows, date, status),
    status "measured" (this run), "stored" (an earlier run), "failed" or "missing"."""
    lines = ["# Benchmarks: the course's promises, measured", "",
             "Written by `python -m benchmarks` (benchmarks/run.py); each figure's script is named in its row and "
             "runs alone too. Timings are ratios against PyTorch or absolute times measured in the same run; "
             "micro-benchmarks are the median of ≥ 5 runs after a warm-up, whole notebooks and suites are timed "
             "once. A busy machine slows every figure: see the load average.", "",
             "## The machine", "",
             f"- measured {machine['date']} at commit `{machine['commit']}`, load average "
             f"{machine['load_average']} at the start (the figures below assume an otherwise idle machine)",
             f"- CPU: {machine['cpu']}, {machine['cores']} logical cores, {machine['memory_gib']} GiB memory",
             f"- {machine['os']}; Python {machine['python']}, NumPy {machine['numpy']}, PyTorch {machine['torch']}",
             "", "## Figures", "",
             "| benchmark | measure | figure | target | verdict |", "|---|---|---|---|---|"]
    notes = []
    for benchmark, rows, date, status in sections:
        name = f"`{benchmark.script}`"
        if status == "stored":
            name += f" (stored, {date})"
        if status in ("failed", "missing") or not rows:
            why = {"failed": "the script failed", "missing": "not measured yet"}.get(status, "its JSON holds no rows")
            lines.append(f"| {name} | {benchmark.measures} | {why} | | — |")
            continue
        for row in rows:
            lines.append(f"| {name} | {row['measure']} | {row['figure']} | {row['target']} | "
                         f"{verdict(row.get('passed'))} |")
        notes += [f"- {benchmark.name}: {note}" for note in (row.get("note") for row in rows) if note]
    missed = [row for _, rows, _, status in sections if status in ("measured", "stored") for row in rows
              if row.get("passed") is False]
    many = len(missed) != 1
    lines += ["", (f"**{len(missed)} figure{'s miss their' if many else ' misses its'} target.**" if missed
                   else "**Every figure with a target meets it.**")]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks not to run")
    parser.add_argument("--quick", action="store_true", help="tiny sizes into a temporary folder; no RESULTS.md")
    parser.add_argument("--results", type=Path, default=None,
                        help=f"the Markdown to write (default {RESULTS.relative_to(ROOT)}; none with --quick)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:11} ~{b.minutes:>4g} min  {b.script:28} {b.measures}")
        return 0
    chosen = {name.strip() for name in args.only.split(",") if name.strip()} or set(BY_NAME)
    skipped = {name.strip() for name in args.skip.split(",") if name.strip()}
    unknown = (chosen | skipped) - set(BY_NAME)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; expected some of {', '.join(BY_NAME)}")
    to_run = [b for b in BENCHMARKS if b.name in chosen - skipped and (not args.quick or b.quick is not None)]

    machine = machine_description()
    folder = Path(tempfile.mkdtemp(prefix="benchmarks-")) if args.quick else HERE
    statuses, failed = {}, []
    for benchmark in to_run:
        code, seconds = run_benchmark(benchmark, folder / benchmark.json_name, args.quick)
        statuses[benchmark.name] = "measured" if code == 0 else "failed"
        print(f"--- {benchmark.name}: {seconds:.0f} s{'' if code == 0 else f', exit code {code}'}", flush=True)
        if code != 0:
            failed.append(benchmark.name)

    sections = []
    for benchmark in BENCHMARKS:
        status = statuses.get(benchmark.name)
        if args.quick and status is None:
            continue
        rows, date = read_rows(folder / benchmark.json_name)
        sections.append((benchmark, rows, date, status or ("stored" if rows else "missing")))
    print("\n" + "\n".join(f"{verdict(row.get('passed')):8} {b.name:11} {row['measure']}: {row['figure']} "
                           f"(target {row['target']})" for b, rows, _, _ in sections for row in rows))
    results = args.results or (None if args.quick else RESULTS)
    if results is not None:
        results.write_text(results_markdown(machine, sections), encoding="utf-8")
        print(f"wrote {results}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 2
    missed = any(row.get("passed") is False for _, rows, _, status in sections if status == "measured"
                 for row in rows)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
