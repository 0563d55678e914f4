"""Property-based: whatever a learner hands the checker — any value, a function returning it, raising any
exception, printing, changing its inputs or NumPy's global settings — every registered exercise answers with a
short verdict, leaves NumPy's settings as they were, and checks the next answer normally.

Hypothesis draws the answers (derandomized: the same examples on every run, so a failure reproduces). Slow
(~1 min): ``make check-all`` (CI) and plain ``pytest`` run it, ``make test`` does not. Answers that never end
are the fresh-process suite's (``test_checker_survives.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from utils.checks import all_exercises, judge, limits
from utils.checks.sandbox import NumpyState
from utils.checks.verdict import ERROR, FAILED, NOT_ATTEMPTED, PASSED

EXCEPTIONS = (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, AttributeError, RuntimeError,
              AssertionError, MemoryError, RecursionError, OverflowError, StopIteration, SystemExit, GeneratorExit,
              NotImplementedError, FloatingPointError, np.linalg.LinAlgError)

numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans())
arrays = hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),  # NaN and inf included
                    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=5))
values = st.recursive(
    st.one_of(st.none(), numbers, st.text(max_size=12), arrays),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=8)


@st.composite
def answers(draw):
    """A value, or a function of any arguments that returns one after misbehaving in one drawn way."""
    value = draw(values)
    kind = draw(st.sampled_from(["value", "returns", "raises", "prints", "mutates", "globals"]))
    if kind == "value":
        return value
    exception = draw(st.sampled_from(EXCEPTIONS))
    lines = draw(st.integers(1, 5_000))

    def answer(*args, **kwargs):
        if kind == "raises":
            raise exception("drawn by hypothesis")
        if kind == "prints":
            for i in range(lines):
                print("line", i)
        if kind == "mutates":
            for a in list(args) + list(kwargs.values()):
                if isinstance(a, np.ndarray) and a.flags.writeable and a.size:
                    a.flat[0] = 12345.0
        if kind == "globals":
            np.seterr(all="raise")
            np.set_printoptions(precision=2)
            np.random.seed(1)
        return value

    return answer


EXERCISES = sorted(all_exercises())


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_any_answer_gets_a_short_verdict_and_leaves_numpy_as_it_was(exercise_id, monkeypatch):
    monkeypatch.setattr(limits, "MIN_SECONDS", 1.0)
    reference = all_exercises()[exercise_id].load()

    @settings(max_examples=50, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(answer=answers())
    def property_holds(answer):
        before = NumpyState.capture()
        verdict = judge(exercise_id, answer)
        assert verdict.status in (PASSED, FAILED, NOT_ATTEMPTED, ERROR)
        assert verdict.status != ERROR or "checker itself failed" not in verdict.summary, verdict.render()
        text = verdict.render()
        assert len(text.splitlines()) <= 10 and len(text) <= 3000, text[:500]
        assert "Traceback" not in text
        assert not before.changes_since(), before.changes_since()

    property_holds()
    monkeypatch.setattr(limits, "MIN_SECONDS", 30.0)  # the learner's limit, generous: this machine may be busy
    assert judge(exercise_id, reference).status == PASSED  # the next check works
