"""Chapter 01's explorers (activation functions and their derivatives; softmax with a temperature).

Each explorer comes in three parts:

- the **data its figure shows**, computed by ``utils.activations`` (``activation_curves``: f and f′ on a
  grid; the temperature bars are ``softmax_temperature`` and ``entropy``);
- a **static drawing function** (``draw_activation``, ``draw_temperature``) that draws the same figure
  with matplotlib: a notebook shows it before the widget, so the chapter reads well where widgets do not
  render (GitHub, nbviewer, a PDF);
- the **widget** (``activation_explorer``, ``softmax_temperature_explorer``), an ``Explorer``
  (``utils/widgets/base.py``) with ``.controls``, ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.activations import activation_explorer, draw_activation
    draw_activation("leaky_relu"); plt.show()     # static figure of the default state
    activation_explorer()                          # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .. import activations as A
from ..module import to_float64
from ..plotting import FIGSIZE, course_style, fixed_labels, new_figure
from .base import Explorer

__all__ = [
    "ACTIVATION_FIGSIZE",
    "LABELS",
    "NOTICE",
    "PARAMETERS",
    "ParameterSpec",
    "activation_curves",
    "activation_explorer",
    "draw_activation",
    "draw_temperature",
    "softmax_temperature_explorer",
]

ACTIVATION_FIGSIZE = (7.0, 5.0)  # two stacked panels (f above f′) at notebook width
X_LIMITS = (-10.0, 10.0)  # the x-range slider's bounds
MIN_X_WIDTH = 0.5  # the x-range slider's step: an empty range is widened to this
LOGIT_LIMITS = (-5.0, 5.0)
T_LIMITS = (0.05, 20.0)



# ---------------------------------------------------------------------------------------------
# (a) Activation functions and their derivatives
# ---------------------------------------------------------------------------------------------
LABELS = {
    "step": "Step",
    "identity": "Identity",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU (swish)",
    "softplus": "Softplus",
}
"""Internal name (a key of ``utils.activations.ACTIVATIONS``) -> the label a learner reads, in menu order."""


@dataclass(frozen=True)
class ParameterSpec:
    """One activation parameter, as the explorer's slider shows it."""

    keyword: str  # the keyword argument of the utils.activations function, e.g. "alpha"
    symbol: str  # as written in titles, e.g. "α"
    label: str  # the slider's description
    min: float
    max: float
    step: float
    default: float  # the slider's starting value
    torch_default: float  # PyTorch's default value
    note: str  # one sentence shown under the controls

    def check(self, value) -> float:
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"{self.keyword} must be a finite number, got {value}")
        if self.keyword == "beta" and value <= 0:
            raise ValueError(f"beta must be > 0 (softplus divides by it), got {value}")
        return value


PARAMETERS = {
    "leaky_relu": ParameterSpec(
        "negative_slope", "negative slope", "negative slope", 0.0, 0.5, 0.01, 0.1, 0.01,
        "The slope for x < 0. PyTorch's default is 0.01, too small to see at this scale, "
        "so the slider starts at 0.1.",
    ),
    "elu": ParameterSpec(
        "alpha", "α", "α (alpha)", 0.1, 3.0, 0.05, 1.0, 1.0,
        "α sets the value ELU approaches for very negative x: −α (PyTorch's default is α = 1).",
    ),
    "softplus": ParameterSpec(
        "beta", "β", "β (beta)", 0.25, 5.0, 0.05, 1.0, 1.0,
        "β sets the sharpness: a large β bends like ReLU, a small β is smoother (PyTorch's default is β = 1).",
    ),
}
"""Name -> its one parameter; the other activations (absent here) have none."""

NOTICE = {
    "step": "f′ = 0 everywhere (undefined at 0): gradient descent gets no signal",
    "identity": "f′ = 1 everywhere: layers without a nonlinearity stay linear",
    "sigmoid": "f′ is at most 0.25 and vanishes for large |x|",
    "tanh": "zero-centred; f′ is at most 1 and vanishes for large |x|",
    "relu": "f′ is 0 for x < 0 (a unit stuck there stops learning), 1 for x > 0",
    "leaky_relu": "for x < 0, f′ is the small slope instead of 0, so gradients still flow",
    "elu": "smooth for x < 0, where f levels off at −α and f′ = α·eˣ",
    "gelu": "a smooth ReLU with a dip: lowest at x ≈ −0.75 (f′ = 0); f′ overshoots 1",
    "silu": "a smooth ReLU with a dip: lowest at x ≈ −1.28 (f′ = 0); f′ overshoots 1",
    "softplus": "a smooth ReLU: f′ is the sigmoid σ(βx)",
}
"""Name -> what to notice, the second line of the figure's title."""

_KINKS = {"step": "f", "relu": "df", "leaky_relu": "df", "elu": "df"}
"""Name -> the panel ("f" or "df") where the curve may jump at x = 0; a dot there marks PyTorch's value at 0."""


def _check_name(name: str) -> None:
    if name not in LABELS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(LABELS)}")


def _resolve_param(name: str, param) -> float | None:
    """The parameter value to use (the spec's default when None), or None for a function without one."""
    _check_name(name)
    spec = PARAMETERS.get(name)
    if spec is None:
        if param is not None:
            raise ValueError(f"{LABELS[name]} has no parameter, got param={param!r}")
        return None
    return spec.default if param is None else spec.check(param)


def _functions(name: str, param: float | None) -> tuple[Callable, Callable]:
    f, df = A.ACTIVATIONS[name]
    if param is None:
        return f, df
    kw = {PARAMETERS[name].keyword: param}
    return (lambda x: f(x, **kw)), (lambda x: df(x, **kw))


def activation_curves(name: str, x_min: float, x_max: float, param: float | None = None,
                      n: int = 401) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The activation ``name`` and its derivative on ``n`` evenly spaced points of ``[x_min, x_max]``.

    ``param`` is the function's parameter (``PARAMETERS[name]``: Leaky ReLU's negative slope, ELU's α,
    softplus's β); ``None`` means the explorer's default. Functions without a parameter need ``None``.
    Values come from ``utils.activations`` (derivatives at kinks follow PyTorch).

    Shapes: -> x (n,), f (n,), df (n,)

    Raises:
        ValueError: for an unknown name, an empty x-range, n < 2 or an invalid parameter.
    """
    param = _resolve_param(name, param)
    x_min, x_max = float(x_min), float(x_max)
    if not (np.isfinite(x_min) and np.isfinite(x_max) and x_min < x_max):
        raise ValueError(f"the x-range must satisfy x_min < x_max, got [{x_min}, {x_max}]")
    if int(n) < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    f, df = _functions(name, param)
    x = np.linspace(x_min, x_max, int(n))
    return x, f(x), df(x)


def _title(name: str, param: float | None) -> str:
    label = LABELS[name]
    if param is not None:
        spec = PARAMETERS[name]
        label += f" ({spec.symbol} = {param:.2f})"
    return f"{label}: f and its derivative f′\n{NOTICE[name]}"


def _y_limits(ys: Sequence[np.ndarray]) -> tuple[float, float]:
    """Limits for all the curves ``ys``: always including 0, spanning at least 1, with a margin.

    A non-negative curve spans at least [0, 1] (so σ′ <= 0.25 looks as small as it is next to tanh′).
    """
    lo, hi = min(0.0, min(np.nanmin(y) for y in ys)), max(0.0, max(np.nanmax(y) for y in ys))
    if hi - lo < 1.0:
        if lo == 0.0:
            hi = 1.0
        elif hi == 0.0:
            lo = -1.0
        else:
            lo, hi = lo - (1.0 - (hi - lo)) / 2, hi + (1.0 - (hi - lo)) / 2
    margin = 0.08 * (hi - lo)
    return lo - margin, hi + margin


_CORNERS = {  # legend location -> its approximate box (x0, x1) and whether it hangs from the top
    "upper left": ((0.0, 0.5), True),
    "lower right": ((0.5, 1.0), False),
    "upper right": ((0.5, 1.0), True),
    "lower left": ((0.0, 0.5), False),
}


def _free_corner(x: np.ndarray, ys: Sequence[np.ndarray], ylim: tuple[float, float], entries: int) -> str:
    """The corner whose legend box covers the fewest points of the curves ``ys`` over ``x``.

    Matplotlib's ``loc="best"`` does the same but costs ~30 ms per draw, half of a slider update.
    """
    u = (x - x[0]) / (x[-1] - x[0])  # axes fractions
    height = 0.08 + 0.14 * entries  # one legend entry is ~14% of a panel's height
    best, fewest = "upper left", None
    for loc, ((x0, x1), top) in _CORNERS.items():
        count = 0
        for y in ys:
            v = (y - ylim[0]) / (ylim[1] - ylim[0])
            count += int(np.count_nonzero((u >= x0) & (u <= x1) & ((v >= 1 - height) if top else (v <= height))))
        if fewest is None or count < fewest:
            best, fewest = loc, count
    return best


@dataclass(frozen=True)
class _PanelLayout:
    ylim: tuple[float, float]
    legend_loc: str
    dot: bool  # whether this panel marks the value at the kink x = 0


@lru_cache(maxsize=64)
def _panel_layouts(name: str, x_min: float, x_max: float, n: int) -> tuple[_PanelLayout, _PanelLayout]:
    """Limits and legend corners for the f and f′ panels that stay put while the parameter slider moves.

    Computed from the curves at the parameter's smallest, default and largest values (each function here is
    monotonic in its parameter, so these three bound every other curve).
    """
    spec = PARAMETERS.get(name)
    params = [None] if spec is None else [spec.min, spec.default, spec.max]
    curves = [activation_curves(name, x_min, x_max, p, n=n) for p in params]
    x = curves[0][0]
    layouts = []
    for which, panel in ((1, "f"), (2, "df")):
        ys = [c[which] for c in curves]
        ylim = _y_limits(ys)
        dot = _KINKS.get(name) == panel and x_min < 0 < x_max
        layouts.append(_PanelLayout(ylim, _free_corner(x, ys, ylim, 2 if dot else 1), dot))
    return layouts[0], layouts[1]


def _break_at_zero(g: Callable, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Break the curve (insert NaN) where ``g`` jumps at x = 0, so no vertical line suggests in-between values."""
    if not (x[0] < 0 < x[-1]):
        return x, y
    left, right = g(np.array([-1e-9, 1e-9]))
    if abs(right - left) < 1e-6:
        return x, y
    around = np.flatnonzero((x[:-1] <= 0) & (x[1:] >= 0))  # the one or two segments touching 0
    i = around[np.argmax(np.abs(y[around + 1] - y[around]))]
    return np.insert(x, i + 1, np.nan), np.insert(y, i + 1, np.nan)


class _ActivationFigure:
    """The artists of the activation figure on ``(ax_f, ax_df)``, made once; ``update`` changes their data.

    An explorer keeps one and updates it; ``changing()`` lists what changes with the parameter alone.
    """

    def __init__(self, ax_f, ax_df):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.axes = (ax_f, ax_df)
        self.curves, self.dots = [], []
        for ax, color, ylabel in ((ax_f, colors[0], "f(x)"), (ax_df, colors[1], "f′(x)")):
            ax.axhline(0, color="0.5", linewidth=0.8)
            ax.axvline(0, color="0.5", linewidth=0.8)
            self.curves.append(ax.plot([], [], color=color, linewidth=2.2)[0])
            self.dots.append(ax.plot([], [], "o", color=color, markersize=6)[0])
            ax.set_ylabel(ylabel)
            fixed_labels(ax)
        ax_f.tick_params(labelbottom=False)
        ax_df.set_xlabel("x (the pre-activation)")
        self.title = fixed_labels(ax_f)
        self._layout_key = None

    def update(self, name: str, x: np.ndarray, f: np.ndarray, df: np.ndarray, param: float | None) -> None:
        key = (name, float(x[0]), float(x[-1]), x.size)
        layouts = _panel_layouts(*key)
        g, dg = _functions(name, param)
        for ax, curve, dot, y, fun, label, symbol, layout in (
            (self.axes[0], self.curves[0], self.dots[0], f, g, f"f(x) = {LABELS[name]}", "f(0)", layouts[0]),
            (self.axes[1], self.curves[1], self.dots[1], df, dg, "f′(x), the derivative", "f′(0)", layouts[1]),
        ):
            curve.set_data(*(_break_at_zero(fun, x, y) if name in _KINKS else (x, y)))
            curve.set_label(label)
            if layout.dot:
                dot.set_data([0.0], fun(np.array([0.0])))
                dot.set_label(f"{symbol}: the value at x = 0, as in PyTorch")
            else:
                dot.set_data([], [])
                dot.set_label("_nolegend_")
            if key != self._layout_key:  # limits and legends change with the function and the x-range only
                ax.set_ylim(*layout.ylim)
                ax.set_xlim(x[0], x[-1])
                ax.legend(loc=layout.legend_loc, fontsize=9)
        self._layout_key = key
        self.title.set_text(_title(name, param))

    def changing(self) -> list:
        """The artists that change when only the parameter changes (limits, ticks and legends stay)."""
        return [*self.curves, *self.dots]

    def parts(self) -> dict:
        """The title, kept apart by its words (an explorer's part): a new x-range keeps it."""
        return {self.title: self.title.get_text()}


def _activation_axes(ax):
    if ax is None:
        _, (ax_f, ax_df) = new_figure(ACTIVATION_FIGSIZE, nrows=2, pyplot=True, sharex=True, bottom=0.6)
        return ax_f, ax_df
    try:
        ax_f, ax_df = ax
    except (TypeError, ValueError):
        raise ValueError("ax must be None or a pair of Axes (ax_f, ax_df): f above, f′ below") from None
    return ax_f, ax_df


def draw_activation(name: str = "leaky_relu", x_range: tuple[float, float] = (-5.0, 5.0),
                    param: float | None = None, ax=None):
    """Draw the activation ``name`` (top panel) and its derivative (bottom panel) over ``x_range``.

    ``param`` as in ``activation_curves`` (None: the explorer's default). ``ax`` is None (a new
    figure) or a pair ``(ax_f, ax_df)``. Where f or f′ jumps at 0 (step, ReLU′, Leaky ReLU′, ELU′ for
    α ≠ 1) the curve is broken and a dot marks the value at 0. Returns ``(ax_f, ax_df)``.
    """
    param = _resolve_param(name, param)
    x, f, df = activation_curves(name, *x_range, param=param)
    with course_style():
        ax_f, ax_df = _activation_axes(ax)
        _ActivationFigure(ax_f, ax_df).update(name, x, f, df, param)
    return ax_f, ax_df


def activation_explorer(name: str = "leaky_relu", x_range: tuple[float, float] = (-5.0, 5.0),
                        param: float | None = None) -> widgets.VBox:
    """A widget to explore an activation and its derivative: pick the function, its parameter, the x-range.

    Controls (``.controls``): ``"function"`` (Dropdown; labels from ``LABELS``, values the internal
    names), ``"x_range"`` (FloatRangeSlider within [-10, 10]), ``"param"`` (FloatSlider; its
    description, range and default follow the function, disabled for functions without a parameter).
    State (``.state``): ``"name"``, ``"label"``, ``"param"`` (None when there is none), ``"x_range"``,
    ``"x"``, ``"f"``, ``"df"``, ``"title"``, ``"error"``. An x-range whose handles meet is widened to
    0.5; start values outside the sliders' ranges are clipped by the sliders.
    """
    start_param = _resolve_param(name, param)
    with course_style():
        fig, (ax_f, ax_df) = new_figure(ACTIVATION_FIGSIZE, nrows=2, sharex=True, bottom=0.6)
        artists = _ActivationFigure(ax_f, ax_df)
    wide = {"description_width": "110px"}
    function = widgets.Dropdown(options=[(label, key) for key, label in LABELS.items()], value=name,
                                description="function", style=wide, layout=widgets.Layout(width="300px"))
    x_slider = widgets.FloatRangeSlider(value=tuple(x_range), min=X_LIMITS[0], max=X_LIMITS[1], step=MIN_X_WIDTH,
                                        description="x range", readout_format=".1f", style=wide,
                                        layout=widgets.Layout(width="420px"))
    p_slider = widgets.FloatSlider(description="(no parameter)", readout_format=".2f", style=wide,
                                   continuous_update=True, layout=widgets.Layout(width="420px"))
    note = widgets.HTML()
    controls = {"function": function, "x_range": x_slider, "param": p_slider}

    def configure_param_slider(key: str, value: float | None) -> None:
        """Description, range, step, default and enabled-state of the slider for function ``key``."""
        spec = PARAMETERS.get(key)
        if spec is None:
            p_slider.description, p_slider.disabled = "(no parameter)", True
            note.value = f"<small>{LABELS[key]} has no parameter.</small>"
            return
        # widen first, so that min <= max and the value fit at every intermediate step
        p_slider.max = max(p_slider.max, spec.max)
        p_slider.min = spec.min
        p_slider.max = spec.max
        p_slider.step = spec.step
        p_slider.value = spec.default if value is None else float(np.clip(value, spec.min, spec.max))
        p_slider.description, p_slider.disabled = spec.label, False
        note.value = f"<small>{spec.note}</small>"

    def state_of(key: str, x_range: tuple[float, float], param_value: float | None) -> dict:
        x, f, df = activation_curves(key, *x_range, param_value)
        return {"name": key, "label": LABELS[key], "param": param_value, "x_range": x_range,
                "x": x, "f": f, "df": df, "title": _title(key, param_value)}

    def compute() -> dict:
        key = function.value
        return state_of(key, tuple(x_slider.value), p_slider.value if key in PARAMETERS else None)

    def background_key(state: dict) -> tuple:
        return state["name"], state["x_range"]  # the y-limits and the legends depend on these only

    def draw(state: dict) -> tuple:
        artists.update(state["name"], state["x"], state["f"], state["df"], state["param"])
        return background_key(state), artists.changing(), artists.parts()

    def ahead(state: dict):
        """The menu's other functions at this x-range (each at its default parameter, as on_function sets it)."""
        names = list(LABELS)
        at = names.index(state["name"])
        for key in names[at + 1:] + names[:at]:
            param_value = PARAMETERS[key].default if key in PARAMETERS else None
            yield background_key({"name": key, "x_range": state["x_range"]}), partial(state_of, key,
                                                                                       state["x_range"], param_value)

    configure_param_slider(name, start_param)
    rows = [widgets.HBox([function, p_slider]), x_slider, note]
    def image_key(state: dict) -> tuple:
        return state["name"], state["param"], state["x_range"]

    explorer = Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)

    def on_function(change) -> None:
        with explorer.paused():  # reconfigure the slider quietly, then draw once
            configure_param_slider(change["new"], None)

    def on_x_range(change) -> None:
        lo, hi = change["new"]
        if hi - lo >= MIN_X_WIDTH:
            explorer._on_change(change)
        else:  # the two handles met: widen the range (this observer runs again, with a valid range)
            x_slider.value = (lo, lo + MIN_X_WIDTH) if lo + MIN_X_WIDTH <= X_LIMITS[1] else (hi - MIN_X_WIDTH, hi)

    # these two observers replace the explorer's plain "redraw on change" for their controls
    for control, observer in ((function, on_function), (x_slider, on_x_range)):
        control.unobserve(explorer._on_change, names="value")
        control.observe(observer, names="value")
    return explorer


# ---------------------------------------------------------------------------------------------
# (b) Softmax with a temperature
# ---------------------------------------------------------------------------------------------
def _bars(logits, temperature: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The bar chart's data: the logits (C,), ``utils.activations.softmax_temperature`` of them (C,) and its
    ``entropy`` in nats (at most ``ln C``)."""
    logits = to_float64(logits, name="logits")
    if logits.ndim != 1 or logits.size < 2:
        raise ValueError(f"logits must be a 1-D array of at least 2 numbers, got shape {logits.shape}")
    p = A.softmax_temperature(logits, temperature)
    return logits, p, float(A.entropy(p))


class _TemperatureFigure:
    """The artists of the temperature bar chart for ``c`` classes on ``ax``, made once; ``update`` changes them."""

    def __init__(self, ax, c: int = 3):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.ax, self.c = ax, c
        self.positions = np.arange(c)
        self.bars = ax.bar(self.positions, np.zeros(c), width=0.6, color=colors[0])
        self.values = [ax.text(x, 0.0, "", ha="center", fontsize=10) for x in self.positions]
        self.uniform = ax.axhline(1 / c, color="0.35", linestyle="--", linewidth=1.2)
        # label the dashed line in the right margin (a legend would sit on a tall bar)
        ax.text(1.01, 1 / c, f"uniform\n1/{c}", transform=ax.get_yaxis_transform(), va="center", ha="left",
                fontsize=9, color="0.35")
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.6, c - 0.4)
        ax.grid(False, axis="x")  # vertical grid lines would cut through the bars
        ax.set_axisbelow(True)
        ax.set_ylabel("probability = softmax(z / T)")
        self.title = fixed_labels(ax)

    def update(self, logits: np.ndarray, temperature: float, p: np.ndarray, h: float) -> None:
        for bar, text, value in zip(self.bars, self.values, p):
            bar.set_height(value)
            inside = value > 0.86  # a tall bar: write its value inside, below the top of the axes
            text.set_position((bar.get_x() + bar.get_width() / 2, value - 0.03 if inside else value + 0.02))
            text.set_text(f"{value:.3f}")
            text.set(va="top" if inside else "bottom", color="white" if inside else "0.15",
                     fontweight="bold" if inside else "normal")
        self.ax.set_xticks(self.positions, [f"class {i}\nlogit z{_sub(i)} = {z:.1f}".replace("-", "−")
                                            for i, z in enumerate(logits)])  # the minus sign of the axes' ticks
        self.title.set_text(f"Lower T sharpens towards one-hot, higher T flattens towards uniform\n"
                            f"T = {_format_t(temperature)} · entropy {h:.2f} nats "
                            f"(max ln {self.c} = {np.log(self.c):.2f})")

    def changing(self) -> list:
        """The artists that change with T alone (the tick labels change with the logits)."""
        return [*self.bars, self.uniform, *self.values, self.title]  # the dashed line stays on top of the bars


def _format_t(t: float) -> str:
    """T with 2–3 significant digits: 0.05, 0.123, 1.00, 20.0."""
    return f"{t:.3g}" if t < 0.1 else f"{t:.2f}" if t < 10 else f"{t:.1f}"


def _sub(i: int) -> str:
    """``i`` in subscript digits: 12 -> ₁₂."""
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def draw_temperature(logits=(2.0, 1.0, 0.1), temperature: float = 1.0, ax=None):
    """Bar chart of ``softmax(logits / T)`` with its entropy; the y-axis is fixed to [0, 1]. Returns the Axes."""
    logits_arr, p, h = _bars(logits, temperature)
    with course_style():
        if ax is None:
            ax = new_figure(FIGSIZE, pyplot=True, right=0.75)[1][0]
        _TemperatureFigure(ax, logits_arr.size).update(logits_arr, float(temperature), p, h)
    return ax


def softmax_temperature_explorer(logits=(2.0, 1.0, 0.1), temperature: float = 1.0) -> widgets.VBox:
    """A widget to see how the temperature T reshapes ``softmax(z / T)``: three logits and T on a log scale.

    Classes are numbered from 0, as NumPy indexes them (``p[0]`` is class 0's probability).
    Controls (``.controls``): ``"z0"``, ``"z1"``, ``"z2"`` (FloatSliders, -5..5, step 0.1) and
    ``"temperature"`` (FloatLogSlider, 0.05..20). State (``.state``): ``"logits"`` (3,),
    ``"temperature"``, ``"probabilities"`` (3,), ``"entropy"`` (nats), ``"max_entropy"`` (ln 3), ``"error"``.
    Start values outside the sliders' ranges are clipped to them.
    """
    logits = [float(z) for z in logits]
    if len(logits) != 3:
        raise ValueError(f"the explorer has three logit sliders; got {len(logits)} logits")
    with course_style():
        fig, (ax,) = new_figure(FIGSIZE, right=0.75)
        artists = _TemperatureFigure(ax, 3)
    wide = {"description_width": "70px"}
    sliders = {
        f"z{i}": widgets.FloatSlider(value=float(np.clip(z, *LOGIT_LIMITS)), min=LOGIT_LIMITS[0],
                                         max=LOGIT_LIMITS[1], step=0.1, readout_format=".1f",
                                         description=f"logit z{_sub(i)}", style=wide,
                                         layout=widgets.Layout(width="330px"))
        for i, z in enumerate(logits)
    }
    lo, hi = np.log10(T_LIMITS[0]), np.log10(T_LIMITS[1])
    t_slider = widgets.FloatLogSlider(
        value=float(np.clip(temperature, *T_LIMITS)), base=10, min=lo, max=hi,
        step=(hi - lo) / 260,  # 260 steps, symmetric about 10⁰, so T = 1 is a slider position
        readout_format=".3g", description="T", style=wide, layout=widgets.Layout(width="330px"),
    )
    controls = {**sliders, "temperature": t_slider}

    def compute() -> dict:
        t = float(t_slider.value)
        z, p, h = _bars([sliders[k].value for k in ("z0", "z1", "z2")], t)
        return {"logits": z, "temperature": t, "probabilities": p, "entropy": h, "max_entropy": float(np.log(3))}

    def draw(state: dict) -> tuple:
        artists.update(state["logits"], state["temperature"], state["probabilities"], state["entropy"])
        return tuple(state["logits"]), artists.changing()

    rows = [widgets.HBox([widgets.VBox(list(sliders.values())),
                          widgets.VBox([t_slider, widgets.HTML(
                              "<small>T moves on a log scale: 0.05 … 1 … 20.<br>"
                              "T = 1 is the plain softmax.</small>")])])]
    return Explorer(controls, rows, fig, compute, draw)
