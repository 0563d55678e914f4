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

from .. import init
from ..network import activation_function, deep_activations
from .base import Explorer, course_style

__all__ = [
    "ACTIVATION_LABELS",
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


def _verdict(std: np.ndarray, saturated: np.ndarray) -> str:
    if not std.any():
        return "every activation is exactly 0: no signal gets through"
    if saturated[-1] > 0.5:
        return f"{saturated[-1]:.0%} of the last layer's units are saturated (flat parts: tiny gradients)"
    ratio = std[-1] / std[0]
    if std[-1] < 1e-3 or ratio < 0.1:
        return f"the spread changes {_times(ratio)} from layer 1 to {len(std)}: the signal vanishes"
    if ratio > 10:
        return f"the spread changes {_times(ratio)} from layer 1 to {len(std)}: the signal explodes"
    return f"the spread changes {_times(ratio)} from layer 1 to {len(std)}: the signal survives"


@lru_cache(maxsize=64)
def init_statistics(scheme: str = "xavier_uniform", activation: str = "tanh", depth: int = MAX_DEPTH,
                    width: int = 256) -> InitStatistics:
    """Histograms and statistics of every layer's activations in a deep random network (cached).

    The network and its inputs are ``utils.network.deep_activations(scheme, activation, depth, width,
    n_samples=N_SAMPLES, seed=0)``: the same arguments always give the same figure.

    Raises:
        ValueError: for an unknown scheme or activation, or depth / width out of range.
    """
    _check_choice(scheme, INIT_SCHEMES, "scheme")
    _check_choice(activation, INIT_ACTIVATIONS, "activation")
    if not (isinstance(depth, (int, np.integer)) and 1 <= depth <= MAX_DEPTH):
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 2 <= width <= 1024):
        raise ValueError(f"width must be an integer from 2 to 1024, got {width!r}")
    acts = deep_activations(scheme, activation, int(depth), int(width), n_samples=N_SAMPLES, seed=0)
    lo, hi = HIST_RANGE[activation]
    edges = np.linspace(lo, hi, N_BINS + 1)
    flat = acts.reshape(depth, -1)  # (depth, N * width)
    bins = np.clip(((flat - lo) * (N_BINS / (hi - lo))).astype(np.int64), 0, N_BINS - 1)  # values beyond: edge bins
    counts = np.stack([np.bincount(row, minlength=N_BINS) for row in bins]).astype(float)  # (depth, N_BINS)
    bound = {"tanh": 1.0, "sigmoid": 1.0}.get(activation)
    magnitude = np.abs(flat - (0.5 if activation == "sigmoid" else 0.0)) * (2.0 if activation == "sigmoid" else 1.0)
    saturated = np.mean(magnitude > 0.99, axis=1) if bound else np.zeros(depth)
    std = flat.std(axis=1)
    return InitStatistics(scheme, activation, int(depth), int(width), counts, edges, std, flat.mean(axis=1),
                          np.mean(flat == 0.0, axis=1), np.mean((flat < lo) | (flat > hi), axis=1), saturated,
                          _verdict(std, saturated))


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
            self.labels.append(ax.set_title("", fontsize=7.5, pad=3, color="0.2", linespacing=1.1))
            self.hist_axes.append(ax)
        std_left = 0.95
        self.std_ax = fig.add_axes((std_left / width, 0.5 / height, (right - std_left) / width, 1.5 / height))
        self.std_ax.set_yscale("log")
        self.std_ax.set_ylabel("std of activations", fontsize=9)
        self.std_ax.set_xlabel("layer", fontsize=9, labelpad=1)
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
            bars.set_data(counts / counts.max() if counts.max() > 0 else counts, stats.edges)
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
                            f"tallest bar = 1)")

    def changing(self) -> list:
        return [*self.bars, *self.labels, self.std_line, self.zero_marks, self.title]


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
                       activations=("tanh", "relu"), depth: int = MAX_DEPTH, width: int = 256):
    """One panel per activation: the std of each layer's activations, one line per scheme. Returns the axes."""
    with course_style():
        fig, axes = plt.subplots(1, len(activations), figsize=(3.6 * len(activations) + 0.6, 3.4), sharey=True,
                                 squeeze=False, layout="constrained")
        styles = ["o-", "s-", "^-", "D-", "v-", "P-", "X-", "*-"]
        for ax, activation in zip(axes[0], activations):
            for style, scheme in zip(styles, schemes):
                std = init_statistics(scheme, activation, depth, width).std
                ax.plot(np.arange(1, depth + 1), np.maximum(std, STD_LIMITS[0]), style, label=init.LABELS[scheme],
                        markersize=4, linewidth=1.6)
            ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1, label="the input's std, 1")
            ax.set(yscale="log", xlabel="layer", title=f"{ACTIVATION_LABELS[activation]} hidden layers")
            ax.set_xticks(np.arange(1, depth + 1))
        axes[0, 0].set_ylabel("std of the activations")
        axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8.5)
        fig.suptitle(f"{depth} layers of width {width}: which scheme keeps the signal's scale?", fontsize=10.5)
    return axes[0]


def _hist_xlim(lo: float, hi: float) -> tuple[float, float]:
    """A little room beyond the range, so the bars of the edge bins (clipped values) stay visible."""
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def draw_activation_histograms(schemes=("small_normal", "xavier_uniform", "normal"), activation: str = "tanh",
                               depth: int = MAX_DEPTH, width: int = 256):
    """A grid: one row per scheme, one column per layer, each cell the histogram of that layer's activations.

    Returns the (rows, columns) array of Axes.
    """
    lo, hi = HIST_RANGE[activation]
    height = 1.1 * len(schemes) + 1.0
    with course_style():
        fig, axes = plt.subplots(len(schemes), depth, figsize=(0.8 * depth + 1.2, height), sharex=True,
                                 squeeze=False)
        fig.subplots_adjust(left=1.15 / (0.8 * depth + 1.2), right=0.99, top=1 - 0.8 / height, bottom=0.35 / height,
                            wspace=0.1, hspace=0.6)
        for row, scheme in enumerate(schemes):
            stats = init_statistics(scheme, activation, depth, width)
            for col in range(depth):
                ax = axes[row, col]
                counts = stats.counts[col]
                ax.stairs(counts / counts.max() if counts.max() else counts, stats.edges, fill=True, alpha=0.85)
                ax.set_yticks([])
                ax.set_ylim(0, 1.1)
                ax.set_xlim(*_hist_xlim(lo, hi))
                ax.grid(False)
                ax.spines["left"].set_visible(False)
                ax.tick_params(labelsize=7, pad=1, length=2)
                ax.set_title(f"std {_fmt_std(stats.std[col])}", fontsize=7.5, pad=2)
                if row == 0:
                    ax.text(0.5, 1.42, f"layer {col + 1}", transform=ax.transAxes, ha="center", fontsize=8.5,
                            fontweight="bold")
            axes[row, 0].set_ylabel(init.LABELS[scheme], rotation=0, ha="right", va="center", fontsize=9)
        for col, ax in enumerate(axes[-1]):
            ax.set_xticks([lo, (lo + hi) / 2, hi])
            if col == 0:
                ax.set_xticklabels([f"{lo:g}".replace("-", "−"), f"{(lo + hi) / 2:g}", f"{hi:g}"])
            else:
                ax.set_xticklabels([])
        fig.suptitle(f"{ACTIVATION_LABELS[activation]} activations after each layer (width {width}; tallest bar = 1; "
                     f"x from {lo:g} to {hi:g})".replace("-", "−"), fontsize=10.5, y=1 - 0.08 / height, va="top")
    return axes


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


def playground_surface(depth: int = 2, width: int = 8, activation: str = "relu", scale: float = 1.0,
                       seed: int = 0) -> PlaygroundSurface:
    """The output of a random network 2 → width (× depth hidden layers) → 1 on a grid over [-3, 3]².

    Weights: ``W = scale · N(0, 1) / √fan_in`` (so ``scale = 1`` is LeCun's scale: each layer roughly keeps its
    input's spread), hidden biases N(0, 1); all from ``seed``, the smaller networks reusing the larger one's
    draws. ``depth = 0`` is a single linear layer. The output layer is linear (a score); its bias is chosen so
    that the score is 0 at the origin, so the decision boundary (score = 0) always crosses the square.
    ``kinks`` marks where a hidden unit switches between its regimes (ReLU/step: on/off), the borders of the
    linear (or constant) pieces.

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
        regions = len(np.unique(np.packbits(on_off, axis=1), axis=0))
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
        rgba[s.boundary] = (0.0, 0.0, 0.0, 1.0)
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
                         scale: float = 1.0, seed: int = 0):
    """Small multiples of the playground: one row per activation, one column per depth (same seed, same width).

    Returns the (rows, columns) array of Axes.
    """
    with course_style():
        fig, axes = plt.subplots(len(activations), len(depths), figsize=(1.9 * len(depths) + 1.1,
                                                                          2.0 * len(activations) + 0.6),
                                 squeeze=False)
        fig.subplots_adjust(left=0.13, right=0.99, bottom=0.02, top=1 - 0.75 / (2.0 * len(activations) + 0.6),
                            wspace=0.08, hspace=0.3)
        for row, activation in enumerate(activations):
            for col, depth in enumerate(depths):
                _PlaygroundFigure(axes[row, col], compact=True).update(
                    playground_surface(depth, width, activation, scale, seed))
            axes[row, 0].set_ylabel(ACTIVATION_LABELS[activation], fontsize=10)
        fig.suptitle(f"Random networks 2 → {width} → … → 1 over [−3, 3]²: colour = output, black = boundary "
                     f"(output 0),\ngrey = where a hidden unit switches on or off", fontsize=10)
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
            ax.text(layer, top + 0.8, f"{name}\n{sizes[layer]} units", ha="center", va="bottom", fontsize=9)
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
    Returns the figure.
    """
    images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    with course_style():
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        lines = 2 if probabilities is not None else 1
        row_height = 0.78 + 0.17 * lines
        height = row_height * nrows + 0.45
        fig, axes = plt.subplots(nrows, ncols, figsize=(0.78 * max(ncols, 5), height), squeeze=False)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=1 - 0.5 / height, wspace=0.15,
                            hspace=(0.16 * lines + 0.06) / 0.75)
        for i, ax in enumerate(axes.ravel()):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if i >= n:
                ax.axis("off")
                continue
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            wrong = labels is not None and predicted is not None and labels[i] != predicted[i]
            text = ""
            if predicted is not None:
                text = f"{labels[i]} → {predicted[i]}" if wrong else f"→ {predicted[i]}"
                if probabilities is not None:
                    text += f"\n{probabilities[i]:.0%}"
            elif labels is not None:
                text = str(labels[i])
            ax.set_title(text, fontsize=8.5, pad=2, color=colors[1] if wrong else "0.15",
                         fontweight="bold" if wrong else "normal", linespacing=1.05)
            for spine in ax.spines.values():
                spine.set_visible(True)
                spine.set_color(colors[1] if wrong else "0.75")
                spine.set_linewidth(2.0 if wrong else 0.8)
        if title:
            fig.suptitle(title, fontsize=10.5)
    return fig
