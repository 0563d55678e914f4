"""Optimizers' paths, drawn: the learning-rate regimes in 1-D, trajectories on a contour plot, loss vs step.

- ``draw_lr_regimes_1d(surface, lrs, steps)``: one panel per learning rate, gradient descent's iterates on a 1-D
  function, each panel named by what happened (too slow, converges, oscillates, diverges: ``lr_regime``).
- ``draw_trajectories(surface, runs)``: each run's path on the surface's contours (log-spaced above the minimum
  for a flat valley with steep walls, as Rosenbrock's), start and minimum marked.
- ``draw_loss_vs_step(runs, surface)``: f − f* (log scale) after each step; f itself when f has no minimum.

``TrajectoryPanel`` and ``LossPanel`` hold the artists of one panel and update them (the optimizer-race explorer,
``utils.widgets.optimizers``, redraws its two panels through them). Colours and line styles follow the optimizer
(``PATH_STYLES``), so a path keeps its colour when others are hidden. The runs come from ``utils.trajectories``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from ..plotting import course_style, fixed_labels, plain_log_labels
from ..surfaces import Polynomial1D, Surface, get_surface
from ..trajectories import Trajectory, gradient_descent_1d

__all__ = ["LOSS_FLOOR", "PATH_STYLES", "LossPanel", "TrajectoryPanel", "draw_loss_vs_step", "draw_lr_regimes_1d",
           "draw_trajectories", "legend_label", "loss_limits", "lr_regime"]

PATH_STYLES = {  # Okabe–Ito colours (colour-blind safe); the pairs that often overlap differ in line style too
    "SGD": {"color": "#0072B2", "linestyle": "-"},
    "Momentum": {"color": "#E69F00", "linestyle": "-"},
    "Nesterov": {"color": "#009E73", "linestyle": (0, (5, 2))},
    "Adagrad": {"color": "#CC79A7", "linestyle": "-"},
    "RMSprop": {"color": "#56B4E9", "linestyle": "-"},
    "Adam": {"color": "#D55E00", "linestyle": "-"},
    "AdamW": {"color": "#000000", "linestyle": (0, (2, 2))},
}
"""An optimizer's label -> its colour and line style in every figure of its path."""
_SPARE_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

LOSS_FLOOR = 1e-12
"""The bottom of a log loss axis: f − f* below it (converged to rounding) is off the bottom of the plot."""

GRID = 181  # contour grid points per axis


def _style(label: str, index: int) -> dict:
    return PATH_STYLES.get(label, {"color": _SPARE_COLORS[index % len(_SPARE_COLORS)], "linestyle": "-"})


def legend_label(run: Trajectory) -> str:
    """The run's label, with "(diverged at step k)" on a second line when it blew up."""
    return f"{run.label}\n({run.status})" if run.diverged else run.label


def _as_runs(runs) -> list[Trajectory]:
    if isinstance(runs, Trajectory):
        runs = [runs]
    items = list(runs.values()) if isinstance(runs, Mapping) else list(runs) if isinstance(runs, Sequence) else None
    if items is None or not all(isinstance(r, Trajectory) for r in items):
        raise TypeError("runs must be Trajectory objects (utils.trajectories.run_optimizer's), in a list or a dict, "
                        f"got {type(runs).__name__}")
    return items


def _surface(surface, ndim: int = 2):
    surface = get_surface(surface) if isinstance(surface, str) else surface
    kind = Surface if ndim == 2 else Polynomial1D
    if not isinstance(surface, kind):
        raise TypeError(f"surface must be a {ndim}-D surface of utils.surfaces (or its name), got "
                        f"{type(surface).__name__}")
    return surface


@lru_cache(maxsize=16)
def _contours(surface: Surface) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x (GRID,), y (GRID,), f on the grid (GRID, GRID) and the contour levels."""
    x0, x1, y0, y1 = surface.window
    x, y = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
    z = surface.value(np.stack(np.meshgrid(x, y), axis=-1))
    if surface.log_levels:
        gap = z - surface.minimum_value
        levels = surface.minimum_value + np.geomspace(max(gap.max() * 1e-6, 1e-3), gap.max(), 16)
    else:  # evenly spread over the window: equally many lines at every height
        levels = np.unique(np.quantile(z, np.linspace(0.02, 0.98, 16)))
    return x, y, z, levels


def _loss_values(run: Trajectory, surface: Surface) -> np.ndarray:
    return run.losses if surface.minimum_value is None else run.losses - surface.minimum_value


def loss_limits(surface: Surface, runs: Sequence[Trajectory] = ()) -> tuple[float, float]:
    """The loss axis's limits: f's range on the window (linear, a surface without a minimum), else (log) f − f*
    from below the lowest value of ``runs`` (a power of 10⁴, at least ``LOSS_FLOOR``, at least 4 decades under
    the top) to the decade above f − f*'s largest value on the window."""
    z = _contours(surface)[2]
    if surface.minimum_value is None:
        margin = 0.05 * (z.max() - z.min())
        return float(z.min() - margin), float(z.max() + margin)
    top = np.ceil(np.log10(z.max() - surface.minimum_value))
    lows = [np.min(_loss_values(r, surface)) for r in runs if len(r.points)]
    lowest = max(min(lows, default=LOSS_FLOOR), LOSS_FLOOR)
    bottom = min(4 * np.floor(np.log10(lowest) / 4), top - 4)  # by 4 decades: the axis changes less often
    return float(10 ** max(bottom, np.log10(LOSS_FLOOR))), float(10**top)


class TrajectoryPanel:
    """Contours of a surface on ``ax`` and one line per path (up to ``n_paths``); ``set_surface`` draws the
    contours (once per surface), ``update(runs)`` the paths."""

    def __init__(self, ax, n_paths: int = 7):
        self.ax, self.surface = ax, None
        self.box = ax.get_position().frozen()  # the room it has: set_surface fits the window's aspect into it
        self.contours = []
        self.lines = [ax.plot([], [], linewidth=1.8, zorder=3)[0] for _ in range(n_paths)]
        self.ends = [ax.plot([], [], "x", markersize=9, markeredgewidth=2.2, zorder=4)[0] for _ in range(n_paths)]
        self.start = ax.plot([], [], "o", markersize=9, markerfacecolor="white", markeredgecolor="black",
                             markeredgewidth=1.5, zorder=5, label="start")[0]
        self.minima = ax.plot([], [], "*", markersize=16, markerfacecolor="#F0E442", markeredgecolor="black",
                              zorder=5, label="minimum")[0]
        ax.set_xlabel("x")
        ax.set_ylabel("y", rotation=0)
        ax.grid(False)
        self.title = fixed_labels(ax, ylabel_at=0.42)
        self.title.set(horizontalalignment="left", x=0.0)

    def set_surface(self, surface: Surface, title: str | None = None) -> None:
        ax = self.ax
        for artist in self.contours:
            artist.remove()
        x, y, z, levels = _contours(surface)
        bands = np.unique(np.concatenate([[z.min()], levels, [z.max()]]))
        shades = plt.get_cmap("Greys")(np.linspace(0.02, 0.4, len(bands) - 1))  # one shade per band: log levels too
        filled = ax.contourf(x, y, z, levels=bands, colors=shades, alpha=0.6, zorder=0)
        lines = ax.contour(x, y, z, levels=levels, colors="0.55", linewidths=0.6, zorder=1)
        self.contours = [filled, lines]
        start = np.asarray(surface.start)
        self.start.set_data([start[0]], [start[1]])
        self.minima.set_data(surface.minima[:, 0], surface.minima[:, 1])
        self.minima.set_label("minima" if len(surface.minima) > 1 else "minimum")
        x0, x1, y0, y1 = surface.window
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        self._fit(surface.window)  # true shapes (equal scales): the gradient is perpendicular to the contours
        self.title.set_text(title if title is not None else f"{surface.label}, {surface.formula}\n{surface.notice}")
        self.surface = surface

    def _fit(self, window) -> None:
        """The largest axes with equal x and y scales for ``window`` inside ``self.box``, top left."""
        x0, x1, y0, y1 = window
        fig_w, fig_h = self.ax.figure.get_size_inches()
        w, h = self.box.width * fig_w, self.box.height * fig_h
        aspect = (y1 - y0) / (x1 - x0)
        w, h = (w, w * aspect) if h > w * aspect else (h / aspect, h)
        self.ax.set_position((self.box.x0, self.box.y1 - h / fig_h, w / fig_w, h / fig_h))
        fixed_labels(self.ax, self.title.get_text(), ylabel_at=0.42)  # label places follow the axes' new size
        self.title.set(horizontalalignment="left", x=0.0)

    def update(self, runs: Sequence[Trajectory]) -> list:
        """Show ``runs`` (the other lines are emptied); returns the artists that changed."""
        if len(runs) > len(self.lines):
            raise ValueError(f"this panel draws at most {len(self.lines)} paths, got {len(runs)}")
        for i, (line, end) in enumerate(zip(self.lines, self.ends)):
            if i < len(runs):
                run = runs[i]
                style = _style(run.label, i)
                line.set_data(run.points[:, 0], run.points[:, 1])
                line.set(label=legend_label(run), **style)
                end.set_data(run.points[-1:, 0] if run.diverged else [], run.points[-1:, 1] if run.diverged else [])
                end.set_color(style["color"])
            else:
                line.set_data([], [])
                line.set_label("_hidden")
                end.set_data([], [])
        return [*self.lines, *self.ends, self.start, self.minima]

    def legend_handles(self) -> list:
        """The lines shown, then start and minimum: for a legend."""
        shown = [line for line in self.lines if not line.get_label().startswith("_")]
        return shown + [self.start] + ([self.minima] if len(self.minima.get_xdata()) else [])


class LossPanel:
    """f − f* (log scale) or f (for a surface without a minimum) after each step, one line per run."""

    def __init__(self, ax, n_paths: int = 7):
        self.ax = ax
        self.lines = [ax.plot([], [], linewidth=1.8)[0] for _ in range(n_paths)]
        self.ends = [ax.plot([], [], "x", markersize=9, markeredgewidth=2.2)[0] for _ in range(n_paths)]
        ax.set_xlabel("step")
        self.title = fixed_labels(ax, ylabel_at=0.55)

    def set_scale(self, surface: Surface, steps: int, limits: tuple[float, float], title: str | None = None) -> None:
        """The axis for ``surface`` over ``steps`` steps, y from ``limits`` (``loss_limits``)."""
        ax = self.ax
        lo, hi = limits
        if surface.minimum_value is None:
            ax.set_yscale("linear")
            ax.set_ylabel("f(x, y)  (no minimum)")
        else:
            ax.set_yscale("log")
            plain_log_labels(ax)
            ax.set_ylabel("f − f*  (log scale)" if surface.minimum_value == 0 else
                          f"f − f*  (f* = {surface.minimum_value:g}, log scale)".replace("-0", "−0"))
        ax.set_ylim(lo, hi)
        ax.set_xlim(0, steps)
        self.title.set_text(title if title is not None else "The loss after each step")

    def update(self, runs: Sequence[Trajectory], surface: Surface) -> list:
        for i, (line, end) in enumerate(zip(self.lines, self.ends)):
            if i < len(runs):
                run = runs[i]
                y = _loss_values(run, surface)
                style = _style(run.label, i)
                line.set_data(np.arange(len(y)), y)
                line.set(label=legend_label(run), **style)
                end.set_data([len(y) - 1] if run.diverged else [], y[-1:] if run.diverged else [])
                end.set_color(style["color"])
            else:
                line.set_data([], [])
                line.set_label("_hidden")
                end.set_data([], [])
        return [*self.lines, *self.ends]


def draw_trajectories(surface, runs, ax=None, title: str | None = None):
    """Each run's path on the contours of ``surface``, start and minima marked, a legend beside. Returns the Axes.

    ``runs``: Trajectories (a list or a dict, as ``utils.trajectories.race`` returns), at most 7; a run that
    diverged ends in a cross and its legend entry says at which step. ``title``: what to notice (default: the
    surface's ``notice``).

    Raises:
        TypeError: for a surface that is not a 2-D one, runs that are not Trajectories, or ax not an Axes.
    """
    surface, runs = _surface(surface), _as_runs(runs)
    with course_style():
        if ax is None:
            x0, x1, y0, y1 = surface.window
            height = 0.85 + 4.2 * min((y1 - y0) / (x1 - x0), 1.0)  # axes 4.2 in wide (narrower if tall)
            fig = plt.figure(figsize=(7.0, height))
            ax = fig.add_axes((0.6 / 7, 0.45 / height, 4.2 / 7, (height - 0.85) / height))
        panel = TrajectoryPanel(ax, max(len(runs), 1))
        panel.set_surface(surface, title)
        panel.update(runs)
        ax.legend(handles=panel.legend_handles(), loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=9)
    return ax


def draw_loss_vs_step(runs, surface, ax=None, title: str | None = None):
    """f − f* after each step (log scale), one line per run; f itself for a surface without a minimum.

    Returns the Axes. Raises TypeError as ``draw_trajectories``.
    """
    surface, runs = _surface(surface), _as_runs(runs)
    with course_style():
        if ax is None:
            fig = plt.figure(figsize=(7.0, 3.6))
            ax = fig.add_axes((0.11, 0.15, 0.55, 0.72))
        panel = LossPanel(ax, max(len(runs), 1))
        panel.set_scale(surface, max([r.steps for r in runs], default=1), loss_limits(surface, runs), title)
        panel.update(runs, surface)
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=9)
    return ax


def lr_regime(run: Trajectory, minimum: float) -> str:
    """What gradient descent did, in words: "diverges" (it stopped, or ends farther from ``minimum`` than it
    started), "oscillates" (it overshoots: the side of the minimum changes at most steps), "too slow" (still
    farther than 5% of the start's distance from the minimum), or "converges"."""
    gap = run.points - minimum
    if run.diverged or abs(gap[-1]) >= abs(gap[0]):
        return "diverges"
    if np.count_nonzero(gap[1:] * gap[:-1] < 0) >= len(gap) // 2:
        return "oscillates"
    return "too slow" if abs(gap[-1]) > 0.05 * abs(gap[0]) else "converges"


def draw_lr_regimes_1d(surface="parabola", lrs: Sequence[float] = (0.05, 0.3, 0.9, 1.05), steps: int = 20,
                       title: str | None = None):
    """Gradient descent on a 1-D function from its ``start``, one panel per learning rate. Returns the Axes.

    Each panel shows f, the iterates x₀, x₁, … joined in order (the path's zig-zag shows overshooting), and is
    titled with lr and what happened (``lr_regime``); a run that leaves the window says at which step. For
    a parabola, the figure's title states the bound 2/f″.

    Raises:
        TypeError: for a surface that is not a 1-D one. ValueError: for a bad lr or steps.
    """
    surface = _surface(surface, ndim=1)
    lrs = list(lrs)
    x0, x1 = surface.window
    x = np.linspace(x0, x1, 301)
    f = surface.value(x)
    ncols = 2 if len(lrs) > 1 else 1
    nrows = -(-len(lrs) // ncols)
    with course_style():
        height = 0.75 + 2.45 * nrows
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.0, height), squeeze=False, sharex=True, sharey=True)
        fig.subplots_adjust(left=0.1, right=0.98, top=1 - 0.75 / height, bottom=0.5 / height, hspace=0.42,
                            wspace=0.08)
        flat = axes.ravel()
        minima = surface.minima
        for ax, lr in zip(flat, lrs):
            run = gradient_descent_1d(surface.gradient, surface.start, lr, steps, f=surface.value)
            minimum = float(minima[np.argmin(np.abs(minima - run.final))])  # the one it heads for
            ax.plot(x, f, color="0.35", linewidth=1.5)
            ax.plot(run.points, run.losses, "-o", color="#D55E00", markersize=4, linewidth=1.0, alpha=0.85)
            ax.plot(run.points[:1], run.losses[:1], "o", markersize=8, markerfacecolor="white",
                    markeredgecolor="black", zorder=5)
            regime = lr_regime(run, minimum)
            outside = np.flatnonzero((run.points < x0) | (run.points > x1))
            note = (f"leaves the plot at step {outside[0]}" if len(outside) else
                    f"x after {len(run.points) - 1} steps: {run.final:.3g}".replace("-", "−"))
            towards = f" (to x* = {minimum:.2f})".replace("-", "−") if len(minima) > 1 and regime != "diverges" else ""
            ax.set_title(f"lr = {lr:g}: {regime}{towards}", fontsize=10.5)
            ax.text(0.5, 0.97, note, transform=ax.transAxes, ha="center", va="top", fontsize=8.5, color="0.25")
        for ax in flat[len(lrs):]:
            ax.set_visible(False)
        pad = 0.08 * (f.max() - f.min())
        flat[0].set_xlim(x0, x1)
        flat[0].set_ylim(f.min() - pad, f.max() + 3 * pad)
        for ax in axes[-1]:
            ax.set_xlabel("x")
        for ax in axes[:, 0]:
            ax.set_ylabel("f(x)")
        bound = (f"; GD converges iff lr < 2/f″ = {surface.max_stable_lr:g}" if surface.max_stable_lr is not None
                 else "")
        head = title or f"Gradient descent on {surface.label}, {steps} steps from x₀ = {surface.start:g}{bound}"
        fig.suptitle(head, fontsize=11)
    return flat[:len(lrs)]
