"""Run a learner's function once, safely: catch its exception, its NumPy warnings, changes to its inputs
and to NumPy's global state (which is then restored), and stop it when it runs too long or takes too much
memory (``limits.py``), so a broken answer yields a verdict, not a traceback or a hung kernel.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import limits


@dataclass
class NumpyState:
    """NumPy's process-wide settings a function could change behind the caller's back."""

    errors: dict
    printoptions: dict
    random_state: tuple

    @classmethod
    def capture(cls) -> NumpyState:
        return cls(np.geterr(), np.get_printoptions(), np.random.get_state())

    def restore(self) -> None:
        np.seterr(**self.errors)
        np.set_printoptions(**self.printoptions)
        np.random.set_state(self.random_state)

    def changes_since(self, errors: dict | None = None) -> list[str]:
        """Names of the settings that differ now from this snapshot (``errors``: expected error settings)."""
        now = NumpyState.capture()
        changed = []
        if now.errors != (self.errors if errors is None else errors):
            changed.append("NumPy's error settings (np.seterr)")
        if now.printoptions != self.printoptions:
            changed.append("NumPy's print options (np.set_printoptions)")
        if not _same_random_state(now.random_state, self.random_state):
            changed.append("NumPy's global random state (np.random.seed / np.random.*)")
        return changed


def _same_random_state(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


@dataclass
class CallResult:
    """What happened when the learner's function ran on one case."""

    value: Any = None
    exception: BaseException | None = None
    warnings: list[str] = field(default_factory=list)
    state_changes: list[str] = field(default_factory=list)
    mutated: list[str] = field(default_factory=list)
    timed_out: bool = False
    time_limit: float | None = None

    @property
    def not_implemented(self) -> bool:
        return is_stub_exception(self.exception)


def is_stub_exception(exc: BaseException | None) -> bool:
    """True for the stub's ``raise NotImplementedError()``: a NotImplementedError without a message. A library's
    NotImplementedError has one (PyTorch's "… not implemented for 'Long'" when a loss gets integer labels as its
    input) and is the learner's error, reported like any other exception."""
    return isinstance(exc, NotImplementedError) and not str(exc).strip()


def describe_exception(exc: BaseException) -> str:
    """"TypeError: first line of the message" (or just the type's name when there is no message)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class Raised:
    """What ``run`` returns when the learner's code raised: the exception and its one-line ``text``."""

    def __init__(self, exc: BaseException):
        self.exc = exc

    @property
    def text(self) -> str:
        return describe_exception(self.exc)


def run(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with NumPy's warnings silenced, or a ``Raised`` when it raises.

    For a property that calls the learner's code itself, on objects it must not copy (a layer whose
    ``.grad`` it fills, a graph of Values): no copies, no watching. The stub's NotImplementedError (one without a
    message, ``is_stub_exception``) passes through, so that a stub is "not attempted".
    """
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    except NotImplementedError as exc:
        if is_stub_exception(exc):
            raise
        return Raised(exc)
    except Exception as exc:  # noqa: BLE001 - the learner's exception becomes a verdict
        return Raised(exc)


# Overflow, division by zero and invalid operations warn; underflow to 0 is harmless (exp(-1000) == 0).
_WATCHED = {"divide": "warn", "over": "warn", "invalid": "warn", "under": "ignore"}


def call_safely(fn, args: tuple = (), kwargs: dict | None = None, arg_names: tuple[str, ...] = (),
                seconds: float | None = None) -> CallResult:
    """Call ``fn(*args, **kwargs)`` on copies of the arguments, for at most ``seconds`` (``limits.MIN_SECONDS``
    when None) and with capped memory, and report everything that went wrong. Kernel → Interrupt
    (``KeyboardInterrupt``) passes through, after NumPy's settings are restored."""
    kwargs = kwargs or {}
    pristine = copy.deepcopy((args, kwargs))
    call_args, call_kwargs = copy.deepcopy((args, kwargs))
    before = NumpyState.capture()
    result = CallResult(time_limit=limits.time_limit_for() if seconds is None else seconds)
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(**_WATCHED):
            warnings.simplefilter("always")
            outcome = limits.limited_call(fn, call_args, call_kwargs, seconds=result.time_limit)
            result.value, result.exception, result.timed_out = outcome.value, outcome.exception, outcome.timed_out
            if result.timed_out:  # one wording, whichever timer stopped it
                limit = limits.format_seconds(result.time_limit)
                result.exception = limits.AnswerTimeout(f"still running after {limit} s")
            expected_errors = dict(_WATCHED)
            result.state_changes = before.changes_since(errors=expected_errors)
        result.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    finally:
        before.restore()
    result.mutated = _mutated_arguments(pristine, (call_args, call_kwargs), arg_names)
    return result


def _mutated_arguments(before, after, arg_names: tuple[str, ...]) -> list[str]:
    (args0, kwargs0), (args1, kwargs1) = before, after
    names = [arg_names[i] if i < len(arg_names) else f"argument {i + 1}" for i in range(len(args0))]
    pairs = list(zip(names, args0, args1)) + [(k, kwargs0[k], kwargs1[k]) for k in kwargs0]
    return [name for name, a, b in pairs if not _equal(a, b)]


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - objects whose == is odd: treat as unchanged
        return True


@contextlib.contextmanager
def quiet_torch(seed: int | None = None):
    """A context in which the checker runs PyTorch code: one CPU thread (results independent of the machine's cores)
    and PyTorch's global random state as it was after (``seed``: seeded inside, so that a learner's network is built
    with the same initial weights at every check). Yields the ``torch`` module."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            yield torch
    finally:
        torch.set_num_threads(threads)
