"""Chapter 02's exercises: the checker rejects plausible wrong answers with the hint that names the mistake
(W instead of Wᵀ, a bias along the wrong axis, fan_in and fan_out swapped, softmax over the whole batch, …),
accepts other correct ways of writing the answer, and never reveals the expected value of a value exercise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from utils.activations import relu, sigmoid, softmax

# ---------------------------------------------------------------------------------------------
# 1. dense
# ---------------------------------------------------------------------------------------------


def dense_no_transpose(X, W, b):  # the tutorials' X @ W with a (out, in) weight
    return X @ W + b


def dense_bias_per_row(X, W, b):
    return X @ W.T + b[:, None]


def dense_bias_reshaped(X, W, b):
    return X @ W.T + b.reshape(-1, 1)


def dense_no_bias(X, W, b):
    return X @ W.T


def dense_transposed_result(X, W, b):  # column-vector habit: W x for every column
    return W @ X.T + b[:, None]


def dense_wrong_order(X, W, b):  # Chapter 00's slip: W @ X.T, with b added as it is
    return W @ X.T + b


def dense_elementwise(X, W, b):  # * instead of @
    return X * W + b


def dense_minus_bias(X, W, b):
    return X @ W.T - b


def dense_einsum(X, W, b):  # a correct alternative
    return np.einsum("ni,oi->no", X, W) + b


def dense_loops(X, W, b):  # also correct, only slow
    return np.array([[W[j] @ x + b[j] for j in range(len(W))] for x in X])


# ---------------------------------------------------------------------------------------------
# 2. init_params
# ---------------------------------------------------------------------------------------------


def init_in_out_layout(sizes, rng):  # the tutorials' (in, out)
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.normal(0, 0.01, (sizes[i - 1], sizes[i]))), (f"b{i}", np.zeros(sizes[i])))}


def init_one_layer_short(sizes, rng):
    return {k: v for i in range(1, len(sizes) - 1) for k, v in
            ((f"W{i}", rng.normal(0, 0.01, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_std_one(sizes, rng):
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.normal(0, 1.0, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_variance_as_std(sizes, rng):
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.normal(0, 0.01**2, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_2d_bias(sizes, rng):  # many tutorials' np.zeros((1, n))
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.normal(0, 0.01, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros((1, sizes[i]))))}


def init_global_random(sizes, rng):
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", np.random.randn(sizes[i], sizes[i - 1]) * 0.01), (f"b{i}", np.zeros(sizes[i])))}


def init_fresh_generator(sizes, rng):  # ignores the rng it was given
    own = np.random.default_rng()
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", own.normal(0, 0.01, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_uniform(sizes, rng):
    a = 0.01 * math.sqrt(3)
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.uniform(-a, a, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_random_bias(sizes, rng):
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", rng.normal(0, 0.01, (sizes[i], sizes[i - 1]))), (f"b{i}", rng.normal(0, 0.01, sizes[i])))}


def init_lower_case_keys(sizes, rng):
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"w{i}", rng.normal(0, 0.01, (sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_uniform_zero_one(sizes, rng):  # rng.random is U(0, 1)
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", 0.01 * rng.random((sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


def init_standard_normal_times(sizes, rng):  # a correct alternative
    return {k: v for i in range(1, len(sizes)) for k, v in
            ((f"W{i}", 0.01 * rng.standard_normal((sizes[i], sizes[i - 1]))), (f"b{i}", np.zeros(sizes[i])))}


# ---------------------------------------------------------------------------------------------
# 3. forward
# ---------------------------------------------------------------------------------------------


def _forward(x, params, hidden, output, transpose=True, stop=0):
    a = np.asarray(x, dtype=float)
    n = len(params) // 2 - stop
    for layer in range(1, n + 1):
        W = params[f"W{layer}"]
        a = (hidden if layer < n else output)(a @ (W.T if transpose else W) + params[f"b{layer}"])
    return a


def forward_sigmoid_everywhere(x, params):
    return _forward(x, params, sigmoid, sigmoid)


def forward_no_activation(x, params):
    return _forward(x, params, lambda z: z, lambda z: z)


def forward_no_transpose(x, params):
    return _forward(x, params, sigmoid, lambda z: z, transpose=False)


def forward_stops_early(x, params):
    a = np.asarray(x, dtype=float)
    for layer in range(1, len(params) // 2):  # one layer short
        a = sigmoid(a @ params[f"W{layer}"].T + params[f"b{layer}"])
    return a


def forward_from_zero(x, params):  # keys W0 ... W(L-1)
    a = np.asarray(x, dtype=float)
    n = len(params) // 2
    for layer in range(n):
        a = sigmoid(a @ params[f"W{layer}"].T + params[f"b{layer}"])
    return a


def forward_naive_sigmoid(x, params):  # right values, but overflows in np.exp
    a = np.asarray(x, dtype=float)
    n = len(params) // 2
    for layer in range(1, n + 1):
        z = a @ params[f"W{layer}"].T + params[f"b{layer}"]
        a = 1 / (1 + np.exp(-z)) if layer < n else z
    return a


def forward_swapped_activations(x, params):
    return _forward(x, params, lambda z: z, sigmoid)


def forward_relu_hidden(x, params):  # ReLU out of habit: this network's hidden layers are sigmoid
    return _forward(x, params, relu, lambda z: z)


def forward_softmax_output(x, params):
    return _forward(x, params, sigmoid, lambda z: softmax(z, axis=1))


def forward_tanh_hidden(x, params):
    return _forward(x, params, np.tanh, lambda z: z)


def forward_sigmoid_on_the_input(x, params):  # the input layer treated as a layer with an activation
    return _forward(sigmoid(np.asarray(x, dtype=float)), params, sigmoid, lambda z: z)


def forward_no_bias(x, params):
    a = np.asarray(x, dtype=float)
    n = len(params) // 2
    for layer in range(1, n + 1):
        z = a @ params[f"W{layer}"].T
        a = sigmoid(z) if layer < n else z
    return a


def forward_with_python_loop_per_row(x, params):  # right numbers, but a list of lists instead of an array
    return [forward_with_sequential(row[None, :], params)[0].tolist() for row in np.asarray(x)]


def forward_with_sequential(x, params):  # a correct alternative through utils
    from utils.network import forward

    return forward(x, params)


# ---------------------------------------------------------------------------------------------
# 4-5. Xavier uniform, He normal
# ---------------------------------------------------------------------------------------------


def xavier_lecun(shape, rng):  # what many tutorials call "Xavier"
    return rng.normal(0.0, math.sqrt(1.0 / shape[1]), size=shape)


def xavier_std_as_bound(shape, rng):
    a = math.sqrt(2.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape)


def xavier_fan_in_only(shape, rng):
    a = math.sqrt(6.0 / shape[1])
    return rng.uniform(-a, a, size=shape)


def xavier_no_sqrt(shape, rng):
    a = 6.0 / (shape[0] + shape[1])
    return rng.uniform(-a, a, size=shape)


def xavier_fan_out_only(shape, rng):
    a = math.sqrt(6.0 / shape[0])
    return rng.uniform(-a, a, size=shape)


def xavier_zero_to_a(shape, rng):
    a = math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(0.0, a, size=shape)


def xavier_transposed(shape, rng):
    a = math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape[::-1])


def xavier_normal_instead(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def xavier_missing_parentheses(shape, rng):  # 6 / fan_in + fan_out: / binds tighter than +
    fan_out, fan_in = shape
    a = np.sqrt(6 / fan_in + fan_out)
    return rng.uniform(-a, a, size=shape)


def xavier_sqrt_of_six_only(shape, rng):  # np.sqrt(6) / (fan_in + fan_out)
    a = np.sqrt(6) / (shape[0] + shape[1])
    return rng.uniform(-a, a, size=shape)


def he_global_random(shape, rng):
    return np.random.normal(0.0, math.sqrt(2.0 / shape[1]), size=shape)


def xavier_global_random(shape, rng):
    a = math.sqrt(6.0 / (shape[0] + shape[1]))
    return np.random.uniform(-a, a, size=shape)


def xavier_linear_default(shape, rng):  # nn.Linear's own U(±1/√fan_in)
    a = 1 / math.sqrt(shape[1])
    return rng.uniform(-a, a, size=shape)


def xavier_via_utils(shape, rng):  # a correct alternative
    from utils.init import xavier_uniform

    return xavier_uniform(shape, rng)


def he_fan_out(shape, rng):  # fan_in / fan_out swapped
    return rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)


def he_lecun(shape, rng):
    return rng.normal(0.0, math.sqrt(1.0 / shape[1]), size=shape)


def he_variance_as_std(shape, rng):
    return rng.normal(0.0, 2.0 / shape[1], size=shape)


def he_xavier(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def he_uniform_instead(shape, rng):
    a = math.sqrt(6.0 / shape[1])
    return rng.uniform(-a, a, size=shape)


def he_uniform_bound_as_std(shape, rng):  # He uniform's bound √(6 / fan_in) used as a normal's std
    return rng.normal(0.0, math.sqrt(6.0 / shape[1]), size=shape)


def he_sqrt2_over_fan_in(shape, rng):  # √2 / fan_in instead of √(2 / fan_in)
    return rng.normal(0.0, math.sqrt(2.0) / shape[1], size=shape)


def he_std_as_the_mean(shape, rng):  # rng.normal's first argument is the mean (loc), the scale defaults to 1
    return rng.normal(math.sqrt(2.0 / shape[1]), size=shape)


def he_constant(shape, rng):  # rng.normal(std, 0.0): every value equal to the std
    return rng.normal(math.sqrt(2.0 / shape[1]), 0.0, size=shape)


def he_standard_normal_scaled(shape, rng):  # a correct alternative
    return rng.standard_normal(shape) * math.sqrt(2.0 / shape[1])


# ---------------------------------------------------------------------------------------------
# 8. two_hidden
# ---------------------------------------------------------------------------------------------


def two_hidden_whole_batch_softmax(X, params):  # the bug section 7 shows
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    z = h2 @ params["W3"].T + params["b3"]
    e = np.exp(z - z.max())
    return e / e.sum()


def two_hidden_softmax_axis0(X, params):
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    return softmax(h2 @ params["W3"].T + params["b3"], axis=0)


def two_hidden_missing_second_relu(X, params):
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = h1 @ params["W2"].T + params["b2"]
    return softmax(h2 @ params["W3"].T + params["b3"], axis=1)


def two_hidden_logits(X, params):
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    return h2 @ params["W3"].T + params["b3"]


def two_hidden_no_transpose(X, params):
    h1 = relu(X @ params["W1"] + params["b1"])
    h2 = relu(h1 @ params["W2"] + params["b2"])
    return softmax(h2 @ params["W3"] + params["b3"], axis=1)


def two_hidden_naive_softmax(X, params):  # overflows for the large-logit case
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    e = np.exp(h2 @ params["W3"].T + params["b3"])
    return e / e.sum(axis=1, keepdims=True)


def two_hidden_no_keepdims(X, params):  # z.max(axis=1) without keepdims: a broadcasting error
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    z = h2 @ params["W3"].T + params["b3"]
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1)


def two_hidden_missing_first_relu(X, params):
    h1 = X @ params["W1"].T + params["b1"]
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    return softmax(h2 @ params["W3"].T + params["b3"], axis=1)


def two_hidden_no_relu(X, params):
    h1 = X @ params["W1"].T + params["b1"]
    h2 = h1 @ params["W2"].T + params["b2"]
    return softmax(h2 @ params["W3"].T + params["b3"], axis=1)


def two_hidden_no_bias(X, params):
    h1 = relu(X @ params["W1"].T)
    h2 = relu(h1 @ params["W2"].T)
    return softmax(h2 @ params["W3"].T, axis=1)


def two_hidden_sigmoid_output(X, params):  # the binary-classification habit
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    return sigmoid(h2 @ params["W3"].T + params["b3"])


def init_weights_only(sizes, rng):  # forgot the biases
    return {f"W{i}": rng.normal(0, 0.01, (sizes[i], sizes[i - 1])) for i in range(1, len(sizes))}


def two_hidden_old_network(X, params):  # still the 4 -> 10 -> 3 network's keys
    h1 = relu(X @ params["W1"].T + params["b1"])
    return softmax(h1 @ params["W2"].T + params["b2"], axis=1)


def two_hidden_softmax_everywhere(X, params):
    h1 = softmax(X @ params["W1"].T + params["b1"], axis=1)
    h2 = softmax(h1 @ params["W2"].T + params["b2"], axis=1)
    return softmax(h2 @ params["W3"].T + params["b3"], axis=1)


def two_hidden_log_probabilities(X, params):
    return np.log(two_hidden_via_utils(X, params))


def two_hidden_labels(X, params):  # argmax: one label per flower
    return two_hidden_via_utils(X, params).argmax(axis=1)


def two_hidden_sum_down_the_batch(X, params):  # max per row, but the sum over axis 0
    h1 = relu(X @ params["W1"].T + params["b1"])
    h2 = relu(h1 @ params["W2"].T + params["b2"])
    z = h2 @ params["W3"].T + params["b3"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def two_hidden_via_utils(X, params):  # a correct alternative
    from utils.network import forward

    return forward(X, params, ["relu", "relu", "softmax"])


WRONG = [
    ("forward_pass.dense", dense_no_transpose, "X @ W.T"),
    ("forward_pass.dense", dense_bias_per_row, "wrong axis"),
    ("forward_pass.dense", dense_bias_reshaped, "wrong axis"),
    ("forward_pass.dense", dense_no_bias, "bias is missing"),
    ("forward_pass.dense", dense_transposed_result, "transposed"),
    ("forward_pass.dense", dense_minus_bias, "not subtracted"),
    ("forward_pass.dense", dense_wrong_order, "product in the wrong order"),
    ("forward_pass.dense", dense_elementwise, "entry by entry"),
    ("forward_pass.init_params", init_lower_case_keys, "case-sensitive"),
    ("forward_pass.init_params", init_uniform_zero_one, "U(0, 1)"),
    ("forward_pass.forward", forward_softmax_output, "not even a softmax"),
    ("forward_pass.forward", forward_tanh_hidden, "not tanh"),
    ("forward_pass.forward", forward_sigmoid_on_the_input, "the input layer is the data itself"),
    ("forward_pass.xavier_uniform", xavier_linear_default, "nn.Linear's own default"),
    ("forward_pass.kaiming_normal", he_std_as_the_mean, "takes the mean first"),
    ("forward_pass.kaiming_normal", he_constant, "takes the mean first"),
    ("forward_pass.two_hidden", two_hidden_softmax_everywhere, "output only"),
    ("forward_pass.two_hidden", two_hidden_log_probabilities, "log-probabilities"),
    ("forward_pass.two_hidden", two_hidden_labels, "one label per flower"),
    ("forward_pass.two_hidden", two_hidden_sum_down_the_batch, "sum runs down axis 0"),
    ("forward_pass.init_params", init_in_out_layout, "(out_features, in_features)"),
    ("forward_pass.init_params", init_one_layer_short, "one layer per pair"),
    ("forward_pass.init_params", init_std_one, "scale them by 0.01"),
    ("forward_pass.init_params", init_variance_as_std, "not the variance"),
    ("forward_pass.init_params", init_2d_bias, "1-D array"),
    ("forward_pass.init_params", init_global_random, "global generator"),
    ("forward_pass.init_params", init_fresh_generator, "(the argument)"),
    ("forward_pass.init_params", init_uniform, "normal distribution"),
    ("forward_pass.init_params", init_random_bias, "np.zeros(d_out)"),
    ("forward_pass.forward", forward_sigmoid_everywhere, "hidden layers only"),
    ("forward_pass.forward", forward_no_activation, "after every hidden layer"),
    ("forward_pass.forward", forward_no_transpose, "X @ W.T"),
    ("forward_pass.forward", forward_stops_early, "len(params) // 2"),
    ("forward_pass.forward", forward_from_zero, "W1, b1 to WL"),
    ("forward_pass.forward", forward_naive_sigmoid, "stable sigmoid"),
    ("forward_pass.forward", forward_with_python_loop_per_row, "np.asarray"),
    ("forward_pass.forward", forward_swapped_activations, "swapped"),
    ("forward_pass.forward", forward_relu_hidden, "not ReLU"),
    ("forward_pass.forward", forward_no_bias, "biases are missing"),
    ("forward_pass.init_params", init_weights_only, "biases are missing"),
    ("forward_pass.xavier_uniform", xavier_lecun, "LeCun"),
    ("forward_pass.xavier_uniform", xavier_std_as_bound, "not the bound"),
    ("forward_pass.xavier_uniform", xavier_fan_in_only, "both fans"),
    ("forward_pass.xavier_uniform", xavier_no_sqrt, "square root"),
    ("forward_pass.xavier_uniform", xavier_zero_to_a, "centred at 0"),
    ("forward_pass.xavier_uniform", xavier_transposed, "exactly the shape given"),
    ("forward_pass.xavier_uniform", xavier_normal_instead, "uniform distribution"),
    ("forward_pass.xavier_uniform", xavier_global_random, "global generator"),
    ("forward_pass.xavier_uniform", xavier_missing_parentheses, "missing parentheses"),
    ("forward_pass.xavier_uniform", xavier_sqrt_of_six_only, "whole fraction"),
    ("forward_pass.kaiming_normal", he_global_random, "global generator"),
    ("forward_pass.xavier_uniform", xavier_fan_out_only, "both fans"),
    ("forward_pass.kaiming_normal", he_fan_out, "fan_in and fan_out are swapped"),
    ("forward_pass.kaiming_normal", he_lecun, "LeCun"),
    ("forward_pass.kaiming_normal", he_variance_as_std, "square root"),
    ("forward_pass.kaiming_normal", he_xavier, "Xavier"),
    ("forward_pass.kaiming_normal", he_uniform_instead, "normal distribution"),
    ("forward_pass.kaiming_normal", he_uniform_bound_as_std, "He uniform's bound"),
    ("forward_pass.kaiming_normal", he_sqrt2_over_fan_in, "not √2 / fan_in"),
    ("forward_pass.two_hidden", two_hidden_whole_batch_softmax, "whole batch"),
    ("forward_pass.two_hidden", two_hidden_softmax_axis0, "axis 0"),
    ("forward_pass.two_hidden", two_hidden_missing_second_relu, "second hidden layer"),
    ("forward_pass.two_hidden", two_hidden_logits, "logits"),
    ("forward_pass.two_hidden", two_hidden_no_transpose, "X @ W.T"),
    ("forward_pass.two_hidden", two_hidden_naive_softmax, "subtract each row's maximum"),
    ("forward_pass.two_hidden", two_hidden_old_network, "third layer"),
    ("forward_pass.two_hidden", two_hidden_no_keepdims, "keepdims=True"),
    ("forward_pass.two_hidden", two_hidden_missing_first_relu, "first hidden layer"),
    ("forward_pass.two_hidden", two_hidden_no_relu, "one linear map"),
    ("forward_pass.two_hidden", two_hidden_no_bias, "biases are missing"),
    ("forward_pass.two_hidden", two_hidden_sigmoid_output, "softmax per row"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[w[1].__name__ for w in WRONG])
def test_wrong_answer_is_rejected_with_the_right_hint(verdict_of, exercise_id, answer, hint):
    """hint None: a mistake with no specific hint; it must still be rejected."""
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[w[1].__name__ for w in WRONG])
def test_a_verdict_fits_in_fifteen_lines(verdict_of, exercise_id, answer, hint):
    """Shapes and the first differing entry, not whole parameter dicts: at most 15 lines of 100 characters."""
    import textwrap

    rendered = verdict_of(exercise_id, answer).render()
    lines = [piece for line in rendered.split("\n") for piece in textwrap.wrap(line, 100) or [""]]
    assert len(lines) <= 15, rendered


@pytest.mark.parametrize("exercise_id, answer", [
    ("forward_pass.dense", dense_einsum),
    ("forward_pass.dense", dense_loops),
    ("forward_pass.init_params", init_standard_normal_times),
    ("forward_pass.forward", forward_with_sequential),
    ("forward_pass.xavier_uniform", xavier_via_utils),
    ("forward_pass.kaiming_normal", he_standard_normal_scaled),
    ("forward_pass.two_hidden", two_hidden_via_utils),
])
def test_other_correct_answers_pass(verdict_of, exercise_id, answer):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.passed, verdict.render()


def test_a_broadcasting_error_is_not_blamed_on_the_transpose(verdict_of):
    """NumPy's broadcast error mentions "shapes" too; it must get the keepdims hint, not the X @ W.T one."""
    verdict = verdict_of("forward_pass.two_hidden", two_hidden_no_keepdims)
    assert "broadcast" in verdict.summary and "W.T" not in verdict.hint, verdict.render()


def test_dense_failure_shows_the_failing_case(verdict_of):
    verdict = verdict_of("forward_pass.dense", dense_bias_per_row)
    assert verdict.case.startswith("the 2 → 3 layer") and "wrong shape" in verdict.summary
    assert any(d.startswith("input:") and "[[1., 2.]]" in d for d in verdict.details)
    verdict = verdict_of("forward_pass.dense", dense_minus_bias)
    assert any(d.startswith("expected:") for d in verdict.details)
    assert any(d.startswith("got:") for d in verdict.details)


def test_init_failure_names_the_shapes(verdict_of):
    verdict = verdict_of("forward_pass.init_params", init_in_out_layout)
    assert "W1" in verdict.summary and "(3, 2)" in verdict.summary and "(2, 3)" in verdict.summary


def test_init_params_not_a_dict(verdict_of):
    verdict = verdict_of("forward_pass.init_params", lambda sizes, rng: [np.zeros((3, 2))])
    assert verdict.status == "failed" and "not a dict" in verdict.summary


def test_initializer_returning_a_list_or_crashing(verdict_of):
    verdict = verdict_of("forward_pass.kaiming_normal", lambda shape, rng: "weights")
    assert verdict.status == "failed" and "not an array of numbers" in verdict.summary
    verdict = verdict_of("forward_pass.kaiming_normal", lambda shape, rng: rng.normal(size=shape[0] * shape[2]))
    assert verdict.status == "failed" and "IndexError" in verdict.summary


# ---------------------------------------------------------------------------------------------
# 6. init_comparison (choices per scheme)
# ---------------------------------------------------------------------------------------------
RIGHT_FATES = {"zeros": "zero", "normal_0.01": "vanish", "xavier": "healthy", "normal_1": "saturate"}


@pytest.mark.parametrize("key, choice, hint", [
    ("zeros", "vanish", "exactly zero"),
    ("normal_0.01", "zero", "small is not zero"),
    ("normal_0.01", "healthy", "after 10 layers"),
    ("xavier", "vanish", "keeps its scale"),
    ("normal_1", "healthy", "tanh(16)"),
])
def test_wrong_fate_is_explained(verdict_of, key, choice, hint):
    verdict = verdict_of("forward_pass.init_comparison", lambda: {**RIGHT_FATES, key: choice})
    assert verdict.status == "failed" and repr(key) in verdict.summary
    assert hint in verdict.hint, verdict.render()


def test_fate_answers_are_validated(verdict_of):
    assert verdict_of("forward_pass.init_comparison", lambda: dict(RIGHT_FATES)).passed
    assert "not one of the choices" in verdict_of("forward_pass.init_comparison",
                                                  lambda: {**RIGHT_FATES, "xavier": "fine"}).summary
    assert "missing" in verdict_of("forward_pass.init_comparison", lambda: {"zeros": "zero"}).summary


# ---------------------------------------------------------------------------------------------
# 7. XOR
# ---------------------------------------------------------------------------------------------
XOR_OR_NAND_AND = {"W1": [[1.0, 1.0], [-1.0, -1.0]], "b1": [-0.5, 1.5], "W2": [[1.0, 1.0]], "b2": [-1.5]}


def xor_variant(**changes):
    return lambda: {**{k: np.array(v) for k, v in XOR_OR_NAND_AND.items()},
                    **{k: np.array(v) for k, v in changes.items()}}


@pytest.mark.parametrize("answer, hint", [
    (xor_variant(W2=[[1.0, 0.0]], b2=[-0.5]), "that is OR"),  # only the OR unit reaches the output
    (xor_variant(W1=[[1.0, 1.0], [1.0, 1.0]], b1=[-1.5, -1.5]), "that is AND"),
    (xor_variant(W2=[[-1.0, -1.0]], b2=[1.5]), "XNOR"),
    (xor_variant(W1=[[1.0, 1.0], [1.0, 1.0]], b1=[-0.5, -0.5], W2=[[1.0, 1.0]], b2=[-3.0]), "same for every input"),
    (xor_variant(b1=[-1.0, 2.0], W2=[[1.0, 1.0]], b2=[-2.0]), "exactly 0"),  # thresholds on the grid points
    (xor_variant(W2=[[1.0], [1.0]]), "(1, 2)"),  # the (in, out) layout for W2
    (xor_variant(W2=[1.0, 1.0]), "W2 (1, 2)"),  # a 1-D W2
])
def test_wrong_xor_networks_are_explained(verdict_of, answer, hint):
    verdict = verdict_of("forward_pass.xor_network", answer)
    assert verdict.status == "failed", verdict.render()
    assert verdict.hint is not None and hint in verdict.hint, verdict.render()


def test_right_outputs_on_a_threshold_are_rejected(verdict_of):
    """OR written as step(x1 + x2 - 1) fires at (0, 1) only because step(0) = 1: fragile, so rejected."""
    fragile = xor_variant(b1=[-1.0, 1.5])  # unit 1: x1 + x2 - 1 >= 0, exactly 0 for (0, 1) and (1, 0)
    verdict = verdict_of("forward_pass.xor_network", fragile)
    assert verdict.status == "failed" and "right outputs" in verdict.summary and "(0, 1)" in verdict.summary
    assert "between the values" in verdict.hint


def test_other_xor_solutions_pass(verdict_of):
    or_and = {"W1": np.array([[1.0, 1.0], [1.0, 1.0]]), "b1": np.array([-0.5, -1.5]),
              "W2": np.array([[1.0, -1.0]]), "b2": np.array([-0.5])}
    assert verdict_of("forward_pass.xor_network", lambda: or_and).passed
    as_lists = {k: np.asarray(v).tolist() for k, v in or_and.items()}
    assert verdict_of("forward_pass.xor_network", lambda: as_lists).passed


def test_xor_wrong_keys(verdict_of):
    verdict = verdict_of("forward_pass.xor_network", lambda: {"W1": np.eye(2)})
    assert verdict.status == "failed" and "keys" in verdict.summary


# ---------------------------------------------------------------------------------------------
# 9. layer shapes
# ---------------------------------------------------------------------------------------------
RIGHT_SHAPES = {"W2": (5, 10), "b2": (5,), "layer1": (5, 10), "layer2": (5, 5), "layer3": (5, 3)}


@pytest.mark.parametrize("key, shape, hint", [
    ("W2", (10, 5), "(in, out)"),
    ("b2", (1, 5), "1-D"),
    ("layer1", (10, 5), "batch first"),
    ("layer2", (5,), "batch dimension"),
    ("layer3", (5,), "softmax keeps the shape"),
    ("layer3", (3, 5), "one row per flower"),
    ("layer2", (10, 5), "W2ᵀ"),
    ("layer1", (10,), "batch dimension"),
    ("b2", (10,), "one bias per output unit"),
])
def test_wrong_shapes_are_explained(verdict_of, key, shape, hint):
    verdict = verdict_of("forward_pass.layer_shapes", lambda: {**RIGHT_SHAPES, key: shape})
    assert verdict.status == "failed" and repr(key) in verdict.summary
    assert hint in verdict.hint, verdict.render()
    rendered = verdict.render()
    assert str(RIGHT_SHAPES[key]) not in rendered  # the right shape is never shown


def test_shapes_accept_lists_and_reject_malformed_answers(verdict_of):
    as_lists = {k: list(v) for k, v in RIGHT_SHAPES.items()}
    assert verdict_of("forward_pass.layer_shapes", lambda: as_lists).passed
    assert verdict_of("forward_pass.layer_shapes", dict(RIGHT_SHAPES)).passed  # the dict itself is fine too
    assert "not a shape" in verdict_of("forward_pass.layer_shapes", lambda: {**RIGHT_SHAPES, "b2": "5"}).summary
    assert "missing" in verdict_of("forward_pass.layer_shapes", lambda: {"W2": (5, 10)}).summary
    assert "expected a dict" in verdict_of("forward_pass.layer_shapes", lambda: [(5, 10)]).summary
    assert "None" in verdict_of("forward_pass.layer_shapes", lambda: None).summary
    crashed = verdict_of("forward_pass.layer_shapes", lambda: 1 / 0)
    assert crashed.status == "failed" and "ZeroDivisionError" in crashed.summary


def test_shapes_stub_is_not_attempted(verdict_of):
    def stub():
        raise NotImplementedError()

    assert verdict_of("forward_pass.layer_shapes", stub).status == "not_attempted"


# ---------------------------------------------------------------------------------------------
# 10. count parameters
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("count, hint", [
    (9200, "weights only"),
    (160, "units (or the biases)"),
    (224, "units (neurons)"),
    (9424, "no bias"),
    (45360, "784"),
    (64 * 50 * 100 * 10, "do not multiply"),
    (64 * 50 + 50 + 50 * 100 + 100, "output layer 100 → 10"),
])
def test_wrong_counts_are_explained(verdict_of, count, hint):
    verdict = verdict_of("forward_pass.count_parameters", lambda: count)
    assert verdict.status == "failed" and hint in verdict.hint, verdict.render()
    assert "9360" not in verdict.render()


def test_count_accepts_an_integer_valued_float_and_rejects_near_misses(verdict_of):
    assert verdict_of("forward_pass.count_parameters", lambda: 9360.0).passed
    assert verdict_of("forward_pass.count_parameters", lambda: 9359).status == "failed"
    assert verdict_of("forward_pass.count_parameters", lambda: "9360").status == "failed"


@pytest.mark.parametrize("exercise_id, answer", [("forward_pass.xavier_uniform", xavier_global_random),
                                                 ("forward_pass.kaiming_normal", he_global_random),
                                                 ("forward_pass.init_params", init_global_random)])
def test_the_global_generator_is_named_first_and_left_as_it_was(verdict_of, exercise_id, answer):
    """np.random.uniform instead of rng.uniform: the hint names the rng, not an overflow; NumPy's global state
    is the same after the check as before."""
    before = np.random.get_state(legacy=False)
    verdict = verdict_of(exercise_id, answer)
    after = np.random.get_state(legacy=False)
    assert verdict.status == "failed" and "ignore the rng argument" in verdict.hint, verdict.render()
    assert "overflow" not in verdict.render()
    assert np.array_equal(before["state"]["key"], after["state"]["key"])
    assert before["state"]["pos"] == after["state"]["pos"]
