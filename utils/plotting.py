"""Figures in the course's style: colour-blind-safe palette, labelled axes, readable at notebook width."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

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
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, shape (N,); got shape {x.shape}")
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
