"""Chapter 03's explorers: loss curves and their gradients, line fits under an outlier, and confidence.

Each explorer comes in three parts, as in ``utils/widgets/activations.py``:

- the **data its figure shows**, computed by ``utils`` and checked by tests against PyTorch
  (``regression_loss_curves``, ``binary_loss_curves``, ``confidence_curves`` evaluate ``utils.losses``'
  modules on a grid; the line fits come from ``utils.regression``, the smoothed loss's best margin from
  ``utils.losses.optimal_margin``);
- a **static drawing function** for the default state (``draw_loss_curves``, ``draw_outlier_fits``,
  ``draw_confidence``), shown before the widget so the chapter reads well where widgets do not render;
- the **widget** (``loss_curve_explorer``, ``outlier_explorer``, ``confidence_explorer``), an ``Explorer``
  with ``.controls``, ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.losses import draw_outlier_fits, outlier_explorer
    draw_outlier_fits(); plt.show()     # static figure of the default state
    outlier_explorer()                  # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .. import losses as L
from ..activations import Sigmoid, softmax
from ..module import Module
from ..plotting import course_style, fixed_labels, new_figure
from ..regression import FITS, OutlierData, outlier_data, outlier_fits, slopes_versus_shift
from .base import Explorer

__all__ = [
    "CURVES_FIGSIZE",
    "CONFIDENCE_FIGSIZE",
    "LINE_STYLES",
    "OUTLIER_FIGSIZE",
    "TRUE_LINE_STYLE",
    "binary_loss_curves",
    "confidence_curves",
    "confidence_explorer",
    "draw_confidence",
    "draw_loss_curves",
    "draw_outlier_fits",
    "loss_curve_explorer",
    "outlier_explorer",
    "regression_loss_curves",
]

CURVES_FIGSIZE = (7.0, 5.4)
OUTLIER_FIGSIZE = (7.0, 6.4)
CONFIDENCE_FIGSIZE = (7.0, 6.6)
ERROR_LIMITS = (-3.0, 3.0)  # regression: the error ŷ − y on the x-axis
LOGIT_LIMITS = (-8.0, 8.0)  # binary: the logit z on the x-axis
DELTA_LIMITS = (0.1, 3.0)
SHIFT_LIMITS = (-30.0, 30.0)  # how far the outlier is dragged from its place
HUBER_DELTA_LIMITS = (0.1, 10.0)
MARGIN_LIMITS = (-4.0, 10.0)
SMOOTHING_LIMITS = (0.0, 0.5)
CLASSES_LIMITS = (2, 20)
REGRESSION_NAMES = ("MSE", "MAE", "Huber")
BINARY_NAMES = ("BCE", "MSE on σ(z)")


def _colors() -> list[str]:
    """Three series colours of the colour-blind-safe cycle: blue, orange, dark grey (MSE, MAE, Huber; or
    BCE, MSE on σ; or the probability, hard label, smoothed label)."""
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[0], cycle[1], cycle[3], cycle[5]]  # the 4th: the dragged point


LINE_STYLES = ("-", "--", "-.")
"""The three series' line styles (MSE / BCE solid, MAE / MSE on σ dashed, Huber dash-dot)."""
_MARKERS = ({"marker": "o", "markersize": 7},
            {"marker": "s", "markersize": 12, "markerfacecolor": "none", "markeredgewidth": 2.2},
            {"marker": "D", "markersize": 6})
"""The three series' markers: where two sit on one spot (MAE's and Huber's slope beyond δ), the hollow square
stays visible around the diamond drawn after it."""
TRUE_LINE_STYLE = {"color": "0.55", "alpha": 0.35, "linewidth": 7.0, "solid_capstyle": "butt"}
"""The true line (and slope) of the outlier data: a wide grey band behind the fits, so that a fit lying on it
(Huber's, nearly) neither hides it nor is confused with it (no fit is a band)."""


def _dot(ax, color: str, series: int):
    """An empty marker artist for one series (filled circle, hollow square or diamond)."""
    return ax.plot([], [], linestyle="none", color=color, **_MARKERS[series])[0]


def _fmt(v: float) -> str:
    """A number for a title, with a real minus sign (as matplotlib's tick labels use)."""
    return f"{v:.2f}".replace("-", "−")


class _KeyedExplorer(Explorer):
    """An ``Explorer`` that can draw ahead of time the backgrounds of states the learner is likely to reach (the
    other task): ``prepare(states)``. (Every ``Explorer`` keeps the background of each key it has drawn.)"""

    def prepare(self, states: list[dict]) -> None:
        """Draw and keep the backgrounds of ``states`` (computed states of this explorer), then redraw the
        current one: the first visit to those states is then as fast as any other step."""
        with course_style():  # as in update: the style is part of what is drawn (legend frames, fonts)
            for state in states:
                key, _ = self._draw(state)
                if key not in self._backgrounds:
                    self._render(key, [])
        self.update()


# ---------------------------------------------------------------------------------------------
# (1) Loss curves: value and gradient as the prediction moves
# ---------------------------------------------------------------------------------------------
def _check_delta(delta) -> float:
    delta = float(delta)
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a finite number > 0, got {delta}")
    return delta


def _value_and_grad(loss: Module, input: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-element losses and d(loss)/d(input) from a utils.losses module with reduction="none"."""
    value = loss(input, target)
    return value, loss.backward(np.ones_like(value))


def regression_loss_curves(errors, delta: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """MSE, MAE and Huber(δ) of one prediction whose error is ŷ − y, and their derivatives dℓ/dŷ.

    Every regression loss depends on the error only, so the target is y = 0 and ŷ = error. Values and
    gradients come from ``utils.losses`` (``MSELoss``, ``L1Loss``, ``HuberLoss``, reduction "none").

    Shapes: errors (M,) -> {"MSE" | "MAE" | "Huber": (value (M,), gradient (M,))}
    """
    e = np.asarray(errors, dtype=np.float64)
    delta = _check_delta(delta)
    zero = np.zeros_like(e)
    return {
        "MSE": _value_and_grad(L.MSELoss("none"), e, zero),
        "MAE": _value_and_grad(L.L1Loss("none"), e, zero),
        "Huber": _value_and_grad(L.HuberLoss("none", delta=delta), e, zero),
    }


def binary_loss_curves(logits, label: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """BCE and MSE on a sigmoid output, for one example with target ``label``, and their dℓ/dz.

    "BCE" is ``BCEWithLogitsLoss`` (gradient σ(z) − y); "MSE on σ(z)" is ``MSELoss`` after ``Sigmoid``,
    its gradient obtained by the chain rule through both modules' backward: 2(σ − y) · σ(1 − σ).

    Shapes: logits (M,) -> {"BCE" | "MSE on σ(z)": (value (M,), gradient (M,))}
    """
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label!r}")
    z = np.asarray(logits, dtype=np.float64)
    y = np.full_like(z, float(label))
    sigmoid, mse = Sigmoid(), L.MSELoss("none")
    mse_value = mse(sigmoid(z), y)
    mse_grad = sigmoid.backward(mse.backward(np.ones_like(z)))  # chain rule: dℓ/dσ · dσ/dz
    return {"BCE": _value_and_grad(L.BCEWithLogitsLoss(reduction="none"), z, y), "MSE on σ(z)": (mse_value, mse_grad)}


@dataclass(frozen=True)
class _CurveLayout:
    x: np.ndarray
    names: tuple[str, ...]
    xlabel: str
    ylims: tuple[tuple[float, float], tuple[float, float]]
    ylabels: tuple[str, str]


@cache
def _curve_layout(task: str) -> _CurveLayout:
    if task == "regression":
        return _CurveLayout(np.linspace(*ERROR_LIMITS, 601), REGRESSION_NAMES, "error ŷ − y (prediction minus target)",
                            ((-0.3, 9.3), (-6.5, 6.5)), ("loss ℓ", "gradient dℓ/dŷ"))
    if task == "binary":
        return _CurveLayout(np.linspace(*LOGIT_LIMITS, 801), BINARY_NAMES, "logit z (the prediction is σ(z))",
                            ((-0.3, 8.6), (-1.1, 1.1)), ("loss ℓ", "gradient dℓ/dz"))
    raise ValueError(f"task must be 'regression' or 'binary', got {task!r}")


def _curves_for(task: str, delta: float, label: int, x: np.ndarray) -> dict:
    return regression_loss_curves(x, delta) if task == "regression" else binary_loss_curves(x, label)


def _curves_title(task: str, delta: float, label: int, point: float, at: dict) -> str:
    (first, (v, g)), *rest = at.items()
    readout = f"{first} {_fmt(v)} (slope {_fmt(g)})" + "".join(f" · {n} {_fmt(v)} ({_fmt(g)})" for n, (v, g) in rest)
    if task == "regression":
        return (f"MSE's slope grows with the error; MAE's is ±1, Huber's (δ = {delta:.1f}) at most δ\n"
                f"at error {_fmt(point)}: {readout}")
    wrong, limit = ("z ≪ 0", "−1") if label == 1 else ("z ≫ 0", "+1")
    return (f"y = {label}, confidently wrong for {wrong}: BCE's slope stays ≈ {limit}, MSE on σ's vanishes\n"
            f"z = {_fmt(point)}, {_binary_verdict(point, label)}: {readout}")


CONFIDENT_LOGIT = 2.0
"""|z| from which the binary explorer calls a prediction confident: σ(2) ≈ 0.88."""


def _binary_verdict(z: float, label: int) -> str:
    """What the prediction σ(z) is for target ``label``: "confidently right", "confidently wrong" or "unsure"."""
    if abs(z) < CONFIDENT_LOGIT:
        return "unsure"
    return "confidently right" if (z > 0) == (label == 1) else "confidently wrong"


class _CurvesFigure:
    """Loss (top) and gradient (bottom) of up to three losses, with a marker at one prediction."""

    def __init__(self, ax_value, ax_grad):
        colors = _colors()
        self.axes = (ax_value, ax_grad)
        self.curves = [[ax.plot([], [], color=colors[i], linewidth=2.2, linestyle=style)[0]
                        for i, style in enumerate(LINE_STYLES)] for ax in self.axes]
        self.dots = [[_dot(ax, colors[i], i) for i in range(3)] for ax in self.axes]
        self.bounds = [[ax.axvline(0, color="0.45", linestyle=":", linewidth=1.2) for _ in range(2)]
                       for ax in self.axes]
        for ax in self.axes:
            ax.axhline(0, color="0.5", linewidth=0.8)
            ax.axvline(0, color="0.5", linewidth=0.8)
            fixed_labels(ax)
        ax_value.tick_params(labelbottom=False)
        self.title = fixed_labels(ax_value)
        self._task = None

    def update(self, state: dict) -> None:
        task, layout = state["task"], _curve_layout(state["task"])
        for p, ax in enumerate(self.axes):
            for i in range(3):
                curve, dot = self.curves[p][i], self.dots[p][i]
                if i < len(layout.names):
                    name = layout.names[i]
                    curve.set_data(layout.x, state["curves"][name][p])
                    curve.set_label(name if task == "binary" or name != "Huber" else "Huber (δ: dotted lines)")
                    dot.set_data([state["point"]], [state["at"][name][p]])
                else:
                    curve.set_data([], [])
                    curve.set_label("_nolegend_")
                    dot.set_data([], [])
            for sign, line in zip((-1, 1), self.bounds[p]):
                line.set_xdata([sign * state["delta"]] * 2)
                line.set_visible(task == "regression")
            if task != self._task:
                ax.set_xlim(layout.x[0], layout.x[-1])
                ax.set_ylim(*layout.ylims[p])
                ax.set_ylabel(layout.ylabels[p])
        if task != self._task:
            self.axes[1].set_xlabel(layout.xlabel)
            self.axes[0].legend(loc="upper center", fontsize=9, ncol=3)
        self._task = task
        self.title.set_text(_curves_title(task, state["delta"], state["label"], state["point"], state["at"]))

    def changing(self) -> list:
        return [*self.curves[0], *self.curves[1], *self.dots[0], *self.dots[1], *self.bounds[0], *self.bounds[1],
                self.title]


def _default_point(task: str) -> float:
    return 1.5 if task == "regression" else -4.0


def _curves_state(task: str, delta: float, label: int, point: float) -> dict:
    layout = _curve_layout(task)
    delta = _check_delta(delta)
    curves = _curves_for(task, delta, label, layout.x)
    at = {name: tuple(float(a[0]) for a in pair)
          for name, pair in _curves_for(task, delta, label, np.array([float(point)])).items()}
    return {"task": task, "delta": delta, "label": int(label), "point": float(point), "curves": curves, "at": at,
            "title": _curves_title(task, delta, int(label), float(point), at)}


def _pair_of_axes(ax, figsize, **kwargs):
    if ax is None:
        return tuple(new_figure(figsize, nrows=2, pyplot=True, **kwargs)[1])
    try:
        first, second = ax
    except (TypeError, ValueError):
        raise ValueError("ax must be None or a pair of Axes (top, bottom)") from None
    return first, second


def draw_loss_curves(task: str = "regression", delta: float = 1.0, label: int = 1, point: float | None = None,
                     ax=None):
    """Draw the losses of ``task`` ("regression": MSE, MAE, Huber(δ) against the error; "binary": BCE and
    MSE on σ(z) against the logit, for target ``label``) and their gradients, with a marker at ``point``
    (default: the explorer's). ``ax`` is None or a pair (top, bottom). Returns the pair of Axes."""
    state = _curves_state(task, delta, label, _default_point(task) if point is None else point)
    with course_style():
        axes = _pair_of_axes(ax, CURVES_FIGSIZE, sharex=True, top=0.75)
        _CurvesFigure(*axes).update(state)
    return axes


def loss_curve_explorer(task: str = "regression", delta: float = 1.0, label: int = 1,
                        point: float | None = None) -> widgets.VBox:
    """A widget: the value and the gradient of each loss as the prediction moves.

    Controls (``.controls``): ``"task"`` (ToggleButtons "regression" / "binary"), ``"delta"`` (Huber's
    δ, 0.1–3; hidden for "binary"), ``"label"`` (the binary target, 0 or 1; hidden for "regression"),
    ``"point"`` (where the markers sit: the error, −3…3, or the logit, −8…8; reset when the task changes).
    State (``.state``): ``"task"``, ``"delta"``, ``"label"``, ``"point"``, ``"curves"`` (name -> (value,
    gradient) on the x-grid), ``"at"`` (name -> (value, gradient) at the point), ``"title"``, ``"error"``.
    """
    _curve_layout(task)  # validates the task
    with course_style():
        fig, axes = new_figure(CURVES_FIGSIZE, nrows=2, sharex=True, top=0.75)
        artists = _CurvesFigure(*axes)
    wide = {"description_width": "90px"}
    task_buttons = widgets.ToggleButtons(options=[("regression", "regression"), ("binary classification", "binary")],
                                         value=task, description="task", style={**wide, "button_width": "170px"})
    delta_slider = widgets.FloatSlider(value=float(np.clip(delta, *DELTA_LIMITS)), min=DELTA_LIMITS[0],
                                       max=DELTA_LIMITS[1], step=0.1, readout_format=".1f", description="Huber δ",
                                       style=wide, layout=widgets.Layout(width="330px"))
    label_buttons = widgets.ToggleButtons(options=[("y = 0", 0), ("y = 1", 1)], value=int(label),
                                          description="target", style=wide)
    point_slider = widgets.FloatSlider(step=0.1, readout_format=".1f", style=wide, layout=widgets.Layout(width="420px"))
    controls = {"task": task_buttons, "delta": delta_slider, "label": label_buttons, "point": point_slider}

    def configure(key: str, value: float | None) -> None:
        lo, hi = ERROR_LIMITS if key == "regression" else LOGIT_LIMITS
        point_slider.max = max(point_slider.max, hi)  # widen first, so min <= max at every step
        point_slider.min, point_slider.max = lo, hi
        point_slider.value = _default_point(key) if value is None else float(np.clip(value, lo, hi))
        point_slider.description = "error ŷ − y" if key == "regression" else "logit z"
        delta_slider.layout.display = None if key == "regression" else "none"  # shown only where it means something
        label_buttons.layout.display = "none" if key == "regression" else None

    def compute() -> dict:
        return _curves_state(task_buttons.value, delta_slider.value, label_buttons.value, point_slider.value)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return state["task"], artists.changing()

    def ahead(state: dict):
        """The other task (at its default point, as on_task sets it), then a step of the point either way; each image
        rendered whole (image_key)."""
        other = "binary" if state["task"] == "regression" else "regression"
        options = [(other, _default_point(other))]
        step = point_slider.step
        options += [(state["task"], round(state["point"] + move, 10)) for move in (step, -step)
                    if point_slider.min <= state["point"] + move <= point_slider.max]
        for key, at in options:
            computed = _curves_state(key, state["delta"], state["label"], at)
            yield computed["task"], lambda computed=computed: computed

    def image_key(state: dict) -> tuple:
        return state["task"], state["delta"], state["label"], state["point"]

    configure(task, point)
    rows = [task_buttons, widgets.HBox([delta_slider, label_buttons]), point_slider]
    explorer = _KeyedExplorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)

    def on_task(change) -> None:
        with explorer.paused():
            configure(change["new"], None)

    task_buttons.unobserve(explorer._on_change, names="value")
    task_buttons.observe(on_task, names="value")
    return explorer  # the other task's image is drawn ahead once the kernel is idle


# ---------------------------------------------------------------------------------------------
# (2) Outliers: a line fitted under MSE, MAE and Huber while one point is dragged away
# ---------------------------------------------------------------------------------------------
_SHIFT_GRID = np.linspace(*SHIFT_LIMITS, 121)


def _outlier_ylim(y_outlier: float, data: OutlierData) -> tuple[float, float]:
    """Data limits in steps of 10, so the axes (and the blit background) change only now and then."""
    lo = min(data.y.min(), y_outlier) - 3.0
    hi = max(data.y.max(), y_outlier) + 3.0
    return float(np.floor(lo / 10) * 10), float(np.ceil(hi / 10) * 10)


def _outlier_state(shift: float, delta: float, data: OutlierData, slopes: dict | None = None) -> dict:
    """The explorer's state. ``slopes`` (δ -> each fit's slope over the shift grid) keeps the curves of the
    lower panel, which depend on δ only: dragging the point then refits one line per loss (< 1 ms), not 121."""
    delta = _check_delta(delta)
    y = data.with_shift(shift)
    fits = outlier_fits(shift, delta, data)
    slopes = {} if slopes is None else slopes
    if delta not in slopes:
        slopes[delta] = slopes_versus_shift(_SHIFT_GRID, delta, data)
    return {"shift": float(shift), "delta": delta, "x": data.x, "y": y, "fits": fits,
            "slopes_vs_shift": slopes[delta], "shifts": _SHIFT_GRID,
            "ylim": _outlier_ylim(y[data.outlier], data),
            "title": ("Drag one point away: the MSE line follows it, MAE and Huber barely move\n"
                      f"slopes: true {_fmt(data.slope)} · " + " · ".join(f"{n} {_fmt(f[0])}" for n, f in fits.items())
                      + f"   (Huber δ = {delta:.2g})")}


class _OutlierFigure:
    def __init__(self, ax_fit, ax_slope, data: OutlierData):
        colors = _colors()
        self.data, self.axes = data, (ax_fit, ax_slope)
        grid = np.array([-1.0, 11.0])
        ax_fit.plot(grid, data.slope * grid + data.intercept, label="true line", zorder=1, **TRUE_LINE_STYLE)
        keep = np.arange(data.x.size) != data.outlier
        ax_fit.plot(data.x[keep], data.y[keep], "o", color="0.45", markersize=5, label="data", zorder=3)
        ax_fit.plot([data.x[data.outlier]], [data.y[data.outlier]], "o", markerfacecolor="none", color="0.35",
                    markersize=8, zorder=3)
        self.drag = ax_fit.plot([], [], color="0.35", linestyle=":", linewidth=1.2)[0]
        self.outlier = ax_fit.plot([], [], "D", color=colors[3], markeredgecolor="black", markersize=9,
                                   label="the dragged point", zorder=4)[0]
        self.lines = {name: ax_fit.plot([], [], color=colors[i], linestyle=LINE_STYLES[i], linewidth=2.2,
                                        label=f"{name} fit", zorder=2)[0] for i, name in enumerate(FITS)}
        ax_fit.set_xlim(-0.5, 10.5)
        ax_fit.set_xlabel("x")
        ax_fit.set_ylabel("y")
        fixed_labels(ax_fit)
        self.slope_curves = {name: ax_slope.plot([], [], color=colors[i], linestyle=LINE_STYLES[i], linewidth=2.2,
                                                 label=name)[0] for i, name in enumerate(FITS)}
        self.slope_dots = {name: _dot(ax_slope, colors[i], i) for i, name in enumerate(FITS)}
        ax_slope.axhline(data.slope, zorder=1, **TRUE_LINE_STYLE)
        self.now = ax_slope.axvline(0.0, color="0.35", linestyle=":", linewidth=1.2)
        ax_slope.set_xlim(*SHIFT_LIMITS)
        ax_slope.set_xlabel("how far the point is dragged (shift of its y)")
        ax_slope.set_ylabel("slope of the fit")
        fixed_labels(ax_slope).set_text("The fitted slope as the point moves (grey band: the true slope)")
        ax_slope.legend(loc="upper left", fontsize=9, ncol=3)
        self.title = fixed_labels(ax_fit)
        self._ylim, self._slope_ylim = None, None

    def update(self, state: dict) -> None:
        d, ax_fit, ax_slope = self.data, *self.axes
        i = d.outlier
        self.drag.set_data([d.x[i], d.x[i]], [d.y[i], state["y"][i]])
        self.outlier.set_data([d.x[i]], [state["y"][i]])
        grid = np.array([-0.5, 10.5])
        for name, (slope, intercept) in state["fits"].items():
            self.lines[name].set_data(grid, slope * grid + intercept)
            self.slope_curves[name].set_data(state["shifts"], state["slopes_vs_shift"][name])
            self.slope_dots[name].set_data([state["shift"]], [slope])
        self.now.set_xdata([state["shift"]] * 2)
        frame = (state["ylim"], "upper left" if state["shift"] <= 0 else "lower right")  # the legend avoids the point
        if frame != self._ylim:
            ax_fit.set_ylim(*frame[0])
            ax_fit.legend(loc=frame[1], fontsize=9, ncol=2)
            self._ylim = frame
        all_slopes = np.concatenate(list(state["slopes_vs_shift"].values()))
        slope_ylim = (float(np.floor(all_slopes.min() * 2) / 2), float(np.ceil(all_slopes.max() * 2) / 2))
        if slope_ylim != self._slope_ylim:
            ax_slope.set_ylim(*slope_ylim)
            self._slope_ylim = slope_ylim
        self.title.set_text(state["title"])

    def key(self) -> tuple:
        return self._ylim, self._slope_ylim

    def changing(self) -> list:
        return [*self.lines.values(), *self.slope_curves.values(), *self.slope_dots.values(), self.drag, self.outlier,
                self.now, self.title]


def draw_outlier_fits(shift: float = 15.0, delta: float = 1.0, ax=None):
    """The points with one dragged up by ``shift``, the MSE / MAE / Huber(δ) lines (top), and each fit's slope
    against the shift (bottom). ``ax`` is None or a pair (top, bottom). Returns the pair of Axes."""
    data = outlier_data()
    state = _outlier_state(shift, delta, data)
    with course_style():
        axes = _pair_of_axes(ax, OUTLIER_FIGSIZE, gap=0.85, top=0.75)
        _OutlierFigure(*axes, data).update(state)
    return axes


def outlier_explorer(shift: float = 15.0, delta: float = 1.0) -> widgets.VBox:
    """A widget: drag one point away and watch the lines fitted under MSE, MAE and Huber(δ).

    Controls (``.controls``): ``"shift"`` (how far the point is moved up, −30…30) and ``"delta"`` (Huber's
    δ, 0.1–10, log scale). State (``.state``): ``"shift"``, ``"delta"``, ``"x"``, ``"y"`` (the data with
    the moved point), ``"fits"`` (name -> (slope, intercept)), ``"shifts"`` and ``"slopes_vs_shift"``
    (each fit's slope over the shift range), ``"ylim"``, ``"title"``, ``"error"``.
    """
    data = outlier_data()
    with course_style():
        fig, axes = new_figure(OUTLIER_FIGSIZE, nrows=2, gap=0.85, top=0.75)
        artists = _OutlierFigure(*axes, data)
    wide = {"description_width": "110px"}
    shift_slider = widgets.FloatSlider(value=float(np.clip(shift, *SHIFT_LIMITS)), min=SHIFT_LIMITS[0],
                                       max=SHIFT_LIMITS[1], step=0.5, readout_format=".1f",
                                       description="drag the point", style=wide, layout=widgets.Layout(width="460px"))
    lo, hi = np.log10(HUBER_DELTA_LIMITS)
    delta_slider = widgets.FloatLogSlider(value=float(np.clip(delta, *HUBER_DELTA_LIMITS)), base=10, min=lo, max=hi,
                                          step=(hi - lo) / 100, readout_format=".2g", description="Huber δ",
                                          style=wide, layout=widgets.Layout(width="460px"))
    controls = {"shift": shift_slider, "delta": delta_slider}

    slopes: dict = {}  # δ -> the lower panel's curves, computed once per δ

    def compute() -> dict:
        return _outlier_state(shift_slider.value, delta_slider.value, data, slopes)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return artists.key(), artists.changing()

    note = widgets.HTML("<small>Huber's δ on a log scale: a large δ behaves like MSE, a small δ like MAE.</small>")
    return _KeyedExplorer(controls, [shift_slider, delta_slider, note], fig, compute, draw)


# ---------------------------------------------------------------------------------------------
# (3) Confidence: the logit margin of the true class -> probability, loss and gradient
# ---------------------------------------------------------------------------------------------
def _check_classes(n_classes) -> int:
    if isinstance(n_classes, bool) or int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    return int(n_classes)


def confidence_curves(margins, n_classes: int = 10, label_smoothing: float = 0.1) -> dict[str, np.ndarray]:
    """One example whose true class has logit ``m`` (the margin) and the other ``C − 1`` classes logit 0.

    Returns the true class's probability ``"p"``, the cross-entropy with a hard label ``"loss"`` and
    with label smoothing s ``"smoothed_loss"``, and the gradients of both with respect to the true class's
    logit (``"grad"``, ``"smoothed_grad"``), all from ``utils.losses.CrossEntropyLoss`` (reduction "none"
    and its backward), and the smoothed target probability ``"target"`` = 1 − s + s / C of the true class.

    Shapes: margins (M,) -> each entry (M,), "target" a float
    """
    c = _check_classes(n_classes)
    m = np.asarray(margins, dtype=np.float64)
    logits = np.zeros((m.size, c))
    logits[:, 0] = m  # (M, C): class 0 is the true class
    labels = np.zeros(m.size, dtype=np.int64)
    out = {"p": softmax(logits, axis=1)[:, 0]}
    for suffix, smoothing in (("", 0.0), ("smoothed_", float(label_smoothing))):
        ce = L.CrossEntropyLoss(reduction="none", label_smoothing=smoothing)
        out[f"{suffix}loss"] = ce(logits, labels)
        out[f"{suffix}grad"] = ce.backward(np.ones(m.size))[:, 0]
    out["target"] = 1.0 - float(label_smoothing) + float(label_smoothing) / c
    return out


_MARGIN_GRID = np.linspace(*MARGIN_LIMITS, 561)
_LOSS_TOP = float(np.ceil(np.log1p((CLASSES_LIMITS[1] - 1) * np.exp(-MARGIN_LIMITS[0])) + 0.5))
"""The loss panel's upper limit for every C: the largest loss shown (C = 20 at the smallest margin) plus room.
One fixed frame: changing C only redraws the curves (a new frame would redraw the whole figure, ~100 ms)."""


def _confidence_state(margin: float, label_smoothing: float, n_classes: int) -> dict:
    smoothing = float(label_smoothing)
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {smoothing}")
    c = _check_classes(n_classes)
    curves = confidence_curves(_MARGIN_GRID, c, smoothing)
    at = {k: float(v[0]) for k, v in confidence_curves([margin], c, smoothing).items() if k != "target"}
    best = L.optimal_margin(c, smoothing)
    stop = (f"smoothing (s = {smoothing:.2f}) stops at {_fmt(best)}" if np.isfinite(best) else "so does s = 0")
    title = (f"C = {c}: hard labels push the margin to ∞; {stop}\n"
             f"margin {_fmt(margin)}: p = {at['p']:.2f} · loss {_fmt(at['loss'])} (gradient {_fmt(at['grad'])})"
             f" · smoothed {_fmt(at['smoothed_loss'])} ({_fmt(at['smoothed_grad'])})")
    return {"margin": float(margin), "label_smoothing": smoothing, "n_classes": c, "margins": _MARGIN_GRID,
            "curves": curves, "at": at, "optimum": best, "title": title}


class _ConfidenceFigure:
    def __init__(self, ax_p, ax_loss, ax_grad):
        colors = _colors()
        self.axes = (ax_p, ax_loss, ax_grad)
        self.p_curve = ax_p.plot([], [], color=colors[0], linewidth=2.2, label="p(true class)")[0]
        self.p_dot = ax_p.plot([], [], "o", color=colors[0], markersize=7)[0]
        ax_p.axhline(1.0, color=colors[1], linestyle=(0, (2, 2)), linewidth=1.4, label="hard target 1")
        self.target = ax_p.axhline(0.9, color=colors[2], linestyle="-.", linewidth=1.4,
                                   label="smoothed target 1 − s + s/C")
        self.chance = ax_p.axhline(0.1, color="0.6", linestyle=":", linewidth=1.2, label="chance 1/C")
        self.loss_curves = [ax_loss.plot([], [], color=colors[i], linestyle=s, linewidth=2.2, label=lab)[0]
                            for i, s, lab in ((1, "-", "hard label"), (2, "-.", "label smoothing"))]
        self.loss_dots = [_dot(ax_loss, colors[i], i) for i in (1, 2)]
        self.grad_curves = [ax_grad.plot([], [], color=colors[i], linestyle=s, linewidth=2.2)[0]
                            for i, s in ((1, "-"), (2, "-."))]
        self.grad_dots = [_dot(ax_grad, colors[i], i) for i in (1, 2)]
        self.optimum = [ax.axvline(0, color=colors[2], linestyle=":", linewidth=1.2) for ax in self.axes]
        for ax, ylabel in zip(self.axes, ("probability", "cross-entropy", "d loss / d (true logit)")):
            ax.axhline(0, color="0.5", linewidth=0.8)
            ax.set_xlim(*MARGIN_LIMITS)
            ax.set_ylabel(ylabel)
            fixed_labels(ax)
        ax_p.set_ylim(-0.03, 1.08)
        ax_loss.set_ylim(-0.15, _LOSS_TOP)
        ax_grad.set_ylim(-1.08, 0.58)
        ax_p.legend(loc="center right", fontsize=8.5, frameon=True, framealpha=0.9, edgecolor="none")  # hides lines
        ax_loss.legend(loc="upper right", fontsize=9)
        for ax in self.axes[:2]:
            ax.tick_params(labelbottom=False)
        ax_grad.set_xlabel("margin: logit of the true class minus the others' (all 0)")
        self.title = fixed_labels(ax_p)

    def update(self, state: dict) -> None:
        m, curves, at = state["margins"], state["curves"], state["at"]
        self.p_curve.set_data(m, curves["p"])
        self.p_dot.set_data([state["margin"]], [at["p"]])
        self.target.set_ydata([curves["target"]] * 2)
        self.chance.set_ydata([1.0 / state["n_classes"]] * 2)
        for i, suffix in enumerate(("", "smoothed_")):
            self.loss_curves[i].set_data(m, curves[f"{suffix}loss"])
            self.loss_dots[i].set_data([state["margin"]], [at[f"{suffix}loss"]])
            self.grad_curves[i].set_data(m, curves[f"{suffix}grad"])
            self.grad_dots[i].set_data([state["margin"]], [at[f"{suffix}grad"]])
        for line in self.optimum:
            line.set_xdata([state["optimum"]] * 2 if np.isfinite(state["optimum"]) else [np.nan] * 2)
        self.title.set_text(state["title"])

    def changing(self) -> list:
        return [self.p_curve, self.p_dot, self.target, self.chance, *self.loss_curves, *self.loss_dots,
                *self.grad_curves, *self.grad_dots, *self.optimum, self.title]


def draw_confidence(margin: float = 2.0, label_smoothing: float = 0.1, n_classes: int = 10, ax=None):
    """Probability of the true class, cross-entropy with and without label smoothing, and their gradients
    against the logit margin, with markers at ``margin``. ``ax`` is None or a triple of Axes."""
    state = _confidence_state(margin, label_smoothing, n_classes)
    with course_style():
        if ax is None:
            _, ax = new_figure(CONFIDENCE_FIGSIZE, nrows=3, pyplot=True, sharex=True, top=0.75)
        try:
            axes = tuple(ax)
            assert len(axes) == 3
        except (TypeError, AssertionError):
            raise ValueError("ax must be None or three Axes (probability, loss, gradient)") from None
        _ConfidenceFigure(*axes).update(state)
    return axes


def confidence_explorer(margin: float = 2.0, label_smoothing: float = 0.1, n_classes: int = 10) -> widgets.VBox:
    """A widget: slide the true class's logit margin and watch its probability, the loss and the gradient.

    Controls (``.controls``): ``"margin"`` (−4…10), ``"label_smoothing"`` (s, 0…0.5), ``"n_classes"``
    (C, 2…20). State (``.state``): ``"margin"``, ``"label_smoothing"``, ``"n_classes"``, ``"margins"``
    (the x-grid), ``"curves"`` (as ``confidence_curves``), ``"at"`` (the values at the margin),
    ``"optimum"`` (the smoothed loss's best margin, inf for s = 0), ``"title"``, ``"error"``.
    """
    with course_style():
        fig, axes = new_figure(CONFIDENCE_FIGSIZE, nrows=3, sharex=True, top=0.75)
        artists = _ConfidenceFigure(*axes)
    wide = {"description_width": "120px"}
    margin_slider = widgets.FloatSlider(value=float(np.clip(margin, *MARGIN_LIMITS)), min=MARGIN_LIMITS[0],
                                        max=MARGIN_LIMITS[1], step=0.1, readout_format=".1f",
                                        description="margin", style=wide, layout=widgets.Layout(width="460px"))
    smoothing_slider = widgets.FloatSlider(value=float(np.clip(label_smoothing, *SMOOTHING_LIMITS)),
                                           min=SMOOTHING_LIMITS[0], max=SMOOTHING_LIMITS[1], step=0.01,
                                           readout_format=".2f", description="label smoothing s", style=wide,
                                           layout=widgets.Layout(width="460px"))
    classes_slider = widgets.IntSlider(value=int(np.clip(n_classes, *CLASSES_LIMITS)), min=CLASSES_LIMITS[0],
                                       max=CLASSES_LIMITS[1], description="classes C", style=wide,
                                       layout=widgets.Layout(width="460px"))
    controls = {"margin": margin_slider, "label_smoothing": smoothing_slider, "n_classes": classes_slider}

    def compute() -> dict:
        return _confidence_state(margin_slider.value, smoothing_slider.value, classes_slider.value)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return "one frame", artists.changing()  # the same frame for every state: only the artists change

    return Explorer(controls, [margin_slider, smoothing_slider, classes_slider], fig, compute, draw)
