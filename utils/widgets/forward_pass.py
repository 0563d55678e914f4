"""Chapter 02's explorers and figures: initialization statistics through a deep network, and a 2-D playground.

Two explorers, each a thin layer over a pure computation:

- ``init_explorer``: scheme, activation, depth, width -> a histogram of every layer's activations and the
  standard deviation per layer (computed by ``utils.network.deep_activations``; ``init_statistics`` here).
- ``network_playground``: depth, hidden width, activation, weight scale, seed -> the output of a random
  2 → width → … → 1 network over the plane, with its decision boundary (output = 0) (``playground_surface``).

Static drawing functions draw the same figures without widgets (``draw_init_statistics``,
``draw_playground``), and the chapter's other figures: ``draw_std_per_layer`` (every scheme at once),
``draw_activation_histograms`` (a grid of schemes × layers), ``draw_network`` (neurons and weighted
connections) and ``draw_digit_grid`` (images with their predicted labels).

Usage in a notebook::

    from utils.widgets.forward_pass import draw_init_statistics, init_explorer
    draw_init_statistics("xavier_uniform", "tanh"); plt.show()    # static figure of the default state
    init_explorer()                                                # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from .. import init
from ..network import activation_function, deep_activations
from .base import Explorer, course_style

__all__ = [
    "ACTIVATION_LABELS",
    "FATE_LABELS",
    "INIT_ACTIVATIONS",
    "INIT_FIGSIZE",
    "INIT_SCHEMES",
    "PLAYGROUND_ACTIVATIONS",
    "PLAYGROUND_FIGSIZE",
    "WIDTHS",
    "InitStatistics",
    "PlaygroundSurface",
    "draw_activation_histograms",
    "draw_digit_grid",
    "draw_init_statistics",
    "draw_network",
    "draw_playground",
    "draw_playground_grid",
    "draw_std_per_layer",
    "init_explorer",
    "init_statistics",
    "network_playground",
    "playground_surface",
]

INIT_SCHEMES = ("zeros", "small_normal", "normal", "lecun_normal", "xavier_uniform", "xavier_normal",
                "kaiming_uniform", "kaiming_normal")
"""The schemes of ``utils.init.SCHEMES`` in menu order (labels in ``utils.init.LABELS``)."""

ACTIVATION_LABELS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid", "identity": "identity (linear)",
                     "leaky_relu": "Leaky ReLU", "step": "step"}
INIT_ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
PLAYGROUND_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity", "step")
WIDTHS = (16, 32, 64, 128, 256, 512)
MAX_DEPTH = 10
N_SAMPLES = 250  # inputs pushed through the explorer's network: 250 × width values per layer
N_BINS = 40
INIT_FIGSIZE = (8.4, 6.1)
PLAYGROUND_FIGSIZE = (6.2, 5.0)

# The x-range of the histograms per activation: values outside are counted in the edge bins (and reported).
HIST_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 4.0), "identity": (-4.0, 4.0)}
STD_LIMITS = (1e-12, 1e12)


def _check_choice(value, allowed, what: str):
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(map(str, allowed))}")
    return value


# ---------------------------------------------------------------------------------------------
# (a) Initialization statistics
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitStatistics:
    """What the initialization explorer shows for one setting.

    counts (depth, N_BINS): each layer's histogram over ``edges`` (values outside counted in the edge bins);
    edges (N_BINS + 1,); std (depth,), mean (depth,); zero_fraction (depth,): share of activations exactly 0;
    outside (depth,): share outside the histogram's range; saturated (depth,): share with |a| > 0.99 of the
    activation's bound (tanh, sigmoid; 0 otherwise); verdict: one sentence saying what happens.
    """

    scheme: str
    activation: str
    depth: int
    width: int
    counts: np.ndarray
    edges: np.ndarray
    std: np.ndarray
    mean: np.ndarray
    zero_fraction: np.ndarray
    outside: np.ndarray
    saturated: np.ndarray
    verdict: str


def _times(ratio: float) -> str:
    """A growth factor as a learner reads it: ×2.7, ×0.05, ×4·10⁹, ×3·10⁻⁸."""
    if 1e-3 <= ratio < 1e3:
        return f"×{ratio:.2g}"
    exponent = int(np.floor(np.log10(ratio)))
    mantissa = ratio / 10.0**exponent
    sup = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"×{mantissa:.0f}·10{sup}"


def _fate(std: np.ndarray, saturated: np.ndarray) -> str:
    """What happens to the signal: "constant" (std 0: every unit outputs one value whatever the input, e.g. 0 for
    zero weights and tanh, 0.5 for sigmoid), "saturates", "vanishes", "explodes" or "survives"."""
    if not std.any():
        return "constant"
    if saturated[-1] > 0.5:
        return "saturates"
    ratio = std[-1] / std[0]
    if std[-1] < 1e-3 or ratio < 0.1:
        return "vanishes"
    return "explodes" if ratio > 10 else "survives"


FATE_LABELS = {"constant": "constant", "saturates": "saturates", "vanishes": "vanishes", "explodes": "explodes",
               "survives": "survives"}
"""A scheme's fate as the short label next to its row of histograms ("constant" becomes "all exactly 0", …)."""


def _fate_label(stats: InitStatistics) -> str:
    fate = _fate(stats.std, stats.saturated)
    return f"all exactly {stats.mean[-1]:.2g}" if fate == "constant" else FATE_LABELS[fate]


def _verdict(std: np.ndarray, saturated: np.ndarray, mean: np.ndarray) -> str:
    fate = _fate(std, saturated)
    if fate == "constant":
        return (f"every activation is exactly {mean[-1]:.2g}, whatever the input: no signal gets through"
                if mean[-1] else "every activation is exactly 0: no signal gets through")
    if fate == "saturates":
        return f"{saturated[-1]:.0%} of the last layer's units are saturated (flat parts: tiny gradients)"
    return f"the spread changes {_times(std[-1] / std[0])} from layer 1 to {len(std)}: the signal {fate}"


@lru_cache(maxsize=64)
def init_statistics(scheme: str = "xavier_uniform", activation: str = "tanh", depth: int = MAX_DEPTH,
                    width: int = 256) -> InitStatistics:
    """Histograms and statistics of every layer's activations in a deep random network (cached).

    The network and its inputs are ``utils.network.deep_activations(scheme, activation, depth, width,
    n_samples=N_SAMPLES, seed=0)``: the same arguments always give the same figure. (Computed once for
    ``MAX_DEPTH`` layers per scheme, activation and width; a shallower network is its first layers.)

    Raises:
        ValueError: for an unknown scheme or activation, or depth / width out of range.
    """
    _check_choice(scheme, INIT_SCHEMES, "scheme")
    _check_choice(activation, INIT_ACTIVATIONS, "activation")
    if not (isinstance(depth, (int, np.integer)) and 1 <= depth <= MAX_DEPTH):
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 2 <= width <= 1024):
        raise ValueError(f"width must be an integer from 2 to 1024, got {width!r}")
    full = _all_layers(scheme, activation, int(width))  # layers 1..depth of the deepest network are this one
    depth = int(depth)
    counts, std, mean, zeros, outside, saturated = (a[:depth] for a in full[1:])
    return InitStatistics(scheme, activation, depth, int(width), counts, full[0], std, mean, zeros, outside, saturated,
                          _verdict(std, saturated, mean))


@lru_cache(maxsize=64)
def _all_layers(scheme: str, activation: str, width: int) -> tuple[np.ndarray, ...]:
    """(edges, counts, std, mean, zero_fraction, outside, saturated) of all MAX_DEPTH layers.

    A shallower network's layers are the first layers of the deepest one (``deep_activations`` draws the inputs,
    then each layer's weights, in order), so moving the depth slider only slices these.
    """
    acts = deep_activations(scheme, activation, MAX_DEPTH, width, n_samples=N_SAMPLES, seed=0)
    lo, hi = HIST_RANGE[activation]
    edges = np.linspace(lo, hi, N_BINS + 1)
    flat = acts.reshape(MAX_DEPTH, -1)  # (depth, N * width)
    bins = np.clip(((flat - lo) * (N_BINS / (hi - lo))).astype(np.int64), 0, N_BINS - 1)  # values beyond: edge bins
    counts = np.stack([np.bincount(row, minlength=N_BINS) for row in bins]).astype(float)  # (depth, N_BINS)
    if activation in ("tanh", "sigmoid"):  # |a| > 0.99 of the way to the bounds ±1 (tanh), 0 and 1 (sigmoid)
        magnitude = np.abs(flat - 0.5) * 2.0 if activation == "sigmoid" else np.abs(flat)
        saturated = np.mean(magnitude > 0.99, axis=1)
    else:
        saturated = np.zeros(MAX_DEPTH)
    return (edges, counts, flat.std(axis=1), flat.mean(axis=1), np.mean(flat == 0.0, axis=1),
            np.mean((flat < lo) | (flat > hi), axis=1), saturated)


class _InitFigure:
    """Ten small histogram panels (two rows of five) over a std-per-layer panel; ``update`` changes the data."""

    def __init__(self, fig: Figure):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.fig = fig
        width, height = fig.get_size_inches()
        left, right, gap = 0.35, width - 0.25, 0.32  # inches
        panel_w = (right - left - 4 * gap) / 5
        self.hist_axes, self.bars, self.labels = [], [], []
        for i in range(MAX_DEPTH):
            row, col = divmod(i, 5)
            top = 0.9 + row * 1.6  # below the two-line suptitle and the panel's own title; 1.6 in per row
            ax = fig.add_axes(((left + col * (panel_w + gap)) / width, 1 - (top + 0.95) / height, panel_w / width,
                               0.95 / height))
            ax.set_yticks([])
            ax.set_ylim(0, 1.08)
            ax.tick_params(labelsize=7, pad=1, length=2)
            ax.grid(False)
            ax.spines["left"].set_visible(False)
            self.bars.append(ax.stairs(np.zeros(N_BINS), np.linspace(0, 1, N_BINS + 1), fill=True,
                                       color=colors[0], alpha=0.85))
            self.labels.append(ax.set_title("", fontsize=7.5, pad=3, color="0.2", linespacing=1.1,
                                            y=1.0))  # a fixed y: matplotlib no longer measures ticks to place it
            self.hist_axes.append(ax)
        std_left = 0.95
        self.std_ax = fig.add_axes((std_left / width, 0.5 / height, (right - std_left) / width, 1.5 / height))
        self.std_ax.set_yscale("log")
        _plain_log_labels(self.std_ax)
        self.std_ax.set_ylabel("std of activations", fontsize=9)
        self.std_ax.set_xlabel("layer", fontsize=9, labelpad=1)
        self.std_ax.yaxis.set_label_coords(-0.55 / (right - std_left), 0.5)  # fixed positions: no tick-label
        self.std_ax.xaxis.set_label_coords(0.5, -0.3 / 1.5)  # measuring at every full redraw
        self.std_ax.tick_params(labelsize=8)
        self.ref = self.std_ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1)
        self.std_ax.text(1.0, 1.0, " input std 1", transform=self.std_ax.get_yaxis_transform(), fontsize=7.5,
                         color="0.4", va="bottom", ha="right")
        (self.std_line,) = self.std_ax.plot([], [], "o-", color=colors[1], linewidth=2, markersize=5)
        self.zero_marks = self.std_ax.plot([], [], "x", color=colors[3], markersize=7, mew=2,
                                           label="std exactly 0 (drawn at the bottom)")[0]
        self.title = fig.suptitle("", fontsize=10.5, y=1 - 0.1 / height, va="top")
        self._key = None

    def update(self, stats: InitStatistics) -> None:
        key = (stats.activation, stats.depth, _std_limits(stats.std))
        lo, hi = stats.edges[0], stats.edges[-1]
        for i, (ax, bars, label) in enumerate(zip(self.hist_axes, self.bars, self.labels)):
            visible = i < stats.depth
            for artist in (ax, bars, label):  # the bars and titles too: the explorer draws them one by one (blitting)
                artist.set_visible(visible)
            if not visible:
                continue
            counts = stats.counts[i]
            # ReLU: the exact zeros (about half) would flatten everything else; scale by the other bars and cut
            # the zeros' spike at the top (their share is in the panel's title)
            top = counts[1:].max() if stats.activation == "relu" and counts[1:].max() > 0 else counts.max()
            bars.set_data(np.minimum(counts / top, 1.08) if top > 0 else counts, stats.edges)
            notes = []
            if stats.activation == "relu":
                notes.append(f"{stats.zero_fraction[i]:.0%} zeros")
            elif stats.saturated[i] > 0.005:
                notes.append(f"{stats.saturated[i]:.0%} saturated")
            if stats.outside[i] > 0.005:
                notes.append(f"{stats.outside[i]:.0%} beyond {'±' if lo < 0 else ''}{hi:g}")
            extra = ("\n" + ", ".join(notes)) if notes else "\n "
            label.set_text(f"layer {i + 1}: std {_fmt_std(stats.std[i])}{extra}")
            if key != self._key:
                ax.set_xlim(*_hist_xlim(lo, hi))
                ticks = [lo, (lo + hi) / 2, hi]
                ax.set_xticks(ticks, [f"{t:g}".replace("-", "−") for t in ticks])
                for tick, align in zip(ax.get_xticklabels(), ("left", "center", "right")):
                    tick.set_horizontalalignment(align)  # the edge labels stay inside their panel
        layers = np.arange(1, stats.depth + 1)
        floor = _std_limits(stats.std)[0]
        self.std_line.set_data(layers, np.maximum(stats.std, floor))
        zero = stats.std == 0
        self.zero_marks.set_data(layers[zero], np.full(zero.sum(), floor))
        if key != self._key:
            self.std_ax.set_xlim(0.6, max(stats.depth, 2) + 0.4)
            self.std_ax.set_xticks(layers)
            self.std_ax.set_ylim(*_std_limits(stats.std))
            self.std_ax.legend(handles=[self.zero_marks] if zero.any() else [], loc="lower left", fontsize=8)
            self._key = key
        self.title.set_text(f"{init.LABELS[stats.scheme]} weights, {ACTIVATION_LABELS[stats.activation]}, "
                            f"width {stats.width}: {stats.verdict}\n"
                            f"Histograms of each layer's activations ({N_SAMPLES} inputs × {stats.width} units, "
                            + ("tallest bar = 1)" if stats.activation != "relu" else
                               "tallest bar = 1 without the zeros' bar)"))

    def changing(self) -> list:
        return [*self.bars, *self.labels, self.std_line, self.zero_marks, self.title]


def _hist_xlim(lo: float, hi: float) -> tuple[float, float]:
    """A little room beyond the range, so the bars of the edge bins (clipped values) stay visible."""
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _pos=None) -> str:
    """A log axis's tick label as plain text, 10⁻³: no mathtext to parse (matplotlib's default costs ~0.3 s on
    the first figure of a kernel and a few ms per label after that)."""
    if value <= 0:
        return ""
    exponent = np.log10(value)
    return f"10{str(int(round(exponent))).translate(_SUPERSCRIPT)}" if np.isclose(exponent, round(exponent)) else ""


def _plain_log_labels(ax) -> None:
    """Label a log y-axis's decades with ``_power_of_ten``, without minor ticks (dozens of tick objects to build
    and draw: about half of the figure's drawing time)."""
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.yaxis.set_minor_locator(NullLocator())


def _fmt_std(s: float) -> str:
    return "0" if s == 0 else f"{s:.2g}" if 1e-2 <= s < 1e3 else f"{s:.1e}"


def _std_limits(std: np.ndarray) -> tuple[float, float]:
    """Log-axis limits in whole decades covering the stds and 1 (the input's std); zeros sit at the bottom."""
    positive = std[std > 0]
    lo = min(1e-2, positive.min()) if positive.size else 1e-2
    hi = max(2.0, positive.max()) if positive.size else 2.0
    lo = max(10.0 ** np.floor(np.log10(lo) - 0.3), STD_LIMITS[0])
    hi = min(10.0 ** np.ceil(np.log10(hi) + 0.3), STD_LIMITS[1])
    return float(lo), float(hi)


def draw_init_statistics(scheme: str = "xavier_uniform", activation: str = "tanh", depth: int = MAX_DEPTH,
                         width: int = 256) -> Figure:
    """The initialization explorer's figure for one setting, as a static pyplot figure. Returns the figure."""
    stats = init_statistics(scheme, activation, depth, width)
    with course_style():
        fig = plt.figure(figsize=INIT_FIGSIZE)
        _InitFigure(fig).update(stats)
    return fig


def init_explorer(scheme: str = "xavier_uniform", activation: str = "tanh", depth: int = MAX_DEPTH,
                  width: int = 256) -> widgets.VBox:
    """A widget: how the initialization scheme shapes the activations of every layer of a deep network.

    Controls (``.controls``): ``"scheme"`` (Dropdown of ``INIT_SCHEMES``, labelled with ``utils.init.LABELS``),
    ``"activation"`` (Dropdown of ``INIT_ACTIVATIONS``), ``"depth"`` (IntSlider 1..10), ``"width"``
    (SelectionSlider over ``WIDTHS``). State (``.state``): ``"stats"`` (an ``InitStatistics``), ``"std"``,
    ``"verdict"`` and the four settings, ``"error"``.
    """
    init_statistics(scheme, activation, depth, width)  # validate the start values before building anything
    with course_style():
        fig = Figure(figsize=INIT_FIGSIZE, dpi=mpl.rcParams["figure.dpi"])
        artists = _InitFigure(fig)
    style = {"description_width": "80px"}
    controls = {
        "scheme": widgets.Dropdown(options=[(init.LABELS[s], s) for s in INIT_SCHEMES], value=scheme,
                                   description="weights", style=style, layout=widgets.Layout(width="260px")),
        "activation": widgets.Dropdown(options=[(ACTIVATION_LABELS[a], a) for a in INIT_ACTIVATIONS],
                                       value=activation, description="activation", style=style,
                                       layout=widgets.Layout(width="260px")),
        "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="layers", style=style,
                                   layout=widgets.Layout(width="330px")),
        "width": widgets.SelectionSlider(options=list(WIDTHS), value=width if width in WIDTHS else 256,
                                         description="width", style=style, layout=widgets.Layout(width="330px")),
    }

    def compute() -> dict:
        settings = {k: controls[k].value for k in ("scheme", "activation", "depth", "width")}
        stats = init_statistics(**settings)
        return {**settings, "stats": stats, "std": stats.std, "verdict": stats.verdict}

    def draw(state: dict) -> tuple:
        stats = state["stats"]
        artists.update(stats)
        return (stats.activation, stats.depth, _std_limits(stats.std)), artists.changing()

    note = widgets.HTML(f"<small>Inputs: {N_SAMPLES} random points N(0, 1); every layer is width × width with "
                        "zero biases; weights drawn with seed 0.</small>")
    rows = [widgets.HBox([controls["scheme"], controls["activation"]]),
            widgets.HBox([controls["depth"], controls["width"]]), note]
    return Explorer(controls, rows, fig, compute, draw)


def draw_std_per_layer(schemes=("small_normal", "normal", "xavier_uniform", "kaiming_normal"),
                       activations=("tanh", "relu"), depth: int = MAX_DEPTH, width: int = 256,
                       title: str | None = None):
    """One panel per activation: the std of each layer's activations, one line per scheme. Returns the axes.

    ``title``: what to notice (default: a question); the figure's second title line says what is drawn.
    Fixed margins (no layout engine): a layout engine would measure every label again at each draw.
    """
    panel_w, panel_h, left, gap, right, top, bottom = 3.3, 2.5, 0.85, 0.25, 1.75, 0.8, 0.55  # inches
    fig_w = left + len(activations) * panel_w + (len(activations) - 1) * gap + right
    fig_h = top + panel_h + bottom
    with course_style():
        fig, axes = plt.subplots(1, len(activations), figsize=(fig_w, fig_h), sharey=True, squeeze=False)
        fig.subplots_adjust(left=left / fig_w, right=1 - right / fig_w, top=1 - top / fig_h, bottom=bottom / fig_h,
                            wspace=gap / panel_w)
        styles = ["o-", "s-", "^-", "D-", "v-", "P-", "X-", "*-"]
        for ax, activation in zip(axes[0], activations):
            for style, scheme in zip(styles, schemes):
                std = init_statistics(scheme, activation, depth, width).std
                ax.plot(np.arange(1, depth + 1), np.maximum(std, STD_LIMITS[0]), style, label=init.LABELS[scheme],
                        markersize=4, linewidth=1.6)
            ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1, label="the input's std, 1")
            ax.set(yscale="log", xlabel="layer", title=f"{ACTIVATION_LABELS[activation]} hidden layers")
            _plain_log_labels(ax)
            ax.set_xticks(np.arange(1, depth + 1))
        axes[0, 0].set_ylabel("std of the activations (log scale)")
        axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.03, 0.5), fontsize=8.5)
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
                ax.text(col + 0.5, 1.06, f"std {_fmt_std(stats.std[col])}", ha="center", va="bottom", fontsize=7.5,
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


# ---------------------------------------------------------------------------------------------
# (b) The 2-D network playground
# ---------------------------------------------------------------------------------------------
MAX_WIDTH = 32
MAX_HIDDEN = 6
GRID = 161  # points per side of the plane's grid
EXTENT = 3.0  # the plane shown is [-3, 3]²


@dataclass(frozen=True)
class PlaygroundSurface:
    """The network's output over the plane: ``output`` (GRID, GRID), row i at y = ``ys[i]``, column j at
    x = ``xs[j]``; ``boundary`` (GRID, GRID) bool, True where the output changes sign next to that point;
    ``kinks`` (GRID, GRID) bool, True where a hidden ReLU/step unit switches on or off next to that point;
    ``regions``: the number of distinct on/off patterns of the hidden units seen on the grid (for ReLU, the
    linear pieces of the surface; 0 when not counted); ``n_params``: the number of parameters."""

    depth: int
    width: int
    activation: str
    scale: float
    seed: int
    xs: np.ndarray
    ys: np.ndarray
    output: np.ndarray
    boundary: np.ndarray
    kinks: np.ndarray
    regions: int
    n_params: int


@lru_cache(maxsize=16)
def _master_weights(seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Standard-normal draws for the largest playground network; smaller ones use the top-left corners.

    So adding a unit or a layer keeps every other weight: the picture changes by that unit only.
    """
    rng = np.random.default_rng(seed)
    shapes = [(MAX_WIDTH, 2)] + [(MAX_WIDTH, MAX_WIDTH)] * (MAX_HIDDEN - 1)
    weights = [rng.normal(size=s) for s in shapes]
    biases = [rng.normal(size=MAX_WIDTH) for _ in shapes]
    out_weights = [rng.normal(size=(1, MAX_WIDTH)) for _ in range(MAX_HIDDEN + 1)]  # one per depth
    return weights + out_weights, biases


@lru_cache(maxsize=1)
def _plane() -> tuple[np.ndarray, np.ndarray]:
    """The grid's coordinates (GRID,) and its points plus the origin as the last row: (GRID² + 1, 2)."""
    xs = np.linspace(-EXTENT, EXTENT, GRID)
    gx, gy = np.meshgrid(xs, xs)  # row i at y = xs[i], column j at x = xs[j]
    return xs, np.r_[np.c_[gx.ravel(), gy.ravel()], [[0.0, 0.0]]]


def _changes(values: np.ndarray) -> np.ndarray:
    """(GRID, GRID) mask of the points whose right or upper neighbour differs; ``values`` (GRID, GRID, ...)."""
    differs = np.zeros(values.shape[:2], dtype=bool)
    horizontal = values[:, 1:] != values[:, :-1]
    vertical = values[1:, :] != values[:-1, :]
    if values.ndim == 3:
        horizontal, vertical = horizontal.any(axis=2), vertical.any(axis=2)
    differs[:, 1:] |= horizontal
    differs[1:, :] |= vertical
    return differs


def _count_distinct_rows(bits: np.ndarray) -> int:
    """How many different rows a boolean (M, K) array has (exact; ~10× faster than ``np.unique(axis=0)``).

    Each row's bits are packed into 64-bit words, which ``np.lexsort`` orders; a new row starts wherever a word
    changes between neighbours in that order.
    """
    packed = np.packbits(bits, axis=1)  # (M, ceil(K / 8)) bytes
    packed = np.pad(packed, ((0, 0), (0, -packed.shape[1] % 8)))  # whole 8-byte words
    words = packed.view(np.uint64)  # (M, W)
    ordered = words[np.lexsort(words.T[::-1])]
    return int(1 + np.any(ordered[1:] != ordered[:-1], axis=1).sum()) if len(words) else 0


@lru_cache(maxsize=128)
def playground_surface(depth: int = 2, width: int = 8, activation: str = "relu", scale: float = 1.0,
                       seed: int = 0) -> PlaygroundSurface:
    """The output of a random network 2 → width (× depth hidden layers) → 1 on a grid over [-3, 3]².

    Weights: ``W = scale · N(0, 1) / √fan_in`` (so ``scale = 1`` is LeCun's scale: each layer roughly keeps its
    input's spread), hidden biases N(0, 1); all from ``seed``, the smaller networks reusing the larger one's
    draws. ``depth = 0`` is a single linear layer. The output layer is linear (a score); its bias is chosen so
    that the score is 0 at the origin, so the decision boundary (score = 0) always crosses the square.
    ``kinks`` marks where a hidden unit switches between its regimes (ReLU/step: on/off), the borders of the
    linear (or constant) pieces. Cached (the same arguments return the same object: do not modify its arrays).

    Raises:
        ValueError: for depth, width, scale or activation out of range.
    """
    if not (isinstance(depth, (int, np.integer)) and 0 <= depth <= MAX_HIDDEN):
        raise ValueError(f"depth must be an integer from 0 to {MAX_HIDDEN}, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 1 <= width <= MAX_WIDTH):
        raise ValueError(f"width must be an integer from 1 to {MAX_WIDTH}, got {width!r}")
    _check_choice(activation, PLAYGROUND_ACTIVATIONS, "activation")
    scale = float(scale)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a number > 0, got {scale}")
    weights, biases = _master_weights(int(seed))
    xs, points = _plane()
    f = activation_function(activation)
    a, fan_in, patterns = points, 2, []
    for layer in range(depth):
        W = scale * weights[layer][:width, :fan_in] / np.sqrt(fan_in)  # (width, fan_in)
        z = a @ W.T + biases[layer][:width]  # (G² + 1, fan_in) -> (G² + 1, width)
        patterns.append(z[:-1] > 0)
        a, fan_in = f(z), width
    w_out = scale * weights[MAX_HIDDEN + depth][:, :fan_in] / np.sqrt(fan_in)  # (1, fan_in)
    score = (a @ w_out.T)[:, 0]  # (G² + 1,)
    grid = (score[:-1] - score[-1]).reshape(GRID, GRID)  # output bias: the score is 0 at the origin
    boundary = _changes(grid > 0)
    if patterns and activation in ("relu", "step"):
        on_off = np.concatenate(patterns, axis=1)  # (G², depth * width) which units are on
        regions = _count_distinct_rows(on_off)
        kinks = _changes(on_off.reshape(GRID, GRID, -1))
    else:
        regions = 1 if activation == "identity" or depth == 0 else 0
        kinks = np.zeros((GRID, GRID), dtype=bool)
    n_params = sum(n_out * n_in + n_out for n_in, n_out in zip([2] + [width] * depth, [width] * depth + [1]))
    return PlaygroundSurface(int(depth), int(width), activation, scale, int(seed), xs, xs.copy(), grid, boundary,
                             kinks, int(regions), int(n_params))


def _playground_title(s: PlaygroundSurface) -> str:
    shape = " → ".join(["2"] + [str(s.width)] * s.depth + ["1"])
    if s.depth == 0 or s.activation == "identity":
        notice = "linear layers make one linear map: a straight boundary"
    elif s.activation == "relu":
        notice = f"piecewise linear: {s.regions} flat pieces (grey lines: a unit switches)"
    elif s.activation == "step":
        notice = f"piecewise constant: {s.regions} regions (grey lines: a unit switches)"
    else:
        notice = "smooth and curved: a larger weight scale bends it more"
    label = ACTIVATION_LABELS[s.activation] if s.depth else "no hidden layer"
    return f"{shape} ({label}, scale {s.scale:.2f}, {s.n_params} parameters)\n{notice}"


class _PlaygroundFigure:
    """The output surface (image), the boundary (an overlay image) and a colour bar on ``ax``."""

    def __init__(self, ax, compact: bool = False):
        self.ax, self.compact = ax, compact
        extent = (-EXTENT, EXTENT, -EXTENT, EXTENT)
        self.image = ax.imshow(np.zeros((GRID, GRID)), origin="lower", extent=extent, cmap="PuOr_r", vmin=-1,
                               vmax=1, interpolation="nearest", aspect="equal")
        self.overlay = ax.imshow(np.zeros((GRID, GRID, 4)), origin="lower", extent=extent, interpolation="nearest",
                                 aspect="equal")
        ax.grid(False)
        self.title = ax.set_title("", fontsize=9.5)
        if compact:  # a panel of a grid: no colour bar, no tick labels
            ax.set_xticks([])
            ax.set_yticks([])
            return
        ax.set_xlabel("input x₁")
        ax.set_ylabel("input x₂")
        bar = ax.figure.colorbar(self.image, ax=ax, fraction=0.046, pad=0.03, ticks=[-1, 0, 1])
        bar.ax.set_yticklabels(["most\nnegative", "0: the\nboundary\n(black)", "most\npositive"], fontsize=8)
        bar.set_label("network output, divided by its largest |value|", fontsize=8.5)

    def update(self, s: PlaygroundSurface) -> None:
        top = float(np.max(np.abs(s.output)))
        self.image.set_data(s.output / top if top > 0 else s.output)
        rgba = np.zeros((GRID, GRID, 4))
        rgba[s.kinks] = (0.35, 0.35, 0.35, 0.45)
        boundary = s.boundary
        if self.compact:  # a small panel shows fewer pixels than the grid has: thicken the line so none drops out
            boundary = boundary.copy()
            boundary[1:] |= s.boundary[:-1]
            boundary[:, 1:] |= s.boundary[:, :-1]
        rgba[boundary] = (0.0, 0.0, 0.0, 1.0)
        self.overlay.set_data(rgba)
        if self.compact:
            extra = f" · {s.regions} pieces" if s.activation == "relu" and s.depth else ""
            self.title.set_text(f"{s.depth} hidden layer{'s' if s.depth != 1 else ''}{extra}")
        else:
            self.title.set_text(_playground_title(s))

    def changing(self) -> list:
        return [self.image, self.overlay, self.title]


def _playground_axes(figsize=PLAYGROUND_FIGSIZE, pyplot: bool = False):
    fig = plt.figure(figsize=figsize) if pyplot else Figure(figsize=figsize, dpi=mpl.rcParams["figure.dpi"])
    width, height = figsize
    ax = fig.add_axes((0.75 / width, 0.6 / height, (width - 2.3) / width, (height - 1.35) / height))
    return fig, ax


def draw_playground(depth: int = 2, width: int = 8, activation: str = "relu", scale: float = 1.0, seed: int = 0,
                    ax=None):
    """The playground's figure for one setting (a new figure, or into ``ax``). Returns the Axes."""
    surface = playground_surface(depth, width, activation, scale, seed)
    with course_style():
        if ax is None:
            _, ax = _playground_axes(pyplot=True)
        _PlaygroundFigure(ax).update(surface)
    return ax


def draw_playground_grid(activations=("identity", "relu", "tanh"), depths=(0, 1, 2, 4), width: int = 8,
                         scale: float = 1.0, seed: int = 0, title: str | None = None):
    """Small multiples of the playground: one row per activation, one column per depth (same seed, same width).

    ``title``: what to notice, a line above the description. Returns the (rows, columns) array of Axes.
    """
    with course_style():
        height = 2.0 * len(activations) + (0.8 if title else 0.6)
        fig, axes = plt.subplots(len(activations), len(depths), figsize=(1.9 * len(depths) + 1.1, height),
                                 squeeze=False)
        fig.subplots_adjust(left=0.13, right=0.99, bottom=0.02, top=1 - (0.95 if title else 0.75) / height,
                            wspace=0.08, hspace=0.3)
        for row, activation in enumerate(activations):
            for col, depth in enumerate(depths):
                _PlaygroundFigure(axes[row, col], compact=True).update(
                    playground_surface(depth, width, activation, scale, seed))
            axes[row, 0].set_ylabel(ACTIVATION_LABELS[activation], fontsize=10)
        described = (f"Random networks 2 → {width} → … → 1 over [−3, 3]²: colour = output, black = boundary "
                     f"(output 0),\ngrey = where a hidden unit switches on or off")
        fig.suptitle(f"{title}\n{described}" if title else described, fontsize=10)
    return axes


def network_playground(depth: int = 2, width: int = 8, activation: str = "relu", scale: float = 1.0,
                       seed: int = 0) -> widgets.VBox:
    """A widget: how depth, width, the activation and the weights' scale shape a network's decision boundary.

    Controls (``.controls``): ``"depth"`` (IntSlider 0..6 hidden layers), ``"width"`` (IntSlider 1..32),
    ``"activation"`` (Dropdown of ``PLAYGROUND_ACTIVATIONS``), ``"scale"`` (FloatLogSlider 0.1..10),
    ``"seed"`` (IntSlider 0..9). State (``.state``): ``"surface"`` (a ``PlaygroundSurface``), ``"output"``,
    ``"regions"``, the settings, ``"error"``.
    """
    playground_surface(depth, width, activation, scale, seed)  # validate the start values
    with course_style():
        fig, ax = _playground_axes()
        artists = _PlaygroundFigure(ax)
    style = {"description_width": "90px"}
    controls = {
        "depth": widgets.IntSlider(value=depth, min=0, max=MAX_HIDDEN, description="hidden layers", style=style,
                                   layout=widgets.Layout(width="320px")),
        "width": widgets.IntSlider(value=width, min=1, max=MAX_WIDTH, description="width", style=style,
                                   layout=widgets.Layout(width="320px")),
        "activation": widgets.Dropdown(options=[(ACTIVATION_LABELS[a], a) for a in PLAYGROUND_ACTIVATIONS],
                                       value=activation, description="activation", style=style,
                                       layout=widgets.Layout(width="260px")),
        "scale": widgets.FloatLogSlider(value=scale, base=10, min=-1, max=1, step=0.05, description="weight scale",
                                        readout_format=".2f", style=style, layout=widgets.Layout(width="320px")),
        "seed": widgets.IntSlider(value=seed, min=0, max=9, description="seed", style=style,
                                  layout=widgets.Layout(width="260px")),
    }

    def compute() -> dict:
        settings = {k: controls[k].value for k in ("depth", "width", "activation", "scale", "seed")}
        surface = playground_surface(**settings)
        return {**settings, "surface": surface, "output": surface.output, "regions": surface.regions}

    def draw(state: dict) -> tuple:
        artists.update(state["surface"])
        return "playground", artists.changing()  # the axes never change: always blit

    rows = [widgets.HBox([controls["depth"], controls["activation"]]),
            widgets.HBox([controls["width"], controls["seed"]]), controls["scale"]]
    return Explorer(controls, rows, fig, compute, draw)


# ---------------------------------------------------------------------------------------------
# Static figures: a network diagram, a grid of digits
# ---------------------------------------------------------------------------------------------
def _unit_positions(n: int, max_units: int) -> tuple[list[int], list[float], float | None]:
    """(shown unit indices, their y positions, y of the "⋮" gap or None), centred on y = 0."""
    if n <= max_units:
        slots, shown, gap = list(range(n)), list(range(n)), None
    else:
        half = max_units // 2
        shown = list(range(half)) + list(range(n - half, n))
        slots, gap = list(range(half)) + list(range(half + 1, 2 * half + 1)), half
    total = (slots[-1] + 1) if slots else 1
    ys = [(total - 1) / 2 - slot for slot in slots]
    return shown, ys, None if gap is None else (total - 1) / 2 - gap


def draw_network(sizes, params: dict | None = None, labels=None, ax=None, max_units: int = 10):
    """Neurons as circles, one column per layer, and every connection as a line; with ``params`` (the
    dict of ``utils.network``), a line's colour shows the weight's sign and its width the magnitude.

    Layers wider than ``max_units`` show their first and last units with "⋮" between. Returns the Axes.
    """
    from matplotlib.collections import LineCollection

    sizes = [int(n) for n in sizes]
    layout = [_unit_positions(n, max_units) for n in sizes]
    tallest = max(len(ys) + (gap is not None) for _, ys, gap in layout)
    with course_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(1.7 * len(sizes) + 0.8, 0.42 * tallest + 1.5))
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        scale = None
        if params is not None:
            scale = max(float(np.abs(np.asarray(params[f"W{i}"])).max()) for i in range(1, len(sizes)))
        segments, line_colors, widths = [], [], []
        for layer in range(len(sizes) - 1):
            (shown_in, ys_in, _), (shown_out, ys_out, _) = layout[layer], layout[layer + 1]
            W = None if params is None else np.asarray(params[f"W{layer + 1}"])
            for i_in, y_in in zip(shown_in, ys_in):
                for i_out, y_out in zip(shown_out, ys_out):
                    segments.append([(layer, y_in), (layer + 1, y_out)])
                    if W is None:
                        line_colors.append("0.65")
                        widths.append(0.6)
                    else:
                        w = W[i_out, i_in]  # row = output unit, column = input unit: (out, in)
                        line_colors.append(colors[0] if w > 0 else colors[1])
                        widths.append(0.4 + 3.0 * abs(w) / scale)
        ax.add_collection(LineCollection(segments, colors=line_colors, linewidths=widths, alpha=0.85, zorder=1))
        top = (tallest - 1) / 2
        for layer, (_, ys, gap) in enumerate(layout):
            ax.scatter([layer] * len(ys), ys, s=230, color="white", edgecolor="0.2", linewidth=1.2, zorder=2)
            if gap is not None:
                ax.text(layer, gap, "⋮", ha="center", va="center", fontsize=13, zorder=3)
            name = (labels[layer] if labels else
                    "input" if layer == 0 else "output" if layer == len(sizes) - 1 else f"hidden {layer}")
            units = f"{sizes[layer]} unit{'s' if sizes[layer] != 1 else ''}"
            ax.text(layer, top + 0.8, f"{name}\n{units}", ha="center", va="bottom", fontsize=9)
        ax.set_xlim(-0.45, len(sizes) - 0.55)
        ax.set_ylim(-top - (1.3 if params is not None else 0.7), top + 2.0)
        ax.axis("off")
        if params is not None:
            ax.plot([], [], color=colors[0], linewidth=2, label="positive weight")
            ax.plot([], [], color=colors[1], linewidth=2, label="negative weight")
            ax.legend(loc="lower center", ncol=2, fontsize=8.5, handlelength=1.5)
    return ax


def draw_digit_grid(images, labels=None, predicted=None, ncols: int = 10, title: str = "", probabilities=None):
    """8×8 digits in a grid, each titled with its predicted label (and the true one when they differ).

    ``images`` (N, 64) or (N, 8, 8); ``labels``, ``predicted`` (N,) or None; ``probabilities`` (N,) the
    predicted class's probability, shown when given. Wrong predictions are framed and titled in orange.
    One Axes holds every image (its data coordinates are the figure's inches), far cheaper to draw than one
    Axes per digit. Returns the figure; ``fig.axes[0].texts`` are the digits' captions, in order.
    """
    from matplotlib.patches import Rectangle

    images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    lines = 2 if (predicted is not None and probabilities is not None) else 1
    size, caption = 0.64, 0.17 * lines + 0.05  # inches: an image's side, the caption's height above it
    row_h = size + caption + 0.12
    fig_w = 0.78 * max(ncols, 5)
    head = 0.45 if title else 0.05
    fig_h = head + nrows * row_h
    pitch = fig_w / ncols
    with course_style():
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, fig_w)
        ax.set_ylim(0, fig_h)
        ax.axis("off")
        for i in range(n):
            row, col = divmod(i, ncols)
            x0 = col * pitch + (pitch - size) / 2
            top = fig_h - head - row * row_h - caption
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest",
                      extent=(x0, x0 + size, top - size, top))
            wrong = labels is not None and predicted is not None and labels[i] != predicted[i]
            text = ""
            if predicted is not None:
                text = f"{labels[i]} → {predicted[i]}" if wrong else f"→ {predicted[i]}"
                if probabilities is not None:
                    text += f"\n{probabilities[i]:.0%}"
            elif labels is not None:
                text = str(labels[i])
            ax.text(x0 + size / 2, top + 0.03, text, ha="center", va="bottom", fontsize=8.5, linespacing=1.05,
                    color=colors[1] if wrong else "0.15", fontweight="bold" if wrong else "normal")
            ax.add_patch(Rectangle((x0, top - size), size, size, fill=False, edgecolor=colors[1] if wrong else "0.75",
                                   linewidth=2.0 if wrong else 0.8))
        ax.set_aspect("equal")
        if title:
            ax.text(fig_w / 2, fig_h - 0.1, title, ha="center", va="top", fontsize=10.5)
    return fig
