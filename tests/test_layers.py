"""utils.layers against torch.nn: Linear and Sequential forward, backward (input gradient and accumulated
parameter gradients), initialization, printing, indexing and shape errors, in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch, float64_tensor
from utils import activations as A
from utils.layers import Linear, Sequential
from utils.module import Module, Parameter

RTOL, ATOL = 1e-12, 1e-12


def torch_linear(ours: Linear) -> torch.nn.Linear:
    twin = torch.nn.Linear(ours.in_features, ours.out_features, bias=ours.bias is not None, dtype=torch.float64)
    copy_params_to_torch(ours, twin)
    return twin


def inputs(rng, n=7, d=5):
    """Typical, large and tiny inputs: the same code path must stay exact on all of them."""
    return {
        "typical": rng.normal(size=(n, d)),
        "large ±1e6": rng.normal(size=(n, d)) * 1e6,
        "tiny ±1e-8": rng.normal(size=(n, d)) * 1e-8,
        "one row": rng.normal(size=(1, d)),
    }


# ---------------------------------------------------------------------------------------------
# Linear: forward
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("case", ["typical", "large ±1e6", "tiny ±1e-8", "one row"])
def test_linear_forward_matches_torch(bias, case):
    rng = np.random.default_rng(1)
    layer = Linear(5, 3, bias=bias, rng=rng)
    x = inputs(rng)[case]
    expected = torch_linear(layer)(float64_tensor(x)).detach().numpy()
    got = layer(x)
    assert got.shape == (x.shape[0], 3) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL * np.abs(x).max())


def test_linear_is_x_w_transpose_plus_b_with_known_numbers():
    layer = Linear(2, 3, rng=np.random.default_rng(0))
    layer.weight.data = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    layer.bias.data = np.array([0.1, 0.2, 0.3])
    out = layer(np.array([[1.0, 2.0], [0.0, -1.0]]))
    np.testing.assert_allclose(out, [[0.6, 1.3, 2.0], [-0.1, -0.2, -0.3]], rtol=1e-14)


def test_linear_accepts_any_leading_dimensions_like_torch():
    rng = np.random.default_rng(2)
    layer = Linear(4, 2, rng=rng)
    twin = torch_linear(layer)
    for x in (rng.normal(size=4), rng.normal(size=(2, 3, 4))):
        np.testing.assert_allclose(layer(x), twin(float64_tensor(x)).detach().numpy(), rtol=RTOL, atol=ATOL)
        assert layer(x).shape == x.shape[:-1] + (2,)


def test_linear_converts_integer_inputs_and_does_not_modify_them():
    layer = Linear(3, 2, rng=np.random.default_rng(3))
    x = np.array([[1, 2, 3]])
    before = x.copy()
    np.testing.assert_allclose(layer(x), layer(x.astype(float)))
    np.testing.assert_array_equal(x, before)


# ---------------------------------------------------------------------------------------------
# Linear: backward
# ---------------------------------------------------------------------------------------------
def torch_grads(layer: Linear, x, grad_out, calls: int = 1):
    """(dL/dx of the last call, weight.grad, bias.grad) from autograd after ``calls`` backward passes."""
    twin = torch_linear(layer)
    xt = None
    for _ in range(calls):
        xt = float64_tensor(x, requires_grad=True)
        twin(xt).backward(float64_tensor(grad_out))
    bias_grad = None if twin.bias is None else twin.bias.grad.numpy()
    return xt.grad.numpy(), twin.weight.grad.numpy(), bias_grad


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("case", ["typical", "large ±1e6", "tiny ±1e-8", "one row"])
def test_linear_backward_matches_autograd(bias, case):
    rng = np.random.default_rng(4)
    layer = Linear(5, 3, bias=bias, rng=rng)
    x = inputs(rng)[case]
    g = rng.normal(size=(x.shape[0], 3))
    want_x, want_w, want_b = torch_grads(layer, x, g)
    layer(x)
    got_x = layer.backward(g)
    scale = max(1.0, np.abs(x).max())
    np.testing.assert_allclose(got_x, want_x, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.weight.grad, want_w, rtol=RTOL, atol=ATOL * scale)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, want_b, rtol=RTOL, atol=ATOL)
    else:
        assert layer.bias is None and [name for name, _ in layer.named_parameters()] == ["weight"]


def test_linear_backward_formulas_by_hand():
    """dX = G W, dW = Gᵀ X, db = column sums of G, on numbers small enough to check by eye."""
    layer = Linear(2, 2, rng=np.random.default_rng(0))
    layer.weight.data = np.array([[1.0, 2.0], [3.0, 4.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    G = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    layer(X)
    np.testing.assert_array_equal(layer.backward(G), [[1.0, 2.0], [3.0, 4.0], [4.0, 6.0]])
    np.testing.assert_array_equal(layer.weight.grad, [[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(layer.bias.grad, [2.0, 2.0])


def test_linear_gradients_accumulate_over_two_backward_calls_like_torch():
    rng = np.random.default_rng(5)
    layer = Linear(4, 3, rng=rng)
    x = rng.normal(size=(6, 4))
    g = rng.normal(size=(6, 3))
    _, want_w, want_b = torch_grads(layer, x, g, calls=2)
    for _ in range(2):
        layer(x)
        layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, want_w, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.bias.grad, want_b, rtol=RTOL, atol=ATOL)
    _, once_w, once_b = torch_grads(layer, x, g, calls=1)
    np.testing.assert_allclose(layer.weight.grad, 2 * once_w, rtol=RTOL)  # added, not overwritten
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_linear_accumulates_two_different_batches():
    rng = np.random.default_rng(6)
    layer = Linear(3, 2, rng=rng)
    x1, x2 = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    g1, g2 = rng.normal(size=(4, 2)), rng.normal(size=(5, 2))
    layer(x1)
    layer.backward(g1)
    layer(x2)
    layer.backward(g2)
    np.testing.assert_allclose(layer.weight.grad, g1.T @ x1 + g2.T @ x2, rtol=1e-13)
    np.testing.assert_allclose(layer.bias.grad, g1.sum(0) + g2.sum(0), rtol=1e-13)


def test_linear_backward_with_leading_dimensions_sums_over_all_of_them():
    rng = np.random.default_rng(7)
    layer = Linear(4, 2, rng=rng)
    x = rng.normal(size=(2, 3, 4))
    g = rng.normal(size=(2, 3, 2))
    want_x, want_w, want_b = torch_grads(layer, x, g)
    layer(x)
    np.testing.assert_allclose(layer.backward(g), want_x, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.weight.grad, want_w, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.bias.grad, want_b, rtol=RTOL, atol=ATOL)


def test_linear_backward_matches_finite_differences():
    """An independent check that needs no PyTorch: central differences of L = sum(Z * G)."""
    rng = np.random.default_rng(8)
    layer = Linear(3, 2, rng=rng)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(x)
    grad_x = layer.backward(g)
    h = 1e-6

    def loss(xv):
        return float(np.sum((xv @ layer.weight.data.T + layer.bias.data) * g))

    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        numeric[idx] = (loss(xp) - loss(xm)) / (2 * h)
    np.testing.assert_allclose(grad_x, numeric, rtol=1e-7, atol=1e-8)


def test_linear_backward_before_forward_and_wrong_grad_shape():
    layer = Linear(3, 2, rng=np.random.default_rng(9))
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones((4, 2)))
    layer(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(2, 4\)"):
        layer.backward(np.ones((2, 4)))
    assert layer.weight.grad is None  # nothing was added by the failed call


# ---------------------------------------------------------------------------------------------
# Linear: construction, initialization, errors, printing
# ---------------------------------------------------------------------------------------------
def test_linear_parameters_have_torch_shapes_and_names():
    layer = Linear(4, 10, rng=np.random.default_rng(0))
    names = {name: p.shape for name, p in layer.named_parameters()}
    assert names == {"weight": (10, 4), "bias": (10,)}
    assert all(isinstance(p, Parameter) for p in layer.parameters())
    assert {n: tuple(p.shape) for n, p in torch.nn.Linear(4, 10).named_parameters()} == names


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    """PyTorch's kaiming_uniform_(a=√5): U(-1/√in, 1/√in) for weight and bias, std bound/√3."""
    layer = Linear(400, 300, rng=np.random.default_rng(10))
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.data, layer.bias.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    twin = torch.nn.Linear(400, 300)  # the same formula in PyTorch: same bound and std
    assert twin.weight.abs().max().item() <= bound
    assert twin.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_linear_init_is_reproducible_from_the_rng_and_leaves_global_state_alone():
    state = np.random.get_state()
    a = Linear(5, 3, rng=np.random.default_rng(42))
    b = Linear(5, 3, rng=np.random.default_rng(42))
    c = Linear(5, 3, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    assert np.array_equal(np.random.get_state()[1], state[1])
    a.weight.grad = np.ones((3, 5))
    a.reset_parameters(np.random.default_rng(42))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert a.weight.grad is None


@pytest.mark.parametrize("shape", [(4, 3), (4,), (2, 3, 6), (5, 1)])
def test_linear_rejects_a_wrong_input_shape_naming_both_shapes(shape):
    layer = Linear(5, 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError) as err:
        layer(np.ones(shape))
    message = str(err.value)
    assert "(N, 5)" in message and str(shape) in message
    assert "weight has shape (2, 5)" in message  # and the weight's (out_features, in_features), as PyTorch's


def test_linear_rejects_a_scalar_and_non_numbers():
    layer = Linear(1, 1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(N, 1\).*\(\)"):
        layer(np.float64(3.0))
    with pytest.raises(ValueError, match="real numbers"):
        layer(np.array([["a"]]))


@pytest.mark.parametrize("args", [(0, 3), (3, 0), (2.5, 3), (True, 3), ("4", 3)])
def test_linear_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="positive integer"):
        Linear(*args)


def test_linear_repr_matches_torch():
    assert repr(Linear(4, 10, rng=np.random.default_rng(0))) == repr(torch.nn.Linear(4, 10))
    assert repr(Linear(4, 10, bias=False, rng=np.random.default_rng(0))) == repr(torch.nn.Linear(4, 10, bias=False))


def test_linear_without_rng_still_works():
    layer = Linear(3, 2)
    assert layer.weight.shape == (2, 3) and np.abs(layer.weight.data).max() <= 1 / math.sqrt(3)


# ---------------------------------------------------------------------------------------------
# Sequential
# ---------------------------------------------------------------------------------------------
def mlp(rng) -> Sequential:
    return Sequential(Linear(4, 10, rng=rng), A.ReLU(), Linear(10, 5, rng=rng), A.Tanh(), Linear(5, 3, rng=rng),
                      A.Softmax(dim=1))


def torch_mlp(ours: Sequential) -> torch.nn.Sequential:
    twin = torch.nn.Sequential(torch.nn.Linear(4, 10), torch.nn.ReLU(), torch.nn.Linear(10, 5), torch.nn.Tanh(),
                               torch.nn.Linear(5, 3), torch.nn.Softmax(dim=1)).double()
    copy_params_to_torch(ours, twin)
    return twin


def test_sequential_forward_and_backward_match_torch():
    rng = np.random.default_rng(11)
    model = mlp(rng)
    twin = torch_mlp(model)
    x, g = rng.normal(size=(8, 4)) * 3, rng.normal(size=(8, 3))
    xt = float64_tensor(x, requires_grad=True)
    out_t = twin(xt)
    out_t.backward(float64_tensor(g))
    np.testing.assert_allclose(model(x), out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(model.backward(g), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
    theirs = dict(twin.named_parameters())
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad, theirs[name].grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=name)


def test_sequential_gradients_accumulate_like_torch():
    rng = np.random.default_rng(12)
    model = mlp(rng)
    twin = torch_mlp(model)
    x, g = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    for _ in range(2):
        model(x)
        model.backward(g)
        twin(float64_tensor(x)).backward(float64_tensor(g))
    theirs = dict(twin.named_parameters())
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad, theirs[name].grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=name)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_sequential_backward_runs_in_reverse_order():
    calls = []

    class Tag(Module):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def forward(self, x):
            calls.append(("forward", self.name))
            return x

        def backward(self, grad_out):
            calls.append(("backward", self.name))
            return grad_out

    model = Sequential(Tag("a"), Tag("b"), Tag("c"))
    model(np.ones(2))
    model.backward(np.ones(2))
    assert calls == [("forward", "a"), ("forward", "b"), ("forward", "c"),
                     ("backward", "c"), ("backward", "b"), ("backward", "a")]


def test_sequential_parameter_names_and_order_match_torch():
    model = mlp(np.random.default_rng(0))
    ours = [(name, p.shape) for name, p in model.named_parameters()]
    theirs = [(name, tuple(p.shape)) for name, p in torch_mlp(model).named_parameters()]
    assert ours == theirs
    assert [n for n, _ in ours] == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert sum(p.data.size for p in model.parameters()) == 4 * 10 + 10 + 10 * 5 + 5 + 5 * 3 + 3


def test_sequential_repr_matches_torch():
    model = mlp(np.random.default_rng(0))
    assert repr(model) == repr(torch_mlp(model))
    assert repr(Sequential()) == "Sequential()"


def test_sequential_len_indexing_slicing_iteration_append():
    rng = np.random.default_rng(0)
    model = mlp(rng)
    assert len(model) == 6
    assert isinstance(model[0], Linear) and isinstance(model[-1], A.Softmax)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "Tanh", "Linear", "Softmax"]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is model[0]
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(head(x), A.relu(model[0](x)))
    model.append(A.Identity())
    assert len(model) == 7 and [n for n, _ in model.named_children()][-1] == "6"
    with pytest.raises(IndexError, match="out of range"):
        model[7]
    with pytest.raises(TypeError, match="integers or slices"):
        model["0"]


def test_sequential_rejects_non_modules_with_a_helpful_message():
    with pytest.raises(TypeError, match="ReLU\\(\\), not ReLU"):
        Sequential(Linear(2, 2, rng=np.random.default_rng(0)), A.ReLU)
    with pytest.raises(TypeError, match="Module instances"):
        Sequential(np.tanh)


def test_sequential_names_the_layer_whose_input_shape_is_wrong():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(4, 10, rng=rng), A.ReLU(), Linear(5, 3, rng=rng))  # 10 outputs feed 5 inputs
    with pytest.raises(ValueError) as err:
        model(np.ones((2, 4)))
    message = str(err.value)
    assert message.startswith("module (2) Linear") and "(N, 5)" in message and "(2, 10)" in message


def test_sequential_train_eval_reach_every_module():
    model = mlp(np.random.default_rng(0))
    model.eval()
    assert not any(m.training for m in model)
    model.train()
    assert all(m.training for m in model)
