"""utils.conv against torch.nn.functional and torch.nn in float64: im2col/col2im against unfold/fold (layout and
adjointness), conv2d (naive and im2col) and the Conv1d/Conv2d layers forward and backward over a grid of
stride/padding/dilation/kernel/shape combinations, max and average pooling (inputs with ties: the gradient goes to
the first maximum exactly as PyTorch's), global average pooling, Flatten, a small CNN as a whole, the default
initialization's statistics and a numerical gradient check."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.numerics import assert_close, assert_close32, stable_seed
from tests.torch_twins import copy_params_to_torch, float64_tensor
from utils import activations as A
from utils import conv
from utils.gradcheck import gradcheck_module
from utils.layers import Linear, Sequential

# (x shape (N, C, H, W), weight shape (F, C, KH, KW), stride, padding, dilation): square and rectangular kernels
# and inputs, 1×1 kernels, strides that skip the last pixels, pairs that differ along H and W
CONV_CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 0, 1),
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), 2, 1, 1),
    ((1, 2, 8, 9), (3, 2, 2, 3), (2, 3), (1, 0), (2, 1)),
    ((2, 2, 9, 7), (2, 2, 3, 3), 3, 2, 2),
    ((3, 4, 5, 5), (5, 4, 1, 1), 1, 0, 1),  # 1×1: channel mixing
    ((1, 3, 6, 4), (2, 3, 1, 1), 2, 1, 1),  # 1×1 with stride and padding
    ((2, 1, 5, 5), (1, 1, 5, 5), 1, 0, 1),  # kernel as large as the input: one output pixel
    ((1, 2, 4, 10), (3, 2, 4, 1), (1, 2), (0, 3), (1, 3)),
]
CASE_IDS = [f"x{x}-w{w}-s{s}-p{p}-d{d}" for x, w, s, p, d in CONV_CASES]


def case_arrays(case, scale=1.0):
    x_shape, w_shape, *_ = case
    rng = np.random.default_rng(stable_seed(case))
    return (rng.normal(size=x_shape) * scale, rng.normal(size=w_shape), rng.normal(size=w_shape[0]))


def torch_conv2d(x, w, b, stride, padding, dilation):
    return F.conv2d(float64_tensor(x), float64_tensor(w), None if b is None else float64_tensor(b),
                    stride=stride, padding=padding, dilation=dilation).numpy()


# ---------------------------------------------------------------------------------------------
# conv_output_size
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
def test_conv_output_size_is_the_shape_torch_gives(case):
    x_shape, w_shape, stride, padding, dilation = case
    expected = torch_conv2d(*case_arrays(case), stride, padding, dilation).shape[2:]
    pair = [v if isinstance(v, tuple) else (v, v) for v in (stride, padding, dilation)]
    got = tuple(conv.conv_output_size(x_shape[2 + a], w_shape[2 + a], pair[0][a], pair[1][a], pair[2][a])
                for a in (0, 1))
    assert got == expected


def test_conv_output_size_formula_with_known_numbers():
    assert conv.conv_output_size(28, 3) == 26
    assert conv.conv_output_size(28, 3, padding=1) == 28
    assert conv.conv_output_size(28, 3, stride=2, padding=1) == 14
    assert conv.conv_output_size(7, 3, stride=2) == 3  # ⌊(7 − 3)/2⌋ + 1: the floor drops nothing here
    assert conv.conv_output_size(8, 3, stride=2) == 3  # ⌊5/2⌋ + 1: the last column is never reached
    assert conv.conv_output_size(9, 3, dilation=2) == 5  # a dilated 3-tap kernel spans 5


def test_a_kernel_larger_than_the_padded_input_is_refused():
    with pytest.raises(ValueError, match=r"kernel_size=5 with dilation=2 spans 9 positions.*2 \+ 2·3 = 8"):
        conv.conv_output_size(2, 5, padding=3, dilation=2)
    with pytest.raises(ValueError, match="the kernel does not fit"):
        conv.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)))


# ---------------------------------------------------------------------------------------------
# im2col / col2im against unfold / fold
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
def test_im2col_is_unfold_and_col2im_is_fold(case):
    x_shape, w_shape, stride, padding, dilation = case
    x = case_arrays(case)[0]
    kernel = w_shape[2:]
    cols = conv.im2col(x, kernel, stride, padding, dilation)
    expected = F.unfold(float64_tensor(x), kernel, dilation=dilation, padding=padding, stride=stride).numpy()
    np.testing.assert_array_equal(cols, expected)  # a copy of the same numbers in the same places: exact
    y = np.random.default_rng(stable_seed("y", case)).normal(size=cols.shape)
    folded = F.fold(float64_tensor(y), x_shape[2:], kernel, dilation=dilation, padding=padding, stride=stride)
    assert_close(conv.col2im(y, x_shape, kernel, stride, padding, dilation), folded.numpy())


def test_im2col_layout_with_known_numbers():
    x = np.arange(2 * 3 * 3.0).reshape(1, 2, 3, 3)  # two channels of 3×3
    cols = conv.im2col(x, 2)
    assert cols.shape == (1, 2 * 2 * 2, 4)
    np.testing.assert_array_equal(cols[0, :, 0], [0, 1, 3, 4, 9, 10, 12, 13])  # the top-left window, c then u, v
    np.testing.assert_array_equal(cols[0, 0], [0, 1, 3, 4])  # tap (0, 0) of channel 0 in each window, row by row


@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
def test_col2im_is_the_adjoint_of_im2col(case):
    x_shape, w_shape, stride, padding, dilation = case
    rng = np.random.default_rng(stable_seed("adjoint", case))
    x = rng.normal(size=x_shape)
    cols = conv.im2col(x, w_shape[2:], stride, padding, dilation)
    y = rng.normal(size=cols.shape)
    back = conv.col2im(y, x_shape, w_shape[2:], stride, padding, dilation)
    assert math.isclose(np.sum(cols * y), np.sum(x * back), rel_tol=1e-12, abs_tol=1e-12)


def test_col2im_sums_the_overlaps():
    ones = conv.im2col(np.ones((1, 1, 4, 4)), 3)  # four overlapping 3×3 windows
    counts = conv.col2im(ones, (1, 1, 4, 4), 3)[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


# ---------------------------------------------------------------------------------------------
# conv2d: im2col and naive loops against F.conv2d
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
def test_conv2d_and_conv2d_naive_match_torch(case):
    _, _, stride, padding, dilation = case
    x, w, b = case_arrays(case)
    for bias in (b, None):
        expected = torch_conv2d(x, w, bias, stride, padding, dilation)
        assert_close(conv.conv2d(x, w, bias, stride, padding, dilation), expected)
        assert_close(conv.conv2d_naive(x, w, bias, stride, padding, dilation), expected)


@pytest.mark.parametrize("scale", [1e6, 1e-8])
def test_conv2d_stays_exact_on_large_and_tiny_inputs(scale):
    case = CONV_CASES[2]
    x, w, b = case_arrays(case, scale)
    expected = torch_conv2d(x, w, b * scale, *case[2:])
    assert_close(conv.conv2d(x, w, b * scale, *case[2:]), expected, atol=1e-12 * scale)


def test_conv2d_is_a_cross_correlation_not_a_flipped_convolution():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0  # an impulse: the output shows the kernel
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = conv.conv2d(x, w, padding=1)[0, 0]
    np.testing.assert_array_equal(out, w[0, 0, ::-1, ::-1])  # an impulse response is the kernel turned 180°


def test_naive_and_im2col_agree_on_integer_inputs_exactly():
    rng = np.random.default_rng(5)
    x, w = rng.integers(-3, 4, size=(2, 2, 6, 5)), rng.integers(-3, 4, size=(3, 2, 3, 2))
    np.testing.assert_array_equal(conv.conv2d(x, w, stride=(1, 2), padding=1),
                                  conv.conv2d_naive(x, w, stride=(1, 2), padding=1))


# ---------------------------------------------------------------------------------------------
# Conv2d and Conv1d layers against their torch.nn twins, forward and backward
# ---------------------------------------------------------------------------------------------
def twin_grads(twin, x, grad_out):
    """(output, dL/dx, {name: dL/dp}) from autograd for L = sum(twin(x) * grad_out)."""
    xt = float64_tensor(x, requires_grad=True)
    out = twin(xt)
    out.backward(float64_tensor(grad_out))
    return out.detach().numpy(), xt.grad.numpy(), {n: p.grad.numpy() for n, p in twin.named_parameters()}


def check_against_twin(ours, twin, x, calls=1):
    copy_params_to_torch(ours, twin)
    out = ours(x)
    grad_out = np.random.default_rng(stable_seed("g", x.shape)).normal(size=out.shape)
    expected_out, expected_dx, expected_grads = twin_grads(twin, x, grad_out)
    assert_close(out, expected_out)
    for _ in range(calls):
        dx = ours.backward(grad_out)
    assert_close(dx, expected_dx)
    for name, p in ours.named_parameters():
        assert_close(p.grad, calls * expected_grads[name])


@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_layer_forward_and_backward_match_torch(case, bias):
    x_shape, (f, c, kh, kw), stride, padding, dilation = case
    ours = conv.Conv2d(c, f, (kh, kw), stride, padding, dilation, bias=bias, rng=np.random.default_rng(0))
    twin = torch.nn.Conv2d(c, f, (kh, kw), stride, padding, dilation, bias=bias, dtype=torch.float64)
    check_against_twin(ours, twin, case_arrays(case)[0])


def test_conv2d_layer_gradients_accumulate_over_backward_calls():
    ours = conv.Conv2d(2, 3, 3, padding=1, rng=np.random.default_rng(1))
    twin = torch.nn.Conv2d(2, 3, 3, padding=1, dtype=torch.float64)
    check_against_twin(ours, twin, np.random.default_rng(2).normal(size=(2, 2, 5, 4)), calls=2)


CONV1D_CASES = [((2, 3, 9), 4, 3, 1, 0, 1), ((2, 3, 9), 2, 3, 2, 1, 1), ((1, 2, 12), 3, 3, 2, 2, 3),
                ((3, 4, 5), 5, 1, 1, 0, 1), ((2, 1, 7), 2, (2,), (3,), (1,), (2,))]


@pytest.mark.parametrize("case", CONV1D_CASES, ids=[str(c) for c in CONV1D_CASES])
@pytest.mark.parametrize("bias", [True, False])
def test_conv1d_layer_forward_and_backward_match_torch(case, bias):
    x_shape, f, k, stride, padding, dilation = case
    ours = conv.Conv1d(x_shape[1], f, k, stride, padding, dilation, bias=bias, rng=np.random.default_rng(0))
    twin = torch.nn.Conv1d(x_shape[1], f, k, stride, padding, dilation, bias=bias, dtype=torch.float64)
    assert ours.weight.shape == tuple(twin.weight.shape)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in twin.named_parameters()]  # same order too
    check_against_twin(ours, twin, np.random.default_rng(stable_seed(case)).normal(size=x_shape))


def test_conv_layers_print_like_torch():
    assert "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)" in repr(conv.Conv2d(3, 8, 3, padding=1))
    assert "Conv1d(3, 8, kernel_size=(5,), stride=(2,)" in repr(conv.Conv1d(3, 8, 5, stride=2))


# ---------------------------------------------------------------------------------------------
# float32: Conv2d(..., dtype=np.float32) and the functions given float32 arrays
# ---------------------------------------------------------------------------------------------
def float32_twin_check(ours, twin, x, grad_out):
    """Our float32 layer's output and three gradients against autograd, exact (float64) and torch's float32."""
    copy_params_to_torch(ours, twin)  # the float32 weights, exactly
    out = ours(x)
    dx = ours.backward(grad_out)
    assert ours.weight.data.dtype == np.float32 and ours.weight.grad.dtype == np.float32
    for dtype in (torch.float64, torch.float32):  # the exact answer, then what the benchmark compares with
        twin = twin.to(dtype)
        xt = torch.tensor(x, dtype=dtype, requires_grad=True)
        expected = twin(xt)
        expected.backward(torch.tensor(grad_out, dtype=dtype))
        assert_close32(out, expected.detach().numpy())
        assert_close32(dx, xt.grad.numpy())
        for name, p in ours.named_parameters():
            assert_close32(p.grad, dict(twin.named_parameters())[name].grad.numpy())
        twin.zero_grad()


@pytest.mark.parametrize("scale", [1.0, 1e15, 1e-15], ids=["unit", "huge", "tiny"])
@pytest.mark.parametrize("case", CONV_CASES, ids=CASE_IDS)
def test_a_float32_conv2d_layer_matches_torch(case, scale):
    x_shape, (f, c, kh, kw), stride, padding, dilation = case
    ours = conv.Conv2d(c, f, (kh, kw), stride, padding, dilation, rng=np.random.default_rng(0), dtype=np.float32)
    twin = torch.nn.Conv2d(c, f, (kh, kw), stride, padding, dilation)
    rng = np.random.default_rng(stable_seed("f32", case))
    x = (rng.normal(size=x_shape) * scale).astype(np.float32)
    grad_out = rng.normal(size=ours(x).shape).astype(np.float32)
    float32_twin_check(ours, twin, x, grad_out)


@pytest.mark.parametrize("case", CONV1D_CASES, ids=[str(c) for c in CONV1D_CASES])
def test_a_float32_conv1d_layer_matches_torch(case):
    x_shape, f, k, stride, padding, dilation = case
    ours = conv.Conv1d(x_shape[1], f, k, stride, padding, dilation, rng=np.random.default_rng(0), dtype=np.float32)
    twin = torch.nn.Conv1d(x_shape[1], f, k, stride, padding, dilation)
    rng = np.random.default_rng(stable_seed("f32", case))
    x = rng.normal(size=x_shape).astype(np.float32)
    float32_twin_check(ours, twin, x, rng.normal(size=ours(x).shape).astype(np.float32))


def test_a_float32_layer_casts_what_it_is_given_and_accumulates_in_float32():
    ours = conv.Conv2d(2, 3, 3, padding=1, rng=np.random.default_rng(1), dtype=np.float32)
    x = np.random.default_rng(2).normal(size=(2, 2, 5, 4))  # float64 in: cast to the layer's dtype
    out = ours(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, ours(x.astype(np.float32)))
    for _ in range(2):
        dx = ours.backward(np.ones(out.shape))  # a float64 gradient: cast too
    assert dx.dtype == ours.weight.grad.dtype == ours.bias.grad.dtype == np.float32
    assert ours(np.ones((1, 2, 3, 3), dtype=np.int64)).dtype == np.float32  # integers are converted
    with pytest.raises(ValueError, match=r"input must contain real numbers.*got dtype bool"):
        ours(np.ones((1, 2, 3, 3), dtype=bool))
    assert ours.dtype == np.float32 and "dtype=float32" in repr(ours)


def test_a_float32_layer_starts_from_the_float64_layers_weights_rounded():
    layers = [conv.Conv2d(3, 4, 3, rng=np.random.default_rng(7), dtype=dtype) for dtype in (np.float64, "float32")]
    for ours64, ours32 in zip(layers[0].parameters(), layers[1].parameters()):
        np.testing.assert_array_equal(ours32.data, ours64.data.astype(np.float32))


def test_a_float64_layer_still_computes_in_float64_given_float32():
    ours = conv.Conv2d(1, 2, 3, rng=np.random.default_rng(3))
    out = ours(np.ones((1, 1, 4, 4), dtype=np.float32))  # e.g. utils.mnist_cnn.as_images's batches
    dx = ours.backward(np.ones(out.shape, dtype=np.float32))
    assert out.dtype == dx.dtype == ours.weight.grad.dtype == np.float64
    assert "dtype" not in repr(ours)


@pytest.mark.parametrize("make", [lambda dtype: conv.Conv2d(1, 1, 3, dtype=dtype),
                                  lambda dtype: conv.Conv1d(1, 1, 3, dtype=dtype)])
@pytest.mark.parametrize("bad, got", [(np.float16, "float16"), (np.int32, "int32"), (None, "None")])
def test_a_layer_refuses_a_dtype_other_than_float64_or_float32(make, bad, got):
    with pytest.raises(ValueError, match=rf"dtype must be np.float64 or np.float32, got {got}"):
        make(bad)


@pytest.mark.parametrize("case", CONV_CASES[:5], ids=CASE_IDS[:5])
def test_the_functions_compute_in_float32_when_every_array_is_float32(case):
    x_shape, w_shape, stride, padding, dilation = case
    x, w, b = case_arrays(case)
    x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
    exact = torch_conv2d(x32, w32, b32, stride, padding, dilation)  # float64 on the float32 numbers
    assert_close32(conv.conv2d(x32, w32, b32, stride, padding, dilation), exact)
    assert_close32(conv.conv2d_naive(x32, w32, b32, stride, padding, dilation), exact)
    assert conv.conv2d(x32, w32, None, stride, padding, dilation).dtype == np.float32
    assert conv.conv2d(x32, w, b32, stride, padding, dilation).dtype == np.float64  # one float64 array: float64
    assert conv.conv2d(x32.astype(int), w32, b32, stride, padding, dilation).dtype == np.float64
    cols = conv.im2col(x32, w_shape[2:], stride, padding, dilation)
    np.testing.assert_array_equal(cols, conv.im2col(x, w_shape[2:], stride, padding, dilation).astype(np.float32))
    assert cols.dtype == np.float32
    back = conv.col2im(cols, x_shape, w_shape[2:], stride, padding, dilation)
    assert_close32(back, conv.col2im(cols.astype(np.float64), x_shape, w_shape[2:], stride, padding, dilation))


# ---------------------------------------------------------------------------------------------
# Initialization: torch's default, checked by its statistics
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, fan_in", [(lambda rng: conv.Conv2d(16, 64, 3, rng=rng), 16 * 9),
                                          (lambda rng: conv.Conv2d(3, 4000, (2, 5), rng=rng), 3 * 10),
                                          (lambda rng: conv.Conv1d(8, 400, 7, rng=rng), 8 * 7)])
def test_default_init_is_uniform_within_one_over_root_fan_in(make, fan_in):
    layer = make(np.random.default_rng(3))
    bound = 1.0 / math.sqrt(fan_in)
    for values in (layer.weight.data.ravel(), layer.bias.data):
        assert np.abs(values).max() <= bound
        if values.size < 1000:
            continue  # too few draws for the statistics below
        std = bound / math.sqrt(3.0)  # the std of U(−bound, bound)
        assert abs(values.mean()) < 4 * std / math.sqrt(values.size)
        assert abs(values.std() / std - 1) < 0.05
        assert np.abs(values).max() > 0.95 * bound  # the whole interval is used, not a narrower one


def test_init_is_reproducible_with_an_rng():
    a, b = conv.Conv2d(2, 3, 3, rng=np.random.default_rng(7)), conv.Conv2d(2, 3, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)


def test_gradcheck_on_a_tiny_conv2d():
    layer = conv.Conv2d(2, 2, (2, 3), stride=(1, 2), padding=1, dilation=(2, 1), rng=np.random.default_rng(4))
    report = gradcheck_module(layer, np.random.default_rng(5).normal(size=(2, 2, 4, 5)))
    assert report.passed, str(report)


# ---------------------------------------------------------------------------------------------
# Pooling: max (with ties), average, global average; Flatten
# ---------------------------------------------------------------------------------------------
# (x shape, kernel_size, stride, padding): windows side by side, overlapping (stride < kernel), with gaps
# (stride > kernel), rectangular, padded
POOL_CASES = [((2, 3, 6, 6), 2, None, 0), ((2, 2, 7, 7), 3, 2, 1), ((1, 2, 7, 5), 3, 1, 1),
              ((2, 1, 8, 9), (2, 3), (3, 2), (1, 0)), ((1, 3, 5, 5), 2, 3, 0), ((2, 2, 5, 6), (3, 2), 1, (1, 1))]
POOL_IDS = [str(c) for c in POOL_CASES]


def pool_input_with_ties(case):
    """Integer values from {0, 1, 2}: almost every window holds a tie, often for its maximum."""
    return np.random.default_rng(stable_seed(case)).integers(0, 3, size=case[0]).astype(float)


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_max_pool_matches_torch_exactly_on_ties(case):
    x_shape, kernel, stride, padding = case
    x = pool_input_with_ties(case)
    layer = conv.MaxPool2d(kernel, stride, padding)
    out = layer(x)
    xt = float64_tensor(x, requires_grad=True)
    expected = F.max_pool2d(xt, kernel, stride, padding)
    grad_out = np.random.default_rng(1).integers(1, 9, size=out.shape).astype(float)  # sums of integers: exact
    expected.backward(float64_tensor(grad_out))
    np.testing.assert_array_equal(out, expected.detach().numpy())
    np.testing.assert_array_equal(layer.backward(grad_out), xt.grad.numpy())


def test_max_pool_sends_the_gradient_to_the_first_maximum_only():
    x = np.array([[[[1.0, 3.0], [3.0, 3.0]]]])  # three tied maxima
    layer = conv.MaxPool2d(2)
    np.testing.assert_array_equal(layer(x), [[[[3.0]]]])
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 1, 1), 5.0)), [[[[0.0, 5.0], [0.0, 0.0]]]])


def test_max_pool_overlapping_windows_add_their_gradients_on_a_shared_maximum():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0  # the centre wins all four overlapping 2×2 windows
    layer = conv.MaxPool2d(2, stride=1)
    layer(x)
    grad = layer.backward(np.ones((1, 1, 2, 2)))
    assert grad[0, 0, 1, 1] == 4.0 and grad.sum() == 4.0


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_avg_pool_matches_torch(case):
    x_shape, kernel, stride, padding = case
    x = np.random.default_rng(stable_seed("avg", case)).normal(size=x_shape)
    layer = conv.AvgPool2d(kernel, stride, padding)
    out = layer(x)
    grad_out = np.random.default_rng(2).normal(size=out.shape)
    fn = lambda t: F.avg_pool2d(t, kernel, stride, padding)  # noqa: E731
    xt = float64_tensor(x, requires_grad=True)
    expected = fn(xt)
    expected.backward(float64_tensor(grad_out))
    assert_close(out, expected.detach().numpy())
    assert_close(layer.backward(grad_out), xt.grad.numpy())


def test_pooling_refuses_padding_over_half_the_kernel_as_torch_does():
    with pytest.raises(RuntimeError):
        F.max_pool2d(torch.zeros(1, 1, 6, 6), 3, padding=2)
    for layer in (conv.MaxPool2d, conv.AvgPool2d):
        with pytest.raises(ValueError, match=r"padding must be at most half of kernel_size"):
            layer(3, padding=2)


def test_global_average_pooling_matches_torch():
    x = np.random.default_rng(6).normal(size=(3, 4, 5, 2))
    layer = conv.AdaptiveAvgPool2d(1)
    grad_out = np.random.default_rng(7).normal(size=(3, 4, 1, 1))
    xt = float64_tensor(x, requires_grad=True)
    expected = F.adaptive_avg_pool2d(xt, 1)
    expected.backward(float64_tensor(grad_out))
    assert_close(layer(x), expected.detach().numpy())
    assert_close(layer.backward(grad_out), xt.grad.numpy())
    with pytest.raises(ValueError, match=r"output_size must be 1 or \(1, 1\).*got \(2, 2\)"):
        conv.AdaptiveAvgPool2d((2, 2))


@pytest.mark.parametrize("start_dim, end_dim", [(1, -1), (0, -1), (2, 3), (1, 2)])
def test_flatten_matches_torch(start_dim, end_dim):
    x = np.random.default_rng(8).normal(size=(2, 3, 4, 5))
    layer = conv.Flatten(start_dim, end_dim)
    expected = torch.nn.Flatten(start_dim, end_dim)(float64_tensor(x)).numpy()
    out = layer(x)
    assert_close(out, expected)
    np.testing.assert_array_equal(layer.backward(out * 2), x * 2)


# ---------------------------------------------------------------------------------------------
# A small CNN as a whole, against its torch.nn twin
# ---------------------------------------------------------------------------------------------
def test_a_small_cnn_matches_its_torch_twin():
    rng = np.random.default_rng(9)
    ours = Sequential(conv.Conv2d(1, 4, 3, padding=1, rng=rng), A.ReLU(), conv.MaxPool2d(2),
                      conv.Conv2d(4, 6, 3, stride=2, rng=rng), A.ReLU(), conv.AdaptiveAvgPool2d(1),
                      conv.Flatten(), Linear(6, 3, rng=rng))
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(4, 6, 3, stride=2), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                               torch.nn.Flatten(), torch.nn.Linear(6, 3)).double()
    check_against_twin(ours, twin, rng.normal(size=(3, 1, 12, 10)))


# ---------------------------------------------------------------------------------------------
# Errors (the inventory is tests/test_errors.py; these are the conv-specific wordings)
# ---------------------------------------------------------------------------------------------
def test_shape_and_channel_errors_name_what_was_expected_and_got():
    layer = conv.Conv2d(3, 2, 3)
    with pytest.raises(ValueError, match=r"expected an input of shape \(N, C, H, W\), got shape \(3, 5, 5\)"):
        layer(np.zeros((3, 5, 5)))
    with pytest.raises(ValueError, match=r"expects in_channels=3 input channels, got x with C = 1"):
        layer(np.zeros((2, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"weight of shape \(2, 3, 3, 3\) expects C = 3 input channels, got x with "
                                         r"C = 2"):
        conv.conv2d(np.zeros((1, 2, 5, 5)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"stride must be a positive integer, got 0"):
        conv.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match=r"dilation must be a positive integer, got -1"):
        conv.im2col(np.zeros((1, 1, 5, 5)), 3, dilation=(1, -1))
    with pytest.raises(ValueError, match=r"padding must be an integer >= 0, got -1"):
        conv.Conv1d(1, 1, 3, padding=-1)
