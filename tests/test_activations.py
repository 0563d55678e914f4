"""Parity of utils.activations with PyTorch (float64), stability at extreme inputs, kinks, validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.numerics import assert_close, strict_numerics
from tests.torch_twins import copy_params_to_torch, float64_tensor, torch_grad
from utils import activations as A

SHAPES = [(5,), (4, 7), (2, 3, 5)]
EXTREME = np.array([-1000.0, -50.0, -1e-8, 0.0, 1e-8, 50.0, 1000.0])
HUGE = np.array([-1e300, 1e300])




def random_input(shape, seed=0, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


# ---------------------------------------------------------------------------------------------
# Elementwise functions: (ours, our derivative, torch twin)
# ---------------------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    f: Callable
    df: Callable
    torch_f: Callable
    huge_derivative: dict = field(default_factory=dict)  # where autograd gives nan at ±1e300: the limit


W = 0.25
CASES = [
    Case("identity", A.identity, A.identity_derivative, lambda t: t * 1.0),
    Case("sigmoid", A.sigmoid, A.sigmoid_derivative, torch.sigmoid),
    Case("tanh", A.tanh, A.tanh_derivative, torch.tanh),
    Case("relu", A.relu, A.relu_derivative, F.relu),
    Case("leaky_relu", A.leaky_relu, A.leaky_relu_derivative, F.leaky_relu),
    Case(
        "leaky_relu_0.2",
        lambda x: A.leaky_relu(x, 0.2),
        lambda x: A.leaky_relu_derivative(x, 0.2),
        lambda t: F.leaky_relu(t, 0.2),
    ),
    Case(
        "prelu_single",
        lambda x: A.prelu(x, [W]),
        lambda x: A.prelu_derivative(x, [W]),
        lambda t: F.prelu(t, float64_tensor([W])),
    ),
    Case("rrelu_eval", A.rrelu, A.rrelu_slopes, lambda t: F.rrelu(t, training=False)),
    Case(
        "rrelu_eval_0.1_0.5",
        lambda x: A.rrelu(x, 0.1, 0.5),
        lambda x: A.rrelu_slopes(x, 0.1, 0.5),
        lambda t: F.rrelu(t, 0.1, 0.5, training=False),
    ),
    Case("elu", A.elu, A.elu_derivative, F.elu),
    Case(
        "elu_2.5",
        lambda x: A.elu(x, 2.5),
        lambda x: A.elu_derivative(x, 2.5),
        lambda t: F.elu(t, 2.5),
    ),
    Case("gelu", A.gelu, A.gelu_derivative, F.gelu),
    Case(
        "gelu_tanh",
        lambda x: A.gelu(x, "tanh"),
        lambda x: A.gelu_derivative(x, "tanh"),
        lambda t: F.gelu(t, approximate="tanh"),
        # autograd computes x²·(1 - tanh²) = inf·0 = nan at ±1e300; the true limits are 0 and 1
        huge_derivative={-1e300: 0.0, 1e300: 1.0},
    ),
    Case("silu", A.silu, A.silu_derivative, F.silu),
    Case("softplus", A.softplus, A.softplus_derivative, F.softplus),
    Case(
        "softplus_b2_t5",
        lambda x: A.softplus(x, 2.0, 5.0),
        lambda x: A.softplus_derivative(x, 2.0, 5.0),
        lambda t: F.softplus(t, 2.0, 5.0),
    ),
    Case(
        "softplus_b0.5_t1",
        lambda x: A.softplus(x, 0.5, 1.0),
        lambda x: A.softplus_derivative(x, 0.5, 1.0),
        lambda t: F.softplus(t, 0.5, 1.0),
    ),
]
CASE_IDS = [c.name for c in CASES]


def torch_forward(fn, x):
    with torch.no_grad():
        return fn(float64_tensor(x)).numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_forward_matches_torch(case, shape):
    x = random_input(shape)
    assert_close(case.f(x), torch_forward(case.torch_f, x))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivative_matches_autograd(case, shape):
    x = random_input(shape, seed=1)
    assert_close(case.df(x), torch_grad(case.torch_f, x))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_extreme_inputs_match_torch_without_warnings(case):
    expected_f = torch_forward(case.torch_f, EXTREME)
    expected_df = torch_grad(case.torch_f, EXTREME)
    with strict_numerics():
        got_f, got_df = case.f(EXTREME), case.df(EXTREME)
    assert_close(got_f, expected_f)
    assert_close(got_df, expected_df)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_huge_inputs_stay_finite_and_match_torch(case):
    expected_f = torch_forward(case.torch_f, HUGE)
    expected_df = torch_grad(case.torch_f, HUGE)
    for i, v in enumerate(HUGE):
        if v in case.huge_derivative:
            expected_df[i] = case.huge_derivative[v]
    with strict_numerics():
        got_f, got_df = case.f(HUGE), case.df(HUGE)
    assert np.all(np.isfinite(got_f)) and np.all(np.isfinite(got_df))
    assert_close(got_f, expected_f)
    assert_close(got_df, expected_df)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_input_is_not_mutated_and_ints_become_float64(case):
    x = np.array([[-3, -1, 0, 2, 5]])
    before = x.copy()
    got = case.f(x)
    np.testing.assert_array_equal(x, before)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert_close(got, case.f(x.astype(np.float64)))
    assert case.df(x).dtype == np.float64


def test_gelu_tanh_autograd_is_nan_at_huge_inputs_where_ours_is_the_limit():
    # Documents why gelu_tanh has a special case above (and fails if PyTorch changes it: then drop it).
    grad = torch_grad(lambda t: F.gelu(t, approximate="tanh"), HUGE)
    assert np.all(np.isnan(grad))
    np.testing.assert_array_equal(A.gelu_derivative(HUGE, "tanh"), [0.0, 1.0])


# ---------------------------------------------------------------------------------------------
# Kinks: the value of the derivative at exactly 0, ours and autograd's
# ---------------------------------------------------------------------------------------------
KINKS = [
    ("relu", A.relu_derivative, F.relu, 0.0),
    ("leaky_relu_0.2", lambda x: A.leaky_relu_derivative(x, 0.2), lambda t: F.leaky_relu(t, 0.2), 0.2),
    ("prelu_0.25", lambda x: A.prelu_derivative(x, [0.25]), lambda t: F.prelu(t, float64_tensor([0.25])), 0.25),
    ("elu_2", lambda x: A.elu_derivative(x, 2.0), lambda t: F.elu(t, 2.0), 2.0),
    ("rrelu_eval", A.rrelu_slopes, lambda t: F.rrelu(t, training=False), (1 / 8 + 1 / 3) / 2),
    ("sigmoid", A.sigmoid_derivative, torch.sigmoid, 0.25),
    ("tanh", A.tanh_derivative, torch.tanh, 1.0),
    ("gelu", A.gelu_derivative, F.gelu, 0.5),
    ("gelu_tanh", lambda x: A.gelu_derivative(x, "tanh"), lambda t: F.gelu(t, approximate="tanh"), 0.5),
    ("silu", A.silu_derivative, F.silu, 0.5),
    ("softplus", A.softplus_derivative, F.softplus, 0.5),
]


@pytest.mark.parametrize("name, df, torch_f, expected", KINKS, ids=[k[0] for k in KINKS])
def test_derivative_at_zero(name, df, torch_f, expected):
    x = np.array([0.0, -0.0])
    assert_close(torch_grad(torch_f, x), [expected, expected])  # what PyTorch does ...
    assert_close(df(x), [expected, expected])  # ... and we do the same


def test_rrelu_training_slope_at_zero_is_random_like_torch():
    # PyTorch's training-mode RReLU draws a slope for x <= 0 (not only x < 0): the gradient at 0 is random.
    torch.manual_seed(0)
    grad = torch_grad(lambda t: F.rrelu(t, training=True), np.zeros(50))
    assert np.all((grad >= 1 / 8) & (grad <= 1 / 3)) and np.unique(grad).size > 1
    slopes = A.rrelu_slopes(np.zeros(50), training=True, rng=np.random.default_rng(0))
    assert np.all((slopes >= 1 / 8) & (slopes <= 1 / 3)) and np.unique(slopes).size > 1


def test_softplus_threshold_boundary_like_torch():
    # Linear only where beta*x > threshold (strictly): x = 20 is still on the smooth branch.
    x = np.array([19.999, 20.0, 20.001])
    assert_close(A.softplus(x), torch_forward(F.softplus, x))
    assert_close(A.softplus_derivative(x), torch_grad(F.softplus, x))
    assert A.softplus(x)[1] > 20.0 and A.softplus(x)[2] == 20.001
    assert A.softplus_derivative(x)[1] < 1.0 and A.softplus_derivative(x)[2] == 1.0


# ---------------------------------------------------------------------------------------------
# Step (forward only in PyTorch)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [random_input((4, 7)), EXTREME, HUGE, np.array([0.0, -0.0])], ids=str)
def test_step_matches_heaviside(x):
    with strict_numerics():
        got = A.step(x)
    assert_close(got, torch.heaviside(float64_tensor(x), torch.tensor(1.0, dtype=torch.float64)).numpy())
    np.testing.assert_array_equal(A.step_derivative(x), np.zeros_like(x))


def test_torch_heaviside_has_no_gradient():
    x = float64_tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.heaviside(x, torch.tensor(1.0, dtype=torch.float64)).sum().backward()


# ---------------------------------------------------------------------------------------------
# Softmax and log-softmax: forward, VJP, full Jacobian, any axis
# ---------------------------------------------------------------------------------------------
SOFTMAXES = [
    ("softmax", A.softmax, A.softmax_vjp, A.softmax_jacobian, F.softmax),
    ("log_softmax", A.log_softmax, A.log_softmax_vjp, A.log_softmax_jacobian, F.log_softmax),
]
SOFTMAX_IDS = [s[0] for s in SOFTMAXES]
SHAPE_AXES = [(s, a) for s in SHAPES for a in sorted({0, len(s) - 1, -1} | ({1} if len(s) > 1 else set()))]


@pytest.mark.parametrize("shape, axis", SHAPE_AXES, ids=str)
@pytest.mark.parametrize("name, f, vjp, jac, torch_f", SOFTMAXES, ids=SOFTMAX_IDS)
def test_softmax_forward_and_vjp_match_torch(name, f, vjp, jac, torch_f, shape, axis):
    x, g = random_input(shape, seed=2), random_input(shape, seed=3, scale=1.0)
    assert_close(f(x, axis=axis), torch_forward(lambda t: torch_f(t, dim=axis), x))
    assert_close(vjp(x, g, axis=axis), torch_grad(lambda t: torch_f(t, dim=axis), x, g))


def per_slice_jacobian(full: np.ndarray, axis: int) -> np.ndarray:
    """From autograd's full Jacobian (shape + shape) to the per-slice blocks (..., C, C) along ``axis``."""
    n = full.ndim // 2
    axis %= n
    moved = np.moveaxis(full, [axis, n + axis], [n - 1, 2 * n - 1])  # batch..., C, batch..., C
    batch, c = moved.shape[: n - 1], moved.shape[n - 1]
    p = int(np.prod(batch))
    flat = moved.reshape(p, c, p, c)
    return flat[np.arange(p), :, np.arange(p), :].reshape(*batch, c, c)


JACOBIAN_SHAPE_AXES = [((4,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3, 4), 1), ((2, 3, 4), -1)]


@pytest.mark.parametrize("shape, axis", JACOBIAN_SHAPE_AXES, ids=str)
@pytest.mark.parametrize("name, f, vjp, jac, torch_f", SOFTMAXES, ids=SOFTMAX_IDS)
def test_jacobian_matches_autograd(name, f, vjp, jac, torch_f, shape, axis):
    x = random_input(shape, seed=4)
    full = torch.autograd.functional.jacobian(lambda t: torch_f(t, dim=axis), float64_tensor(x)).numpy()
    # the full Jacobian is zero between different slices: all the information is in the blocks
    blocks = per_slice_jacobian(full, axis)
    assert np.count_nonzero(full) == np.count_nonzero(blocks)
    assert_close(jac(x, axis=axis), blocks)


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_jacobian_is_symmetric_and_vjp_is_jacobian_product(axis):
    x, g = random_input((3, 4), seed=5), random_input((3, 4), seed=6)
    j = A.softmax_jacobian(x, axis=axis)
    assert_close(j, np.swapaxes(j, -1, -2))
    g_last = np.moveaxis(g, axis, -1)
    for vjp, jac in [(A.softmax_vjp, j), (A.log_softmax_vjp, A.log_softmax_jacobian(x, axis=axis))]:
        via_matrix = np.moveaxis(np.einsum("...i,...ij->...j", g_last, jac), -1, axis)  # gᵀ J
        assert_close(vjp(x, g, axis=axis), via_matrix)


EXTREME_ROWS = np.array(
    [
        [-1000.0, 0.0, 1000.0],
        [1000.0, 1000.0, -1000.0],
        [-1000.0, -1000.0, -1000.0],
        [1e300, -1e300, 0.0],
        [-np.inf, 0.0, 1.0],
        [-np.inf, -np.inf, 5.0],
    ]
)


@pytest.mark.parametrize("name, f, vjp, jac, torch_f", SOFTMAXES, ids=SOFTMAX_IDS)
def test_softmax_extreme_rows_match_torch_without_warnings(name, f, vjp, jac, torch_f):
    g = random_input(EXTREME_ROWS.shape, seed=7, scale=1.0)
    expected_f = torch_forward(lambda t: torch_f(t, dim=1), EXTREME_ROWS)
    expected_vjp = torch_grad(lambda t: torch_f(t, dim=1), EXTREME_ROWS, g)
    with strict_numerics():
        got_f, got_vjp = f(EXTREME_ROWS, axis=1), vjp(EXTREME_ROWS, g, axis=1)
        got_jac = jac(EXTREME_ROWS, axis=1)
    assert_close(got_f, expected_f)
    assert_close(got_vjp, expected_vjp)
    assert np.all(np.isfinite(got_vjp)) and np.all(np.isfinite(got_jac))


def test_softmax_of_all_minus_inf_row_is_nan_like_torch_without_warning():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    with strict_numerics():
        s, ls = A.softmax(x), A.log_softmax(x)
    assert np.all(np.isnan(s[0])) and np.all(np.isnan(ls[0]))
    np.testing.assert_array_equal(s[1], [1.0, 0.0])
    np.testing.assert_array_equal(ls[1], [0.0, -np.inf])
    assert np.all(np.isnan(F.softmax(float64_tensor(x), dim=-1).numpy()[0]))


# ---------------------------------------------------------------------------------------------
# PReLU: functions and module vs torch.nn.PReLU
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2)], ids=str)
@pytest.mark.parametrize("num_parameters", [1, 3])
def test_prelu_module_and_functions_match_torch(num_parameters, shape):
    x, g = random_input(shape, seed=8), random_input(shape, seed=9, scale=1.0)
    ours = A.PReLU(num_parameters)
    ours.weight.data[:] = np.linspace(0.1, 0.4, num_parameters)
    twin = torch.nn.PReLU(num_parameters, dtype=torch.float64)
    copy_params_to_torch(ours, twin)

    xt = float64_tensor(x, requires_grad=True)
    out_t = twin(xt)
    out_t.backward(float64_tensor(g))
    w = ours.weight.data

    out = ours(x)
    grad_x = ours.backward(g)
    assert_close(out, out_t.detach().numpy())
    assert_close(A.prelu(x, w), out)
    assert_close(grad_x, xt.grad.numpy())
    assert_close(g * A.prelu_derivative(x, w), grad_x)
    assert_close(ours.weight.grad, twin.weight.grad.numpy())
    assert_close(A.prelu_weight_grad(x, w, g), ours.weight.grad)


def test_prelu_weight_grad_accumulates_over_two_backward_calls():
    x, g = random_input((4, 3, 5), seed=10), random_input((4, 3, 5), seed=11)
    m = A.PReLU(3)
    m(x)
    m.backward(g)
    once = m.weight.grad.copy()
    m.backward(g)
    assert_close(m.weight.grad, 2 * once)
    m.zero_grad()
    assert m.weight.grad is None


def test_prelu_weight_shapes_scalar_and_1d_input():
    x = np.array([-2.0, 3.0])
    assert_close(A.prelu(x, 0.5), [-1.0, 3.0])  # a 0-d weight works
    assert A.prelu_weight_grad(x, 0.5, [1.0, 1.0]).shape == ()
    assert A.prelu_weight_grad(x, [0.5], [1.0, 1.0]).shape == (1,)
    assert_close(A.prelu_weight_grad(x, [0.5], [1.0, 1.0]), [-2.0])


@pytest.mark.parametrize(
    "x_shape, w_shape, expected",
    [((2, 4, 5), (3,), "(4,)"), ((2, 4), (2, 2), "(4,)"), ((6,), (6,), "(1,)")],
    ids=str,
)
def test_prelu_bad_weight_shape_names_expected_and_actual(x_shape, w_shape, expected):
    with pytest.raises(ValueError) as err:
        A.prelu(np.ones(x_shape), np.ones(w_shape))
    assert expected in str(err.value) and str(w_shape) in str(err.value)


# ---------------------------------------------------------------------------------------------
# RReLU: eval mode is deterministic (tested with CASES above); training mode samples slopes
# ---------------------------------------------------------------------------------------------
def test_rrelu_training_slopes():
    lower, upper = 0.1, 0.3
    x = random_input((200, 5), seed=12)
    slopes = A.rrelu_slopes(x, lower, upper, training=True, rng=np.random.default_rng(0))
    neg = x <= 0
    assert np.all((slopes[neg] >= lower) & (slopes[neg] <= upper))
    np.testing.assert_array_equal(slopes[~neg], 1.0)
    assert np.unique(slopes[neg]).size == neg.sum()  # a different slope for each element
    assert abs(slopes[neg].mean() - (lower + upper) / 2) < 0.01  # uniform: the mean is the midpoint
    again = A.rrelu_slopes(x, lower, upper, training=True, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(slopes, again)  # the rng makes it reproducible
    out = A.rrelu(x, lower, upper, training=True, rng=np.random.default_rng(0))
    assert_close(out, x * slopes)


def test_rrelu_module_train_and_eval():
    x, g = random_input((6, 4), seed=13), random_input((6, 4), seed=14)
    m = A.RReLU(0.1, 0.3, rng=np.random.default_rng(1))
    out = m(x)
    slopes = A.rrelu_slopes(x, 0.1, 0.3, training=True, rng=np.random.default_rng(1))
    assert_close(out, x * slopes)
    assert_close(m.backward(g), slopes * g)
    out2 = m(x)
    assert not np.allclose(out, out2)  # new slopes each forward in training mode
    m.eval()
    expected = torch_forward(lambda t: F.rrelu(t, 0.1, 0.3, training=False), x)
    assert_close(m(x), expected)
    assert_close(m.backward(g), torch_grad(lambda t: F.rrelu(t, 0.1, 0.3, training=False), x, g))


def test_rrelu_training_without_rng_is_a_clear_error():
    with pytest.raises(ValueError, match="rng"):
        A.rrelu(np.ones(3), training=True)
    with pytest.raises(ValueError, match="rng"):
        A.RReLU()(np.ones(3))
    A.RReLU().eval()(np.ones(3))  # eval mode needs no rng


# ---------------------------------------------------------------------------------------------
# Module twins: forward = our function, backward = autograd of the torch.nn twin, repr = torch's
# ---------------------------------------------------------------------------------------------
MODULES = [
    ("Identity", A.Identity, torch.nn.Identity, A.identity),
    ("Sigmoid", A.Sigmoid, torch.nn.Sigmoid, A.sigmoid),
    ("Tanh", A.Tanh, torch.nn.Tanh, A.tanh),
    ("ReLU", A.ReLU, torch.nn.ReLU, A.relu),
    ("LeakyReLU", lambda: A.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2), lambda x: A.leaky_relu(x, 0.2)),
    ("PReLU", A.PReLU, lambda: torch.nn.PReLU(dtype=torch.float64), lambda x: A.prelu(x, [0.25])),
    ("PReLU_4", lambda: A.PReLU(4, 0.1), lambda: torch.nn.PReLU(4, 0.1, dtype=torch.float64),
     lambda x: A.prelu(x, np.full(4, 0.1))),
    ("RReLU_eval", lambda: A.RReLU(0.2, 0.4).eval(), lambda: torch.nn.RReLU(0.2, 0.4).eval(),
     lambda x: A.rrelu(x, 0.2, 0.4)),
    ("ELU", lambda: A.ELU(1.5), lambda: torch.nn.ELU(1.5), lambda x: A.elu(x, 1.5)),
    ("GELU", A.GELU, torch.nn.GELU, A.gelu),
    ("GELU_tanh", lambda: A.GELU("tanh"), lambda: torch.nn.GELU("tanh"), lambda x: A.gelu(x, "tanh")),
    ("SiLU", A.SiLU, torch.nn.SiLU, A.silu),
    ("Softplus", lambda: A.Softplus(2.0, 5.0), lambda: torch.nn.Softplus(2.0, 5.0),
     lambda x: A.softplus(x, 2.0, 5.0)),
    ("Softmax", lambda: A.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), lambda x: A.softmax(x, 1)),
    ("Softmax_0", lambda: A.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0), lambda x: A.softmax(x, 0)),
    ("LogSoftmax", lambda: A.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1),
     lambda x: A.log_softmax(x, -1)),
    ("LogSoftmax_0", lambda: A.LogSoftmax(dim=0), lambda: torch.nn.LogSoftmax(dim=0),
     lambda x: A.log_softmax(x, 0)),
]
MODULE_IDS = [m[0] for m in MODULES]


def module_input(seed=15):
    x = random_input((7, 4), seed=seed)
    x[:, 0] = EXTREME  # one column of extreme values (one per row, so softmax rows stay finite)
    return x


@pytest.mark.parametrize("name, make_ours, make_torch, f", MODULES, ids=MODULE_IDS)
def test_module_matches_function_and_torch_twin(name, make_ours, make_torch, f):
    x, g = module_input(), random_input((7, 4), seed=16, scale=1.0)
    ours, twin = make_ours(), make_torch()
    copy_params_to_torch(ours, twin)
    xt = float64_tensor(x, requires_grad=True)
    out_t = twin(xt)
    out_t.backward(float64_tensor(g))
    with strict_numerics():
        out = ours(x)
        grad_x = ours.backward(g)
    assert_close(out, f(x))
    assert_close(out, out_t.detach().numpy())
    assert_close(grad_x, xt.grad.numpy())
    assert repr(ours) == repr(twin)


@pytest.mark.parametrize("name, make_ours, make_torch, f", MODULES, ids=MODULE_IDS)
def test_module_backward_before_forward_raises(name, make_ours, make_torch, f):
    with pytest.raises(RuntimeError, match="call forward before backward"):
        make_ours().backward(np.ones((7, 4)))


@pytest.mark.parametrize("name, make_ours, make_torch, f", MODULES, ids=MODULE_IDS)
def test_module_backward_checks_grad_shape(name, make_ours, make_torch, f):
    m = make_ours()
    m(np.ones((7, 4)))
    with pytest.raises(ValueError, match=r"\(7, 4\).*\(4, 7\)"):
        m.backward(np.ones((4, 7)))


def test_step_module():
    m = A.Step()
    x = module_input()
    np.testing.assert_array_equal(m(x), A.step(x))
    np.testing.assert_array_equal(m.backward(np.ones_like(x)), np.zeros_like(x))
    assert repr(m) == "Step()"


def test_gelu_module_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="'tanh'.*'fast'"):
        A.GELU("fast")
    with pytest.raises(ValueError, match="approximate"):
        A.gelu(np.ones(2), approximate="erf")


# ---------------------------------------------------------------------------------------------
# Bad input, known values, the ACTIVATIONS table
# ---------------------------------------------------------------------------------------------
ALL_FUNCTIONS = [
    *[(c.name, c.f) for c in CASES],
    *[(c.name + "'", c.df) for c in CASES],
    ("step", A.step),
    ("softmax", A.softmax),
    ("log_softmax", A.log_softmax),
    ("softmax_jacobian", A.softmax_jacobian),
    ("log_softmax_jacobian", A.log_softmax_jacobian),
]


@pytest.mark.parametrize(
    "bad, dtype",
    [
        (np.array(["1", "2"]), "<U1"),
        (np.array([1, None], dtype=object), "object"),
        (np.array([True]), "bool"),
    ],
    ids=["str", "object", "bool"],
)
@pytest.mark.parametrize("name, f", ALL_FUNCTIONS, ids=[n for n, _ in ALL_FUNCTIONS])
def test_non_numeric_input_is_rejected_with_its_dtype(name, f, bad, dtype):
    with pytest.raises(ValueError) as err:
        f(bad)
    assert "real numbers" in str(err.value) and dtype in str(err.value)


def test_vjp_checks_grad_shape():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        A.softmax_vjp(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        A.log_softmax_vjp(np.ones((2, 3)), np.ones(3))


def test_known_values():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_allclose(A.sigmoid(x), [0.119, 0.269, 0.5, 0.731, 0.881], atol=5e-4)
    np.testing.assert_allclose(A.tanh(x), [-0.964, -0.762, 0.0, 0.762, 0.964], atol=5e-4)
    np.testing.assert_allclose(A.softmax([2.0, 1.0, 0.1]), [0.659, 0.242, 0.099], atol=5e-4)
    assert_close(A.tanh(x), 2 * A.sigmoid(2 * x) - 1)
    grid = np.linspace(-5, 5, 1001)
    d = A.sigmoid_derivative(grid)
    assert d.max() == pytest.approx(0.25, abs=1e-15) and grid[np.argmax(d)] == 0.0
    assert_close(A.softmax(np.array([[1.0, 2.0, 3.0]]) + 1000.0), A.softmax([[1.0, 2.0, 3.0]]))


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_activations_table_derivative_matches_finite_differences(name):
    f, df = A.ACTIVATIONS[name]
    x = np.array([-2.7, -0.9, -0.3, 0.4, 1.1, 3.2])  # away from the kinks
    h = 1e-6
    numeric = (f(x + h) - f(x - h)) / (2 * h)
    np.testing.assert_allclose(df(x), numeric, rtol=1e-6, atol=1e-8)


def test_activations_table_names():
    expected = {"identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu"}
    assert set(A.ACTIVATIONS) == expected | {"softplus"}
    assert A.ACTIVATIONS["relu"] == (A.relu, A.relu_derivative)


# ---------------------------------------------------------------------------------------------
# Softmax with a temperature, and the entropy of a distribution
# ---------------------------------------------------------------------------------------------
TEMPERATURES = [0.05, 0.5, 1.0, 2.0, 20.0]


@pytest.mark.parametrize("temperature", TEMPERATURES)
@pytest.mark.parametrize("shape, axis", [((5,), -1), ((4, 7), -1), ((4, 7), 0), ((2, 3, 5), 1)], ids=str)
def test_softmax_temperature_matches_torch(shape, axis, temperature):
    x = random_input(shape, seed=20)
    expected = torch_forward(lambda t: torch.softmax(t / temperature, dim=axis), x)
    with strict_numerics():
        got = A.softmax_temperature(x, temperature, axis=axis)
    assert_close(got, expected)
    assert_close(got.sum(axis=axis), np.ones(np.delete(shape, axis % len(shape))))


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_softmax_temperature_extreme_logits_match_torch_without_warnings(temperature):
    x = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    expected = torch_forward(lambda t: torch.softmax(t / temperature, dim=-1), x)
    with strict_numerics():
        got = A.softmax_temperature(x, temperature)
    assert_close(got, expected)
    assert np.all(np.isfinite(got))


def test_softmax_temperature_one_is_softmax_and_input_is_not_mutated():
    x = random_input((3, 4), seed=21)
    before = x.copy()
    assert_close(A.softmax_temperature(x), A.softmax(x))
    assert_close(A.softmax_temperature(x, 2.0, axis=0), A.softmax(x / 2.0, axis=0))
    np.testing.assert_array_equal(x, before)
    assert A.softmax_temperature([[1, 2, 3]], 2).dtype == np.float64  # ints work, for x and T


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan, "2", None, True])
def test_softmax_temperature_rejects_bad_temperature_naming_it(bad):
    with pytest.raises(ValueError, match="temperature") as err:
        A.softmax_temperature([1.0, 2.0], bad)
    assert repr(bad) in str(err.value)


ENTROPY_INPUTS = [
    np.array([0.2, 0.3, 0.5]),
    np.array([1.0, 0.0, 0.0]),  # one-hot: exactly 0
    np.array([[0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 0.0, 1.0]]),
    A.softmax(random_input((2, 3, 6), seed=22)),
    A.softmax(np.array([[-1000.0, 0.0, 1000.0], [0.0, 0.0, -1000.0]])),  # softmax underflows to exact 0s
]


@pytest.mark.parametrize("p", ENTROPY_INPUTS, ids=["3", "one_hot", "zeros_batch", "random_3d", "extreme"])
def test_entropy_matches_torch_categorical_without_warnings(p):
    expected = torch.distributions.Categorical(probs=float64_tensor(p)).entropy().numpy()
    with strict_numerics():
        got = A.entropy(p)
    assert_close(got, expected)
    assert got.shape == p.shape[:-1]


def test_entropy_along_another_axis_and_known_values():
    p = A.softmax(random_input((4, 5), seed=23), axis=0)
    assert_close(A.entropy(p, axis=0), A.entropy(p.T))
    assert A.entropy(np.full(3, 1 / 3)) == pytest.approx(np.log(3), abs=1e-15)
    assert A.entropy([0.5, 0.5]) == pytest.approx(np.log(2), abs=1e-15)
    assert A.entropy([0, 1]) == 0.0  # ints, exact zeros


def test_entropy_rejects_negative_probabilities():
    with pytest.raises(ValueError, match="non-negative"):
        A.entropy([0.5, -0.1, 0.6])


def test_entropy_of_softmax_rises_with_temperature_between_0_and_ln3():
    logits = np.array([2.0, 1.0, 0.1])
    h = [float(A.entropy(A.softmax_temperature(logits, t))) for t in (0.5, 1.0, 2.0)]
    assert h[0] < h[1] < h[2] < np.log(3)
    assert h[1] == pytest.approx(0.8467, abs=1e-4)  # the classic [2, 1, 0.1] example, p ≈ [.66, .24, .10]
    assert A.entropy(A.softmax_temperature(logits, 1e4)) == pytest.approx(np.log(3), abs=1e-7)  # -> uniform
    assert A.entropy(A.softmax_temperature(logits, 1e-3)) < 1e-12  # -> one-hot
    np.testing.assert_array_equal(A.softmax_temperature(logits, 1e-3), [1.0, 0.0, 0.0])
