"""The checker survives any answer: every exercise × every broken answer of ``tests/broken_answers.py``, each in
a fresh process, ends with a short verdict that is not a pass — no hang, no crash, no traceback, no flood — and
the next check in the same process (the reference answer) passes. Slow (~4 s an exercise): ``make check-all``
(CI) and plain ``pytest`` run it, ``make test`` does not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.broken_answers import BROKEN, DEADLINE
from utils.checks import all_exercises

MAX_LINES = 12  # the broken answer's verdict (input, expected, got, printed lines, hint) and the reference's pass


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", sorted(all_exercises()))
def test_every_broken_answer_gets_a_short_verdict_and_the_next_check_works(exercise_id, root):
    run = subprocess.run([sys.executable, "-m", "tests.broken_answers", exercise_id], cwd=root, capture_output=True,
                         text=True, timeout=DEADLINE * len(BROKEN) + 120)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert sorted(report) == sorted(BROKEN)
    problems = []
    for name, outcome in report.items():
        output = outcome["output"]
        if outcome["hung"]:
            problems.append(f"{name}: still running after {DEADLINE} s")
        elif outcome["exit"] != 0:
            problems.append(f"{name}: the process ended with {outcome['exit']}: {output[-500:]}")
        elif "Traceback" in output:
            problems.append(f"{name}: a traceback reached the learner: {output[-500:]}")
        elif len(output.splitlines()) > MAX_LINES or len(output) > 4000:
            problems.append(f"{name}: {len(output.splitlines())} lines printed (a flood): {output[:300]}")
        elif outcome.get("broken") == "passed":
            problems.append(f"{name}: the broken answer passed")
        elif outcome.get("after") != "passed":
            problems.append(f"{name}: the reference did not pass after it ({outcome.get('after')}): {output[-500:]}")
    assert not problems, "\n".join(problems)
