"""How the smoke tests of benchmarks/ run a script: in a subprocess, as a maintainer does, writing its JSON to a
temporary file. A failing script fails the test with its stderr; no time is ever judged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark_script(script: str, *args: str, output: Path, timeout: float = 120):
    """Run ``python benchmarks/<script> *args --output <output>`` from the repository root; assert it exits 0.
    Returns the finished process (its stdout) and the JSON it wrote."""
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args, "--output", str(output)],
                            capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result, json.loads(output.read_text(encoding="utf-8"))
