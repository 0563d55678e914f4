"""utils.module: Parameter, Module registration and traversal, train/eval, repr, the backward contract."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch, float64_tensor
from utils.module import Module, Parameter, check_float_dtype, check_positive_int, to_float, to_float64


# ---------------------------------------------------------------------------------------------
# Toy modules, and torch twins with the same class names, parameter names and printing
# ---------------------------------------------------------------------------------------------
class Scale(Module):
    """y = x * weight (one weight per feature): the smallest module with a parameter."""

    def __init__(self, features: int):
        super().__init__()
        self.features = features
        self.weight = Parameter(np.linspace(0.5, 1.5, features))

    def forward(self, x):  # x (N, D) -> (N, D)
        x = to_float64(x)
        self.save_for_backward(x)
        return x * self.weight.data

    def backward(self, grad_out):  # grad_out (N, D) -> (N, D)
        (x,) = self.saved_arrays
        self.weight.accumulate_grad(np.sum(grad_out * x, axis=0))
        return grad_out * self.weight.data

    def extra_repr(self):
        return f"features={self.features}"


class Block(Module):
    def __init__(self):
        super().__init__()
        self.gain = Parameter(np.ones(3))
        self.inner = Scale(3)
        self.bias = Parameter(np.zeros(3))  # registered after a child: still listed before it


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.w = Parameter(np.ones((2, 3)))
        self.second = Block()


def torch_twins():
    """Torch classes named like ours (``Scale``, ``Block``, ``Net``) with the same structure."""

    class Scale(torch.nn.Module):
        def __init__(self, features):
            super().__init__()
            self.features = features
            self.weight = torch.nn.Parameter(torch.zeros(features, dtype=torch.float64))

        def forward(self, x):
            return x * self.weight

        def extra_repr(self):
            return f"features={self.features}"

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
            self.inner = Scale(3)
            self.bias = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Block()
            self.w = torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64))
            self.second = Block()

    return Scale, Block, Net


# ---------------------------------------------------------------------------------------------
# Parameter
# ---------------------------------------------------------------------------------------------
def test_parameter_basics():
    source = np.arange(6).reshape(3, 2)
    p = Parameter(source)
    assert p.data.dtype == np.float64 and p.shape == (3, 2)
    assert p.grad is None
    assert repr(p) == "Parameter(shape=(3, 2))"
    source[0, 0] = 99
    assert p.data[0, 0] == 0.0  # a copy, not a view of the source
    f64 = np.ones(3)
    assert Parameter(f64).data is not f64  # copied even when already float64
    assert Parameter(2.5).shape == ()
    assert not isinstance(p, np.ndarray)


@pytest.mark.parametrize(
    "bad, words",
    [("abc", "<U3"), ([1.0, "x"], "<U"), (np.array([1, None], dtype=object), "object"),
     ([True, False], "bool"), ([1 + 2j], "complex"), ([[1.0, 2.0], [3.0]], "rectangular")],
    ids=["str", "mixed", "object", "bool", "complex", "ragged"],
)
def test_parameter_rejects_non_numeric_data(bad, words):
    with pytest.raises(ValueError, match="Parameter data") as err:
        Parameter(bad)
    assert words in str(err.value)


def test_accumulate_grad_creates_a_copy_then_adds():
    p = Parameter(np.zeros((2, 2)))
    g = np.ones((2, 2))
    p.accumulate_grad(g)
    g[0, 0] = 100.0
    np.testing.assert_array_equal(p.grad, np.ones((2, 2)))  # not a view of g
    p.accumulate_grad(2 * np.ones((2, 2), dtype=np.int64))
    np.testing.assert_array_equal(p.grad, 3 * np.ones((2, 2)))
    assert p.grad.dtype == np.float64
    p.zero_grad()
    assert p.grad is None


def test_accumulate_grad_shape_mismatch_names_both_shapes():
    p = Parameter(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"expected \(3, 2\), got \(2, 3\)"):
        p.accumulate_grad(np.zeros((2, 3)))
    assert p.grad is None
    with pytest.raises(ValueError, match="gradient"):
        p.accumulate_grad(np.array(["a"] * 6).reshape(3, 2))


def test_to_float64():
    x = np.ones(3)
    assert to_float64(x) is x  # already float64: no copy
    assert to_float64([1, 2]).dtype == np.float64
    assert to_float64(np.float32(1.5)).dtype == np.float64
    with pytest.raises(ValueError, match=r"logits must contain real numbers.*got dtype <U1"):
        to_float64(["a"], name="logits")


def test_to_float_casts_to_the_chosen_dtype_with_to_float64s_checks():
    x32 = np.ones(3, dtype=np.float32)
    assert to_float(x32, np.float32) is x32  # already float32: no copy
    assert to_float([1, 2], "float32").dtype == np.float32
    assert to_float(x32, np.float64).dtype == np.float64
    with pytest.raises(ValueError, match=r"x must contain real numbers.*got dtype bool"):
        to_float([True], np.float32)
    with pytest.raises(ValueError, match=r"dtype must be np.float64 or np.float32, got int64"):
        to_float([1.0], np.int64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, "float32", np.dtype("float64"), float])
def test_check_float_dtype_accepts_the_two_float_dtypes(dtype):
    assert check_float_dtype(dtype) in (np.dtype(np.float64), np.dtype(np.float32))


@pytest.mark.parametrize("bad, got", [(np.int64, "int64"), ("float16", "float16"), (None, "None"),
                                      ("nonsense", "'nonsense'"), (np.complex128, "complex128")])
def test_check_float_dtype_names_what_was_got(bad, got):
    with pytest.raises(ValueError, match=rf"layer dtype must be np.float64 or np.float32, got {got}$"):
        check_float_dtype(bad, "layer dtype")


def test_a_float32_parameter_keeps_float32_data_and_gradients():
    p = Parameter(np.arange(3), dtype=np.float32)
    assert p.data.dtype == np.float32
    p.accumulate_grad(np.ones(3))  # a float64 gradient is stored in the parameter's dtype
    p.accumulate_grad(np.ones(3, dtype=np.float32))
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad, [2.0, 2.0, 2.0])
    assert Parameter(np.ones(2)).data.dtype == np.float64  # the default is unchanged


# ---------------------------------------------------------------------------------------------
# Registration and traversal
# ---------------------------------------------------------------------------------------------
def test_named_parameters_match_torch_names_and_order():
    _, _, TorchNet = torch_twins()
    ours, theirs = Net(), TorchNet()
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in theirs.named_parameters()]
    assert names == [
        "w",
        "first.gain", "first.bias", "first.inner.weight",
        "second.gain", "second.bias", "second.inner.weight",
    ]
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert list(ours.parameters()) == [p for _, p in ours.named_parameters()]
    assert ours.first.inner.weight is dict(ours.named_parameters())["first.inner.weight"]


def test_children_in_registration_order():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["first", "second"]
    assert list(net.children()) == [net.first, net.second]
    assert [n for n, _ in net.first.named_children()] == ["inner"]
    assert list(Scale(2).children()) == []


def test_shared_parameter_is_listed_once():
    class Tied(Module):
        def __init__(self):
            super().__init__()
            self.a = Scale(2)
            self.b = Scale(2)
            self.b.weight = self.a.weight

    tied = Tied()
    assert [n for n, _ in tied.named_parameters()] == ["a.weight"]
    assert len(list(tied.parameters())) == 1


def test_reassigning_and_deleting_attributes_updates_the_registries():
    m = Scale(2)
    m.weight = np.ones(2)  # a plain array now: no longer a parameter
    assert list(m.named_parameters()) == []
    assert isinstance(m.weight, np.ndarray)
    m.weight = Parameter(np.ones(2))
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    m.extra = Scale(1)
    assert [n for n, _ in m.named_parameters()] == ["weight", "extra.weight"]
    del m.extra
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(AttributeError, match="'Scale' object has no attribute 'extra'"):
        _ = m.extra


def test_assigning_before_super_init_is_a_clear_error():
    class Forgetful(Module):
        def __init__(self):
            self.w = Parameter(np.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_zero_grad_reaches_every_parameter():
    net = Net()
    for p in net.parameters():
        p.accumulate_grad(np.ones(p.shape))
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_recurse_and_return_self():
    net = Net()
    modules = [net, net.first, net.first.inner, net.second, net.second.inner]
    assert all(m.training for m in modules)
    assert net.eval() is net
    assert not any(m.training for m in modules)
    assert net.train() is net
    assert all(m.training for m in modules)
    net.first.train(False)
    assert [m.training for m in modules] == [True, False, False, True, True]
    with pytest.raises(TypeError, match="bool"):
        net.train("no")


def test_repr_matches_torch():
    TorchScale, TorchBlock, TorchNet = torch_twins()
    assert repr(Net()) == repr(TorchNet())
    assert repr(Block()) == repr(TorchBlock())
    assert repr(Scale(4)) == repr(TorchScale(4)) == "Scale(features=4)"
    assert repr(Block()) == "Block(\n  (inner): Scale(features=3)\n)"

    class Empty(Module):
        pass

    assert repr(Empty()) == "Empty()"

    class TwoLines(Module):
        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(TwoLines()) == "TwoLines(\n  a=1\n  b=2\n)"


def test_deepcopy_gives_independent_parameters():
    net = Net()
    twin = copy.deepcopy(net)  # e.g. keeping the best model during training
    twin.w.data[0, 0] = 5.0
    assert net.w.data[0, 0] == 1.0
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in net.named_parameters()]
    assert twin.first.inner.weight is not net.first.inner.weight


# ---------------------------------------------------------------------------------------------
# forward / backward contract
# ---------------------------------------------------------------------------------------------
def test_base_forward_and_backward_are_abstract():
    class Nothing(Module):
        pass

    with pytest.raises(NotImplementedError, match="Nothing must implement forward"):
        Nothing()(np.ones(2))
    with pytest.raises(NotImplementedError, match="Nothing must implement backward"):
        Nothing().backward(np.ones(2))


def test_call_passes_arguments_to_forward():
    class Add(Module):
        def forward(self, a, b=0.0):
            return a + b

    assert Add()(1.0, b=2.0) == 3.0


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="call forward before backward"):
        Scale(3).backward(np.ones((2, 3)))


def test_toy_module_matches_torch_and_accumulates():
    TorchScale, _, _ = torch_twins()
    ours, theirs = Scale(3), TorchScale(3)
    copy_params_to_torch(ours, theirs)
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))

    xt = float64_tensor(x, requires_grad=True)
    out_t = theirs(xt)
    out_t.backward(float64_tensor(g))
    np.testing.assert_allclose(ours(x), out_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.backward(g), xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)

    ours.backward(g)  # gradients add up, as in PyTorch
    np.testing.assert_allclose(ours.weight.grad, 2 * theirs.weight.grad.numpy(), rtol=1e-12)
    ours.zero_grad()
    assert ours.weight.grad is None


# ---------------------------------------------------------------------------------------------
# The shared weight-copying helper
# ---------------------------------------------------------------------------------------------
def test_copy_params_to_torch_copies_values_and_rejects_mismatches():
    TorchScale, _, TorchNet = torch_twins()
    ours, theirs = Net(), TorchNet()
    for i, p in enumerate(ours.parameters()):
        p.data[...] = np.arange(p.data.size).reshape(p.shape) + 10 * i
    copy_params_to_torch(ours, theirs)
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.data, t.detach().numpy(), err_msg=name)
    ours.w.data[0, 0] = -1.0
    assert theirs.w[0, 0].item() != -1.0  # copied, not shared

    names_differ = r"only ours \['first.bias', .*only torch's \['bias', 'gain', 'inner.weight'\]"
    with pytest.raises(ValueError, match=names_differ):
        copy_params_to_torch(ours, TorchNet().first)
    with pytest.raises(ValueError, match=r"'weight': our shape \(3,\), torch's shape \(4,\)"):
        copy_params_to_torch(Scale(3), TorchScale(4))


@pytest.mark.parametrize("value", [0, -3, 2.0, True, "4", None])
def test_check_positive_int_names_the_argument_and_the_value(value):
    with pytest.raises(ValueError, match=rf"epochs must be a positive integer, got {re.escape(repr(value))}"):
        check_positive_int(value, "epochs")


def test_check_positive_int_returns_a_python_int():
    assert check_positive_int(np.int64(3), "n") == 3 and type(check_positive_int(np.int64(3), "n")) is int
