"""Chapter 01 (activation functions): batteries, oracles and hints of its exercises."""

from __future__ import annotations

import numpy as np

from ..kinds import EXCEPTION, MUTATION, VALUE, WARNING, Case, FunctionExercise, Hint
from ..registry import register


def _torch_oracle(name: str):
    """``x -> torch.<name>(x)`` on a float64 tensor, as a NumPy array: the independent check of a reference."""

    def oracle(x):
        import torch

        return getattr(torch, name)(torch.as_tensor(np.asarray(x, dtype=np.float64))).numpy()

    return oracle


def elementwise_cases() -> list[Case]:
    """The battery every element-wise activation is checked on: typical, batch, edge and extreme inputs."""
    rng = np.random.default_rng(2026)
    return [
        Case("five points", np.array([-2.0, -1.0, 0.0, 1.0, 2.0])),
        Case("a batch of shape (4, 3)", rng.normal(0.0, 3.0, size=(4, 3))),
        Case("a single zero", np.array([0.0])),
        Case("a 3-D array (2, 3, 4)", rng.uniform(-6.0, 6.0, size=(2, 3, 4))),
        Case("tiny inputs near 0", np.array([-1e-12, -1e-300, 0.0, 1e-300, 1e-12])),
        Case("large inputs ±1000", np.array([-1000.0, -710.0, -50.0, 50.0, 710.0, 1000.0])),
    ]


def _is_flipped(attempt) -> bool:
    """True when the answer looks like f(-x) or 1 - f(x), i.e. a sign error in the exponent."""
    got = attempt.got_array
    return got is not None and np.allclose(got, 1.0 - attempt.expected, atol=1e-6)


def _bad_only_at_large_inputs(attempt) -> bool:
    """True when the answer is NaN/inf exactly at some inputs of large magnitude (overflow), finite elsewhere."""
    got = attempt.got_array
    if got is None:
        return False
    bad = ~np.isfinite(got)
    return bool(bad.any() and (np.abs(np.asarray(attempt.x, dtype=float))[bad] > 20).all())


_LARGE_INPUT_NAN = Hint(VALUE, "NaN or inf at large |x|: the formula overflows there (np.exp(1000) is inf). "
                               "Rewrite it so np.exp only sees -|x|, or use a NumPy function that is stable.",
                        lambda a: _bad_only_at_large_inputs(a))

register(
    FunctionExercise(
        id="activations.sigmoid",
        reference="sigmoid",
        cases=elementwise_cases,
        oracle=_torch_oracle("sigmoid"),
        praise="It is stable at ±1000.",
        hints=(
            Hint(VALUE, "your values look like 1 / (1 + e^{+x}): check the sign inside the exponent",
                 _is_flipped),
            _LARGE_INPUT_NAN,
            Hint(WARNING, "np.exp(-x) overflows for x ≈ -1000 even though the final value is right. "
                          "Use exp(-|x|): for x ≥ 0, σ(x) = 1 / (1 + e^{-x}); for x < 0, σ(x) = e^{x} / (1 + e^{x})."),
            Hint(EXCEPTION, "math.exp works on one number only: use np.exp for arrays",
                 lambda a: isinstance(a.result.exception, TypeError) and "scalar" in str(a.result.exception)),
        ),
    ),
    FunctionExercise(
        id="activations.relu",
        reference="relu",
        cases=elementwise_cases,
        oracle=_torch_oracle("relu"),
        hints=(
            Hint(MUTATION, "setting x[x < 0] = 0 or np.maximum(x, 0, out=x) overwrites the caller's array: "
                           "return np.maximum(x, 0) (a new array) instead"),
            Hint(VALUE, "negative inputs should give 0 and positive ones pass through unchanged: "
                        "your result looks like max(-x, 0) or min(x, 0)",
                 lambda a: a.got_array is not None and (np.allclose(a.got_array, a.expected - a.x)
                                                        or np.allclose(a.got_array, a.x - a.expected))),
            Hint(VALUE, "ReLU is max(0, x) element by element, not the largest value of the array "
                        "(np.maximum, not np.max)",
                 lambda a: np.asarray(a.got).size == 1 and np.asarray(a.expected).size > 1),
            Hint(EXCEPTION, "Python's max(0, x) compares a whole array with 0: use np.maximum(x, 0)",
                 lambda a: isinstance(a.result.exception, ValueError) and "ambiguous" in str(a.result.exception)),
        ),
    ),
    FunctionExercise(
        id="activations.tanh",
        reference="tanh",
        cases=elementwise_cases,
        oracle=_torch_oracle("tanh"),
        praise="It is stable at ±1000.",
        hints=(
            _LARGE_INPUT_NAN,
            Hint(VALUE, "these are σ(x) values, in (0, 1): tanh lies in (-1, 1); recall tanh(x) = 2σ(2x) - 1",
                 lambda a: a.got_array is not None
                 and np.allclose(a.got_array, 1 / (1 + np.exp(-np.asarray(a.x, dtype=float))))),
            Hint(VALUE, "check the signs: tanh(x) = (e^x - e^-x) / (e^x + e^-x) is an odd function, "
                        "tanh(-x) = -tanh(x)",
                 lambda a: a.got_array is not None and np.allclose(np.abs(a.got_array), np.abs(a.expected))),
            Hint(WARNING, "e^x and e^-x overflow for |x| ≈ 1000 even when the ratio is fine: use e^{-2|x|}, "
                          "e.g. tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}), or NumPy's np.tanh"),
        ),
    ),
)
