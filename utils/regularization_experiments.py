"""The MNIST MLP with dropout, weight decay, batch norm, shifted images and a learning-rate schedule (Chapter 07).

- ``build_regularized_mlp(width, depth, dropout, batch_norm, seed)``: ``784 → [Linear → (BatchNorm1d) → ReLU →
  (Dropout(p))] × depth → Linear(10)`` as an ``nn.Sequential``.
- ``train_regularized_mlp(...) -> RegularizedRun``: trains it on MNIST-5k (standardised as Chapter 06's course recipe
  does) with ``utils.torch_training.train_torch`` one epoch at a time, and measures after each epoch the loss and
  accuracy on the training images *in eval mode* (dropout off: the same model the validation images see, so the
  gap between the two is the generalization gap, not an effect of dropout) and on the validation images.
- ``stored_regularization_results()``: what ``benchmarks/measure_regularization_chapter.py`` measured (the grid of
  dropout × weight decay × width the regularization explorer shows, a capacity sweep, the diabetes data, a deep
  MLP with and without batch norm, shifted images, warm-up + cosine), read from ``utils/assets/``;
  ``grid_run(results, dropout, weight_decay, width)`` picks one run of the grid.

Training is seeded (weights, shuffles, shifts) and runs on one thread: one machine reproduces its own numbers; another
CPU drifts a little, so a notebook asserts them with margins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import DataSplits
from .device import one_torch_thread
from .module import check_number, check_positive_int, check_seed
from .optim import check_lr
from .stored_results import read_stored_results

__all__ = ["OPTIMIZERS", "REGULARIZATION_RESULTS_ASSET", "SCHEDULES", "RegularizedRun", "build_regularized_mlp",
           "grid_run", "stored_regularization_results", "train_regularized_mlp"]

OPTIMIZERS = ("adam", "sgd")
"""``train_regularized_mlp``'s optimizers: "adam" (``torch.optim.Adam``) and "sgd" (``torch.optim.SGD``, momentum
0.9). Both take ``weight_decay=λ`` in PyTorch's sense: λ·w is added to each gradient (the gradient of (λ/2)‖w‖²)."""

SCHEDULES = ("constant", "warmup_cosine")
"""``train_regularized_mlp``'s learning-rate schedules: a constant lr, or a linear warm-up over the first epoch
(from lr/10) then cosine annealing to 0 at the last step, stepped per batch."""

REGULARIZATION_RESULTS_ASSET = Path(__file__).parent / "assets" / "regularization_chapter_results.json"
"""Where ``benchmarks/measure_regularization_chapter.py`` writes, read by ``stored_regularization_results()``."""


def _check_dropout(p) -> float:
    p = check_number(p, "dropout (the probability to drop a unit)", at_least=0)
    if p >= 1:
        raise ValueError(f"dropout (the probability to drop a unit) must be in [0, 1), got {p!r}")
    return p


def build_regularized_mlp(width: int = 256, depth: int = 2, dropout: float = 0.0, batch_norm: bool = False,
                          seed: int | None = None):
    """The MLP ``784 → width → … → width → 10`` with ``depth`` hidden layers, each ``Linear`` → ``BatchNorm1d``
    (with ``batch_norm``) → ``ReLU`` → ``Dropout(dropout)`` (when ``dropout > 0``), and logits out.

    PyTorch's default initialization; ``seed`` None draws it from the global generator, an integer from a generator
    seeded with it (the global one untouched).

    Shapes: the model maps (N, 784) float32 -> (N, 10) logits.

    Raises:
        ValueError: for width or depth not positive integers, dropout not in [0, 1), batch_norm not a bool, or a
            bad seed.
    """
    import torch

    width, depth = check_positive_int(width, "width"), check_positive_int(depth, "depth")
    dropout = _check_dropout(dropout)
    if not isinstance(batch_norm, bool):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
    if seed is not None:
        seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        layers, fan_in = [], 784
        for _ in range(depth):
            layers.append(torch.nn.Linear(fan_in, width))
            if batch_norm:
                layers.append(torch.nn.BatchNorm1d(width))
            layers.append(torch.nn.ReLU())
            if dropout > 0:
                layers.append(torch.nn.Dropout(dropout))
            fan_in = width
        layers.append(torch.nn.Linear(fan_in, 10))
    return torch.nn.Sequential(*layers)


@dataclass
class RegularizedRun:
    """What ``train_regularized_mlp`` measured after each of its E epochs (arrays (E,)).

    Fields:
        train_loss, train_accuracy: cross-entropy and accuracy on the training images, in eval mode after the epoch.
        val_loss, val_accuracy: the same on the validation images.
        test_accuracy: the accuracy on the test images at the end.
        seconds: the training time.
    """

    train_loss: np.ndarray
    train_accuracy: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    test_accuracy: float
    seconds: float

    @property
    def gap(self) -> np.ndarray:
        """The generalization gap of each epoch: validation loss − training loss (E,)."""
        return self.val_loss - self.train_loss


def _scheduler(optimizer, schedule: str, steps_per_epoch: int, epochs: int):
    import torch

    if schedule == "constant":
        return None
    total, warm = steps_per_epoch * epochs, steps_per_epoch
    S = torch.optim.lr_scheduler
    return S.SequentialLR(optimizer, [S.LinearLR(optimizer, start_factor=0.1, total_iters=warm),
                                      S.CosineAnnealingLR(optimizer, T_max=total - warm)], milestones=[warm])


def train_regularized_mlp(width: int = 256, depth: int = 2, dropout: float = 0.0, weight_decay: float = 0.0, *,
                          batch_norm: bool = False, epochs: int = 20, lr: float = 1e-3, optimizer: str = "adam",
                          schedule: str = "constant", max_shift: int = 0, batch_size: int = 128, seed: int = 0,
                          splits: DataSplits | None = None, device=None) -> RegularizedRun:
    """Train ``build_regularized_mlp(width, depth, dropout, batch_norm, seed)`` on MNIST-5k; measure each epoch.

    Data: ``splits`` (None: ``load_mnist5k(0)``) standardised with the training images' mean and std
    (``utils.mnist_mlp.prepare_splits(COURSE_RECIPE, ...)``). ``optimizer`` "adam" or "sgd" (momentum 0.9) at ``lr``
    with ``weight_decay`` λ (λ·w added to each gradient), ``schedule`` one of ``SCHEDULES`` (stepped per batch),
    batches of ``batch_size``, shuffled by a generator seeded with ``seed``. ``max_shift`` > 0 trains each epoch on
    freshly shifted images (``utils.overfitting.random_shifts``, up to ``max_shift`` pixels each way; the border is
    the standardised value of a black pixel). One thread; ~1–3 s for 20 epochs of width 256.

    Returns a ``RegularizedRun`` (per-epoch arrays, the final test accuracy).

    Raises:
        ValueError: for a bad width, depth, dropout, weight_decay (< 0), epochs, lr, optimizer, schedule, max_shift
            (< 0), batch_size or seed.
    """
    import time

    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from .mnist_mlp import COURSE_RECIPE, prepare_splits
    from .overfitting import random_shifts
    from .torch_training import evaluate_torch, train_torch
    from .training import accuracy

    weight_decay = check_number(weight_decay, "weight_decay", at_least=0)
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr = check_lr(lr)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))}, got {optimizer!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(map(repr, SCHEDULES))}, got {schedule!r}")
    max_shift, seed = check_seed(max_shift, "max_shift"), check_seed(seed)
    model = build_regularized_mlp(width, depth, dropout, batch_norm, seed)
    data = prepare_splits(COURSE_RECIPE, splits)
    black = float(data.X_train.min())  # a black pixel (0), standardised
    tensors = {part: (torch.from_numpy(getattr(data, f"X_{part}")), torch.from_numpy(getattr(data, f"y_{part}")))
               for part in ("train", "val", "test")}
    shuffle, shifts = torch.Generator().manual_seed(seed), np.random.default_rng(seed)
    evaluation = {part: DataLoader(TensorDataset(*tensors[part]), batch_size=1000) for part in tensors}
    loss_fn = torch.nn.CrossEntropyLoss()
    history = {key: [] for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy")}
    start = time.perf_counter()
    with one_torch_thread():
        make = torch.optim.Adam if optimizer == "adam" else (lambda p, **kw: torch.optim.SGD(p, momentum=0.9, **kw))
        opt = make(model.parameters(), lr=lr, weight_decay=weight_decay)
        steps_per_epoch = -(-len(data.y_train) // batch_size)
        scheduler = _scheduler(opt, schedule, steps_per_epoch, epochs)
        for _ in range(epochs):
            X_train = tensors["train"][0]
            if max_shift:
                shifted = random_shifts(data.X_train - black, shifts, max_shift, side=28) + black
                X_train = torch.from_numpy(shifted.astype(np.float32))
            loader = DataLoader(TensorDataset(X_train, tensors["train"][1]), batch_size=batch_size, shuffle=True,
                                generator=shuffle)
            train_torch(model, loss_fn, opt, loader, epochs=1, scheduler=scheduler,
                        scheduler_step=None if scheduler is None else "batch", device=device, progress=False)
            for part in ("train", "val"):
                result = evaluate_torch(model, evaluation[part], loss_fn, metric=accuracy)
                history[f"{part}_loss"].append(result.loss)
                history[f"{part}_accuracy"].append(result.metric)
        test = evaluate_torch(model, evaluation["test"], loss_fn, metric=accuracy).metric
    seconds = time.perf_counter() - start
    return RegularizedRun(*(np.array(history[key]) for key in history), float(test), seconds)


# ---------------------------------------------------------------------------------------------
# Stored measurements
# ---------------------------------------------------------------------------------------------
_SECTIONS = ("measured", "grid", "capacity", "diabetes", "batch_norm", "augmentation", "schedules")


def stored_regularization_results(path: Path | str | None = None) -> dict:
    """What ``benchmarks/measure_regularization_chapter.py`` measured, as a dict (JSON; ``REGULARIZATION_RESULTS_ASSET``
    unless ``path``). Accuracies are fractions; losses are mean cross-entropies; epochs are counted from 1 in lists
    of one value per epoch.

    Keys:
        "measured": date (ISO), "torch", "numpy", "sklearn", "python" versions, "cpu_count", "seconds" (the run).
        "grid": the regularization explorer's data. {"dropout": [p, ...], "weight_decay": [λ, ...], "width": [...],
            "epochs", "settings" (optimizer, lr, depth, batch_size, seed), "runs": [{"dropout", "weight_decay",
            "width", "train_loss", "train_accuracy", "val_loss", "val_accuracy" (lists of one value per epoch,
            training measured in eval mode after the epoch), "test_accuracy", "seconds"}, ...]}, one run per
            combination. ``grid_run`` picks one.
        "capacity": {"widths": [...], "epochs", "train_accuracy", "val_accuracy", "train_loss", "val_loss" (one
            value per width, after the last epoch), "best_val_accuracy" (the best epoch's, per width),
            "parameters" (per width)}: one hidden layer of each width.
        "diabetes": scikit-learn's diabetes table (442 patients, 10 features, a disease score one year later),
            5-fold cross-validation: {"linear": {"r2_folds", "mean"}, "mlp": {"r2_folds", "mean", "hidden", "steps",
            "lr"} (its R² at the end), "curve": {"steps": [...], "train_r2", "val_r2" (means over the folds at each
            number of full-batch Adam steps)}, "n", "features"}.
        "batch_norm": {"depth", "width", "epochs", "lr", "optimizer", "plain" | "batch_norm": {"train_loss",
            "val_accuracy" (per epoch), "test_accuracy"}}: a deep MLP with and without BatchNorm1d.
        "augmentation": {"max_shift", "epochs", "width", "seeds", "plain" | "shifted": {"val_accuracy" (per seed,
            the last epoch), "test_accuracy" (per seed), "mean_test_accuracy", "train_accuracy" (per seed)}}.
        "schedules": {"epochs", "lr", "width", "seeds", "constant" | "warmup_cosine": {"test_accuracy" (per seed),
            "mean_test_accuracy", "val_loss" (per epoch, seed 0)}}.

    Raises:
        ValueError: if the file is missing or not the JSON object the script writes.
    """
    return read_stored_results(REGULARIZATION_RESULTS_ASSET if path is None else path, _SECTIONS,
                               "python benchmarks/measure_regularization_chapter.py")


def grid_run(results: dict, dropout: float, weight_decay: float, width: int) -> dict:
    """The grid's run with this dropout p, weight decay λ and width (``results`` from
    ``stored_regularization_results()``): a dict with per-epoch lists "train_loss", "train_accuracy", "val_loss",
    "val_accuracy", and "test_accuracy".

    Raises:
        ValueError: for a value not in the grid (the message lists the grid's values).
    """
    if not isinstance(results, dict) or "grid" not in results:
        raise ValueError("results must be the dict stored_regularization_results() returns, with a 'grid'")
    grid = results["grid"]
    for name, value in (("dropout", dropout), ("weight_decay", weight_decay), ("width", width)):
        if not any(np.isclose(value, v, rtol=1e-9, atol=0) for v in grid[name]):
            raise ValueError(f"{name} must be one of the grid's values {grid[name]}, got {value!r}")
    for run in grid["runs"]:
        if (np.isclose(run["dropout"], dropout, rtol=1e-9, atol=0)
                and np.isclose(run["weight_decay"], weight_decay, rtol=1e-9, atol=0) and run["width"] == width):
            return run
    raise ValueError(f"the grid holds no run for dropout={dropout}, weight_decay={weight_decay}, width={width}")
