"""Training a real model, as static figures (Chapter 06): what the training log, the data and the errors look like.

- ``draw_learning_curves(log)``: loss and accuracy by epoch, training vs validation, the best epoch marked;
- ``draw_data_learning_curve(curve)``: test accuracy against the number of training images, one line per model
  (the ``"learning_curve"`` of ``utils.mnist_mlp.stored_results()``);
- ``draw_image_grid(X, y, n)``: the first ``n`` images with their labels;
- ``draw_predictions(X, y_true, y_pred, n)``: images captioned "true → predicted", the wrong ones framed in orange;
- ``draw_confusion_matrix(cm)``: counts of (true class, predicted class), annotated, the diagonal outlined.

Each returns its Axes (the grids return the figure). The numbers come from ``utils.torch_training``,
``utils.mnist_mlp`` or scikit-learn's metrics; nothing here trains or imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..module import check_positive_int
from ..plotting import course_style, new_figure
from ..torch_training import TrainLog
from .digits import draw_digit_grid

__all__ = ["CURVE_LABELS", "draw_confusion_matrix", "draw_data_learning_curve", "draw_image_grid",
           "draw_learning_curves", "draw_predictions"]

CURVE_LABELS = {"mlp": "MLP (784 → 128 → 64 → 10)", "svm_rbf": "RBF SVM", "random_forest": "random forest"}
"""The learning curve's models (keys of the stored ``"learning_curve"``) -> their legend labels."""

_STYLES = {"mlp": "o-", "svm_rbf": "s-", "random_forest": "^-"}


def draw_learning_curves(log: TrainLog, title: str | None = None):
    """Loss (left) and accuracy (right) by epoch, training and validation, from ``train_torch``'s ``TrainLog``.

    Epochs are counted from 0, as ``TrainLog`` counts them. The training values are measured during each epoch
    (while the weights change), the validation values after it. A dotted vertical line marks ``log.best_epoch``,
    the lowest validation loss (the epoch early stopping would keep). Accuracy needs a log with a metric; without
    one, the right panel says so. Returns the two Axes.

    Raises:
        TypeError: for a log that is not a ``TrainLog``.
    """
    if not isinstance(log, TrainLog):
        raise TypeError(f"log must be the TrainLog that train_torch (or train_mnist_mlp) returns, got "
                        f"{type(log).__name__}")
    epochs = np.arange(log.epochs_run)
    with course_style():
        fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.8 if title else 0.88, wspace=0.25)
        panels = ((axes[0], log.train_loss, log.val_loss, "loss (cross-entropy)"),
                  (axes[1], log.train_metric, log.val_metric, "accuracy"))
        for ax, train, val, ylabel in panels:
            ax.set(xlabel="epoch (from 0)", ylabel=ylabel)
            if train is None:
                ax.text(0.5, 0.5, "no metric recorded\n(train_torch(..., metric=accuracy))", ha="center",
                        va="center", transform=ax.transAxes, color="0.4")
                continue
            ax.plot(epochs, train, "o-", markersize=3, label="training (during the epoch)")
            if val is not None:
                ax.plot(epochs, val, "s-", markersize=3, label="validation (after the epoch)")
            if log.best_epoch is not None:
                ax.axvline(log.best_epoch, color="0.3", linestyle=":", linewidth=1.5,
                           label=f"lowest validation loss (epoch {log.best_epoch})")
            ax.set_xlim(-0.5, max(log.epochs_run - 0.5, 0.5))
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        axes[0].legend(fontsize=8.5)
        axes[0].set_title("Loss", fontsize=11)
        axes[1].set_title("Accuracy", fontsize=11)
        if log.train_metric is not None:
            axes[1].yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        if title:
            fig.suptitle(title, fontsize=11)
    return axes


def draw_data_learning_curve(curve: Mapping, title: str | None = None):
    """Test accuracy against the number of training images (log scale), one line per model.

    ``curve``: ``{"sizes": [n, ...], "mlp": [accuracy per size], "svm_rbf": [...], "random_forest": [...]}`` (the
    ``"learning_curve"`` of ``utils.mnist_mlp.stored_results()``; any subset of the models of ``CURVE_LABELS``).
    Returns the Axes.

    Raises:
        TypeError: for curve not a dict. ValueError: without "sizes", or a model's list not one value per size.
    """
    if not isinstance(curve, Mapping):
        raise TypeError(f"curve must be a dict such as stored_results()['learning_curve'], got {type(curve).__name__}")
    if "sizes" not in curve:
        raise ValueError(f"curve must hold 'sizes' (the training-set sizes), got the keys {sorted(curve)}")
    sizes = np.asarray(curve["sizes"], dtype=float)
    models = [key for key in CURVE_LABELS if key in curve]
    if not models:
        raise ValueError(f"curve must hold at least one of {', '.join(CURVE_LABELS)}, got the keys {sorted(curve)}")
    for key in models:
        if np.shape(curve[key]) != sizes.shape:
            raise ValueError(f"curve[{key!r}] must hold one accuracy per size, {sizes.size}; got "
                             f"{np.shape(curve[key])}")
    with course_style():
        fig, (ax,) = new_figure((7.0, 4.0), pyplot=True, top=0.75)
        for key in models:
            accuracy = np.asarray(curve[key], dtype=float)
            ax.plot(sizes, accuracy, _STYLES[key], linewidth=2,
                    label=f"{CURVE_LABELS[key]}: {accuracy[-1]:.1%} at {int(sizes[-1]):,}")
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{int(n):,}" for n in sizes])
        ax.xaxis.set_minor_locator(mpl.ticker.NullLocator())
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set(xlabel="training images (log scale)", ylabel="test accuracy (1,000 images)")
        ax.legend(loc="lower right", fontsize=9)
        ax.set_title(title or "Test accuracy against the number of training images\n"
                              "more data helps every model; at this size the classic methods keep up or lead",
                     fontsize=11)
    return ax


def _check_images(X, y, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (N, 784) and {name} shape (N,), got X of shape {X.shape} and {name} of "
                         f"shape {y.shape}")
    return X, y


def draw_image_grid(X, y, n: int = 20, ncols: int = 10, title: str = ""):
    """The first ``n`` images of ``X`` (N, 784), pixels in [0, 1], each captioned with its label ``y`` (N,).

    Returns the figure (``fig.axes[0].texts`` are the captions, in order).

    Raises:
        ValueError: for X not (N, D) with D a square number, y not (N,), or n not a positive integer.
    """
    X, y = _check_images(X, y)
    n = min(check_positive_int(n, "n"), len(X))
    return draw_digit_grid(X[:n], labels=y[:n], ncols=min(check_positive_int(ncols, "ncols"), n), title=title,
                           size=0.7)


def draw_predictions(X, y_true, y_pred, n: int = 20, ncols: int = 10, errors_only: bool = False,
                     title: str | None = None):
    """Images captioned "true → predicted": the first ``n`` of ``X`` (or, with ``errors_only``, the first ``n``
    misclassified ones); a wrong prediction is framed and captioned in orange and marked ✗.

    Shapes: X (N, 784) pixels in [0, 1], y_true (N,), y_pred (N,). The default title counts the mistakes shown
    and in all. Returns the figure.

    Raises:
        ValueError: for shapes that disagree, or n not a positive integer.
    """
    X, y_true = _check_images(X, y_true, "y_true")
    y_pred = np.asarray(y_pred)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred must have the shape of y_true, {y_true.shape}; got {y_pred.shape}")
    n = check_positive_int(n, "n")
    wrong = np.flatnonzero(y_true != y_pred)
    shown = wrong[:n] if errors_only else np.arange(min(n, len(X)))
    if title is None:
        mistakes = int(np.sum(y_true[shown] != y_pred[shown]))
        which = "misclassified images" if errors_only else "images"
        title = (f"The first {len(shown)} {which} (true → predicted): {mistakes} wrong here, "
                 f"{len(wrong)} of {len(X):,} in all")
    if len(shown) == 0:
        with course_style():
            fig = plt.figure(figsize=(6.0, 1.0))
            fig.text(0.5, 0.5, f"{title}: nothing to show", ha="center", va="center")
        return fig
    return draw_digit_grid(X[shown], labels=y_true[shown], predicted=y_pred[shown],
                           ncols=min(check_positive_int(ncols, "ncols"), len(shown)), title=title, size=0.7)


def draw_confusion_matrix(cm, class_names: Sequence | None = None, title: str | None = None):
    """The confusion matrix ``cm`` (C, C): row = true class, column = predicted class, each cell's count written in
    it; the diagonal (right answers) is outlined. ``class_names``: C tick labels (default 0 … C−1).

    ``cm`` as ``sklearn.metrics.confusion_matrix(y_true, y_pred)`` returns it. The colour scale is the row's
    share (count / the true class's total), so a class with fewer examples is read the same way. Returns the Axes.

    Raises:
        ValueError: for cm not a square matrix of counts >= 0, or class_names not C names.
    """
    from matplotlib.patches import Rectangle

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] < 2 or cm.dtype.kind not in "iuf" or np.any(cm < 0):
        raise ValueError(f"cm must be a square matrix (C, C) of counts >= 0 with C >= 2, such as "
                         f"sklearn.metrics.confusion_matrix(y_true, y_pred); got shape {cm.shape}, dtype {cm.dtype}")
    c = cm.shape[0]
    names = [str(k) for k in range(c)] if class_names is None else [str(k) for k in class_names]
    if len(names) != c:
        raise ValueError(f"class_names must hold {c} names, one per class; got {len(names)}")
    totals = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0)
    with course_style():
        side = 0.42 * c + 1.6
        fig, ax = plt.subplots(figsize=(side + 0.9, side))
        fig.subplots_adjust(left=1.0 / (side + 0.9), right=1 - 0.9 / (side + 0.9), bottom=0.8 / side,
                            top=1 - 0.75 / side)
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        ax.grid(False)
        for i in range(c):
            for j in range(c):
                value = cm[i, j]
                text = f"{value:g}" if cm.dtype.kind == "f" else f"{int(value)}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8.5 if c > 6 else 10,
                        color="white" if share[i, j] > 0.55 else ("0.15" if value else "0.7"))
            ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="0.2", linewidth=1.2))
        ax.set_xticks(range(c), names)
        ax.set_yticks(range(c), names)
        ax.set(xlabel="predicted class", ylabel="true class")
        colorbar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
        colorbar.set_label("share of the true class")
        colorbar.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        right = int(np.trace(cm))
        ax.set_title(title or f"Confusion matrix: {right:,} of {int(cm.sum()):,} on the diagonal (right)",
                     fontsize=11)
    return ax
