"""A minimal training loop from scratch: one SGD step, epochs over (mini-)batches, the loss history.

Everything here is built on the ``Module`` convention (``utils/module.py``): ``model(X)`` runs forward,
``loss_fn(out, y)`` gives the loss, ``loss_fn.backward()`` its gradient with respect to ``out``,
``model.backward(g)`` fills every parameter's ``.grad``, and a step moves each parameter against its
gradient. Chapter 05 replaces ``sgd_step`` by optimizer classes (momentum, Adam); Chapter 06 adds
validation, early stopping and the rest of a real training loop.

- ``sgd_step(parameters, lr)``: ``p.data -= lr * p.grad`` for every parameter that has a gradient.
- ``fit(model, loss_fn, X, y, lr=..., epochs=..., batch_size=None, rng=None)``: the loop; returns the
  mean training loss of each epoch (full batch when ``batch_size`` is None).
- ``accuracy(scores, y)``: the fraction classified right (argmax of (N, C) scores, or a 0.5 threshold on
  (N,) / (N, 1) probabilities).
- ``gradient_norms(model)``: the size of each parameter's gradient (for vanishing/exploding gradients).
- XOR, the classic first network that learns: ``xor_network(rng)`` (2 → 4 → 1, sigmoid, the course's recipe
  ``XOR_RECIPE``) and ``train_xor_seeds``, the same training vectorised over many random starts at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import activations, layers
from .module import Module, Parameter, to_float64

__all__ = [
    "XOR_RECIPE",
    "XorRuns",
    "accuracy",
    "fit",
    "gradient_norms",
    "sgd_step",
    "train_xor_seeds",
    "xor_network",
]


def _check_lr(lr) -> float:
    if isinstance(lr, bool) or not np.isfinite(float(lr)) or float(lr) <= 0:
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    return float(lr)


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def sgd_step(parameters: Iterable[Parameter], lr: float) -> None:
    """One step of gradient descent, in place: ``p.data -= lr * p.grad`` (parameters without a gradient stay)."""
    lr = _check_lr(lr)
    for p in parameters:
        if p.grad is not None:
            p.data -= lr * p.grad


def fit(model: Module, loss_fn: Module, X, y, *, lr: float, epochs: int, batch_size: int | None = None,
        rng: np.random.Generator | None = None,
        callback: Callable[[int, float], None] | None = None) -> np.ndarray:
    """Train ``model`` with plain SGD; return the mean training loss of each epoch, shape (epochs,).

    Each step: forward, loss, ``zero_grad``, backward, ``sgd_step``. With ``batch_size`` the examples are
    shuffled every epoch with ``rng`` (required then) and visited in mini-batches; the epoch's loss is the
    mean of its batches' losses weighted by their sizes. ``callback(epoch, loss)`` runs after each epoch
    (a progress bar, a plot).

    Shapes: X (N, ...), y (N, ...) as ``loss_fn`` expects them (e.g. (N,) class indices).
    """
    lr, epochs = _check_lr(lr), _check_positive_int(epochs, "epochs")
    X = to_float64(X, "X")
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of examples, got {len(X)} and {len(y)}")
    n = len(X)
    if batch_size is not None:
        batch_size = _check_positive_int(batch_size, "batch_size")
        if not isinstance(rng, np.random.Generator):
            raise ValueError("mini-batches are shuffled: pass rng=np.random.default_rng(seed)")
    history = np.empty(epochs)
    for epoch in range(epochs):
        if batch_size is None:
            batches = [np.arange(n)]
        else:
            order = rng.permutation(n)
            batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        total = 0.0
        for idx in batches:
            out = model(X[idx])
            loss = loss_fn(out, y[idx])
            model.zero_grad()
            model.backward(loss_fn.backward())
            sgd_step(model.parameters(), lr)
            total += loss * len(idx)
        history[epoch] = total / n
        if callback is not None:
            callback(epoch, float(history[epoch]))
    return history


def accuracy(scores, y) -> float:
    """The fraction of examples classified right.

    Shapes: scores (N, C) with C >= 2 (class = argmax) or (N,) / (N, 1) probabilities (class 1 where
    >= 0.5); y (N,) class labels.
    """
    scores = to_float64(scores, "scores")
    y = np.asarray(y).reshape(-1)
    if scores.ndim == 2 and scores.shape[1] >= 2:
        predicted = scores.argmax(axis=1)
    else:
        predicted = (scores.reshape(-1) >= 0.5).astype(int)
    if predicted.shape != y.shape:
        raise ValueError(f"scores for {predicted.shape[0]} examples but {y.shape[0]} labels")
    return float(np.mean(predicted == y))


def gradient_norms(model: Module) -> dict[str, float]:
    """``{parameter name: ‖grad‖₂}`` after a backward pass (0.0 for a parameter without a gradient)."""
    return {name: 0.0 if p.grad is None else float(np.linalg.norm(p.grad)) for name, p in model.named_parameters()}


# -------------------------------------------------------------------------------------------------------
# XOR: 2 -> 4 -> 1 with sigmoids and the mean squared error
# -------------------------------------------------------------------------------------------------------
XOR_RECIPE = {"init": "pytorch", "lr": 1.0, "epochs": 10_000, "hidden": 4}
"""The course's XOR recipe: PyTorch's default initialization, lr 1.0, 10,000 epochs of full-batch gradient
descent on the mean squared error. (The seed's recipe, N(0, 1) weights and lr 0.1, is
``{"init": "normal", "lr": 0.1, ...}``: with the mean-reduced MSE about 1 start in 5 is still on (or just leaving)
the 0.25 plateau after 10,000 epochs.)"""

_XOR_INITS = ("pytorch", "normal")


def xor_network(rng: np.random.Generator, hidden: int = 4, init: str = "pytorch") -> layers.Sequential:
    """``Sequential(Linear(2, hidden), Sigmoid(), Linear(hidden, 1), Sigmoid())``, weights drawn from ``rng``.

    ``init="pytorch"``: ``torch.nn.Linear``'s default, U(±1/√fan_in) for weights and biases.
    ``init="normal"``: the seed's, weights from N(0, 1) and biases 0.
    """
    if init not in _XOR_INITS:
        raise ValueError(f"init must be one of {', '.join(_XOR_INITS)}; got {init!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    hidden = _check_positive_int(hidden, "hidden")
    first, second = layers.Linear(2, hidden, rng=rng), layers.Linear(hidden, 1, rng=rng)
    if init == "normal":
        for layer in (first, second):
            layer.weight.data = rng.normal(size=layer.weight.shape)
            layer.bias.data = np.zeros(layer.bias.shape)
    return layers.Sequential(first, activations.Sigmoid(), second, activations.Sigmoid())


@dataclass(frozen=True)
class XorRuns:
    """Many XOR trainings at once. ``losses`` (S, epochs): the MSE before each step; ``outputs`` (S, 4): the
    final network's outputs for (0,0), (0,1), (1,0), (1,1); ``final_loss`` (S,): their MSE."""

    seeds: tuple[int, ...]
    losses: np.ndarray
    outputs: np.ndarray
    final_loss: np.ndarray

    def converged(self, threshold: float = 0.01) -> np.ndarray:
        """(S,) booleans: final MSE below ``threshold``."""
        return self.final_loss < threshold


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return activations.sigmoid(z)


def train_xor_seeds(seeds: Sequence[int], *, init: str = "pytorch", lr: float = 1.0, epochs: int = 10_000,
                    hidden: int = 4) -> XorRuns:
    """Train ``xor_network(np.random.default_rng(seed), hidden, init)`` for every seed at once.

    The same full-batch gradient descent on the mean squared error as ``fit`` with ``utils.layers``, written
    with a leading "seed" axis S so that 20 trainings cost little more than one: W1 (S, H, 2), b1 (S, H),
    W2 (S, 1, H), b2 (S, 1). Each network starts exactly as ``xor_network`` builds it.
    """
    from .data import logic_gate

    lr, epochs = _check_lr(lr), _check_positive_int(epochs, "epochs")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    nets = [xor_network(np.random.default_rng(s), hidden, init) for s in seeds]
    W1 = np.stack([net[0].weight.data for net in nets])  # (S, H, 2)
    b1 = np.stack([net[0].bias.data for net in nets])  # (S, H)
    W2 = np.stack([net[2].weight.data for net in nets])  # (S, 1, H)
    b2 = np.stack([net[2].bias.data for net in nets])  # (S, 1)
    X, y = logic_gate("xor")  # (4, 2), (4,)
    Y = y[None, :, None]  # (1, 4, 1)
    n = len(X)
    history = np.empty((len(seeds), epochs))
    for epoch in range(epochs):
        H = _sigmoid(np.einsum("nd,shd->snh", X, W1) + b1[:, None, :])  # (S, 4, H)
        out = _sigmoid(np.einsum("snh,soh->sno", H, W2) + b2[:, None, :])  # (S, 4, 1)
        history[:, epoch] = ((out - Y) ** 2).mean(axis=(1, 2))
        dZ2 = 2.0 * (out - Y) / n * out * (1.0 - out)  # dL/dZ2: mean-MSE gradient times σ'
        dH = np.einsum("sno,soh->snh", dZ2, W2)  # (S, 4, H)
        dZ1 = dH * H * (1.0 - H)
        W2 -= lr * np.einsum("sno,snh->soh", dZ2, H)
        b2 -= lr * dZ2.sum(axis=1)
        W1 -= lr * np.einsum("snh,nd->shd", dZ1, X)
        b1 -= lr * dZ1.sum(axis=1)
    H = _sigmoid(np.einsum("nd,shd->snh", X, W1) + b1[:, None, :])
    outputs = _sigmoid(np.einsum("snh,soh->sno", H, W2) + b2[:, None, :])[..., 0]  # (S, 4)
    return XorRuns(seeds, history, outputs, ((outputs - y) ** 2).mean(axis=1))

