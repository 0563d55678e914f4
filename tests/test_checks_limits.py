"""The checker's limits (utils/checks/limits.py): an answer that loops forever is stopped, one that swallows
every exception too, one that allocates gigabytes gets a MemoryError, what it prints is counted, not shown; and
afterwards the timer, the signal handler, the trace function and the memory cap are as they were."""

from __future__ import annotations

import re
import signal
import sys
import threading
import time

import numpy as np
import pytest

from utils.checks import CheckInterrupted, check, judge, last_verdict, limits
from utils.checks.kinds import PropertyExercise
from utils.checks.verdict import ERROR, FAILED, PASSED

SHORT = 0.2  # seconds: the tests' time limit


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(limits, "MIN_SECONDS", SHORT)


def loop_forever(*args, **kwargs):
    while True:
        pass


def swallow_everything(*args, **kwargs):
    while True:
        try:
            sum(range(1000))
        except BaseException:  # noqa: BLE001 - the point: a learner's bare except must not keep it alive
            continue


def swallow_in_a_bare_except(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except:  # noqa: E722 - the point of the test
            pass


def test_a_value_or_an_exception_comes_back_untouched():
    assert limits.limited_call(lambda a, b=0: a + b, (2,), {"b": 3}).value == 5
    outcome = limits.limited_call(lambda: 1 / 0)
    assert isinstance(outcome.exception, ZeroDivisionError) and not outcome.timed_out


@pytest.mark.parametrize("answer", [loop_forever, swallow_everything, swallow_in_a_bare_except])
def test_an_answer_that_never_ends_is_stopped_at_the_limit(answer):
    start = time.perf_counter()
    outcome = limits.limited_call(answer, seconds=SHORT)
    assert outcome.timed_out and isinstance(outcome.exception, limits.AnswerTimeout)
    assert time.perf_counter() - start < SHORT + 2.0  # stopped, not left running (a hang fails by never ending)


def test_the_timer_handler_and_trace_function_are_restored():
    def tracer(frame, event, arg):
        return None

    previous = signal.signal(signal.SIGALRM, signal.SIG_IGN)
    sys.settrace(tracer)
    try:
        limits.limited_call(swallow_everything, seconds=SHORT)
        assert sys.gettrace() is tracer
        assert signal.getsignal(signal.SIGALRM) is signal.SIG_IGN
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        sys.settrace(None)
        signal.signal(signal.SIGALRM, previous)
    time.sleep(3 * limits.REFIRE)  # a stray alarm would raise here


def test_off_the_main_thread_a_watchdog_stops_the_answer():
    results = {}

    def in_a_thread():
        results["loop"] = limits.limited_call(loop_forever, seconds=SHORT).timed_out
        results["swallow"] = limits.limited_call(swallow_in_a_bare_except, seconds=SHORT).timed_out
        results["value"] = limits.limited_call(lambda: 7, seconds=SHORT).value
        time.sleep(3 * limits.REFIRE)  # a stray timeout would end the thread with an exception
        results["alive"] = True

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and results == {"loop": True, "swallow": True, "value": 7, "alive": True}


def test_kernel_interrupt_passes_through_with_the_timer_disarmed():
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        limits.limited_call(interrupted, seconds=SHORT)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory cap uses Linux's RLIMIT_AS")
def test_a_runaway_allocation_raises_memory_error_and_the_cap_is_lifted():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    outcome = limits.limited_call(lambda: np.ones((40_000, 40_000)), seconds=5, memory=2**30)  # 12 GiB > 1 GiB
    assert outcome.out_of_memory
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert np.ones(10**6).sum() == 10**6


def test_the_time_limit_is_calibrated_to_the_reference():
    assert limits.time_limit_for(None) == SHORT
    assert limits.time_limit_for(0.001) == SHORT
    assert limits.time_limit_for(0.5) == pytest.approx(limits.FACTOR * 0.5)
    assert limits.time_limit_for(10.0) == limits.MAX_SECONDS  # a slow reference: a loop still ends in 30 s


def test_captured_output_counts_every_line_and_keeps_the_first_three():
    with limits.CapturedOutput() as printed:
        for i in range(100_000):
            print("line", i)
        print("x" * 1000, end="")
    assert printed.lines == 100_001
    assert printed.summary() == ("your code printed 100,001 lines while being checked (the first 3):",
                                 "| line 0", "| line 1", "| line 2")
    with limits.CapturedOutput() as printed:
        print("only one", file=sys.stderr)
    assert printed.summary() == ("your code printed 1 line while being checked (here):", "| only one")
    with limits.CapturedOutput() as printed:
        print("y" * 1000)
    assert printed.head == ["y" * limits.LINE_CHARS + "…"]


# --- through the checker -----------------------------------------------------------------------------------
def right_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


@pytest.mark.parametrize("exercise_id, answer", [
    ("activations.sigmoid", loop_forever),
    ("foundations.perceptron_train", swallow_everything),
    ("foundations.xor_why", lambda: loop_forever()),
])
def test_a_verdict_says_the_answer_was_still_running(exercise_id, answer):
    verdict = judge(exercise_id, answer)
    assert verdict.status == FAILED
    assert re.search(r"was still running after [0-9.]+ s: is there a loop that never ends\?$", verdict.summary)
    assert "every loop ends" in verdict.hint
    assert judge("activations.sigmoid", right_sigmoid).status == PASSED  # the next check works


def test_printing_is_counted_not_shown_and_the_answer_still_passes(capsys, monkeypatch):
    # 30,000 prints are not a loop: this test is about counting them, so it gives them the learner's 5 s (under a
    # load of 6.5 on 2 cores they took longer than the 0.2 s the other tests use)
    monkeypatch.setattr(limits, "MIN_SECONDS", 5.0)

    def chatty_sigmoid(x):
        for i in range(5_000):
            print("debug", i)
        return right_sigmoid(x)

    check("activations.sigmoid", chatty_sigmoid)
    out = capsys.readouterr().out
    assert out.startswith("✓ activations.sigmoid: all 6 cases passed.")
    assert "your code printed 30,000 lines while being checked (the first 3):" in out
    assert len(out.splitlines()) == 5


def test_a_memory_error_gets_a_hint_about_sizes():
    verdict = judge("activations.relu", lambda x: np.ones((200_000, 200_000)))
    assert "MemoryError" in verdict.summary and "GiB more memory at most" in verdict.hint


def test_kernel_interrupt_ends_the_cell_with_one_line_and_is_recorded(capsys):
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(CheckInterrupted) as info:
        check("activations.sigmoid", interrupted)
    assert isinstance(info.value, KeyboardInterrupt)  # "Run All" stops, as after any interrupt
    lines = info.value._render_traceback_()
    assert lines == ["✗ activations.sigmoid: interrupted (Kernel → Interrupt) before the check finished; run this "
                     "cell again to check your answer"]
    assert last_verdict().status == ERROR and capsys.readouterr().out == ""
    check("activations.sigmoid", right_sigmoid)
    assert last_verdict().status == PASSED


class _SlowProperty(PropertyExercise):
    """A property whose reference takes 0.05 s: its answers get FACTOR × 0.05 = 1 s, not SHORT."""

    def load(self):
        return lambda: time.sleep(0.05)


def test_a_slow_reference_gives_a_slow_but_correct_answer_more_time():
    exercise = _SlowProperty(id="synthetic.slow", reference="slow", prop=lambda answer: answer())
    assert exercise.judge(lambda: time.sleep(0.5)).status == PASSED  # 0.5 s > SHORT, < 20 × 0.05 s
    assert exercise.judge(loop_forever).status == FAILED


def test_an_import_in_progress_is_never_interrupted(tmp_path, monkeypatch):
    """Stopping an import half-way leaves a broken module behind (measured with PyTorch's lazy imports): the
    timeout waits until the import is done, then stops the answer."""
    (tmp_path / "slow_to_import.py").write_text(
        "import time\nstart = time.perf_counter()\nwhile time.perf_counter() - start < 0.5:\n    pass\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def imports_then_loops():
        import slow_to_import  # noqa: F401 - takes 0.5 s, longer than the limit

        loop_forever()

    outcome = limits.limited_call(imports_then_loops, seconds=SHORT)
    assert outcome.timed_out and sys.modules["slow_to_import"].DONE


def test_time_spent_importing_does_not_count(tmp_path, monkeypatch):
    """`import torch` inside an answer can take seconds on a busy laptop: that is not the answer being slow."""
    (tmp_path / "slow_import_then_done.py").write_text(
        "import time\nstart = time.perf_counter()\nwhile time.perf_counter() - start < 0.6:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def imports_then_answers():
        import slow_import_then_done  # noqa: F401 - 0.6 s, three times the limit

        return 42

    outcome = limits.limited_call(imports_then_answers, seconds=SHORT)
    assert not outcome.timed_out and outcome.value == 42


def test_an_array_given_as_a_multiple_choice_answer_is_not_a_choice():
    verdict = judge("foundations.xor_why", np.zeros(2))
    assert verdict.status == FAILED and "is not one of the choices" in verdict.summary
