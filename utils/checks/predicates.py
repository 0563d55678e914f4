"""Hint predicates: what a failing attempt looks like, each name with one meaning and explicit tolerances.

A predicate takes an ``Attempt`` (``kinds.py``: ``attempt.got``, ``.expected``, ``.x``, ``.case``,
``.result.exception``) and returns a bool; a factory (``same_as``, ``scaled``, ``raised``) returns such a
predicate. ``Hint.applies`` runs them with NumPy's warnings silenced and treats an exception as False, so a
predicate may assume the shapes it needs.

Tolerances: two results are "the same" when they agree to ``RTOL``/``ATOL`` (1e-6, 1e-9): a mistake
recomputed another way agrees to far better than that, while a different mistake is far off. A chapter
whose mistakes differ by a hair (``log(p + eps)`` against clipping at ``eps``) passes ``TIGHT_RTOL``/
``TIGHT_ATOL``; one whose answers carry a numerical error (central differences) passes a looser pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

RTOL, ATOL = 1e-6, 1e-9
"""The default: "the same numbers" for a mistake computed another way."""

TIGHT_RTOL, TIGHT_ATOL = 1e-9, 1e-12
"""A mistake computed exactly as the learner would: agreement to ~1e-13, so a hair's difference is another mistake."""

Predicate = Callable[..., bool]


def same_values(got, want, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``got`` and ``want`` (arrays, numbers or nested lists) have the same shape and values, NaN where NaN
    and ±inf where ±inf; False when either is not numeric."""
    try:
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))


def close(attempt, values, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """The answer is ``values`` (see ``same_values``)."""
    return same_values(attempt.got, values, rtol, atol)


def same_as(mistake: Callable, rtol: float = RTOL, atol: float = ATOL) -> Predicate:
    """The answer is what ``mistake(*case.args, **case.kwargs)`` computes (False when the mistake raises on
    this case: it does not apply)."""

    def predicate(attempt) -> bool:
        try:
            with np.errstate(all="ignore"):
                wrong = mistake(*attempt.case.args, **attempt.case.kwargs)
        except Exception:  # noqa: BLE001 - the mistake does not apply to this case
            return False
        return same_values(attempt.got, wrong, rtol, atol)

    return predicate


def same_as_any(mistakes: Sequence[Callable], rtol: float = RTOL, atol: float = ATOL) -> Predicate:
    """The answer is what one of ``mistakes`` computes (see ``same_as``)."""
    predicates = [same_as(mistake, rtol, atol) for mistake in mistakes]
    return lambda attempt: any(p(attempt) for p in predicates)


def scaled(factor: float, rtol: float = RTOL, atol: float = 0.0) -> Predicate:
    """The answer is ``factor`` times the expected one (2: twice, -1: the sign flipped, 0.5: half), entry by
    entry to the relative tolerance ``rtol``: where the expected value is 0 any factor fits, so by default
    (``atol`` 0) only an exact 0 matches there, and an answer of 1e-9 where 0 is expected is not "twice" it."""
    return lambda attempt: close(attempt, factor * np.asarray(attempt.expected, dtype=float), rtol, atol)


def right_only_where(attempt, mask, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """The answer is right exactly where ``mask`` is True and wrong somewhere else."""
    got, want, mask = (np.asarray(v) for v in (attempt.got, attempt.expected, mask))
    if got.shape != want.shape or mask.all() or not mask.any():
        return False
    return same_values(got[mask], want[mask], rtol, atol) and not same_values(got[~mask], want[~mask], rtol, atol)


def not_finite(attempt) -> bool:
    """The answer holds NaN or ±inf (False when it is not numeric)."""
    try:
        return not np.isfinite(np.asarray(attempt.got, dtype=float)).all()
    except (TypeError, ValueError):
        return False


def not_finite_only_at_large_inputs(attempt, large: float = 20.0) -> bool:
    """The answer is NaN or ±inf somewhere, and only where |x| > ``large``: a formula that overflows there."""
    got, x = np.asarray(attempt.got, dtype=float), np.asarray(attempt.x, dtype=float)
    bad = ~np.isfinite(got)
    return got.shape == x.shape and bool(bad.any() and (np.abs(x[bad]) > large).all())


def not_one_number(attempt) -> bool:
    """The answer holds more (or fewer) than one number: e.g. one loss per element where their mean was asked."""
    return np.asarray(attempt.got).size != 1


def returned_a_list(attempt) -> bool:
    """The answer is a Python list or tuple (not a NumPy array or a number)."""
    return isinstance(attempt.got, (list, tuple))


def raised(*fragments: str, error: type[BaseException] | None = None, unless: Sequence[str] = ()) -> Predicate:
    """The answer raised (an instance of ``error``, when given) with one of ``fragments`` in its message (any
    message when none is given) and none of ``unless``."""

    def predicate(attempt) -> bool:
        exc = attempt.result.exception
        if exc is None or (error is not None and not isinstance(exc, error)):
            return False
        text = str(exc)
        return (not fragments or any(f in text for f in fragments)) and not any(u in text for u in unless)

    return predicate


def argument(attempt, name: str, position: int, default):
    """The value of the case's argument ``name``: given by keyword, else at ``position``, else ``default``."""
    case = attempt.case
    if name in case.kwargs:
        return case.kwargs[name]
    return case.args[position] if len(case.args) > position else default
