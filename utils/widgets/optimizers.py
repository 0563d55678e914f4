"""Chapter 05's optimizer race: every optimizer from the same start on the same surface, side by side.

- the **runs** come from ``utils.trajectories.race`` (each optimizer of ``utils.optim`` on a surface of
  ``utils.surfaces``, cached: moving a slider reruns only the optimizers it concerns);
- ``draw_optimizer_race(surface, optimizers, **settings)`` draws the explorer's figure statically (a notebook shows
  it before the widget): the paths on the contour plot, and f − f* against the step on a log scale;
- ``optimizer_race_explorer(surface)`` is the widget, an ``Explorer`` (``utils/widgets/base.py``) with
  ``.controls``, ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.optimizers import draw_optimizer_race, optimizer_race_explorer
    draw_optimizer_race("rosenbrock"); plt.show()      # static figure of the default state
    optimizer_race_explorer("rosenbrock")              # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..figures.trajectories import LossPanel, TrajectoryPanel, legend_label, loss_limits
from ..plotting import course_style
from ..surfaces import SURFACES
from ..trajectories import RACE_OPTIMIZERS, RACE_SETTINGS, race
from .base import Explorer, _neighbours

__all__ = ["RACE_FIGSIZE", "draw_optimizer_race", "optimizer_race_explorer"]

RACE_FIGSIZE = (9.6, 5.1)  # the contour plot and the loss curves side by side, the legend under both
LR_LIMITS = (1e-4, 1.0)  # the lr sliders' range (log scale)
STEP_LIMITS = (10, 500)
_PANEL = 3.2  # inches: the height of both panels (the contour panel is at most 4.3 wide)


def _title(surface_name: str, steps: int) -> str:
    s = SURFACES[surface_name]
    start = ", ".join(f"{v:g}" for v in s.start).replace("-", "−")
    return f"{s.label}, {s.formula}: {steps} steps from ({start})\n{s.notice}"


class _RaceFigure:
    """The race's two panels on ``fig`` (made once): the paths on the contours, the loss after each step."""

    MAX_LEGENDS = 16

    def __init__(self, fig):
        width, height = fig.get_size_inches()
        bottom = height - 0.72 - _PANEL
        self.fig = fig
        self._box = (0.55 / width, bottom / height, 4.3 / width, _PANEL / height)
        self.paths = TrajectoryPanel(fig.add_axes(self._box))  # the panel showing (one per surface, made once)
        self.losses = LossPanel(fig.add_axes((5.75 / width, bottom / height, 3.7 / width, _PANEL / height)))
        self._panels: dict = {}  # surface name -> its TrajectoryPanel, contours drawn once; the others' axes hidden
        self.legend = None
        self._legends: dict = {}  # (surface, labels) -> its legend
        self.key = self.scale = None

    @staticmethod
    def key_of(surface_name: str, runs: list) -> tuple:
        """What the background shows besides the paths: the surface and the legend's labels."""
        return surface_name, tuple(legend_label(run) for run in runs)

    def _show_surface(self, surface_name: str) -> None:
        """The panel of this surface, made (its contours computed, ~13 ms) on the surface's first visit only; the
        other surfaces' panels are hidden, so coming back to a surface (or drawing it ahead) computes nothing."""
        panel = self._panels.get(surface_name)
        if panel is None:
            panel = self.paths if not self._panels else TrajectoryPanel(self.fig.add_axes(self._box))
            panel.set_surface(SURFACES[surface_name])
            self._panels[surface_name] = panel
        for other in self._panels.values():
            other.ax.set_visible(other is panel)
        self.paths = panel

    def _show_legend(self, surface_name: str, labels: tuple) -> None:
        """The legend of these runs' labels, made once per set of labels (building one costs ~10 ms) and kept
        hidden while other labels show; the one showing is ``fig.legends[0]``."""
        if self.legend is not None:
            self.legend.set_visible(False)
        legend = self._legends.get((surface_name, labels))
        if legend is None:
            handles = self.paths.legend_handles()
            legend = self.fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), fontsize=9,
                                     bbox_to_anchor=(0.5, 0.0), handlelength=2.6, columnspacing=1.6)
            self._legends[(surface_name, labels)] = legend
            while len(self._legends) > self.MAX_LEGENDS:  # labels vary with the step a run diverges at: bounded
                self._legends.pop(next(iter(self._legends))).remove()
        legend.set_visible(True)
        self.fig.legends.remove(legend)
        self.fig.legends.insert(0, legend)
        self.legend = legend

    def update(self, surface_name: str, runs: list, steps: int) -> tuple[object, list, dict]:
        """Show ``runs``; returns the explorer's ``(key, artists, parts)``: the background's key says the surface
        and the legend's labels; the title (its first line says the steps; its notice stays) and the loss panel
        (its axes follow the steps and the losses' range) are parts with their own keys, so a new number of steps
        redraws the title's first line and the loss panel only."""
        surface = SURFACES[surface_name]
        limits = loss_limits(surface, runs)
        self._show_surface(surface_name)
        artists = self.paths.update(runs) + self.losses.update(runs, surface)
        key = self.key_of(surface_name, runs)
        if key != self.key:  # what stays while only the paths move: contours, axes, legend
            self._show_legend(*key)
            self.key = key
        title = _title(surface_name, steps)
        self.paths.title.set_text(title)
        scale = (surface_name, steps, limits)
        if scale != self.scale:
            self.losses.set_scale(surface, steps, limits, title="")
            self.scale = scale
        # the loss panel's box reaches the background (legend) and the title's last pixels: its key says them too
        return key, artists, {self.paths.title: title, self.losses.ax: (key, title, limits)}


def _on_grid(slider: widgets.Widget, value: float) -> float:
    """``value`` where a log slider shows it: its exponent on the slider's steps from ``min``, to 12 significant
    digits. The browser puts a log slider's value on its steps and sends it back (0.02 comes back as 0.019952…,
    a second change); the explorer computes with this value, so the browser's (equal to 12 digits: its pow may
    differ from Python's in the last bit) names the same state. Other sliders' values are returned as they are."""
    if not isinstance(slider, widgets.FloatLogSlider):
        return value
    exponent = slider.min + round((np.log(value) / np.log(slider.base) - slider.min) / slider.step) * slider.step
    return float(f"{slider.base ** round(exponent, 10):.12g}")


def _steps_away(slider: widgets.Widget, value: float) -> list[float]:
    """The values a step either way of ``value`` on ``slider`` (a log slider's as ``_on_grid`` puts them), within
    its range: what the browser sends for an arrow key."""
    if not isinstance(slider, widgets.FloatLogSlider):
        return _neighbours(slider)
    exponent = np.log(value) / np.log(slider.base)
    return [_on_grid(slider, slider.base ** (exponent + move)) for move in (slider.step, -slider.step)
            if slider.min <= exponent + move <= slider.max + 1e-9]


def _check_names(optimizers) -> tuple[str, ...]:
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    names = tuple(optimizers)
    for name in names:
        if name not in RACE_OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(RACE_OPTIMIZERS)}")
    return names


def _check_surface(surface: str) -> str:
    if surface not in RACE_SETTINGS:
        raise ValueError(f"unknown surface {surface!r}; choose one of {', '.join(RACE_SETTINGS)}")
    return surface


def draw_optimizer_race(surface: str = "rosenbrock", optimizers: Sequence[str] = tuple(RACE_OPTIMIZERS),
                        **settings):
    """The race on ``surface`` as a static figure: paths on the contours (left), f − f* per step (right).

    ``settings``: ``lr``, ``adaptive_lr``, ``momentum``, ``beta1``, ``beta2``, ``steps`` (the rest from
    ``RACE_SETTINGS[surface]``). Returns the figure.

    Raises:
        ValueError: for an unknown surface or optimizer, or a bad setting (see ``utils.trajectories.race``).
    """
    surface, names = _check_surface(surface), _check_names(optimizers)
    runs = race(surface, names, **settings)
    steps = next(iter(runs.values())).steps if runs else RACE_SETTINGS[surface].steps
    with course_style():
        fig = plt.figure(figsize=RACE_FIGSIZE)
        _RaceFigure(fig).update(surface, list(runs.values()), steps)
    return fig


def optimizer_race_explorer(surface: str = "rosenbrock",
                            optimizers: Sequence[str] = tuple(RACE_OPTIMIZERS)) -> widgets.VBox:
    """A widget racing the optimizers on a surface: pick the surface, the optimizers and their settings.

    Controls (``.controls``): ``"surface"`` (Dropdown of the 2-D surfaces; choosing one resets the sliders to its
    ``RACE_SETTINGS``), one Checkbox per optimizer (``"show_sgd"``, ``"show_momentum"``, ..., ``"show_adamw"``),
    ``"lr"`` (for SGD, Momentum, Nesterov) and ``"adaptive_lr"`` (for Adagrad, RMSprop, Adam, AdamW) on log scales,
    ``"momentum"``, ``"beta1"``, ``"beta2"`` and ``"steps"``. State (``.state``): ``"surface"``,
    ``"optimizers"`` (the names shown), ``"settings"`` (dict), ``"runs"`` (name -> Trajectory), ``"diverged"``
    (name -> step, for the runs that blew up), ``"title"``, ``"error"``.
    """
    surface, shown = _check_surface(surface), set(_check_names(optimizers))
    defaults = RACE_SETTINGS[surface]
    with course_style():
        fig = Figure(figsize=RACE_FIGSIZE, dpi=mpl.rcParams["figure.dpi"])
        artists = _RaceFigure(fig)
    wide = {"description_width": "150px"}
    layout = widgets.Layout(width="400px")
    lo, hi = np.log10(LR_LIMITS)
    controls = {
        "surface": widgets.Dropdown(options=[(SURFACES[k].label, k) for k in RACE_SETTINGS], value=surface,
                                    description="surface", style=wide, layout=layout),
        **{f"show_{name}": widgets.Checkbox(value=name in shown, description=label, indent=False,
                                  layout=widgets.Layout(width="105px"))
           for name, label in RACE_OPTIMIZERS.items()},
        "lr": widgets.FloatLogSlider(value=defaults.lr, base=10, min=lo, max=hi, step=(hi - lo) / 200,
                                     readout_format=".2g", description="lr (SGD, Momentum, Nesterov)", style=wide,
                                     layout=layout),
        "adaptive_lr": widgets.FloatLogSlider(value=defaults.adaptive_lr, base=10, min=lo, max=hi,
                                              step=(hi - lo) / 200, readout_format=".2g",
                                              description="lr (Adagrad, RMSprop, Adam, AdamW)", style=wide,
                                              layout=layout),
        "momentum": widgets.FloatSlider(value=defaults.momentum, min=0.0, max=0.99, step=0.01,
                                        description="momentum μ", style=wide, layout=layout),
        "beta1": widgets.FloatSlider(value=defaults.beta1, min=0.0, max=0.99, step=0.01, description="β₁ (Adam)",
                                     style=wide, layout=layout),
        "beta2": widgets.FloatSlider(value=defaults.beta2, min=0.9, max=0.9999, step=0.0001, readout_format=".4f",
                                     description="β₂ (Adam)", style=wide, layout=layout),
        "steps": widgets.IntSlider(value=defaults.steps, min=STEP_LIMITS[0], max=STEP_LIMITS[1], step=10,
                                   description="steps", style=wide, layout=layout,
                                   continuous_update=False),  # redraws the loss panel and the title, on release
    }
    slider_names = ("lr", "adaptive_lr", "momentum", "beta1", "beta2", "steps")
    for key in ("lr", "adaptive_lr"):  # the browser would put them there (and send them back): at once
        controls[key].value = _on_grid(controls[key], controls[key].value)

    def state_of(name: str, names: Sequence[str], settings: dict) -> dict:
        runs = race(name, names, **settings)
        return {"surface": name, "optimizers": tuple(names), "settings": settings, "runs": runs,
                "diverged": {k: r.diverged_at for k, r in runs.items() if r.diverged},
                "title": _title(name, settings["steps"])}

    def compute() -> dict:
        return state_of(controls["surface"].value, [k for k in RACE_OPTIMIZERS if controls[f"show_{k}"].value],
                        {k: _on_grid(controls[k], controls[k].value) for k in slider_names})

    def draw(state: dict) -> tuple:
        return artists.update(state["surface"], list(state["runs"].values()), state["settings"]["steps"])

    def ahead(state: dict):
        """The states one change away, each image whole (kept by image_key): the next surface in the menu (at its own
        settings, as on_surface sets them), a step of the steps slider either way, each optimizer's checkbox
        flipped, then the other surfaces in the menu's order."""
        surfaces = list(RACE_SETTINGS)
        at = surfaces.index(state["surface"])
        flips = [[k for k in RACE_OPTIMIZERS if (k in state["optimizers"]) != (k == flip)] for flip in RACE_OPTIMIZERS]
        others = [(name, state["optimizers"], {k: _on_grid(controls[k], getattr(RACE_SETTINGS[name], k))
                                               for k in slider_names})
                  for name in surfaces[at + 1:] + surfaces[:at]]
        steps, now = controls["steps"], state["settings"]["steps"]
        moves = [(name, value) for name in ("lr", "adaptive_lr", "momentum", "beta1", "beta2")
                 for value in _steps_away(controls[name], state["settings"][name])]
        options = [*others[:1],
                   *((state["surface"], state["optimizers"], {**state["settings"], "steps": n})
                     for n in (now + steps.step, now - steps.step) if steps.min <= n <= steps.max),
                   *((state["surface"], names, state["settings"]) for names in flips),
                   *((state["surface"], state["optimizers"], {**state["settings"], name: value})
                     for name, value in moves), *others[1:]]
        for name, names, settings in options:
            computed = state_of(name, names, settings)  # cached runs: the key needs the legend's labels
            yield _RaceFigure.key_of(name, list(computed["runs"].values())), lambda computed=computed: computed

    note = widgets.HTML("<small>Adaptive optimizers divide by a running size of the gradient, so their step is "
                        "about lr whatever the slope: they get their own lr. A cross ends a run that diverged."
                        "</small>")
    rows = [controls["surface"],
            widgets.HBox([controls[f"show_{k}"] for k in RACE_OPTIMIZERS]),
            widgets.HBox([widgets.VBox([controls[k] for k in ("lr", "adaptive_lr", "steps")]),
                          widgets.VBox([controls[k] for k in ("momentum", "beta1", "beta2")])]),
            note]
    def image_key(state: dict) -> tuple:
        return state["surface"], state["optimizers"], tuple(state["settings"].items())

    explorer = Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)

    def on_surface(change) -> None:
        settings = RACE_SETTINGS[change["new"]]
        with explorer.paused():  # the new surface's settings, then one redraw
            for key in slider_names:
                controls[key].value = _on_grid(controls[key], getattr(settings, key))

    controls["surface"].unobserve(explorer._on_change, names="value")
    controls["surface"].observe(on_surface, names="value")
    return explorer
