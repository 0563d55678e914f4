"""The three kinds of exercise the checker knows (COURSE_DESIGN §1):

- ``FunctionExercise``: the learner writes a function; it is compared with the reference on a battery
  of cases (typical, batch, edge, extreme inputs), watching for exceptions, NumPy warnings, mutated
  inputs and changed global NumPy state.
- ``ValueExercise``: the learner gives a value (a number, a shape, a multiple-choice letter), usually as a
  function returning it; it is compared with the reference's value, which is never printed.
- ``DictExercise``: several such questions at once, a dict {key: answer}; each answer is read (a choice, a
  shape), compared, and the first wrong one is named with the hint that explains it.
- ``PropertyExercise``: the learner's answer must have a property (a truth table holds, a loss falls below
  a bound, statistics lie within a tolerance); the reference must have it too.

Each kind also says how its reference is itself checked (``validate_reference``), against PyTorch, the
course's ``utils`` or known values, so a wrong solution notebook fails a test.
"""

from __future__ import annotations

import copy
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import limits
from .compare import Mismatch, compare, fmt, fmt_pair
from .limits import AnswerTimeout
from .normalise import as_choice
from .reference import load_reference
from .sandbox import CallResult, NumpyState, call_safely, describe_exception
from .stubs import edited_stub
from .verdict import FAILED, NOT_ATTEMPTED, PASSED, Verdict

NOT_ATTEMPTED_TEXT = ("not attempted yet: replace `raise NotImplementedError()` with your code, "
                      "run that cell, then run this one again.")
STILL_RAISING_TEXT = "your function still raises NotImplementedError, so none of your code's results could be checked"
STILL_RAISING_HINT = ("delete the line `raise NotImplementedError()` (and `# YOUR CODE HERE`) that the exercise "
                      "started with: your code is there, but that line still runs; then run both cells again")




class Case:
    """One input of a battery: ``Case("large inputs", x)`` calls ``answer(x)``."""

    def __init__(self, name: str, *args, **kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs

    def __repr__(self) -> str:
        return f"Case({self.name!r})"


@dataclass
class Attempt:
    """Everything a hint may look at after one failing case."""

    case: Case
    expected: Any
    result: CallResult
    mismatch: Mismatch | None = None

    @property
    def got(self):
        return self.result.value

    @property
    def got_array(self) -> np.ndarray | None:
        """``got`` as a float array when it is array-like and numeric, else None."""
        try:
            array = np.asarray(self.result.value, dtype=float)
        except (TypeError, ValueError):
            return None
        return array if array.shape == np.shape(self.expected) else None

    @property
    def x(self):
        """The first argument of the case (most exercises take one array)."""
        return self.case.args[0] if self.case.args else None


# What went wrong with a case; a Hint names the kind it explains. STRUCTURE: a wrong type, shape or dtype
# (no value-level comparison applies); VALUE: the right structure with wrong numbers.
VALUE, STRUCTURE, WARNING, MUTATION = "value", "structure", "warning", "mutation"
EXCEPTION, STATE = "exception", "state"


@dataclass(frozen=True)
class Hint:
    """A targeted hint: shown when a case fails in the way ``kind`` names and ``when(attempt)`` holds."""

    kind: str
    text: str
    when: Callable[[Attempt], bool] | None = None

    def applies(self, kind: str, attempt: Attempt) -> bool:
        if kind != self.kind:
            return False
        if self.when is None:
            return True
        try:
            with np.errstate(all="ignore"):
                return bool(self.when(attempt))
        except Exception:  # noqa: BLE001 - a hint predicate must never crash the checker
            return False


def _pick_hint(hints: Sequence[Hint], kind: str, attempt: Attempt, default: str | None) -> str | None:
    return next((h.text for h in hints if h.applies(kind, attempt)), default)


GENERIC_HINTS = {
    WARNING: "an intermediate value overflowed or became invalid: rearrange the formula so that, e.g., "
             "np.exp only ever sees numbers ≤ 0",
    MUTATION: "your function changed the array it was given; work on a new array "
              "(e.g. np.maximum(x, 0), x * mask, or x.copy()) so the caller's data stays intact",
    STATE: "a function should not change NumPy's global settings; to silence a warning locally use "
           "`with np.errstate(...)` (better: avoid the overflow), and for randomness use a "
           "np.random.Generator passed in as an argument",
    EXCEPTION: None,
}


TIMEOUT_HINT = (f"the checker stops an answer that runs {limits.FACTOR:g} times as long as the worked solution "
                f"(at least a few seconds, at most {limits.MAX_SECONDS:g} s); check that every loop ends: a `while` "
                "whose condition never changes, or a list that grows while you loop over it, keeps going")
MEMORY_HINT = (f"while being checked an answer may take {limits.MEMORY_BYTES // 2**30} GiB more memory at most: is an "
               "array far larger than the exercise needs (an (N, N) array where (N, D) was meant, a list that keeps "
               "growing in a loop)?")


def number_as_text_hint(value, choices) -> str | None:
    """A hint for a number given as text ("1e-8") where the choices are numbers, else None."""
    if not isinstance(value, str) or not choices or not all(isinstance(c, numbers.Real) for c in choices):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return f"give the number itself, {number:g}, not the text {value!r}: write it without quotes"


def state_hint(changes: Sequence[str]) -> str:
    """The generic hint for changed NumPy settings, naming first what was actually changed (``changes`` as
    ``NumpyState.changes_since`` words them)."""
    advice = []
    if any("random" in c for c in changes):
        advice.append("for random numbers use a np.random.Generator passed in as an argument, rng.normal(...) or "
                      "rng.uniform(...), not np.random.* (NumPy's global generator, shared by all code)")
    if any("seterr" in c for c in changes):
        advice.append("to silence a warning only inside your function use `with np.errstate(...)`, or better, "
                      "avoid the overflow")
    if any("print options" in c for c in changes):
        advice.append("to print with other options only here use `with np.printoptions(...)`")
    return "a function should not change NumPy's global settings: " + "; ".join(advice or [GENERIC_HINTS[STATE]])


@dataclass
class Exercise:
    """Common part: the id (``<chapter slug>.<name>``), the reference's name in its solution cell, hints."""

    id: str
    reference: str
    hints: Sequence[Hint] = field(default_factory=tuple)

    def load(self):
        return load_reference(self.id, self.reference)

    def judge(self, answer) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError

    def validate_reference(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers shared by the kinds --------------------------------------------------------------------
    def _verdict(self, status: str, summary: str, details=(), hint=None, case=None) -> Verdict:
        return Verdict(self.id, status, summary, tuple(details), hint, case)

    def _not_attempted(self, answer=None) -> Verdict:
        """"Not attempted yet" for a stub; for a function whose body has code besides the stub's
        ``raise NotImplementedError()`` (a learner who forgot to delete that line), say so instead."""
        if answer is not None and edited_stub(answer, self.id, self.reference):
            return self._verdict(FAILED, STILL_RAISING_TEXT, hint=STILL_RAISING_HINT)
        return self._verdict(NOT_ATTEMPTED, NOT_ATTEMPTED_TEXT)

    def _value_or_verdict(self, answer) -> tuple[Any, Verdict | None]:
        """(the value, None) for a value answer (the value, or a function of no arguments returning it), or
        (None, the verdict) when it is a stub, raised or returned None."""
        result = call_safely(answer) if callable(answer) else CallResult(value=answer)
        if result.not_implemented:
            return None, self._not_attempted(answer)
        if result.exception is not None:
            return None, self._raised(result.exception, None, None)
        if result.value is None:
            return None, self._verdict(FAILED, "your answer is None", hint="did you forget the `return` statement?")
        return result.value, None

    def _raised(self, exc: BaseException, case: str | None, attempt: Attempt | None, details=()) -> Verdict:
        where = f"case '{case}': " if case else ""
        if isinstance(exc, AnswerTimeout):
            who = "function" if case else "code"
            return self._verdict(FAILED, f"{where}your {who} was {exc}: is there a loop that never ends?", details,
                                 hint=TIMEOUT_HINT, case=case)
        hint = _pick_hint(self.hints, EXCEPTION, attempt, None) if attempt else None
        if hint is None and isinstance(exc, MemoryError):
            hint = MEMORY_HINT
        return self._verdict(FAILED, f"{where}your code raised {describe_exception(exc)}", details, hint=hint,
                             case=case)


@dataclass
class FunctionExercise(Exercise):
    """Compare the learner's function with the reference on every case of ``cases()``.

    cases: a function returning a fresh list of ``Case`` (fresh arrays each time).
    arg_names: names of the positional arguments, used in messages ("input x = ...").
    oracle: an independent implementation (usually PyTorch) the reference must agree with.
    rtol, atol: tolerances of the comparison. allow_warnings: accept NumPy RuntimeWarnings.
    praise: an optional clause added to the one-line pass message.
    """

    cases: Callable[[], list[Case]] = list
    arg_names: tuple[str, ...] = ("x",)
    oracle: Callable | None = None
    rtol: float = 1e-7
    atol: float = 1e-10
    allow_warnings: bool = False
    praise: str = ""

    def judge(self, answer) -> Verdict:
        if not callable(answer):
            name = self.reference
            return self._verdict(FAILED, f"pass your function itself, e.g. check({self.id!r}, {name}), "
                                         f"not {type(answer).__name__} {fmt(answer)[:40]}")
        reference = self.load()
        cases = self.cases()
        for case in cases:
            start = time.perf_counter()
            expected = _call_reference(reference, case)
            seconds = limits.time_limit_for(time.perf_counter() - start)
            result = call_safely(answer, case.args, case.kwargs, self.arg_names, seconds=seconds)
            attempt = Attempt(case, expected, result)
            if result.not_implemented:
                return self._not_attempted(answer)
            if result.exception is not None:
                return self._raised(result.exception, case.name, attempt,
                                    [f"input:    {self._describe_inputs(case)}"])
            if result.state_changes:
                return self._fail(case, attempt, STATE, "your function changed " + ", ".join(result.state_changes)
                                  + " (now restored)", default=state_hint(result.state_changes), show_values=False)
            if result.mutated:
                return self._fail(case, attempt, MUTATION,
                                  f"your function modified its input {', '.join(result.mutated)} in place")
            attempt.mismatch = compare(result.value, expected, self.rtol, self.atol)
            if attempt.mismatch is not None:
                if attempt.mismatch.structural:  # wrong type/shape/dtype: the generic hint says it best
                    return self._fail(case, attempt, STRUCTURE, attempt.mismatch.problem,
                                      default=attempt.mismatch.hint)
                return self._fail(case, attempt, VALUE, attempt.mismatch.problem, default=attempt.mismatch.hint)
            if result.warnings and not self.allow_warnings:
                return self._fail(case, attempt, WARNING,
                                  f"right values, but NumPy warned: {result.warnings[0]}")
        praise = f" {self.praise}" if self.praise else ""
        return self._verdict(PASSED, f"all {len(cases)} cases passed.{praise}")

    def _fail(self, case: Case, attempt: Attempt, kind: str, problem: str, default: str | None = None,
              show_values: bool = True) -> Verdict:
        hint = _pick_hint(self.hints, kind, attempt, default or GENERIC_HINTS.get(kind))
        details = [f"input:    {self._describe_inputs(case)}"]
        if show_values:
            want_text, got_text = fmt_pair(attempt.expected, attempt.got)
            details += [f"expected: {want_text}", f"got:      {got_text}"]
        return self._verdict(FAILED, f"case '{case.name}': {problem}", details, hint, case.name)

    def _describe_inputs(self, case: Case) -> str:
        names = list(self.arg_names) + [f"arg{i}" for i in range(len(self.arg_names), len(case.args))]
        parts = [f"{n} = {fmt(a)}" for n, a in zip(names, case.args)]
        parts += [f"{k} = {fmt(v)}" for k, v in case.kwargs.items()]
        return ", ".join(parts)

    def validate_reference(self) -> list[str]:
        """Problems of the reference: disagreement with the oracle, warnings, mutation of inputs."""
        reference, problems = self.load(), []
        for case in self.cases():
            result = call_safely(reference, case.args, case.kwargs, self.arg_names)
            if result.exception is not None:
                problems.append(f"{case.name}: reference raised {result.exception!r}")
                continue
            if result.warnings or result.mutated or result.state_changes:
                problems.append(f"{case.name}: reference warned/mutated/changed state: "
                                f"{result.warnings + result.mutated + result.state_changes}")
            if self.oracle is not None:
                mismatch = compare(result.value, _call_reference(self.oracle, case), self.rtol, self.atol)
                if mismatch is not None:
                    problems.append(f"{case.name}: reference disagrees with the oracle: {mismatch.problem}")
        return problems


def _call_reference(fn, case: Case):
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    state = NumpyState.capture()
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    finally:
        state.restore()


@dataclass
class ValueExercise(Exercise):
    """Compare a value with the reference's value, never revealing it (several values at once, as a dict:
    ``DictExercise``).

    choices: for multiple choice, the allowed answers (strings compare case-insensitively).
    explain: wrong answer -> a hint saying why it is wrong (without giving the right one).
    oracle: a function of no arguments computing the right value independently (checked by the tests).
    """

    choices: tuple | None = None
    explain: dict = field(default_factory=dict)
    oracle: Callable[[], Any] | None = None
    rtol: float = 1e-7
    atol: float = 1e-10

    def judge(self, answer) -> Verdict:
        got, verdict = self._value_or_verdict(answer)
        if verdict is not None:
            return verdict
        expected = _value_of(self.load())
        if self.choices is not None:
            allowed = [as_choice(c) for c in self.choices]
            if not isinstance(got, (str, numbers.Number)) or as_choice(got) not in allowed:  # an array: no `in`
                return self._verdict(FAILED, f"{fmt(got)} is not one of the choices "
                                             f"{', '.join(fmt(c) for c in self.choices)}",
                                     hint=number_as_text_hint(got, self.choices))
            if as_choice(got) == as_choice(expected):
                return self._verdict(PASSED, f"{fmt(got)} is right.")
            hint = self.explain.get(as_choice(got)) or self.explain.get(got)
            return self._verdict(FAILED, f"{fmt(got)} is not the right answer.", hint=hint)
        mismatch = _value_mismatch(got, expected, self.rtol, self.atol)
        if mismatch is None:
            return self._verdict(PASSED, "right.")
        return self._verdict(FAILED, mismatch, hint=self.explain.get(_hashable(got)))

    def validate_reference(self) -> list[str]:
        expected = _value_of(self.load())
        problems = []
        if self.choices is not None and as_choice(expected) not in [as_choice(c) for c in self.choices]:
            problems.append(f"reference {expected!r} is not among the choices")
        if self.oracle is not None and _value_mismatch(expected, self.oracle(), self.rtol, self.atol):
            problems.append(f"reference {expected!r} disagrees with the oracle {self.oracle()!r}")
        return problems


def _value_of(reference):
    return reference() if callable(reference) else reference




def _hashable(value):
    try:
        hash(value)
        return value
    except TypeError:
        return None


def _value_mismatch(got, expected, rtol: float, atol: float) -> str | None:
    """A message that says what is wrong without printing the expected value."""
    if isinstance(expected, tuple) and all(isinstance(v, numbers.Integral) for v in expected):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{fmt(got)} is not right (expected a tuple of {len(expected)} integers)"
        return None if tuple(got) == expected else f"{fmt(tuple(got))} is not right"
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        if isinstance(got, bool) or not isinstance(got, (numbers.Real, np.ndarray)) or np.size(got) != 1:
            return f"expected a number, got {type(got).__name__}"
        ok = np.isclose(float(np.asarray(got).item()), float(expected), rtol=rtol, atol=atol)
        return None if ok else f"{fmt(float(np.asarray(got).item()))} is not right"
    if isinstance(expected, np.ndarray):
        mismatch = compare(got, expected, rtol, atol)
        return None if mismatch is None else mismatch.problem.split("; first worst")[0]
    return None if got == expected else f"{fmt(got)} is not right"


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
"""In a ``DictExercise``'s ``explain``: (key, ANY) is any wrong answer to that key, (ANY, answer) that answer
to any key."""


@dataclass
class DictExercise(Exercise):
    """Several questions at once: the answer is a dict {key: answer}, usually returned by a function of no
    arguments (as is the reference's). Each answer is read by ``normalise`` and compared with the reference's;
    the first wrong one is named with the hint that explains it. The right answers are never printed.

    choices: the allowed answers, for every key (multiple choice), or None.
    normalise: one answer -> its comparable form, or None when it is not a valid answer (``utils.checks.normalise``:
        ``as_choice`` by default, ``as_shape``, ``as_shape_or_error``).
    what: a valid answer, named in "'key': 7 is not <what>" (with choices: "one of the choices a, b, c").
    invalid_hint: the hint for an answer that is not valid.
    explain: why a wrong answer is wrong, looked up as (key, answer), then (ANY, answer), then (key, ANY).
    default_hint: the hint for a wrong answer that ``explain`` does not cover.
    not_dict_hint, keys_hint: the hints for an answer that is not a dict, or has the wrong keys.
    noun: what the answers are called in messages ("answers", "shapes").
    passed: the summary of a right dict, formatted with ``n`` (the number of keys) and ``noun``.
    oracle: a function of no arguments computing the right dict independently (checked by the tests).
    """

    choices: tuple | None = None
    normalise: Callable[[Any], Any] = as_choice
    what: str | None = None
    invalid_hint: str | None = None
    explain: dict = field(default_factory=dict)
    default_hint: str | None = None
    not_dict_hint: str | None = None
    keys_hint: str | None = "keep the keys exactly as in the exercise cell"
    noun: str = "answers"
    passed: str = "all {n} {noun} are right."
    oracle: Callable[[], dict] | None = None

    def read(self, value):
        """One answer's comparable form, or None when it is not a valid answer."""
        try:
            normalised = self.normalise(value)
            if normalised is not None and self.choices is not None:
                return normalised if normalised in [self.normalise(c) for c in self.choices] else None
        except Exception:  # noqa: BLE001 - an answer NumPy cannot compare (an array...) is not valid
            return None
        return normalised

    def judge(self, answer) -> Verdict:
        got, verdict = self._value_or_verdict(answer)
        if verdict is not None:
            return verdict
        expected = self._expected()
        if not isinstance(got, dict):
            return self._verdict(FAILED, f"expected a dict with the keys {', '.join(map(repr, expected))}, "
                                         f"got {type(got).__name__}", hint=self.not_dict_hint)
        missing, extra = [k for k in expected if k not in got], [k for k in got if k not in expected]
        if missing or extra:
            parts = ([f"missing {', '.join(map(repr, missing))}"] if missing else []) + (
                [f"unexpected {', '.join(map(repr, extra))}"] if extra else [])
            return self._verdict(FAILED, f"the keys are not right: {'; '.join(parts)}", hint=self.keys_hint)
        read = {key: self.read(got[key]) for key in expected}
        for key in expected:
            if read[key] is None:
                return self._verdict(FAILED, f"{key!r}: {fmt(got[key])} is not {self._what()}",
                                     hint=number_as_text_hint(got[key], self.choices) or self.invalid_hint)
        wrong = [key for key in expected if read[key] != expected[key]]
        if not wrong:
            return self._verdict(PASSED, self.passed.format(n=len(expected), noun=self.noun))
        key = wrong[0]
        verb = "is" if len(wrong) == 1 else "are"
        return self._verdict(FAILED, f"{len(wrong)} of {len(expected)} {self.noun} {verb} not right; first: "
                                     f"{key!r} -> {fmt(read[key])}", hint=self._explain(key, read[key]))

    def _what(self) -> str:
        if self.what is not None:
            return self.what
        if self.choices is not None:
            return f"one of the choices {', '.join(fmt(c) for c in self.choices)}"
        return "a valid answer"

    def _explain(self, key, answer) -> str | None:
        for lookup in ((key, answer), (ANY, answer), (key, ANY)):
            try:
                return self.explain[lookup]
            except (KeyError, TypeError):  # not explained, or an unhashable answer
                continue
        return self.default_hint

    def _expected(self) -> dict:
        return {key: self.read(value) for key, value in _value_of(self.load()).items()}

    def validate_reference(self) -> list[str]:
        reference = _value_of(self.load())
        if not isinstance(reference, dict):
            return [f"reference {reference!r} is not a dict"]
        problems = [f"reference answer {key!r}: {value!r} is not {self._what()}"
                    for key, value in reference.items() if self.read(value) is None]
        if self.oracle is not None:
            truth = {key: self.read(value) for key, value in self.oracle().items()}
            if truth != self._expected():
                problems.append(f"reference {reference!r} disagrees with the oracle {self.oracle()!r}")
        return problems


@dataclass
class PropertyExercise(Exercise):
    """The answer must satisfy ``prop(answer)``, which returns None when it holds, else a problem
    string or a (problem, hint) pair. The learner's code runs inside ``prop``: its exceptions become
    verdicts. The reference must satisfy the property too (checked by the tests)."""

    prop: Callable[[Any], Any] = lambda answer: None
    praise: str = ""
    _reference_seconds: float | None = field(default=None, init=False, repr=False, compare=False)

    def judge(self, answer) -> Verdict:
        result = call_safely(self.prop, (answer,), arg_names=("answer",),
                             seconds=limits.time_limit_for(self._reference_seconds))
        if result.timed_out and self._reference_seconds is None:
            # Calibrate only when needed: a property whose reference is slow gives a correct but slow answer more
            # time (FACTOR × the reference), so that answer is run once more with the longer limit.
            self._reference_seconds = self._time_reference()
            if limits.time_limit_for(self._reference_seconds) > result.time_limit:
                result = call_safely(self.prop, (answer,), arg_names=("answer",),
                                     seconds=limits.time_limit_for(self._reference_seconds))
        if result.not_implemented:
            return self._not_attempted(answer)
        if result.exception is not None:
            return self._raised(result.exception, None, None)
        if result.state_changes:
            return self._verdict(FAILED, "your code changed " + ", ".join(result.state_changes) + " (now restored)",
                                 hint=state_hint(result.state_changes))
        if result.value is None:
            praise = f" {self.praise}" if self.praise else ""
            return self._verdict(PASSED, f"the property holds.{praise}")
        problem, hint = result.value if isinstance(result.value, tuple) else (result.value, None)
        return self._verdict(FAILED, str(problem), hint=hint)

    def _time_reference(self) -> float:
        """Seconds the property takes on the reference (its output is not shown)."""
        reference = self.load()
        start = time.perf_counter()
        with limits.CapturedOutput():
            call_safely(self.prop, (reference,), arg_names=("answer",), seconds=3600)
        return time.perf_counter() - start

    def validate_reference(self) -> list[str]:
        outcome = self.prop(self.load())
        return [] if outcome is None else [f"reference fails its own property: {outcome}"]
