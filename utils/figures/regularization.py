"""Over- and underfitting and what regularization does about it, as static figures (Chapter 07).

- ``draw_capacity_sweep(sweep)``: polynomial degree against training and validation error (the gap shaded), and
  three of the fits (``utils.overfitting.capacity_sweep``);
- ``draw_width_sweep(capacity)``: the MNIST MLP's training and validation accuracy against its width;
- ``draw_diabetes(diabetes)``: R² per fold of a linear model and an MLP, and the MLP's R² as training goes on;
- ``draw_regularization_grid(grid)``: the final generalization gap over dropout × weight decay, one heat map per
  width;
- ``draw_batch_norm_curves(batch_norm)``: a deep MLP's training loss with and without batch norm;
- ``draw_double_descent(result)``: test error against the number of random features, the interpolation point marked
  (``utils.overfitting.double_descent``);
- ``draw_augmentation(augmentation)``: validation loss and test accuracy with and without shifted images.

The dict arguments are sections of ``utils.regularization_experiments.stored_regularization_results()``. Each
function returns its Axes (several: an array). Nothing here trains or imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..overfitting import CapacitySweep, DoubleDescent
from ..plotting import course_style

__all__ = ["draw_augmentation", "draw_batch_norm_curves", "draw_capacity_sweep", "draw_diabetes",
           "draw_double_descent", "draw_regularization_grid", "draw_width_sweep"]

TRAIN, VAL, GAP = "#0072B2", "#D55E00", "#E69F00"


def _check_section(value, name: str, keys: tuple[str, ...]) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be the dict stored_regularization_results()[{name!r}], got "
                        f"{type(value).__name__}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} must hold {', '.join(keys)}; it lacks {', '.join(missing)}")
    return value


def draw_capacity_sweep(sweep: CapacitySweep, shown=None, title: str | None = None):
    """Left: training and validation mean squared error against the polynomial degree (log scale), the gap between
    them shaded, the best degree marked. Right: the samples, the true curve and the fits of the degrees ``shown``
    (None: 1, the best, and the last). Returns the two Axes.

    Raises:
        TypeError: for sweep not a ``CapacitySweep``.
    """
    if not isinstance(sweep, CapacitySweep):
        raise TypeError(f"sweep must be the CapacitySweep that capacity_sweep() returns, got {type(sweep).__name__}")
    degrees = sweep.degrees
    shown = [int(degrees[min(1, len(degrees) - 1)]), sweep.best_degree, int(degrees[-1])] if shown is None else shown
    with course_style():
        fig, (ax, ax_fit) = plt.subplots(1, 2, figsize=(10.0, 4.0), gridspec_kw={"width_ratios": [1.1, 1.0]})
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.8, wspace=0.22)
        floor = max(1e-4, 0.1 * sweep.noise ** 2)
        train, val = np.maximum(sweep.train_mse, floor), sweep.val_mse
        ax.fill_between(degrees, train, val, where=val >= train, color=GAP, alpha=0.25, label="the gap")
        ax.plot(degrees, train, "o-", color=TRAIN, label="training error")
        ax.plot(degrees, val, "s-", color=VAL, label="validation error")
        ax.axhline(sweep.noise ** 2, color="0.4", linestyle="--", linewidth=1, label="the noise's variance")
        ax.axvline(sweep.best_degree, color="0.3", linestyle=":", linewidth=1.5)
        ax.text(sweep.best_degree, 1.02, f"best: {sweep.best_degree}", transform=ax.get_xaxis_transform(),
                ha="center", fontsize=9, color="0.3")
        ax.set_yscale("log")
        ax.set(xlabel="polynomial degree (capacity)", ylabel="mean squared error (log scale)")
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.legend(fontsize=8.5, loc="upper left")
        ax_fit.plot(sweep.x_grid, sweep.truth, color="0.3", linewidth=2, label="the true curve")
        ax_fit.plot(sweep.x_train, sweep.y_train, "o", color="black", markersize=5, label="training points", zorder=5)
        for k in shown:
            row = int(np.flatnonzero(degrees == k)[0])
            ax_fit.plot(sweep.x_grid, sweep.fits[row], linewidth=1.6, label=f"degree {k}")
        span = np.ptp(sweep.truth)
        ax_fit.set_ylim(sweep.truth.min() - 0.6 * span, sweep.truth.max() + 0.6 * span)
        ax_fit.set(xlabel="x", ylabel="y")
        ax_fit.legend(fontsize=8.5, loc="lower right", ncol=2)
        n = len(sweep.x_train)
        fig.suptitle(title or f"Capacity against error, {n} noisy training points: the training error falls to 0 at "
                              f"degree {n - 1},\nthe validation error falls, then climbs: a small degree underfits, "
                              f"a large one fits the noise", fontsize=11)
    return np.array([ax, ax_fit])


def draw_width_sweep(capacity: Mapping, title: str | None = None):
    """Training and validation accuracy of the one-hidden-layer MNIST MLP against its width (log scale), the gap
    shaded (``stored_regularization_results()["capacity"]``). Returns the Axes.

    Raises:
        TypeError: for capacity not a dict. ValueError: without its keys.
    """
    capacity = _check_section(capacity, "capacity", ("widths", "train_accuracy", "val_accuracy"))
    widths = np.asarray(capacity["widths"], dtype=float)
    train, val = np.asarray(capacity["train_accuracy"]), np.asarray(capacity["val_accuracy"])
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.0))
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.8)
        ax.fill_between(widths, val, train, color=GAP, alpha=0.25, label="the gap")
        ax.plot(widths, train, "o-", color=TRAIN, label="training (eval mode, after the last epoch)")
        ax.plot(widths, val, "s-", color=VAL, label="validation (500 images)")
        ax.set_xscale("log")
        ax.set_xticks(widths, [f"{int(w):,}" for w in widths])
        ax.xaxis.set_minor_locator(mpl.ticker.NullLocator())
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set(xlabel="hidden units (one hidden layer, log scale)", ylabel="accuracy")
        ax.legend(fontsize=9, loc="lower right")
        ax.set_title(title or f"MNIST-5k, {capacity.get('epochs', '')} epochs: wider nets memorise the training "
                              f"images\n(training accuracy → {train[-1]:.0%}), while validation accuracy levels off",
                     fontsize=11)
    return ax


def draw_diabetes(diabetes: Mapping, title: str | None = None):
    """Left: held-out R² on each of the 5 folds, the linear model beside the MLP trained to the end. Right: the
    MLP's training and held-out R² (means over the folds) against the number of full-batch steps, with the linear
    model's mean. ``diabetes``: ``stored_regularization_results()["diabetes"]``. Returns the two Axes.

    Raises:
        TypeError: for diabetes not a dict. ValueError: without its keys.
    """
    diabetes = _check_section(diabetes, "diabetes", ("linear", "mlp", "curve"))
    linear, mlp, curve = diabetes["linear"], diabetes["mlp"], diabetes["curve"]
    folds = np.arange(1, len(linear["r2_folds"]) + 1)
    with course_style():
        fig, (ax, ax_curve) = plt.subplots(1, 2, figsize=(10.0, 4.0))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.8, wspace=0.25)
        best = int(np.argmax(curve["val_r2"]))
        best_folds = np.array(curve["val_r2_folds"])[:, best] if "val_r2_folds" in curve else None
        bars = [("linear regression", linear["r2_folds"], TRAIN)]
        if best_folds is not None:
            bars.append((f"MLP at its best ({curve['steps'][best]} steps)", best_folds, GAP))
        bars.append((f"MLP after {mlp['steps']:,} steps", mlp["r2_folds"], VAL))
        width = 0.8 / len(bars)
        for i, (label, values, color) in enumerate(bars):
            ax.bar(folds + (i - (len(bars) - 1) / 2) * width, values, width, color=color,
                   label=f"{label}: mean {np.mean(values):.2f}")
        ax.axhline(0, color="0.2", linewidth=0.8)
        ax.set_xticks(folds)
        ax.set(xlabel="held-out fold", ylabel="R² on the held-out fold")
        ax.legend(fontsize=8.5, loc="lower left")
        steps = np.asarray(curve["steps"])
        ax_curve.plot(steps, curve["train_r2"], "o-", color=TRAIN, label="MLP, training R²")
        ax_curve.plot(steps, curve["val_r2"], "s-", color=VAL, label="MLP, held-out R²")
        ax_curve.axhline(linear["mean"], color="0.3", linestyle="--", label=f"linear, held-out: {linear['mean']:.2f}")
        ax_curve.set_xscale("log")
        ax_curve.set(xlabel="full-batch Adam steps (log scale)", ylabel="R² (mean over 5 folds)")
        ax_curve.legend(fontsize=8.5, loc="lower left")
        fig.suptitle(title or f"Diabetes ({diabetes.get('n', 442)} patients, {diabetes.get('features', 10)} "
                              f"features): the MLP never beats the straight line (best held-out R² "
                              f"{curve['val_r2'][best]:.2f} vs {linear['mean']:.2f})\nand overfits within a few "
                              f"hundred steps: training R² → 1 while held-out R² drops below 0", fontsize=11)
    return np.array([ax, ax_curve])


def _final_gap(runs: list, p: float, wd: float, width: int) -> tuple[float, float]:
    for run in runs:
        if np.isclose(run["dropout"], p) and np.isclose(run["weight_decay"], wd) and run["width"] == width:
            return run["val_loss"][-1] - run["train_loss"][-1], run["val_accuracy"][-1]
    raise ValueError(f"grid lacks the run dropout={p}, weight_decay={wd}, width={width}")


def _span(values) -> str:
    low, high = f"{np.min(values):.2f}", f"{np.max(values):.2f}"
    return low if low == high else f"{low}–{high}"


def draw_regularization_grid(grid: Mapping, title: str | None = None):
    """The generalization gap after the last epoch (validation loss − training loss) for each dropout p × weight
    decay λ, one heat map per width, each cell annotated with the gap and the validation accuracy.
    ``grid``: ``stored_regularization_results()["grid"]``. Returns the Axes (one per width).

    Raises:
        TypeError: for grid not a dict. ValueError: without its keys or with a run missing.
    """
    grid = _check_section(grid, "grid", ("dropout", "weight_decay", "width", "runs"))
    ps, wds, widths = grid["dropout"], grid["weight_decay"], grid["width"]
    gaps = np.array([[[_final_gap(grid["runs"], p, wd, w)[0] for wd in wds] for p in ps] for w in widths])
    accs = np.array([[[_final_gap(grid["runs"], p, wd, w)[1] for wd in wds] for p in ps] for w in widths])
    with course_style():
        fig, axes = plt.subplots(1, len(widths), figsize=(4.3 * len(widths) + 1.0, 3.9), squeeze=False)
        axes = axes[0]
        fig.subplots_adjust(left=0.09, right=0.9, bottom=0.15, top=0.76, wspace=0.3)
        vmax = float(gaps.max())
        for ax, w, gap, acc in zip(axes, widths, gaps, accs):
            image = ax.imshow(gap, cmap="Oranges", vmin=0, vmax=vmax, aspect="auto")
            ax.grid(False)
            for i in range(len(ps)):
                for j in range(len(wds)):
                    ax.text(j, i, f"{gap[i, j]:.2f}\n{acc[i, j]:.1%}", ha="center", va="center", fontsize=8.5,
                            color="white" if gap[i, j] > 0.6 * vmax else "0.1")
            ax.set_xticks(range(len(wds)), [f"{v:g}" for v in wds])
            ax.set_yticks(range(len(ps)), [f"{v:g}" for v in ps])
            ax.set(xlabel="weight decay λ", ylabel="dropout p", title=f"width {w}")
        bar = fig.colorbar(image, ax=list(axes), fraction=0.04, pad=0.03)
        bar.set_label("gap: val loss − train loss")
        first = gaps[:, 0, 0]  # no dropout, no weight decay, per width
        fig.suptitle(title or f"The generalization gap after {grid.get('epochs', '')} epochs (top number; below: "
                              f"validation accuracy)\nunregularized {_span(first)}; dropout or weight decay brings it "
                              f"down to {gaps.min():.2f}", fontsize=11)
    return axes


def draw_batch_norm_curves(batch_norm: Mapping, title: str | None = None):
    """Training loss (eval mode, after each epoch) of the deep MLP with and without BatchNorm1d, and chance level
    (ln 10). ``batch_norm``: ``stored_regularization_results()["batch_norm"]``. Returns the Axes.

    Raises:
        TypeError: for batch_norm not a dict. ValueError: without its keys.
    """
    batch_norm = _check_section(batch_norm, "batch_norm", ("plain", "batch_norm", "depth", "width"))
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.0))
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.8)
        for key, label, color, marker in (("plain", "without batch norm", VAL, "s-"),
                                          ("batch_norm", "with BatchNorm1d after each Linear", TRAIN, "o-")):
            loss = batch_norm[key]["train_loss"]
            ax.plot(np.arange(1, len(loss) + 1), loss, marker, color=color,
                    label=f"{label}: test accuracy {batch_norm[key]['test_accuracy']:.1%}")
        ax.axhline(np.log(10), color="0.4", linestyle="--", linewidth=1, label="chance: ln 10 ≈ 2.30")
        ax.set_ylim(0, 2.6)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)")
        ax.legend(fontsize=9, loc="center right")
        ax.set_title(title or f"{batch_norm['depth']} hidden layers of {batch_norm['width']}, SGD at lr "
                              f"{batch_norm.get('lr', '')}: without batch norm the loss never\nleaves chance; with "
                              f"BatchNorm1d after each Linear the same network trains", fontsize=11)
    return ax


def draw_double_descent(result: DoubleDescent, title: str | None = None):
    """Test and training error against the number of random ReLU features p (log-log), the interpolation point
    p = n marked, the first minimum and the last value labelled. Returns the Axes.

    Raises:
        TypeError: for result not a ``DoubleDescent``.
    """
    if not isinstance(result, DoubleDescent):
        raise TypeError(f"result must be the DoubleDescent that double_descent() returns, got {type(result).__name__}")
    p, n = result.n_features, result.n_train
    with course_style():
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.8)
        ax.plot(p, result.test_mse, "s-", color=VAL, markersize=4, label="test error")
        ax.plot(p, np.maximum(result.train_mse, 1e-6), "o-", color=TRAIN, markersize=3,
                label="training error (0 past p = n: an exact fit)")
        ax.axvline(n, color="0.3", linestyle=":", linewidth=1.5)
        ax.text(n * 1.08, 0.96, f"interpolation point\np = n = {n}", transform=ax.get_xaxis_transform(),
                ha="left", va="top", fontsize=9, color="0.3")
        ax.text(p.min() * 1.1, 0.96, "fewer features than points", transform=ax.get_xaxis_transform(),
                ha="left", va="top", fontsize=9, color="0.4")
        ax.axvspan(p.min(), n, color="0.9", zorder=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-2, None)
        under = p < n
        first = float(result.test_mse[under].min()) if under.any() else float("nan")
        ax.set(xlabel="number of random ReLU features p (log scale)", ylabel="mean squared error (log scale)")
        ax.legend(fontsize=9, loc="lower left")
        ax.set_title(title or f"Double descent: the test error peaks where p reaches n = {n} training points,\n"
                              f"then falls again (best below n: {first:.2f}; at p = {int(p[-1]):,}: "
                              f"{result.test_mse[-1]:.2f})", fontsize=11)
    return ax


def draw_augmentation(augmentation: Mapping, title: str | None = None):
    """Left: validation loss per epoch (first seed) with and without shifted images. Right: test accuracy of each
    seed, and the means. ``augmentation``: ``stored_regularization_results()["augmentation"]``. Returns the two Axes.

    Raises:
        TypeError: for augmentation not a dict. ValueError: without its keys.
    """
    augmentation = _check_section(augmentation, "augmentation", ("plain", "shifted", "max_shift"))
    labels = {"plain": "the images as they are", "shifted": f"shifted up to {augmentation['max_shift']} px"}
    colors = {"plain": VAL, "shifted": TRAIN}
    with course_style():
        fig, (ax, ax_acc) = plt.subplots(1, 2, figsize=(10.0, 4.0), gridspec_kw={"width_ratios": [1.5, 1.0]})
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.8, wspace=0.3)
        for i, key in enumerate(("plain", "shifted")):
            part = augmentation[key]
            if "val_loss" in part:
                ax.plot(np.arange(1, len(part["val_loss"]) + 1), part["val_loss"], "o-", markersize=3,
                        color=colors[key], label=labels[key])
            acc = np.asarray(part["test_accuracy"])
            ax_acc.plot(np.full(acc.shape, i), acc, "o", color=colors[key], markersize=7, alpha=0.7)
            ax_acc.plot([i - 0.25, i + 0.25], [acc.mean()] * 2, color=colors[key], linewidth=2.5)
            ax_acc.text(i + 0.28, acc.mean(), f"{acc.mean():.1%}", va="center", fontsize=9)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel="validation loss (cross-entropy)")
        ax.legend(fontsize=9)
        ax_acc.set_xticks([0, 1], ["plain", "shifted"])
        ax_acc.set_xlim(-0.6, 1.8)
        ax_acc.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=1))
        ax_acc.set(xlabel="training images", ylabel="test accuracy (1,000 images)")
        gain = np.mean(augmentation["shifted"]["test_accuracy"]) - np.mean(augmentation["plain"]["test_accuracy"])
        fig.suptitle(title or f"Data augmentation: fresh random shifts each epoch keep the validation loss from "
                              f"climbing\n(the model cannot memorise the exact pixels); test accuracy "
                              f"{gain:+.1%} on average ({len(augmentation['shifted']['test_accuracy'])} runs each)",
                     fontsize=11)
    return np.array([ax, ax_acc])
