"""utils.regularization's inverted dropout against torch.nn.Dropout: exactly under a shared mask (PyTorch is given our
mask through the functional equivalent x ⊙ m / (1 − p)), statistically for PyTorch's own masks (fraction zeroed ≈ p
within a binomial tolerance, mean preserved), eval mode, p = 0 and p = 1, the backward pass's mask, reproducibility
from the rng, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import float64_tensor
from utils.layers import Linear, Sequential
from utils.regularization import Dropout, dropout, dropout_mask

N_ELEMENTS = 200_000  # the statistical tests: a binomial count's standard deviation is ≤ 0.11 % of it


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 4)])
def test_forward_and_backward_equal_torch_under_a_shared_mask(p, shape):
    rng = np.random.default_rng(1)
    layer = Dropout(p, rng=np.random.default_rng(2))
    x, g = rng.normal(size=shape) * 3, rng.normal(size=shape)
    out = layer(x)
    grad_x = layer.backward(g)
    mask = layer.mask
    assert set(np.unique(mask)) <= {0.0, 1.0} and 0 < mask.sum() < mask.size
    xt = float64_tensor(x, requires_grad=True)
    out_t = xt * float64_tensor(mask) / (1 - p)  # torch.nn.Dropout's formula with our mask
    out_t.backward(float64_tensor(g))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(out[mask == 0], 0.0)
    np.testing.assert_array_equal(grad_x[mask == 0], 0.0)  # backward drops what forward dropped


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_statistics_match_torchs_dropout(p):
    """Both zero a fraction ≈ p of the elements (within 5 binomial standard deviations), keep the others scaled by
    1/(1 − p) and so preserve the mean of a constant input (within 5 standard deviations of the mean)."""
    torch.manual_seed(0)
    x = np.full(N_ELEMENTS, 2.0)
    theirs = torch.nn.Dropout(p)(float64_tensor(x)).numpy()
    ours = Dropout(p, rng=np.random.default_rng(0))(x)
    zeroed_sd = np.sqrt(p * (1 - p) / N_ELEMENTS)
    mean_sd = 2.0 * np.sqrt(p / (1 - p) / N_ELEMENTS)  # the std of one output is 2·√(p/(1 − p))
    for out in (ours, theirs):
        assert abs(np.mean(out == 0.0) - p) <= 5 * zeroed_sd
        assert abs(out.mean() - 2.0) <= 5 * mean_sd
        np.testing.assert_allclose(out[out != 0.0], 2.0 / (1 - p), rtol=1e-15)
    assert not np.array_equal(ours == 0.0, theirs == 0.0)  # different generators: the statistics agree, not the masks


def test_expected_output_is_the_input_for_every_element():
    """Averaged over many masks, each element's output tends to its input (no scaling is needed at test time)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=8)
    outs = Dropout(0.3, rng=np.random.default_rng(4))(np.tile(x, (20_000, 1)))  # 20,000 masks, one per row
    sd = np.abs(x) * np.sqrt(0.3 / 0.7 / 20_000)
    assert np.all(np.abs(outs.mean(axis=0) - x) <= 5 * sd)


def test_eval_mode_is_the_identity_as_in_torch():
    rng = np.random.default_rng(5)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    layer = Dropout(0.7, rng=rng).eval()
    twin = torch.nn.Dropout(0.7).eval()
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(twin(float64_tensor(x)).numpy(), x)
    assert layer.mask is None
    np.testing.assert_array_equal(layer.backward(g), g)
    assert Dropout(0.5).eval()(x).shape == x.shape  # no rng is needed in eval mode
    np.testing.assert_array_equal(dropout(x, 0.5, training=False), x)


def test_p_zero_keeps_everything_and_p_one_gives_zeros_as_torch():
    rng = np.random.default_rng(6)
    x, g = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    keep_all = Dropout(0.0, rng=rng)
    np.testing.assert_array_equal(keep_all(x), x)
    np.testing.assert_array_equal(torch.nn.Dropout(0.0)(float64_tensor(x)).numpy(), x)
    np.testing.assert_array_equal(keep_all.backward(g), g)
    drop_all = Dropout(1.0, rng=rng)
    with np.errstate(all="raise"):  # no 0/0 on the way
        out = drop_all(x)
        grad = drop_all.backward(g)
    np.testing.assert_array_equal(out, 0.0)
    np.testing.assert_array_equal(torch.nn.Dropout(1.0)(float64_tensor(x)).numpy(), 0.0)
    np.testing.assert_array_equal(grad, 0.0)


def test_masks_come_from_the_rng_reproducibly_and_leave_global_state_alone():
    state = np.random.get_state()
    x = np.ones((10, 10))
    a, b = Dropout(0.5, rng=np.random.default_rng(7)), Dropout(0.5, rng=np.random.default_rng(7))
    first_a, first_b = a(x), b(x)
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(a(x), first_a)  # a fresh mask each call
    np.testing.assert_array_equal(dropout_mask((10, 10), 0.5, np.random.default_rng(7)), first_a / 2.0)
    np.testing.assert_array_equal(dropout(x, 0.5, rng=np.random.default_rng(7)), first_a)
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_the_mask_keeps_an_element_when_a_uniform_draw_is_at_least_p():
    u = np.random.default_rng(8).random((3, 4))
    np.testing.assert_array_equal(dropout_mask((3, 4), 0.4, np.random.default_rng(8)), (u >= 0.4).astype(float))


def test_dropout_in_a_sequential_follows_train_and_eval():
    rng = np.random.default_rng(9)
    model = Sequential(Linear(4, 6, rng=rng), Dropout(0.5, rng=rng), Linear(6, 2, rng=rng))
    x = rng.normal(size=(3, 4))
    model.eval()
    np.testing.assert_array_equal(model(x), model[2](model[0](x)))
    model.train()
    out = model(x)
    g = np.ones_like(out)
    model.backward(g)
    dropped = model[1].mask == 0.0  # a dropped hidden unit gives the first layer's weights no gradient
    expected = (g @ model[2].weight.data * model[1].mask / 0.5).T @ x
    np.testing.assert_allclose(model[0].weight.grad, expected, rtol=1e-13)
    assert dropped.any() and np.all(model[0].bias.grad[np.all(dropped, axis=0)] == 0.0)


def test_repr_and_no_parameters():
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"
    assert list(Dropout().parameters()) == [] and Dropout().p == 0.5


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None, True, float("nan")])
def test_p_outside_zero_one_is_refused_as_torch_does(p):
    with pytest.raises(ValueError, match=r"p \(the probability to drop an element\) must be a number in \[0, 1\]"):
        Dropout(p)
    if not isinstance(p, (str, type(None), bool)) and not np.isnan(p):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            torch.nn.Dropout(p)


def test_training_without_an_rng_and_other_errors():
    with pytest.raises(ValueError, match=r"random mask: expected rng=np.random.default_rng\(seed\), got NoneType"):
        Dropout(0.5)(np.ones(3))
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        Dropout(0.5, rng=0)
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones(3))
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2, 3\), got \(3,\)"):
        layer.backward(np.ones(3))
    with pytest.raises(ValueError, match="shape must be a tuple of sizes"):
        dropout_mask("big", 0.5, np.random.default_rng(0))
