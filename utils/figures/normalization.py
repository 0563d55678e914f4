"""Chapter 07's figure of what each normalization layer averages over: ``draw_normalization_axes``.

The classic picture of batch, layer, instance and group normalization side by side: a batch of N examples with C
channels, each (example, channel) cell standing for its H×W positions; the shaded cells share one mean and one
variance. No ipywidgets.
"""

from __future__ import annotations

import matplotlib.patches as patches
import matplotlib.pyplot as plt
import numpy as np

from ..module import check_positive_int
from ..plotting import course_style

__all__ = ["NORMALIZATION_GROUPS", "draw_normalization_axes", "normalization_group"]

NORMALIZATION_GROUPS = ("BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm")
"""The layers drawn, left to right."""


def normalization_group(layer: str, n_examples: int, n_channels: int, groups: int = 2, example: int = 0,
                        channel: int = 0) -> np.ndarray:
    """The cells that share one mean and variance with cell (``example``, ``channel``) in ``layer``, as a boolean
    array of shape (n_examples, n_channels) (each cell stands for its channel's H×W positions of one example).

    BatchNorm: the channel over every example; LayerNorm: the example over every channel; InstanceNorm: the cell
    alone; GroupNorm: the example over the ``n_channels / groups`` channels of the cell's group.

    Raises:
        ValueError: for an unknown layer, sizes below 1, a cell outside the grid, or ``groups`` not dividing
            ``n_channels``.
    """
    if layer not in NORMALIZATION_GROUPS:
        raise ValueError(f"layer must be one of {', '.join(NORMALIZATION_GROUPS)}, got {layer!r}")
    n_examples = check_positive_int(n_examples, "n_examples")
    n_channels = check_positive_int(n_channels, "n_channels")
    groups = check_positive_int(groups, "groups")
    if n_channels % groups:
        raise ValueError(f"groups must divide n_channels, got groups={groups} and n_channels={n_channels}")
    if not (0 <= example < n_examples and 0 <= channel < n_channels):
        raise ValueError(f"the cell (example, channel) must be inside a ({n_examples}, {n_channels}) grid, got "
                         f"({example}, {channel})")
    shared = np.zeros((n_examples, n_channels), dtype=bool)
    if layer == "BatchNorm":
        shared[:, channel] = True
    elif layer == "LayerNorm":
        shared[example, :] = True
    elif layer == "InstanceNorm":
        shared[example, channel] = True
    else:
        size = n_channels // groups
        start = channel // size * size
        shared[example, start:start + size] = True
    return shared


def draw_normalization_axes(n_examples: int = 4, n_channels: int = 6, groups: int = 3):
    """Four panels (BatchNorm, LayerNorm, InstanceNorm, GroupNorm with ``groups`` groups): a grid of examples
    (rows) × channels (columns); the dark cells share one μ and σ² (computed over them and their H×W positions).
    Returns the figure."""
    with course_style():
        fig, axes = plt.subplots(1, 4, figsize=(10.0, 3.0))
        fig.subplots_adjust(left=0.04, right=0.99, top=0.8, bottom=0.12, wspace=0.15)
        for ax, layer in zip(axes, NORMALIZATION_GROUPS):
            shared = normalization_group(layer, n_examples, n_channels, groups, example=1, channel=1)
            for n in range(n_examples):
                for c in range(n_channels):
                    ax.add_patch(patches.Rectangle((c, n_examples - 1 - n), 1, 1, facecolor="C0" if shared[n, c]
                                                   else "0.93", edgecolor="white", linewidth=1.5,
                                                   alpha=0.85 if shared[n, c] else 1.0))
            ax.set_xlim(0, n_channels)
            ax.set_ylim(0, n_examples)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            ax.set_xlabel(f"channels C = {n_channels} →", fontsize=9)
            title = f"{layer} (G = {groups})" if layer == "GroupNorm" else layer
            ax.set_title(title, fontsize=10)
        axes[0].set_ylabel(f"← examples N = {n_examples}", fontsize=9)
        fig.suptitle("One mean and variance per shaded block (each cell: one channel's H×W values of one example)",
                     fontsize=10)
    return fig
