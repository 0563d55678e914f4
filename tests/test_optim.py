"""utils.optim: the Optimizer base, SGD, Adagrad, RMSprop, Adam, AdamW and gradient clipping.

The base: zero_grad, parameter groups, validation, state_dict round trips, a momentum optimizer written on it.
The optimizers: parity with their torch.optim twins in float64 (<= 1e-12 after every one of 100 steps of random
gradients) for every option, two groups with their own settings, settings changed between steps as a scheduler
does, a state_dict saved at step 50 resuming exactly, extreme gradients, the state's and groups' layout against
torch's state_dict, and clear errors. Clipping: parity with torch.nn.utils for norm types 2, 1, 3 and inf."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch
from utils import activations, layers, losses
from utils.module import Parameter
from utils.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    check_lr,
    clip_grad_norm_,
    clip_grad_value_,
    sgd_step,
)


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
    assert optimizer.defaults == {"lr": 0.1, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False}
    assert optimizer.state == {}
    (group,) = optimizer.param_groups
    assert set(group) == {"params", "lr", "momentum", "dampening", "weight_decay", "nesterov"} and group["lr"] == 0.1
    assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]
    single = SGD([{"params": model[0].weight}], lr=0.2)  # one Parameter in a group is wrapped in a list
    assert single.param_groups[0]["params"] == [model[0].weight]
    optimizer = SGD([{"params": model[0].parameters()}], lr=0.1)
    optimizer.add_param_group({"params": model[2].parameters(), "lr": 0.01})
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.01]
    settings = "    dampening: 0.0\n    lr: {}\n    momentum: 0.0\n    nesterov: False\n    weight_decay: 0.0\n"
    assert repr(optimizer) == ("SGD (\nParameter Group 0\n" + settings.format(0.1) + "Parameter Group 1\n"
                               + settings.format(0.01) + ")")


@pytest.mark.parametrize("make, match", [
    (lambda m: SGD([], lr=0.1), "empty parameter list"),
    (lambda m: SGD(iter(()), lr=0.1), "empty parameter list"),
    (lambda m: SGD(m.parameters(), lr=-1e-3), r"learning rate must be a number >= 0, got -0\.001"),
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
    saved["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="learning rate"):
        SGD(ours.parameters(), lr=0.1).load_state_dict(saved)


# ---------------------------------------------------------------------------------------------
# Chapter 05: every optimizer against its torch.optim twin, in float64, 100 steps of random gradients
# ---------------------------------------------------------------------------------------------
SHAPES = [(1,), (3, 4), (5,)]
"""A scalar-like parameter, a matrix and a vector."""

OURS = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}
TORCH = {"SGD": torch.optim.SGD, "Adagrad": torch.optim.Adagrad, "RMSprop": torch.optim.RMSprop,
         "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.3, "initial_accumulator_value": 0.5, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.3, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
]

GROUP_SETTINGS = {  # a second group's own settings, different from the first's
    "SGD": {"lr": 0.02, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1},
    "Adagrad": {"lr": 0.05, "lr_decay": 0.1, "weight_decay": 0.2},
    "RMSprop": {"lr": 0.003, "alpha": 0.95, "centered": True, "momentum": 0.3},
    "Adam": {"lr": 0.01, "betas": (0.5, 0.9), "amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.5},
}


def _twins(seed: int = 0):
    """Our Parameters of SHAPES with random values, and float64 torch leaf tensors with the same values."""
    rng = np.random.default_rng(seed)
    ours = [Parameter(rng.normal(size=shape)) for shape in SHAPES]
    return ours, [torch.tensor(p.data.copy(), requires_grad=True) for p in ours]


def _grads(rng: np.random.Generator, scale: float = 1.0) -> list[np.ndarray]:
    return [scale * rng.normal(size=shape) for shape in SHAPES]


def _set_grads(params, grads) -> None:
    for p, g in zip(params, grads):
        if isinstance(p, Parameter):
            p.grad = g.copy()
        else:
            p.grad = torch.tensor(g)


def _assert_same(ours, theirs, rtol: float = 1e-12, atol: float = 1e-12) -> None:
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=rtol, atol=atol)


def _run(optimizer, torch_optimizer, ours, theirs, *, steps: int, seed: int, scale: float = 1.0,
         before_step=None) -> None:
    """``steps`` steps of both with the same random gradients (drawn per step); equal after every step.
    ``before_step(t, optimizer)`` may change a group's settings; it is applied to both optimizers."""
    rng = np.random.default_rng(seed)
    for t in range(steps):
        grads = _grads(rng, scale)
        _set_grads(ours, grads)
        _set_grads(theirs, grads)
        if before_step is not None:
            before_step(t, optimizer)
            before_step(t, torch_optimizer)
        optimizer.step()
        torch_optimizer.step()
        _assert_same(ours, theirs)


def _assert_same_state(optimizer, torch_optimizer) -> None:
    """Same state entries, same keys in each (PyTorch's names), same values ("step" as a float)."""
    saved, torch_saved = optimizer.state_dict(), torch_optimizer.state_dict()
    assert sorted(saved["state"]) == sorted(torch_saved["state"])
    for i, state in saved["state"].items():
        torch_state = torch_saved["state"][i]
        assert list(state) == list(torch_state)
        for key, value in state.items():
            if key == "step":
                assert isinstance(value, float) and value == float(torch_state[key])
            else:
                np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-12, atol=1e-12)
    for group, torch_group in zip(saved["param_groups"], torch_saved["param_groups"]):
        assert set(torch_group) - set(group) <= {"foreach", "fused", "maximize", "capturable", "differentiable"}
        for key, value in group.items():
            assert value == torch_group[key], key  # every setting of ours, under PyTorch's name and value


def _case_id(case) -> str:
    name, kwargs = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("name, kwargs", CASES, ids=[_case_id(c) for c in CASES])
def test_every_optimizer_and_option_equals_torch_over_100_steps(name, kwargs):
    ours, theirs = _twins()
    optimizer, torch_optimizer = OURS[name](ours, **kwargs), TORCH[name](theirs, **kwargs)
    start = [p.data.copy() for p in ours]
    _run(optimizer, torch_optimizer, ours, theirs, steps=100, seed=1)
    assert all(np.abs(p.data - s).min() > 0 for p, s in zip(ours, start))  # every entry moved
    _assert_same_state(optimizer, torch_optimizer)


@pytest.mark.parametrize("name", OURS)
def test_two_groups_with_their_own_settings_equal_torch(name):
    ours, theirs = _twins(2)
    groups = [{"params": ours[:2]}, {"params": ours[2:], **GROUP_SETTINGS[name]}]
    torch_groups = [{"params": theirs[:2]}, {"params": theirs[2:], **GROUP_SETTINGS[name]}]
    optimizer, torch_optimizer = OURS[name](groups, lr=0.03), TORCH[name](torch_groups, lr=0.03)
    for key, value in GROUP_SETTINGS[name].items():
        assert optimizer.param_groups[1][key] == value and optimizer.param_groups[0][key] != value
    _run(optimizer, torch_optimizer, ours, theirs, steps=100, seed=3)
    _assert_same_state(optimizer, torch_optimizer)


def _schedule(t: int, optimizer) -> None:
    """What a scheduler does between steps: a new lr every 10 steps (0 at the end), and one-cycle's momentum
    or beta1 cycling."""
    group = optimizer.param_groups[0]
    group["lr"] = 0.0 if t >= 90 else 0.05 * (0.5 + 0.5 * np.cos(np.pi * (t // 10) / 10))
    if "momentum" in group and group["momentum"] > 0:
        group["momentum"] = 0.85 + 0.1 * (t % 7) / 7
    if "betas" in group:
        group["betas"] = (0.85 + 0.1 * (t % 7) / 7, group["betas"][1])


@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9}), ("SGD", {"momentum": 0.9, "nesterov": True}),
                                          ("Adagrad", {}), ("RMSprop", {"momentum": 0.9, "centered": True}),
                                          ("Adam", {"amsgrad": True}), ("AdamW", {})])
def test_changing_a_groups_settings_between_steps_as_a_scheduler_does_equals_torch(name, kwargs):
    ours, theirs = _twins(4)
    optimizer, torch_optimizer = OURS[name](ours, lr=0.05, **kwargs), TORCH[name](theirs, lr=0.05, **kwargs)
    _run(optimizer, torch_optimizer, ours, theirs, steps=100, seed=5, before_step=_schedule)
    assert optimizer.param_groups[0]["lr"] == 0.0
    frozen = [p.data.copy() for p in ours]  # lr 0: only decoupled weight decay or nothing moves...
    _run(optimizer, torch_optimizer, ours, theirs, steps=3, seed=6)
    for p, f in zip(ours, frozen):
        np.testing.assert_array_equal(p.data, f)


@pytest.mark.parametrize("name, kwargs", CASES[1::2] + [("AdamW", {"amsgrad": True})],
                         ids=[_case_id(c) for c in CASES[1::2]] + ["AdamW-amsgrad"])
def test_a_state_dict_saved_at_step_50_resumes_exactly_where_it_was(name, kwargs):
    ours, theirs = _twins(6)
    optimizer, torch_optimizer = OURS[name](ours, **kwargs), TORCH[name](theirs, **kwargs)
    _run(optimizer, torch_optimizer, ours, theirs, steps=50, seed=7)
    saved = optimizer.state_dict()
    fresh = [Parameter(p.data) for p in ours]  # a new run: fresh copies of the parameters, a new optimizer
    resumed = OURS[name](fresh, lr=0.5)  # other settings: load_state_dict restores the saved ones
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0].keys() == optimizer.param_groups[0].keys()
    assert all(resumed.param_groups[0][k] == v for k, v in optimizer.param_groups[0].items() if k != "params")
    rng = np.random.default_rng(8)
    for _ in range(50):
        grads = _grads(rng)
        for params, opt in ((ours, optimizer), (fresh, resumed)):
            _set_grads(params, grads)
            opt.step()
        for p, q in zip(ours, fresh):
            np.testing.assert_array_equal(p.data, q.data)  # identical, not merely close
    if name != "SGD":
        assert saved["state"][0]["step"] == 50.0 and resumed.state[fresh[0]]["step"] == 100.0  # a copy was saved


@pytest.mark.parametrize("scale", [0.0, 1e-300, 1e-150, 1e150, 1e300])
@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9, "nesterov": True}), ("Adagrad", {}),
                                          ("RMSprop", {"momentum": 0.5}), ("RMSprop", {"centered": True}),
                                          ("Adam", {"amsgrad": True}), ("AdamW", {})])
def test_extreme_gradients_give_what_torch_gives(name, kwargs, scale):
    if kwargs.get("centered") and scale == 1e300:
        pytest.skip("v = inf and m² overflows: torch's fused multiply-add gives inf - m² = inf, NumPy inf - inf = nan")
    ours, theirs = _twins(9)
    optimizer, torch_optimizer = OURS[name](ours, **kwargs), TORCH[name](theirs, **kwargs)
    with np.errstate(over="ignore", invalid="ignore"):  # g² = inf at 1e300: expected here
        _run(optimizer, torch_optimizer, ours, theirs, steps=20, seed=10, scale=scale)
    if scale <= 1e150:  # g² (and so every quantity here) stays finite
        assert all(np.isfinite(p.data).all() for p in ours)


def test_adam_with_coupled_weight_decay_and_adamw_differ_and_each_equals_its_torch_twin():
    finals = {}
    for name, ours_cls, torch_cls, kwargs in [
            ("coupled", Adam, torch.optim.Adam, {"weight_decay": 0.5}),
            ("decoupled", AdamW, torch.optim.AdamW, {"weight_decay": 0.5}),
            ("decoupled by keyword", Adam, torch.optim.Adam, {"weight_decay": 0.5, "decoupled_weight_decay": True})]:
        ours, theirs = _twins(11)
        _run(ours_cls(ours, lr=0.05, **kwargs), torch_cls(theirs, lr=0.05, **kwargs), ours, theirs, steps=100,
             seed=12)
        finals[name] = np.concatenate([p.data.ravel() for p in ours])
    assert np.abs(finals["coupled"] - finals["decoupled"]).max() > 1e-2
    np.testing.assert_array_equal(finals["decoupled"], finals["decoupled by keyword"])
    assert AdamW(_twins()[0]).param_groups[0]["decoupled_weight_decay"] is True
    assert AdamW(_twins()[0]).defaults["weight_decay"] == 1e-2


def test_parameters_without_a_gradient_get_no_state_and_do_not_move_as_in_torch():
    for name, kwargs in [("SGD", {"momentum": 0.9}), ("RMSprop", {}), ("Adam", {}), ("Adagrad", {})]:
        ours, theirs = _twins(13)
        optimizer, torch_optimizer = OURS[name](ours, **kwargs), TORCH[name](theirs, **kwargs)
        before = ours[1].data.copy()
        for _ in range(3):
            grads = _grads(np.random.default_rng(14))
            grads[1] = None
            for params in (ours, theirs):
                for p, g in zip(params, grads):
                    p.grad = None if g is None else (g.copy() if isinstance(p, Parameter) else torch.tensor(g))
            optimizer.step()
            torch_optimizer.step()
        np.testing.assert_array_equal(ours[1].data, before)
        _assert_same(ours, theirs)
        _assert_same_state(optimizer, torch_optimizer)  # Adagrad keeps a state for every parameter, as torch


def test_default_hyper_parameters_are_torchs():
    for name in OURS:
        ours, theirs = _twins()
        ours_group = OURS[name](ours).param_groups[0]
        torch_group = TORCH[name](theirs).param_groups[0]
        assert {k: v for k, v in ours_group.items() if k != "params"} == {
            k: v for k, v in torch_group.items() if k in ours_group and k != "params"}


@pytest.mark.parametrize("make, error, match", [
    (lambda p: SGD(p, momentum=-0.1), ValueError, r"momentum must be a finite number >= 0, got -0.1"),
    (lambda p: SGD(p, weight_decay=-1), ValueError, r"weight_decay must be a finite number >= 0, got -1"),
    (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     r"Nesterov momentum needs momentum > 0 and dampening = 0, got momentum=0.9 and dampening=0.1"),
    (lambda p: SGD(p, nesterov=1), ValueError, r"nesterov must be True or False, got 1"),
    (lambda p: SGD(p, lr=float("nan")), ValueError, r"learning rate must be a number >= 0, got nan"),
    (lambda p: SGD(p, lr="0.1"), ValueError, r"learning rate must be a number >= 0, got '0.1'"),
    (lambda p: SGD(p, lr=True), ValueError, r"learning rate must be a number >= 0, got True"),
    (lambda p: Adagrad(p, initial_accumulator_value=-1.0), ValueError,
     r"initial_accumulator_value must be a finite number >= 0"),
    (lambda p: Adagrad(p, weight_decay=float("inf")), ValueError, r"weight_decay must be a finite number >= 0"),
    (lambda p: RMSprop(p, alpha=-0.1), ValueError, r"alpha .* must be in \[0, 1\], got -0.1"),
    (lambda p: RMSprop(p, eps=-1e-8), ValueError, r"eps must be a finite number >= 0, got -1e-08"),
    (lambda p: RMSprop(p, momentum=-0.5), ValueError, r"momentum must be a finite number >= 0"),
    (lambda p: Adam(p, betas=(-0.1, 0.999)), ValueError, r"betas\[0\] must be in \[0, 1\), got -0.1"),
    (lambda p: Adam(p, betas=(0.9, 0.999, 0.5)), ValueError, r"betas must be a pair \(beta1, beta2\)"),
    (lambda p: Adam(p, betas=("0.9", 0.999)), ValueError, r"betas\[0\] must be a finite number, got '0.9'"),
    (lambda p: Adam(p, amsgrad="no"), ValueError, r"amsgrad must be True or False, got 'no'"),
    (lambda p: Adam(p, weight_decay=-0.1), ValueError, r"weight_decay must be a finite number >= 0"),
    (lambda p: Adam([{"params": p, "betas": (0.9, 1.5)}]), ValueError, r"betas\[1\] must be in \[0, 1\)"),
    (lambda p: AdamW(p, betas=(1.0, 0.999)), ValueError, r"betas\[0\] must be in \[0, 1\), got 1"),
    (lambda p: Adam(p, capturable=False), ValueError, r"don't have the 'capturable' option"),
    (lambda p: RMSprop(p, differentiable=False), ValueError, r"don't have the 'differentiable' option"),
    (lambda p: Adagrad(p, foreach=None), ValueError, r"Adagrad\(foreach=...\): the course's optimizers don't"),
    (lambda p: SGD(p, fused=True), ValueError, r"don't have the 'fused' option"),
    (lambda p: SGD(p, maximize=True), ValueError, r"to maximize f, minimize -f"),
    (lambda p: SGD(p, momentom=0.9), TypeError, r"SGD\(\) got an unexpected keyword argument 'momentom'"),
])
def test_bad_hyper_parameters_and_left_out_options_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(_twins()[0])


def test_lr_zero_is_allowed_as_in_torch_and_a_bad_value_written_by_a_schedule_is_caught_at_the_step():
    ours, theirs = _twins()
    optimizer, torch_optimizer = Adam(ours, lr=0.0), torch.optim.Adam(theirs, lr=0.0)
    _run(optimizer, torch_optimizer, ours, theirs, steps=2, seed=0)
    optimizer.param_groups[0]["betas"] = (0.9, 1.0)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\), got 1"):
        optimizer.step()
    sgd = SGD(ours, lr=0.1, momentum=0.9, nesterov=True)
    sgd.param_groups[0]["momentum"] = 0.0
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        sgd.step()


def test_every_step_returns_the_closures_loss():
    for cls in OURS.values():
        p = Parameter([1.0])
        p.grad = np.array([0.5])
        assert cls([p]).step(lambda: 2.5) == 2.5
        with pytest.raises(TypeError, match="closure must be a function"):
            cls([p]).step(0.5)


# ---- gradient clipping ----------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_equals_torch(norm_type, max_norm):
    ours, theirs = _twins(15)
    grads = _grads(np.random.default_rng(16))
    _set_grads(ours[:2], grads[:2])  # the last parameter has no gradient: skipped
    _set_grads(theirs[:2], grads[:2])
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, float) and total == pytest.approx(torch_total.item(), rel=1e-13)
    assert (total > max_norm) == (max_norm == 0.5)  # one case clips, the other does not
    for p, q in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-13, atol=0)
    assert ours[2].grad is None
    after = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    assert after == pytest.approx(min(total, max_norm), rel=1e-5)  # the norm the clipping left
    if max_norm == 100.0:
        for p, g in zip(ours[:2], grads[:2]):
            np.testing.assert_array_equal(p.grad, g)  # below max_norm: untouched


def test_clip_grad_norm_scales_by_the_global_norm_not_each_parameter_alone():
    p, q = Parameter([0.0, 0.0]), Parameter([0.0])
    p.grad, q.grad = np.array([3.0, 0.0]), np.array([4.0])
    assert clip_grad_norm_([p, q], 1.0) == 5.0
    np.testing.assert_allclose(np.concatenate([p.grad, q.grad]), np.array([3.0, 0.0, 4.0]) / (5.0 + 1e-6))
    assert clip_grad_norm_([Parameter([1.0])], 1.0) == 0.0  # no gradients: nothing to clip
    r = Parameter([1.0])
    r.grad = np.array([2.0])
    assert clip_grad_norm_(r, 1.0) == 2.0 and r.grad[0] == pytest.approx(1.0)  # one Parameter, as a tensor


@pytest.mark.parametrize("scale", [0.0, 1e-300, 1e200])
def test_clip_grad_norm_of_extreme_gradients_equals_torch(scale):
    ours, theirs = _twins(17)
    grads = _grads(np.random.default_rng(18), scale)
    _set_grads(ours, grads)
    _set_grads(theirs, grads)
    with np.errstate(over="ignore"):  # (1e200)² = inf, as in torch
        total = clip_grad_norm_(ours, 1.0)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs, 1.0).item()
    assert total == pytest.approx(torch_total, rel=1e-13) or (np.isinf(total) and np.isinf(torch_total))
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-13, atol=0)


def test_clip_grad_norm_error_if_nonfinite():
    p = Parameter([1.0, 2.0])
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm of the gradients is inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad, [np.inf, 1.0])  # untouched
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor([np.inf, 1.0], dtype=torch.float64)
    with np.errstate(invalid="ignore"):  # inf·0
        assert clip_grad_norm_([p], 1.0) == torch.nn.utils.clip_grad_norm_([t], 1.0).item() == np.inf
    np.testing.assert_array_equal(p.grad, t.grad.numpy())  # inf·0 = nan, 1·0 = 0: as torch


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 10.0])
def test_clip_grad_value_equals_torch(clip_value):
    ours, theirs = _twins(19)
    grads = _grads(np.random.default_rng(20), 2.0)
    _set_grads(ours[1:], grads[1:])
    _set_grads(theirs[1:], grads[1:])
    assert clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())
        assert np.abs(p.grad).max() <= clip_value
    assert ours[0].grad is None
    if clip_value == 0.3:
        assert sum(np.sum(np.abs(g) > 0.3) for g in grads[1:]) > 0  # some entries were clamped
