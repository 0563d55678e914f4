"""Chapter 04's claim for the vectorised library: every backward pass of utils (Linear, Sequential, each
activation module, each loss) agrees with central differences (utils.gradcheck) and with torch.autograd, and
a whole MLP's gradients equal PyTorch's to ~1e-10."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch, float64_tensor
from utils import activations as A
from utils import layers, losses
from utils.gradcheck import check_gradient, gradcheck_module, numerical_gradient

TOL = 1e-6  # central differences in float64: correct backward passes give ~1e-9 or less


def _away_from_zero(rng, shape, scale=1.5, gap=0.05):
    """Normal numbers with |x| >= gap: no kink of ReLU-like functions within reach of the finite differences."""
    x = rng.normal(0.0, scale, size=shape)
    return np.where(np.abs(x) < gap, np.sign(x + 1e-300) * gap + x, x)


# ---------------------------------------------------------------------------------------------
# Layers and activations: numerical gradients, then torch.autograd
# ---------------------------------------------------------------------------------------------
MODULES = {
    "Linear": (lambda rng: layers.Linear(4, 3, rng=rng), lambda: torch.nn.Linear(4, 3, dtype=torch.float64)),
    "Linear without bias": (lambda rng: layers.Linear(4, 3, bias=False, rng=rng),
                            lambda: torch.nn.Linear(4, 3, bias=False, dtype=torch.float64)),
    "Identity": (lambda rng: A.Identity(), torch.nn.Identity),
    "ReLU": (lambda rng: A.ReLU(), torch.nn.ReLU),
    "LeakyReLU": (lambda rng: A.LeakyReLU(0.1), lambda: torch.nn.LeakyReLU(0.1)),
    "ELU": (lambda rng: A.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    "GELU": (lambda rng: A.GELU(), torch.nn.GELU),
    "GELU tanh": (lambda rng: A.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    "SiLU": (lambda rng: A.SiLU(), torch.nn.SiLU),
    "Softplus": (lambda rng: A.Softplus(beta=2.0), lambda: torch.nn.Softplus(beta=2.0)),
    "Sigmoid": (lambda rng: A.Sigmoid(), torch.nn.Sigmoid),
    "Tanh": (lambda rng: A.Tanh(), torch.nn.Tanh),
    "PReLU": (lambda rng: A.PReLU(), lambda: torch.nn.PReLU(dtype=torch.float64)),
    "PReLU per channel": (lambda rng: A.PReLU(4, init=0.1), lambda: torch.nn.PReLU(4, init=0.1, dtype=torch.float64)),
    "RReLU (eval)": (lambda rng: A.RReLU().eval(), lambda: torch.nn.RReLU().eval()),
    "Softmax": (lambda rng: A.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1)),
    "Softmax dim 0": (lambda rng: A.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0)),
    "LogSoftmax": (lambda rng: A.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1)),
    "Sequential": (lambda rng: layers.Sequential(layers.Linear(4, 6, rng=rng), A.Tanh(), layers.Linear(6, 3, rng=rng),
                                                 A.Sigmoid()),
                   lambda: torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3),
                                               torch.nn.Sigmoid()).double()),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_backward_passes_the_gradient_check(name):
    rng = np.random.default_rng(10)
    module = MODULES[name][0](rng)
    x = _away_from_zero(rng, (5, 4))
    report = gradcheck_module(module, x, rng=rng)
    assert report.passed, str(report)
    assert report.max_relative_error < 1e-7
    n_params = len(list(module.parameters()))
    assert len(report.checks) == 1 + n_params


@pytest.mark.parametrize("name", list(MODULES))
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_module_backward_matches_torch_autograd(name, scale):
    """Typical and large inputs (sigmoid/tanh/softmax saturated at 30): input and parameter gradients."""
    rng = np.random.default_rng(11)
    make_ours, make_theirs = MODULES[name]
    ours, theirs = make_ours(rng), make_theirs()
    if list(ours.parameters()):
        copy_params_to_torch(ours, theirs)
    x = _away_from_zero(rng, (5, 4)) * scale
    g = rng.normal(size=ours(x).shape)
    grad_x = ours.backward(g)
    x_t = float64_tensor(x, requires_grad=True)
    theirs(x_t).backward(float64_tensor(g))
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (pname, p), (tname, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert pname == tname
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_linear_with_extra_leading_dimensions_passes_the_gradient_check():
    rng = np.random.default_rng(12)
    assert gradcheck_module(layers.Linear(3, 2, rng=rng), rng.normal(size=(2, 4, 3)), rng=rng).passed


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------
def _regression_case(rng):
    pred = rng.normal(size=(6, 3))
    error = _away_from_zero(rng, (6, 3), scale=1.5, gap=0.1)
    error = np.where(np.abs(np.abs(error) - 1.0) < 0.05, error * 1.2, error)  # away from δ = β = 1 too
    return pred, pred - error


def _bce_case(rng):
    return rng.uniform(0.05, 0.95, size=(6, 2)), rng.uniform(0.0, 1.0, size=(6, 2))


def _logits_case(rng):
    return rng.normal(0.0, 2.0, size=(6, 2)), (rng.uniform(size=(6, 2)) > 0.5).astype(float)


def _indices_case(rng):
    return rng.normal(0.0, 2.0, size=(7, 4)), rng.integers(0, 4, 7)


def _probabilities_case(rng):
    t = rng.uniform(size=(7, 4))
    return rng.normal(0.0, 2.0, size=(7, 4)), t / t.sum(axis=1, keepdims=True)


def _log_probabilities_case(rng):
    return A.log_softmax(rng.normal(size=(7, 4))), rng.integers(0, 4, 7)


W4 = np.array([0.5, 2.0, 1.0, 1.5])
LOSSES = {
    "MSELoss": (losses.MSELoss, torch.nn.MSELoss, {}, _regression_case),
    "L1Loss": (losses.L1Loss, torch.nn.L1Loss, {}, _regression_case),
    "HuberLoss": (losses.HuberLoss, torch.nn.HuberLoss, {"delta": 1.0}, _regression_case),
    "SmoothL1Loss": (losses.SmoothL1Loss, torch.nn.SmoothL1Loss, {"beta": 1.0}, _regression_case),
    "BCELoss": (losses.BCELoss, torch.nn.BCELoss, {}, _bce_case),
    "BCEWithLogitsLoss": (losses.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, {}, _logits_case),
    "BCEWithLogitsLoss pos_weight": (losses.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss,
                                     {"pos_weight": np.array([3.0, 0.5])}, _logits_case),
    "CrossEntropyLoss": (losses.CrossEntropyLoss, torch.nn.CrossEntropyLoss, {}, _indices_case),
    "CrossEntropyLoss weighted, smoothed": (losses.CrossEntropyLoss, torch.nn.CrossEntropyLoss,
                                            {"weight": W4, "label_smoothing": 0.1}, _indices_case),
    "CrossEntropyLoss ignore_index": (losses.CrossEntropyLoss, torch.nn.CrossEntropyLoss, {"ignore_index": 2},
                                      _indices_case),
    "CrossEntropyLoss soft targets": (losses.CrossEntropyLoss, torch.nn.CrossEntropyLoss, {}, _probabilities_case),
    "NLLLoss": (losses.NLLLoss, torch.nn.NLLLoss, {"weight": W4}, _log_probabilities_case),
}


def _torch_kwargs(kwargs):
    return {k: float64_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_backward_passes_the_gradient_check_and_matches_torch(name, reduction):
    ours_cls, theirs_cls, kwargs, make_case = LOSSES[name]
    rng = np.random.default_rng(13)
    x, target = make_case(rng)
    loss = ours_cls(reduction=reduction, **kwargs)
    report = gradcheck_module(loss, x, target, rng=rng)
    assert report.passed, str(report)

    upstream = 1.0 if reduction != "none" else rng.normal(size=np.shape(loss(x, target)))
    loss(x, target)
    grad = loss.backward(upstream)
    x_t = float64_tensor(x, requires_grad=True)
    target_t = torch.from_numpy(np.asarray(target))
    out_t = theirs_cls(reduction=reduction, **_torch_kwargs(kwargs))(x_t, target_t)
    out_t.backward(float64_tensor(upstream) if reduction == "none" else None)
    np.testing.assert_allclose(grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# Whole networks: an MLP and XOR's 2 -> 4 -> 1 sigmoid network, model + loss together
# ---------------------------------------------------------------------------------------------
def _mlp(rng):
    return layers.Sequential(layers.Linear(5, 16, rng=rng), A.ReLU(), layers.Linear(16, 16, rng=rng), A.Tanh(),
                             layers.Linear(16, 3, rng=rng))


def _torch_mlp():
    return torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 3)).double()


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_mlp_with_cross_entropy_gradients_equal_torch_autograd(scale):
    rng = np.random.default_rng(14)
    model, loss_fn = _mlp(rng), losses.CrossEntropyLoss()
    X, y = rng.normal(size=(32, 5)) * scale, rng.integers(0, 3, 32)
    loss = loss_fn(model(X), y)
    grad_X = model.backward(loss_fn.backward())

    twin = _torch_mlp()
    copy_params_to_torch(model, twin)
    X_t = float64_tensor(X, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(twin(X_t), torch.from_numpy(y))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(grad_X, X_t.grad.numpy(), rtol=1e-10, atol=1e-14)
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)


def test_mlp_with_cross_entropy_passes_the_gradient_check_parameter_by_parameter():
    rng = np.random.default_rng(15)
    model, loss_fn = _mlp(rng), losses.CrossEntropyLoss()
    X, y = rng.normal(size=(8, 5)), rng.integers(0, 3, 8)
    loss_fn(model(X), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    for name, p in model.named_parameters():
        original = p.data

        def loss_at(w, p=p):
            p.data = w
            return loss_fn(model(X), y)

        try:
            result = check_gradient(loss_at, original, p.grad, name)
        finally:
            p.data = original
        assert result.passed, result.line()


def test_xor_network_with_mse_gradients_equal_torch_and_numerical():
    from utils.xor import xor_network

    rng = np.random.default_rng(16)
    model, loss_fn = xor_network(rng), losses.MSELoss()
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    loss_fn(model(X), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    twin = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1),
                               torch.nn.Sigmoid()).double()
    copy_params_to_torch(model, twin)
    torch.nn.functional.mse_loss(twin(float64_tensor(X)), float64_tensor(y)).backward()
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-15, err_msg=name)
    W = model[0].weight
    original = W.data

    def loss_at(w):
        W.data = w
        return loss_fn(model(X), y)

    numerical = numerical_gradient(loss_at, original)
    W.data = original
    np.testing.assert_allclose(W.grad, numerical, rtol=1e-6, atol=1e-10)


def test_two_backward_passes_accumulate_like_torch():
    rng = np.random.default_rng(17)
    model, loss_fn = _mlp(rng), losses.CrossEntropyLoss()
    twin = _torch_mlp()
    copy_params_to_torch(model, twin)
    batches = [(rng.normal(size=(4, 5)), rng.integers(0, 3, 4)) for _ in range(2)]
    for X, y in batches:  # no zero_grad in between: gradients add up
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        torch.nn.functional.cross_entropy(twin(float64_tensor(X)), torch.from_numpy(y)).backward()
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)


def test_zero_initialized_hidden_units_get_identical_gradients_forever():
    """Chapter 02's symmetry problem, seen in the gradients: equal weights -> equal gradients -> equal weights."""
    rng = np.random.default_rng(18)
    model = layers.Sequential(layers.Linear(2, 3, rng=rng), A.Tanh(), layers.Linear(3, 1, rng=rng))
    for layer in (model[0], model[2]):
        layer.weight.data = np.full(layer.weight.shape, 0.3)
        layer.bias.data = np.zeros(layer.bias.shape)
    X, y = rng.normal(size=(10, 2)), rng.normal(size=(10, 1))
    loss_fn = losses.MSELoss()
    for _ in range(20):
        loss_fn(model(X), y)
        model.zero_grad()
        model.backward(loss_fn.backward())
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    W1 = model[0].weight.data
    np.testing.assert_allclose(W1, np.broadcast_to(W1[:1], W1.shape), rtol=1e-13)  # the 3 rows stay equal
    assert not np.allclose(W1, 0.3)  # although they moved
