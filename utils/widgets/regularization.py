"""Chapter 07's regularization explorer: dropout p, weight decay λ, width and epochs -> the MNIST MLP's training and
validation curves, the generalization gap annotated.

Nothing is trained here: every curve is a run of the grid that ``benchmarks/measure_regularization_chapter.py``
trained and stored (``utils.regularization_experiments.stored_regularization_results()["grid"]``: dropout
p ∈ {0, 0.2, 0.5} × weight decay λ ∈ {0, 1e-4, 1e-3, 1e-2} × width ∈ {64, 256}, 20 epochs of Adam on MNIST-5k), so
a slider step only reads the grid and redraws. As in ``utils/widgets/activations.py``, three parts:

- the **data its figure shows**, ``regularization_curves``: one stored run up to the chosen epoch;
- a **static drawing function**, ``draw_regularization_explorer``, for a state (the default one before the widget);
- the **widget**, ``regularization_explorer``, an ``Explorer`` (``utils/widgets/base.py``) with ``.controls``,
  ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.regularization import draw_regularization_explorer, regularization_explorer
    draw_regularization_explorer(); plt.show()   # static figure of the default state (no regularization)
    regularization_explorer()                    # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .. import regularization_experiments as experiments
from ..module import check_positive_int
from ..plotting import course_style, fixed_labels, new_figure
from .base import Explorer

__all__ = ["DEFAULTS", "REGULARIZATION_FIGSIZE", "draw_regularization_explorer", "regularization_curves",
           "regularization_explorer"]

REGULARIZATION_FIGSIZE = (9.0, 4.2)  # loss on the left, accuracy on the right
TRAIN_COLOR, VAL_COLOR, GAP_COLOR = "#0072B2", "#D55E00", "#E69F00"

DEFAULTS = {"dropout": 0.0, "weight_decay": 0.0, "width": 256, "epochs": 20}
"""The explorer's starting values: the unregularized network, every epoch."""


def _wd(value: float) -> str:
    return "0" if value == 0 else f"{value:g}"


def regularization_curves(dropout: float = 0.0, weight_decay: float = 0.0, width: int = 256, epochs: int = 20,
                          results: dict | None = None) -> dict:
    """The stored run of the grid with this dropout p, weight decay λ and width, up to epoch ``epochs``.

    ``results``: ``stored_regularization_results()`` (None reads it). Epochs count from 1.

    Shapes: -> a dict with ``"epoch"`` (E,) = 1 … epochs, ``"train_loss"``, ``"val_loss"``, ``"train_accuracy"``,
    ``"val_accuracy"`` (E,) up to the chosen epoch; ``"full"`` (the whole run's four lists as arrays (20,)),
    ``"gap"`` (val − train loss at the chosen epoch), ``"accuracy_gap"`` (train − val accuracy), ``"best_epoch"``
    (the lowest validation loss of the whole run), ``"dropout"``, ``"weight_decay"``, ``"width"``, ``"epochs"``,
    ``"total_epochs"``, ``"title"``.

    Raises:
        ValueError: for a value not in the grid, or epochs not an integer in 1 … the grid's epochs.
    """
    results = experiments.stored_regularization_results() if results is None else results
    run = experiments.grid_run(results, dropout, weight_decay, width)
    total = len(run["val_loss"])
    epochs = check_positive_int(epochs, "epochs")
    if epochs > total:
        raise ValueError(f"epochs must be an integer from 1 to {total} (the grid's runs), got {epochs}")
    full = {key: np.asarray(run[key], dtype=float) for key in ("train_loss", "val_loss", "train_accuracy",
                                                               "val_accuracy")}
    e = epochs - 1
    gap = float(full["val_loss"][e] - full["train_loss"][e])
    accuracy_gap = float(full["train_accuracy"][e] - full["val_accuracy"][e])
    best = int(np.argmin(full["val_loss"])) + 1
    setting = f"dropout p = {dropout:g}, weight decay λ = {_wd(weight_decay)}, width {width}"
    if best < epochs:
        notice = (f"the validation loss was lowest at epoch {best}, then climbed: overfitting (early stopping "
                  f"keeps epoch {best})")
    elif best == epochs:
        notice = "the validation loss is at its lowest of the whole run here"
    else:
        notice = f"the validation loss is still falling: its lowest comes at epoch {best}"
    title = (f"{setting}, epoch {epochs}: gap {gap:.3f} in loss, {accuracy_gap:.1%} in accuracy\n{notice}")
    return {"epoch": np.arange(1, epochs + 1), **{key: values[:epochs] for key, values in full.items()},
            "full": full, "gap": gap, "accuracy_gap": accuracy_gap, "best_epoch": best, "dropout": dropout,
            "weight_decay": weight_decay, "width": width, "epochs": epochs, "total_epochs": total, "title": title}


def _loss_top(results: dict) -> float:
    """A loss axis that holds every run of the grid (fixed: moving a slider never rescales it)."""
    top = max(max(max(run["train_loss"]), max(run["val_loss"])) for run in results["grid"]["runs"])
    return float(np.ceil(top * 5) / 5)


def _accuracy_bottom(results: dict) -> float:
    low = min(min(min(run["train_accuracy"]), min(run["val_accuracy"])) for run in results["grid"]["runs"])
    return float(np.floor(low * 20) / 20)


class _RegularizationFigure:
    """The artists of the explorer's figure on ``(ax_loss, ax_acc)``, made once; ``update`` changes their data."""

    def __init__(self, ax_loss, ax_acc, total_epochs: int, loss_top: float, accuracy_bottom: float):
        self.axes = (ax_loss, ax_acc)
        self.ghosts, self.curves = [], []
        for ax in self.axes:
            for color, marker, label in ((TRAIN_COLOR, "o", "training (eval mode)"),
                                         (VAL_COLOR, "s", "validation")):
                self.ghosts.append(ax.plot([], [], color=color, alpha=0.2, linewidth=1.2)[0])
                self.curves.append(ax.plot([], [], f"{marker}-", color=color, markersize=3.5, linewidth=2,
                                           label=label)[0])
            ax.set_xlim(0.5, total_epochs + 0.5)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
        ax_loss.set_ylim(0, loss_top)
        ax_acc.set_ylim(accuracy_bottom, 1.005)
        ax_acc.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax_loss.set_ylabel("loss (cross-entropy)")
        ax_acc.set_ylabel("accuracy")
        ax_acc.legend(loc="lower right", fontsize=8.5)  # clear of the "lowest val loss" label on the loss panel
        self.gap_lines = [ax.plot([], [], color=GAP_COLOR, linewidth=3, solid_capstyle="butt")[0] for ax in self.axes]
        self.gap_texts = [ax.text(0, 0, "", fontsize=9, color="0.15", ha="right", va="center",
                                  bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})
                          for ax in self.axes]
        self.best_line = ax_loss.axvline(1, color="0.35", linestyle=":", linewidth=1.3)
        self.best_text = ax_loss.text(1, 0.96, "", transform=ax_loss.get_xaxis_transform(), fontsize=8.5,
                                      color="0.3", ha="left", va="top")
        fixed_labels(ax_loss)
        fixed_labels(ax_acc)
        self.title = ax_loss.figure.suptitle("", fontsize=11, y=0.98)

    def update(self, state: dict) -> None:
        full, x_full, x = state["full"], np.arange(1, state["total_epochs"] + 1), state["epoch"]
        pairs = (("train_loss", "val_loss"), ("train_accuracy", "val_accuracy"))
        for k, (train_key, val_key) in enumerate(pairs):
            self.ghosts[2 * k].set_data(x_full, full[train_key])
            self.ghosts[2 * k + 1].set_data(x_full, full[val_key])
            self.curves[2 * k].set_data(x, state[train_key])
            self.curves[2 * k + 1].set_data(x, state[val_key])
            e = state["epochs"]
            low, high = sorted((state[train_key][-1], state[val_key][-1]))
            self.gap_lines[k].set_data([e, e], [low, high])
            self.gap_texts[k].set_position((e - 0.4, (low + high) / 2))
            self.gap_texts[k].set_text(f"gap {state['gap']:.2f}" if k == 0 else f"gap {state['accuracy_gap']:.1%}")
        best = state["best_epoch"]
        self.best_line.set_xdata([best, best])
        right = best > 0.7 * state["total_epochs"]
        self.best_text.set_x(best - 0.2 if right else best + 0.2)
        self.best_text.set_horizontalalignment("right" if right else "left")
        self.best_text.set_text("lowest val loss")
        self.title.set_text(state["title"])

    def changing(self) -> list:
        return [*self.ghosts, *self.curves, *self.gap_lines, *self.gap_texts, self.best_line, self.best_text,
                self.title]


def _new_axes(pyplot: bool):
    import matplotlib.pyplot as plt

    if pyplot:
        fig = plt.figure(figsize=REGULARIZATION_FIGSIZE)
    else:
        fig, _ = new_figure(REGULARIZATION_FIGSIZE)
        fig.clear()
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.8, wspace=0.22)
    return fig, axes


def draw_regularization_explorer(dropout: float = 0.0, weight_decay: float = 0.0, width: int = 256, epochs: int = 20,
                                 results: dict | None = None):
    """Draw a stored run as the explorer shows it: loss (left) and accuracy (right) by epoch, training and
    validation, up to ``epochs`` (the rest of the run faint), the gap at that epoch marked. Arguments as
    ``regularization_curves``. Returns ``(ax_loss, ax_accuracy)``.
    """
    results = experiments.stored_regularization_results() if results is None else results
    state = regularization_curves(dropout, weight_decay, width, epochs, results)
    with course_style():
        _, (ax_loss, ax_acc) = _new_axes(pyplot=True)
        _RegularizationFigure(ax_loss, ax_acc, state["total_epochs"], _loss_top(results),
                              _accuracy_bottom(results)).update(state)
    return ax_loss, ax_acc


def regularization_explorer(dropout: float = 0.0, weight_decay: float = 0.0, width: int = 256, epochs: int = 20,
                            results: dict | None = None) -> Explorer:
    """The regularization explorer: pick dropout p, weight decay λ, the width and how many epochs to show; see the
    stored run's training and validation loss and accuracy, and the generalization gap.

    Controls (``.controls``): ``"dropout"`` and ``"weight_decay"`` (SelectionSliders over the grid's values),
    ``"width"`` (ToggleButtons), ``"epochs"`` (IntSlider 1 … 20). State (``.state``): ``regularization_curves``'s
    dict. Instant: it reads the stored grid (~20–30 ms a redraw).

    Raises:
        ValueError: for a starting value not in the grid.
    """
    results = experiments.stored_regularization_results() if results is None else results
    regularization_curves(dropout, weight_decay, width, epochs, results)  # the starting values must be valid
    grid = results["grid"]
    wide = {"description_width": "110px"}
    controls = {
        "dropout": widgets.SelectionSlider(options=[(f"{p:g}", p) for p in grid["dropout"]], value=dropout,
                                           description="dropout p", style=wide,
                                           layout=widgets.Layout(width="330px")),
        "weight_decay": widgets.SelectionSlider(options=[(_wd(v), v) for v in grid["weight_decay"]],
                                                value=weight_decay, description="weight decay λ", style=wide,
                                                layout=widgets.Layout(width="330px")),
        "width": widgets.ToggleButtons(options=[(f"width {w}", w) for w in grid["width"]], value=width,
                                       description="hidden layers", style={**wide, "button_width": "90px"}),
        "epochs": widgets.IntSlider(value=epochs, min=1, max=len(grid["runs"][0]["val_loss"]), step=1,
                                    description="epochs shown", style=wide, layout=widgets.Layout(width="330px")),
    }
    with course_style():
        fig, (ax_loss, ax_acc) = _new_axes(pyplot=False)
        artists = _RegularizationFigure(ax_loss, ax_acc, len(grid["runs"][0]["val_loss"]), _loss_top(results),
                                        _accuracy_bottom(results))

    def compute() -> dict:
        return regularization_curves(controls["dropout"].value, controls["weight_decay"].value,
                                     controls["width"].value, controls["epochs"].value, results)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return "fixed", artists.changing()  # the axes never change: every redraw blits

    rows = [widgets.HBox([controls["dropout"], controls["weight_decay"]]),
            widgets.HBox([controls["epochs"], controls["width"]])]
    return Explorer(controls, rows, fig, compute, draw)
