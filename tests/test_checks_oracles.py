"""utils/checks/oracles.py against values known by hand (σ(ln 3) = 3/4, softmax([0, ln 2]) = [1/3, 2/3], ...)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from utils.checks import oracles as oracles

LN2, LN3 = math.log(2.0), math.log(3.0)


def test_tensors_are_float64_and_scalars_come_back_as_floats():
    import torch

    assert oracles.as_tensor([1, 2]).dtype == torch.float64
    assert isinstance(oracles.to_numpy(torch.tensor(2.5)), float)
    assert isinstance(oracles.to_numpy(torch.tensor([2.5])), np.ndarray)


def test_torch_elementwise():
    np.testing.assert_allclose(oracles.torch_elementwise("sigmoid")(np.array([0.0, LN3])), [0.5, 0.75], rtol=1e-15)
    np.testing.assert_array_equal(oracles.torch_elementwise("relu")(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_torch_derivatives():
    np.testing.assert_allclose(
        oracles.torch_derivative("sigmoid")(np.array([0.0, LN3])), [0.25, 0.75 * 0.25], rtol=1e-15
    )
    np.testing.assert_allclose(oracles.torch_derivative("tanh")(np.array([0.0])), [1.0])
    np.testing.assert_array_equal(oracles.torch_derivative("relu")(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(oracles.torch_gradient(lambda t, c: c * t**2, np.array([1.0, -2.0]), 3.0), [6.0, -12.0])


def test_torch_functional_passes_tensors_then_the_rest():
    mse = oracles.torch_functional("mse_loss", n_tensors=2)(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    assert mse == 2.0 and isinstance(mse, float)
    leaky = oracles.torch_functional("leaky_relu")(np.array([-2.0, 3.0]), negative_slope=0.5)
    np.testing.assert_array_equal(leaky, [-1.0, 3.0])
    total = oracles.torch_functional("l1_loss", n_tensors=2, reduction="sum")(
        np.array([1.0, 2.0]), np.array([0.0, 0.0])
    )
    assert total == 3.0


def test_torch_softmax_with_temperature_and_log():
    np.testing.assert_allclose(oracles.torch_softmax()(np.array([0.0, LN2])), [1 / 3, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(oracles.torch_softmax()(np.array([0.0, 2 * LN2]), 2.0), [1 / 3, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(oracles.torch_softmax(log=True)(np.array([[0.0, 0.0]])), [[-LN2, -LN2]], rtol=1e-15)


def test_torch_linear():
    X, W = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(oracles.torch_linear(X, W, np.array([0.0, 0.0, 1.0])), [[1.0, 2.0, 4.0]])
    np.testing.assert_array_equal(oracles.torch_linear(X, W), [[1.0, 2.0, 3.0]])


def test_numpy_sigmoid_is_exact_and_stable():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow at ±1000
        np.testing.assert_allclose(oracles.sigmoid([0.0, LN3, -LN3, 1000.0, -1000.0]), [0.5, 0.75, 0.25, 1.0, 0.0],
                                   rtol=1e-15, atol=0)


def test_numpy_softmax_and_log_softmax():
    np.testing.assert_allclose(oracles.softmax([0.0, LN2]), [1 / 3, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(oracles.softmax([[0.0, 1000.0], [5.0, 5.0]]), [[0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(
        oracles.softmax([[0.0, LN2], [0.0, 0.0]], axis=0), [[0.5, 2 / 3], [0.5, 1 / 3]], rtol=1e-15
    )
    np.testing.assert_allclose(oracles.softmax([[0.0, 0.0], [0.0, 0.0]], axis=None), np.full((2, 2), 0.25))
    np.testing.assert_allclose(oracles.log_softmax([[1000.0, 0.0]]), [[0.0, -1000.0]])
    np.testing.assert_allclose(oracles.log_softmax([0.0, 0.0]), [-LN2, -LN2], rtol=1e-15)


def test_softmax_with_makes_the_usual_slips():
    z = np.array([[0.0, LN2], [-1000.0, -1000.0]])
    np.testing.assert_allclose(oracles.softmax_with(z, -1, -1), [[1 / 3, 2 / 3], [0.5, 0.5]])
    with np.errstate(all="ignore"):
        global_max = oracles.softmax_with(z, None, -1)  # the second row underflows to 0 / 0
    np.testing.assert_allclose(global_max[0], [1 / 3, 2 / 3])
    assert np.isnan(global_max[1]).all()
    np.testing.assert_allclose(oracles.softmax_with([[0.0, LN2], [0.0, 0.0]], None, None), [[0.2, 0.4], [0.2, 0.2]])
    with np.errstate(all="ignore"):
        log_global_max = oracles.softmax_with(z, None, -1, log=True)
    assert np.isposinf(log_global_max[1]).all()  # in log space: shifted − log(0) = +inf
    no_keepdims = oracles.softmax_with(np.array([[0.0, LN2], [0.0, LN3]]), -1, -1, keep_sum=False)
    assert no_keepdims.shape == (2, 2)  # the row sums (2,) line up with the columns instead
    # the shifted exponentials are [[1/2, 1], [1/3, 1]], their row sums [3/2, 4/3]: the first divides column 0
    np.testing.assert_allclose(no_keepdims[:, 0], [(1 / 2) / (3 / 2), (1 / 3) / (3 / 2)])


@pytest.mark.parametrize("labels, want", [([2, 0], [[0, 0, 1], [1, 0, 0]]), ([1], [[0, 1, 0]])])
def test_one_hot(labels, want):
    np.testing.assert_array_equal(oracles.one_hot(labels, 3), want)


def test_tensor_copy_never_shares_the_arrays_memory():
    from utils.checks.oracles import tensor_copy

    a = np.arange(3.0)
    t = tensor_copy(a)
    t += 1  # what torch.optim does to a parameter
    assert a.tolist() == [0.0, 1.0, 2.0] and str(t.dtype) == "torch.float64"
