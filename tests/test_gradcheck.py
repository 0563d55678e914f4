"""utils.gradcheck: central differences are accurate to ~h², never touch their input, and the checks catch
wrong backward passes (and say where) while passing correct ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import torch_grad
from utils import activations, layers, losses
from utils.gradcheck import (
    DEFAULT_TOL,
    check_gradient,
    gradcheck_module,
    numerical_gradient,
    relative_error,
)


def cubic_sum(x):
    return np.sum(x**3)


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])
    np.testing.assert_allclose(numerical_gradient(cubic_sum, x, h=1e-5), 3 * x**2, rtol=1e-8, atol=1e-9)
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    v = np.array([0.3, -0.7])
    np.testing.assert_allclose(numerical_gradient(lambda u: u @ A @ u, v), 2 * A @ v, rtol=1e-8)


def test_numerical_gradient_matches_autograd_on_softmax_cross_entropy():
    z = np.random.default_rng(0).normal(size=(4, 5))
    labels = np.array([0, 3, 1, 4])
    loss = losses.CrossEntropyLoss()
    expected = torch_grad(lambda t: torch.nn.functional.cross_entropy(t, torch.from_numpy(labels)), z)
    np.testing.assert_allclose(numerical_gradient(lambda u: loss(u, labels), z), expected, rtol=1e-7, atol=1e-10)


def test_numerical_gradient_leaves_its_input_alone_and_works_for_scalars():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numerical_gradient(cubic_sum, x)
    np.testing.assert_array_equal(x, before)
    assert numerical_gradient(lambda u: float(u) ** 2, np.array(3.0)) == pytest.approx(6.0, rel=1e-8)
    np.testing.assert_allclose(numerical_gradient(cubic_sum, [1, 2]), [3.0, 12.0], rtol=1e-8)  # ints welcome


def test_central_difference_error_shrinks_like_h_squared():
    x = np.array([0.7])
    exact = np.cos(0.7)
    errors = [abs(numerical_gradient(lambda u: np.sin(u[0]), x, h=h)[0] - exact) for h in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.05)  # h ten times smaller: error 100 times


@pytest.mark.parametrize("call, match", [
    (lambda: numerical_gradient(cubic_sum, np.ones(2), h=0.0), "h must be a finite number > 0, got 0.0"),
    (lambda: numerical_gradient(lambda u: u * 2, np.ones(2)), "one number"),
    (lambda: relative_error(np.ones(2), np.ones(3)), "different shapes"),
    (lambda: check_gradient(cubic_sum, np.ones((2, 3)), np.ones((3, 2)), "W"), r"\(2, 3\), got shape \(3, 2\)"),
])
def test_bad_arguments_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_relative_error_is_scale_free_and_bounded():
    a = np.array([1e-3, 2.0, -5.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a * 1e6, a * 1e6 * (1 + 1e-9)) == pytest.approx(relative_error(a, a * (1 + 1e-9)), rel=1e-5)
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert relative_error(np.zeros(3), np.full(3, 1e-12)) < 1e-3  # both ~0: the floor keeps it small
    assert relative_error(np.array([]), np.array([])) == 0.0


def test_check_gradient_accepts_the_right_gradient_and_locates_a_wrong_one():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    good = check_gradient(cubic_sum, x, 3 * x**2, "x")
    assert good.passed and good.relative_error < 1e-8 and "ok" in good.line()
    wrong = 3 * x**2
    wrong[1, 0] += 0.1
    bad = check_gradient(cubic_sum, x, wrong, "x")
    assert not bad.passed and bad.worst_index == (1, 0) and "MISMATCH" in bad.line() and "(1, 0)" in bad.line()
    transposed = check_gradient(cubic_sum, x, (3 * x**2).T, "x")
    assert not transposed.passed


def test_gradcheck_module_passes_linear_and_reports_every_gradient():
    rng = np.random.default_rng(1)
    layer = layers.Linear(3, 4, rng=rng)
    report = gradcheck_module(layer, rng.normal(size=(5, 3)), rng=rng)
    assert report.passed and report.max_relative_error < 1e-8
    assert [c.name for c in report.checks] == ["input", "weight", "bias"]
    assert report["weight"].shape == (4, 3)
    text = str(report)
    assert text.startswith("gradient check of Linear(in_features=3, out_features=4, bias=True): all gradients agree")
    assert text.count(" ok") == 3
    with pytest.raises(KeyError, match="no check named"):
        report["gamma"]


def test_gradcheck_module_leaves_the_backward_gradients_and_the_weights():
    rng = np.random.default_rng(2)
    layer = layers.Linear(2, 3, rng=rng)
    weight = layer.weight.data.copy()
    x = rng.normal(size=(4, 2))
    G = rng.normal(size=(4, 3))
    gradcheck_module(layer, x, grad_out=G)
    np.testing.assert_array_equal(layer.weight.data, weight)
    np.testing.assert_allclose(layer.weight.grad, G.T @ x, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, G.sum(axis=0), rtol=1e-12)


class _LinearBiasMean(layers.Linear):
    """A classic bug: db averaged over the batch instead of summed."""

    def backward(self, grad_out):
        (x,) = self.saved_arrays
        self.weight.accumulate_grad(grad_out.T @ x)
        self.bias.accumulate_grad(grad_out.mean(axis=0))
        return grad_out @ self.weight.data


class _LinearForgetsBias(layers.Linear):
    """Another: the bias never gets a gradient."""

    def backward(self, grad_out):
        (x,) = self.saved_arrays
        self.weight.accumulate_grad(grad_out.T @ x)
        return grad_out @ self.weight.data


class _DoubleSigmoid(activations.Sigmoid):
    """A wrong derivative: 2σ(1 − σ)."""

    def backward(self, grad_out):
        return 2 * super().backward(grad_out)


@pytest.mark.parametrize("module, wrong", [
    (_LinearBiasMean(3, 2, rng=np.random.default_rng(0)), "bias"),
    (_LinearForgetsBias(3, 2, rng=np.random.default_rng(0)), "bias"),
    (_DoubleSigmoid(), "input"),
])
def test_gradcheck_module_catches_wrong_backward_passes(module, wrong):
    x = np.random.default_rng(3).normal(size=(5, 3))
    report = gradcheck_module(module, x)
    assert not report.passed and not report[wrong].passed and report[wrong].relative_error > 100 * DEFAULT_TOL
    assert "SOME GRADIENTS DISAGREE" in str(report) and "MISMATCH" in str(report)


def test_gradcheck_module_on_a_loss_checks_the_input_only():
    rng = np.random.default_rng(4)
    report = gradcheck_module(losses.CrossEntropyLoss(), rng.normal(size=(6, 3)), rng.integers(0, 3, 6))
    assert report.passed and [c.name for c in report.checks] == ["input"]
    report = gradcheck_module(losses.MSELoss(reduction="none"), rng.normal(size=(4,)), rng.normal(size=(4,)))
    assert report.passed


def test_gradcheck_module_needs_a_module_and_an_input():
    with pytest.raises(TypeError, match="utils Module"):
        gradcheck_module(lambda x: x, np.ones(2))
    with pytest.raises(ValueError, match="input"):
        gradcheck_module(activations.ReLU())
