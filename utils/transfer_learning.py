"""Transfer learning, measured offline (Chapter 08): a CNN trained on the digits 0-4 reused for the digits 5-9.

The idea behind every pretrained model: the convolution layers of a network trained on one task have learnt
features (edges, strokes, their combinations) that serve another. Here the "other task" is to tell the digits
5-9 apart from only a few examples of each; three ways of training, on the same few examples:

- from scratch: ``build_mnist_cnn(seed)``, random weights, every layer trained;
- last layer only: the network pre-trained on 0-4 (``load_mnist_cnn("cnn_digits04")``), its convolutions frozen,
  only a fresh classifier ``fc`` Linear(1600, 5) trained;
- all layers: the same pre-trained start, every layer trained (fine-tuning).

- ``digit_subset(X, y, digits, relabel=True)``: the examples of some digits (relabelled 0, 1, … in that order).
- ``few_shot(X, y, n_per_class, seed)``: ``n_per_class`` random examples of each class.
- ``pretrain_cnn(digits=PRETRAIN_DIGITS, seed=0, ...)``: the CNN trained on those digits only (what
  ``python -m utils.pretrained build cnn_digits04`` ships).
- ``fine_tune(model, X, y, *, train="last_layer"|"all", epochs, lr, seed)``: a trained copy with a new classifier.
- ``transfer_experiment(n_per_class=10, seeds=(0, 1, 2))`` -> ``TransferResults``: the three ways' test accuracy
  on the 5-9 test images, per seed.

Measured (``benchmarks/measure_cnn_chapter.py``, ``utils.mnist_cnn.stored_cnn_results()["transfer"]``; 10 examples
per digit, 10 epochs, one-cycle peaking at 3e-3, seeds 0-9, 500 test images of 5-9): from scratch 72.0-86.8%
(mean 80.9%), last layer only 86.6-92.8% (mean 90.1%), all layers 86.0-92.6% (mean 89.5%). The pre-trained start
won on every seed: by at least 4.8 points (last layer) and 4.0 points (all layers). Seeds 0, 1, 2 (the default):
scratch 72.0, 76.8, 82.4%; last layer 88.0, 89.4, 88.8%; all layers 86.0, 88.2, 86.8%.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .data import DataSplits, check_mnist5k_splits
from .module import check_positive_int, check_seed

__all__ = ["PRETRAIN_DIGITS", "TRAINING_MODES", "TRANSFER_DIGITS", "TRANSFER_WAYS", "TransferResults", "digit_subset",
           "few_shot", "fine_tune", "pretrain_cnn", "transfer_experiment"]

PRETRAIN_DIGITS = (0, 1, 2, 3, 4)
"""The digits the shipped "cnn_digits04" network was trained on."""
TRANSFER_DIGITS = (5, 6, 7, 8, 9)
"""The digits it is reused for, relabelled 0..4 in this order."""
TRAINING_MODES = ("last_layer", "all")
"""``fine_tune``'s ``train``: only the new classifier ``fc`` (the rest frozen), or every layer."""
TRANSFER_WAYS = ("scratch", "last_layer", "all")
"""``TransferResults.accuracy``'s keys: from scratch, the pre-trained network's last layer only, all its layers."""


def _check_digits(digits) -> tuple[int, ...]:
    if isinstance(digits, (str, bytes)) or not hasattr(digits, "__iter__"):
        raise ValueError(f"digits must be a sequence of distinct digits 0-9 such as (5, 6, 7, 8, 9), got {digits!r}")
    digits = tuple(digits)
    if not digits or len(set(digits)) != len(digits) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and 0 <= d <= 9 for d in digits):
        raise ValueError(f"digits must be a sequence of distinct digits 0-9 such as (5, 6, 7, 8, 9), got {digits!r}")
    return tuple(int(d) for d in digits)


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 2 or y.shape != (len(X),) or y.dtype.kind not in "iu":
        raise ValueError(f"X must have shape (N, ...) and y shape (N,) of integer labels; got X of shape {X.shape} "
                         f"and y of shape {y.shape} ({y.dtype})")
    return X, y


def digit_subset(X, y, digits, relabel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The examples whose label is one of ``digits``, in their original order.

    ``relabel=True`` maps ``digits[k]`` to k (for (5, 6, 7, 8, 9): 5 -> 0, …, 9 -> 4), the labels a classifier with
    ``len(digits)`` outputs needs; False keeps the digits.

    Shapes: X (N, ...), y (N,) -> X (M, ...), y (M,) int64, M the number of examples of those digits.

    Raises:
        ValueError: for digits not distinct integers 0-9, or X and y of mismatched shapes.
    """
    X, y = _check_xy(X, y)
    digits = _check_digits(digits)
    keep = np.isin(y, digits)
    labels = y[keep].astype(np.int64)
    if relabel:
        lookup = np.full(10, -1, dtype=np.int64)
        lookup[list(digits)] = np.arange(len(digits))
        labels = lookup[labels]
    return X[keep], labels


def few_shot(X, y, n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_class`` examples of each class of ``y``, drawn without replacement by ``np.random.default_rng(seed)``;
    returned in their original order.

    Shapes: X (N, ...), y (N,) -> X (K·n_per_class, ...), y (K·n_per_class,), K the number of classes in y.

    Raises:
        ValueError: for n_per_class not a positive integer or larger than a class holds, a bad seed, or X and y of
            mismatched shapes.
    """
    X, y = _check_xy(X, y)
    n_per_class, seed = check_positive_int(n_per_class, "n_per_class"), check_seed(seed)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        if len(rows) < n_per_class:
            raise ValueError(f"n_per_class must be at most the examples of each class: class {label} has "
                             f"{len(rows)}, got n_per_class={n_per_class}")
        chosen.append(rng.choice(rows, size=n_per_class, replace=False))
    keep = np.sort(np.concatenate(chosen))
    return X[keep], y[keep]


def _subset_splits(splits: DataSplits, digits) -> DataSplits:
    parts = [digit_subset(getattr(splits, f"X_{p}"), getattr(splits, f"y_{p}"), digits) for p in ("train", "val",
                                                                                                  "test")]
    return DataSplits(*(a for part in parts for a in part))


def pretrain_cnn(digits=PRETRAIN_DIGITS, seed: int = 0, splits: DataSplits | None = None, *,
                 epochs: int | None = None, device=None) -> tuple[object, object, float]:
    """``utils.mnist_cnn.train_mnist_cnn`` on the images of ``digits`` only (training, validation and test parts
    of ``splits``, None: ``load_mnist5k(0)``), relabelled 0, 1, … in that order; the network keeps its 10 outputs
    (the other classes are never the answer). The shipped "cnn_digits04" is ``pretrain_cnn()``.

    Returns ``(model, TrainLog, test_accuracy)`` on the test images of those digits.

    Raises:
        ValueError: for digits not distinct integers 0-9 (and as ``train_mnist_cnn``).
    """
    from .mnist_cnn import CNN_RECIPE, train_mnist_cnn

    digits = _check_digits(digits)
    subset = _subset_splits(check_mnist5k_splits(splits), digits)
    return train_mnist_cnn(CNN_RECIPE, seed, subset, epochs=epochs, device=device)


def fine_tune(model, X, y, *, train: str = "last_layer", epochs: int = 10, lr: float = 3e-3, seed: int = 0,
              batch_size: int = 25, device=None):
    """A copy of ``model`` (``build_mnist_cnn``'s layers) with a fresh classifier ``fc`` Linear(1600, K), trained on
    ``X``, ``y`` (labels 0..K-1); ``model`` itself is left as it was.

    ``train="last_layer"``: every other layer frozen (``requires_grad=False``), Adam updates ``fc`` only: the
    features learnt before are reused as they are. ``train="all"``: every layer trained, starting from ``model``'s
    weights (fine-tuning; from ``build_mnist_cnn(seed)`` it is training from scratch). The loop is
    ``utils.torch_training.classifier_epochs`` (Adam, one-cycle peaking at ``lr``, ``epochs`` passes in batches of
    ``batch_size`` shuffled by ``seed``, which also seeds the new ``fc``'s weights and dropout; one thread).

    Shapes: X as ``utils.mnist_cnn.as_images`` takes them (N, 784) / (N, 1, 28, 28); y (N,) int labels 0..K-1 ->
    a model mapping (N, 1, 28, 28) -> (N, K) logits, in ``eval()`` mode, every parameter trainable again.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``.
        ValueError: for a model without an ``fc`` Linear layer, train not in ``TRAINING_MODES``, labels not
            0..K-1, or bad epochs, lr, seed, batch_size.
    """
    import copy

    import torch

    from .mnist_cnn import as_images
    from .torch_training import classifier_epochs

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module such as load_mnist_cnn('cnn_digits04'), got "
                        f"{type(model).__name__}")
    if not isinstance(getattr(model, "fc", None), torch.nn.Linear):
        raise ValueError("model must have a Linear classifier named fc, as build_mnist_cnn() has; got none")
    if train not in TRAINING_MODES:
        raise ValueError(f"train must be one of {', '.join(map(repr, TRAINING_MODES))}, got {train!r}")
    X, y = _check_xy(X, y)
    images, seed = as_images(X), check_seed(seed)
    classes = int(y.max()) + 1 if len(y) else 0
    if len(y) == 0 or y.min() < 0 or not np.array_equal(np.unique(y), np.arange(classes)):
        raise ValueError(f"y must hold the labels 0..K-1 (e.g. digit_subset(..., relabel=True)), got the labels "
                         f"{np.unique(y).tolist()}")
    tuned = copy.deepcopy(model)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        tuned.fc = torch.nn.Linear(tuned.fc.in_features, classes)
    if train == "last_layer":
        for name, param in tuned.named_parameters():
            param.requires_grad_(name.startswith("fc."))
    try:
        for _ in classifier_epochs(tuned, images, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                                   device=device, parameters=tuned.fc.parameters() if train == "last_layer"
                                   else None):
            pass
    finally:
        for param in tuned.parameters():
            param.requires_grad_(True)
    return tuned.eval()


class TransferResults(NamedTuple):
    """``transfer_experiment``'s measurements.

    Fields:
        accuracy: {"scratch" | "last_layer" | "all": float64 (S,) test accuracy per seed} on the test images of
            ``TRANSFER_DIGITS``.
        seeds: (S,) the seeds (each draws its own few examples and seeds the training).
        n_per_class: training examples per digit.
        n_test: the test images the accuracies are measured on.
        seconds: the whole experiment's wall-clock time.
    """

    accuracy: dict
    seeds: tuple
    n_per_class: int
    n_test: int
    seconds: float

    def mean(self) -> dict:
        """{way: mean test accuracy over the seeds}."""
        return {way: float(np.mean(values)) for way, values in self.accuracy.items()}


def transfer_experiment(n_per_class: int = 10, seeds=(0, 1, 2), *, pretrained=None, splits: DataSplits | None = None,
                        epochs: int = 10, lr: float = 3e-3, device=None) -> TransferResults:
    """Few-shot learning of the digits 5-9, three ways (module docstring), each on the same few examples.

    For each seed: ``few_shot`` draws ``n_per_class`` training images of each of 5-9 from ``splits``'s training
    part (None: ``load_mnist5k(0)``); then ``fine_tune`` trains from scratch (``build_mnist_cnn(seed)``, all
    layers), the pretrained network's last layer only, and all its layers (``epochs``, ``lr``, seeded with the
    seed); each is scored on the split's test images of 5-9. ``pretrained``: None loads the shipped
    ``load_mnist_cnn("cnn_digits04")`` (trained on 0-4 of the same split: it never saw a 5-9).

    Returns ``TransferResults`` (accuracy per way and seed, ``.mean()``).

    Time (2-core machine, one torch thread): ~0.8 s per seed, 2.5 s for the three default seeds, 3.7 s while other
    work shared the cores; about 40% of it scores the nine trained networks on the 500 test images. The
    accuracies are in the module's docstring.

    Raises:
        ValueError: for n_per_class not a positive integer, seeds not a non-empty sequence of integers >= 0.
    """
    import time

    from .mnist_cnn import build_mnist_cnn, load_mnist_cnn, score_mnist_cnn

    n_per_class = check_positive_int(n_per_class, "n_per_class")
    if isinstance(seeds, (int, np.integer)) or not hasattr(seeds, "__iter__") or not len(tuple(seeds)):
        raise ValueError(f"seeds must be a non-empty sequence of integers >= 0 such as (0, 1, 2), got {seeds!r}")
    seeds = tuple(check_seed(s) for s in seeds)
    start = time.perf_counter()
    splits = check_mnist5k_splits(splits)
    pretrained = load_mnist_cnn("cnn_digits04") if pretrained is None else pretrained
    X_pool, y_pool = digit_subset(splits.X_train, splits.y_train, TRANSFER_DIGITS)
    X_test, y_test = digit_subset(splits.X_test, splits.y_test, TRANSFER_DIGITS)
    accuracy = {way: [] for way in TRANSFER_WAYS}
    for seed in seeds:
        X, y = few_shot(X_pool, y_pool, n_per_class, seed)
        starts = {"scratch": (build_mnist_cnn(seed), "all"), "last_layer": (pretrained, "last_layer"),
                  "all": (pretrained, "all")}
        for way, (model, train) in starts.items():
            tuned = fine_tune(model, X, y, train=train, epochs=epochs, lr=lr, seed=seed, device=device)
            accuracy[way].append(score_mnist_cnn(tuned, X_test, y_test))
    return TransferResults({way: np.array(values) for way, values in accuracy.items()}, seeds, n_per_class,
                           len(y_test), time.perf_counter() - start)
