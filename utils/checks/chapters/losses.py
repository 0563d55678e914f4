"""Chapter 03 (loss functions): batteries, oracles and hints of its exercises.

- ``losses.mse`` / ``losses.mae``: mean squared and mean absolute error over every element;
- ``losses.huber``: the Huber loss with a threshold δ (mean reduction);
- ``losses.bce``: binary cross-entropy on probabilities with ε-clipping (checked against that formula,
  computed independently by PyTorch on the clipped probabilities, *not* against ``BCELoss``'s clamp);
- ``losses.bce_with_logits``: the stable form on logits, which must survive logits of ±1000;
- ``losses.cross_entropy``: a batch of logits (N, C) with integer labels (N,), mean reduction;
- ``losses.softmax_ce_grad``: d(mean cross-entropy)/d(logits) = (p − t) / N, p = softmax(z), t = onehot(y);
- ``losses.initial_loss``: the loss of an untrained 10-class classifier, ln 10 (a number).

Every reference is compared with PyTorch (``oracle``); every hint names one plausible mistake and is
tested in ``tests/test_checks_losses.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..kinds import EXCEPTION, VALUE, WARNING, Case, FunctionExercise, Hint, ValueExercise
from ..oracles import (
    as_tensor,
    log_softmax,
    one_hot,
    sigmoid,
    softmax,
    softmax_with,
    to_numpy,
    torch_functional,
    torch_gradient,
)
from ..predicates import (
    TIGHT_ATOL,
    TIGHT_RTOL,
    argument,
    not_finite,
    not_one_number,
    raised,
    returned_a_list,
    same_as,
    same_as_any,
    scaled,
)
from ..registry import register

# ---------------------------------------------------------------------------------------------
# Shared by several exercises
# ---------------------------------------------------------------------------------------------
# A mistake is recognised only to ~1e-12: a mistake computed the same way agrees to ~1e-13, and a looser tolerance
# would let a hint claim an answer that is off for a different reason by a hair (log(p + eps) against clipping).
_same_as_exactly = partial(same_as, rtol=TIGHT_RTOL, atol=TIGHT_ATOL)
_same_as_any_exactly = partial(same_as_any, rtol=TIGHT_RTOL, atol=TIGHT_ATOL)


def _n_elements(attempt) -> int:
    return int(np.size(attempt.case.args[0]))


def _n_rows(attempt) -> int:
    return int(np.shape(attempt.case.args[0])[0])


def _summed(count: Callable = _n_elements) -> Callable:
    """A hint predicate: the answer is the expected mean times the number of terms (a sum where a mean was asked)."""
    return lambda attempt: count(attempt) > 1 and scaled(count(attempt))(attempt)


def _log2_or_log10(attempt) -> bool:
    """The answer used log2 or log10: it is the expected value divided by ln 2 or ln 10."""
    return any(scaled(1 / np.log(base))(attempt) for base in (2.0, 10.0))
_SUM_NOT_MEAN = "you summed the losses: the exercise asks for the mean over all elements (np.mean, or the sum / size)"
_RETURN_ONE_NUMBER = ("return one number, the mean over every element (np.mean of the whole array), not one loss "
                      "per element or per row")
_NOT_A_LIST = "return one number (a float, e.g. float(np.mean(...))), not a list"
_NATURAL_LOG = "use the natural logarithm np.log (as PyTorch does), not np.log2 or np.log10"
_XOR = "^ is bitwise XOR in Python (and NumPy), not a power: square with ** 2 (or np.square)"
_IF_ON_AN_ARRAY = ("`if` asks one yes/no question, but e <= delta is an array of answers, one per element: choose "
                   "element by element with np.where(np.abs(e) <= delta, quadratic, linear)")


# ---------------------------------------------------------------------------------------------
# Regression: MSE, MAE, Huber
# ---------------------------------------------------------------------------------------------
CLASSIC_TRUE = np.array([1.0, 2.0, 3.0])
CLASSIC_PRED = np.array([0.9, 1.8, 3.1])


def regression_cases() -> list[Case]:
    """Predictions and targets: the classic numbers, a batch, one element, a perfect fit, huge errors."""
    rng = np.random.default_rng(303)
    return [
        Case("the classic numbers y_pred = [0.9, 1.8, 3.1], y_true = [1, 2, 3]", CLASSIC_PRED.copy(),
             CLASSIC_TRUE.copy()),
        Case("a batch of shape (4, 3)", rng.normal(0.0, 2.0, size=(4, 3)), rng.normal(0.0, 2.0, size=(4, 3))),
        Case("errors of both signs that cancel on average", np.array([1.0, -1.0, 3.0, -3.0]), np.zeros(4)),
        Case("a single element", np.array([2.5]), np.array([-0.5])),
        Case("a perfect fit", np.array([[1.0, -2.0], [0.5, 4.0]]), np.array([[1.0, -2.0], [0.5, 4.0]])),
        Case("large errors (an outlier of 1000)", np.array([0.0, 1.0, 1000.0, -3.0]), np.array([0.5, 1.0, 0.0, -3.5])),
    ]


def _mean_error(y_pred, y_true):
    return np.mean(np.asarray(y_pred) - np.asarray(y_true))


def _mse(y_pred, y_true):
    return np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2)


def _mae(y_pred, y_true):
    return np.mean(np.abs(np.asarray(y_pred) - np.asarray(y_true)))


def _absolute_errors(statistic: Callable) -> Callable:
    """A mistake: ``statistic`` (np.median, np.max) of the absolute errors instead of their mean."""
    return lambda y_pred, y_true: statistic(np.abs(np.subtract(y_pred, y_true, dtype=float)))


def _row_sums_then_mean(loss: Callable) -> Callable:
    def mistake(y_pred, y_true):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        return np.mean(np.sum(loss(e), axis=-1)) if e.ndim > 1 else np.nan

    return mistake


register(
    FunctionExercise(
        id="losses.mse",
        reference="mse",
        arg_names=("y_pred", "y_true"),
        cases=regression_cases,
        oracle=torch_functional("mse_loss", n_tensors=2),
        hints=(
            Hint(VALUE, _SUM_NOT_MEAN, _summed()),
            Hint(VALUE, "square the errors before averaging: with plain differences, positive and negative "
                        "errors cancel", _same_as_exactly(_mean_error)),
            Hint(VALUE, "that is the mean *absolute* error; the MSE squares each error: (y_pred − y_true)²",
                 _same_as_exactly(_mae)),
            Hint(VALUE, "that is the root of the MSE (RMSE): leave out the square root",
                 _same_as_exactly(lambda a, b: np.sqrt(_mse(a, b)))),
            Hint(VALUE, "that squares the mean error, np.mean(e)**2, where errors of both signs cancel first: square "
                        "each error, then average, np.mean(e**2)",
                 _same_as_exactly(lambda a, b: _mean_error(a, b) ** 2)),
            Hint(VALUE, "y_pred² − y_true² is not the squared error: square the difference, (y_pred − y_true)²",
                 _same_as_exactly(lambda a, b: np.mean(np.square(a) - np.square(b)))),
            Hint(VALUE, "PyTorch's MSELoss (and this exercise) has no factor ½: mean((y_pred − y_true)²)",
                 scaled(0.5, rtol=1e-5)),
            Hint(VALUE, "you summed each row and averaged the rows: the MSE averages over every element",
                 _same_as_exactly(_row_sums_then_mean(np.square))),
            Hint(VALUE, _RETURN_ONE_NUMBER, not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(EXCEPTION, _XOR, raised("bitwise_xor")),
        ),
    ),
    FunctionExercise(
        id="losses.mae",
        reference="mae",
        arg_names=("y_pred", "y_true"),
        cases=regression_cases,
        oracle=torch_functional("l1_loss", n_tensors=2),
        hints=(
            Hint(VALUE, _SUM_NOT_MEAN, _summed()),
            Hint(VALUE, "take the absolute value of each error, |y_pred − y_true|, before averaging: without it (or "
                        "with |y_pred| − |y_true|, the absolute values taken separately) positive and negative errors "
                        "cancel",
                 _same_as_any_exactly([_mean_error, lambda p, t: np.mean(np.abs(p) - np.abs(t))])),
            Hint(VALUE, "take the absolute value of each error, not of their mean",
                 _same_as_exactly(lambda a, b: np.abs(_mean_error(a, b)))),
            Hint(VALUE, "that is the mean *squared* error; the MAE averages |y_pred − y_true|", _same_as_exactly(_mse)),
            Hint(VALUE, "that is the median of the absolute errors; the MAE is their mean, np.mean (the median is "
                        "the constant that *minimises* the MAE, not the MAE itself)",
                 lambda a: _n_elements(a) > 2 and _same_as_exactly(_absolute_errors(np.median))(a)),
            Hint(VALUE, "that is the largest absolute error; the MAE is the mean of all of them",
                 lambda a: _n_elements(a) > 1 and _same_as_exactly(_absolute_errors(np.max))(a)),
            Hint(VALUE, "you summed each row and averaged the rows: the MAE averages over every element",
                 _same_as_exactly(_row_sums_then_mean(np.abs))),
            Hint(VALUE, _RETURN_ONE_NUMBER, not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(EXCEPTION, _XOR, raised("bitwise_xor")),
        ),
    ),
)


def huber_cases() -> list[Case]:
    """Errors below, at and above δ, for δ = 1 (the default), 0.5 and 2, and a huge outlier."""
    rng = np.random.default_rng(304)
    errors = np.array([-3.0, -1.0, -0.4, 0.0, 0.3, 1.0, 2.5])
    return [
        Case("errors from -3 to 2.5 with the default δ = 1", errors.copy(), np.zeros(7)),
        Case("the classic numbers (all errors < δ)", CLASSIC_PRED.copy(), CLASSIC_TRUE.copy()),
        Case("a batch (4, 3) with δ = 0.5", rng.normal(0.0, 2.0, size=(4, 3)), rng.normal(0.0, 2.0, size=(4, 3)),
             delta=0.5),
        Case("errors from -3 to 2.5 with δ = 2", errors.copy() + 1.0, np.ones(7), delta=2.0),
        Case("errors exactly at ±δ = ±0.5", np.array([0.5, -0.5, 1.5]), np.array([0.0, 0.0, 1.0]), delta=0.5),
        Case("an outlier of 1000 with δ = 1.5", np.array([0.0, 1.0, 1000.0]), np.array([0.2, 0.0, 0.0]), delta=1.5),
    ]


def _huber_variant(quadratic: Callable, linear: Callable, fixed_delta: float | None = None) -> Callable:
    def mistake(y_pred, y_true, delta=1.0):
        d = delta if fixed_delta is None else fixed_delta
        a = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
        return np.mean(np.where(a <= d, quadratic(a, d), linear(a, d)))

    return mistake


_HALF_SQUARE, _LINEAR = (lambda a, d: 0.5 * a**2), (lambda a, d: d * (a - 0.5 * d))
# Smooth L1's branches: ½e²/δ and |e| − ½δ. A learner who mixes the two losses takes one branch from each.
_SMOOTH_QUADRATIC, _SMOOTH_LINEAR = (lambda a, d: 0.5 * a**2 / d), (lambda a, d: a - 0.5 * d)


def _huber_signed(in_test: bool, in_linear: bool) -> Callable:
    """Huber with the signed error e where |e| belongs: in the test |e| <= δ and / or in the linear part."""

    def mistake(y_pred, y_true, delta=1.0):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        test = e if in_test else np.abs(e)
        linear = e if in_linear else np.abs(e)
        return np.mean(np.where(test <= delta, 0.5 * e**2, delta * (linear - 0.5 * delta)))

    return mistake


def _delta(attempt) -> float:
    return argument(attempt, "delta", 2, 1.0)


_HUBER_SIGNED_ERRORS = (_huber_signed(True, True), _huber_signed(False, True), _huber_signed(True, False))

register(
    FunctionExercise(
        id="losses.huber",
        reference="huber",
        arg_names=("y_pred", "y_true", "delta"),
        cases=huber_cases,
        oracle=torch_functional("huber_loss", n_tensors=2),
        hints=(
            Hint(VALUE, "your function ignores its delta argument (it always uses δ = 1)",
                 lambda a: _delta(a) != 1.0 and _same_as_exactly(_huber_variant(_HALF_SQUARE, _LINEAR, 1.0))(a)),
            Hint(VALUE, "that is PyTorch's SmoothL1Loss(beta=δ) (½e²/δ and |e| − ½δ); Huber is δ times it: "
                        "½e² and δ(|e| − ½δ)",
                 lambda a: _delta(a) != 1.0 and _same_as_exactly(_huber_variant(_SMOOTH_QUADRATIC, _SMOOTH_LINEAR))(a)),
            Hint(VALUE, "your linear branch |e| − ½δ is Smooth L1's (slope 1); Huber's is δ·(|e| − ½δ), with slope δ "
                        "beyond δ: multiply it by δ",
                 lambda a: _delta(a) != 1.0 and _same_as_exactly(_huber_variant(_HALF_SQUARE, _SMOOTH_LINEAR))(a)),
            Hint(VALUE, "your quadratic branch ½e²/δ is Smooth L1's; Huber's is ½e², not divided by δ",
                 lambda a: _delta(a) != 1.0 and _same_as_exactly(_huber_variant(_SMOOTH_QUADRATIC, _LINEAR))(a)),
            Hint(VALUE, "the quadratic part is ½·e² (with the ½, so that both pieces have slope δ where they meet)",
                 _same_as_exactly(_huber_variant(lambda a, d: a**2, _LINEAR))),
            Hint(VALUE, "the linear part is δ·(|e| − ½δ): without the − ½δ the two pieces do not meet at |e| = δ",
                 _same_as_exactly(_huber_variant(_HALF_SQUARE, lambda a, d: d * a))),
            Hint(VALUE, "the linear part is δ·(|e| − ½δ) = δ|e| − ½δ²: the offset is ½δ², not ½δ",
                 lambda a: _delta(a) != 1.0
                 and _same_as_exactly(_huber_variant(_HALF_SQUARE, lambda e, d: d * e - 0.5 * d))(a)),
            Hint(VALUE, "that is twice the Huber loss (e² and 2δ|e| − δ²): the quadratic part is ½e², the linear part "
                        "δ(|e| − ½δ)", scaled(2.0)),
            Hint(VALUE, "the branches are swapped: small errors (|e| ≤ δ) are squared, large ones grow linearly",
                 _same_as_exactly(lambda p, t, delta=1.0: np.mean(np.where(
                     np.abs(np.asarray(p) - np.asarray(t)) > delta, _HALF_SQUARE(np.abs(np.asarray(p) - t), delta),
                     _LINEAR(np.abs(np.asarray(p) - t), delta))))),
            Hint(VALUE, "use the absolute error |e| in both the test and the linear part: the loss is symmetric",
                 lambda a: np.any(np.asarray(a.case.args[0]) < np.asarray(a.case.args[1]))
                 and _same_as_any_exactly(_HUBER_SIGNED_ERRORS)(a)),
            Hint(VALUE, _SUM_NOT_MEAN, _summed()),
            Hint(VALUE, _RETURN_ONE_NUMBER, not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(EXCEPTION, _IF_ON_AN_ARRAY, raised("truth value of an array")),
            Hint(EXCEPTION, _XOR, raised("bitwise_xor")),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Binary cross-entropy: on probabilities with ε-clipping, and on logits
# ---------------------------------------------------------------------------------------------
def bce_cases() -> list[Case]:
    """Probabilities p and labels y: the classic numbers, a batch, soft labels, p exactly 0 and 1."""
    rng = np.random.default_rng(305)
    return [
        Case("the classic numbers p = [0.9, 0.2, 0.8], y = [1, 0, 1]", np.array([0.9, 0.2, 0.8]),
             np.array([1.0, 0.0, 1.0])),
        Case("a batch (4, 3)", rng.uniform(0.01, 0.99, size=(4, 3)), (rng.uniform(size=(4, 3)) < 0.5).astype(float)),
        Case("soft labels", np.array([0.3, 0.6, 0.9]), np.array([0.25, 0.5, 1.0])),
        Case("p = 0 with y = 1 (confidently wrong)", np.array([0.0, 0.5, 0.9]), np.array([1.0, 1.0, 1.0])),
        Case("p = 1 with y = 0 (confidently wrong)", np.array([1.0, 0.5, 0.1]), np.array([0.0, 0.0, 0.0])),
        Case("perfect predictions p = y in {0, 1}", np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])),
        Case("p = 0 and 1 with eps = 1e-15", np.array([0.0, 1.0, 0.7]), np.array([1.0, 0.0, 1.0]), eps=1e-15),
    ]


def _has_0_or_1(attempt) -> bool:
    p = np.asarray(attempt.x, dtype=float)
    return bool(np.any((p == 0) | (p == 1)))


def _bce_with(log_p: Callable, log_1mp: Callable) -> Callable:
    def mistake(p, y, eps=1e-7):
        p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
        return -np.mean(y * log_p(p, eps) + (1 - y) * log_1mp(p, eps))

    return mistake


def _bce_unclipped(p, y):
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _bce_row_sums(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return np.mean(np.sum(losses, axis=-1)) if losses.ndim > 1 else np.nan


def _bce_oracle(p, y, eps=1e-7):
    """Independent: PyTorch's BCE on the clipped probabilities (its −100 clamp never acts there)."""
    import torch.nn.functional as F

    return to_numpy(F.binary_cross_entropy(as_tensor(p).clamp(eps, 1 - eps), as_tensor(y)))


def _torch_clamped_bce(p, y, eps=None):
    """PyTorch's BCELoss as it is (each log clamped at −100): right for the library, not for this exercise."""
    return torch_functional("binary_cross_entropy", n_tensors=2)(p, y)


register(
    FunctionExercise(
        id="losses.bce",
        reference="bce",
        arg_names=("p", "y", "eps"),
        cases=bce_cases,
        oracle=_bce_oracle,
        praise="It survives p = 0 and p = 1.",
        hints=(
            Hint(VALUE, "clip both ends: log(1 − p) needs p ≤ 1 − eps just as log(p) needs p ≥ eps",
                 lambda a: not_finite(a) and a.case.name.startswith("p = 1")),
            Hint(VALUE, "np.log(0) is −inf: clip p into [eps, 1 − eps] (np.clip) before taking any log",
                 not_finite),
            Hint(VALUE, "clip p itself into [eps, 1 − eps] before both logs (np.clip(p, eps, 1 - eps)): guarding "
                        "each log's argument on its own (e.g. log(max(1 − p, eps))) gives 0 instead of "
                        "−log(1 − eps) for a perfect prediction",
                 lambda a: _has_0_or_1(a) and _same_as_exactly(_bce_with(lambda p, e: np.log(np.maximum(p, e)),
                                                                 lambda p, e: np.log(np.maximum(1 - p, e))))(a)),
            Hint(VALUE, "that is PyTorch's BCELoss, which clamps each log at −100; this exercise asks for "
                        "ε-clipping: log(clip(p, eps, 1 − eps))",
                 lambda a: _has_0_or_1(a) and _same_as_exactly(_torch_clamped_bce)(a)),
            Hint(VALUE, "adding eps inside the log (log(p + eps), log(1 − p + eps)) is not clipping: at p = 1 it "
                        "gives log(1 + eps) > 0, a negative loss; clip p into [eps, 1 − eps] instead",
                 _same_as_exactly(_bce_with(lambda p, e: np.log(p + e), lambda p, e: np.log(1 - p + e)))),
            Hint(VALUE, "your function ignores its eps argument (it always uses 1e-7)",
                 lambda a: argument(a, "eps", 2, 1e-7) != 1e-7
                 and _same_as_exactly(lambda p, y, eps=1e-7: _bce_oracle(p, y, 1e-7))(a)),
            Hint(VALUE, "the loss is −[y·log p + (1 − y)·log(1 − p)]: don't forget the minus sign (a loss ≥ 0)",
                 scaled(-1.0, rtol=1e-5)),
            Hint(VALUE, "the arguments are (p, y): predicted probabilities first, labels second",
                 _same_as_exactly(lambda p, y, eps=1e-7: _bce_oracle(y, p, eps))),
            Hint(VALUE, "the loss has two terms, −[y·log p + (1 − y)·log(1 − p)]: the (1 − y)·log(1 − p) term is "
                        "what an example with label 0 costs",
                 _same_as_exactly(_bce_with(lambda p, e: np.log(np.clip(p, e, 1 - e)), lambda p, e: 0.0 * p))),
            Hint(VALUE, "the second term is (1 − y)·log(1 − p): without the (1 − y), an example with label 1 pays "
                        "log(1 − p) as well",
                 _same_as_exactly(lambda p, y, eps=1e-7: -np.mean(
                     np.asarray(y) * np.log(np.clip(p, eps, 1 - eps)) + np.log(1 - np.clip(p, eps, 1 - eps))))),
            Hint(VALUE, "clip the probabilities p, not the labels y: p is what goes into the logs",
                 _same_as_exactly(lambda p, y, eps=1e-7: _bce_unclipped(p, np.clip(y, eps, 1 - eps)))),
            Hint(VALUE, _NATURAL_LOG, _log2_or_log10),
            Hint(VALUE, "you summed each row and averaged the rows: the mean runs over every element",
                 _same_as_exactly(_bce_row_sums)),
            Hint(VALUE, _SUM_NOT_MEAN, _summed()),
            Hint(VALUE, _RETURN_ONE_NUMBER, not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(WARNING, "np.log(0) warned (divide by zero) even if you later fix the value: clip p into "
                          "[eps, 1 − eps] before taking the log"),
        ),
    ),
)


def bce_logit_cases() -> list[Case]:
    """Logits z and labels y: log-odds of the classic numbers, a batch, z = 0, |z| of 40 and 1000."""
    rng = np.random.default_rng(306)
    p = np.array([0.9, 0.2, 0.8])
    return [
        Case("the classic numbers as logits z = log(p / (1 − p)), y = [1, 0, 1]", np.log(p / (1 - p)),
             np.array([1.0, 0.0, 1.0])),
        Case("a batch (4, 3)", rng.normal(0.0, 3.0, size=(4, 3)), (rng.uniform(size=(4, 3)) < 0.5).astype(float)),
        Case("z = 0 (p = ½) with both labels", np.zeros(2), np.array([0.0, 1.0])),
        Case("soft labels", np.array([-2.0, 0.5, 3.0]), np.array([0.1, 0.5, 0.8])),
        Case("logits ±40 (σ(40) rounds to exactly 1.0)", np.array([40.0, -40.0, 40.0, -40.0]),
             np.array([0.0, 1.0, 1.0, 0.0])),
        Case("logits ±1000, right and wrong", np.array([1000.0, -1000.0, 1000.0, -1000.0]),
             np.array([1.0, 0.0, 0.0, 1.0])),
    ]


def _bce_logits_with(first: Callable, last: Callable) -> Callable:
    """The stable formula first(z, 0) − z·y + last(z), with a slip in its first term (np.minimum for np.maximum)
    or its last (log(1 + e^(−z)) for log(1 + e^(−|z|)))."""

    def mistake(z, y):
        z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
        return np.mean(first(z, 0.0) - z * y + last(z))

    return mistake


def _sigmoid_then_clipped_bce(z, y, eps=1e-7):
    p = np.clip(sigmoid(z), eps, 1 - eps)
    y = np.asarray(y, dtype=float)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


register(
    FunctionExercise(
        id="losses.bce_with_logits",
        reference="bce_with_logits",
        arg_names=("z", "y"),
        cases=bce_logit_cases,
        oracle=torch_functional("binary_cross_entropy_with_logits", n_tensors=2),
        praise="Stable at logits of ±1000.",
        hints=(
            Hint(VALUE, "np.exp overflowed (e^(−z) for z = −1000 is inf): write log(1 + e^(−z)) as "
                        "max(−z, 0) + log(1 + e^(−|z|)), so that np.exp only sees −|z|",
                 lambda a: not_finite(a) and any("overflow" in w for w in a.result.warnings)),
            Hint(VALUE, "clipping σ(z) caps the loss at −log ε ≈ 16, but a logit of −1000 with y = 1 costs 1000: "
                        "never go through σ(z); use max(z, 0) − z·y + log(1 + e^(−|z|))",
                 _same_as_any_exactly([lambda z, y, eps=eps: _sigmoid_then_clipped_bce(z, y, eps)
                              for eps in (1e-7, 1e-12, 1e-15, 1e-8)])),
            Hint(VALUE, "σ(z) rounds to exactly 0 or 1 for |z| ≳ 37, and log(0) = −inf: don't take the log of "
                        "σ(z); rewrite the loss as max(z, 0) − z·y + log(1 + e^(−|z|))", not_finite),
            Hint(VALUE, "max(−z, 0) + log(1 + e^(−|z|)) is log(1 + e^(−z)), which goes with (1 − y)·z, not − z·y: "
                        "the loss is max(z, 0) − z·y + log(1 + e^(−|z|)) = (1 − y)·z + log(1 + e^(−z))",
                 _same_as_exactly(lambda z, y: np.mean(np.maximum(-np.asarray(z), 0) - np.asarray(z) * y
                                               + np.log1p(np.exp(-np.abs(z)))))),
            Hint(VALUE, "the last term is log(1 + e^(−|z|)), with the absolute value: max(z, 0) + log(1 + e^(−|z|)) "
                        "equals log(1 + e^z) for every z, while log(1 + e^(−z)) only matches it for z ≥ 0",
                 _same_as_exactly(_bce_logits_with(np.maximum, lambda z: np.log1p(np.exp(-z))))),
            Hint(VALUE, "the last term is log(1 + e^(−|z|)), with a minus sign in the exponent: e^(+|z|) overflows "
                        "and counts |z| twice",
                 _same_as_exactly(_bce_logits_with(np.maximum, lambda z: np.log1p(np.exp(np.abs(z)))))),
            Hint(VALUE, "the first term is max(z, 0): for z > 0, log(1 + e^z) ≈ z, which max(z, 0) supplies",
                 _same_as_exactly(_bce_logits_with(np.minimum, lambda z: np.log1p(np.exp(-np.abs(z)))))),
            Hint(VALUE, "the loss is max(z, 0) − z·y + log(1 + e^(−|z|)): check the sign of the z·y term",
                 _same_as_exactly(lambda z, y: np.mean(np.maximum(z, 0) + np.asarray(z) * y
                                               + np.log1p(np.exp(-np.abs(z)))))),
            Hint(VALUE, _SUM_NOT_MEAN, _summed()),
            Hint(VALUE, _RETURN_ONE_NUMBER, not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(WARNING, "np.exp overflowed (e^(−z) for z = −1000): write log(1 + e^(−z)) as "
                          "max(−z, 0) + log(1 + e^(−|z|)), so that np.exp only sees −|z|"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Cross-entropy from logits with integer labels, and its gradient
# ---------------------------------------------------------------------------------------------
CLASSIC_PROBS = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]])


def ce_cases() -> list[Case]:
    """Logits (N, C) and labels (N,): N = C and N ≠ C (so one-hot/index mix-ups show), extremes, and rows far
    apart (so subtracting the whole array's maximum instead of each row's shows)."""
    rng = np.random.default_rng(307)
    return [
        Case("the classic numbers: logits log(p) for the 3 × 3 table, labels [0, 1, 2]", np.log(CLASSIC_PROBS),
             np.array([0, 1, 2])),
        Case("a batch of 5 examples, 4 classes", rng.normal(0.0, 2.0, size=(5, 4)), np.array([3, 0, 0, 2, 1])),
        Case("one example of 3 classes", np.array([[2.0, 1.0, 0.1]]), np.array([0])),
        Case("6 examples, 3 classes, some labels repeated", rng.normal(0.0, 2.0, size=(6, 3)),
             np.array([2, 2, 0, 1, 2, 0])),
        Case("all-zero logits for 10 classes", np.zeros((4, 10)), np.array([0, 3, 9, 5])),
        Case("logits ±1000", np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]]),
             np.array([0, 1, 2])),
        Case("rows on very different scales (one row's logits all near −1000)",
             np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [0.0, 5.0, -5.0], [2.0, -1.0, 0.5]]),
             np.array([0, 2, 1, 0])),
    ]


def _pick(log_p, labels):
    return log_p[np.arange(len(labels)), labels]


def _ce_variant(log_probs: Callable, combine: Callable) -> Callable:
    def mistake(logits, labels):
        return combine(log_probs(np.asarray(logits, dtype=float)), np.asarray(labels))

    return mistake


def _ce_oracle(logits, labels):
    import torch
    import torch.nn.functional as F

    return to_numpy(F.cross_entropy(as_tensor(logits), torch.as_tensor(labels)))


def _log_softmax_slip(max_axis, sum_axis, keep_max: bool = True, keep_sum: bool = True) -> Callable:
    """log-softmax with the maximum and the sum taken along the given axes (``oracles.softmax_with``)."""
    return lambda z: softmax_with(z, max_axis, sum_axis, keep_max, keep_sum, log=True)


def _ce_with(log_probs: Callable) -> Callable:
    return _ce_variant(log_probs, lambda lp, y: -np.mean(_pick(lp, y)))


def _ce_slips(slips) -> Callable:
    """A hint predicate: the answer is the cross-entropy with one of these slips in its log-softmax's axes."""
    return _same_as_any_exactly([_ce_with(_log_softmax_slip(*slip)) for slip in slips])


# which slip of the axes gives the answer: (max axis, sum axis, keepdims of the max, keepdims of the sum)
_WRONG_AXIS_SLIPS = [(0, 0), (1, 0)]
_BATCH_SLIPS = [(None, None), (1, None), (0, None)]
_GLOBAL_MAX_SLIPS = [(None, 1), (0, 1)]
_KEEPDIMS_SLIPS = [(1, 1, False, True), (1, 1, True, False), (1, 1, False, False)]


def _clipped_log_softmax(eps: float) -> Callable:
    return lambda z: np.log(np.clip(softmax(z), eps, 1.0))


_CLIP_EPSILONS = (1e-7, 1e-8, 1e-10, 1e-12, 1e-15)


def _shapes_n_by_c_and_n_by_n(attempt) -> bool:
    """The exception names shapes (N, C) and (N, N): a one-hot matrix built with np.eye(N) instead of np.eye(C)."""
    n, c = np.shape(attempt.case.args[0])
    text = str(attempt.result.exception).replace(" ", "")
    return f"({n},{c})" in text and f"({n},{n})" in text


_ONE_HOT_CONFUSION = ("labels are class indices (0, 1, 2, …), not one-hot rows: pick each row's log-probability "
                      "of its true class with log_p[np.arange(N), labels]")
_WRONG_AXIS = ("softmax and log-softmax run over the classes, i.e. along each row (axis=1), not down the batch "
               "(axis=0)")
_WHOLE_BATCH = ("softmax normalises each row on its own: sum the exponentials along the classes "
                "(axis=1, keepdims=True), not over the whole batch, so that every row of probabilities sums to 1")
_ROW_MAXIMUM = ("subtract each row's own maximum, z.max(axis=1, keepdims=True), not the maximum of the whole array "
                "(or of each column): a row far below it underflows to all zeros, and log 0 = −inf")
_KEEPDIMS = ("without keepdims=True the N row maxima (or sums), of shape (N,), line up with the columns instead of "
             "the rows: use z.max(axis=1, keepdims=True) and .sum(axis=1, keepdims=True), of shape (N, 1)")
_EYE_OF_N = ("np.eye(N)[labels] has one column per example, (N, N): the one-hot matrix has one column per class, "
             "np.eye(C)[labels] with C = logits.shape[1]")
_BROADCAST = ("an (N, C) and an (N,) array did not broadcast: labels are class indices, not one-hot rows (pick "
              "each row's log-probability with log_p[np.arange(N), labels]), and reductions over the classes need "
              "keepdims=True (z.max(axis=1, keepdims=True)) so that each row's maximum and sum stay (N, 1)")

register(
    FunctionExercise(
        id="losses.cross_entropy",
        reference="cross_entropy",
        arg_names=("logits", "labels"),
        cases=ce_cases,
        oracle=_ce_oracle,
        praise="Stable at ±1000, one label per row.",
        hints=(
            Hint(VALUE, _ONE_HOT_CONFUSION,
                 _same_as_exactly(_ce_variant(log_softmax, lambda lp, y: -np.mean(np.sum(y * lp, axis=1))))),
            Hint(VALUE, "log_p[:, labels] picks the labelled columns for every row (an N × N array), log_p[labels] "
                        "whole rows: use log_p[np.arange(N), labels], one entry per row",
                 _same_as_any_exactly([_ce_variant(log_softmax, lambda lp, y: -np.mean(lp[:, y])),
                                       _ce_variant(log_softmax, lambda lp, y: -np.mean(lp[y]))])),
            Hint(VALUE, "np.take(log_p, labels) indexes the flattened array (the first row's entries): use "
                        "log_p[np.arange(N), labels], one entry per row",
                 _same_as_exactly(_ce_variant(log_softmax, lambda lp, y: -np.mean(np.take(lp, y))))),
            Hint(VALUE, _WRONG_AXIS, _ce_slips(_WRONG_AXIS_SLIPS)),
            Hint(VALUE, _WHOLE_BATCH, _ce_slips(_BATCH_SLIPS)),
            Hint(VALUE, _KEEPDIMS, _ce_slips(_KEEPDIMS_SLIPS)),
            Hint(VALUE, _ROW_MAXIMUM, _ce_slips(_GLOBAL_MAX_SLIPS)),
            Hint(VALUE, "logits are not log-probabilities: turn them into log-probabilities with log-softmax, "
                        "z − m − log Σ e^(z − m), before picking the true class",
                 _same_as_exactly(_ce_with(lambda z: z))),
            Hint(VALUE, "clipping the probabilities caps each loss at −log ε, but a true class whose logit is 2000 "
                        "below the best costs 2000: compute log-softmax directly instead of log(clip(softmax))",
                 _same_as_any_exactly([_ce_with(_clipped_log_softmax(eps)) for eps in _CLIP_EPSILONS])),
            Hint(VALUE, "e^1000 overflowed to inf, so log Σ e^z is inf: subtract each row's maximum m first, "
                        "log-softmax = z − m − log Σ e^(z − m) (the same value, exactly)",
                 lambda a: any("overflow" in w for w in a.result.warnings)
                 and _same_as_exactly(_ce_with(lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True))))(a)),
            Hint(VALUE, "np.log of a softmax that underflowed to 0 is −inf (and e^1000 is inf): compute "
                        "log-softmax directly, z − m − log Σ e^(z − m) with m the row's maximum",
                 lambda a: not_finite(a) and np.abs(np.asarray(a.x)).max() > 700),
            Hint(VALUE, "the loss is −log p of the true class: check the sign",
                 scaled(-1.0, rtol=1e-5)),
            Hint(VALUE, "you summed over the batch: the mean reduction divides by the number of examples N",
                 _summed(_n_rows)),
            Hint(VALUE, "you averaged over all N × C entries; average the N per-example losses instead",
                 lambda a: np.shape(a.x)[1] > 1 and scaled(1 / np.shape(a.x)[1], rtol=1e-5)(a)),
            Hint(VALUE, _NATURAL_LOG, _log2_or_log10),
            Hint(VALUE, "return one number, the mean over the examples, not one loss per example", not_one_number),
            Hint(VALUE, _NOT_A_LIST, returned_a_list),
            Hint(WARNING, "np.exp overflowed or np.log saw a 0: subtract each row's maximum before exponentiating, "
                          "and take log-softmax directly instead of np.log(softmax)"),
            Hint(EXCEPTION, _EYE_OF_N, lambda a: raised("broadcast")(a) and _shapes_n_by_c_and_n_by_n(a)),
            Hint(EXCEPTION, _BROADCAST, raised("broadcast", unless=("labels",))),
            Hint(EXCEPTION, "index with integer arrays: labels are class indices (np.arange(N), labels)",
                 raised(error=IndexError)),
        ),
    ),
)


def ce_grad_cases() -> list[Case]:
    return [c for c in ce_cases() if not c.name.startswith("all-zero")]


def _ce_grad_oracle(logits, labels):
    import torch
    import torch.nn.functional as F

    return torch_gradient(F.cross_entropy, logits, torch.as_tensor(labels))


def _grad_variant(fn: Callable) -> Callable:
    def mistake(logits, labels):
        z = np.asarray(logits, dtype=float)
        return fn(z, np.asarray(labels), z.shape[0], z.shape[1])

    return mistake


def _grad_with(slipped_log_softmax: Callable) -> Callable:
    """(softmax − onehot) / N with the softmax computed as exp(slipped_log_softmax(z)) (a slip in its axes)."""
    return _grad_variant(lambda z, y, n, c: (np.exp(slipped_log_softmax(z)) - one_hot(y, c)) / n)


def _grad_with_probabilities(max_axis, sum_axis, keep_max: bool = True, keep_sum: bool = True) -> Callable:
    """The same slips made in probability space, e / e.sum(...), where 0 / 0 gives NaN."""
    return _grad_variant(lambda z, y, n, c: (softmax_with(z, max_axis, sum_axis, keep_max, keep_sum) - one_hot(y, c))
                         / n)


def _subtract_one_at(p: np.ndarray, index) -> np.ndarray:
    """``p[index] -= 1`` as a learner writes it (a repeated index subtracts once), on a copy."""
    p = p.copy()
    p[index] -= 1.0
    return p


def _grad_slips(slips) -> Callable:
    return _same_as_any_exactly([f(*slip) for slip in slips
                        for f in (lambda *slip: _grad_with(_log_softmax_slip(*slip)), _grad_with_probabilities)])


register(
    FunctionExercise(
        id="losses.softmax_ce_grad",
        reference="softmax_ce_grad",
        arg_names=("logits", "labels"),
        cases=ce_grad_cases,
        oracle=_ce_grad_oracle,
        praise="(p − t) / N, as autograd says.",
        hints=(
            Hint(VALUE, "the loss is the mean over N examples, so divide (p − t) by N",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: softmax(z) - one_hot(y, c)))),
            Hint(VALUE, "check the sign: the gradient is p − t (raising the true class's logit lowers the loss)",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (one_hot(y, c) - softmax(z)) / n))),
            Hint(VALUE, _WRONG_AXIS,
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (softmax(z, axis=0) - one_hot(y, c)) / n))),
            Hint(VALUE, _WHOLE_BATCH, _grad_slips(_BATCH_SLIPS)),
            Hint(VALUE, _KEEPDIMS, _grad_slips(_KEEPDIMS_SLIPS)),
            Hint(VALUE, _ROW_MAXIMUM, _grad_slips(_GLOBAL_MAX_SLIPS)),
            Hint(VALUE, "divide by N, the number of examples (rows), not by C, the number of classes",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (softmax(z) - one_hot(y, c)) / c))),
            Hint(VALUE, "the mean runs over the N examples only: divide by N, not by N × C",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (softmax(z) - one_hot(y, c)) / (n * c)))),
            Hint(VALUE, "np.exp(1000) is inf, and inf / inf is NaN: subtract each row's maximum before exponentiating",
                 lambda a: not_finite(a) and np.abs(np.asarray(a.x)).max() > 700),
            Hint(VALUE, "subtract 1 only at each row's true class: t is the one-hot matrix of the labels, "
                        "not the labels themselves",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (softmax(z) - y[:, None]) / n))),
            Hint(VALUE, "p − labels broadcasts the label vector across every row instead of marking each row's "
                        "true class: build the one-hot matrix t (N, C) first, e.g. np.eye(C)[labels]",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (softmax(z) - y[None, :]) / n))),
            Hint(VALUE, "that is ∂L/∂p, the gradient with respect to the probabilities; through the softmax, "
                        "the gradient with respect to the logits z becomes (p − t) / N",
                 lambda a: _same_as_exactly(_grad_variant(
                     lambda z, y, n, c: -one_hot(y, c) / softmax(z) / n))(a)),
            Hint(VALUE, "that is (p − t) without the softmax: turn the logits into probabilities first",
                 _same_as_exactly(_grad_variant(lambda z, y, n, c: (z - one_hot(y, c)) / n))),
            Hint(VALUE, "p[labels] -= 1 subtracts 1 from whole rows (those numbered by the labels), p[:, labels] -= 1 "
                        "from whole columns: subtract it at one entry per row, p[np.arange(N), labels] -= 1",
                 _same_as_any_exactly([_grad_variant(lambda z, y, n, c, at=at: _subtract_one_at(softmax(z), at(y)) / n)
                                       for at in (lambda y: y, lambda y: np.s_[:, y])])),  # p[labels], p[:, labels]
            Hint(WARNING, "np.exp overflowed: subtract each row's maximum before exponentiating"),
            Hint(EXCEPTION, _EYE_OF_N, lambda a: raised("broadcast")(a) and _shapes_n_by_c_and_n_by_n(a)),
            Hint(EXCEPTION, "an (N, C) and an (N,) array did not broadcast: build the one-hot matrix t (N, C) first "
                            "(e.g. np.eye(C)[labels]), and reduce over the classes with keepdims=True so that each "
                            "row's maximum and sum stay (N, 1)",
                 raised("broadcast")),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# A number: the loss of an untrained classifier
# ---------------------------------------------------------------------------------------------
def _initial_loss_oracle() -> float:
    """Mean cross-entropy of all-zero logits over 10 classes, by the course's CrossEntropyLoss."""
    from utils.losses import cross_entropy

    return cross_entropy(np.zeros((10, 10)), np.arange(10))


class _NearbyExplanations(dict):
    """``explain`` for a number, looked up to the exercise's tolerance: np.log(0.1) (−2.3025850929940455) and a
    rounded −2.3 get the hint of −ln 10 (−2.302585092994046), which an exact dictionary lookup would miss."""

    def __init__(self, explanations: dict, rtol: float):
        super().__init__(explanations)
        self.rtol = rtol

    def get(self, answer, default=None):
        try:
            x = float(answer)
        except (TypeError, ValueError):
            return default
        for value, text in self.items():
            if np.isclose(x, value, rtol=self.rtol, atol=0.0):
                return text
        return default


_INITIAL_LOSS_RTOL = 2e-3  # 2.3 and 2.303 are both fine

register(
    ValueExercise(
        id="losses.initial_loss",
        reference="initial_loss",
        oracle=_initial_loss_oracle,
        rtol=_INITIAL_LOSS_RTOL,
        explain=_NearbyExplanations({
            0.1: "0.1 is the probability the model gives the true class; the loss is −ln of it",
            1.0: "that is log₁₀ 10: the losses here (and PyTorch's) use the natural logarithm, ln",
            -1.0: "that is −log₁₀ 10 with the sign of a log-probability: the loss is −ln p, positive",
            float(np.log2(10)): "that is log₂ 10: the losses here (and PyTorch's) use the natural logarithm, ln",
            0.0: "a loss of 0 needs probability 1 on the true class; an untrained model spreads it evenly",
            -float(np.log(10)): "the sign is flipped: that is ln p = ln(1/10), the log-probability; the loss is −ln p, "
                                "a positive number",
            10.0: "the loss is −ln p with p = 1/10, not the number of classes",
            0.9: "the loss is −ln p, not 1 − p",
            float(np.log(10)) / 10: "that divides by the 10 classes: cross-entropy is −ln p of the true class alone "
                                    "(the mean runs over examples, and every example here costs the same)",
            10 * float(np.log(10)): "that adds −ln(1/10) over all 10 classes: cross-entropy counts only the true "
                                    "class, −ln p",
        }, rtol=_INITIAL_LOSS_RTOL),
    ),
)
