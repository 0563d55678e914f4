"""A minimal training loop from scratch: epochs over (mini-)batches with an optimizer, the loss history.

Everything here is built on the ``Module`` convention (``utils/module.py``): ``model(X)`` runs forward,
``loss_fn(out, y)`` gives the loss, ``loss_fn.backward()`` its gradient with respect to ``out``,
``model.backward(g)`` fills every parameter's ``.grad``, and the optimizer (``utils/optim.py``) moves each
parameter against its gradient. Chapter 05 adds optimizers (momentum, Adam); Chapter 06 adds validation,
early stopping and the rest of a real training loop.

- ``fit(model, loss_fn, optimizer, X, y, epochs=..., batch_size=None, rng=None)``: the loop; returns the mean
  training loss of each epoch (full batch when ``batch_size`` is None).
- ``sgd_step(parameters, lr)``: ``p.data -= lr * p.grad`` for every parameter that has a gradient (defined in
  ``utils.optim``, where ``SGD.step`` uses it; Chapter 04 meets it here).
- ``accuracy(scores, y)``: the fraction classified right (argmax of (N, C) scores, or a 0.5 threshold on
  (N,) / (N, 1) probabilities).
- ``gradient_norms(model)``: the size of each parameter's gradient (for vanishing/exploding gradients).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .module import Module, check_module, check_positive_int, to_float64
from .optim import Optimizer, sgd_step

__all__ = ["accuracy", "fit", "gradient_norms", "sgd_step"]


def _check_optimizer(optimizer, model: Module) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"fit(model, loss_fn, optimizer, X, y, epochs=...) takes an optimizer from utils.optim, "
                         f"e.g. SGD(model.parameters(), lr=0.1); got {type(optimizer).__name__}")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not any(id(p) in held for p in model.parameters()):
        raise ValueError("the optimizer holds none of the model's parameters: build it from this model, "
                         "e.g. SGD(model.parameters(), lr=0.1)")


def fit(model: Module, loss_fn: Module, optimizer: Optimizer, X, y, *, epochs: int, batch_size: int | None = None,
        rng: np.random.Generator | None = None,
        callback: Callable[[int, float], None] | None = None) -> np.ndarray:
    """Train ``model`` with ``optimizer``; return the mean training loss of each epoch, shape (epochs,).

    Each step: forward, loss, ``optimizer.zero_grad()``, backward, ``optimizer.step()``. With ``batch_size``
    the examples are shuffled every epoch with ``rng`` (required then) and visited in mini-batches; the
    epoch's loss is the mean of its batches' losses weighted by their sizes. ``callback(epoch, loss)`` runs
    after each epoch (a progress bar, a plot).

    Shapes: X (N, ...), y (N, ...) as ``loss_fn`` expects them (e.g. (N,) class indices).

    Raises:
        ValueError: for an optimizer that is not a ``utils.optim.Optimizer`` or holds none of the model's
            parameters, epochs or batch_size below 1, mini-batches without ``rng``, or X and y of different lengths.
        TypeError: for a model or loss_fn that is not a module instance (e.g. the function ``cross_entropy``, or
            the class ``CrossEntropyLoss`` without ``()``), or a callback that is not callable.
    """
    check_module(model, "model", "a utils Module such as Sequential(Linear(2, 4), ReLU(), Linear(4, 3))")
    check_module(loss_fn, "loss_fn", "a loss module with a backward, such as CrossEntropyLoss()")
    _check_optimizer(optimizer, model)
    epochs = check_positive_int(epochs, "epochs")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, loss), got {type(callback).__name__}")
    X = to_float64(X, "X")
    y = np.asarray(y)
    for name, array in (("X", X), ("y", y)):
        if array.ndim == 0:
            raise ValueError(f"{name} must hold one example per row, shape (N, ...), got a single number")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of examples, got {len(X)} and {len(y)}")
    n = len(X)
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
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
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
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
    labels = np.asarray(y)
    if labels.dtype.kind not in "iufb":
        raise ValueError(f"y must hold class labels (integers), got dtype {labels.dtype}")
    if scores.ndim == 2 and scores.shape[1] >= 2:
        predicted = scores.argmax(axis=1)
    else:
        predicted = (scores.reshape(-1) >= 0.5).astype(int)
    if predicted.shape != labels.reshape(-1).shape:
        one_hot = "; for one-hot rows pass y.argmax(axis=1)" if labels.ndim == 2 and labels.shape[1] > 1 else ""
        raise ValueError(f"y must hold one class label per example: {predicted.shape[0]} labels for scores of shape "
                         f"{scores.shape}, got y of shape {labels.shape}{one_hot}")
    return float(np.mean(predicted == labels.reshape(-1)))


def gradient_norms(model: Module) -> dict[str, float]:
    """``{parameter name: ‖grad‖₂}`` after a backward pass (0.0 for a parameter without a gradient).

    Raises:
        TypeError: if ``model`` is not a utils ``Module``.
    """
    check_module(model, "model")
    return {name: 0.0 if p.grad is None else float(np.linalg.norm(p.grad)) for name, p in model.named_parameters()}
