"""Chapter 01's exercises: the checker accepts the reference, calls a stub 'not attempted', and rejects
plausible wrong answers with the hint that names the mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest

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


def tanh_formula(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_is_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh_sign_lost(x):  # forgets sign(x)
    t = np.exp(-2 * np.abs(x))
    return (1 - t) / (1 + t)


def tanh_returns_list(x):
    return [float(np.tanh(v)) for v in np.ravel(x)]


WRONG = [
    ("activations.sigmoid", sigmoid_sign_flipped, "sign inside the exponent"),
    ("activations.sigmoid", sigmoid_naive, "exp(-|x|)"),
    ("activations.sigmoid", sigmoid_math_exp, "np.exp"),
    ("activations.sigmoid", sigmoid_clipped_wrongly, None),
    ("activations.relu", relu_in_place, "overwrites the caller's array"),
    ("activations.relu", relu_mask_assign, "overwrites the caller's array"),
    ("activations.relu", relu_flipped, "max(-x, 0) or min(x, 0)"),
    ("activations.relu", relu_np_max, None),
    ("activations.relu", relu_python_max, "np.maximum"),
    ("activations.tanh", tanh_formula, "overflows"),
    ("activations.tanh", tanh_is_sigmoid, "2σ(2x) - 1"),
    ("activations.tanh", tanh_sign_lost, "odd function"),
    ("activations.tanh", tanh_returns_list, "np.asarray"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[w[1].__name__ for w in WRONG])
def test_wrong_answer_is_rejected_with_the_right_hint(verdict_of, exercise_id, answer, hint):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


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
