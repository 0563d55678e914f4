"""The classic MNIST multilayer perceptron in PyTorch, and the two recipes that train it on MNIST-5k (Chapter 06).

The network, a widespread first "real" model (written in Keras as ``Dense(128, relu)``, ``Dense(64, relu)``,
``Dense(10, softmax)``), here with PyTorch layers and logits out (``CrossEntropyLoss`` applies the softmax)::

    x (N, 784) pixels -> Linear(784, 128) -> ReLU -> Linear(128, 64) -> ReLU -> Linear(64, 10) -> logits (N, 10)

    100,480 + 8,256 + 650 = 109,386 parameters

- ``build_mnist_mlp(seed=None, hidden=(128, 64))`` builds it; ``model_summary(model)`` prints a table of layers,
  output shapes and parameter counts, as Keras's ``model.summary()`` does.
- ``MnistRecipe``: how to train it. ``COURSE_RECIPE`` (standardised inputs, Adam with a one-cycle learning rate,
  20 epochs of batches of 128, the split's 500 validation images) and ``CLASSIC_KERAS_RECIPE`` (pixels / 255,
  Adam at 1e-3, 10 epochs of batches of 32, the last 20% of the training data held out, as Keras's
  ``validation_split=0.2`` does).
- ``prepare_splits(recipe, splits)``: the arrays a recipe trains on (the statistics of the standardisation come
  from the training images only).
- ``train_mnist_mlp(recipe, seed=0, ...) -> (model, TrainLog, test_accuracy)`` trains with
  ``utils.torch_training.train_torch``; ``mnist_training_epochs`` does the same one epoch at a time (the training
  dashboard draws each).
- ``stored_results()``: what ``benchmarks/measure_training_chapter.py`` measured (the spread over seeds, the
  learning curve over the training-set size, the Auto MPG grid), read from ``utils/assets/``.

Training is seeded (``torch.manual_seed(seed)`` for the initial weights, a seeded generator for the shuffles) and
runs on one thread, so one machine reproduces its own numbers exactly; another CPU (other vector instructions)
drifts after a few hundred updates. What reproduces across machines is the accuracy, within a point or so: the
course asserts it with a margin and never prints it as a fixed number.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import DataSplits, check_mnist5k_splits
from .device import one_torch_thread
from .module import check_number, check_positive_int, check_seed
from .optim import check_lr
from .stored_results import read_stored_results
from .torch_training import TrainLog

__all__ = ["CLASSIC_KERAS_RECIPE", "COURSE_RECIPE", "MNIST_MLP_PARAMETERS", "PREPROCESSINGS", "RESULTS_ASSET",
           "MnistRecipe", "build_mnist_mlp", "mnist_training_epochs", "model_summary", "prepare_splits",
           "score_mnist_mlp", "stored_results", "train_mnist_mlp"]

MNIST_MLP_PARAMETERS = 109_386
"""784·128 + 128 + 128·64 + 64 + 64·10 + 10: the parameters of the 784 → 128 → 64 → 10 network."""

PREPROCESSINGS = ("standardise", "divide_by_255")
"""``MnistRecipe.preprocessing``: "standardise" subtracts the training images' mean pixel value and divides by
their standard deviation (one mean and one std over all pixels: the common MNIST normalisation); "divide_by_255"
keeps the pixels in [0, 1] as ``load_mnist5k`` gives them (it already divided 0..255 by 255)."""

RESULTS_ASSET = Path(__file__).parent / "assets" / "training_chapter_results.json"
"""Where ``benchmarks/measure_training_chapter.py`` writes what it measured, read by ``stored_results()``."""


def _check_hidden(hidden) -> tuple[int, ...]:
    if not isinstance(hidden, (tuple, list)) or not hidden:
        raise ValueError(f"hidden must be a tuple of layer widths such as (128, 64), got {hidden!r}")
    return tuple(check_positive_int(width, "each width in hidden") for width in hidden)


@dataclass(frozen=True)
class MnistRecipe:
    """How to train the MNIST MLP (every field has a default: ``dataclasses.replace(COURSE_RECIPE, epochs=5)``).

    Fields:
        name: a label for tables and legends.
        preprocessing: one of ``PREPROCESSINGS``.
        lr: Adam's learning rate; with ``schedule="one_cycle"``, the peak (OneCycleLR's ``max_lr``).
        schedule: "one_cycle" (``torch.optim.lr_scheduler.OneCycleLR`` stepped per batch) or None (a constant lr).
        epochs: passes over the training images.
        batch_size: images per update.
        validation_split: None validates on the split's own validation images (500 for MNIST-5k); a fraction f
            joins the training and validation images (4,000) and holds out their last f, unshuffled, as Keras's
            ``validation_split`` does (0.2: 3,200 to train on, 800 to validate).
        hidden: the hidden layers' widths.
    """

    name: str = "course"
    preprocessing: str = "standardise"
    lr: float = 1e-2
    schedule: str | None = "one_cycle"
    epochs: int = 20
    batch_size: int = 128
    validation_split: float | None = None
    hidden: tuple[int, ...] = (128, 64)

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ValueError(f"name must be a string, got {self.name!r}")
        if self.preprocessing not in PREPROCESSINGS:
            raise ValueError(f"preprocessing must be one of {', '.join(map(repr, PREPROCESSINGS))}, "
                             f"got {self.preprocessing!r}")
        check_lr(self.lr)
        if self.schedule not in ("one_cycle", None):
            raise ValueError(f"schedule must be 'one_cycle' or None, got {self.schedule!r}")
        check_positive_int(self.epochs, "epochs")
        check_positive_int(self.batch_size, "batch_size")
        if self.validation_split is not None:
            fraction = check_number(self.validation_split, "validation_split", above=0)
            if fraction >= 1:
                raise ValueError(f"validation_split must be None or a fraction in (0, 1), got "
                                 f"{self.validation_split!r}")
        _check_hidden(self.hidden)


COURSE_RECIPE = MnistRecipe()
"""The course's recipe: standardised inputs, Adam with a one-cycle learning rate (peak 1e-2), 20 epochs of
batches of 128, validation on the split's 500 held-out images (~94% on the test images, ~1 s on one core)."""

CLASSIC_KERAS_RECIPE = MnistRecipe(name="classic Keras", preprocessing="divide_by_255", lr=1e-3, schedule=None,
                                   epochs=10, batch_size=32, validation_split=0.2)
"""The widespread Keras recipe: pixels / 255, Adam at 1e-3, 10 epochs of batches of 32, ``validation_split=0.2``."""


def _check_recipe(recipe) -> MnistRecipe:
    if not isinstance(recipe, MnistRecipe):
        raise TypeError(f"recipe must be an MnistRecipe such as COURSE_RECIPE or CLASSIC_KERAS_RECIPE, got "
                        f"{type(recipe).__name__}")
    return recipe


# ---------------------------------------------------------------------------------------------
# The network and its summary
# ---------------------------------------------------------------------------------------------
def build_mnist_mlp(seed: int | None = None, hidden=(128, 64)):
    """The MLP ``784 → hidden[0] → … → 10`` with ReLU between layers and logits out, as an ``nn.Sequential``.

    ``seed``: None draws the initial weights from PyTorch's global generator (as ``nn.Linear`` does); an integer
    draws them from a generator seeded with it (the same weights every time, the global generator untouched).
    PyTorch's default initialization for ``nn.Linear`` (uniform, scaled by 1/√fan_in).

    Shapes: the model maps (N, 784) float32 -> (N, 10) logits.

    Raises:
        ValueError: for a seed not None or an integer >= 0, or hidden not a non-empty tuple of positive integers.
    """
    import torch

    hidden = _check_hidden(hidden)
    if seed is not None:
        seed = check_seed(seed)
    sizes = (784, *hidden, 10)
    with _seeded(seed):
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(fan_in, fan_out))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


@contextmanager
def _seeded(seed: int | None):
    """Within the block, PyTorch's global generator is seeded with ``seed`` (and restored after); None: untouched."""
    import torch

    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _layer_name(layer) -> str:
    import torch

    if isinstance(layer, torch.nn.Linear):
        return f"Linear({layer.in_features}, {layer.out_features})"
    return f"{type(layer).__name__}()"


def model_summary(model) -> str:
    """A table of the layers of a PyTorch ``nn.Sequential``: each layer, its output shape (N is the batch size) and
    its number of parameters, then the totals, as Keras's ``model.summary()`` prints them::

        Layer               Output shape    Param #
        ===========================================
        Linear(784, 128)    (N, 128)        100,480
        ReLU()              (N, 128)              0
        ...
        ===========================================
        Total params: 109,386
        Trainable params: 109,386
        Non-trainable params: 0

    The output shapes come from one forward pass of a batch of one zero input (the first layer must be an
    ``nn.Linear``, which gives the input size).

    Raises:
        TypeError: for a model that is not an ``nn.Sequential``.
        ValueError: for a Sequential whose first layer is not an ``nn.Linear``.
    """
    import torch

    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"model must be a PyTorch nn.Sequential such as build_mnist_mlp(), got {type(model).__name__}")
    if len(model) == 0 or not isinstance(model[0], torch.nn.Linear):
        first = type(model[0]).__name__ if len(model) else "nothing (an empty Sequential)"
        raise ValueError(f"model's first layer must be an nn.Linear (it gives the input size), got {first}")
    shapes = []
    hooks = [layer.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape[1:]))) for layer in model]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, model[0].in_features, dtype=model[0].weight.dtype, device=model[0].weight.device))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    rows = []
    for layer, shape in zip(model, shapes):
        count = sum(p.numel() for p in layer.parameters())
        rows.append((_layer_name(layer), "(N, " + ", ".join(map(str, shape)) + ")", f"{count:,}"))
    header = ("Layer", "Output shape", "Param #")
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(3)]

    def line(cells) -> str:
        return f"{cells[0]:<{widths[0]}}    {cells[1]:<{widths[1]}}    {cells[2]:>{widths[2]}}"

    rule = "=" * len(line(header))
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return "\n".join([line(header), rule, *map(line, rows), rule, f"Total params: {total:,}",
                      f"Trainable params: {trainable:,}", f"Non-trainable params: {total - trainable:,}"])


# ---------------------------------------------------------------------------------------------
# Data for a recipe
# ---------------------------------------------------------------------------------------------
def prepare_splits(recipe: MnistRecipe = COURSE_RECIPE, splits: DataSplits | None = None) -> DataSplits:
    """The arrays ``recipe`` trains, validates and tests on, from ``splits`` (None: ``load_mnist5k(0)``).

    - ``validation_split=None``: the split's own parts; with a fraction f, the training and validation images
      joined (in that order), their last f held out for validation (the test images stay apart).
    - ``preprocessing="standardise"``: every part becomes ``(X - m) / s`` with m and s the mean and standard
      deviation of all the pixels of the *training* images only (the images the model learns from: statistics
      from the validation or test images would leak what the model is evaluated on into its training).
      "divide_by_255": the pixels as given (already divided by 255).

    Returns a ``DataSplits`` of float32 X (N_*, 784) and int64 y (N_*,).

    Raises:
        TypeError: for a recipe that is not an ``MnistRecipe`` or splits not a ``DataSplits``.
        ValueError: for parts not of shape (N, 784) with N labels.
    """
    recipe, splits = _check_recipe(recipe), check_mnist5k_splits(splits)
    X_train, y_train, X_val, y_val, X_test, y_test = (np.asarray(a) for a in splits)
    if recipe.validation_split is not None:
        X_all, y_all = np.concatenate([X_train, X_val]), np.concatenate([y_train, y_val])
        n_train = len(X_all) - int(np.floor(len(X_all) * recipe.validation_split))
        if not 1 <= n_train < len(X_all):
            raise ValueError(f"validation_split={recipe.validation_split} leaves no image to train or to validate on "
                             f"among {len(X_all)}")
        X_train, X_val, y_train, y_val = X_all[:n_train], X_all[n_train:], y_all[:n_train], y_all[n_train:]
    if recipe.preprocessing == "standardise":
        mean, std = float(X_train.mean(dtype=np.float64)), float(X_train.std(dtype=np.float64))
        if std == 0:
            raise ValueError("the training images are all the same value: there is no spread to standardise by")
        X_train, X_val, X_test = ((X - mean) / std for X in (X_train, X_val, X_test))
    as32, as64 = (lambda X: np.ascontiguousarray(X, dtype=np.float32)), (lambda y: np.asarray(y, dtype=np.int64))
    return DataSplits(as32(X_train), as64(y_train), as32(X_val), as64(y_val), as32(X_test), as64(y_test))


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def mnist_training_epochs(recipe: MnistRecipe = COURSE_RECIPE, seed: int = 0, splits: DataSplits | None = None,
                          device=None) -> Iterator[tuple[object, TrainLog]]:
    """Train as ``train_mnist_mlp`` does, yielding ``(model, log)`` after each epoch: the model as it is then
    (the same object each time: it keeps training) and the ``TrainLog`` of the epochs so far.

    For a figure that grows epoch by epoch; ``train_mnist_mlp`` is this loop run to the end. The loop is
    ``utils.torch_training.classifier_epochs`` (one ``train_torch(..., epochs=1)`` per epoch, metric accuracy, the
    optimizer and the scheduler carried over).

    Raises:
        as ``train_mnist_mlp``, at the first ``next()``.
    """
    from .torch_training import classifier_epochs

    recipe, seed = _check_recipe(recipe), check_seed(seed)
    data = prepare_splits(recipe, splits)
    model = build_mnist_mlp(seed, recipe.hidden)
    yield from classifier_epochs(model, data.X_train, data.y_train, data.X_val, data.y_val, epochs=recipe.epochs,
                                 lr=recipe.lr, batch_size=recipe.batch_size, schedule=recipe.schedule, seed=seed,
                                 device=device)


def score_mnist_mlp(model, X, y) -> float:
    """The accuracy of ``model`` on the images ``X`` (N, 784), already prepared as its recipe prepares them
    (``prepare_splits``), and their labels ``y`` (N,): the fraction whose largest logit is the label. Runs in
    ``eval()`` mode without gradients, on one thread, on the model's device; the model stays in ``eval()`` mode.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``.
        ValueError: for X not (N, 784) or y not (N,).
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a PyTorch model such as the one train_mnist_mlp returns, got "
                        f"{type(model).__name__}")
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 784 or y.shape != (len(X),) or len(X) == 0:
        raise ValueError(f"X must have shape (N, 784) and y shape (N,) with N >= 1, got X of shape {X.shape} and y "
                         f"of shape {y.shape}")
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad(), one_torch_thread():
        predicted = model(torch.as_tensor(X, dtype=torch.float32, device=device)).argmax(dim=1).cpu().numpy()
    return float(np.mean(predicted == y))


def train_mnist_mlp(recipe: MnistRecipe = COURSE_RECIPE, seed: int = 0, splits: DataSplits | None = None,
                    progress: bool = False, device=None) -> tuple[object, TrainLog, float]:
    """Train a fresh MNIST MLP (``build_mnist_mlp(seed, recipe.hidden)``) with ``recipe`` and measure it.

    ``splits``: None loads ``load_mnist5k(0)``; the data become ``prepare_splits(recipe, splits)`` (standardised
    with the training images' statistics, for the course's recipe). Adam on cross-entropy, with OneCycleLR
    stepped per batch for ``schedule="one_cycle"``; the training images are shuffled each epoch by a generator
    seeded with ``seed``, which also seeds the initial weights; one thread. ``progress``: a ``tqdm.auto`` bar over
    the epochs. ``device``: None picks ``utils.device.pick_device()``.

    Returns ``(model, log, test_accuracy)``: the trained ``nn.Sequential`` (in ``eval()`` mode; it expects inputs
    prepared as ``prepare_splits`` prepares them), the ``TrainLog`` (loss and accuracy per epoch, training and
    validation; ``best_epoch`` has the lowest validation loss) and the accuracy on the test images.

    Raises:
        TypeError: for a recipe that is not an ``MnistRecipe`` or splits not a ``DataSplits``.
        ValueError: for a seed not an integer >= 0, progress not a bool, or parts of splits of the wrong shape.
    """
    from tqdm.auto import tqdm

    recipe, seed = _check_recipe(recipe), check_seed(seed)
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    splits = check_mnist5k_splits(splits)
    model, log = None, None
    with tqdm(total=recipe.epochs, desc=f"training ({recipe.name})", unit="epoch", disable=not progress) as bar:
        for model, log in mnist_training_epochs(recipe, seed, splits, device):  # noqa: B007 - the last is returned
            bar.set_postfix({"loss": f"{log.train_loss[-1]:.4f}", "val_accuracy": f"{log.val_metric[-1]:.4f}"},
                            refresh=False)
            bar.update()
    data = prepare_splits(recipe, splits)
    return model, log, score_mnist_mlp(model, data.X_test, data.y_test)


# ---------------------------------------------------------------------------------------------
# Stored measurements
# ---------------------------------------------------------------------------------------------
def stored_results(path: Path | str | None = None) -> dict:
    """What ``benchmarks/measure_training_chapter.py`` measured, as a dict (JSON, ``RESULTS_ASSET`` unless ``path``).

    Keys:
        "measured": date (ISO), "torch", "numpy", "sklearn" versions, "cpu_count", "seconds" (the script's run).
        "recipes": {recipe name: {"seeds": [...], "test_accuracy": [one per seed], "mean", "min", "max",
            "ci95_half_width" (the ±95% binomial half-width 1.96·√(p(1−p)/n) at the mean p, n test images),
            "n_test", "seconds_per_run" (median over the seeds, one thread), "recipe" (its fields)}}, for
            "course" and "classic Keras".
        "baselines": {"svm_rbf" | "random_forest": {"train_3500": test accuracy fitted on the 3,500 training
            images, "train_val_4000": fitted on training + validation images}}.
        "learning_curve": {"sizes": [...], "mlp" | "svm_rbf" | "random_forest": [test accuracy per size]}: each
            model fitted on the first n training images (a stratified subset), tested on the 1,000 test images.
        "auto_mpg": {"linear": {"r2_folds": [...], "mean"}, "grid": [{"optimizer", "activation", "r2_folds",
            "mean"}, ...], "folds", "seed", "seconds_per_cv"}: 5-fold cross-validated R².

    Raises:
        ValueError: if the file is missing or not the JSON object the script writes.
    """
    return read_stored_results(RESULTS_ASSET if path is None else path,
                               ("measured", "recipes", "baselines", "learning_curve", "auto_mpg"),
                               "python benchmarks/measure_training_chapter.py")

