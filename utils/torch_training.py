"""The PyTorch training loop: a ``torch.nn.Module`` trained with a ``torch.optim`` optimizer over DataLoaders, with
validation, a metric, early stopping, a learning-rate scheduler and a progress bar.

Not ``utils.training.fit``: that loop trains the course's NumPy modules (Chapter 04, ``utils.module``); this one
trains PyTorch models (Chapter 06 on). Both are spelled out so a reader can follow every line.

- ``train_torch(model, loss_fn, optimizer, train_loader, val_loader=None, *, epochs, ...) -> TrainLog``: the loop.
- ``evaluate_torch(model, loader, loss_fn, metric=None, device=None) -> Evaluation``: the mean loss (and metric)
  over a loader, in ``eval()`` mode and without gradients.
- ``classifier_epochs(model, X_train, y_train, X_val, y_val, *, epochs, lr, batch_size, ...)``: the course's
  classifier recipe around ``train_torch`` (cross-entropy, Adam, an optional one-cycle learning rate, seeded
  shuffles, one thread), one epoch at a time; the MNIST MLP, the MNIST CNN and transfer learning all train with it.

A loader is anything that yields ``(inputs, targets)`` batches again at every pass, typically
``DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)`` (a list of pairs works too). The course's
loaders keep ``num_workers=0``: worker processes cost more than they give on data already in memory, and in a
notebook on Windows or macOS each one starts a fresh Python that must import the notebook's code again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .module import Module, check_positive_int, check_seed

__all__ = ["CLASSIFIER_SCHEDULES", "Evaluation", "TrainLog", "classifier_epochs", "evaluate_torch", "train_torch"]

SCHEDULER_STEPS = ("batch", "epoch")
CLASSIFIER_SCHEDULES = ("one_cycle", None)
"""``classifier_epochs``'s ``schedule``: "one_cycle" (``OneCycleLR`` with peak ``lr``, stepped per batch, its cycle
spanning all the epochs) or None (a constant ``lr``)."""


@dataclass
class TrainLog:
    """What ``train_torch`` measured, one entry per epoch run (E = ``epochs_run``, epochs counted from 0).

    Fields:
        train_loss: (E,) the mean training loss of each epoch, over its examples, measured during the epoch (the
            weights change from batch to batch; ``evaluate_torch`` measures the model as it ends).
        train_metric: (E,) ``metric`` over the training batches the same way, or None without a metric.
        val_loss: (E,) the validation loss after each epoch (``eval()`` mode), or None without a ``val_loader``.
        val_metric: (E,) ``metric`` on the validation set after each epoch, or None (no metric or no val_loader).
        best_epoch: the epoch with the lowest validation loss (the first, on a tie), or None without a
            ``val_loader``. With ``patience``, the model ends with this epoch's weights.
        stopped_early: True when early stopping ended training before ``epochs`` epochs.
        device: where the model was trained, e.g. "cpu" or "cuda".
    """

    train_loss: np.ndarray
    train_metric: np.ndarray | None
    val_loss: np.ndarray | None
    val_metric: np.ndarray | None
    best_epoch: int | None
    stopped_early: bool
    device: str

    @property
    def epochs_run(self) -> int:
        """How many epochs ran: ``epochs``, or fewer when training stopped early."""
        return len(self.train_loss)


class Evaluation(NamedTuple):
    """``evaluate_torch``'s result: the mean loss over the loader's examples, and the mean metric (or None)."""

    loss: float
    metric: float | None


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------
def _kind(value) -> str:
    return f"the class {value.__name__}" if isinstance(value, type) else type(value).__name__


def _check_model(model) -> None:
    import torch

    if isinstance(model, Module):
        raise TypeError("model must be a PyTorch model (a torch.nn.Module); got a module of the course's NumPy "
                        "library: train it with utils.training.fit")
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a PyTorch model (a torch.nn.Module such as nn.Sequential(nn.Linear(784, 10)))"
                        f", got {_kind(model)}")


def _check_function(value, name: str, example: str) -> None:
    if isinstance(value, type) or not callable(value):
        raise TypeError(f"{name} must be {example}, got {_kind(value)}")


def _check_optimizer(optimizer, model) -> None:
    import torch

    if not isinstance(optimizer, torch.optim.Optimizer):
        extra = ": utils.optim's optimizers train the course's NumPy modules" if hasattr(optimizer, "param_groups") \
            else ""
        raise TypeError(f"optimizer must be a torch.optim optimizer such as torch.optim.Adam(model.parameters(), "
                        f"lr=1e-3), got {_kind(optimizer)}{extra}")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not any(id(p) in held for p in model.parameters()):
        raise ValueError("the optimizer holds none of the model's parameters: build it from this model, "
                         "e.g. torch.optim.Adam(model.parameters(), lr=1e-3)")


def _check_loader(loader, name: str) -> None:
    import torch

    if isinstance(loader, (torch.Tensor, np.ndarray)) or not hasattr(loader, "__iter__"):
        raise TypeError(f"{name} must yield (inputs, targets) batches, e.g. DataLoader(TensorDataset(X, y), "
                        f"batch_size=64), got {_kind(loader)}")


def _check_scheduler(scheduler, scheduler_step, optimizer) -> str | None:
    import torch

    if scheduler_step is not None and scheduler_step not in SCHEDULER_STEPS:
        raise ValueError(f"scheduler_step must be 'batch' or 'epoch', got {scheduler_step!r}")
    if scheduler is None:
        return None
    if isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must be a learning-rate scheduler such as torch.optim.lr_scheduler.OneCycleLR("
                        f"optimizer, ...), got {_kind(scheduler)}")
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError("the scheduler drives another optimizer than the one given: build it from this optimizer")
    if scheduler_step is None:
        raise ValueError("with a scheduler, say when it steps: scheduler_step='batch' (e.g. OneCycleLR, whose "
                         "total_steps counts batches) or 'epoch' (e.g. StepLR, CosineAnnealingLR), got None")
    if scheduler_step == "batch" and isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise ValueError("ReduceLROnPlateau watches a loss measured once per epoch: scheduler_step must be 'epoch', "
                         "got 'batch'")
    return scheduler_step


def _resolve_device(device):
    """The ``torch.device`` to run on: ``pick_device()`` for None; a clear error for one this machine lacks."""
    import torch

    from .device import pick_device

    try:
        chosen = pick_device(device)
    except ValueError:
        raise ValueError(f"device must be None (pick one), 'cpu', 'cuda' or 'mps', got {device!r}") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asks for a CUDA GPU, but PyTorch sees none on this machine: use "
                         "device=None (the best device there is) or 'cpu'")
    if chosen.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device={device!r} asks for an Apple GPU (MPS), but PyTorch sees none on this machine: use "
                         "device=None (the best device there is) or 'cpu'")
    return chosen


def _model_device(model):
    import torch

    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


# ---------------------------------------------------------------------------------------------
# One batch, one pass
# ---------------------------------------------------------------------------------------------
def _batch_on(batch, device, name: str):
    """``(inputs, targets)`` of one batch, moved to ``device``."""
    import torch

    if not isinstance(batch, (tuple, list)) or len(batch) != 2 or not all(isinstance(t, torch.Tensor) for t in batch):
        shown = f"{len(batch)} items" if isinstance(batch, (tuple, list)) else _kind(batch)
        raise ValueError(f"each batch of {name} must be a pair of tensors (inputs, targets), as a DataLoader over "
                         f"TensorDataset(X, y) yields; got {shown}")
    inputs, targets = batch
    return inputs.to(device), targets.to(device)


def _check_loss(loss) -> None:
    import torch

    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        shown = f"a tensor of shape {tuple(loss.shape)}" if isinstance(loss, torch.Tensor) else _kind(loss)
        raise ValueError(f"loss_fn(outputs, targets) must return one number, the batch's mean loss (a 0-d tensor; "
                         f"keep reduction='mean'), got {shown}")


def _measure(model, loader, loss_fn, metric, device, name: str) -> Evaluation:
    """Mean loss and metric over ``loader`` in eval mode without gradients (the caller restores the mode)."""
    import torch

    model.eval()
    loss_sum, metric_sum, count = 0.0, 0.0, 0
    with torch.no_grad():
        for batch in loader:
            inputs, targets = _batch_on(batch, device, name)
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            _check_loss(loss)
            n = len(targets)
            loss_sum += loss.item() * n
            if metric is not None:
                metric_sum += float(metric(outputs.cpu(), targets.cpu())) * n
            count += n
    if count == 0:
        raise ValueError(f"{name} yielded no batches (a generator can be read only once: pass a DataLoader or a list)")
    return Evaluation(loss_sum / count, None if metric is None else metric_sum / count)


def evaluate_torch(model, loader, loss_fn, metric: Callable | None = None, device=None) -> Evaluation:
    """The mean loss and metric of ``model`` over every example of ``loader``: in ``model.eval()`` mode (dropout off,
    batch norm's running statistics) and under ``torch.no_grad()``; the model's mode is restored after.

    ``loss_fn(outputs, targets)`` returns a batch's mean loss (e.g. ``torch.nn.CrossEntropyLoss()``);
    ``metric(outputs, targets)`` a batch's mean score from CPU tensors, e.g. ``utils.training.accuracy``. Each is
    averaged over the batches weighted by their sizes, so a last, smaller batch counts for what it holds.
    ``device``: None runs where the model's parameters are; a name moves the model there.

    Returns ``Evaluation(loss, metric)`` (metric None without a metric).

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``, a loader that yields no batches of tensors, a
            loss_fn or metric that is not a function (or is a class: add ``()``).
        ValueError: for an empty loader, batches that are not (inputs, targets) pairs, a loss that is not one
            number, or a device this machine lacks.
    """
    _check_model(model)
    _check_loader(loader, "loader")
    _check_function(loss_fn, "loss_fn", "a loss such as torch.nn.CrossEntropyLoss() (an instance)")
    if metric is not None:
        _check_function(metric, "metric", "a function metric(outputs, targets) -> float such as "
                                          "utils.training.accuracy, or None")
    if device is None:
        device = _model_device(model)
    else:
        device = _resolve_device(device)
        model.to(device)
    was_training = model.training
    try:
        return _measure(model, loader, loss_fn, metric, device, "loader")
    finally:
        model.train(was_training)


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------
def train_torch(model, loss_fn, optimizer, train_loader, val_loader=None, *, epochs: int, scheduler=None,
                scheduler_step: str | None = None, patience: int | None = None, device=None,
                metric: Callable | None = None, progress: bool = True) -> TrainLog:
    """Train a PyTorch ``model`` for ``epochs`` epochs; return the ``TrainLog`` of losses and metrics per epoch.

    Each epoch: ``model.train()``, then for each batch of ``train_loader``: forward, ``loss_fn(outputs, targets)``,
    ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()`` (and ``scheduler.step()`` with
    ``scheduler_step="batch"``); then, with a ``val_loader``, the validation loss and metric in ``model.eval()``
    mode under ``torch.no_grad()`` (``evaluate_torch``), and ``scheduler.step()`` with ``scheduler_step="epoch"``
    (``ReduceLROnPlateau`` gets the validation loss, or the training loss without a val_loader).

    Args:
        model: a ``torch.nn.Module``; moved to ``device`` (its parameters stay the optimizer's).
        loss_fn: ``loss_fn(outputs, targets)`` -> the batch's mean loss, e.g. ``torch.nn.CrossEntropyLoss()`` on
            logits (N, C) and class labels (N,) int64.
        optimizer: a ``torch.optim`` optimizer over the model's parameters.
        train_loader, val_loader: loaders of ``(inputs, targets)`` batches (module docstring).
        epochs: the most epochs to run (an integer >= 1).
        scheduler: a ``torch.optim.lr_scheduler`` scheduler of this optimizer, or None.
        scheduler_step: "batch" or "epoch": when the scheduler steps (required with a scheduler: OneCycleLR counts
            batches, StepLR epochs).
        patience: early stopping (needs a val_loader): stop after ``patience`` epochs in a row without a strictly
            lower validation loss than the best so far, and end with the best epoch's weights. With patience 3
            and the best loss at epoch 4 (counting from 0), epochs 5, 6, 7 fail to improve and training stops
            after epoch 7: 8 epochs run. None trains all ``epochs`` and keeps the last weights.
        device: None picks ``utils.device.pick_device()`` (a GPU when there is one); or "cpu", "cuda", "mps".
            Every batch is moved there.
        metric: ``metric(outputs, targets)`` -> a batch's mean score, given detached CPU tensors, e.g.
            ``utils.training.accuracy``; recorded per epoch for training and validation. None records none.
        progress: show a progress bar over the epochs (``tqdm.auto``: a widget in Jupyter) with the last losses;
            False prints nothing.

    Returns:
        TrainLog: per-epoch arrays of shape (epochs_run,), ``best_epoch``, ``stopped_early``, ``device``. The
        model ends in ``eval()`` mode, ready to predict.

    Raises:
        TypeError: for a model, optimizer, loss_fn, metric, scheduler or loader of the wrong kind (a course NumPy
            module or utils.optim optimizer is pointed to ``utils.training.fit``).
        ValueError: for epochs or patience not a positive integer, patience without a val_loader, a scheduler
            without scheduler_step (or of another optimizer), an optimizer holding none of the model's
            parameters, a device this machine lacks, an empty loader, a batch that is not (inputs, targets), or a
            loss that is not one number.
    """
    import torch
    from tqdm.auto import tqdm

    _check_model(model)
    _check_function(loss_fn, "loss_fn", "a loss such as torch.nn.CrossEntropyLoss() (an instance)")
    _check_optimizer(optimizer, model)
    _check_loader(train_loader, "train_loader")
    if val_loader is not None:
        _check_loader(val_loader, "val_loader")
    epochs = check_positive_int(epochs, "epochs")
    if patience is not None:
        patience = check_positive_int(patience, "patience")
        if val_loader is None:
            raise ValueError("early stopping watches the validation loss: patience needs a val_loader, got "
                             "val_loader=None")
    scheduler_step = _check_scheduler(scheduler, scheduler_step, optimizer)
    if metric is not None:
        _check_function(metric, "metric", "a function metric(outputs, targets) -> float such as "
                                          "utils.training.accuracy, or None")
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    device = _resolve_device(device)
    model.to(device)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    metric_name = getattr(metric, "__name__", "")
    metric_name = metric_name if metric_name.isidentifier() else "metric"  # a lambda's name is "<lambda>"

    history = {key: [] for key in ("train_loss", "train_metric", "val_loss", "val_metric")}
    best_loss, best_epoch, best_state, since_best, stopped_early = math.inf, None, None, 0, False
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress)
    try:
        for epoch in bar:
            model.train()
            loss_sum, metric_sum, count = 0.0, 0.0, 0
            for batch in train_loader:
                inputs, targets = _batch_on(batch, device, "train_loader")
                outputs = model(inputs)
                loss = loss_fn(outputs, targets)
                _check_loss(loss)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if scheduler_step == "batch":
                    scheduler.step()
                n = len(targets)
                loss_sum += loss.item() * n
                if metric is not None:
                    metric_sum += float(metric(outputs.detach().cpu(), targets.cpu())) * n
                count += n
            if count == 0:
                raise ValueError(f"train_loader yielded no batches in epoch {epoch} (a generator can be read only "
                                 "once: pass a DataLoader or a list)")
            history["train_loss"].append(loss_sum / count)
            history["train_metric"].append(metric_sum / count)
            shown = {"loss": f"{loss_sum / count:.4f}"}
            if metric is not None:
                shown[metric_name] = f"{metric_sum / count:.4f}"
            if val_loader is not None:
                val = _measure(model, val_loader, loss_fn, metric, device, "val_loader")
                history["val_loss"].append(val.loss)
                history["val_metric"].append(val.metric)
                shown["val_loss"] = f"{val.loss:.4f}"
                if metric is not None:
                    shown[f"val_{metric_name}"] = f"{val.metric:.4f}"
            if scheduler_step == "epoch":
                if plateau:
                    scheduler.step(history["val_loss" if val_loader is not None else "train_loss"][-1])
                else:
                    scheduler.step()
            bar.set_postfix(shown, refresh=False)
            if val_loader is None:
                continue
            if history["val_loss"][-1] < best_loss:
                best_loss, best_epoch, since_best = history["val_loss"][-1], epoch, 0
                if patience is not None:
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since_best += 1
            if patience is not None and since_best >= patience and epoch < epochs - 1:
                stopped_early = True
                break
    finally:
        bar.close()
    model.eval()  # ready to predict; the next train_torch sets train() again
    if best_state is not None and best_epoch != len(history["train_loss"]) - 1:
        model.load_state_dict(best_state)

    def column(key: str, present: bool):
        return np.array(history[key], dtype=np.float64) if present else None

    return TrainLog(
        train_loss=column("train_loss", True),
        train_metric=column("train_metric", metric is not None),
        val_loss=column("val_loss", val_loader is not None),
        val_metric=column("val_metric", val_loader is not None and metric is not None),
        best_epoch=best_epoch,
        stopped_early=stopped_early,
        device=str(device),
    )


# ---------------------------------------------------------------------------------------------
# The course's classifier recipe, one epoch at a time
# ---------------------------------------------------------------------------------------------
def _merge_logs(logs: list[TrainLog]) -> TrainLog:
    """One ``TrainLog`` from the logs of consecutive ``train_torch`` runs (e.g. one epoch each), in order;
    ``best_epoch`` is the epoch of the lowest validation loss over all of them."""
    if not logs or not all(isinstance(log, TrainLog) for log in logs):
        raise ValueError(f"logs must be a non-empty list of TrainLog, got {logs!r}")

    def joined(key: str):
        parts = [getattr(log, key) for log in logs]
        return None if any(part is None for part in parts) else np.concatenate(parts)

    val_loss = joined("val_loss")
    return TrainLog(train_loss=joined("train_loss"), train_metric=joined("train_metric"), val_loss=val_loss,
                    val_metric=joined("val_metric"), best_epoch=None if val_loss is None else int(np.argmin(val_loss)),
                    stopped_early=False, device=logs[-1].device)


def _check_xy(X, y, part: str):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 2 or y.shape != (len(X),) or len(X) == 0 or y.dtype.kind not in "iu":
        raise ValueError(f"X_{part} must have shape (N, ...) with y_{part} of shape (N,) integer class labels, "
                         f"N >= 1; got X_{part} of shape {X.shape} and y_{part} of shape {y.shape} ({y.dtype})")
    return X, y


def classifier_epochs(model, X_train, y_train, X_val=None, y_val=None, *, epochs: int, lr: float, batch_size: int,
                      schedule: str | None = "one_cycle", seed: int = 0, device=None,
                      parameters=None) -> Iterator[tuple[object, TrainLog]]:
    """Train a PyTorch classifier the course's way, yielding ``(model, log)`` after each epoch: the model as it is
    then (the same object each time: it keeps training) and the ``TrainLog`` of the epochs so far.

    The recipe: cross-entropy on the logits, ``torch.optim.Adam(parameters, lr)``, with ``schedule="one_cycle"``
    ``OneCycleLR(max_lr=lr)`` stepped per batch over all ``epochs``; mini-batches of ``batch_size`` shuffled each
    epoch by a generator seeded with ``seed``; dropout's random masks drawn from PyTorch's generator seeded with
    ``seed`` too (its own state, kept between epochs: PyTorch's global generator is left as it was); one torch
    thread; the validation loss and accuracy after each epoch (with ``X_val``, ``y_val``). Each epoch is one
    ``train_torch(..., epochs=1)`` call, the optimizer and the scheduler carried over. Run to the end it is a
    whole training run; one epoch at a time it feeds a figure that grows.

    Args:
        model: a ``torch.nn.Module`` mapping X's rows (N, ...) to logits (N, C).
        X_train, y_train, X_val, y_val: float32 inputs (N, ...) and int64 labels (N,), NumPy arrays; X_val and
            y_val may be None (no validation: the log's val_* are None).
        parameters: what Adam updates (e.g. ``model.fc.parameters()`` to train only the last layer); None: all
            of the model's parameters.
        device: None picks ``utils.device.pick_device()``.

    Raises (at the first ``next()``):
        TypeError: for a model that is not a ``torch.nn.Module``.
        ValueError: for arrays of the wrong shapes, epochs or batch_size not positive integers, a bad lr,
            schedule not in ``CLASSIFIER_SCHEDULES`` or a seed not an integer >= 0.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from .device import one_torch_thread
    from .optim import check_lr
    from .training import accuracy

    _check_model(model)
    X_train, y_train = _check_xy(X_train, y_train, "train")
    validate = X_val is not None or y_val is not None
    if validate:
        X_val, y_val = _check_xy(X_val, y_val, "val")
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr, seed = check_lr(lr), check_seed(seed)
    if schedule not in CLASSIFIER_SCHEDULES:
        raise ValueError(f"schedule must be 'one_cycle' or None, got {schedule!r}")

    def as32(X):
        return torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))

    def as64(y):
        return torch.from_numpy(np.asarray(y, dtype=np.int64))

    with one_torch_thread():
        shuffle = torch.Generator().manual_seed(seed)
        train_loader = DataLoader(TensorDataset(as32(X_train), as64(y_train)), batch_size=batch_size, shuffle=True,
                                  generator=shuffle)
        val_loader = DataLoader(TensorDataset(as32(X_val), as64(y_val)), batch_size=1000) if validate else None
        optimizer = torch.optim.Adam(model.parameters() if parameters is None else parameters, lr=lr)
        scheduler = None
        if schedule == "one_cycle":
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, epochs=epochs,
                                                            steps_per_epoch=len(train_loader))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            rng_state = torch.get_rng_state()  # dropout's masks: seeded, and the caller's generator untouched
    logs = []
    for _ in range(epochs):
        with one_torch_thread(), torch.random.fork_rng(devices=[]):
            torch.set_rng_state(rng_state)
            logs.append(train_torch(model, torch.nn.CrossEntropyLoss(), optimizer, train_loader, val_loader,
                                    epochs=1, scheduler=scheduler, scheduler_step="batch" if scheduler else None,
                                    device=device, metric=accuracy, progress=False))
            rng_state = torch.get_rng_state()
        yield model, _merge_logs(logs)
