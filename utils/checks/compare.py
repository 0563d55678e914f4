"""Compare a learner's result with the expected one and say what is wrong in learner's terms."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mismatch:
    """Why ``got`` is not ``expected``: a one-line ``problem`` and a generic ``hint`` (or None)."""

    problem: str
    hint: str | None = None
    structural: bool = False  # wrong type, shape or dtype: no value-level hint applies


MAX_CHARS = 400
"""The longest text ``fmt`` gives for one value: a verdict stays a few lines whatever it describes."""


def fmt(value) -> str:
    """A short, stable text for an array, a scalar or a container of them (independent of the learner's print
    options, and never longer than ``MAX_CHARS``): a dict of arrays shows each array's shape."""
    text = _fmt(value, top=True)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def fmt_pair(expected, got) -> tuple[str, str]:
    """``fmt`` of an expected and a got value in one number format: when either needs scientific notation
    (a number below 1e-4 or from 1e5 up), both get it, so 4.4763e-309 is never set beside a plain 0."""
    pair = [_float_array(v) for v in (expected, got)]
    if any(a is None for a in pair):
        return fmt(expected), fmt(got)
    finite = np.concatenate([a[np.isfinite(a)].ravel() for a in pair])
    magnitudes = np.abs(finite[finite != 0])
    if not magnitudes.size or (magnitudes.min() >= 1e-4 and magnitudes.max() < 1e5):
        texts = fmt(expected), fmt(got)
    else:
        texts = _fmt_scientific(expected), _fmt_scientific(got)
    if texts[0] == texts[1] and pair[0].shape == pair[1].shape and not np.array_equal(*pair, equal_nan=True):
        texts = _fmt_digits(expected), _fmt_digits(got)  # they differ beyond 4 digits: show where
    return texts


def _fmt_digits(value, digits: int = 10) -> str:
    """``value`` with ``digits`` significant digits, for two values that agree in the first four."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        with np.printoptions(formatter={"float_kind": lambda v: f"{v:.{digits}g}"}):
            return fmt(value)
    return f"{float(value):.{digits}g}"


def _float_array(value) -> np.ndarray | None:
    if isinstance(value, bool) or not isinstance(value, (np.ndarray, numbers.Real)):
        return None
    array = np.asarray(value)
    return array.astype(float) if array.dtype.kind == "f" else None


def _fmt_scientific(value) -> str:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        with np.printoptions(formatter={"float_kind": lambda v: f"{v:.4e}"}):
            return fmt(value)
    return f"{float(value):.4e}"


def _fmt(value, top: bool) -> str:
    if isinstance(value, np.ndarray):
        if not top and value.size > 6:
            return f"array of shape {value.shape}"
        options = np.get_printoptions()
        formatter = options.get("formatter")
        with np.printoptions(precision=4, threshold=12, edgeitems=3, suppress=False, linewidth=100,
                             formatter=formatter):
            text = np.array2string(value, separator=", ")
        text = " ".join(text.split())
        return text if value.ndim <= 1 and value.size <= 12 else f"{text} (shape {value.shape})"
    if isinstance(value, np.floating) or (top and isinstance(value, float)):
        return fmt_number(value)
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"{type(value).__name__} of length {len(value)}"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_fmt(v, top=False) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        items = [f"{k!r}: {_fmt(v, top=False)}" for k, v in list(value.items())[:8]]
        return "{" + ", ".join(items) + (", …" if len(value) > 8 else "") + "}"
    return repr(value)


def fmt_number(x) -> str:
    """A number as a float with 6 significant digits: 2 -> "2", 0.1 + 0.2 -> "0.3"."""
    return f"{float(x):.6g}"


def fmt_values(x) -> str:
    """An array's numbers on one line, without scientific notation or its shape: "[0.4999, 0., 1.]"."""
    with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=2, linewidth=100):
        return " ".join(np.array2string(np.asarray(x, dtype=float), separator=", ").split())


def worst_entry(got, want, verb: str = "got") -> str:
    """"worst at [i, j]: expected a, got b" for the entry of ``got`` farthest from ``want`` (same shapes)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    index = np.unravel_index(int(np.argmax(np.abs(got - want))), want.shape) if want.ndim else ()
    at = f" at {list(int(i) for i in index)}" if index else ""
    return f"worst{at}: expected {fmt_number(want[index])}, {verb} {fmt_number(got[index])}"


def compare(got, expected, rtol: float = 1e-7, atol: float = 1e-10) -> Mismatch | None:
    """None when ``got`` matches ``expected`` (array, real number, or any other value compared with ==)."""
    if isinstance(expected, np.ndarray):
        return _compare_arrays(got, expected, rtol, atol)
    if isinstance(expected, tuple) and expected and all(isinstance(e, np.ndarray) for e in expected):
        return _compare_array_tuples(got, expected, rtol, atol)
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        return _compare_numbers(got, expected, rtol, atol)
    if got is None and expected is not None:
        return Mismatch("it returned None", "did you forget the `return` statement?", structural=True)
    if got != expected:
        return Mismatch(f"expected {fmt(expected)}, got {fmt(got)}")
    return None


def _compare_array_tuples(got, expected: tuple, rtol: float, atol: float) -> Mismatch | None:
    """Several arrays returned at once, ``return out, dx``: compared one by one, the first mismatch named."""
    n = len(expected)
    if not isinstance(got, (tuple, list)) or len(got) != n:
        return Mismatch(f"expected {n} arrays returned together, got {fmt(got)}",
                        f"return the {n} arrays as a tuple, e.g. `return " + ", ".join(f"a{i}" for i in range(n))
                        + "`", structural=True)
    for i, (g, e) in enumerate(zip(got, expected)):
        mismatch = _compare_arrays(g, e, rtol, atol)
        if mismatch is not None:
            return Mismatch(f"returned array {i + 1} of {n}: {mismatch.problem}", mismatch.hint, mismatch.structural)
    return None


def _compare_arrays(got, expected: np.ndarray, rtol: float, atol: float) -> Mismatch | None:
    if got is None:
        return Mismatch("it returned None", "did you forget the `return` statement?", structural=True)
    if isinstance(got, (list, tuple)):
        return Mismatch(f"it returned a {type(got).__name__}, not a NumPy array",
                        "build the result with NumPy operations on the whole array (no Python loop "
                        "collecting into a list), or wrap it with np.asarray(...)", structural=True)
    if not isinstance(got, (np.ndarray, np.generic, numbers.Number)):
        return Mismatch(f"it returned a {type(got).__name__}, not a NumPy array", structural=True)
    got = np.asarray(got)
    if got.shape != expected.shape:
        hint = None
        if got.size == 1 and expected.size > 1:
            hint = "the result collapsed to one number: did a sum/max run over the whole array instead of one axis?"
        elif got.size == expected.size:
            hint = "same number of values, different shape: check reshapes and transposes"
        else:
            hint = "check which axis your sum/max runs over and whether it keeps that axis (keepdims=True)"
        return Mismatch(f"wrong shape: expected {expected.shape}, got {got.shape}", hint, structural=True)
    if got.dtype.kind not in "biufc":
        return Mismatch(f"it returned an array of dtype {got.dtype}, expected numbers", structural=True)
    if expected.dtype.kind == "f" and got.dtype.kind == "b":
        return Mismatch("it returned booleans (True/False), expected floating-point values",
                        "a comparison like x > 0 gives booleans: convert with .astype(float)", structural=True)
    if expected.dtype.kind == "f" and got.dtype.kind in "iu":
        return Mismatch(f"it returned integers (dtype {got.dtype}), expected floating-point values",
                        "integer arithmetic truncates: make sure the computation happens in floats", structural=True)
    bad_nan = np.isnan(got) & ~np.isnan(expected)
    if bad_nan.any():
        return Mismatch(f"it returned NaN where a number was expected (at {_where(bad_nan)})",
                        "NaN usually comes from inf/inf, inf - inf or 0 * inf: an intermediate value overflowed")
    bad_inf = np.isinf(got) & ~np.isinf(expected)
    if bad_inf.any():
        signs = set(np.sign(got[bad_inf]).tolist())
        which = "inf" if signs == {1.0} else "-inf" if signs == {-1.0} else "inf and -inf"
        hint = ("inf comes from an overflow (np.exp of a large number is inf) or a division by zero"
                if signs == {1.0} else
                "-inf comes from log(0) (a probability that underflowed to 0) or from an overflow with a minus sign")
        return Mismatch(f"it returned {which} where a finite number was expected (at {_where(bad_inf)})", hint)
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        idx = np.unravel_index(np.argmax(np.where(close, 0.0, np.abs(np.nan_to_num(got - expected)) + 1)),
                               got.shape)
        at = "" if got.ndim == 0 else f" at index {tuple(int(i) for i in idx)}"
        want_text, got_text = fmt_pair(expected[idx], got[idx])
        return Mismatch(f"{int((~close).sum())} of {close.size} values differ; first worst{at}: "
                        f"expected {want_text}, got {got_text}")
    return None


def _compare_numbers(got, expected: float, rtol: float, atol: float) -> Mismatch | None:
    if got is None:
        return Mismatch("it returned None", "did you forget the `return` statement?", structural=True)
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        return Mismatch(f"expected a number, got {type(got).__name__} {fmt(got)}")
    if not np.isclose(float(got), float(expected), rtol=rtol, atol=atol):
        want_text, got_text = fmt_pair(float(expected), float(got))
        return Mismatch(f"expected {want_text}, got {got_text}")
    return None


def _where(mask: np.ndarray) -> str:
    if mask.ndim == 0:
        return "the result"
    return "index " + str(tuple(int(i) for i in np.argwhere(mask)[0]))
