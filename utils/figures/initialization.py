"""What each initialization scheme does to a deep stack's activations, as static figures (Chapter 02).

- ``draw_std_per_layer``: the std of each layer's activations, one line per scheme, one panel per activation;
  a layer where most units are saturated (tanh, sigmoid) is ringed: its std looks fine, its units are stuck;
- ``draw_activation_histograms``: one row per scheme, each layer's histogram side by side, with the fate of
  the signal (vanishes, explodes, ...) next to the row.

The numbers come from ``utils.layer_statistics.init_statistics``; the initialization explorer
(``utils.widgets.forward_pass.init_explorer``) shows one setting at a time and shares the labels and
formats defined here (``ACTIVATION_LABELS``, ``format_std``, ``STD_LIMITS``).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .. import init
from ..layer_statistics import HIST_RANGE, MAX_DEPTH, N_SAMPLES, InitStatistics, init_statistics
from ..plotting import course_style, plain_log_labels

__all__ = ["ACTIVATION_LABELS", "FATE_LABELS", "SATURATED_LABEL", "SATURATED_SHARE", "STD_LIMITS",
           "draw_activation_histograms", "draw_std_per_layer", "format_std"]

ACTIVATION_LABELS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid", "identity": "identity (linear)",
                     "leaky_relu": "Leaky ReLU", "step": "step"}
"""Chapter 02's activations as its figures and menus name them."""

FATE_LABELS = {"constant": "constant", "saturates": "saturates", "vanishes": "vanishes", "explodes": "explodes",
               "survives": "survives"}
"""A scheme's fate as the short label next to its row of histograms ("constant" becomes "all exactly 0", …)."""

STD_LIMITS = (1e-12, 1e12)
"""The range a log axis of stds shows: an std of exactly 0 is drawn at the bottom."""

SATURATED_SHARE = 0.5
"""A layer is drawn as saturated when more than this share of its units sit at |a| > 0.99 of the bound."""

SATURATED_LABEL = "ringed: most units\nsaturated (|a| > 0.99)"


def format_std(s: float) -> str:
    """An std for a panel's title: 0, 0.31, 2.4e-05."""
    return "0" if s == 0 else f"{s:.2g}" if 1e-2 <= s < 1e3 else f"{s:.1e}"


def _fate_label(stats: InitStatistics) -> str:
    fate = stats.fate
    return f"all exactly {stats.mean[-1]:.2g}" if fate == "constant" else FATE_LABELS[fate]


def draw_std_per_layer(schemes=("small_normal", "normal", "xavier_uniform", "kaiming_normal"),
                       activations=("tanh", "relu"), depth: int = MAX_DEPTH, width: int = 256,
                       title: str | None = None):
    """One panel per activation: the std of each layer's activations, one line per scheme. Returns the axes.

    ``title``: what to notice (default: a question); the figure's second title line says what is drawn. A layer
    where more than ``SATURATED_SHARE`` of the units are saturated is ringed (``SATURATED_LABEL``): with tanh
    an std near 1 can mean every unit stuck at ±1, not a healthy signal.
    Fixed margins (no layout engine): a layout engine would measure every label again at each draw.
    """
    panel_w, panel_h, left, gap, right, top, bottom = 3.3, 2.5, 0.85, 0.25, 2.0, 0.8, 0.55  # inches
    fig_w = left + len(activations) * panel_w + (len(activations) - 1) * gap + right
    fig_h = top + panel_h + bottom
    with course_style():
        fig, axes = plt.subplots(1, len(activations), figsize=(fig_w, fig_h), sharey=True, squeeze=False)
        fig.subplots_adjust(left=left / fig_w, right=1 - right / fig_w, top=1 - top / fig_h, bottom=bottom / fig_h,
                            wspace=gap / panel_w)
        styles = ["o-", "s-", "^-", "D-", "v-", "P-", "X-", "*-"]
        for ax, activation in zip(axes[0], activations):
            for style, scheme in zip(styles, schemes):
                stats = init_statistics(scheme, activation, depth, width)
                layers, std = np.arange(1, depth + 1), np.maximum(stats.std, STD_LIMITS[0])
                ax.plot(layers, std, style, label=init.LABELS[scheme], markersize=4, linewidth=1.6)
                saturated = stats.saturated > SATURATED_SHARE
                if saturated.any():
                    ax.plot(layers[saturated], std[saturated], "o", markersize=10, markerfacecolor="none",
                            markeredgecolor="0.1", markeredgewidth=1.3, label=SATURATED_LABEL, zorder=3)
            ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1, label="the input's std, 1")
            ax.set(yscale="log", xlabel="layer", title=f"{ACTIVATION_LABELS[activation]} hidden layers")
            plain_log_labels(ax)
            ax.set_xticks(np.arange(1, depth + 1))
        axes[0, 0].set_ylabel("std of the activations (log scale)")
        handles = {}  # one legend for every panel: the ringed layers may be in any of them
        for ax in axes[0]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        ringed = handles.pop(SATURATED_LABEL, None)
        if ringed is not None:
            handles[SATURATED_LABEL] = ringed  # last, below the schemes and the reference line
        axes[0, -1].legend(handles.values(), handles.keys(), loc="center left", bbox_to_anchor=(1.03, 0.5),
                           fontsize=8.5)
        notice = title or "Which scheme keeps the signal's scale?"
        fig.suptitle(f"{notice}\n{depth} layers of width {width}, {N_SAMPLES} random inputs of std 1",
                     fontsize=10.5, y=1 - 0.08 / fig_h, va="top")
    return axes[0]


def draw_activation_histograms(schemes=("small_normal", "xavier_uniform", "normal"), activation: str = "tanh",
                               depth: int = MAX_DEPTH, width: int = 256, title: str | None = None):
    """One row per scheme, the histograms of layers 1..depth side by side in it; returns the rows' Axes.

    Each row is a single Axes (one per scheme, not one per histogram: ten times fewer to lay out and draw):
    layer ``l``'s histogram fills the slot ``[l - 1, l]`` of the x-axis, its own x-range
    ``HIST_RANGE[activation]`` mapped into the slot (tick labels on the first slot), tallest bar = 1. Next to
    each row, the scheme and what happens to its signal (``FATE_LABELS``); above each slot, the layer's std.
    ``title``: what to notice (default: what is drawn only).
    """
    lo, hi = HIST_RANGE[activation]
    row_h, top, bottom, left, right = 1.08, 0.82, 0.3, 1.3, 0.12  # inches
    fig_w, fig_h = 0.8 * depth + left + right, row_h * len(schemes) + top + bottom
    pad = 0.07  # empty part of a slot on each side

    def to_slot(col, values):
        return col + pad + (1 - 2 * pad) * (np.asarray(values) - lo) / (hi - lo)

    def fmt(v):
        return f"{v:g}".replace("-", "−")

    with course_style():
        color = mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
        fig = plt.figure(figsize=(fig_w, fig_h))
        axes = []
        for row, scheme in enumerate(schemes):
            stats = init_statistics(scheme, activation, depth, width)
            y0 = fig_h - top - (row + 1) * row_h + 0.3  # axes bottom, inches; 0.3 in for the ticks and gap
            ax = fig.add_axes((left / fig_w, y0 / fig_h, (fig_w - left - right) / fig_w, (row_h - 0.55) / fig_h))
            values, edges = [], []  # all the row's histograms as one stairs: zero-height steps between them
            for col in range(depth):
                counts = stats.counts[col]
                values += [counts / counts.max() if counts.max() > 0 else counts, [0.0]]
                edges.append(to_slot(col, stats.edges))
                ax.text(col + 0.5, 1.06, f"std {format_std(stats.std[col])}", ha="center", va="bottom", fontsize=7.5,
                        transform=ax.get_xaxis_transform())
                if row == 0:
                    ax.text(col + 0.5, 1.42, f"layer {col + 1}", ha="center", va="bottom", fontsize=8.5,
                            fontweight="bold", transform=ax.get_xaxis_transform())
            ax.stairs(np.concatenate(values[:-1]), np.concatenate(edges), fill=True, color=color, alpha=0.85)
            slots = np.arange(depth)
            ax.hlines(np.zeros(depth), to_slot(slots, lo), to_slot(slots, hi), color="0.35", linewidth=1.0)  # baselines
            marks = np.concatenate([to_slot(slots, v) for v in (lo, (lo + hi) / 2, hi)])
            ax.vlines(marks, -0.08, 0.0, color="0.35", linewidth=0.8, clip_on=False)  # tick marks of every slot
            ax.set_xlim(0, depth)
            ax.set_ylim(-0.02, 1.02)
            ax.set_yticks([])
            ax.grid(False)
            for side in ("left", "bottom"):
                ax.spines[side].set_visible(False)
            ax.set_xticks(to_slot(0, [lo, (lo + hi) / 2, hi]), [fmt(lo), fmt((lo + hi) / 2), fmt(hi)])  # first slot
            ax.tick_params(axis="x", labelsize=7, pad=3, length=0)
            ax.set_ylabel(f"{init.LABELS[scheme]}\n{_fate_label(stats)}", rotation=0,
                          ha="right", va="center", fontsize=9, labelpad=8)
            axes.append(ax)
        described = (f"{ACTIVATION_LABELS[activation]} activations after each layer (width {width}, {N_SAMPLES} "
                     f"inputs; each histogram spans {fmt(lo)} to {fmt(hi)}, tallest bar = 1)")
        fig.suptitle(f"{title}\n{described}" if title else described, fontsize=10.5, y=1 - 0.08 / fig_h, va="top")
    return np.array(axes)

