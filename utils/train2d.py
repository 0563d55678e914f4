"""An MLP trained on a 2-D data set, and what it predicts over the plane: the runs behind Chapter 04's
training explorer.

- ``make_classifier(n_classes, hidden, activation, seed)``: ``2 → hidden → hidden → n_classes`` (logits).
- ``train_2d(dataset, hidden, activation, lr, epochs, seed)``: trains it with softmax cross-entropy and
  full-batch ``SGD`` (``utils.training.fit``) on ``"spirals"`` or ``"moons"`` (``DATASETS``), and returns a
  ``TrainingRun``: the loss of each epoch, the accuracy, and the class probabilities on a ``GRID`` × ``GRID``
  grid covering the data. Runs are cached: the same settings give the same object.
- ``train_2d_in_steps(...)``: the same training, yielding the run part-way (after a twentieth of the epochs) and
  then complete, so that an explorer can show something at once; the complete run is ``train_2d``'s.
- ``dataset_2d(name)``: the fixed data set of a name (the same points every time).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import data, layers, losses
from .activations import make_activation, softmax
from .device import one_blas_thread
from .module import check_positive_int, check_seed
from .optim import SGD, check_lr
from .training import accuracy, fit

__all__ = ["ACTIVATION_CHOICES", "DATASETS", "GRID", "TrainingRun", "dataset_2d", "make_classifier", "train_2d",
           "train_2d_in_steps"]

DATASETS = {"spirals": "three spirals (240 points)", "moons": "two moons (200 points)"}
"""Name -> what a learner reads: the data sets ``train_2d`` knows."""
ACTIVATION_CHOICES = ("relu", "tanh", "sigmoid")
"""The hidden activations ``train_2d`` offers (names of ``utils.activations.ACTIVATION_TABLE``)."""
GRID = 120
"""The number of grid points along each axis of ``TrainingRun.probabilities``."""
CACHE_SIZE = 64
"""How many complete runs ``train_2d`` keeps (each ~0.4 MB): going back to a setting is instant."""


@lru_cache(maxsize=4)
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    if name == "spirals":
        return data.spirals(80, 3, 0.2, rng=rng)
    return data.moons(200, 0.2, rng=rng)


def dataset_2d(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The points and labels of the data set ``name`` (a key of ``DATASETS``), always the same (seed 0).

    Shapes: -> X (N, 2), y (N,) int labels 0..C-1

    Raises:
        ValueError: for an unknown name.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    X, y = _dataset(name)
    return X.copy(), y.copy()


def _extent(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


@dataclass(frozen=True)
class TrainingRun:
    """One training of ``2 → hidden → hidden → C`` with softmax cross-entropy and full-batch SGD.

    epochs: the epochs planned; trained: the epochs done so far (``trained < epochs`` for a run part-way, see
    ``train_2d_in_steps``); losses (trained,): the mean loss of each epoch; accuracy: on the training points
    after those epochs; probabilities (GRID, GRID, C): the network's softmax over a grid covering ``extent``.
    """

    dataset: str
    hidden: int
    activation: str
    lr: float
    epochs: int
    X: np.ndarray
    y: np.ndarray
    losses: np.ndarray
    accuracy: float
    extent: tuple[float, float, float, float]
    probabilities: np.ndarray
    model: layers.Sequential
    trained: int

    @property
    def diverged(self) -> bool:
        return not np.isfinite(self.losses[-1])

    @property
    def complete(self) -> bool:
        """Whether every planned epoch is done."""
        return self.trained == self.epochs


def _check_settings(dataset, hidden, activation, lr, epochs) -> tuple[str, int, str, float, int]:
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    if activation not in ACTIVATION_CHOICES:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATION_CHOICES)}")
    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or not 1 <= hidden <= 256:
        raise ValueError(f"hidden must be an integer from 1 to 256, got {hidden!r}")
    lr = check_lr(lr)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or not 1 <= epochs <= 5000:
        raise ValueError(f"epochs must be an integer from 1 to 5000, got {epochs!r}")
    return dataset, int(hidden), activation, lr, int(epochs)


def make_classifier(n_classes: int, hidden: int = 32, activation: str = "relu", seed: int = 0) -> layers.Sequential:
    """``Linear(2, hidden) → act → Linear(hidden, hidden) → act → Linear(hidden, n_classes)`` (logits), with
    ``act = make_activation(activation)`` and the weights drawn from ``np.random.default_rng(seed)``.

    Shapes: (N, 2) -> (N, n_classes)

    Raises:
        ValueError: for n_classes or hidden not a positive integer, an unknown activation, or a seed that is not an
            integer >= 0.
    """
    n_classes, hidden = check_positive_int(n_classes, "n_classes"), check_positive_int(hidden, "hidden")
    make_activation(activation)  # an unknown name fails here, before any weight is drawn
    rng = np.random.default_rng(check_seed(seed))
    return layers.Sequential(layers.Linear(2, hidden, rng=rng), make_activation(activation),
                             layers.Linear(hidden, hidden, rng=rng), make_activation(activation),
                             layers.Linear(hidden, n_classes, rng=rng))


def train_2d(dataset: str = "spirals", hidden: int = 32, activation: str = "relu", lr: float = 0.5,
             epochs: int = 500, seed: int = 0) -> TrainingRun:
    """Train ``make_classifier`` on ``dataset`` with ``utils.training.fit`` and ``SGD`` (full batch), from the
    weights of ``seed``; the same settings always give the same run. A learning rate that is too large may make
    the loss overflow: the run then ends with an inf or NaN loss, and ``diverged`` is True.

    The runs are cached (the last ``CACHE_SIZE``): the same settings return the same ``TrainingRun`` object
    (treat it as read-only), so a static figure and a widget's first state train only once, and going back to a
    setting is instant.

    Shapes: -> X (N, 2), y (N,), losses (epochs,), probabilities (GRID, GRID, C)

    Raises:
        ValueError: for an unknown data set or activation, hidden outside 1..256, lr <= 0, epochs outside 1..5000.
    """
    *_, run = train_2d_in_steps(dataset, hidden, activation, lr, epochs, seed, first=epochs)
    return run


_RUNS: OrderedDict[tuple, TrainingRun] = OrderedDict()  # settings -> complete run, the most recent last


def train_2d_in_steps(dataset: str = "spirals", hidden: int = 32, activation: str = "relu", lr: float = 0.5,
                      epochs: int = 500, seed: int = 0, *, first: int | None = None) -> Iterator[TrainingRun]:
    """``train_2d``, yielding the run after ``first`` epochs (default: a twentieth of them) and then complete.

    The training is the same (full-batch SGD continues from where it stopped, so the complete run equals
    ``train_2d``'s to the last bit, and is cached as it). A run already cached is yielded at once, alone; so is
    one with ``first >= epochs``. The run part-way has ``trained == first`` and ``complete`` False.

    Raises:
        ValueError: as ``train_2d``, and for ``first`` not a positive integer.
    """
    key = (*_check_settings(dataset, hidden, activation, lr, epochs), check_seed(seed))
    first = max(1, key[4] // 20) if first is None else check_positive_int(first, "first")
    return _steps(key, first)


def _steps(key: tuple, first: int) -> Iterator[TrainingRun]:
    if key in _RUNS:
        _RUNS.move_to_end(key)
        yield _RUNS[key]
        return
    dataset, hidden, activation, lr, epochs, seed = key
    X, y = _dataset(dataset)
    model = make_classifier(int(y.max()) + 1, hidden, activation, seed)
    loss_fn, optimizer = losses.CrossEntropyLoss(), SGD(model.parameters(), lr=lr)
    history: list[np.ndarray] = []
    for stop in sorted({min(first, epochs), epochs}):
        done = sum(len(h) for h in history)
        with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # a huge lr may blow up: shown, not warned
            history.append(fit(model, loss_fn, optimizer, X, y, epochs=stop - done))
            run = _run_now(key, X, y, model, np.concatenate(history))
        if run.complete:
            _RUNS[key] = run
            while len(_RUNS) > CACHE_SIZE:
                _RUNS.popitem(last=False)
        yield run


def _run_now(key: tuple, X: np.ndarray, y: np.ndarray, model: layers.Sequential, history: np.ndarray) -> TrainingRun:
    """The ``TrainingRun`` of ``model`` as it is now, after ``len(history)`` epochs."""
    dataset, hidden, activation, lr, epochs, _ = key
    n_classes = int(y.max()) + 1
    extent = _extent(X)
    gx, gy = np.meshgrid(np.linspace(extent[0], extent[1], GRID), np.linspace(extent[2], extent[3], GRID))
    logits = model(np.c_[gx.ravel(), gy.ravel()])  # (GRID², C)
    probabilities = softmax(logits).reshape(GRID, GRID, n_classes)
    acc = accuracy(model(X), y) if np.isfinite(history[-1]) else float("nan")
    return TrainingRun(dataset, hidden, activation, lr, epochs, X, y, history, acc, extent, probabilities, model,
                       len(history))
