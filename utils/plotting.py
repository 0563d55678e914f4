"""Figures in the course's style: colour-blind-safe palette, labelled axes, readable at notebook width.

The building blocks every figure shares, static or interactive: ``use_course_style`` (a notebook's first
cell), ``course_style`` (the style for one block, the caller's settings restored after), ``new_figure``
(stacked Axes with fixed margins), ``fixed_labels`` (axis labels and title at fixed places), and
``plain_log_labels`` (a log axis labelled 10⁻³ without mathtext). Nothing here imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from .module import check_number, check_positive_int

__all__ = ["FIGSIZE", "STYLE", "course_style", "fixed_labels", "new_figure", "plain_log_labels", "plot_curves",
           "power_of_ten", "use_course_style"]

STYLE = "tableau-colorblind10"
FIGSIZE = (7.0, 3.6)


def use_course_style() -> None:
    """Apply the course's matplotlib style (call once at the top of a notebook)."""
    plt.style.use(STYLE)
    plt.rcParams.update({
        "figure.figsize": FIGSIZE, "figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False,
        "font.size": 10,
    })


def plot_curves(x: np.ndarray, curves: Mapping[str, np.ndarray], *, title: str, xlabel: str = "x",
                ylabel: str = "f(x)", ax=None, styles: Mapping[str, str] | None = None):
    """Plot several curves y = f(x) sharing the x-axis, with a legend; returns the Axes.

    Shapes: x (N,), each curve (N,).

    Raises:
        ValueError: for x not 1-D or a curve not of x's shape. TypeError: for curves not a dict, or ax not an Axes.
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, shape (N,); got shape {x.shape}")
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a dict {{label: y values}}, got {type(curves).__name__}")
    if ax is not None:
        _check_axes(ax)
    ax = ax or plt.subplots()[1]
    for label, y in curves.items():
        y = np.asarray(y)
        if y.shape != x.shape:
            raise ValueError(f"curve {label!r} must have the shape of x, {x.shape}; got {y.shape}")
        ax.plot(x, y, (styles or {}).get(label, "-"), label=label, linewidth=2)
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    return ax


@contextmanager
def course_style():
    """The course's matplotlib style for the duration of the block; the caller's rcParams come back after."""
    with mpl.rc_context():
        use_course_style()
        yield


def new_figure(figsize, nrows: int = 1, *, pyplot: bool = False, gap: float = 0.15, top: float = 0.7,
               bottom: float = 0.65, left: float = 0.8, right: float = 0.2, **subplot_kw):
    """A figure of ``nrows`` stacked Axes with fixed margins (in inches): ``(fig, axes)``.

    Fixed margins instead of a layout engine: constrained layout triples the time of a redraw (~140 ms
    instead of ~50 ms for the activation figure), too slow for a slider. ``pyplot=False`` gives a figure
    that pyplot does not track (an explorer's persistent canvas: nothing to close); ``pyplot=True`` a
    figure that ``plt.show()`` displays (the static figures).

    Raises:
        ValueError: for figsize not two positive numbers (width, height) in inches, or nrows not a positive integer.
    """
    if np.shape(figsize) != (2,):
        raise ValueError(f"figsize must be (width, height) in inches, got {figsize!r}")
    for size in figsize:
        check_number(size, "each of figsize's (width, height)", above=0)
    nrows = check_positive_int(nrows, "nrows")
    fig = plt.figure(figsize=figsize) if pyplot else Figure(figsize=figsize, dpi=mpl.rcParams["figure.dpi"])
    axes = fig.subplots(nrows, 1, squeeze=False, **subplot_kw)[:, 0]
    width, height = figsize
    axes_height = (height - top - bottom - gap * (nrows - 1)) / nrows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        hspace=gap / axes_height)
    return fig, axes


def fixed_labels(ax, title: str = "", ylabel_at: float = 0.55, xlabel_at: float = 0.3):
    """Axis labels ``ylabel_at`` / ``xlabel_at`` inches outside the axes, and the title (returned) just above.

    Fixed positions spare matplotlib from measuring every tick label at each draw to place them (~15 ms).

    Raises:
        TypeError: if ``ax`` is not a matplotlib Axes.
    """
    _check_axes(ax)
    width, height = ax.get_position().size * ax.figure.get_size_inches()
    ax.yaxis.set_label_coords(-ylabel_at / width, 0.5)
    ax.xaxis.set_label_coords(0.5, -xlabel_at / height)
    return ax.set_title(title, fontsize=11, y=1.0, pad=6)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _check_axes(ax) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. fig, ax = plt.subplots()), got {type(ax).__name__}")
    return ax


def power_of_ten(value: float, _pos=None) -> str:
    """A log axis's tick label as plain text, 10⁻³ ("" between decades): no mathtext to parse (matplotlib's
    default costs ~0.3 s on the first figure of a kernel and a few ms per label after that).

    Raises:
        ValueError: if ``value`` is not a number.
    """
    value = check_number(value, "value", finite=False)
    if value <= 0:
        return ""
    exponent = np.log10(value)
    return f"10{str(int(round(exponent))).translate(_SUPERSCRIPT)}" if np.isclose(exponent, round(exponent)) else ""


def plain_log_labels(ax) -> None:
    """Label a log y-axis's decades with ``power_of_ten``, without minor ticks (dozens of tick objects to build
    and draw: about half of a figure's drawing time).

    Raises:
        TypeError: if ``ax`` is not a matplotlib Axes.
    """
    _check_axes(ax)
    ax.yaxis.set_major_formatter(FuncFormatter(power_of_ten))
    ax.yaxis.set_minor_locator(NullLocator())
