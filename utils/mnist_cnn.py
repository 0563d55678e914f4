"""The course's convolutional network for MNIST-5k (Chapter 08, part 2): the network, and what it computes inside.

The network, a small version of the classic "two convolutions, two poolings, one classifier" design::

    x (N, 1, 28, 28) pixels in [0, 1]
      -> conv1 Conv2d(1, 32, 3)  -> relu1 -> pool1 MaxPool2d(2)     (N, 32, 26, 26) -> (N, 32, 13, 13)
      -> conv2 Conv2d(32, 64, 3) -> relu2 -> pool2 MaxPool2d(2)     (N, 64, 11, 11) -> (N, 64, 5, 5)
      -> dropout Dropout(0.25) -> flatten -> fc Linear(1600, 10)    (N, 1600) -> logits (N, 10)

    320 + 18,496 + 16,010 = 34,826 parameters

- ``build_mnist_cnn(seed=None, dropout=0.25)`` builds it (an ``nn.Sequential`` whose layers have the names above).
- ``as_images(X)``: MNIST-5k's rows (N, 784) as the (N, 1, 28, 28) float32 batch the network takes.
- ``predict_proba(model, images)`` and ``predict_labels(model, images)``: the class probabilities (N, 10) and
  labels (N,) in evaluation mode, as NumPy arrays.
- ``feature_maps(model, image)``: what each layer up to ``pool2`` outputs for one image, layer by layer.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .module import check_number, check_seed

__all__ = ["FEATURE_LAYERS", "MNIST_CNN_PARAMETERS", "FeatureMaps", "as_images", "build_mnist_cnn", "feature_maps",
           "predict_labels", "predict_proba"]

MNIST_CNN_PARAMETERS = 34_826
"""(3·3·1·32 + 32) + (3·3·32·64 + 64) + (1600·10 + 10): the parameters of ``build_mnist_cnn()``."""

FEATURE_LAYERS = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2")
"""The layers ``feature_maps`` reports, in order: the ones whose outputs are still images (C, H, W)."""


class FeatureMaps(NamedTuple):
    """One layer's output for one image: ``name`` (one of ``FEATURE_LAYERS``) and ``maps`` float32 (C, H, W)."""

    name: str
    maps: np.ndarray


def build_mnist_cnn(seed: int | None = None, dropout: float = 0.25):
    """The network of the module's docstring, as an ``nn.Sequential`` with named layers (``model.conv1``, …).

    ``seed``: None draws the initial weights from PyTorch's global generator (as ``nn.Conv2d`` does); an integer
    draws them from a generator seeded with it (the same weights every time, the global generator untouched).
    ``dropout``: the probability of the dropout layer before the classifier, in [0, 1).

    Shapes: the model maps (N, 1, 28, 28) float32 -> (N, 10) logits.

    Raises:
        ValueError: for a seed not None or an integer >= 0, or dropout outside [0, 1).
    """
    from collections import OrderedDict

    import torch
    from torch import nn

    if seed is not None:
        seed = check_seed(seed)
    dropout = check_number(dropout, "dropout")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("dropout", nn.Dropout(dropout)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64 * 5 * 5, 10)),
        ]))


def as_images(X) -> np.ndarray:
    """MNIST rows as a batch of one-channel images.

    Shapes: X (N, 784), (N, 28, 28) or already (N, 1, 28, 28) -> float32 (N, 1, 28, 28), C-contiguous.

    Raises:
        ValueError: for any other shape.
    """
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == 784 or X.ndim == 3 and X.shape[1:] == (28, 28) or \
            X.ndim == 4 and X.shape[1:] == (1, 28, 28):
        return np.ascontiguousarray(X.reshape(len(X), 1, 28, 28), dtype=np.float32)
    raise ValueError(f"X must be MNIST images of shape (N, 784), (N, 28, 28) or (N, 1, 28, 28); got shape {X.shape}")


def _check_model(model) -> None:
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module such as build_mnist_cnn(), got {type(model).__name__}")


def _logits(model, images, batch_size: int = 500) -> np.ndarray:
    import torch

    _check_model(model)
    images = as_images(images)
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        with torch.no_grad():
            out = [model(torch.from_numpy(images[i:i + batch_size]).to(device)).cpu().numpy()
                   for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, 10), dtype=np.float32)


def predict_proba(model, images) -> np.ndarray:
    """Class probabilities (softmax of the logits) in evaluation mode (dropout off), the model's mode restored after.

    Shapes: images as ``as_images`` takes them, (N, ...) -> float64 (N, 10), rows summing to 1.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``. ValueError: for images of another shape.
    """
    logits = _logits(model, images).astype(np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def predict_labels(model, images) -> np.ndarray:
    """The predicted digit of each image: argmax of the logits, in evaluation mode.

    Shapes: images (N, ...) as ``as_images`` takes them -> int64 (N,).
    """
    return np.argmax(_logits(model, images), axis=1).astype(np.int64)


def feature_maps(model, image) -> list[FeatureMaps]:
    """What each layer of ``FEATURE_LAYERS`` outputs for one image, in evaluation mode.

    Shapes: image (784,), (28, 28) or (1, 28, 28) -> a list of ``FeatureMaps(name, maps)``, maps float32 (C, H, W):
    conv1/relu1 (32, 26, 26), pool1 (32, 13, 13), conv2/relu2 (64, 11, 11), pool2 (64, 5, 5).

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``; ValueError: for a model without the layers
        ``FEATURE_LAYERS`` names or an image of another shape.
    """
    import torch

    _check_model(model)
    missing = [name for name in FEATURE_LAYERS if not hasattr(model, name)]
    if missing:
        raise ValueError(f"model must have the layers {FEATURE_LAYERS} (build_mnist_cnn's); missing {missing}")
    image = np.asarray(image)
    if image.shape not in ((784,), (28, 28), (1, 28, 28)):
        raise ValueError(f"image must be one MNIST image of shape (784,), (28, 28) or (1, 28, 28); got shape "
                         f"{image.shape}")
    x = torch.from_numpy(as_images(image.reshape(1, 784)))
    was_training = model.training
    model.eval()
    maps = []
    try:
        with torch.no_grad():
            x = x.to(next(model.parameters()).device)
            for name in FEATURE_LAYERS:
                x = getattr(model, name)(x)
                maps.append(FeatureMaps(name, x[0].cpu().numpy().astype(np.float32)))
    finally:
        model.train(was_training)
    return maps
