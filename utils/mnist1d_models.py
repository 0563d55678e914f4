"""Why convolutions, measured (Chapter 08, part 2): a small MLP and a small 1-D CNN trained the same way on MNIST-1D.

MNIST-1D (``utils.data.load_mnist1d``) signals have 40 samples; the pattern that tells the digit sits at a varying
position. An MLP must learn each pattern again at each position; a convolution shares one filter across all
positions (translation equivariance) and pooling makes the result tolerate small shifts::

    MLP   x (N, 1, 40) -> Flatten -> Linear(40, 100) -> ReLU -> Linear(100, 100) -> ReLU -> Linear(100, 10)
    CNN   x (N, 1, 40) -> [Conv1d(., 32, 3, padding=1) -> ReLU -> MaxPool1d(2)] × 3   (N, 32, 5)
                       -> Flatten -> Linear(160, 10)                                   logits (N, 10)

- ``build_mnist1d_mlp(seed=None, hidden=(100, 100))`` and ``build_mnist1d_cnn(seed=None, channels=32)`` build them
  (both take (N, 1, 40); the MLP flattens first).
- ``as_signals(X)``: rows (N, 40) as the (N, 1, 40) float32 batch a ``Conv1d`` takes (one channel).
- ``MNIST1D_RECIPE`` and ``train_mnist1d(model, splits=None, *, seed=0, ...) -> (TrainLog, test_accuracy)``: Adam
  with a one-cycle learning rate through ``utils.torch_training.train_torch``, one thread, seeded. It trains any
  ``nn.Module`` that maps (N, 1, 40) to (N, 10) logits, and says clearly when a model does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import DataSplits, load_mnist1d
from .device import one_torch_thread
from .module import check_number, check_positive_int, check_seed
from .optim import check_lr
from .torch_training import TrainLog

__all__ = ["INPUTS", "MNIST1D_LENGTH", "MNIST1D_RECIPE", "Mnist1dRecipe", "as_signals", "build_mnist1d_cnn",
           "build_mnist1d_mlp", "train_mnist1d"]

MNIST1D_LENGTH = 40
"""The number of samples of one MNIST-1D signal."""

INPUTS = ("signals", "flat")
"""``train_mnist1d``'s ``input``: "signals" feeds (N, 1, 40) batches (what a ``Conv1d`` takes), "flat" (N, 40)."""


@dataclass(frozen=True)
class Mnist1dRecipe:
    """How ``train_mnist1d`` trains: Adam on cross-entropy, the learning rate following one cycle (PyTorch's
    ``OneCycleLR``, stepped per batch, ``lr`` its peak), ``epochs`` passes over the 3,500 training signals in
    shuffled batches of ``batch_size``, Adam's ``weight_decay``."""

    epochs: int = 12
    lr: float = 2e-2
    batch_size: int = 100
    weight_decay: float = 0.0

    def __post_init__(self):
        check_positive_int(self.epochs, "epochs")
        check_lr(self.lr)
        check_positive_int(self.batch_size, "batch_size")
        check_number(self.weight_decay, "weight_decay", at_least=0)


MNIST1D_RECIPE = Mnist1dRecipe()
"""The recipe the chapter trains both models with (measured: see ``benchmarks/measure_mnist1d.py``)."""


def _seeded_build(seed, make):
    """``make()`` with PyTorch's global generator seeded with ``seed`` and restored after (None: left as it is)."""
    import torch

    if seed is not None:
        seed = check_seed(seed)
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        return make()


def build_mnist1d_mlp(seed: int | None = None, hidden=(100, 100)):
    """An MLP for MNIST-1D: Flatten -> [Linear -> ReLU] per width of ``hidden`` -> Linear(., 10).

    ``seed``: None draws the initial weights from PyTorch's global generator; an integer from one seeded with it
    (the same weights every time, the global generator untouched). Shapes: (N, 1, 40) or (N, 40) -> (N, 10) logits.

    Raises:
        ValueError: for a seed not None or an integer >= 0, or ``hidden`` not a sequence of positive integers.
    """
    from torch import nn

    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
        raise ValueError(f"hidden must be a sequence of layer widths such as (100, 100), got {hidden!r}")
    hidden = tuple(check_positive_int(width, "each width of hidden") for width in hidden)

    def make():
        layers, width = [nn.Flatten()], MNIST1D_LENGTH
        for out in hidden:
            layers += [nn.Linear(width, out), nn.ReLU()]
            width = out
        return nn.Sequential(*layers, nn.Linear(width, 10))

    return _seeded_build(seed, make)


def build_mnist1d_cnn(seed: int | None = None, channels: int = 32):
    """A 1-D CNN for MNIST-1D: three blocks Conv1d(., channels, 3, padding=1) -> ReLU -> MaxPool1d(2), then
    Flatten -> Linear(channels · 5, 10). Shapes: (N, 1, 40) -> (N, c, 20) -> (N, c, 10) -> (N, c, 5) -> (N, 10).

    ``seed`` as in ``build_mnist1d_mlp``.

    Raises:
        ValueError: for a seed not None or an integer >= 0, or ``channels`` not a positive integer.
    """
    from torch import nn

    channels = check_positive_int(channels, "channels")

    def make():
        layers, width = [], 1
        for _ in range(3):
            layers += [nn.Conv1d(width, channels, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2)]
            width = channels
        return nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * MNIST1D_LENGTH // 8, 10))

    return _seeded_build(seed, make)


def as_signals(X) -> np.ndarray:
    """MNIST-1D rows as a batch of one-channel signals.

    Shapes: X (N, 40) or already (N, 1, 40) -> float32 (N, 1, 40), C-contiguous.

    Raises:
        ValueError: for any other shape.
    """
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == MNIST1D_LENGTH or X.ndim == 3 and X.shape[1:] == (1, MNIST1D_LENGTH):
        return np.ascontiguousarray(X.reshape(len(X), 1, MNIST1D_LENGTH), dtype=np.float32)
    raise ValueError(f"X must be MNIST-1D signals of shape (N, {MNIST1D_LENGTH}) or (N, 1, {MNIST1D_LENGTH}); got "
                     f"shape {X.shape}")


def _check_splits(splits) -> DataSplits:
    return load_mnist1d(0) if splits is None else DataSplits.checked(splits, MNIST1D_LENGTH, "load_mnist1d")


def _check_trainable(model, input_shape: tuple[int, ...]) -> None:
    """A clear ValueError unless ``model`` maps a zero batch of ``input_shape`` to (2, 10) logits."""
    import torch

    from .cnn_architectures import layer_output_shapes

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a PyTorch model (a torch.nn.Module such as build_mnist1d_cnn()), got "
                        f"{type(model).__name__}")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters: build it from layers such as nn.Conv1d and nn.Linear")
    shown = "(N, " + ", ".join(map(str, input_shape[1:])) + ")"
    shapes = layer_output_shapes(model, input_shape)  # names the layer that cannot take its input
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros(input_shape, device=next(model.parameters()).device))
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise ValueError(f"model must return a tensor of logits of shape (N, 10) for inputs {shown}; it returned "
                         f"{type(out).__name__}")
    if tuple(out.shape) != (input_shape[0], 10):
        got = "(N, " + ", ".join(map(str, out.shape[1:])) + ")" if out.ndim and out.shape[0] == input_shape[0] \
            else str(tuple(out.shape))
        hint = ""
        if out.ndim == 3:
            hint = (": the output still has a channel axis (an nn.Linear acts on the last axis only, so "
                    "nn.Linear(40, ...) on (N, 1, 40) keeps it): put nn.Flatten() before the nn.Linear layers")
        elif shapes and out.ndim == 2:
            hint = ": the last layer must have 10 outputs, one logit per digit"
        raise ValueError(f"model must map inputs {shown} to logits (N, 10); it returned {got}{hint}")


def train_mnist1d(model, splits: DataSplits | None = None, *, recipe: Mnist1dRecipe = MNIST1D_RECIPE,
                  epochs: int | None = None, lr: float | None = None, batch_size: int | None = None, seed: int = 0,
                  input: str = "signals", progress: bool = False, device=None) -> tuple[TrainLog, float]:
    """Train ``model`` (in place) on MNIST-1D and measure it on the test signals.

    ``model``: any ``nn.Module`` that maps (N, 1, 40) signals (``input="signals"``, the default) or (N, 40) rows
    (``input="flat"``) to (N, 10) logits, e.g. ``build_mnist1d_cnn(0)`` or ``build_mnist1d_mlp(0)``.
    ``splits``: None loads ``load_mnist1d(0)``. ``recipe`` (``MNIST1D_RECIPE``): Adam on cross-entropy with
    OneCycleLR stepped per batch; ``epochs``, ``lr`` (the peak) and ``batch_size`` override the recipe's. ``seed``
    seeds the shuffles and anything random inside the model during training (dropout); the initial weights are the
    model's own (build it seeded). One thread; ``device`` None picks ``utils.device.pick_device()``.

    Returns ``(log, test_accuracy)``: the ``TrainLog`` (loss and accuracy per epoch, on the training batches and
    on the 500 validation signals) and the accuracy on the 1,000 test signals. The model ends in ``eval()`` mode.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module`` or splits not a ``DataSplits``.
        ValueError: for a model that cannot take the inputs (naming the layer and the shape it got) or does not
            return (N, 10) logits, a model without trainable parameters, a bad seed, epochs, lr, batch_size or
            ``input``, or splits of the wrong shapes.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from .torch_training import evaluate_torch, train_torch
    from .training import accuracy

    if not isinstance(recipe, Mnist1dRecipe):
        raise TypeError(f"recipe must be an Mnist1dRecipe such as MNIST1D_RECIPE, got {type(recipe).__name__}")
    epochs = recipe.epochs if epochs is None else check_positive_int(epochs, "epochs")
    lr = recipe.lr if lr is None else check_lr(lr)
    batch_size = recipe.batch_size if batch_size is None else check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    if input not in INPUTS:
        raise ValueError(f"input must be 'signals' (batches (N, 1, 40)) or 'flat' ((N, 40)), got {input!r}")
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    shape = (2, 1, MNIST1D_LENGTH) if input == "signals" else (2, MNIST1D_LENGTH)
    _check_trainable(model, shape)
    splits = _check_splits(splits)

    def tensors(X, y):
        X = as_signals(X) if input == "signals" else np.ascontiguousarray(X, dtype=np.float32)
        return torch.from_numpy(X), torch.from_numpy(np.asarray(y, dtype=np.int64))

    train, val, test = (tensors(*splits[k:k + 2]) for k in (0, 2, 4))
    with one_torch_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        loader = DataLoader(TensorDataset(*train), batch_size=batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(seed))
        val_loader = DataLoader(TensorDataset(*val), batch_size=1000)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=recipe.weight_decay)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, epochs=epochs,
                                                        steps_per_epoch=len(loader))
        loss_fn = torch.nn.CrossEntropyLoss()
        log = train_torch(model, loss_fn, optimizer, loader, val_loader, epochs=epochs, scheduler=scheduler,
                          scheduler_step="batch", metric=accuracy, progress=progress, device=device)
        test_accuracy = evaluate_torch(model, DataLoader(TensorDataset(*test), batch_size=1000), loss_fn,
                                       metric=accuracy).metric
    return log, float(test_accuracy)
