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
  ``XOR_RECIPE``; the seed's ``SEED_XOR_RECIPE``), and ``train_xor_seeds`` / ``train_xor_recipes``, the same
  training vectorised over many random starts (and recipes) at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import activations, layers
from .module import Module, Parameter, to_float64

__all__ = [
    "SEED_XOR_RECIPE",
    "XOR_RECIPE",
    "XorRuns",
    "accuracy",
    "fit",
    "gradient_norms",
    "sgd_step",
    "train_xor_recipes",
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
    parameters = list(model.parameters())  # listed once: the same Parameter objects at every step
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
            sgd_step(parameters, lr)
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
descent on the mean squared error (every start tried is below an MSE of 0.01 within ~3,500 epochs)."""
SEED_XOR_RECIPE = {"init": "normal", "lr": 0.1, "epochs": 10_000, "hidden": 4}
"""The seed's recipe, N(0, 1) weights, biases 0, lr 0.1, 10,000 epochs: with the mean-reduced MSE about 1 start
in 5 is still on (or just leaving) the 0.25 plateau at the end."""

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
    from .data import logic_gate

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
    from .data import logic_gate

    _, y = logic_gate("xor")
    return XorRuns(seeds, losses_, outputs, ((outputs - y) ** 2).mean(axis=1))


def _check_seeds(seeds) -> tuple[int, ...]:
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    return seeds


def train_xor_seeds(seeds: Sequence[int], *, init: str = "pytorch", lr: float = 1.0, epochs: int = 10_000,
                    hidden: int = 4) -> XorRuns:
    """Train ``xor_network(np.random.default_rng(seed), hidden, init)`` for every seed at once.

    The same full-batch gradient descent on the mean squared error as ``fit`` with ``utils.layers`` (equal
    to ~1e-12), vectorised over the seeds so that 20 trainings cost little more than one. Each network
    starts exactly as ``xor_network`` builds it.
    """
    return train_xor_recipes(seeds, [{"init": init, "lr": lr}], epochs=epochs, hidden=hidden)[0]


def train_xor_recipes(seeds: Sequence[int], recipes: Sequence[dict], *, epochs: int | None = None,
                      hidden: int | None = None) -> list[XorRuns]:
    """``train_xor_seeds`` for several recipes (dicts with ``"init"`` and ``"lr"``, like ``XOR_RECIPE`` and
    ``SEED_XOR_RECIPE``) over the same seeds, in one vectorised loop; one ``XorRuns`` per recipe.

    ``epochs`` and ``hidden`` default to the recipes' own ``"epochs"`` / ``"hidden"`` entries (10,000 and 4
    when absent), which must then agree.
    """
    seeds = _check_seeds(seeds)
    recipes = list(recipes)
    if not recipes or not all(isinstance(r, dict) and {"init", "lr"} <= set(r) for r in recipes):
        raise ValueError('give at least one recipe, each a dict with "init" and "lr" (like XOR_RECIPE)')

    def shared(key: str, given, default: int) -> int:
        if given is not None:
            return _check_positive_int(given, key)
        values = {r.get(key, default) for r in recipes}
        if len(values) != 1:
            raise ValueError(f"the recipes disagree on {key} ({sorted(values)}): pass {key}=... explicitly")
        return _check_positive_int(values.pop(), key)

    epochs, hidden = shared("epochs", epochs, 10_000), shared("hidden", hidden, 4)
    nets, lrs = [], []
    for recipe in recipes:
        lr = _check_lr(recipe["lr"])
        nets += [xor_network(np.random.default_rng(s), hidden, recipe["init"]) for s in seeds]
        lrs += [lr] * len(seeds)
    history, outputs = _train_xor(nets, np.array(lrs), epochs)
    k = len(seeds)
    return [_runs(seeds, history[i * k:(i + 1) * k], outputs[i * k:(i + 1) * k]) for i in range(len(recipes))]
