"""The learning-rate range test: raise the learning rate step by step and watch the loss.

Leslie Smith's test (popularised by fastai's ``lr_find``): on a fresh copy of the model, take ``steps`` minibatch
steps with a learning rate growing exponentially from ``lr_min`` to ``lr_max``, record each minibatch's loss and
an exponentially smoothed version of it, and stop once the smoothed loss explodes (above ``diverge_factor`` × its
best, or no longer finite). The curve falls slowly at tiny learning rates (steps too small to matter), fastest at
useful ones, and shoots up when the steps become too large.

- ``lr_range_test(model, loss_fn, make_optimizer, X, y, rng=...)``: the test, returning a ``RangeTest``: the
  learning rates, raw and smoothed losses, and a suggestion: the learning rate where the smoothed loss falls
  fastest (the steepest descent of the smoothed loss against log lr, before its minimum). ``RangeTest.lr_at_minimum``
  is the other usual rule's starting point: a tenth of it is a safe choice.

The model given is left untouched (the test trains a deep copy).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .device import one_blas_thread
from .module import Module, check_module, check_number, check_positive_int, check_rng, to_float64
from .optim import Optimizer, check_lr

__all__ = ["RangeTest", "lr_range_test"]


@dataclass(frozen=True)
class RangeTest:
    """The result of ``lr_range_test``.

    ``lrs`` (S,): the learning rate of each step taken (S ≤ ``steps``: fewer when the loss exploded);
    ``losses`` (S,): each step's minibatch loss (computed before that step's update);
    ``smoothed`` (S,): their exponential moving average, bias-corrected (``smoothed[i] = avg_i / (1 − β^(i+1))``,
    ``avg_i = β avg_(i−1) + (1 − β) losses[i]``); ``suggested_lr``: the lr of the steepest descent of ``smoothed``
    against log lr, among the steps before its minimum (NaN if the smoothed loss never fell);
    ``lr_at_minimum``: the lr where ``smoothed`` is lowest; ``stopped_early``: whether the loss exploded.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    lr_at_minimum: float
    stopped_early: bool

    @property
    def suggestion_index(self) -> int:
        """The step whose lr is ``suggested_lr`` (-1 if there is none)."""
        return int(np.argmin(np.abs(self.lrs - self.suggested_lr))) if np.isfinite(self.suggested_lr) else -1


def _suggestion(lrs: np.ndarray, smoothed: np.ndarray) -> float:
    """The lr where ``smoothed`` falls fastest against log lr, before its minimum (NaN if it never fell).

    Central differences over the whole curve (so the minimum itself has a slope near 0), the first step left out
    (one-sided there, and the moving average has seen a single loss).
    """
    lowest = int(np.argmin(smoothed))
    if lowest < 2:
        return float("nan")
    slope = np.gradient(smoothed, np.log10(lrs))  # d loss / d log10(lr), (S,)
    return float(lrs[1 + int(np.argmin(slope[1:lowest]))])


def lr_range_test(model: Module, loss_fn: Module, make_optimizer: Callable[[list], Optimizer], X, y, *,
                  rng: np.random.Generator, lr_min: float = 1e-5, lr_max: float = 10.0, steps: int = 200,
                  batch_size: int = 32, smoothing: float = 0.9, diverge_factor: float = 4.0) -> RangeTest:
    """Run the learning-rate range test on a deep copy of ``model``; return a ``RangeTest``.

    Step i (i = 0 … steps − 1) uses lr_i = lr_min · (lr_max / lr_min)^(i / (steps − 1)) in every parameter group of
    ``make_optimizer(copy.parameters())`` (its momentum, betas, … are kept; only the lr is set). Minibatches of
    ``batch_size`` come from shuffling (X, y) with ``rng``, reshuffled each time they run out. ``smoothing`` is the
    β of the moving average; the test stops after the first step whose smoothed loss is above ``diverge_factor``
    × the lowest so far, or not finite.

    Shapes: X (N, ...), y (N, ...) as ``loss_fn`` expects them.

    Raises:
        TypeError: for a model or loss_fn that is not a module instance, or ``make_optimizer`` not a function
            params -> utils.optim optimizer.
        ValueError: for lr_min or lr_max not positive numbers with lr_min < lr_max, steps below 2, a bad
            batch_size, smoothing outside [0, 1), diverge_factor not above 1, rng not a Generator, or X and y of
            different lengths.
    """
    check_module(model, "model", "a utils Module such as Sequential(Linear(64, 64), ReLU(), Linear(64, 10))")
    check_module(loss_fn, "loss_fn", "a loss module with a backward, such as CrossEntropyLoss()")
    if isinstance(make_optimizer, (Optimizer, type)) or not callable(make_optimizer):
        kind = f"the class {make_optimizer.__name__}" if isinstance(make_optimizer, type) else \
            type(make_optimizer).__name__
        raise TypeError(f"make_optimizer must be a function params -> optimizer, e.g. lambda params: "
                        f"SGD(params, lr=1e-3) (the test builds it over a copy of the model), got {kind}")
    lr_min = check_number(lr_min, "lr_min", above=0)
    lr_max = check_number(lr_max, "lr_max", above=0)
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must be below lr_max (the test raises the lr from one to the other), got "
                         f"lr_min={lr_min:g} and lr_max={lr_max:g}")
    steps = check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (a range needs two ends), got {steps}")
    batch_size = check_positive_int(batch_size, "batch_size")
    smoothing = check_number(smoothing, "smoothing", at_least=0)
    if not smoothing < 1:
        raise ValueError(f"smoothing must be a number in [0, 1) (the β of the moving average; 0: none), got "
                         f"{smoothing:g}")
    diverge_factor = check_number(diverge_factor, "diverge_factor", above=1)
    rng = check_rng(rng)
    X = to_float64(X, "X")
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have the same number of examples, got shapes {X.shape} and {y.shape}")

    trained = copy.deepcopy(model)
    optimizer = make_optimizer(trained.parameters())
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"make_optimizer(params) must return a utils.optim optimizer, got {type(optimizer).__name__}")
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    n, order, position = len(X), rng.permutation(len(X)), 0
    losses, smoothed, average, best, exploded = [], [], 0.0, np.inf, False
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, lr in enumerate(schedule):
            if position >= n:
                order, position = rng.permutation(n), 0
            idx = order[position:position + batch_size]
            position += batch_size
            for group in optimizer.param_groups:
                group["lr"] = float(check_lr(lr))
            loss = float(loss_fn(trained(X[idx]), y[idx]))
            optimizer.zero_grad()
            trained.backward(loss_fn.backward())
            optimizer.step()
            average = smoothing * average + (1 - smoothing) * loss
            smooth = average / (1 - smoothing ** (i + 1))
            losses.append(loss)
            smoothed.append(smooth)
            best = min(best, smooth)
            if not np.isfinite(smooth) or smooth > diverge_factor * best:
                exploded = True
                break
    lrs, smoothed = schedule[:len(losses)], np.array(smoothed)
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    return RangeTest(lrs, np.array(losses), smoothed, _suggestion(lrs, finite), float(lrs[int(np.argmin(finite))]),
                     exploded)
