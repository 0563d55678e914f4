"""Digit images in a grid (8×8 from scikit-learn, 28×28 from MNIST), each with its label, or its true and predicted
labels (Chapters 02 and 06).

``draw_digit_grid(images, labels, predicted, probabilities)``: every caption reads "true → predicted"; wrong
predictions are framed and titled in orange.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..plotting import course_style

__all__ = ["draw_digit_grid"]


def draw_digit_grid(images, labels=None, predicted=None, ncols: int = 10, title: str = "", probabilities=None,
                    size: float = 0.64):
    """Square digit images in a grid, each titled with its label, or "true → predicted" when ``predicted`` is given.

    ``images`` (N, side²) or (N, side, side), pixels in [0, 1] (8×8 digits: (N, 64); MNIST: (N, 784));
    ``size`` an image's side in inches; ``labels``, ``predicted`` (N,) or None; ``probabilities`` (N,) the
    predicted class's probability, shown when given. Wrong predictions are framed and titled in orange (and
    marked ✗, so the difference does not rest on colour alone); right ones are marked ✓.
    One Axes holds every image (its data coordinates are the figure's inches), far cheaper to draw than one
    Axes per digit. Returns the figure; ``fig.axes[0].texts`` are the digits' captions, in order.
    """
    from matplotlib.patches import Rectangle

    images = np.asarray(images, dtype=float)
    side = int(round(np.sqrt(images[0].size))) if len(images) else 8
    if images.ndim not in (2, 3) or side * side != images[0].size:
        raise ValueError(f"images must have shape (N, side²) or (N, side, side), square images such as (N, 64) or "
                         f"(N, 784); got shape {images.shape}")
    images = images.reshape(-1, side, side)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    lines = 2 if (predicted is not None and probabilities is not None) else 1
    caption = 0.17 * lines + 0.05  # inches: the caption's height above an image
    row_h = size + caption + 0.12
    fig_w = (size + 0.14) * max(ncols, 5)
    head = 0.45 if title else 0.05
    fig_h = head + nrows * row_h
    pitch = fig_w / ncols
    with course_style():
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, fig_w)
        ax.set_ylim(0, fig_h)
        ax.axis("off")
        for i in range(n):
            row, col = divmod(i, ncols)
            x0 = col * pitch + (pitch - size) / 2
            top = fig_h - head - row * row_h - caption
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest",
                      extent=(x0, x0 + size, top - size, top))
            wrong = labels is not None and predicted is not None and labels[i] != predicted[i]
            text = ""
            if predicted is not None:
                mark = "" if labels is None else " ✗" if wrong else " ✓"
                text = f"{labels[i]} → {predicted[i]}{mark}" if labels is not None else f"→ {predicted[i]}"
                if probabilities is not None:
                    text += f"\n{probabilities[i]:.0%}"
            elif labels is not None:
                text = str(labels[i])
            ax.text(x0 + size / 2, top + 0.03, text, ha="center", va="bottom", fontsize=8.5, linespacing=1.05,
                    color=colors[1] if wrong else "0.15", fontweight="bold" if wrong else "normal")
            ax.add_patch(Rectangle((x0, top - size), size, size, fill=False, edgecolor=colors[1] if wrong else "0.75",
                                   linewidth=2.0 if wrong else 0.8))
        ax.set_aspect("equal")
        if title:
            ax.text(fig_w / 2, fig_h - 0.1, title, ha="center", va="top", fontsize=10.5)
    return fig
