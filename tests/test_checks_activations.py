"""Chapter 01's exercises: the checker accepts the reference, calls a stub 'not attempted', and rejects
plausible wrong answers with the hint that names the mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch  # imported here, not inside an answer: a first `import torch` on a busy machine outlasts the time limit

# --- plausible wrong answers, one per mistake a learner makes ---------------------------------------


def sigmoid_sign_flipped(x):
    return 1 / (1 + np.exp(x))


def sigmoid_naive(x):  # right values, but np.exp(1000) overflows with a RuntimeWarning
    return 1 / (1 + np.exp(-x))


def sigmoid_math_exp(x):
    return 1 / (1 + math.exp(-x))


def sigmoid_clipped_wrongly(x):  # "fixes" overflow by clipping the input: wrong for |x| > 20
    x = np.clip(x, -20, 20)
    return 1 / (1 + np.exp(-x))


def sigmoid_of_abs(x):  # the x >= 0 formula everywhere, made "safe" with |x|
    return 1 / (1 + np.exp(-np.abs(x)))


def sigmoid_branches_swapped(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, z / (1 + z), 1 / (1 + z))


def sigmoid_negative_branch_everywhere(x):
    z = np.exp(-np.abs(x))
    return z / (1 + z)


def sigmoid_warning_silenced(x):  # the naive formula, its overflow warning silenced: right values
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def relu_in_place(x):
    np.maximum(x, 0, out=x)
    return x


def relu_mask_assign(x):
    x[x < 0] = 0
    return x


def relu_flipped(x):
    return np.minimum(x, 0)


def relu_np_max(x):
    return np.max(x, 0) if np.ndim(x) else np.maximum(x, 0)


def relu_python_max(x):
    return max(0, x)


def relu_abs(x):
    return np.abs(x)


def tanh_formula(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_is_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh_sigmoid_of_x(x):  # 2σ(x) − 1: the identity with x where it needs 2x
    return 2 / (1 + np.exp(-np.asarray(x, float))) - 1 if np.all(np.abs(x) < 700) else np.tanh(x / 2)


def tanh_sign_lost(x):  # forgets sign(x)
    t = np.exp(-2 * np.abs(x))
    return (1 - t) / (1 + t)


def tanh_returns_list(x):
    return [float(np.tanh(v)) for v in np.ravel(x)]


WRONG = [
    ("activations.sigmoid", sigmoid_sign_flipped, "sign inside the exponent"),
    ("activations.sigmoid", sigmoid_naive, "exp(-|x|)"),
    ("activations.sigmoid", sigmoid_math_exp, "np.exp"),
    ("activations.sigmoid", sigmoid_clipped_wrongly, "clipping the input"),
    ("activations.sigmoid", sigmoid_of_abs, "that is σ(|x|)"),
    ("activations.sigmoid", sigmoid_branches_swapped, "which one goes with x ≥ 0"),
    ("activations.sigmoid", sigmoid_negative_branch_everywhere, "that is σ(−|x|)"),
    ("activations.relu", relu_in_place, "overwrites the caller's array"),
    ("activations.relu", relu_mask_assign, "overwrites the caller's array"),
    ("activations.relu", relu_flipped, "max(-x, 0) or min(x, 0)"),
    ("activations.relu", relu_np_max, "np.max(x, 0) is the maximum along axis 0"),
    ("activations.relu", relu_abs, "that is |x|"),
    ("activations.relu", relu_python_max, "np.maximum"),
    ("activations.tanh", tanh_formula, "overflows"),
    ("activations.tanh", tanh_is_sigmoid, "2σ(2x) - 1"),
    ("activations.tanh", tanh_sigmoid_of_x, "the sigmoid of 2x"),
    ("activations.tanh", tanh_sign_lost, "odd function"),
    ("activations.tanh", tanh_returns_list, "np.asarray"),
]


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh"])
def test_numpy_builtins_pass(verdict_of, name):
    """A learner who reaches for a correct library function is not punished."""
    answers = {"sigmoid": lambda x: 0.5 * (1 + np.tanh(0.5 * np.asarray(x, float))),
               "relu": lambda x: np.where(x > 0, x, 0.0), "tanh": np.tanh}
    assert verdict_of(f"activations.{name}", answers[name]).passed


def test_sigmoid_failure_message_shows_the_failing_case(verdict_of):
    verdict = verdict_of("activations.sigmoid", sigmoid_naive)
    assert verdict.case == "large inputs ±1000"
    assert "overflow encountered in exp" in verdict.summary
    assert any(d.startswith("input:") and "-1000" in d for d in verdict.details)


# --- derivatives ----------------------------------------------------------------------------------------


def _sig(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, float)))


def sigmoid_derivative_plus(x):
    return _sig(x) * (1 + _sig(x))


def sigmoid_derivative_output_form(x):  # s(1 - s) applied to the input as if it were σ(x)
    return x * (1 - x)


def sigmoid_derivative_naive(x):  # right values, overflow warning at -1000
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


def sigmoid_derivative_is_sigmoid(x):
    return _sig(x)


def tanh_derivative_output_form(x):
    return 1 - x**2


def tanh_derivative_unsquared(x):
    return 1 - np.tanh(x)


def tanh_derivative_sigmoid_pattern(x):  # s(1 − s), copied from the sigmoid
    t = np.tanh(x)
    return t * (1 - t)


def tanh_derivative_cosh(x):  # 1 / cosh²: right values, but np.cosh(1000) overflows
    return 1 / np.cosh(x) ** 2


def sigmoid_derivative_one_minus(x):
    return 1 - _sig(x)


def relu_derivative_sign(x):
    return np.sign(x)


def relu_derivative_at_zero_one(x):
    return (x >= 0).astype(float)


def relu_derivative_is_relu(x):
    return np.maximum(x, 0)


def relu_derivative_bool(x):
    return x > 0


def relu_derivative_flipped(x):
    return (x < 0).astype(float)


# --- parametric ReLUs -----------------------------------------------------------------------------------


def leaky_slope_on_positive(x, negative_slope=0.01):
    return np.where(x > 0, negative_slope * x, x)


def leaky_constant(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope)


def leaky_ignores_slope(x, negative_slope=0.01):
    return np.where(x > 0, x, 0.01 * x)


def leaky_in_place(x, negative_slope=0.01):
    x[x < 0] *= negative_slope
    return x


def elu_overflowing_where(x, alpha=1.0):  # np.where evaluates np.exp(1000): right values, a warning
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def elu_without_alpha(x, alpha=1.0):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def elu_without_minus_one(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)))


def elu_negative_everywhere(x, alpha=1.0):
    return alpha * np.expm1(np.minimum(x, 0)) + np.minimum(x, 0) * 0 + np.where(x > 0, 2 * x, 0)


# --- softmax family -------------------------------------------------------------------------------------


def softmax_naive(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_wrong_axis(x):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_global_max(x):
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)


def softmax_whole_array(x):  # a widespread bug (Chapter 02 shows it): one distribution over the whole batch
    e = np.exp(x - x.max())
    return e / e.sum()


def softmax_no_keepdims(x):
    e = np.exp(x - x.max(axis=-1))
    return e / e.sum(axis=-1)


def softmax_axis0_naive(x):  # over axis 0, without the max: a column per distribution
    e = np.exp(x)
    return e / e.sum(axis=0)


def softmax_whole_array_naive(x):  # one distribution over every entry
    return np.exp(x) / np.sum(np.exp(x))


def softmax_torch_dim0(x):
    return torch.softmax(torch.as_tensor(x, dtype=torch.float64), dim=0).numpy()


def softmax_max_axis0(x):  # the max over axis 0, the sum over the rows
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_sum_axis0(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_axis1(x):  # fine for a batch (N, C), but a vector has no axis 1
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_not_normalised(x):
    return np.exp(x - x.max(axis=-1, keepdims=True))


def temperature_multiplied(logits, T):
    z = np.asarray(logits) * T
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def temperature_ignored(logits, T):
    z = np.asarray(logits)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def temperature_naive(logits, T):
    e = np.exp(np.asarray(logits) / T)
    return e / e.sum(axis=-1, keepdims=True)


def temperature_whole_array(logits, T):
    z = np.asarray(logits) / T
    e = np.exp(z - z.max())
    return e / e.sum()


def temperature_shift_before_divide_wrong_axis(logits, T):
    z = np.asarray(logits) / T
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax_via_log(x):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.log(e / e.sum(axis=-1, keepdims=True))


def log_softmax_naive(x):
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def log_softmax_axis0(x):
    shifted = x - x.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def log_softmax_whole_array(x):
    shifted = x - x.max()
    return shifted - np.log(np.exp(shifted).sum())


def log_softmax_shift_inside_only(x):  # m subtracted inside the log-sum, not from x
    m = x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def log_softmax_no_log(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.exp(shifted).sum(axis=-1, keepdims=True)


def log_softmax_returns_probabilities(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


WRONG_MORE = [
    ("activations.sigmoid_derivative", sigmoid_derivative_plus, "σ(x)(1 + σ(x))"),
    ("activations.sigmoid_derivative", sigmoid_derivative_output_form, "takes the input x"),
    ("activations.sigmoid_derivative", sigmoid_derivative_naive, "overflows"),
    ("activations.sigmoid_derivative", sigmoid_derivative_is_sigmoid, "σ(x) itself"),
    ("activations.sigmoid_derivative", sigmoid_derivative_one_minus, "that is 1 − σ(x)"),
    ("activations.tanh_derivative", tanh_derivative_output_form, "1 − x²"),
    ("activations.tanh_derivative", tanh_derivative_unsquared, "square the tanh"),
    ("activations.tanh_derivative", tanh_derivative_sigmoid_pattern, "the sigmoid's pattern"),
    ("activations.tanh_derivative", tanh_derivative_cosh, "np.cosh(x) overflows"),
    ("activations.relu_derivative", relu_derivative_at_zero_one, "ReLU′(0) = 0"),
    ("activations.relu_derivative", relu_derivative_is_relu, "ReLU itself"),
    ("activations.relu_derivative", relu_derivative_bool, ".astype(float)"),
    ("activations.relu_derivative", relu_derivative_flipped, "not the other way round"),
    ("activations.relu_derivative", relu_derivative_sign, "np.sign gives −1"),
    ("activations.leaky_relu", leaky_slope_on_positive, "negative inputs only"),
    ("activations.leaky_relu", leaky_constant, "not the constant"),
    ("activations.leaky_relu", leaky_ignores_slope, "ignores its negative_slope"),
    ("activations.leaky_relu", leaky_in_place, "not in place"),
    ("activations.elu", elu_overflowing_where, "np.minimum(x, 0)"),
    ("activations.elu", elu_without_alpha, "ignores alpha"),
    ("activations.elu", elu_without_minus_one, "'− 1'"),
    ("activations.elu", elu_negative_everywhere, "positive inputs pass through"),
    ("activations.softmax", softmax_naive, "subtract the row's maximum"),
    ("activations.softmax", softmax_wrong_axis, "softmax over axis 0, down each column"),
    ("activations.softmax", softmax_axis0_naive, "softmax over axis 0, down each column"),
    ("activations.softmax", softmax_torch_dim0, "softmax over axis 0, down each column"),
    ("activations.softmax", softmax_global_max, "each row's own maximum"),
    ("activations.softmax", softmax_whole_array, "one softmax over the whole array"),
    ("activations.softmax", softmax_whole_array_naive, "one softmax over the whole array"),
    ("activations.softmax", softmax_no_keepdims, "keepdims=True"),
    ("activations.softmax", softmax_max_axis0, "your max runs over axis 0"),
    ("activations.softmax", softmax_sum_axis0, "your sum runs over axis 0"),
    ("activations.softmax", softmax_axis1, "axis=1 does not exist"),
    ("activations.softmax", softmax_not_normalised, "divide by each row's sum"),
    ("activations.softmax_temperature", temperature_multiplied, "don't multiply"),
    ("activations.softmax_temperature", temperature_ignored, "does not depend on T"),
    ("activations.softmax_temperature", temperature_naive, "subtract the row's maximum"),
    ("activations.softmax_temperature", temperature_shift_before_divide_wrong_axis, "softmax over axis 0"),
    ("activations.softmax_temperature", temperature_whole_array, "one softmax over the whole array"),
    ("activations.log_softmax", log_softmax_via_log, "np.log(softmax(x))"),
    ("activations.log_softmax", log_softmax_naive, "subtract the row's maximum"),
    ("activations.log_softmax", log_softmax_returns_probabilities, "take the log"),
    ("activations.log_softmax", log_softmax_axis0, "softmax over axis 0"),
    ("activations.log_softmax", log_softmax_whole_array, "one softmax over the whole array"),
    ("activations.log_softmax", log_softmax_shift_inside_only, "but not from x itself"),
    ("activations.log_softmax", log_softmax_no_log, "take the log of the sum"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG + WRONG_MORE,
                         ids=[w[1].__name__ for w in WRONG + WRONG_MORE])
def test_wrong_answer_is_rejected_with_the_right_hint(verdict_of, exercise_id, answer, hint):
    """hint None: a mistake with no specific hint; it must still be rejected."""
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


# --- the checked choices ------------------------------------------------------------------------------


def test_a_silenced_warning_is_praised_only_for_its_values(verdict_of):
    """The checker cannot see a warning silenced inside the answer: it praises the values at ±1000, and claims
    nothing about how they were computed."""
    verdict = verdict_of("activations.sigmoid", sigmoid_warning_silenced)
    assert verdict.passed
    assert "values are right at ±1000" in verdict.summary and "stable" not in verdict.render().lower()


@pytest.mark.parametrize("letter, hint", [("a", "largest probability"), ("c", "scaling, not a shift"),
                                          ("d", "keeps the order")])
def test_wrong_temperature_choice_explains_why(verdict_of, letter, hint):
    verdict = verdict_of("activations.temperature_effect", lambda: letter)
    assert verdict.status == "failed" and hint in verdict.hint
    assert "'b'" not in verdict.render()  # the right answer is never revealed


def test_temperature_choice_accepts_case_and_rejects_nonsense(verdict_of):
    assert verdict_of("activations.temperature_effect", lambda: " B ").passed
    assert "not one of the choices" in verdict_of("activations.temperature_effect", lambda: "e").summary


RIGHT_OUTPUTS = {"spam_filter": "sigmoid", "digit_recognizer": "softmax", "price_change": "identity"}


@pytest.mark.parametrize("task, choice, hint", [
    ("spam_filter", "softmax", "always exactly 1"),
    ("digit_recognizer", "sigmoid", "need not sum to 1"),
    ("price_change", "relu", "negative change"),
    ("price_change", "sigmoid", "(0, 1)"),
    ("digit_recognizer", "relu", "must sum to 1"),
    ("digit_recognizer", "identity", "raw scores (logits)"),
    ("digit_recognizer", "tanh", "need not sum to 1"),
])
def test_wrong_output_activation_names_the_task(verdict_of, task, choice, hint):
    verdict = verdict_of("activations.output_activation", lambda: {**RIGHT_OUTPUTS, task: choice})
    assert verdict.status == "failed"
    assert repr(task) in verdict.summary and hint in verdict.hint
    for right in set(RIGHT_OUTPUTS.values()) - {choice}:
        assert right not in verdict.render()


@pytest.mark.parametrize("answer, problem", [
    (lambda: "sigmoid", "expected a dict"),
    (lambda: {"spam_filter": "sigmoid"}, "missing"),
    (lambda: {**RIGHT_OUTPUTS, "extra": "relu"}, "unexpected"),
    (lambda: {**RIGHT_OUTPUTS, "price_change": "linear"}, "not one of the choices"),
    (lambda: None, "None"),
])
def test_malformed_output_activation_answers(verdict_of, answer, problem):
    verdict = verdict_of("activations.output_activation", answer)
    assert verdict.status == "failed" and problem in verdict.summary, verdict.render()
