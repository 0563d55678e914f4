"""Chapter 00's exercises: the checker accepts the reference, and rejects plausible wrong answers with the hint
that names the mistake (the generic part, stubs and oracles, is tests/test_exercises.py)."""

from __future__ import annotations

import numpy as np
import pytest

from utils.activations import step
from utils.checks import all_exercises
from utils.checks.chapters import foundations as foundation_checks

# --- a dense layer: loops, then @ ---------------------------------------------------------------------


def loops_w_transposed(X, W, b):  # reads W[j, i]: an IndexError unless W is square, wrong values when it is
    Z = np.zeros((X.shape[0], W.shape[0]))
    for n in range(X.shape[0]):
        for i in range(W.shape[0]):
            Z[n, i] = sum(X[n, j] * W[j, i] for j in range(X.shape[1])) + b[i]
    return Z


def loops_no_bias(X, W, b):
    Z = np.zeros((X.shape[0], W.shape[0]))
    for n in range(X.shape[0]):
        for i in range(W.shape[0]):
            Z[n, i] = sum(X[n, j] * W[i, j] for j in range(X.shape[1]))
    return Z


def loops_bias_inside(X, W, b):
    Z = np.zeros((X.shape[0], W.shape[0]))
    for n in range(X.shape[0]):
        for i in range(W.shape[0]):
            for j in range(X.shape[1]):
                Z[n, i] += X[n, j] * W[i, j] + b[i]
    return Z


def loops_bias_of_input(X, W, b):  # b[j] for b[i]: one bias per input, which runs past b's end
    Z = np.zeros((X.shape[0], W.shape[0]))
    for n in range(X.shape[0]):
        for i in range(W.shape[0]):
            for j in range(X.shape[1]):
                Z[n, i] += X[n, j] * W[i, j] + b[j]
    return Z


def loops_list(X, W, b):
    return [[sum(X[n, j] * W[i, j] for j in range(X.shape[1])) + b[i] for i in range(W.shape[0])]
            for n in range(X.shape[0])]


def loops_transposed_result(X, W, b):
    Z = np.zeros((W.shape[0], X.shape[0]))
    for n in range(X.shape[0]):
        for i in range(W.shape[0]):
            Z[i, n] = sum(X[n, j] * W[i, j] for j in range(X.shape[1])) + b[i]
    return Z


def layer_x_at_w(X, W, b):
    return X @ W + b


def layer_wrong_order(X, W, b):  # the column layout applied to a batch
    return W @ X.T + b


def layer_wrong_order_column_bias(X, W, b):
    return W @ X.T + b[:, None]


def layer_column_bias(X, W, b):  # the bias reshaped as a column, as for the W x + b layout
    return X @ W.T + b[:, None]


def layer_no_bias(X, W, b):
    return X @ W.T


def layer_np_dot_unaligned(X, W, b):
    return np.dot(W, X) + b


def layer_elementwise(X, W, b):  # * where @ was meant
    return X * W + b


# --- composing linear maps ------------------------------------------------------------------------------


def compose_wrong_order(W1, W2):
    return W1 @ W2


def compose_transposed(W1, W2):
    return W1.T @ W2.T


def compose_wrong_order_transposed(W1, W2):  # (W1 W2)ᵀ: the (in, out) layout, in the wrong order
    return W2.T @ W1.T


def compose_elementwise(W1, W2):
    return W1 * W2


def compose_sum(W1, W2):
    return W1 + W2


# --- the perceptron -------------------------------------------------------------------------------------


def predict_strict(X, w, b):
    return ((X @ w + b) > 0).astype(float)


def predict_returns_z(X, w, b):
    return X @ w + b


def predict_flipped(X, w, b):
    return np.where(X @ w + b >= 0, 0.0, 1.0)


def predict_no_bias(X, w, b):
    return np.where(X @ w >= 0, 1.0, 0.0)


def predict_sigmoid(X, w, b):
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


def predict_sign(X, w, b):
    return np.sign(X @ w + b)


def predict_plus_minus_one(X, w, b):  # the ±1 labels of some texts
    return np.where(X @ w + b >= 0, 1.0, -1.0)


def predict_bool(X, w, b):
    return X @ w + b >= 0


def predict_if(X, w, b):
    if X @ w + b >= 0:
        return 1.0
    return 0.0


def predict_w_at_x(X, w, b):  # the column layout's order
    return np.where(w @ X + b >= 0, 1.0, 0.0)


def predict_column_w(X, w, b):  # w made a column: one prediction per example, but shape (N, 1)
    return np.where(X @ w[:, None] + b >= 0, 1.0, 0.0)


def _trainer(update: str):
    """A training loop with one planted mistake (or none, for "right")."""

    def train(X, y, lr=0.1, epochs=20, rng=None):
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs):
            for i in rng.permutation(len(X)):
                error = y[i] - float(step(X[i] @ w + b))
                if update == "sign_flipped":
                    w, b = w - lr * error * X[i], b - lr * error
                elif update == "weight_sign_flipped":
                    w, b = w - lr * error * X[i], b + lr * error
                elif update == "bias_sign_flipped":
                    w, b = w + lr * error * X[i], b - lr * error
                elif update == "bias_without_lr":
                    w, b = w + lr * error * X[i], b + error
                elif update == "weights_without_x":
                    w, b = w + lr * error, b + lr * error
                elif update == "target_not_error":  # Hebb's rule: learns even when right
                    w, b = w + lr * y[i] * X[i], b + lr * y[i]
                elif update == "sum_not_prediction":  # the error y − z of the delta rule, with no step
                    linear_error = y[i] - (X[i] @ w + b)
                    w, b = w + lr * linear_error * X[i], b + lr * linear_error
                elif update == "bias_never_updated":
                    w = w + lr * error * X[i]
                elif update == "no_learning_rate":
                    w, b = w + error * X[i], b + error
                elif update == "strict_step_in_training":
                    error = y[i] - float(X[i] @ w + b > 0)
                    w, b = w + lr * error * X[i], b + lr * error
                else:
                    w, b = w + lr * error * X[i], b + lr * error
        return w, b

    return train


def train_one_epoch_only(X, y, lr=0.1, epochs=20, rng=None):
    return _trainer("right")(X, y, lr=lr, epochs=1, rng=rng)


def train_returns_inside_the_epoch_loop(X, y, lr=0.1, epochs=20, rng=None):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for i in rng.permutation(len(X)):
            error = y[i] - float(step(X[i] @ w + b))
            w, b = w + lr * error * X[i], b + lr * error
        return w, b  # one indentation level too deep: returns after the first epoch


def train_returns_weights_only(X, y, lr=0.1, epochs=20, rng=None):
    return _trainer("right")(X, y, lr=lr, epochs=epochs, rng=rng)[0]


WRONG = [
    ("foundations.dense_loops", loops_w_transposed, "W[i, j]"),
    ("foundations.dense_loops", loops_no_bias, "bias is missing"),
    ("foundations.dense_loops", loops_bias_inside, "added once per input"),
    ("foundations.dense_loops", loops_list, "np.zeros((N, out_features))"),
    ("foundations.dense_loops", loops_bias_of_input, "not to input j"),
    ("foundations.dense_loops", loops_transposed_result, "shape (N, out_features)"),
    ("foundations.dense_layer", layer_x_at_w, "X @ W.T"),
    ("foundations.dense_layer", layer_wrong_order, "wrong order"),
    ("foundations.dense_layer", layer_wrong_order_column_bias, "(out_features, N)"),
    ("foundations.dense_layer", layer_no_bias, "bias is missing"),
    ("foundations.dense_layer", layer_column_bias, "made a column"),
    ("foundations.dense_layer", layer_np_dot_unaligned, "X @ W.T"),
    ("foundations.dense_layer", layer_elementwise, "* multiplies entry by entry"),
    ("foundations.compose_linear", compose_wrong_order, "first stands on the right"),
    ("foundations.compose_linear", compose_transposed, "(in, out) layout"),
    ("foundations.compose_linear", compose_wrong_order_transposed, "wrong order and transposed"),
    ("foundations.compose_linear", compose_elementwise, "matrix product (@)"),
    ("foundations.compose_linear", compose_sum, "composing feeds"),
    ("foundations.perceptron_predict", predict_strict, "z >= 0"),
    ("foundations.perceptron_predict", predict_returns_z, "not the sums z"),
    ("foundations.perceptron_predict", predict_flipped, "not the other way round"),
    ("foundations.perceptron_predict", predict_no_bias, "bias is missing"),
    ("foundations.perceptron_predict", predict_sigmoid, "hard step"),
    ("foundations.perceptron_predict", predict_sign, "never −1"),
    ("foundations.perceptron_predict", predict_plus_minus_one, "never −1"),
    ("foundations.perceptron_predict", predict_bool, ".astype(float)"),
    ("foundations.perceptron_predict", predict_if, "element-wise"),
    ("foundations.perceptron_predict", predict_w_at_x, "X @ w, (N, D) @ (D,)"),
    ("foundations.perceptron_predict", predict_column_w, "a column w of shape (D, 1)"),
    ("foundations.perceptron_train", _trainer("sign_flipped"), "sign flipped"),
    ("foundations.perceptron_train", _trainer("bias_never_updated"), "bias never changes"),
    ("foundations.perceptron_train", _trainer("weight_sign_flipped"), "weights' update has its sign flipped"),
    ("foundations.perceptron_train", _trainer("bias_sign_flipped"), "bias's update has its sign flipped"),
    ("foundations.perceptron_train", _trainer("bias_without_lr"), "bias's update forgets the learning rate"),
    ("foundations.perceptron_train", _trainer("weights_without_x"), "forgets the input"),
    ("foundations.perceptron_train", _trainer("target_not_error"), "uses the target y"),
    ("foundations.perceptron_train", _trainer("sum_not_prediction"), "uses the sum z"),
    ("foundations.perceptron_train", train_one_epoch_only, "stops after the first pass"),
    ("foundations.perceptron_train", train_returns_inside_the_epoch_loop, "a `return` inside the epoch loop"),
    ("foundations.perceptron_train", train_returns_weights_only, "return w, b"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG,
                         ids=[f"{w[0].split('.')[1]}-{i}" for i, w in enumerate(WRONG)])
def test_wrong_answer_is_rejected_with_the_right_hint(verdict_of, exercise_id, answer, hint):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    assert verdict.hint is not None and hint in verdict.hint, verdict.render()


def test_the_dense_layer_wrong_order_fails_on_the_chapters_example_first(verdict_of):
    verdict = verdict_of("foundations.dense_layer", layer_wrong_order)
    assert verdict.case == "the example x = [175, 70, 25] as a batch of one"
    assert "wrong shape: expected (1, 2), got (2, 2)" in verdict.summary


def test_a_square_transposed_weight_fails_on_values(verdict_of):
    """With a non-square W the slip raises; the square case is there so that it also fails on values."""
    verdict = verdict_of("foundations.dense_layer", lambda X, W, b: X @ W + b if W.shape[0] == W.shape[1]
                         else X @ W.T + b)
    assert verdict.status == "failed" and verdict.case == "a square W (3, 3), where W and its transpose differ"
    assert "W[j, i]" in verdict.hint


@pytest.mark.parametrize("exercise_id, answer", [
    ("foundations.dense_loops", lambda X, W, b: np.einsum("nj,ij->ni", X, W) + b),
    ("foundations.dense_layer", lambda X, W, b: (W @ X.T).T + b),
    ("foundations.dense_layer", lambda X, W, b: np.dot(X, W.T) + b),
    ("foundations.compose_linear", lambda W1, W2: np.linalg.multi_dot([W2, W1])),
    ("foundations.perceptron_predict", lambda X, w, b: np.heaviside(X @ w + b, 1.0)),
    ("foundations.perceptron_predict", lambda X, w, b: step(X @ w + b)),
])
def test_other_correct_answers_pass(verdict_of, exercise_id, answer):
    assert verdict_of(exercise_id, answer).passed


# --- shapes --------------------------------------------------------------------------------------------

RIGHT_SHAPES = {"X @ W.T + b": (64, 2), "W @ X.T": (2, 64), "Z.sum(axis=1)": (64,),
                "Z.sum(axis=1, keepdims=True)": (64, 1), "Z / Z.sum(axis=1, keepdims=True)": (64, 2),
                "Z / Z.sum(axis=1)": "error"}


def test_the_shape_oracle_is_numpy_itself():
    assert foundation_checks.shape_oracle() == RIGHT_SHAPES


@pytest.mark.parametrize("question, wrong, hint", [
    ("X @ W.T + b", (64, 3), "inner dimensions"),
    ("W @ X.T", (64, 2), "order matters"),
    ("Z.sum(axis=1)", (64, 1), "without keepdims"),
    ("Z.sum(axis=1)", (2,), "one number per row"),
    ("Z.sum(axis=1, keepdims=True)", (64,), "keeps the summed axis"),
    ("Z / Z.sum(axis=1, keepdims=True)", "error", "That broadcasts"),
    ("Z / Z.sum(axis=1)", (64, 2), "neither is 1"),
    ("Z / Z.sum(axis=1)", (3, 3), "apply the rules above"),
])
def test_wrong_shapes_are_named_with_a_hint_and_the_answer_stays_hidden(verdict_of, question, wrong, hint):
    verdict = verdict_of("foundations.shapes", lambda: {**RIGHT_SHAPES, question: wrong})
    assert verdict.status == "failed" and repr(question) in verdict.summary and hint in verdict.hint, verdict.render()
    assert repr(RIGHT_SHAPES[question]) not in verdict.render()


def test_shapes_accept_lists_ints_and_any_case_of_error(verdict_of):
    relaxed = {**RIGHT_SHAPES, "X @ W.T + b": [64, 2], "Z.sum(axis=1)": 64, "Z / Z.sum(axis=1)": " ERROR "}
    assert verdict_of("foundations.shapes", lambda: relaxed).passed


@pytest.mark.parametrize("answer, problem", [
    (lambda: [(64, 2)], "expected a dict with the keys 'X @ W.T + b', "),
    (lambda: {"X @ W.T + b": (64, 2)}, "missing"),
    (lambda: {**RIGHT_SHAPES, "W @ X": (1, 1)}, "unexpected"),
    (lambda: {**RIGHT_SHAPES, "W @ X.T": None}, "is not a shape"),
    (lambda: {**RIGHT_SHAPES, "W @ X.T": "2, 64"}, "is not a shape"),
])
def test_malformed_shape_answers(verdict_of, answer, problem):
    verdict = verdict_of("foundations.shapes", answer)
    assert verdict.status == "failed" and problem in verdict.summary, verdict.render()


def test_a_stub_with_the_template_is_not_attempted(verdict_of):
    """The chapter's own stub (its dict of None, the raise, the unreachable return) is "not attempted"."""
    import linecache

    from tests.notebooks import CHAPTERS, exercise_cells

    chapter = next(p for p in CHAPTERS if p.name == "00_foundations.ipynb")
    source = next(src for eid, _, src in exercise_cells(chapter) if eid == "foundations.shapes")
    linecache.cache["<stub>"] = (len(source), None, source.splitlines(True), "<stub>")
    namespace: dict = {}
    exec(compile(source, "<stub>", "exec"), namespace)
    assert verdict_of("foundations.shapes", namespace["shapes"]).status == "not_attempted"


# --- NAND by hand --------------------------------------------------------------------------------------


@pytest.mark.parametrize("w, b, hint", [
    ([1.0, 1.0], -1.5, "that is AND"),
    ([1.0, 1.0], -0.5, "compute OR"),
    ([-1.0, -1.0], 2.0, "z is exactly 0"),
    ([1.0, 1.0], 1.0, "fires for every input"),
    ([-1.0, -1.0], -0.5, "never fires"),
    ([-1.0, 0.0], 0.5, "except (1, 1)"),  # NOT x1: not one of the named gates
])
def test_wrong_nand_weights_name_what_they_compute(verdict_of, w, b, hint):
    verdict = verdict_of("foundations.nand_weights", lambda: (np.array(w), b))
    assert verdict.status == "failed" and hint in (verdict.hint or ""), verdict.render()
    assert "(1, 1) -> " in verdict.summary  # the outputs of the learner's weights are shown


@pytest.mark.parametrize("w, b", [([-1.0, -1.0], 1.5), ([-2.0, -3.0], 4.0), ([-0.1, -0.1], 0.15)])
def test_any_nand_weights_pass(verdict_of, w, b):
    assert verdict_of("foundations.nand_weights", lambda: (w, b)).passed


@pytest.mark.parametrize("answer, problem", [
    (lambda: np.array([-1.0, -1.0, 1.5]), "return a pair (w, b)"),
    (lambda: (np.array([-1.0, -1.0, 0.0]), 1.5), "shape (2,)"),
    (lambda: (np.array([-1.0, np.nan]), 1.5), "finite"),
    (lambda: ("a", 1.5), "two numbers"),
])
def test_malformed_nand_answers(verdict_of, answer, problem):
    verdict = verdict_of("foundations.nand_weights", answer)
    assert verdict.status == "failed" and problem in verdict.summary, verdict.render()


# --- training ------------------------------------------------------------------------------------------


def test_the_right_trainer_passes_also_in_fixed_order(verdict_of):
    assert verdict_of("foundations.perceptron_train", _trainer("right")).passed

    def fixed_order(X, y, lr=0.1, epochs=20, rng=None):  # ignores the rng: still a correct perceptron
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs):
            for x, target in zip(X, y):
                error = target - float(step(x @ w + b))
                w, b = w + lr * error * x, b + lr * error
        return w, b

    assert verdict_of("foundations.perceptron_train", fixed_order).passed


def test_a_trainer_whose_step_gives_0_at_0_is_told_about_step_0(verdict_of):
    """With step(0) = 0 the first example changes nothing, and lines may end exactly on a point, which the
    course's step(0) = 1 then counts as 1: rejected, with the hint that says what step(0) is."""
    verdict = verdict_of("foundations.perceptron_train", _trainer("strict_step_in_training"))
    assert verdict.status == "failed" and "step(0) = 1" in verdict.hint, verdict.render()


def test_the_sign_flipped_update_never_reaches_100_percent_on_any_gate():
    from utils.data import logic_gate
    from utils.perceptron import score

    for gate in foundation_checks.TRAIN_GATES:
        for seed in range(10):
            w, b = _trainer("sign_flipped")(*logic_gate(gate), lr=0.1, epochs=50, rng=np.random.default_rng(seed))
            assert score(*logic_gate(gate), w, b) < 1.0


def test_the_failure_names_the_gate_and_the_score(verdict_of):
    verdict = verdict_of("foundations.perceptron_train", _trainer("bias_never_updated"))
    assert "on AND, your perceptron gets" in verdict.summary and "of 4 right" in verdict.summary


def test_a_missing_learning_rate_alone_still_learns_the_gates(verdict_of):
    """From w = 0, b = 0 the perceptron is scale-free: without lr every update is 1/lr times larger, and the
    line w·x + b = 0 is the same. So the exercise cannot fail for that alone."""
    assert verdict_of("foundations.perceptron_train", _trainer("no_learning_rate")).passed


def test_a_loop_with_two_mistakes_is_told_the_one_that_makes_it_fail(verdict_of):
    """Without lr the loop would still learn (above); stopping after one epoch is what makes it fail."""
    def no_lr_one_epoch(X, y, lr=0.1, epochs=20, rng=None):
        return _trainer("no_learning_rate")(X, y, lr=lr, epochs=1, rng=rng)

    verdict = verdict_of("foundations.perceptron_train", no_lr_one_epoch)
    assert verdict.status == "failed" and "stops after the first pass" in verdict.hint, verdict.render()


def test_a_failing_loop_without_the_learning_rate_is_told_so(verdict_of):
    def no_lr_first_three_rows(X, y, lr=0.1, epochs=20, rng=None):  # and it never visits the fourth row
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs):
            for i in rng.permutation(min(len(X), 3)):
                error = y[i] - float(step(X[i] @ w + b))
                w, b = w + error * X[i], b + error
        return w, b

    verdict = verdict_of("foundations.perceptron_train", no_lr_first_three_rows)
    assert verdict.status == "failed" and "learning rate is not used" in verdict.hint, verdict.render()


def test_a_loop_that_only_fails_on_the_diagnostic_probe_gets_the_general_hint(verdict_of):
    """The diagnosis trains on one example; a loop that raises there (but not on the gates) gets no false
    diagnosis and no exception: the general hint."""

    def picky(X, y, lr=0.1, epochs=20, rng=None):
        if len(X) == 1:
            raise ValueError("expects the four rows")
        return np.zeros(X.shape[1]), 0.0

    verdict = verdict_of("foundations.perceptron_train", picky)
    assert verdict.status == "failed" and "raised" not in verdict.summary, verdict.render()
    assert verdict.hint.startswith("check the rule"), verdict.render()


def test_an_exception_in_the_learners_loop_is_reported(verdict_of):
    def crashes(X, y, lr=0.1, epochs=20, rng=None):
        return X[10], 0.0

    verdict = verdict_of("foundations.perceptron_train", crashes)
    assert verdict.status == "failed" and "IndexError" in verdict.summary


# --- why not XOR ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("letter, hint", [("a", "not which boundaries"), ("c", "uses no derivative"),
                                          ("d", "whole truth table")])
def test_wrong_xor_choice_explains_why_without_revealing_the_answer(verdict_of, letter, hint):
    verdict = verdict_of("foundations.xor_why", lambda: letter)
    assert verdict.status == "failed" and hint in verdict.hint
    assert "'b'" not in verdict.render() and "linearly separable" not in verdict.render()


def test_xor_choice_accepts_case_and_rejects_nonsense(verdict_of):
    assert verdict_of("foundations.xor_why", lambda: " B ").passed
    assert "not one of the choices" in verdict_of("foundations.xor_why", lambda: "e").summary


def test_the_xor_oracle_rests_on_computed_facts(monkeypatch):
    exercise = all_exercises()["foundations.xor_why"]
    assert exercise.validate_reference() == []
    from utils import perceptron as pc

    monkeypatch.setattr(pc, "linearly_separable", lambda X, y: True)  # if XOR were separable, "b" would be wrong
    assert any("disagrees with the oracle" in p for p in exercise.validate_reference())
