"""utils.optim: the Optimizer base and SGD — parity with torch.optim.SGD in float64 (one group and two groups with
different learning rates), zero_grad, parameter groups, validation, state_dict round trips, and a momentum
optimizer written on the base (as Chapter 05 will) to show that per-parameter state fits its shape."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch
from utils import activations, layers, losses
from utils.module import Parameter
from utils.optim import SGD, Optimizer, check_lr, sgd_step


def _pair(seed: int = 0):
    """Our 3 -> 5 -> 2 tanh network and its float64 PyTorch twin, with the same weights."""
    rng = np.random.default_rng(seed)
    ours = layers.Sequential(layers.Linear(3, 5, rng=rng), activations.Tanh(), layers.Linear(5, 2, rng=rng))
    twin = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    copy_params_to_torch(ours, twin)
    return ours, twin


def _train_both(ours, twin, optimizer, torch_optimizer, steps: int, seed: int = 1):
    """``steps`` steps of both on fresh random batches (MSE); asserts equal parameters after every step."""
    rng = np.random.default_rng(seed)
    loss_fn = losses.MSELoss()
    for _ in range(steps):
        X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
        loss_fn(ours(X), y)
        optimizer.zero_grad()
        ours.backward(loss_fn.backward())
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(twin(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        torch_optimizer.step()
        for p, q in zip(ours.parameters(), twin.parameters()):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_sgd_equals_torch_sgd_step_by_step():
    ours, twin = _pair()
    _train_both(ours, twin, SGD(ours.parameters(), lr=0.2), torch.optim.SGD(twin.parameters(), lr=0.2), steps=8)


def test_two_param_groups_with_their_own_learning_rates_equal_torch():
    ours, twin = _pair(2)
    optimizer = SGD([{"params": ours[0].parameters(), "lr": 0.5}, {"params": ours[2].parameters()}], lr=0.05)
    torch_optimizer = torch.optim.SGD([{"params": twin[0].parameters(), "lr": 0.5},
                                       {"params": twin[2].parameters()}], lr=0.05)
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.05]
    before = [p.data.copy() for p in ours.parameters()]
    _train_both(ours, twin, optimizer, torch_optimizer, steps=6)
    moved = [np.abs(p.data - b).max() for p, b in zip(ours.parameters(), before)]
    assert min(moved) > 0  # both groups moved


def test_step_reads_each_groups_lr_at_every_step_as_a_schedule_needs():
    p = Parameter([1.0])
    optimizer = SGD([p], lr=0.1)
    for lr, expected in [(0.1, 0.9), (0.5, 0.4), (0.0, 0.4)]:  # lr 0: the end of a cosine schedule, no move
        optimizer.param_groups[0]["lr"] = lr
        p.grad = np.array([1.0])
        optimizer.step()
        assert p.data[0] == pytest.approx(expected)
    optimizer.param_groups[0]["lr"] = -0.1
    with pytest.raises(ValueError, match="learning rate"):
        optimizer.step()


def test_step_skips_parameters_without_a_gradient_and_returns_the_closures_loss():
    p, q = Parameter([1.0, 2.0]), Parameter([3.0])
    p.grad = np.array([1.0, -1.0])
    optimizer = SGD([p, q], lr=0.5)
    assert optimizer.step() is None
    np.testing.assert_array_equal(p.data, [0.5, 2.5])
    np.testing.assert_array_equal(q.data, [3.0])
    assert optimizer.step(lambda: 1.25) == 1.25


def test_zero_grad_sets_none_by_default_or_zeros_in_place_and_backward_accepts_both():
    model, _ = _pair()
    optimizer = SGD(model.parameters(), lr=0.1)
    X = np.ones((2, 3))
    model.backward(np.ones_like(model(X)))
    optimizer.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())
    grads = [p.grad for p in model.parameters()]
    model.backward(np.ones_like(model(X)))
    once = [p.grad.copy() for p in model.parameters()]
    assert all(g is p.grad for g, p in zip(grads, model.parameters()))  # filled with zeros, then added into
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.backward(np.ones_like(model(X)))  # a backward after set_to_none creates the gradients afresh
    for g, p in zip(once, model.parameters()):
        np.testing.assert_allclose(p.grad, g, rtol=1e-15)


def test_param_groups_state_and_defaults_have_pytorchs_shape():
    model, _ = _pair()
    optimizer = SGD(model.parameters(), lr=0.1)
    assert optimizer.defaults == {"lr": 0.1} and optimizer.state == {}
    (group,) = optimizer.param_groups
    assert set(group) == {"params", "lr"} and group["lr"] == 0.1
    assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]
    single = SGD([{"params": model[0].weight}], lr=0.2)  # one Parameter in a group is wrapped in a list
    assert single.param_groups[0]["params"] == [model[0].weight]
    optimizer = SGD([{"params": model[0].parameters()}], lr=0.1)
    optimizer.add_param_group({"params": model[2].parameters(), "lr": 0.01})
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.01]
    assert repr(optimizer) == "SGD (\nParameter Group 0\n    lr: 0.1\nParameter Group 1\n    lr: 0.01\n)"


@pytest.mark.parametrize("make, match", [
    (lambda m: SGD([], lr=0.1), "empty parameter list"),
    (lambda m: SGD(iter(()), lr=0.1), "empty parameter list"),
    (lambda m: SGD(m.parameters(), lr=0.0), r"learning rate must be a positive number, got 0\.0"),
    (lambda m: SGD(m.parameters(), lr=-0.1), "learning rate"),
    (lambda m: SGD(m.parameters(), lr=float("nan")), "learning rate"),
    (lambda m: SGD(m.parameters(), lr=True), "learning rate"),
    (lambda m: SGD(m.parameters(), lr="0.1x"), "learning rate"),
    (lambda m: SGD([{"params": m[0].parameters(), "lr": -1.0}], lr=0.1), "learning rate"),
    (lambda m: SGD([{"params": m[0].parameters()}, {"params": m.parameters()}], lr=0.1),
     "more than one parameter group"),
    (lambda m: SGD([m[0].weight, m[0].weight], lr=0.1), "more than once"),
    (lambda m: SGD([m[0].weight.data], lr=0.1), "Parameter objects.*got ndarray"),
    (lambda m: SGD([torch.zeros(2)], lr=0.1), "got Tensor"),
    (lambda m: SGD(m[0].weight, lr=0.1), "wrap it in a list"),
    (lambda m: SGD(0.1, lr=0.1), "iterable of Parameters or of dicts"),
    (lambda m: SGD([{"lr": 0.1}], lr=0.1), "needs a 'params' entry"),
    (lambda m: SGD([{"params": []}], lr=0.1), "empty 'params'"),
    (lambda m: SGD([{"params": set(m.parameters())}], lr=0.1), "not a set"),
    (lambda m: Optimizer(m.parameters(), defaults=0.1), "defaults must be a dict"),
])
def test_bad_arguments_raise_valueerror_naming_what_was_expected(make, match):
    model, _ = _pair()
    with pytest.raises(ValueError, match=match):
        make(model)


def test_a_parameter_group_added_later_may_not_repeat_a_parameter():
    model, _ = _pair()
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [model[2].bias]})
    assert len(optimizer.param_groups) == 1


def test_check_lr_and_sgd_step():
    assert check_lr(1) == 1.0 and isinstance(check_lr(np.float32(0.5)), float)
    p = Parameter([2.0])
    p.grad = np.array([4.0])
    sgd_step([p], 0.25)
    assert p.data[0] == 1.0
    with pytest.raises(ValueError, match="learning rate"):
        sgd_step([p], 0)


def test_the_base_step_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Optimizer must implement step"):
        Optimizer([Parameter([1.0])], {}).step()


# ---------------------------------------------------------------------------------------------
# The shape holds per-parameter state: momentum written on the base, against torch.optim.SGD(momentum=…)
# ---------------------------------------------------------------------------------------------
class _Momentum(Optimizer):
    """PyTorch's SGD with momentum: buf = μ·buf + g (buf = g at the first step), p -= lr·buf."""

    def __init__(self, params, lr: float, momentum: float):
        super().__init__(params, {"lr": check_lr(lr), "momentum": momentum})

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.copy()
                else:
                    state["momentum_buffer"] = group["momentum"] * state["momentum_buffer"] + p.grad
                p.data -= group["lr"] * state["momentum_buffer"]


def test_a_momentum_optimizer_on_the_base_equals_torch_and_resumes_from_its_state_dict():
    ours, twin = _pair(3)
    optimizer = _Momentum(ours.parameters(), lr=0.1, momentum=0.9)
    torch_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    _train_both(ours, twin, optimizer, torch_optimizer, steps=4, seed=4)
    assert set(optimizer.state) == set(ours.parameters())  # keyed by the Parameter itself
    saved = optimizer.state_dict()
    n = len(list(ours.parameters()))
    assert sorted(saved["state"]) == list(range(n)) and saved["param_groups"][0]["params"] == list(range(n))
    assert saved["param_groups"][0]["momentum"] == 0.9
    torch_saved = torch_optimizer.state_dict()
    assert sorted(torch_saved["state"]) == sorted(saved["state"])  # the same layout as PyTorch's
    for i in saved["state"]:
        np.testing.assert_allclose(saved["state"][i]["momentum_buffer"],
                                   torch_saved["state"][i]["momentum_buffer"].numpy(), rtol=1e-12, atol=1e-15)
    weights = [p.data.copy() for p in ours.parameters()]
    optimizer.state[next(iter(ours.parameters()))]["momentum_buffer"] *= 0  # saved arrays are copies
    assert saved["state"][0]["momentum_buffer"].any()
    # resume: a fresh optimizer over the same parameters continues exactly where the first one was
    for p, w in zip(ours.parameters(), weights):
        p.data = w.copy()
    resumed = _Momentum(ours.parameters(), lr=0.5, momentum=0.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.1 and resumed.param_groups[0]["momentum"] == 0.9
    _train_both(ours, twin, resumed, torch_optimizer, steps=4, seed=5)


def test_load_state_dict_rejects_a_different_layout():
    ours, _ = _pair()
    saved = SGD(ours.parameters(), lr=0.1).state_dict()
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer 2"):
        SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters()}], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="hold"):
        SGD(ours[0].parameters(), lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        SGD(ours.parameters(), lr=0.1).load_state_dict({"lr": 0.1})
    saved["param_groups"][0]["lr"] = 0.0
    with pytest.raises(ValueError, match="learning rate"):
        SGD(ours.parameters(), lr=0.1).load_state_dict(saved)
