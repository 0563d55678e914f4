"""Training on 8×8 digits with different optimizer settings, as static figures (Chapter 05).

Every ``draw_*`` takes results computed by ``utils.optimizer_experiments`` or ``utils.lr_finder`` and returns
its Axes (an array when there are several panels); ``title`` says what to notice (a default is given).

- ``draw_optimizer_comparison(runs)``: training loss (log scale) and test accuracy by epoch, one line per optimizer;
- ``draw_gradient_noise(noise)``: the spread of minibatch gradients against the batch size (log-log), with the
  sampling formula and its 1/√B slope;
- ``draw_batch_size_cost(runs)``: full batch, minibatch and one example per step, by examples processed (the cost)
  and by optimizer steps;
- ``draw_linear_scaling(result)``: final loss against batch size, lr scaled with the batch or fixed;
- ``draw_adam_eps(result)``: Adam's loss curves for several ``eps``, with the SGD-with-momentum run it tends to;
- ``draw_lr_range_test(result)``: the LR range test's losses against the learning rate, the suggestion marked.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from ..lr_finder import RangeTest
from ..optimizer_experiments import AdamEpsRuns, GradientNoise, LinearScaling, TrainingCurves
from ..plotting import course_style, plain_log_labels, power_of_ten

__all__ = ["draw_adam_eps", "draw_batch_size_cost", "draw_gradient_noise", "draw_linear_scaling",
           "draw_lr_range_test", "draw_optimizer_comparison"]

_STYLES = ["o-", "s-", "^-", "D-", "v-", "P-", "X-", "*-"]


def _check_runs(runs) -> dict:
    if not isinstance(runs, Mapping) or not runs or not all(isinstance(r, TrainingCurves) for r in runs.values()):
        raise TypeError(f"runs must be a non-empty dict {{label: TrainingCurves}} (e.g. compare_optimizers()), got "
                        f"{type(runs).__name__}")
    return dict(runs)


def _check(result, kind: type, made_by: str):
    if not isinstance(result, kind):
        raise TypeError(f"expected the {kind.__name__} that {made_by} returns, got {type(result).__name__}")
    return result


def _log_y(ax, label: str) -> None:
    ax.set_yscale("log")
    plain_log_labels(ax)
    ax.set_ylabel(label)


def _plain_log_ticks(ax) -> None:
    """Label a log y-axis with a few plain numbers (0.05, 0.1, 0.2, …) inside its current limits (a range within
    one decade would otherwise get no label at all); the limits stay as they are."""
    low, high = ax.get_ylim()
    ticks = [t for t in (0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10) if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_ylim(low, high)


def draw_optimizer_comparison(runs: Mapping[str, TrainingCurves], title: str | None = None):
    """Two panels: the training loss (log scale) and the test accuracy after each epoch, one line per run.

    Returns the two Axes.
    """
    runs = _check_runs(runs)
    with course_style():
        fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2))
        fig.subplots_adjust(left=0.07, right=0.72, top=0.8, bottom=0.13, wspace=0.3)
        for style, (label, run) in zip(_STYLES * 2, runs.items()):
            epochs = np.arange(run.epochs + 1)
            axes[0].plot(epochs, run.train_loss, style, label=label, markersize=4, linewidth=1.5)
            axes[1].plot(epochs[1:], 100 * run.test_accuracy[1:], style, label=label, markersize=4, linewidth=1.5)
        _log_y(axes[0], "loss on the training images (log scale)")
        _plain_log_ticks(axes[0])
        axes[1].set_ylabel("accuracy on the test images (%)")
        low = min(np.nanmin(r.test_accuracy[1:]) for r in runs.values())
        axes[1].set_ylim(max(100 * low - 1, 0), 100)
        for ax in axes:
            ax.set_xlabel("epoch (0: the initial weights)" if ax is axes[0] else "epoch")
        axes[0].set_title("training loss")
        axes[1].set_title("test accuracy")
        axes[1].legend(loc="center left", bbox_to_anchor=(1.03, 0.5), fontsize=8.5)
        first = next(iter(runs.values()))
        notice = title or "Same start, same minibatches: each optimizer with a learning rate that suits it"
        fig.suptitle(f"{notice}\n{first.n_train} training images, batch size {first.batch_size}, "
                     f"{first.updates_per_epoch} steps per epoch", fontsize=10.5)
    return axes


def draw_gradient_noise(noise: GradientNoise, title: str | None = None):
    """The relative distance ‖g_B − g‖ / ‖g‖ of a minibatch gradient from the full gradient against the batch
    size B (log-log): measured (markers), the sampling formula (line) and a 1/√B reference. Returns the Axes.
    """
    noise = _check(noise, GradientNoise, "gradient_noise()")
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        fig.subplots_adjust(left=0.12, right=0.97, top=0.83, bottom=0.13)
        sizes = noise.batch_sizes
        grid = np.geomspace(sizes.min(), sizes.max(), 100)
        ax.plot(sizes, noise.relative_error, "o", markersize=7, label=f"measured: RMS over {noise.draws} minibatches")
        predicted = np.interp(np.log(grid), np.log(sizes), np.log(noise.predicted))
        ax.plot(grid, np.exp(predicted), "-", linewidth=1.5,
                label="predicted from the per-example spread (sampling without replacement)")
        ax.plot(grid, noise.predicted[0] / np.sqrt(grid / sizes[0]), "--", color="0.45", linewidth=1.2,
                label="1/√B: 4× the batch, half the noise")
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(b) for b in sizes])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        _log_y(ax, "‖minibatch gradient − full gradient‖ / ‖full gradient‖")
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel(f"batch size B (of N = {noise.n_train} training images)")
        ax.legend(fontsize=8.5, loc="lower left")
        notice = title or "The noise of a minibatch gradient falls as 1/√B"
        ax.set_title(f"{notice}\nat the initial weights; above 1, the noise is larger than the gradient itself",
                     fontsize=10.5)
    return ax


def draw_batch_size_cost(runs: Mapping[int, TrainingCurves], title: str | None = None):
    """Two panels of the training loss: against the examples processed (in epochs: the cost in gradient
    computations) and against the optimizer steps (log scale). Lines: the minibatch losses averaged over
    windows of ~N/20 examples; markers: the loss on the whole training split after each epoch. Returns the Axes.
    """
    runs = _check_runs(runs)
    with course_style():
        fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2))
        fig.subplots_adjust(left=0.07, right=0.98, top=0.8, bottom=0.13, wspace=0.25)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for color, run in zip(colors, runs.values()):
            window = max(1, round(run.n_train / 20 / run.batch_size))
            losses = run.batch_loss[:len(run.batch_loss) // window * window].reshape(-1, window).mean(axis=1)
            # batch_loss[k] is measured after k steps: a window's mean sits at the middle of its steps
            steps = np.arange(len(losses)) * window + (window - 1) / 2
            dots = 4 if run.epochs > 10 else 7
            for ax, x_line, x_epochs in ((axes[0], steps * run.batch_size / run.n_train, np.arange(run.epochs + 1)),
                                         (axes[1], np.maximum(steps, 0.8), np.maximum(run.updates, 0.8))):
                ax.plot(x_line, losses, "-", color=color, linewidth=1.2, alpha=0.8)
                ax.plot(x_epochs, run.train_loss, "o", color=color, markersize=dots, label=run.label)
        for ax in axes:
            _log_y(ax, "training loss (log scale)")
            _plain_log_ticks(ax)
        axes[0].set_xlabel("epochs = examples processed / N (the cost)")
        minibatch = [r.epochs for r in runs.values() if r.batch_size < r.n_train]
        axes[0].set_xlim(0, max(minibatch) if minibatch else max(r.epochs for r in runs.values()))
        axes[1].set_xscale("log")
        axes[1].set_xlabel("optimizer steps (log scale; step 0 drawn at 0.8)")
        axes[0].set_title("per example processed: small batches go furthest")
        axes[1].set_title("per step: the full batch goes furthest")
        axes[1].legend(fontsize=8.5, loc="lower left")
        notice = title or "Full batch, minibatch, one example per step: the same SGD, different bargains"
        fig.suptitle(f"{notice}\nlines: minibatch losses averaged over ~N/20 examples; dots: the loss on all "
                     f"{next(iter(runs.values())).n_train} training images after each epoch", fontsize=10.5)
    return axes


def draw_linear_scaling(result: LinearScaling, title: str | None = None):
    """The training loss after the last epoch against the batch size: lr ∝ batch size, and one fixed lr.
    Returns the Axes.
    """
    result = _check(result, LinearScaling, "linear_scaling()")
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        fig.subplots_adjust(left=0.12, right=0.97, top=0.8, bottom=0.13)
        sizes = result.batch_sizes
        epochs = next(iter(result.scaled.values())).epochs
        ax.plot(sizes, result.final_scaled, "o-", markersize=7, linewidth=1.8,
                label=f"lr = {result.base_lr:g} × B / {result.base_batch_size} (scaled with B)")
        ax.plot(sizes, result.final_fixed, "s--", markersize=7, linewidth=1.8,
                label=f"lr = {result.base_lr:g} for every B")
        for size, lr, loss in zip(sizes, result.scaled_lr, result.final_scaled):
            ax.annotate(f"lr {lr:g}", (size, loss), textcoords="offset points", xytext=(0, -16), ha="center",
                        fontsize=8.5)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(b) for b in sizes])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_ylim(0, 1.1 * max(result.final_fixed.max(), result.final_scaled.max()))
        ax.set_xlabel("batch size B")
        ax.set_ylabel(f"training loss after {epochs} epochs")
        ax.legend(fontsize=8.5, loc="upper left")
        notice = title or "Scale the learning rate with the batch size, and the loss per epoch stays the same"
        ax.set_title(f"{notice}\nplain SGD, {epochs} epochs each: a larger batch takes fewer, larger steps",
                     fontsize=10.5)
    return ax


def draw_adam_eps(result: AdamEpsRuns, title: str | None = None):
    """Adam's training loss by epoch for each ``eps``, and (dashed) the SGD with momentum that Adam with the
    largest eps tends to. Returns the Axes.
    """
    result = _check(result, AdamEpsRuns, "adam_eps_runs()")
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        fig.subplots_adjust(left=0.12, right=0.97, top=0.8, bottom=0.13)
        for style, (eps, run) in zip(_STYLES, result.runs.items()):
            ax.plot(np.arange(run.epochs + 1), run.train_loss, style, markersize=5, linewidth=1.6,
                    label=f"Adam, eps = {eps:g}")
        twin = result.twin
        ax.plot(np.arange(twin.epochs + 1), twin.train_loss, "--", color="k", linewidth=2.2, zorder=3,
                label=f"{twin.label}\n(on top of eps = {max(result.runs):g})")
        _log_y(ax, "training loss (log scale)")
        _plain_log_ticks(ax)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8.5, loc="lower left")
        notice = title or "A large eps turns Adam into SGD with momentum and a small step"
        ax.set_title(f"{notice}\nAdam's step lr · m̂ / (√v̂ + eps), lr = {result.lr:g}: once eps ≫ √v̂, it is "
                     f"(lr / eps) · m̂", fontsize=10.5)
    return ax


def draw_lr_range_test(result: RangeTest, title: str | None = None):
    """The range test's minibatch losses (faint) and their smoothed curve against the learning rate (log scale),
    with the suggested lr (steepest descent) and the lr of the lowest smoothed loss marked. Returns the Axes.
    """
    result = _check(result, RangeTest, "lr_range_test()")
    with course_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.13)
        ax.plot(result.lrs, result.losses, "-", color="0.7", linewidth=0.8, label="minibatch loss")
        ax.plot(result.lrs, result.smoothed, "-", linewidth=2, label="smoothed (moving average)")
        if np.isfinite(result.suggested_lr):
            i = result.suggestion_index
            ax.axvline(result.suggested_lr, color="C1", linestyle="--", linewidth=1.2)
            ax.plot(result.lrs[i], result.smoothed[i], "o", color="C1", markersize=9,
                    label=f"suggested: lr {result.suggested_lr:.2g} (steepest descent)")
        lowest = int(np.argmin(np.where(np.isfinite(result.smoothed), result.smoothed, np.inf)))
        ax.plot(result.lrs[lowest], result.smoothed[lowest], "s", color="C2", markersize=8,
                label=f"lowest smoothed loss: lr {result.lr_at_minimum:.2g}")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(power_of_ten))
        ax.xaxis.set_minor_locator(plt.NullLocator())
        top = min(np.nanmax(result.smoothed), 3 * result.smoothed[0]) if len(result.smoothed) else 1.0
        ax.set_ylim(0, 1.15 * max(top, np.nanmax(result.smoothed[:lowest + 1])))
        ax.set_xlabel("learning rate (log scale), raised at every step")
        ax.set_ylabel("loss")
        ax.legend(fontsize=8.5, loc="lower left")
        ended = "stopped: the loss exploded" if result.stopped_early else "ran to lr_max"
        notice = title or "Pick the learning rate where the loss falls fastest, well before it explodes"
        ax.set_title(f"{notice}\n{len(result.lrs)} steps, one per learning rate; {ended}", fontsize=10.5)
    return ax
