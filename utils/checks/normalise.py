"""How one answer of a value or dict exercise is read before it is compared: a choice, a shape.

Each normaliser returns the answer's comparable form, or None when the answer is not of that kind (the
checker then says so instead of calling it wrong).
"""

from __future__ import annotations

import numbers

import numpy as np

ERROR = "error"
"""The answer "NumPy raises" to a shape question."""


def as_choice(value):
    """A multiple-choice answer: strings compare without case or surrounding spaces; other values as they are."""
    return value.strip().lower() if isinstance(value, str) else value


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_shape(value) -> tuple[int, ...] | None:
    """A shape as a tuple of ints: a tuple or list of ints, a 1-D integer array, or one int n for (n,)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if _is_int(value):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        return tuple(int(v) for v in value)
    return None


def as_shape_or_error(value) -> tuple[int, ...] | str | None:
    """A shape (see ``as_shape``), or ``ERROR`` for the string "error" in any case."""
    if isinstance(value, str):
        return ERROR if value.strip().lower() == ERROR else None
    return as_shape(value)


def as_float_array(value, shape) -> np.ndarray | None:
    """``value`` as a float array of ``shape``, or None when it is not one (a dict, a string, None, ragged, another
    shape): the checker then names what the answer is instead of comparing it."""
    if isinstance(value, (dict, str, bytes)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == tuple(shape) else None
