"""XOR, the classic first network that learns: the 2 → 4 → 1 sigmoid network, its recipes, and many trainings at once.

- ``xor_network(rng, hidden=4, init="pytorch")``: ``Sequential(Linear(2, 4), Sigmoid(), Linear(4, 1), Sigmoid())``.
- ``XOR_RECIPE`` (the course's: PyTorch's initialization, lr 1.0) and ``CLASSIC_XOR_RECIPE`` (the classic
  tutorial code's: N(0, 1) weights, biases 0, its step written as lr 0.2 on the mean squared error): dicts with
  ``"init"``, ``"lr"``, ``"epochs"`` and ``"hidden"``.
- ``classic_xor_loop``: the classic tutorial code itself (weights stored (in, out), the error y − out, the
  sigmoid's derivative taken from its output, ``+=`` updates with lr 0.1), to show that its step is
  ``CLASSIC_XOR_RECIPE``'s.
- ``train_xor_seeds`` / ``train_xor_recipes``: full-batch gradient descent on the mean squared error, the same
  arithmetic as ``utils.training.fit`` with ``SGD``, vectorised over many random starts (and recipes) at once;
  the results come back as ``XorRuns`` (losses, final outputs, ``converged``, ``epochs_to``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import activations, layers
from .data import logic_gate
from .module import check_number, check_positive_int, check_rng, check_seed, to_float64
from .optim import check_lr

__all__ = [
    "CLASSIC_XOR_RECIPE",
    "XOR_RECIPE",
    "XorRuns",
    "classic_xor_loop",
    "train_xor_recipes",
    "train_xor_seeds",
    "xor_network",
]

XOR_RECIPE = {"init": "pytorch", "lr": 1.0, "epochs": 10_000, "hidden": 4}
"""The course's XOR recipe: PyTorch's default initialization, lr 1.0, 10,000 epochs of full-batch gradient
descent on the mean squared error (every one of 20 starts tried is below an MSE of 0.01 within 3,000 epochs)."""
CLASSIC_XOR_RECIPE = {"init": "normal", "lr": 0.2, "epochs": 10_000, "hidden": 4}
"""The classic recipe, as a widespread tutorial code writes it (``classic_xor_loop``): N(0, 1) weights, biases 0,
10,000 epochs, and the update ``W += 0.1 · (its error-times-derivative product)``, which is the gradient step of
½Σ(out − y)² with lr 0.1. On the *mean* squared error of the 4 examples (gradient 2/4 as large) the same step is
lr 0.1 × 4/2 = 0.2. Every one of 20 starts tried gets below an MSE of 0.01 within the 10,000 epochs."""
_XOR_INITS = ("pytorch", "normal")


def xor_network(rng: np.random.Generator, hidden: int = 4, init: str = "pytorch") -> layers.Sequential:
    """``Sequential(Linear(2, hidden), Sigmoid(), Linear(hidden, 1), Sigmoid())``, weights drawn from ``rng``.

    ``init="pytorch"``: ``torch.nn.Linear``'s default, U(±1/√fan_in) for weights and biases.
    ``init="normal"``: the classic tutorial code's, weights from N(0, 1) and biases 0.
    """
    if init not in _XOR_INITS:
        raise ValueError(f"init must be one of {', '.join(_XOR_INITS)}; got {init!r}")
    check_rng(rng)
    hidden = check_positive_int(hidden, "hidden")
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

    def epochs_to(self, threshold: float = 0.01) -> np.ndarray:
        """(S,) floats: how many epochs each start needed before its MSE was below ``threshold`` (``losses[s, k]``
        is the MSE after k epochs, the final loss the MSE after all of them); ``inf`` if it never was."""
        threshold = check_number(threshold, "threshold")
        after = np.concatenate([self.losses, self.final_loss[:, None]], axis=1)  # (S, epochs + 1): after k epochs
        below = after < threshold
        return np.where(below.any(axis=1), below.argmax(axis=1), np.inf)


def _sigmoid_(z: np.ndarray) -> np.ndarray:
    """σ(z) in place, as ½(1 + tanh(z/2)): the same function (to ~1e-16), never overflows, four cheap passes."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _train_xor(nets: list[layers.Sequential], lr: np.ndarray, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the mean squared error for every 2 → H → 1 network of ``nets`` at once,
    network s with learning rate ``lr[s]``. Returns losses (S, epochs) and the final outputs (S, 4).

    All S networks live side by side in plain 2-D arrays, so one epoch is a dozen small NumPy operations
    whatever S is: the first layers as one (2, S·H) matrix A (column s·H + h is unit h of network s), the
    output layers as V (S, H), the biases as c1 (S·H,) and c2 (S,).
    """
    X, y = logic_gate("xor")  # (4, 2), (4,)
    n, s, h = len(X), len(nets), nets[0][0].out_features
    A = np.concatenate([net[0].weight.data for net in nets]).T.copy()  # (S·H, 2) -> (2, S·H)
    c1 = np.concatenate([net[0].bias.data for net in nets])  # (S·H,)
    V = np.stack([net[2].weight.data[0] for net in nets])  # (S, H)
    c2 = np.array([net[2].bias.data[0] for net in nets])  # (S,)
    lr_units, lr_rows = np.repeat(lr, h), lr[:, None]  # (S·H,), (S, 1)
    XT, Y = X.T.copy(), y[:, None]  # (2, 4), (4, 1)
    history = np.empty((epochs, s))
    for epoch in range(epochs):
        H = X @ A  # (4, 2) @ (2, S·H) -> (4, S·H)
        H += c1
        _sigmoid_(H)
        H3 = H.reshape(n, s, h)  # (4, S, H): the hidden units of each network
        out = (H3 * V).sum(axis=2)  # (4, S): each network's output for the four inputs
        out += c2
        _sigmoid_(out)
        err = out - Y
        history[epoch] = np.einsum("ns,ns->s", err, err)  # n · MSE, divided by n below
        dZ2 = err * out * (1.0 - out)  # dL/dZ2 = 2(out − y)/n · σ'(Z2): the 2/n is applied next
        dZ2 *= 2.0 / n
        dZ1 = (dZ2[:, :, None] * V).reshape(n, s * h)  # dL/dH (4, S·H)
        dZ1 *= H * (1.0 - H)  # times σ'(Z1)
        V -= lr_rows * np.einsum("ns,nsh->sh", dZ2, H3)  # dL/dW2 = dZ2ᵀ H, per network
        c2 -= lr * dZ2.sum(axis=0)
        A -= lr_units * (XT @ dZ1)  # dL/dW1ᵀ = Xᵀ dZ1 (2, S·H)
        c1 -= lr_units * dZ1.sum(axis=0)
    H = _sigmoid_(X @ A + c1).reshape(n, s, h)
    outputs = _sigmoid_((H * V).sum(axis=2) + c2).T  # (S, 4)
    return history.T / n, outputs


def _runs(seeds: tuple[int, ...], losses_: np.ndarray, outputs: np.ndarray) -> XorRuns:
    _, y = logic_gate("xor")
    return XorRuns(seeds, losses_, outputs, ((outputs - y) ** 2).mean(axis=1))


def _check_seeds(seeds) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise ValueError(f"seeds must be a list of integers, e.g. range(20), got {seeds!r}")
    seeds = tuple(check_seed(s, "each seed") for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    return seeds


def train_xor_seeds(seeds: Sequence[int], *, init: str = "pytorch", lr: float = 1.0, epochs: int = 10_000,
                    hidden: int = 4) -> XorRuns:
    """Train ``xor_network(np.random.default_rng(seed), hidden, init)`` for every seed at once.

    The same full-batch gradient descent on the mean squared error as ``utils.training.fit`` with ``SGD``
    (equal to ~1e-12), vectorised over the random starts so that 20 trainings cost little more than one. Each network
    starts exactly as ``xor_network`` builds it.
    """
    return train_xor_recipes(seeds, [{"init": init, "lr": lr}], epochs=epochs, hidden=hidden)[0]


def train_xor_recipes(seeds: Sequence[int], recipes: Sequence[dict], *, epochs: int | None = None,
                      hidden: int | None = None) -> list[XorRuns]:
    """``train_xor_seeds`` for several recipes (dicts with ``"init"`` and ``"lr"``, like ``XOR_RECIPE`` and
    ``CLASSIC_XOR_RECIPE``) over the same seeds, in one vectorised loop; one ``XorRuns`` per recipe.

    ``epochs`` and ``hidden`` default to the recipes' own ``"epochs"`` / ``"hidden"`` entries (10,000 and 4
    when absent), which must then agree.
    """
    seeds = _check_seeds(seeds)
    recipes = list(recipes)
    if not recipes or not all(isinstance(r, dict) and {"init", "lr"} <= set(r) for r in recipes):
        raise ValueError('give at least one recipe, each a dict with "init" and "lr" (like XOR_RECIPE)')

    def shared(key: str, given, default: int) -> int:
        if given is not None:
            return check_positive_int(given, key)
        values = {r.get(key, default) for r in recipes}
        if len(values) != 1:
            raise ValueError(f"the recipes disagree on {key} ({sorted(values)}): pass {key}=... explicitly")
        return check_positive_int(values.pop(), key)

    epochs, hidden = shared("epochs", epochs, 10_000), shared("hidden", hidden, 4)
    nets, lrs = [], []
    for recipe in recipes:
        lr = check_lr(recipe["lr"])
        nets += [xor_network(np.random.default_rng(s), hidden, recipe["init"]) for s in seeds]
        lrs += [lr] * len(seeds)
    history, outputs = _train_xor(nets, np.array(lrs), epochs)
    k = len(seeds)
    return [_runs(seeds, history[i * k:(i + 1) * k], outputs[i * k:(i + 1) * k]) for i in range(len(recipes))]


def classic_xor_loop(weights1: np.ndarray, bias1: np.ndarray, weights2: np.ndarray, bias2: np.ndarray, *,
                     epochs: int, learning_rate: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The classic tutorial code's XOR training, line for line: weights stored (in, out) and used as ``X @ W``,
    the error ``y − out``, the sigmoid's derivative taken from its output ``s · (1 − s)``, and ``+=`` updates.

    Its update is the gradient step of ½Σ(out − y)² with ``learning_rate``, i.e. ``learning_rate × 4/2`` on the
    mean squared error of the 4 examples (``CLASSIC_XOR_RECIPE``). The arrays given are copied, not changed.

    Shapes: weights1 (2, H), bias1 (H,), weights2 (H, 1), bias2 (1,) -> losses (epochs,): the mean squared
    error before each update; outputs (4,): the final network's outputs for (0,0), (0,1), (1,0), (1,1).

    Raises:
        ValueError: for arrays of other shapes, epochs not a positive integer, or a learning rate <= 0.
    """
    weights1, weights2 = to_float64(weights1, "weights1").copy(), to_float64(weights2, "weights2").copy()
    bias1 = to_float64(bias1, "bias1").reshape(1, -1).copy()  # (1, H), as the classic code keeps it
    bias2 = to_float64(bias2, "bias2").reshape(1, -1).copy()
    if weights1.ndim != 2 or weights1.shape[0] != 2 or bias1.shape[1] != weights1.shape[1] \
            or weights2.shape != (weights1.shape[1], 1) or bias2.shape != (1, 1):
        raise ValueError(f"expected weights1 (2, H), bias1 (H,), weights2 (H, 1), bias2 (1,); got "
                         f"{weights1.shape}, {bias1.shape[1:]}, {weights2.shape}, {bias2.shape[1:]}")
    epochs, learning_rate = check_positive_int(epochs, "epochs"), check_lr(learning_rate)
    inputs, labels = logic_gate("xor")
    labels = labels.reshape(-1, 1)  # (4, 1)

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_derivative(s):  # takes the sigmoid's output s = σ(z): σ'(z) = s (1 − s)
        return s * (1 - s)

    losses_ = np.empty(epochs)
    for epoch in range(epochs):
        layer1 = sigmoid(inputs @ weights1 + bias1)  # forward
        output = sigmoid(layer1 @ weights2 + bias2)
        losses_[epoch] = np.mean(np.square(labels - output))
        output_error = labels - output  # backward: the error, times the derivative from the output
        output_delta = output_error * sigmoid_derivative(output)
        layer1_error = output_delta @ weights2.T
        layer1_delta = layer1_error * sigmoid_derivative(layer1)
        weights2 += layer1.T @ output_delta * learning_rate  # the update: += with the error y − out
        bias2 += np.sum(output_delta, axis=0, keepdims=True) * learning_rate
        weights1 += inputs.T @ layer1_delta * learning_rate
        bias1 += np.sum(layer1_delta, axis=0, keepdims=True) * learning_rate
    output = sigmoid(sigmoid(inputs @ weights1 + bias1) @ weights2 + bias2)
    return losses_, output[:, 0]
