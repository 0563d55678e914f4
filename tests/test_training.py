"""utils.training: the SGD step, the loop with an optimizer (equal to PyTorch's step by step), accuracy and
gradient norms."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch
from utils import activations, layers, losses, optim
from utils.module import Parameter
from utils.optim import SGD
from utils.training import accuracy, fit, gradient_norms, sgd_step


def test_sgd_step_is_the_optimizers_building_block():
    assert sgd_step is optim.sgd_step


def test_sgd_step_moves_against_the_gradient_and_skips_parameters_without_one():
    p, q = Parameter([1.0, -2.0]), Parameter([3.0])
    p.grad = np.array([0.5, -1.0])
    sgd_step([p, q], lr=0.1)
    np.testing.assert_allclose(p.data, [0.95, -1.9])
    np.testing.assert_array_equal(q.data, [3.0])
    for bad in (0.0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="learning rate"):
            sgd_step([p], bad)


def _model(rng):
    return layers.Sequential(layers.Linear(2, 8, rng=rng), activations.Tanh(), layers.Linear(8, 2, rng=rng))


def _problem(seed: int, n: int):
    """Random data (X (n, 2), y (n,) labels 0/1), our 2 -> 8 -> 2 tanh model and its float64 PyTorch twin."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, 2)), rng.integers(0, 2, n)
    ours = _model(rng)
    twin = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    copy_params_to_torch(ours, twin)
    return X, y, ours, twin


def test_fit_full_batch_equals_torch_sgd_step_by_step():
    X, y, ours, twin = _problem(0, 16)
    history = fit(ours, losses.CrossEntropyLoss(), SGD(ours.parameters(), lr=0.5), X, y, epochs=5)
    opt = torch.optim.SGD(twin.parameters(), lr=0.5)
    expected = []
    for _ in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(X)), torch.from_numpy(y))
        loss.backward()
        opt.step()
        expected.append(loss.item())
    np.testing.assert_allclose(history, expected, rtol=1e-12)
    for (_, p), q in zip(ours.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_fit_with_mini_batches_learns_and_calls_back_every_epoch():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # a quadrant pattern: not linearly separable
    model = _model(rng)
    seen = []
    history = fit(model, losses.CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), X, y, epochs=60,
                  batch_size=20, rng=rng, callback=lambda epoch, loss: seen.append((epoch, loss)))
    assert history.shape == (60,) and [e for e, _ in seen] == list(range(60))
    assert history[-1] < 0.5 * history[0]
    assert accuracy(model(X), y) > 0.9


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"epochs": 1, "batch_size": 4}, "rng"),
    ({"epochs": 1, "batch_size": 0, "rng": np.random.default_rng(0)}, "batch_size"),
])
def test_fit_rejects_bad_settings(kwargs, match):
    model = _model(np.random.default_rng(0))
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=match):
        fit(model, losses.CrossEntropyLoss(), optimizer, np.zeros((4, 2)), np.zeros(4, dtype=int), **kwargs)
    with pytest.raises(ValueError, match="same number of examples"):
        fit(model, losses.CrossEntropyLoss(), optimizer, np.zeros((4, 2)), np.zeros(3, dtype=int), epochs=1)


def test_fit_wants_an_optimizer_over_the_models_parameters():
    model, other = _model(np.random.default_rng(0)), _model(np.random.default_rng(1))
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match=r"takes an optimizer from utils.optim, e.g. SGD\(model.parameters\(\)"):
        fit(model, losses.CrossEntropyLoss(), 0.1, X, y, epochs=1)  # a learning rate where the optimizer goes
    with pytest.raises(ValueError, match="none of the model's parameters"):
        fit(model, losses.CrossEntropyLoss(), SGD(other.parameters(), lr=0.1), X, y, epochs=1)
    with pytest.raises(TypeError):
        fit(model, losses.CrossEntropyLoss(), X, y, lr=0.1, epochs=1)  # Chapter 04's first signature is gone


def test_fit_with_two_param_groups_equals_torch_with_the_same_groups():
    X, y, ours, twin = _problem(5, 12)
    optimizer = SGD([{"params": ours[0].parameters(), "lr": 0.3}, {"params": ours[2].parameters()}], lr=0.05)
    history = fit(ours, losses.CrossEntropyLoss(), optimizer, X, y, epochs=6, batch_size=5,
                  rng=np.random.default_rng(9))
    opt = torch.optim.SGD([{"params": twin[0].parameters(), "lr": 0.3}, {"params": twin[2].parameters()}], lr=0.05)
    order_rng, expected = np.random.default_rng(9), []
    for _ in range(6):
        order, total = order_rng.permutation(12), 0.0
        for i in range(0, 12, 5):
            idx = torch.from_numpy(order[i:i + 5])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(X)[idx]), torch.from_numpy(y)[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        expected.append(total / 12)
    np.testing.assert_allclose(history, expected, rtol=1e-12)
    for p, q in zip(ours.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_accuracy_for_class_scores_and_probabilities():
    assert accuracy(np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), [0, 1, 1]) == pytest.approx(2 / 3)
    assert accuracy(np.array([0.2, 0.7, 0.5, 0.49]), [0, 1, 1, 1]) == 0.75
    assert accuracy(np.array([[0.9], [0.1]]), np.array([[1.0], [0.0]])) == 1.0
    with pytest.raises(ValueError, match="labels"):
        accuracy(np.zeros((3, 2)), [0, 1])


def test_gradient_norms_name_every_parameter():
    rng = np.random.default_rng(2)
    model = _model(rng)
    assert gradient_norms(model) == {"0.weight": 0.0, "0.bias": 0.0, "2.weight": 0.0, "2.bias": 0.0}
    out = model(rng.normal(size=(5, 2)))
    model.backward(np.ones_like(out))
    norms = gradient_norms(model)
    assert norms["2.bias"] == pytest.approx(np.sqrt(2) * 5)  # the bias gradient is the column sum of ones
    assert all(v > 0 for v in norms.values())


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.2, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("Adagrad", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.1}),
])
def test_fit_with_every_optimizer_equals_torch_and_lowers_the_loss(name, kwargs):
    X, _, ours, twin = _problem(7, 40)
    y = (X[:, 0] > X[:, 1]).astype(int)  # a learnable rule: every optimizer should lower the loss
    optimizer = getattr(optim, name)(ours.parameters(), **kwargs)
    history = fit(ours, losses.CrossEntropyLoss(), optimizer, X, y, epochs=8, batch_size=10,
                  rng=np.random.default_rng(3))
    opt = getattr(torch.optim, name)(twin.parameters(), **kwargs)
    order_rng, expected = np.random.default_rng(3), []
    for _ in range(8):
        order, total = order_rng.permutation(40), 0.0
        for i in range(0, 40, 10):
            idx = torch.from_numpy(order[i:i + 10])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(X)[idx]), torch.from_numpy(y)[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        expected.append(total / 40)
    np.testing.assert_allclose(history, expected, rtol=1e-11)
    for p, q in zip(ours.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert history[-1] < 0.5 * history[0]
