"""Chapter 07's batch-norm explorer: shift and scale a layer's inputs, see the distributions before and after
``BatchNorm1d`` in training and in evaluation mode.

As in ``utils/widgets/activations.py``, three parts:

- the **data its figure shows**, ``utils.normalization.batch_norm_run``: a ``BatchNorm1d(3)`` fed a number of
  training batches (its running statistics), then one more batch normalized in train or eval mode;
- a **static drawing function**, ``draw_batchnorm_explorer``, for a state (the default one before the widget);
- the **widget**, ``batchnorm_explorer``, an ``Explorer`` (``utils/widgets/base.py``) with ``.controls``,
  ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.normalization import batchnorm_explorer, draw_batchnorm_explorer
    draw_batchnorm_explorer(); plt.show()    # static figure of the default state
    batchnorm_explorer()                     # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .. import normalization
from ..plotting import course_style, fixed_labels, new_figure
from .base import Explorer

__all__ = ["BATCHNORM_FIGSIZE", "DEFAULTS", "batchnorm_explorer", "draw_batchnorm_explorer"]

BATCHNORM_FIGSIZE = (7.6, 5.6)  # the inputs above, the outputs below, the statistics in the right margin
INPUT_EDGES = np.linspace(-30.0, 30.0, 121)  # fixed axes: a shift or a scale of the inputs is seen moving them
OUTPUT_EDGES = np.linspace(-10.0, 10.0, 81)
FEATURE_COLORS = ("#006BA4", "#FF800E", "#595959")  # the course's blue, orange and dark grey
Y_STEPS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # the density axis's top is the first of these above the tallest bar
SHIFT_LIMITS, SCALE_LIMITS, GAMMA_LIMITS, BETA_LIMITS = (-10.0, 10.0), (1 / 3, 3.0), (0.25, 2.0), (-3.0, 3.0)
BATCH_LIMITS, BATCHES_LIMITS = (2, 256), (0, 100)

DEFAULTS = {"shift": 0.0, "scale": 1.0, "batch_size": 64, "batches": 20, "gamma": 1.0, "beta": 0.0,
            "mode": "train", "drift": "every batch"}
"""The explorer's starting values (``mode`` is "train" or "eval"; ``drift`` "every batch" or "after training")."""


def _title(run: normalization.BatchNormRun, shifted_training: bool, shift: float, scale: float) -> str:
    k = run.num_batches_tracked
    if run.training:
        return ("Train mode: each feature is normalized with this batch's own mean and variance:\n"
                "any shift or scale of the inputs disappears, every feature comes out with mean β and spread γ")
    if k == 0:
        return ("Eval mode before any training batch: the running mean is 0 and the running variance 1,\n"
                "so the layer passes its inputs through almost unchanged (y ≈ γx + β)")
    if not shifted_training and (shift != 0.0 or scale != 1.0):
        return ("Eval mode: the running statistics come from training batches without the shift and scale,\n"
                "and a fixed map cannot undo a drift that came after training: it comes out in the outputs")
    return ("Eval mode: the running statistics of the training batches replace this batch's own;\n"
            "with momentum 0.1, after k batches they have moved 1 − 0.9ᵏ of the way from (0, 1) to the data's")


def _drift_text(state: dict) -> str:
    """What the training batches were, as the "shift and scale" toggle says; with no shift or scale set, that the
    toggle changes nothing yet."""
    text = ("Training batches: shifted and\nscaled like this one" if state["drift"] == "every batch"
            else "Training batches: without the\nshift and scale (drift after)")
    if state["shift"] == 0.0 and state["scale"] == 1.0:
        text += "\n(shift 0, scale 1: the same)"
    return text


def _stats_text(run: normalization.BatchNormRun) -> str:
    """A small table: each feature's mean and standard deviation in this batch and in the running statistics."""
    rows = ["      this batch    running", "feat.   μ     σ     μ     σ"]
    rows += [f"{c + 1:>3} {run.batch_mean[c]:6.2f}{np.sqrt(run.batch_var[c]):6.2f}"
             f"{run.running_mean[c]:6.2f}{np.sqrt(run.running_var[c]):6.2f}" for c in range(run.batch_mean.size)]
    return "\n".join(rows)


def _y_top(heights: list[np.ndarray]) -> float:
    tallest = max(float(h.max()) for h in heights)
    return next((y for y in Y_STEPS if tallest <= 0.95 * y), Y_STEPS[-1])


def _heights(run: normalization.BatchNormRun) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The histograms' densities: one array per feature, for the inputs and for the outputs."""
    return tuple([np.histogram(values[:, c], edges)[0] / (values.shape[0] * (edges[1] - edges[0]))
                  for c in range(values.shape[1])]
                 for values, edges in ((run.inputs, INPUT_EDGES), (run.outputs, OUTPUT_EDGES)))


def _y_tops(state: dict) -> tuple[float, float]:
    return _y_top(state["heights"][0]), _y_top(state["heights"][1])


class _BatchNormFigure:
    """The artists of the explorer on ``(ax_in, ax_out)``, made once; ``update`` changes their data."""

    def __init__(self, ax_in, ax_out, features: int = 3):
        colors = FEATURE_COLORS[:features]
        self.axes = (ax_in, ax_out)
        self.hists, self.running = [], []
        for ax, edges in ((ax_in, INPUT_EDGES), (ax_out, OUTPUT_EDGES)):
            self.hists.append([ax.stairs(np.zeros(edges.size - 1), edges, fill=True, linewidth=1.3, edgecolor=color,
                                         facecolor=mpl.colors.to_rgba(color, 0.22), label=f"feature {c + 1}")
                               for c, color in enumerate(colors)])
            ax.set_xlim(edges[0], edges[-1])
            ax.set_ylabel("density")
        self.running = [ax_in.axvline(0.0, color=color, linestyle="--", linewidth=1.4) for color in colors]
        self.running[0].set_label("running means (dashed)")
        ax_in.set_xlabel("layer input x (shift + scale · z)")
        ax_out.set_xlabel("output y = γ x̂ + β")
        handles = [*self.hists[0], self.running[0]]  # in the margin: no histogram or line hides behind it
        ax_out.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=8.5)
        fixed_labels(ax_in, ylabel_at=0.5, xlabel_at=0.32)
        fixed_labels(ax_out, ylabel_at=0.5, xlabel_at=0.32)
        self.title = ax_in.figure.text(0.02, 0.985, "", ha="left", va="top", fontsize=10.5)  # spans the figure
        self.outside = ax_out.text(0.99, 0.95, "", transform=ax_out.transAxes, ha="right", va="top", fontsize=9,
                                   color="#C85200")
        self.stats = ax_in.text(1.04, 1.0, "", transform=ax_in.transAxes, ha="left", va="top", fontsize=8.5,
                                family="monospace")
        self.used = ax_in.text(1.04, 0.35, "", transform=ax_in.transAxes, ha="left", va="top", fontsize=9)
        self.y_tops: tuple[float, float] | None = None

    def update(self, state: dict) -> None:
        run = state["run"]
        for panel, edges in ((0, INPUT_EDGES), (1, OUTPUT_EDGES)):
            for stairs, h in zip(self.hists[panel], state["heights"][panel]):
                stairs.set_data(h, edges)
        tops = _y_tops(state)
        if tops != self.y_tops:
            for ax, top in zip(self.axes, tops):
                ax.set_ylim(0.0, top)
            self.y_tops = tops
        for line, mean in zip(self.running, run.running_mean):
            line.set_xdata([mean, mean])
        outside = np.mean((run.outputs < OUTPUT_EDGES[0]) | (run.outputs > OUTPUT_EDGES[-1]))
        self.outside.set_text(f"{100 * outside:.0f}% of the outputs lie off this axis" if outside > 0 else "")
        self.stats.set_text(_stats_text(run))
        k = run.num_batches_tracked
        self.used.set_text(f"BatchNorm uses {'this batch' if run.training else 'the running'}\nstatistics; "
                           f"k = {k} training\nbatches seen before"
                           + ("" if run.training else f"\n(1 − 0.9ᵏ = {1 - 0.9 ** k:.0%})")
                           + "\n\n" + _drift_text(state))
        self.title.set_text(state["title"])

    @staticmethod
    def frame(state: dict) -> tuple:
        """What the background (drawn once, then blitted over) depends on: the axes' tops and the texts that change
        with the mode (and whether any batch was seen) only."""
        return _y_tops(state), state["title"]

    def changing(self) -> list:
        return [*self.hists[0], *self.hists[1], *self.running, self.outside, self.stats, self.used]


def _state(shift, scale, batch_size, batches, gamma, beta, mode, drift) -> dict:
    if mode not in ("train", "eval"):
        raise ValueError(f"mode must be 'train' or 'eval', got {mode!r}")
    if drift not in ("every batch", "after training"):
        raise ValueError(f"drift must be 'every batch' or 'after training', got {drift!r}")
    shifted_training = drift == "every batch"
    run = normalization.batch_norm_run(shift, scale, batch_size, batches, training=mode == "train", gamma=gamma,
                                       beta=beta, shift_training_batches=shifted_training)
    return {"run": run, "shift": float(shift), "scale": float(scale), "batch_size": int(batch_size),
            "batches": int(batches), "gamma": float(gamma), "beta": float(beta), "mode": mode, "drift": drift,
            "title": _title(run, shifted_training, float(shift), float(scale)), "heights": _heights(run)}


def _new_axes(pyplot: bool):
    return new_figure(BATCHNORM_FIGSIZE, nrows=2, pyplot=pyplot, top=0.75, bottom=0.6, gap=0.65, left=0.7,
                      right=2.75)


def draw_batchnorm_explorer(shift: float = 0.0, scale: float = 1.0, batch_size: int = 64, batches: int = 20,
                            gamma: float = 1.0, beta: float = 0.0, mode: str = "train", drift: str = "every batch",
                            ax=None):
    """Draw the explorer's figure for one state: histograms (densities) of the three features of one batch before
    BatchNorm1d (top, dashed lines at the running means) and after it (bottom), the statistics on the right.

    Arguments as the explorer's controls (``DEFAULTS``); ``ax`` is None (a new figure) or a pair
    ``(ax_inputs, ax_outputs)``. Returns ``(ax_inputs, ax_outputs)``.
    """
    state = _state(shift, scale, batch_size, batches, gamma, beta, mode, drift)
    with course_style():
        if ax is None:
            ax_in, ax_out = _new_axes(pyplot=True)[1]
        else:
            try:
                ax_in, ax_out = ax
            except (TypeError, ValueError):
                raise ValueError("ax must be None or a pair of Axes (ax_inputs, ax_outputs)") from None
        _BatchNormFigure(ax_in, ax_out).update(state)
    return ax_in, ax_out


def batchnorm_explorer(**start) -> widgets.VBox:
    """A widget to see what batch normalization does to a layer's inputs, in training and in evaluation mode.

    Controls (``.controls``): ``"shift"`` (−10…10) and ``"scale"`` (1/3…3, log scale: 24 steps of 3^(1/12), so 1
    is on it) applied to the inputs, ``"batch_size"`` (2…256), ``"batches"`` (training batches seen before the one
    shown, 0…100), ``"gamma"`` and ``"beta"`` (γ and β of every channel), ``"mode"`` ("train" / "eval") and
    ``"drift"`` ("every batch": the training batches are shifted and scaled too; "after training": only the batch
    shown is).
    Start values are keywords of ``DEFAULTS``, clipped to the sliders' ranges.
    State (``.state``): ``"run"`` (a ``utils.normalization.BatchNormRun``), each control's value, ``"title"``,
    ``"heights"`` (the histograms' densities: per feature, inputs then outputs), ``"error"``.
    """
    unknown = sorted(set(start) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown start value(s) {unknown}; the explorer has {', '.join(DEFAULTS)}")
    v = {**DEFAULTS, **start}
    wide = {"description_width": "120px"}

    def box() -> widgets.Layout:
        return widgets.Layout(width="340px")

    def float_slider(key, description, limits, step):
        return widgets.FloatSlider(value=float(np.clip(v[key], *limits)), min=limits[0], max=limits[1], step=step,
                                   readout_format=".2f", description=description, style=wide, layout=box())

    lo, hi = np.log10(SCALE_LIMITS)
    controls = {
        "shift": float_slider("shift", "shift of inputs", SHIFT_LIMITS, 0.5),
        "scale": widgets.FloatLogSlider(value=float(np.clip(v["scale"], *SCALE_LIMITS)), base=10, min=lo, max=hi,
                                        step=(hi - lo) / 24, readout_format=".2f", description="scale of inputs",
                                        style=wide, layout=box()),
        "batch_size": widgets.IntSlider(value=int(np.clip(v["batch_size"], *BATCH_LIMITS)), min=BATCH_LIMITS[0],
                                        max=BATCH_LIMITS[1], description="batch size N", style=wide, layout=box()),
        "batches": widgets.IntSlider(value=int(np.clip(v["batches"], *BATCHES_LIMITS)), min=BATCHES_LIMITS[0],
                                     max=BATCHES_LIMITS[1], description="training batches", style=wide, layout=box()),
        "gamma": float_slider("gamma", "γ (weight)", GAMMA_LIMITS, 0.05),
        "beta": float_slider("beta", "β (bias)", BETA_LIMITS, 0.1),
        "mode": widgets.ToggleButtons(options=[("train mode", "train"), ("eval mode", "eval")], value=v["mode"],
                                      description="BatchNorm in", style=wide),
        "drift": widgets.ToggleButtons(options=[("every batch", "every batch"), ("after training", "after training")],
                                       value=v["drift"], description="shift and scale", style=wide),
    }
    with course_style():
        fig, (ax_in, ax_out) = _new_axes(pyplot=False)
        artists = _BatchNormFigure(ax_in, ax_out)

    def compute() -> dict:
        return _state(**{name: control.value for name, control in controls.items()})

    def draw(state: dict) -> tuple:
        artists.update(state)
        return artists.frame(state), artists.changing()

    def ahead(state: dict):
        """The other mode, then the other drift, the sliders as they are."""
        values = {name: state[name] for name in controls}
        for name, options in (("mode", ("train", "eval")), ("drift", ("every batch", "after training"))):
            other = {**values, name: next(o for o in options if o != state[name])}
            computed = _state(**other)
            yield artists.frame(computed), lambda computed=computed: computed

    rows = [widgets.HBox([controls["shift"], controls["scale"]]),
            widgets.HBox([controls["batch_size"], controls["batches"]]),
            widgets.HBox([controls["gamma"], controls["beta"]]),
            controls["mode"], controls["drift"]]
    return Explorer(controls, rows, fig, compute, draw, ahead=ahead)
