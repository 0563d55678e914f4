"""Chapter 02's explorers: initialization statistics through a deep network, and a 2-D playground.

Two explorers, each a thin layer over a computation in ``utils``:

- ``init_explorer``: scheme, activation, depth, width -> a histogram of every layer's activations and the
  standard deviation per layer (``utils.layer_statistics.init_statistics``).
- ``network_playground``: depth, hidden width, activation, weight scale, seed -> the output of a random
  2 → width → … → 1 network over the plane, with its decision boundary (output = 0)
  (``utils.playground.playground_surface``).

Static drawing functions draw the same figures without widgets (``draw_init_statistics``,
``draw_playground``, and ``draw_playground_grid``, small multiples of the playground's figure). The
chapter's other figures are in ``utils.figures`` (``initialization``, ``networks``, ``digits``).

Usage in a notebook::

    from utils.widgets.forward_pass import draw_init_statistics, init_explorer
    draw_init_statistics("xavier_uniform", "tanh"); plt.show()    # static figure of the default state
    init_explorer()                                                # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN
from matplotlib.transforms import offset_copy

from .. import init
from ..figures.initialization import ACTIVATION_LABELS, SATURATED_SHARE, STD_LIMITS, format_std
from ..layer_statistics import (
    INIT_ACTIVATIONS,
    INIT_SCHEMES,
    MAX_DEPTH,
    N_BINS,
    N_SAMPLES,
    InitStatistics,
    init_statistics,
)
from ..playground import (
    EXTENT,
    GRID,
    MAX_HIDDEN,
    MAX_WIDTH,
    PLAYGROUND_ACTIVATIONS,
    PlaygroundSurface,
    playground_surface,
)
from ..plotting import course_style, plain_log_labels
from .base import Explorer

__all__ = [
    "INIT_FIGSIZE",
    "PLAYGROUND_FIGSIZE",
    "WIDTHS",
    "draw_init_statistics",
    "draw_playground",
    "draw_playground_grid",
    "init_explorer",
    "network_playground",
]

WIDTHS = (16, 32, 64, 128, 256, 512)  # the width slider's stops
INIT_FIGSIZE = (8.4, 6.1)
PLAYGROUND_FIGSIZE = (6.2, 5.0)


# ---------------------------------------------------------------------------------------------
# (a) Initialization statistics
# ---------------------------------------------------------------------------------------------
class _InitFigure:
    """Histogram panels (one per layer) over a std-per-layer panel; ``update`` changes the data.

    Drawn for speed (the explorer blits, ``Explorer``): the histograms live in "slot" coordinates, x from 0 to 1
    whatever the activation's range, so changing the activation changes only animated artists (the bars, the
    tick labels under the lowest panel of each column, the notes, the title and the std curve), never the axes.
    Up to five layers the panels stand in one row of tall histograms, from six on in two rows: no empty band.
    """

    HIST_TOP, HIST_BOTTOM = 1.05, 3.5  # inches from the top: the band the histogram panels fill
    ROW_GAP = 0.62  # inches between the two rows of panels (the second row's names and notes sit there)

    def __init__(self, fig: Figure):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.fig = fig
        width, height = fig.get_size_inches()
        self.left, self.right, self.gap = 0.35, width - 0.25, 0.32  # inches
        self.hist_axes, self.bars, self.names, self.notes, self.ticks = [], [], [], [], []
        for _ in range(MAX_DEPTH):
            ax = fig.add_axes((0, 0, 0.1, 0.1))  # placed by _layout
            ax.set_xlim(-0.04, 1.04)
            # three tick marks (their labels are animated texts: they change with the range), drawn as one line of
            # markers rather than by the axis machinery: ~1 ms less per panel on each full redraw
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_ylim(0, 1.08)
            ax.plot([0.0, 0.5, 1.0], [0.0, 0.0, 0.0], linestyle="", marker=TICKDOWN, markersize=2,
                    markeredgewidth=mpl.rcParams["xtick.major.width"], color=mpl.rcParams["xtick.color"],
                    transform=ax.get_xaxis_transform(), clip_on=False)
            ax.grid(False)
            ax.spines["left"].set_visible(False)
            self.bars.append(ax.stairs(np.zeros(N_BINS), np.linspace(0, 1, N_BINS + 1), fill=True,
                                       color=colors[0], alpha=0.85))
            above = partial(offset_copy, ax.transAxes, fig=fig, units="points")  # above the panel, in points
            self.names.append(ax.text(0.5, 1.0, "", transform=above(y=21), ha="center", va="bottom",
                                      fontsize=7.5, fontweight="bold", color="0.2"))
            self.notes.append(ax.text(0.5, 1.0, "", transform=above(y=2), ha="center", va="bottom", fontsize=7,
                                      color="0.2", linespacing=1.1))
            self.ticks.append([ax.text(x, -0.03, "", transform=ax.transAxes, ha=ha, va="top", fontsize=7)
                               for x, ha in ((0.0, "left"), (0.5, "center"), (1.0, "right"))])
            self.hist_axes.append(ax)
        std_left = 0.95
        self.std_ax = fig.add_axes((std_left / width, 0.5 / height, (self.right - std_left) / width, 1.5 / height))
        self.std_ax.set_yscale("log")
        plain_log_labels(self.std_ax)
        self.std_ax.set_ylabel("std of activations", fontsize=9)
        self.std_ax.set_xlabel("layer", fontsize=9, labelpad=1)
        self.std_ax.yaxis.set_label_coords(-0.55 / (self.right - std_left), 0.5)  # fixed positions: no tick-label
        self.std_ax.xaxis.set_label_coords(0.5, -0.3 / 1.5)  # measuring at every full redraw
        self.std_ax.tick_params(labelsize=8)
        self.ref = self.std_ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1)
        self.std_ax.text(1.0, 1.0, " input std 1", transform=self.std_ax.get_yaxis_transform(), fontsize=7.5,
                         color="0.4", va="bottom", ha="right")
        (self.std_line,) = self.std_ax.plot([], [], "o-", color=colors[1], linewidth=2, markersize=5)
        self.saturated_marks = self.std_ax.plot([], [], "o", markersize=10, markerfacecolor="none",
                                                markeredgecolor="0.1", markeredgewidth=1.3,
                                                label="most units saturated (|a| > 0.99)")[0]
        self.zero_marks = self.std_ax.plot([], [], "x", color=colors[3], markersize=7, mew=2,
                                           label="std exactly 0 (drawn at the bottom)")[0]
        self.title = fig.text(0.5, 1 - 0.1 / height, "", ha="center", va="top", fontsize=10.5)
        self.subtitle = fig.text(0.5, 1 - 0.33 / height, "", ha="center", va="top", fontsize=9, color="0.25")
        self._key = None

    def _layout(self, depth: int) -> None:
        """Place the panels: one row of tall histograms up to five layers, else two rows of five."""
        width, height = self.fig.get_size_inches()
        per_row = 5 if depth > 5 else max(depth, 1)
        rows = 1 if depth <= 5 else 2
        panel_w = (self.right - self.left - 4 * self.gap) / 5  # the same width in both layouts
        band = self.HIST_BOTTOM - self.HIST_TOP
        panel_h = (band - (rows - 1) * self.ROW_GAP) / rows
        offset = (self.right - self.left - per_row * panel_w - (per_row - 1) * self.gap) / 2  # centre a short row
        for i, ax in enumerate(self.hist_axes):
            row, col = divmod(i, 5)
            top = self.HIST_TOP + row * (panel_h + self.ROW_GAP)
            ax.set_position(((self.left + offset + col * (panel_w + self.gap)) / width, 1 - (top + panel_h) / height,
                             panel_w / width, panel_h / height))

    def update(self, stats: InitStatistics) -> None:
        key = self.key(stats)
        lo, hi = stats.edges[0], stats.edges[-1]
        slot_edges = (stats.edges - lo) / (hi - lo)  # the histogram's x-range mapped to the slot [0, 1]
        labels = [f"{t:g}".replace("-", "−") for t in (lo, (lo + hi) / 2, hi)]
        if key != self._key:
            self._layout(stats.depth)
        for i, (ax, bars, name, note, ticks) in enumerate(zip(self.hist_axes, self.bars, self.names, self.notes,
                                                              self.ticks)):
            visible = i < stats.depth
            for artist in (ax, bars, name, note, *ticks):  # the animated ones too: the explorer draws them itself
                artist.set_visible(visible)
            if not visible:
                continue
            name.set_text(f"layer {i + 1}")
            counts = stats.counts[i]
            # ReLU: the exact zeros (about half) would flatten everything else; scale by the other bars and cut
            # the zeros' spike at the top (their share is in the panel's note)
            top = counts[1:].max() if stats.activation == "relu" and counts[1:].max() > 0 else counts.max()
            bars.set_data(np.minimum(counts / top, 1.08) if top > 0 else counts, slot_edges)
            notes = [f"std {format_std(stats.std[i])}"]
            if stats.activation == "relu":
                notes.append(f"{stats.zero_fraction[i]:.0%} zeros")
            elif stats.saturated[i] > 0.005:
                notes.append(f"{stats.saturated[i]:.0%} saturated")
            if stats.outside[i] > 0.005:
                notes.append(f"{stats.outside[i]:.0%} beyond {'±' if lo < 0 else ''}{hi:g}")
            note.set_text(f"{notes[0]}\n{', '.join(notes[1:]) or ' '}")  # always two lines: aligned panels
            for tick, label in zip(ticks, labels):
                tick.set_text(label)
                tick.set_visible(i + 5 >= stats.depth)  # labelled where no panel stands below
        layers = np.arange(1, stats.depth + 1)
        floor = _std_limits(stats.std)[0]
        shown = np.maximum(stats.std, floor)
        self.std_line.set_data(layers, shown)
        saturated = stats.saturated > SATURATED_SHARE
        self.saturated_marks.set_data(layers[saturated], shown[saturated])
        zero = stats.std == 0
        self.zero_marks.set_data(layers[zero], np.full(zero.sum(), floor))
        if key != self._key:
            self.std_ax.set_xlim(0.6, max(stats.depth, 2) + 0.4)
            self.std_ax.set_xticks(layers)
            self.std_ax.set_ylim(*_std_limits(stats.std))
            self.std_ax.legend(handles=[h for h, shown in ((self.saturated_marks, saturated.any()),
                                                           (self.zero_marks, zero.any())) if shown],
                               loc="lower left", fontsize=8)
            self._key = key
        self.title.set_text(f"{init.LABELS[stats.scheme]} weights, {ACTIVATION_LABELS[stats.activation]}, "
                            f"width {stats.width}: {stats.verdict}")
        self.subtitle.set_text(f"Histograms of each layer's activations: {N_SAMPLES} inputs × {stats.width} units; "
                               "tallest bar = 1 (with ReLU, the tallest but the zeros')")

    @staticmethod
    def key(stats: InitStatistics) -> tuple:
        """What the still background depends on: the panels shown, the std axis's range and the legend's entries
        (the title and the subtitle are parts of their own, ``parts``)."""
        return (stats.depth, _std_limits(stats.std), bool((stats.saturated > SATURATED_SHARE).any()),
                bool((stats.std == 0).any()))

    def changing(self) -> list:
        return [*self.bars, self.std_line, self.saturated_marks, self.zero_marks]

    def parts(self) -> dict:
        """The texts, and the histogram panels of the two-row layout, each kept apart from the background by its
        words and its place (an explorer's part): a title is drawn again only when its words change, a panel's
        note and tick labels when they or the panel's place do (a layer's statistics do not depend on the depth).
        From six layers on the panels stay put: a new depth then draws little more than the std panel."""
        panels = {}
        two_rows = sum(ax.get_visible() for ax in self.hist_axes) > 5
        for ax, note, ticks in zip(self.hist_axes, self.notes, self.ticks):
            place = tuple(ax.get_position().bounds)
            if two_rows:  # the panels' places are the same for every depth from 6 to 10: kept as parts
                panels[ax] = place  # its frame, tick marks and name
            else:  # one row, centred: places that change with the depth; in the background, drawn with the rest
                ax.set_animated(False)
            panels.update({text: (text.get_text(), place) for text in (note, *ticks)})
        return {self.title: self.title.get_text(), self.subtitle: self.subtitle.get_text(), **panels}


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

    names = ("scheme", "activation", "depth", "width")

    def state_of(settings: dict) -> dict:
        stats = init_statistics(**settings)
        return {**settings, "stats": stats, "std": stats.std, "verdict": stats.verdict}

    def compute() -> dict:
        return state_of({k: controls[k].value for k in names})

    def ahead(state: dict):
        """The settings one change away, each computed (the statistics are most of a change's time, 10–110 ms):
        the next option of each menu, a step of each slider, then the menus' other options."""
        settings = {k: state[k] for k in names}
        menus = {"scheme": list(INIT_SCHEMES), "activation": list(INIT_ACTIVATIONS)}
        steps = {"width": list(WIDTHS), "depth": list(range(1, MAX_DEPTH + 1))}
        options = [("scheme", 1), ("activation", 1), ("width", 1), ("width", -1), ("depth", 1), ("depth", -1),
                   *((name, k) for name, values in menus.items() for k in range(2, len(values)))]
        for name, k in options:
            values = menus.get(name) or steps[name]
            at = values.index(settings[name]) + k
            if name in menus or 0 <= at < len(values):
                computed = state_of({**settings, name: values[at % len(values)]})
                yield _InitFigure.key(computed["stats"]), lambda computed=computed: computed

    def draw(state: dict) -> tuple:
        stats = state["stats"]
        artists.update(stats)
        return artists.key(stats), artists.changing(), artists.parts()

    note = widgets.HTML(f"<small>Inputs: {N_SAMPLES} random points N(0, 1); every layer is width × width with "
                        "zero biases; weights drawn with seed 0.</small>")
    rows = [widgets.HBox([controls["scheme"], controls["activation"]]),
            widgets.HBox([controls["depth"], controls["width"]]), note]
    def image_key(state: dict) -> tuple:
        return tuple(state[k] for k in names)

    # keeps each depth's / std range's background, and the images of the settings seen or drawn ahead
    return Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)


# ---------------------------------------------------------------------------------------------
# (b) The 2-D network playground
# ---------------------------------------------------------------------------------------------
def _playground_title(s: PlaygroundSurface) -> str:
    shape = " → ".join(["2"] + [str(s.width)] * s.depth + ["1"])
    if s.depth == 0 or s.activation == "identity":
        notice = "linear layers make one linear map: a straight boundary"
    elif s.activation == "relu":
        notice = f"piecewise linear: {s.regions} pieces, each a sloped plane (grey: a unit switches)"
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
