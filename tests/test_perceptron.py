"""utils.perceptron: the model on the logic-gate truth tables, the learning rule, training (AND, OR, NAND, NOR
learned; XOR never), separability, the decision-line geometry, and the module's parity with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch
from utils import perceptron as pc
from utils.data import GATES, logic_gate

SEPARABLE = ["and", "or", "nand", "nor"]

# Hand-picked weights for every separable gate (the margins are 0.5, so no point sits on the line).
HAND_WEIGHTS = {"and": ([1.0, 1.0], -1.5), "or": ([1.0, 1.0], -0.5), "nand": ([-1.0, -1.0], 1.5),
                "nor": ([-1.0, -1.0], 0.5)}


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gate", SEPARABLE)
def test_hand_picked_weights_compute_each_gate(gate):
    X, y = logic_gate(gate)
    w, b = HAND_WEIGHTS[gate]
    np.testing.assert_array_equal(pc.predict(X, w, b), y)
    assert pc.score(X, y, w, b) == 1.0
    np.testing.assert_allclose(pc.decision_function(X, w, b), X @ np.array(w) + b)


def test_predict_uses_step_0_equals_1_and_returns_floats():
    X = np.array([[1.0, 1.0], [0.0, 0.0], [3.0, -1.0]])
    out = pc.predict(X, [1.0, 1.0], -2.0)  # z = 0, -2, 0
    np.testing.assert_array_equal(out, [1.0, 0.0, 1.0])
    assert out.dtype == np.float64 and out.shape == (3,)


def test_predict_matches_torch_heaviside_on_random_and_extreme_inputs():
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e6):
        X, w, b = scale * rng.normal(size=(50, 4)), rng.normal(size=4), float(rng.normal())
        z = torch.from_numpy(X) @ torch.from_numpy(w) + b
        np.testing.assert_array_equal(pc.predict(X, w, b), torch.heaviside(z, torch.tensor(1.0, dtype=torch.float64)))


@pytest.mark.parametrize("call, match", [
    (lambda: pc.predict(np.zeros(3), [1.0, 1.0, 1.0], 0.0), r"X must have shape \(N, D\).*got shape \(3,\)"),
    (lambda: pc.predict(np.zeros((4, 2)), [1.0, 1.0, 1.0], 0.0), r"weight must have shape \(2,\).*got shape \(3,\)"),
    (lambda: pc.predict(np.zeros((4, 2)), [1.0, 1.0], [0.0, 1.0]), "bias must be a single number"),
    (lambda: pc.score(np.zeros((4, 2)), np.zeros(3), [1.0, 1.0], 0.0), r"y must have shape \(4,\).*\(3,\)"),
    (lambda: pc.score(np.zeros((2, 2)), [0.0, 2.0], [1.0, 1.0], 0.0), "only 0 and 1"),
    (lambda: pc.predict([["a", "b"]], [1.0, 1.0], 0.0), "real numbers"),
])
def test_bad_inputs_raise_value_errors_naming_the_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# The learning rule
# ---------------------------------------------------------------------------------------------
def test_one_update_follows_the_rule_and_leaves_its_inputs_alone():
    w, x = np.array([0.5, -0.5]), np.array([1.0, 2.0])
    w_before, x_before = w.copy(), x.copy()
    # z = 0.5 - 1 + 0.2 = -0.3 -> prediction 0; target 1 -> error +1
    new_w, new_b = pc.perceptron_update(w, 0.2, x, 1.0, lr=0.1)
    np.testing.assert_allclose(new_w, w + 0.1 * x)
    assert new_b == pytest.approx(0.3)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(x, x_before)
    # error -1: the sum must drop; a correct example changes nothing
    down_w, down_b = pc.perceptron_update([0.0, 0.0], 0.0, x, 0.0, lr=0.5)
    np.testing.assert_allclose(down_w, [-0.5, -1.0])
    assert down_b == -0.5
    same_w, same_b = pc.perceptron_update([1.0, 1.0], 0.0, x, 1.0, lr=0.5)
    np.testing.assert_array_equal(same_w, [1.0, 1.0])
    assert same_b == 0.0


def test_an_update_moves_the_sum_towards_the_target():
    rng = np.random.default_rng(1)
    for _ in range(100):
        w, b, x, lr = rng.normal(size=3), float(rng.normal()), rng.normal(size=3), 0.1
        target = 1.0 - float(pc.predict(x[None], w, b)[0])  # the wrong answer, so an update happens
        new_w, new_b = pc.perceptron_update(w, b, x, target, lr)
        change = (x @ new_w + new_b) - (x @ w + b)
        assert change == pytest.approx((1 if target == 1 else -1) * lr * (x @ x + 1))


@pytest.mark.parametrize("call, match", [
    (lambda: pc.perceptron_update([0.0, 0.0], 0.0, [[1.0, 1.0]], 1.0), r"one example of shape \(D,\)"),
    (lambda: pc.perceptron_update([0.0, 0.0], 0.0, [1.0, 1.0], 0.5), "target must be 0 or 1"),
    (lambda: pc.perceptron_update([0.0], 0.0, [1.0, 1.0], 1.0), r"weight must have shape \(2,\)"),
])
def test_update_rejects_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gate", SEPARABLE)
@pytest.mark.parametrize("init_scale", [0.0, 0.1])
def test_training_learns_every_separable_gate_for_every_seed(gate, init_scale):
    X, y = logic_gate(gate)
    for seed in range(20):
        fit = pc.train_perceptron(X, y, lr=0.1, epochs=30, rng=np.random.default_rng(seed), init_scale=init_scale)
        assert pc.score(X, y, fit.weight, fit.bias) == 1.0, (gate, seed)
        assert fit.converged and fit.errors[-1] == 0 and fit.updates[-1] == 0
        first = fit.first_perfect_epoch
        assert first is not None and np.all(fit.errors[first - 1:] == 0)  # once right, it stays right


def test_xor_is_never_learned_whatever_the_seed_lr_or_length():
    X, y = logic_gate("xor")
    for seed in range(10):
        for lr in (0.01, 0.1, 1.0):
            fit = pc.train_perceptron(X, y, lr=lr, epochs=200, rng=np.random.default_rng(seed), init_scale=0.1)
            assert fit.errors.min() >= 1 and not fit.converged and fit.first_perfect_epoch is None
            assert np.all(fit.updates > 0)  # it never stops changing


def test_the_fit_records_the_whole_trajectory():
    X, y = logic_gate("and")
    fit = pc.train_perceptron(X, y, lr=0.1, epochs=7, rng=np.random.default_rng(3))
    assert fit.errors.shape == fit.updates.shape == (7,)
    assert fit.weights.shape == (8, 2) and fit.biases.shape == (8,)
    np.testing.assert_array_equal(fit.weights[0], [0.0, 0.0])  # Rosenblatt's start
    assert fit.biases[0] == 0.0
    np.testing.assert_array_equal(fit.weights[-1], fit.weight)
    assert fit.biases[-1] == fit.bias
    for k in range(7):  # the recorded error count is the count of the recorded weights
        assert fit.errors[k] == np.sum(pc.predict(X, fit.weights[k + 1], fit.biases[k + 1]) != y)


def test_training_is_reproducible_from_the_seed_and_depends_on_it():
    X, y = logic_gate("and")
    a = pc.train_perceptron(X, y, epochs=5, rng=np.random.default_rng(5), init_scale=0.1)
    b = pc.train_perceptron(X, y, epochs=5, rng=np.random.default_rng(5), init_scale=0.1)
    c = pc.train_perceptron(X, y, epochs=5, rng=np.random.default_rng(6), init_scale=0.1)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)


def test_random_start_statistics():
    """init_scale draws the start from N(0, init_scale²): checked by mean and std, never raw values."""
    X, y = np.zeros((1, 4000)), np.array([1.0])  # z = b >= 0 or not: only the bias can move
    starts = pc.train_perceptron(X, y, epochs=1, rng=np.random.default_rng(0), init_scale=0.5).weights[0]
    assert starts.shape == (4000,)
    assert abs(starts.mean()) < 0.05 and starts.std() == pytest.approx(0.5, rel=0.05)


def test_an_explicit_start_is_used_and_not_modified():
    X, y = logic_gate("or")
    w0 = np.array([0.3, -0.2])
    fit = pc.train_perceptron(X, y, epochs=3, rng=np.random.default_rng(0), weight=w0, bias=0.05)
    np.testing.assert_array_equal(fit.weights[0], [0.3, -0.2])
    assert fit.biases[0] == 0.05
    np.testing.assert_array_equal(w0, [0.3, -0.2])


@pytest.mark.parametrize("kwargs, match", [
    ({"rng": np.random.RandomState(0)}, "numpy.random.Generator"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"lr": 0.0}, "learning rate must be a positive number"),
    ({"init_scale": -1.0}, "init_scale must be a finite number >= 0"),
])
def test_training_rejects_bad_settings(kwargs, match):
    X, y = logic_gate("and")
    settings = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=match):
        pc.train_perceptron(X, y, **settings)


# ---------------------------------------------------------------------------------------------
# Separability
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gate", list(GATES))
def test_linear_separability_of_the_gates(gate):
    assert pc.linearly_separable(*logic_gate(gate)) == (gate != "xor")


def test_separability_beyond_two_inputs():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.3 > 0).astype(float)
    assert pc.linearly_separable(X, y)
    parity = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=float)
    assert not pc.linearly_separable(parity, parity.sum(axis=1) % 2)  # 3-bit parity: XOR's big sibling


# ---------------------------------------------------------------------------------------------
# Geometry of the decision line
# ---------------------------------------------------------------------------------------------
def test_decision_line_end_points_lie_on_the_line_and_on_the_window_edges():
    rng = np.random.default_rng(4)
    for _ in range(200):
        w, b = rng.normal(size=2), float(rng.normal())
        segment = pc.decision_line(w, b, (-0.5, 1.5))
        if segment is None:
            continue
        np.testing.assert_allclose(segment @ w + b, 0.0, atol=1e-9)
        assert np.all(segment >= -0.5 - 1e-12) and np.all(segment <= 1.5 + 1e-12)
        on_edge = np.isclose(segment, -0.5) | np.isclose(segment, 1.5)
        assert on_edge.any(axis=1).all()  # both ends on the border of the window


def test_decision_line_special_cases():
    np.testing.assert_allclose(pc.decision_line([1.0, 0.0], -0.5, (0.0, 1.0)), [[0.5, 0.0], [0.5, 1.0]])  # vertical
    np.testing.assert_allclose(pc.decision_line([0.0, 2.0], -1.0, (0.0, 1.0)), [[0.0, 0.5], [1.0, 0.5]])  # horizontal
    assert pc.decision_line([0.0, 0.0], 1.0) is None  # no line at all
    assert pc.decision_line([1.0, 1.0], 10.0) is None  # the line misses the window
    np.testing.assert_allclose(pc.decision_line([1.0, -1.0], 0.0, (0.0, 1.0)), [[0.0, 0.0], [1.0, 1.0]])  # diagonal


def _polygon_area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_positive_region_is_the_part_of_the_window_where_the_perceptron_says_1():
    rng = np.random.default_rng(5)
    grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 401), np.linspace(-0.5, 1.5, 401)), -1).reshape(-1, 2)
    for _ in range(50):
        w, b = rng.normal(size=2), float(rng.normal())
        region = pc.positive_region(w, b)
        expected_area = 4.0 * pc.predict(grid, w, b).mean()  # the window has area 2 × 2
        area = _polygon_area(region) if len(region) >= 3 else 0.0
        assert area == pytest.approx(expected_area, abs=0.03)
        if len(region):
            assert np.all(region @ w + b >= -1e-9)


def test_positive_region_extremes():
    assert len(pc.positive_region([0.0, 0.0], 1.0)) == 4  # says 1 everywhere: the whole square
    assert len(pc.positive_region([0.0, 0.0], -1.0)) == 0  # says 0 everywhere
    assert _polygon_area(pc.positive_region([1.0, 1.0], -1.5, (0.0, 1.0))) == pytest.approx(0.125)  # a corner
    with pytest.raises(ValueError, match="lo < hi"):
        pc.positive_region([1.0, 1.0], 0.0, (1.0, 1.0))


# ---------------------------------------------------------------------------------------------
# The module and its PyTorch twin
# ---------------------------------------------------------------------------------------------
def test_module_layout_mirrors_torch_linear():
    model = pc.Perceptron(3)
    assert model.weight.shape == (1, 3) and model.bias.shape == (1,)
    assert [name for name, _ in model.named_parameters()] == ["weight", "bias"]
    assert repr(model) == "Perceptron(in_features=3)"
    np.testing.assert_array_equal(model.weight.data, 0.0)
    with pytest.raises(ValueError, match="in_features"):
        pc.Perceptron(0)


@pytest.mark.parametrize("gate", SEPARABLE)
def test_module_fit_and_parity_with_linear_plus_heaviside(gate):
    X, y = logic_gate(gate)
    model = pc.Perceptron(2)
    fit = model.fit(X, y, lr=0.1, epochs=30, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(model.weight.data[0], fit.weight)
    assert model.bias.data[0] == fit.bias
    np.testing.assert_array_equal(model(X), y)
    twin = torch.nn.Linear(2, 1, dtype=torch.float64)
    copy_params_to_torch(model, twin)
    with torch.no_grad():
        z = twin(torch.from_numpy(X))[:, 0]
    np.testing.assert_allclose(model.decision_function(X), z.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(model(X), torch.heaviside(z, torch.tensor(1.0, dtype=torch.float64)).numpy())


def test_module_fit_continues_from_its_current_parameters():
    X, y = logic_gate("and")
    model = pc.Perceptron(2)
    model.weight.data[0] = [1.0, 1.0]
    model.bias.data[0] = -1.5  # already right: training changes nothing
    fit = model.fit(X, y, epochs=3, rng=np.random.default_rng(0))
    assert np.all(fit.updates == 0)
    np.testing.assert_array_equal(model.weight.data, [[1.0, 1.0]])
