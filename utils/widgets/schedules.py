"""Chapter 05's schedule explorer: a learning-rate schedule and its parameters -> the lr (and momentum) of each step.

As in ``utils/widgets/activations.py``, three parts:

- the **data its figure shows**, ``schedule_curves``: the schedule is built from ``utils.schedulers`` (``StepLR``,
  ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``, ``SequentialLR``, ``OneCycleLR``) on a throwaway
  optimizer and read step by step with ``utils.schedulers.lr_trace``: the values a training loop would use;
- a **static drawing function**, ``draw_schedule_explorer``, for the default state (shown before the widget);
- the **widget**, ``schedule_explorer``, an ``Explorer`` (``utils/widgets/base.py``) with ``.controls``,
  ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.schedules import draw_schedule_explorer, schedule_explorer
    draw_schedule_explorer(); plt.show()     # static figure of the default state (one-cycle)
    schedule_explorer()                      # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .. import schedulers as S
from ..module import check_positive_int
from ..optim import check_lr
from ..plotting import course_style, fixed_labels, new_figure
from .base import Explorer, _neighbours

__all__ = [
    "DEFAULTS",
    "LABELS",
    "PARAMETERS_OF",
    "SCHEDULE_FIGSIZE",
    "draw_schedule_explorer",
    "schedule_curves",
    "schedule_explorer",
]

SCHEDULE_FIGSIZE = (7.0, 5.2)  # the lr above, the momentum below, at notebook width
STEPS_LIMITS = (20, 400)
MOMENTUM_LIMITS = (0.6, 0.99)  # the momentum-range slider's bounds
DIV_FACTOR_CHOICES = (1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)  # one-cycle's, exact (PyTorch's 25 too)
MOMENTUM_YLIM = (0.57, 1.0)

LABELS = {
    "constant": "constant",
    "step": "step (StepLR)",
    "exponential": "exponential (ExponentialLR)",
    "cosine": "cosine (CosineAnnealingLR)",
    "warmup": "linear warm-up (LinearLR)",
    "warmup_cosine": "warm-up + cosine",
    "one_cycle": "one-cycle (OneCycleLR)",
}
"""Schedule name -> the label of the menu, in menu order."""

DEFAULTS = {
    "step_size": 30, "step_gamma": 0.5,
    "exp_gamma": 0.97,
    "T_max": 100, "eta_min": 0.0,
    "warmup_steps": 10, "start_factor": 0.1,
    "pct_start": 0.3, "anneal_strategy": "cos", "div_factor": 25.0, "final_div_factor": 1e4,
    "momentum_range": (0.85, 0.95),
}
"""Every schedule parameter the explorer has, and its starting value (``eta_min`` in units of the lr)."""

PARAMETERS_OF = {
    "constant": (),
    "step": ("step_size", "step_gamma"),
    "exponential": ("exp_gamma",),
    "cosine": ("T_max", "eta_min"),
    "warmup": ("warmup_steps", "start_factor"),
    "warmup_cosine": ("warmup_steps", "start_factor", "eta_min"),
    "one_cycle": ("pct_start", "anneal_strategy", "div_factor", "final_div_factor", "momentum_range"),
}
"""Schedule name -> the parameters it uses (the explorer shows only these sliders)."""


def _check_schedule(schedule) -> str:
    if schedule not in LABELS:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(LABELS)}")
    return schedule


def _factory(schedule: str, steps: int, lr: float, p: dict) -> Callable:
    """optimizer -> the scheduler of ``schedule`` with parameters ``p`` (a run of ``steps`` steps)."""
    if schedule == "constant":  # both factors 1: LinearLR leaves the lr as it is
        return lambda o: S.LinearLR(o, start_factor=1.0, end_factor=1.0, total_iters=1)
    if schedule == "step":
        return lambda o: S.StepLR(o, step_size=p["step_size"], gamma=p["step_gamma"])
    if schedule == "exponential":
        return lambda o: S.ExponentialLR(o, gamma=p["exp_gamma"])
    if schedule == "cosine":
        return lambda o: S.CosineAnnealingLR(o, T_max=p["T_max"], eta_min=p["eta_min"] * lr)
    if schedule == "warmup":
        return lambda o: S.LinearLR(o, start_factor=p["start_factor"], total_iters=p["warmup_steps"])
    if schedule == "warmup_cosine":
        w = p["warmup_steps"]
        if w >= steps:
            raise ValueError(f"the warm-up ({w} steps) must be shorter than the run ({steps} steps)")
        return lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=p["start_factor"], total_iters=w),
                                            S.CosineAnnealingLR(o, T_max=steps - w, eta_min=p["eta_min"] * lr)],
                                        milestones=[w])
    low, high = p["momentum_range"]
    return lambda o: S.OneCycleLR(o, max_lr=lr, total_steps=steps, pct_start=p["pct_start"],
                                  anneal_strategy=p["anneal_strategy"], base_momentum=low, max_momentum=high,
                                  div_factor=p["div_factor"], final_div_factor=p["final_div_factor"])


def _lr(v: float) -> str:
    """An lr for a title: 0.1, 0.025, 4e-06."""
    return f"{v:.2g}" if v >= 1e-3 else f"{v:.0e}".replace("e-0", "e-")


def _boundary_and_title(schedule: str, steps: int, lr: float, p: dict, lrs: np.ndarray, momentum_name: str):
    """(the step to mark with a dotted line or None, its label, the two-line title)."""
    end = f"ends at {_lr(lrs[-1])}"
    if schedule == "constant":
        return None, "", (f"Constant: η_t = η₀ = {_lr(lr)} at every step\n"
                          "the baseline: large steps to the end, so the loss keeps bouncing at the end")
    if schedule == "step":
        drops = (steps - 1) // p["step_size"]
        return None, "", (f"StepLR: η_t = η₀ · γ^⌊t / {p['step_size']}⌋, γ = {p['step_gamma']:.2f}\n"
                          f"multiplied by γ every {p['step_size']} steps: {drops} drop{'s' * (drops != 1)}, {end}")
    if schedule == "exponential":
        half = np.log(2) / -np.log(p["exp_gamma"])
        return None, "", (f"ExponentialLR: η_t = η₀ · γ^t, γ = {p['exp_gamma']:.3f}\n"
                          f"a smooth decay that halves the lr every {half:.0f} steps; {end}")
    if schedule == "cosine":
        T = p["T_max"]
        notice = (f"η_min at T_max = {T}, then up again: PyTorch's cosine does not stop there"
                  if T < steps - 1 else f"slow at both ends, fastest mid-way; η_min at T_max = {T}")
        return (T if T < steps else None), "T_max", (
            f"CosineAnnealingLR: η_t = η_min + (η₀ − η_min)(1 + cos(πt / T_max)) / 2\n{notice}")
    if schedule == "warmup":
        w = p["warmup_steps"]
        return w, "end of warm-up", (f"LinearLR warm-up: η_t = η₀ · (s + (1 − s) · min(t, W) / W), s = "
                                     f"{p['start_factor']:.2f}\nsmall steps while the weights are still random, "
                                     f"η₀ from step W = {w} on")
    if schedule == "warmup_cosine":
        w = p["warmup_steps"]
        return w, "end of warm-up", (f"Warm-up + cosine: LinearLR for W = {w} steps, then CosineAnnealingLR\n"
                                     f"η₀ at step W, η_min at step {steps} (just after the last step, t = {steps - 1})")
    peak = p["pct_start"] * steps - 1
    return peak, "peak", (f"One-cycle: {_lr(lrs[0])} (max_lr / {p['div_factor']:.3g}) → max_lr = {_lr(lr)} at step "
                          f"{peak:.0f} → {_lr(lrs[-1])} at the end\n"
                          f"{momentum_name} moves the opposite way: least momentum at the largest lr")


def schedule_curves(schedule: str = "one_cycle", steps: int = 100, lr: float = 0.1, optimizer: str = "sgd",
                    **params) -> dict:
    """The learning rate and the momentum of each step 0 … ``steps`` − 1 of a schedule, for the explorer.

    ``schedule`` is a key of ``LABELS``; ``lr`` the base lr η₀ (one-cycle's ``max_lr``); ``optimizer`` "sgd"
    (the momentum is SGD's, 0.9 unless one-cycle cycles it) or "adam" (Adam's β1). ``params`` override
    ``DEFAULTS`` (``eta_min`` is given as a fraction of ``lr``); the ones ``PARAMETERS_OF[schedule]`` does not
    list are ignored. The values come from ``utils.schedulers.lr_trace``.

    Shapes: -> a dict with ``"t"`` (steps,), ``"lrs"`` (steps,), ``"momenta"`` (steps,), and ``"schedule"``,
    ``"label"``, ``"steps"``, ``"lr"``, ``"optimizer"``, ``"params"`` (the values used), ``"momentum_name"``,
    ``"boundary"`` (a step to mark, or None), ``"boundary_label"``, ``"title"``.

    Raises:
        ValueError: for an unknown schedule or parameter name, steps < 2, a bad lr, a warm-up not shorter than
            the run, or a parameter value the scheduler rejects.
    """
    _check_schedule(schedule)
    steps = check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 to draw a schedule, got {steps}")
    lr = check_lr(lr)
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown schedule parameter(s) {unknown}; the explorer has {', '.join(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    lrs, momenta = S.lr_trace(_factory(schedule, steps, lr, p), steps, lr=lr, optimizer=optimizer)
    momentum_name = "Adam's β1" if optimizer == "adam" else "SGD's momentum"
    boundary, boundary_label, title = _boundary_and_title(schedule, steps, lr, p, lrs, momentum_name)
    return {"schedule": schedule, "label": LABELS[schedule], "steps": steps, "lr": lr, "optimizer": optimizer,
            "params": {k: p[k] for k in PARAMETERS_OF[schedule]}, "t": np.arange(steps), "lrs": lrs,
            "momenta": momenta, "momentum_name": momentum_name, "boundary": boundary,
            "boundary_label": boundary_label, "title": title}


class _ScheduleFigure:
    """The artists of the schedule figure on ``(ax_lr, ax_m)``, made once; ``update`` changes their data."""

    def __init__(self, ax_lr, ax_m):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.axes = (ax_lr, ax_m)
        self.lr_curve = ax_lr.plot([], [], color=colors[0], linewidth=2.2, drawstyle="steps-post")[0]
        self.m_curve = ax_m.plot([], [], color=colors[1], linewidth=2.2, drawstyle="steps-post")[0]
        self.lines = [ax.axvline(0.0, color="0.35", linestyle=":", linewidth=1.3, visible=False) for ax in self.axes]
        self.line_label = ax_lr.text(0.0, 1.0, "", transform=ax_lr.get_xaxis_transform(), ha="left", va="top",
                                     fontsize=9, color="0.3")
        self.m_note = ax_m.text(0.98, 0.12, "", transform=ax_m.transAxes, ha="right", va="bottom", fontsize=9,
                                color="0.3")
        ax_lr.set_ylabel("learning rate η_t")
        ax_lr.tick_params(labelbottom=False)
        ax_m.set_xlabel("step t (one optimizer step each)")
        ax_m.set_ylim(*MOMENTUM_YLIM)
        ax_m.set_yticks([0.6, 0.7, 0.8, 0.9, 1.0])
        self.title = fixed_labels(ax_lr)
        fixed_labels(ax_m)
        self._frame = None

    def update(self, state: dict) -> None:
        ax_lr, ax_m = self.axes
        t = state["t"]
        x = np.append(t, t[-1] + 1)  # steps-post: the last step's value lasts one step too
        self.lr_curve.set_data(x, np.append(state["lrs"], state["lrs"][-1]))
        self.m_curve.set_data(x, np.append(state["momenta"], state["momenta"][-1]))
        frame = self.frame(state)
        if frame != self._frame:  # limits and labels change with these only
            steps, lr, momentum_name = frame
            for ax in self.axes:
                ax.set_xlim(0, steps)
            ax_lr.set_ylim(0, 1.08 * lr)
            ax_m.set_ylabel(momentum_name.replace("SGD's momentum", "momentum"))
            self._frame = frame
        boundary = state["boundary"]
        for line in self.lines:
            line.set_visible(boundary is not None)
            if boundary is not None:
                line.set_xdata([boundary, boundary])
        self.line_label.set_text(f" {state['boundary_label']}" if boundary is not None else "")
        self.line_label.set_x(boundary if boundary is not None else 0.0)
        self.m_note.set_text("" if state["schedule"] == "one_cycle" else
                             f"{state['momentum_name']} stays {state['momenta'][0]:.2f}: only one-cycle changes it")
        self.title.set_text(state["title"])

    @staticmethod
    def frame(state: dict) -> tuple:
        """What the axes (limits, labels: the blit background) depend on."""
        return state["steps"], state["lr"], state["momentum_name"]

    def changing(self) -> list:
        return [self.lr_curve, self.m_curve, *self.lines, self.line_label, self.m_note]

    def parts(self) -> dict:
        """The title, kept apart by its words, line by line (an explorer's part): its second line mostly stays."""
        return {self.title: self.title.get_text()}


def _new_axes(pyplot: bool):
    return new_figure(SCHEDULE_FIGSIZE, nrows=2, pyplot=pyplot, sharex=True, top=0.75, bottom=0.6, gap=0.2,
                      gridspec_kw={"height_ratios": [2.2, 1.0]})


def draw_schedule_explorer(schedule: str = "one_cycle", steps: int = 100, lr: float = 0.1, optimizer: str = "sgd",
                           ax=None, **params):
    """Draw a schedule as the explorer shows it: the lr of each step above, the momentum (or β1) below.

    Arguments as ``schedule_curves``; ``ax`` is None (a new figure) or a pair ``(ax_lr, ax_momentum)``.
    Returns ``(ax_lr, ax_momentum)``.
    """
    state = schedule_curves(schedule, steps, lr, optimizer, **params)
    with course_style():
        if ax is None:
            ax_lr, ax_m = _new_axes(pyplot=True)[1]
        else:
            try:
                ax_lr, ax_m = ax
            except (TypeError, ValueError):
                raise ValueError("ax must be None or a pair of Axes (ax_lr, ax_momentum)") from None
        _ScheduleFigure(ax_lr, ax_m).update(state)
    return ax_lr, ax_m


def _controls(steps: int, lr: float, optimizer: str, p: dict, schedule: str) -> dict[str, widgets.Widget]:
    wide = {"description_width": "120px"}

    def box() -> widgets.Layout:
        return widgets.Layout(width="360px")  # one per control: hiding a control sets its own layout

    def int_slider(key, description, lo, hi, step=1):
        return widgets.IntSlider(value=int(np.clip(p[key], lo, hi)), min=lo, max=hi, step=step,
                                 description=description, style=wide, layout=box())

    def float_slider(key, description, lo, hi, step, fmt):
        return widgets.FloatSlider(value=float(np.clip(p[key], lo, hi)), min=lo, max=hi, step=step,
                                   readout_format=fmt, description=description, style=wide, layout=box())

    def choice_slider(key, description, choices):  # exact values (a start value between two: the nearest, in log)
        start = float(np.clip(p[key], choices[0], choices[-1]))
        value = min(choices, key=lambda v: abs(np.log(v) - np.log(start)))
        return widgets.SelectionSlider(options=[(f"{v:g}", v) for v in choices], value=value,
                                       description=description, style=wide, layout=box())

    def log_slider(key, description, lo, hi):
        return widgets.FloatLogSlider(value=float(np.clip(p[key], 10.0 ** lo, 10.0 ** hi)), base=10, min=lo, max=hi,
                                      step=0.1, readout_format=".3g", description=description, style=wide, layout=box())

    return {
        "schedule": widgets.Dropdown(options=[(label, key) for key, label in LABELS.items()], value=schedule,
                                     description="schedule", style=wide, layout=box()),
        "steps": widgets.IntSlider(value=int(np.clip(steps, *STEPS_LIMITS)), min=STEPS_LIMITS[0],
                                   max=STEPS_LIMITS[1], step=10, description="steps in the run", style=wide,
                                   layout=box()),
        "step_size": int_slider("step_size", "step_size", 1, 100),
        "step_gamma": float_slider("step_gamma", "γ (per drop)", 0.05, 0.95, 0.05, ".2f"),
        "exp_gamma": float_slider("exp_gamma", "γ (per step)", 0.9, 0.999, 0.001, ".3f"),
        "T_max": int_slider("T_max", "T_max", 5, STEPS_LIMITS[1], 5),
        "eta_min": float_slider("eta_min", "η_min (× η₀)", 0.0, 0.5, 0.01, ".2f"),
        "warmup_steps": int_slider("warmup_steps", "warm-up steps W", 1, steps - 1),
        "start_factor": float_slider("start_factor", "start factor s", 0.01, 1.0, 0.01, ".2f"),
        "pct_start": float_slider("pct_start", "pct_start", 0.1, 0.9, 0.05, ".2f"),
        "anneal_strategy": widgets.ToggleButtons(options=[("cosine", "cos"), ("linear", "linear")],
                                                 value=p["anneal_strategy"], description="anneal", style=wide),
        "div_factor": choice_slider("div_factor", "div_factor", DIV_FACTOR_CHOICES),
        "final_div_factor": log_slider("final_div_factor", "final_div_factor", 0.0, 5.0),
        "momentum_range": widgets.FloatRangeSlider(value=tuple(np.clip(p["momentum_range"], *MOMENTUM_LIMITS)),
                                                   min=MOMENTUM_LIMITS[0], max=MOMENTUM_LIMITS[1], step=0.01,
                                                   readout_format=".2f",
                                                   description="momentum range", style=wide, layout=box()),
        "optimizer": widgets.ToggleButtons(options=[("SGD (momentum)", "sgd"), ("Adam (β1)", "adam")],
                                           value=optimizer, description="optimizer", style=wide),
    }


def schedule_explorer(schedule: str = "one_cycle", steps: int = 100, lr: float = 0.1, optimizer: str = "sgd",
                      **params) -> widgets.VBox:
    """A widget to explore learning-rate schedules: pick one, move its parameters, see the lr of every step.

    Controls (``.controls``): ``"schedule"`` (Dropdown; labels from ``LABELS``, values the names), ``"steps"``
    (IntSlider 20–400, the length of the run), one control per parameter of ``DEFAULTS`` (only those of
    ``PARAMETERS_OF[schedule]`` are shown) and ``"optimizer"`` ("sgd" / "adam", shown for one-cycle, whose momentum
    is SGD's momentum or Adam's β1). The base lr ``lr`` (one-cycle's max_lr) is fixed when the widget is made.
    The warm-up slider's maximum follows the run (``steps − 1``).
    State (``.state``): what ``schedule_curves`` returns, and ``"error"``.
    Start values outside the sliders' ranges are clipped to them.
    """
    _check_schedule(schedule)
    lr = check_lr(lr)
    steps = int(np.clip(check_positive_int(steps, "steps"), *STEPS_LIMITS))
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown schedule parameter(s) {unknown}; the explorer has {', '.join(DEFAULTS)}")
    controls = _controls(steps, lr, optimizer, {**DEFAULTS, **params}, schedule)
    with course_style():
        fig, (ax_lr, ax_m) = _new_axes(pyplot=False)
        artists = _ScheduleFigure(ax_lr, ax_m)

    def show_relevant(key: str) -> None:
        for name in DEFAULTS:
            controls[name].layout.display = None if name in PARAMETERS_OF[key] else "none"
        controls["optimizer"].layout.display = None if key == "one_cycle" else "none"

    def state_of(settings: dict) -> dict:
        key = settings["schedule"]
        values = {name: settings[name] for name in PARAMETERS_OF[key]}
        if "momentum_range" in values:
            values["momentum_range"] = tuple(values["momentum_range"])
        return schedule_curves(key, settings["steps"], lr, settings["optimizer"], **values)

    def compute() -> dict:
        return state_of({name: control.value for name, control in controls.items()})

    def ahead(state: dict):
        """The states one change away, each image whole (image_key): the next schedule, then a step of each control
        shown (the steps, the schedule's parameters, the toggles)."""
        settings = {name: control.value for name, control in controls.items()}
        shown = ["schedule", "steps", *PARAMETERS_OF[settings["schedule"]]]
        if settings["schedule"] == "one_cycle":
            shown.append("optimizer")
        for name in shown:
            for value in _neighbours(controls[name]):
                try:
                    computed = state_of({**settings, name: value})
                except ValueError:  # a setting the schedule rejects (shown as a message when chosen)
                    continue
                yield None, lambda computed=computed: computed

    def image_key(state: dict) -> tuple:
        return state["schedule"], state["steps"], state["optimizer"], tuple(state["params"].items())

    def draw(state: dict) -> tuple:
        artists.update(state)
        return artists.frame(state), artists.changing(), artists.parts()

    show_relevant(schedule)
    rows = [widgets.HBox([controls["schedule"], controls["steps"]]),
            widgets.HBox([controls[name] for name in ("step_size", "step_gamma", "exp_gamma", "T_max",
                                                      "warmup_steps", "pct_start")]),
            widgets.HBox([controls[name] for name in ("start_factor", "eta_min", "div_factor")]),
            widgets.HBox([controls[name] for name in ("final_div_factor", "momentum_range")]),
            widgets.HBox([controls["anneal_strategy"], controls["optimizer"]])]
    explorer = Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)

    def on_schedule(change) -> None:
        with explorer.paused():
            show_relevant(change["new"])

    def on_steps(change) -> None:
        with explorer.paused():  # the warm-up must end before the run does (the slider clips its value)
            controls["warmup_steps"].max = change["new"] - 1

    for control, observer in ((controls["schedule"], on_schedule), (controls["steps"], on_steps)):
        control.unobserve(explorer._on_change, names="value")
        control.observe(observer, names="value")
    return explorer
