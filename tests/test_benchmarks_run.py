"""benchmarks/run.py (``python -m benchmarks``): RESULTS.md says what was measured, on what, and what missed its
target; a quick run of two scripts still works. No timing is asserted (the benchmarks measure; tests never judge a
wall clock), and the ``suite`` and ``install`` benchmarks never run here (they would run this suite inside itself)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmark_scripts import run_benchmark_script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import run  # noqa: E402  (benchmarks/run.py)

MACHINE = {"date": "2026-12-07T15:00", "cpu": "Test CPU", "cores": 2, "memory_gib": 23.4, "os": "Linux",
           "python": "3.11.7", "numpy": "2.4.6", "torch": "2.13.0+cpu", "commit": "abc1234", "load_average": 0.1}


def row(measure: str, passed) -> dict:
    return {"measure": measure, "figure": "1.0×", "target": "≤ 1.5×", "passed": passed}


def test_results_name_the_machine_every_figure_and_what_missed():
    sections = [(run.BY_NAME["mlp_speed"], [row("fast", True), row("slow", False)], "2026-12-07", "measured"),
                (run.BY_NAME["conv_speed"], [row("reported", None)], "2026-12-01", "stored"),
                (run.BY_NAME["accuracy"], [], "", "missing"),
                (run.BY_NAME["controls"], [], "", "failed")]
    text = run.results_markdown(MACHINE, sections)
    assert "Test CPU, 2 logical cores, 23.4 GiB" in text and "PyTorch 2.13.0+cpu" in text and "`abc1234`" in text
    assert "| `measure_mlp_speed.py` | fast | 1.0× | ≤ 1.5× | PASS |" in text
    assert "| `measure_mlp_speed.py` | slow | 1.0× | ≤ 1.5× | **FAIL** |" in text
    assert "| `measure_conv_speed.py` (stored, 2026-12-01) | reported | 1.0× | ≤ 1.5× | — |" in text
    assert "not measured yet" in text and "the script failed" in text
    assert "**1 figure misses its target.**" in text
    sections.append((run.BY_NAME["suite"], [row("slow too", False)], "2026-12-07", "measured"))
    assert "**2 figures miss their target.**" in run.results_markdown(MACHINE, sections)


def test_results_say_when_every_target_is_met():
    sections = [(run.BY_NAME["mlp_speed"], [row("fast", True)], "2026-12-07", "measured")]
    assert "**Every figure with a target meets it.**" in run.results_markdown(MACHINE, sections)


def test_a_missing_or_broken_json_has_no_rows(tmp_path):
    assert run.read_rows(tmp_path / "none.json") == ([], "")
    (tmp_path / "broken.json").write_text("{not json")
    assert run.read_rows(tmp_path / "broken.json") == ([], "")
    (tmp_path / "old.json").write_text('{"measured": {"date": "2026-12-01"}, "rows": [{"ours_ms": 1.0}]}')
    assert run.read_rows(tmp_path / "old.json") == ([], "2026-12-01")  # rows of an older format are not figures


def test_every_benchmark_script_exists_and_quick_runs_leave_out_the_suite_and_the_install():
    for benchmark in run.BENCHMARKS:
        assert (ROOT / "benchmarks" / benchmark.script).is_file(), benchmark.script
    assert run.BY_NAME["suite"].quick is None and run.BY_NAME["install"].quick is None


def test_an_unknown_benchmark_is_named_with_the_known_ones(capsys):
    with pytest.raises(SystemExit) as stop:
        run.main(["--only", "speed"])
    assert stop.value.code == 2
    assert "unknown benchmark(s) speed; expected some of mlp_speed, conv_speed" in capsys.readouterr().err


@pytest.mark.slow  # two scripts in subprocesses, as python -m benchmarks runs them
def test_a_quick_run_of_two_scripts_writes_their_figures(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "mlp_speed,accuracy",
                           "--results", str(results)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert text.count("| `measure_mlp_speed.py` |") == 2 and text.count("| `measure_accuracy.py` |") == 8
    assert "measure_conv_speed.py" not in text  # a quick run reports only what it ran
    assert "=== mlp_speed" in done.stdout and "=== accuracy" in done.stdout


@pytest.mark.slow  # the script in a subprocess, as it is run
def test_the_suite_benchmark_times_a_command_and_keeps_its_summary(tmp_path):
    out = tmp_path / "suite.json"
    command = f'{sys.executable} -c "print(\'===== 3 passed, 1 skipped =====\')"'
    _, stored = run_benchmark_script("measure_test_suite.py", "--command", command, output=out)
    assert stored["summary"] == "3 passed, 1 skipped" and stored["exit_code"] == 0
    assert stored["rows"][0]["target"] == "≤ 5 min" and stored["rows"][0]["passed"] is True
