"""Train the same network on 8×8 digits with different optimizer settings, and record the curves.

Every run starts from the same place: Chapter 04's digits network (``Linear(64, 64) → ReLU → Linear(64, 10)``,
4,810 parameters), its weights drawn from ``np.random.default_rng(seed)`` and the minibatches shuffled by the same
generator afterwards, so two runs with the same ``seed`` and ``batch_size`` see the same initial weights and the
same minibatches in the same order: only the optimizer differs. Training is ``utils.training.fit`` on the
training split of ``utils.data.digits_split()`` (1,347 images), with the cross-entropy loss.

- ``digits_network(rng)``: the network. ``TrainingCurves``: what a run records.
- ``record_training(make_optimizer, ...)``: one run; ``compare_optimizers({label: make_optimizer}, ...)``: several.
- ``OPTIMIZER_COMPARISON``: the chapter's seven optimizers, each with a learning rate that suits it here.
- ``gradient_noise(batch_sizes)``: how far a minibatch gradient lies from the full gradient, by batch size.
- ``batch_size_runs({batch_size: lr}, epochs)``: full-batch, minibatch and stochastic (batch size 1) gradient descent.
- ``linear_scaling(batch_sizes, ...)``: lr ∝ batch size against one fixed lr, for the same number of epochs.
- ``adam_eps_runs(eps_values, ...)``: what Adam's ``eps`` does, with the SGD-with-momentum run it tends to.
- ``torch_record_training(...)``: the PyTorch twin of ``record_training`` (``torch.optim.Adam`` by default), on
  ``utils.device.pick_device()``'s device.

Results downstream of training differ in their last digits between CPUs: a notebook asserts them with margins.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from . import activations, layers, optim
from . import losses as L
from .data import digits_split
from .device import one_blas_thread
from .module import Module, check_number, check_positive_int, check_rng, check_seed
from .optim import Optimizer, check_lr
from .training import accuracy, fit

__all__ = [
    "DIGITS_SEED",
    "OPTIMIZER_COMPARISON",
    "BATCH_SIZE_EPOCHS",
    "BATCH_SIZE_LRS",
    "AdamEpsRuns",
    "GradientNoise",
    "LinearScaling",
    "TrainingCurves",
    "adam_eps_runs",
    "batch_size_runs",
    "compare_optimizers",
    "digits_network",
    "gradient_noise",
    "linear_scaling",
    "record_training",
    "torch_record_training",
]

DIGITS_SEED = 2
"""The seed of Chapter 04's digits network: ``record_training(lambda p: SGD(p, lr=0.2), epochs=20)`` is its run."""

HIDDEN = 64
"""Hidden units of the digits network (Chapter 04's)."""

OPTIMIZER_COMPARISON: dict[str, Callable] = {
    "SGD, lr 0.5": partial(optim.SGD, lr=0.5),
    "SGD + momentum 0.9, lr 0.1": partial(optim.SGD, lr=0.1, momentum=0.9),
    "Nesterov 0.9, lr 0.1": partial(optim.SGD, lr=0.1, momentum=0.9, nesterov=True),
    "Adagrad, lr 0.1": partial(optim.Adagrad, lr=0.1),
    "RMSprop, lr 0.01": partial(optim.RMSprop, lr=0.01),
    "Adam, lr 0.01": partial(optim.Adam, lr=0.01),
    "AdamW, lr 0.01": partial(optim.AdamW, lr=0.01),
}
"""The chapter's comparison: label -> ``make_optimizer(params)``, batch size 32. Each learning rate is the best of
the grid 0.001, 0.003, 0.01, …, 1 for that optimizer after 10 epochs here (plain SGD's best, 1.0, ends far higher
for one start in five: 0.5 is its best that trains from each of five starts). AdamW keeps PyTorch's default
weight decay, 0.01: a step shrinks the weights by lr × 0.01 = 1e-4, too little to tell it from Adam here."""


def digits_network(rng: np.random.Generator, hidden: int = HIDDEN) -> layers.Sequential:
    """Chapter 04's digits network, ``Linear(64, hidden) → ReLU → Linear(hidden, 10)``, weights drawn from ``rng``
    (PyTorch's default initialization, weight then bias, layer by layer).

    Shapes: (N, 64) pixels in [0, 1] -> (N, 10) logits.

    Raises:
        ValueError: for ``rng`` not a ``np.random.Generator`` or ``hidden`` not a positive integer.
    """
    rng, hidden = check_rng(rng), check_positive_int(hidden, "hidden")
    return layers.Sequential(layers.Linear(64, hidden, rng=rng), activations.ReLU(), layers.Linear(hidden, 10, rng=rng))


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``digits_split()`` once per process, read-only (every run shares it)."""
    arrays = digits_split()
    for a in arrays:
        a.setflags(write=False)
    return arrays


@dataclass(frozen=True)
class TrainingCurves:
    """What one training run recorded.

    ``train_loss`` (epochs + 1,): the cross-entropy on the whole training split before training ([0]) and after
    each epoch; ``test_accuracy`` (epochs + 1,): the accuracy on the test split at the same moments;
    ``batch_loss`` (iterations,): the loss of each minibatch, as the step that used it computed it (noisy: each is
    measured on a different batch). After a divergence (a loss that is not finite) the later entries are NaN.
    ``n_train``: the number of training examples, ``batch_size``: the examples per step (``n_train`` for full
    batch).
    """

    label: str
    batch_size: int
    n_train: int
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    batch_loss: np.ndarray

    @property
    def epochs(self) -> int:
        return len(self.train_loss) - 1

    @property
    def updates_per_epoch(self) -> int:
        """Optimizer steps per epoch: ⌈n_train / batch_size⌉."""
        return math.ceil(self.n_train / self.batch_size)

    @property
    def updates(self) -> np.ndarray:
        """(epochs + 1,): optimizer steps taken at each entry of ``train_loss``."""
        return np.arange(self.epochs + 1) * self.updates_per_epoch

    @property
    def examples_seen(self) -> np.ndarray:
        """(epochs + 1,): examples whose gradient was computed so far (the cost), at each entry of ``train_loss``."""
        return np.arange(self.epochs + 1) * self.n_train

    @property
    def final_loss(self) -> float:
        return float(self.train_loss[-1])

    @property
    def diverged(self) -> bool:
        return not np.isfinite(self.train_loss).all()


class _RecordedCrossEntropy(L.CrossEntropyLoss):
    """``CrossEntropyLoss`` that keeps the value of every forward (one per minibatch step in ``fit``)."""

    def __init__(self):
        super().__init__()
        self.values: list[float] = []

    def forward(self, input, target):
        loss = super().forward(input, target)
        self.values.append(float(loss))
        return loss


class _Diverged(Exception):
    """Raised from ``fit``'s callback to stop a run whose loss is no longer finite."""


def _check_factory(make_optimizer, params, name: str = "make_optimizer") -> Optimizer:
    if isinstance(make_optimizer, Optimizer) or isinstance(make_optimizer, type) or not callable(make_optimizer):
        raise TypeError(f"{name} must be a function params -> optimizer, e.g. lambda params: SGD(params, lr=0.1) "
                        f"(a fresh optimizer for each run), got {_kind(make_optimizer)}")
    optimizer = make_optimizer(params)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{name}(params) must return a utils.optim optimizer, got {type(optimizer).__name__}")
    return optimizer


def _kind(value) -> str:
    return f"the class {value.__name__}" if isinstance(value, type) else type(value).__name__


def _check_batch_size(batch_size, n: int) -> int:
    """``batch_size`` as an int; None means the whole split (full batch)."""
    return n if batch_size is None else min(check_positive_int(batch_size, "batch_size"), n)


def record_training(make_optimizer: Callable[[list], Optimizer], *, epochs: int = 10, batch_size: int | None = 32,
                    seed: int = DIGITS_SEED, label: str = "") -> TrainingCurves:
    """Train a fresh ``digits_network`` with ``make_optimizer(model.parameters())`` and record its curves.

    The network is drawn from ``np.random.default_rng(seed)``, which then shuffles the minibatches (so the same
    ``seed`` and ``batch_size`` give the same start and the same batches in the same order, whatever the
    optimizer). ``batch_size=None``: full-batch gradient descent (one step per epoch). A run whose loss stops
    being finite is stopped, its remaining entries NaN.

    Raises:
        TypeError: for ``make_optimizer`` not a function returning a utils.optim optimizer (an optimizer already
            built, or a class, is refused: each run needs a fresh one over its own network).
        ValueError: for epochs or batch_size not a positive integer, or a seed that is not an integer >= 0.
    """
    epochs = check_positive_int(epochs, "epochs")
    rng = np.random.default_rng(check_seed(seed))
    X_train, X_test, y_train, y_test = _digits()
    batch_size = _check_batch_size(batch_size, len(X_train))
    model = digits_network(rng)
    optimizer = _check_factory(make_optimizer, model.parameters())
    loss_fn = _RecordedCrossEntropy()
    train_loss, test_accuracy = np.full(epochs + 1, np.nan), np.full(epochs + 1, np.nan)

    def measure(epoch: int, _loss: float = 0.0) -> None:
        out = model(X_train)
        train_loss[epoch + 1] = L.cross_entropy(out, y_train) if np.isfinite(out).all() else np.nan
        test_accuracy[epoch + 1] = accuracy(model(X_test), y_test) if np.isfinite(train_loss[epoch + 1]) else np.nan
        if not np.isfinite(train_loss[epoch + 1]):
            raise _Diverged

    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        measure(-1)
        try:
            fit(model, loss_fn, optimizer, X_train, y_train, epochs=epochs,
                batch_size=None if batch_size == len(X_train) else batch_size, rng=rng, callback=measure)
        except _Diverged:
            pass
    updates = epochs * math.ceil(len(X_train) / batch_size)
    batch_loss = np.full(updates, np.nan)
    batch_loss[:len(loss_fn.values)] = loss_fn.values[:updates]
    return TrainingCurves(str(label), batch_size, len(X_train), train_loss, test_accuracy, batch_loss)


def _check_factories(make_optimizers) -> dict[str, Callable]:
    if not isinstance(make_optimizers, Mapping) or not make_optimizers:
        raise TypeError(f"make_optimizers must be a non-empty dict {{label: make_optimizer}}, e.g. "
                        f"{{'SGD': lambda params: SGD(params, lr=0.1)}}, got {_kind(make_optimizers)}")
    return dict(make_optimizers)


def compare_optimizers(make_optimizers: Mapping[str, Callable] | None = None, *, epochs: int = 10,
                       batch_size: int | None = 32, seed: int = DIGITS_SEED) -> dict[str, TrainingCurves]:
    """``record_training`` for each ``{label: make_optimizer}`` (default ``OPTIMIZER_COMPARISON``), all from the
    same initial weights and minibatch order: ``{label: TrainingCurves}``, in the order given.

    Raises:
        TypeError: for ``make_optimizers`` not a non-empty dict, or a value that is not a factory (see
            ``record_training``). ValueError: as ``record_training``.
    """
    factories = _check_factories(OPTIMIZER_COMPARISON if make_optimizers is None else make_optimizers)
    return {label: record_training(make, epochs=epochs, batch_size=batch_size, seed=seed, label=label)
            for label, make in factories.items()}


# ---------------------------------------------------------------------------------------------
# Full batch, minibatch, one example: the noise and the cost
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradientNoise:
    """How far minibatch gradients lie from the full gradient, at the network's initial weights.

    ``batch_sizes`` (K,); ``relative_error`` (K,): the root mean square over ``draws`` minibatches of
    ‖g_B − g‖ / ‖g‖, g the gradient on the whole training split (all 4,810 parameters as one vector);
    ``predicted`` (K,): the sampling formula √(σ² (N − B) / (B (N − 1))) / ‖g‖ for batches drawn without
    replacement, with σ² = the mean of ‖g_i − g‖² over the N single examples (computed exactly). Up to the factor
    √((N − B)/(N − 1)), close to 1 for B ≪ N, the noise falls as 1/√B.
    """

    batch_sizes: np.ndarray
    relative_error: np.ndarray
    predicted: np.ndarray
    n_train: int
    draws: int


def _flat_gradient(model: Module, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of the mean cross-entropy of ``model`` on (X, y), every parameter flattened into one vector."""
    loss_fn = L.CrossEntropyLoss()
    loss_fn(model(X), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    return np.concatenate([p.grad.ravel() for p in model.parameters()])


def _check_batch_sizes(batch_sizes, n: int) -> np.ndarray:
    sizes = np.asarray(batch_sizes)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu" or (sizes < 1).any() or (sizes > n).any():
        raise ValueError(f"batch_sizes must be a list of integers from 1 to {n} (the training examples), got "
                         f"{batch_sizes!r}")
    return sizes.astype(int)


def gradient_noise(batch_sizes: Sequence[int] = (1, 4, 16, 64, 256), *, draws: int = 16,
                   seed: int = DIGITS_SEED) -> GradientNoise:
    """Measure the noise of minibatch gradients at the initial weights of ``digits_network``: ``GradientNoise``.

    For each batch size B, ``draws`` minibatches of B distinct training examples (drawn from
    ``np.random.default_rng(seed)`` after the network); the exact per-example spread σ² comes from one backward
    pass per example. Deterministic: the same arguments give the same numbers.

    Raises:
        ValueError: for batch sizes not integers from 1 to the number of training examples, draws below 1 or a
            bad seed.
    """
    draws = check_positive_int(draws, "draws")
    rng = np.random.default_rng(check_seed(seed))
    X_train, _, y_train, _ = _digits()
    n = len(X_train)
    sizes = _check_batch_sizes(batch_sizes, n)
    model = digits_network(rng)
    with one_blas_thread():
        full = _flat_gradient(model, X_train, y_train)
        per_example = _per_example_spread(model, X_train, y_train, full)
        errors = np.empty(len(sizes))
        for k, size in enumerate(sizes):
            squared = [np.sum((_flat_gradient(model, X_train[idx], y_train[idx]) - full) ** 2)
                       for idx in (rng.choice(n, size=size, replace=False) for _ in range(draws))]
            errors[k] = np.sqrt(np.mean(squared))
    norm = np.linalg.norm(full)
    predicted = np.sqrt(per_example * (n - sizes) / (sizes * (n - 1))) / norm
    return GradientNoise(sizes, errors / norm, predicted, n, draws)


def _per_example_spread(model: layers.Sequential, X: np.ndarray, y: np.ndarray, full: np.ndarray) -> float:
    """σ² = the mean over the examples of ‖g_i − g‖², g_i the gradient of example i's loss alone.

    For a Linear layer, example i's gradient is δ_i x_iᵀ (weight) and δ_i (bias), with x_i the layer's input and
    δ_i = ∂ℓ_i/∂Z_i, so ‖g_i‖² = Σ_layers ‖δ_i‖² (‖x_i‖² + 1); the g_i average to g, so σ² = mean ‖g_i‖² − ‖g‖².
    One forward and one backward pass for all N examples.
    """
    inputs, a = [], X
    for module in model:  # forward, keeping each Linear's input
        if isinstance(module, layers.Linear):
            inputs.append(a)
        a = module(a)
    loss_fn = L.CrossEntropyLoss(reduction="sum")  # row i of its gradient is δ_i of example i's own loss
    loss_fn(a, y)
    grad, deltas = loss_fn.backward(), []
    for module in reversed(list(model)):  # backward, keeping the gradient arriving at each Linear's output
        if isinstance(module, layers.Linear):
            deltas.insert(0, grad)
        grad = module.backward(grad)
    model.zero_grad()
    squared_norms = sum(np.sum(d ** 2, axis=1) * (np.sum(x ** 2, axis=1) + 1.0) for x, d in zip(inputs, deltas))
    return float(np.mean(squared_norms) - np.sum(full ** 2))


BATCH_SIZE_LRS = {None: 1.0, 32: 0.5, 1: 0.03}
"""``batch_size_runs``'s default: batch size (None: the full batch) -> plain SGD's lr, each the best of the grid
0.001, 0.003, …, 1 (full batch: 0.5, 1, 2, 4) here."""

BATCH_SIZE_EPOCHS = {None: 50, 32: 5, 1: 1}
"""``batch_size_runs``'s default epochs: an epoch of batch size 1 is 1,347 steps (~0.2 s), of the full batch one."""


def batch_size_runs(lrs: Mapping[int | None, float] | None = None, *,
                    epochs: Mapping[int | None, int] | int | None = None,
                    seed: int = DIGITS_SEED) -> dict[int, TrainingCurves]:
    """Plain SGD with each ``{batch_size: lr}`` (None: the full batch): ``{batch_size: TrainingCurves}``, keyed by
    the batch size used (the number of training examples for the full batch).

    Defaults: ``BATCH_SIZE_LRS`` and ``BATCH_SIZE_EPOCHS``; ``epochs`` is one number for every run or
    ``{batch_size: epochs}``.
    Compare them by ``examples_seen`` (the cost: an epoch is N gradients of one example, whatever B) and by
    ``updates`` (steps).

    Raises:
        TypeError: for ``lrs`` not a dict. ValueError: for a bad batch size, lr or number of epochs.
    """
    lrs = BATCH_SIZE_LRS if lrs is None else lrs
    epochs = BATCH_SIZE_EPOCHS if epochs is None else epochs
    if not isinstance(lrs, Mapping) or not lrs:
        raise TypeError(f"lrs must be a non-empty dict {{batch_size: lr}}, e.g. {{None: 1.0, 32: 0.5, 1: 0.03}}, "
                        f"got {_kind(lrs)}")
    runs = {}
    for batch_size, lr in lrs.items():
        lr = check_lr(lr)
        if isinstance(epochs, Mapping) and batch_size not in epochs:
            raise ValueError(f"epochs must give a number of epochs for every batch size of lrs, "
                             f"{sorted(lrs, key=str)}; got none for {batch_size!r}")
        n_epochs = epochs[batch_size] if isinstance(epochs, Mapping) else epochs
        name = "full batch" if batch_size is None else f"batch size {batch_size}"
        curves = record_training(lambda params, lr=lr: optim.SGD(params, lr=lr), epochs=n_epochs,
                                 batch_size=batch_size, seed=seed, label=f"{name}, lr {lr:g}")
        runs[curves.batch_size] = curves
    return runs


# ---------------------------------------------------------------------------------------------
# The linear scaling rule
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinearScaling:
    """Plain SGD for the same number of epochs at several batch sizes, two ways.

    ``batch_sizes`` (K,); ``scaled_lr`` (K,): base_lr × B / base_batch_size; ``final_scaled`` and ``final_fixed``
    (K,): the training loss after the last epoch with the scaled lr and with base_lr for every B; ``scaled`` and
    ``fixed``: the runs, ``{batch size: TrainingCurves}``.
    """

    batch_sizes: np.ndarray
    base_lr: float
    base_batch_size: int
    scaled_lr: np.ndarray
    final_scaled: np.ndarray
    final_fixed: np.ndarray
    scaled: dict
    fixed: dict


def linear_scaling(batch_sizes: Sequence[int] = (16, 32, 64, 128), *, base_lr: float = 0.05,
                   base_batch_size: int = 32, epochs: int = 5, seed: int = DIGITS_SEED) -> LinearScaling:
    """Train with lr = base_lr × B / base_batch_size and with lr = base_lr, for ``epochs`` at each batch size B.

    With a fixed lr, a larger batch takes fewer steps per epoch and ends higher; scaling the lr with B keeps
    the final losses close (up to the batch size where the scaled lr becomes too large). The base batch size's
    two runs are the same run (computed once).

    Raises:
        ValueError: for bad batch sizes, base_lr, base_batch_size, epochs or seed.
    """
    base_lr = check_lr(base_lr)
    base_batch_size = check_positive_int(base_batch_size, "base_batch_size")
    sizes = _check_batch_sizes(batch_sizes, len(_digits()[0]))
    scaled_lr = base_lr * sizes / base_batch_size
    scaled, fixed = {}, {}
    for size, lr in zip(sizes.tolist(), scaled_lr.tolist()):
        scaled[size] = record_training(lambda params, lr=lr: optim.SGD(params, lr=lr), epochs=epochs,
                                       batch_size=size, seed=seed, label=f"B {size}, lr {lr:g}")
        fixed[size] = scaled[size] if size == base_batch_size else record_training(
            lambda params: optim.SGD(params, lr=base_lr), epochs=epochs, batch_size=size, seed=seed,
            label=f"B {size}, lr {base_lr:g}")
    final_scaled, final_fixed = (np.array([runs[s].final_loss for s in sizes.tolist()]) for runs in (scaled, fixed))
    return LinearScaling(sizes, base_lr, base_batch_size, scaled_lr, final_scaled, final_fixed, scaled, fixed)


# ---------------------------------------------------------------------------------------------
# Adam's eps
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdamEpsRuns:
    """Adam with several ``eps`` (same lr and betas), and for the largest eps its SGD-with-momentum twin.

    Adam's step is lr · m̂ / (√v̂ + eps). Where √v̂ ≪ eps it is (lr / eps) · m̂, and m̂ (an average of gradients,
    weights 1 − β1) is, up to how the first steps are weighted, the buffer of ``SGD(momentum=β1, dampening=β1)``
    (both start from the first gradient): ``twin`` is that SGD with lr / eps, the run Adam with the largest eps
    tends to. ``runs``: ``{eps: TrainingCurves}``; ``final_loss`` (K,).
    """

    eps_values: np.ndarray
    lr: float
    runs: dict
    final_loss: np.ndarray
    twin: TrainingCurves


def adam_eps_runs(eps_values: Sequence[float] = (1e-8, 1e-3, 1e-1, 1.0), *, lr: float = 0.01, epochs: int = 5,
                  batch_size: int | None = 32, seed: int = DIGITS_SEED) -> AdamEpsRuns:
    """Adam(lr, eps) for each eps, from the same start and minibatches, and the SGD twin of the largest eps.

    Raises:
        ValueError: for eps values that are not positive numbers, or a bad lr, epochs, batch size or seed.
    """
    lr = check_lr(lr)
    values = [check_number(eps, "each eps", above=0) for eps in _as_sequence(eps_values, "eps_values")]
    runs = {eps: record_training(lambda params, eps=eps: optim.Adam(params, lr=lr, eps=eps), epochs=epochs,
                                 batch_size=batch_size, seed=seed, label=f"eps {eps:g}") for eps in values}
    largest = max(values)
    twin = record_training(lambda params: optim.SGD(params, lr=lr / largest, momentum=0.9, dampening=0.9),
                           epochs=epochs, batch_size=batch_size, seed=seed,
                           label=f"SGD, momentum 0.9, dampening 0.9, lr {lr / largest:g}")
    return AdamEpsRuns(np.array(values), lr, runs, np.array([runs[eps].final_loss for eps in values]), twin)


def _as_sequence(values, name: str) -> list:
    if isinstance(values, (str, bytes, Mapping)) or np.ndim(values) != 1 or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of numbers, got {values!r}")
    return list(values)


# ---------------------------------------------------------------------------------------------
# The PyTorch twin
# ---------------------------------------------------------------------------------------------
def torch_record_training(make_optimizer: Callable | None = None, *, epochs: int = 10, batch_size: int | None = 32,
                          seed: int = DIGITS_SEED, device=None, dtype=None, label: str = "PyTorch") -> TrainingCurves:
    """``record_training``'s run in PyTorch: the same network (our initial weights copied), the same minibatches.

    ``make_optimizer(params)`` builds a ``torch.optim`` optimizer (default ``torch.optim.Adam(params, lr=0.01)``, the
    twin of ``OPTIMIZER_COMPARISON``'s Adam). ``device``: default ``utils.device.pick_device()`` (CUDA when present);
    ``dtype``: default ``torch.float32`` (in float64 on the CPU the losses equal ``record_training``'s with our twin
    optimizer to ~1e-12). On the CPU PyTorch runs on one thread meanwhile (its setting is restored after): for
    products this small, more threads only wait on each other (10 epochs: 0.4 s on one thread, 5 s on two on a
    busy 2-core machine).

    Raises:
        TypeError: for ``make_optimizer`` not a function params -> torch optimizer. ValueError: as
            ``record_training``, or for a device name PyTorch does not know.
    """
    import torch

    from .device import pick_device
    from .network import to_torch

    epochs = check_positive_int(epochs, "epochs")
    rng = np.random.default_rng(check_seed(seed))
    device = pick_device(device)
    dtype = torch.float32 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating torch dtype such as torch.float32, got {dtype!r}")
    X_train, X_test, y_train, y_test = _digits()
    n = len(X_train)
    batch_size = _check_batch_size(batch_size, n)
    ours = digits_network(rng)  # the same draws as record_training: same weights, then the same shuffles
    first, second = ours[0], ours[2]
    params = {"W1": first.weight.data, "b1": first.bias.data, "W2": second.weight.data, "b2": second.bias.data}
    model = to_torch(params, ["relu", "identity"]).to(device=device, dtype=dtype)
    if make_optimizer is None:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    else:
        if isinstance(make_optimizer, type) or not callable(make_optimizer):
            raise TypeError(f"make_optimizer must be a function params -> torch optimizer, e.g. lambda params: "
                            f"torch.optim.Adam(params, lr=1e-3), got {_kind(make_optimizer)}")
        optimizer = make_optimizer(model.parameters())
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"make_optimizer(params) must return a torch.optim optimizer, got "
                            f"{type(optimizer).__name__}")
    Xt, Xs = (torch.as_tensor(np.array(a), device=device).to(dtype) for a in (X_train, X_test))
    yt, ys = (torch.as_tensor(np.array(a), device=device) for a in (y_train, y_test))
    cross_entropy = torch.nn.functional.cross_entropy
    train_loss, test_accuracy, batch_loss = np.full(epochs + 1, np.nan), np.full(epochs + 1, np.nan), []

    def measure(epoch: int) -> None:
        with torch.no_grad():
            train_loss[epoch] = cross_entropy(model(Xt), yt).item()
            test_accuracy[epoch] = (model(Xs).argmax(dim=1) == ys).double().mean().item()

    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)
    try:
        measure(0)
        for epoch in range(1, epochs + 1):
            order = np.arange(n) if batch_size == n else rng.permutation(n)  # fit's shuffles, drawn the same way
            for start in range(0, n, batch_size):
                idx = torch.as_tensor(order[start:start + batch_size], device=device)
                loss = cross_entropy(model(Xt[idx]), yt[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                batch_loss.append(loss.item())
            measure(epoch)
            if not np.isfinite(train_loss[epoch]):
                break
    finally:
        torch.set_num_threads(threads)
    updates = epochs * math.ceil(n / batch_size)
    batch = np.full(updates, np.nan)
    batch[:len(batch_loss)] = batch_loss
    return TrainingCurves(str(label), batch_size, n, train_loss, test_accuracy, batch)
