"""How long does `make test` take on this machine, with the environment installed? Timed once, as a maintainer runs it.

Run from the repository root (~3 minutes on 2 cores; nothing else should be running)::

    python benchmarks/measure_test_suite.py                      # times `make test`, writes benchmarks/test_suite.json
    python benchmarks/measure_test_suite.py --command "python -c pass" --dry-run   # the code path, in a second

What is timed: the whole command as a process (``make test``: unit tests and the 18 notebooks under nbval on 2
pytest-xdist workers), wall clock from start to exit, once: a suite run is minutes long, so its run-to-run spread
is small against the figure and a repeat would double the cost. The pytest summary line ("5750 passed, ...") is
kept beside the time, with the load average before and after (a busy machine makes the figure meaningless).
Target (issue 22): ≤ 5 minutes on 2 cores. PASS / FAIL; exit 1 with ``--strict`` when the target is missed or the
command fails. ``python -m benchmarks`` runs this script; its smoke test does not (it would run the suite inside
itself), only ``--command "python -c pass"``.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from stored_results import add_output_arguments, machine_record, write_results  # noqa: E402

TARGET_S = 300.0
SUMMARY = re.compile(r"=+ (.*\d+ passed.*?) =+\s*$", re.MULTILINE)  # pytest's last line, e.g. "= 5750 passed in 178s ="


def run_timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    """Run ``command`` once in ``cwd``: its wall time in seconds, exit code and combined output (also echoed)."""
    start = time.perf_counter()
    process = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    sys.stdout.write(process.stdout[-3000:])  # the end of the suite's output: its summary
    return seconds, process.returncode, process.stdout


def pytest_summary(output: str) -> str:
    """The last pytest summary line in ``output`` ("5750 passed, 164 deselected in 178.02s"), or ""."""
    found = SUMMARY.findall(output)
    return found[-1].strip() if found else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--command", default="make test", help='the command to time (default "make test")')
    add_output_arguments(parser, ROOT / "benchmarks" / "test_suite.json")
    args = parser.parse_args(argv)
    command = shlex.split(args.command)
    if not command:
        parser.error("--command is empty")

    load_before = os.getloadavg()[0]
    seconds, code, output = run_timed(command, ROOT)
    load_after = os.getloadavg()[0]
    summary = pytest_summary(output)
    passed = code == 0 and seconds <= TARGET_S
    print(f"\n{args.command}: {seconds:.0f} s, exit {code}{', ' + summary if summary else ''}; load average "
          f"{load_before:.1f} before, {load_after:.1f} after  target ≤ {TARGET_S:g} s  {'PASS' if passed else 'FAIL'}")
    row = {"measure": f"`{args.command}`, environment installed (timed once)",
           "figure": f"{seconds:.0f} s" + (f" ({summary})" if summary else "") + ("" if code == 0 else
                                                                                  f", exit code {code}"),
           "target": f"≤ {TARGET_S / 60:g} min", "passed": passed}
    write_results(args.output, {"measured": machine_record(), "command": args.command, "seconds": round(seconds, 1),
                                "exit_code": code, "summary": summary, "load_before": round(load_before, 2),
                                "load_after": round(load_after, 2), "rows": [row]}, dry_run=args.dry_run)
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
