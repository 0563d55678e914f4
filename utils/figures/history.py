"""Milestones of deep learning, 1943–2022, and the timeline figure of Chapter 00.

``MILESTONES`` is the data (year, name, one line of what happened); ``ERAS`` the periods a history of the
field usually names; ``draw_timeline()`` draws one row per milestone, years to scale along the x-axis, so
the long gap after 1969 (the "AI winter") is visible at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt

from ..plotting import course_style

__all__ = ["ERAS", "MILESTONES", "Milestone", "draw_timeline"]


@dataclass(frozen=True)
class Milestone:
    year: int
    name: str
    what: str


MILESTONES = (
    Milestone(1943, "McCulloch & Pitts", "a neuron as a threshold unit; networks of them compute logic"),
    Milestone(1958, "Rosenblatt's perceptron", "the first artificial neuron that learns its weights from data"),
    Milestone(1969, "Minsky & Papert, Perceptrons", "one layer cannot compute XOR; funding dries up"),
    Milestone(1986, "Backpropagation", "Rumelhart, Hinton & Williams train hidden layers (chain rule)"),
    Milestone(2006, "Deep belief networks", "Hinton et al.: layer-wise pre-training makes depth trainable"),
    Milestone(2012, "AlexNet", "a CNN on GPUs wins ImageNet: top-5 error ~26% → ~15%"),
    Milestone(2014, "GANs", "two networks compete: one generates, one judges"),
    Milestone(2015, "ResNet", "152 layers with skip connections; ImageNet error below a human's"),
    Milestone(2017, "The Transformer", "'Attention is all you need': attention replaces recurrence"),
    Milestone(2018, "BERT", "a Transformer pre-trained on raw text, fine-tuned for each task"),
    Milestone(2020, "GPT-3", "175 billion parameters; learns tasks from examples in its prompt"),
    Milestone(2022, "ChatGPT and Stable Diffusion", "generative models reach the public: chat, text-to-image"),
)
"""The milestones in time order."""

ERAS = (
    (1943, 1969, "birth"),
    (1969, 1986, "AI\nwinter"),
    (1986, 2006, "revival"),
    (2006, 2025, "deep\nlearning"),
)
"""(start, end, name) of the periods shaded behind the timeline."""

TIMELINE_FIGSIZE = (9.8, 4.6)


def draw_timeline(milestones=MILESTONES, axes=None):
    """Draw the milestones, one row each (the first at the top): the text on the left, a dot at the year
    on a to-scale axis on the right, the eras shaded behind. Returns ``(ax_text, ax_years)``.

    ``axes``: None (a new figure) or a pair of Axes sharing their rows, text panel first.
    """
    milestones = sorted(milestones, key=lambda m: m.year)
    if not milestones:
        raise ValueError("draw_timeline needs at least one milestone")
    with course_style():
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=TIMELINE_FIGSIZE, sharey=True, width_ratios=(2.0, 1.0))
            fig.subplots_adjust(left=0.01, right=0.98, top=0.86, bottom=0.11, wspace=0.02)
        ax_text, ax_years = axes
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        n = len(milestones)
        for k, (start, end, name) in enumerate(ERAS):
            ax_years.axvspan(start, end, color="0.93" if k % 2 == 0 else "0.97", zorder=0)
            ax_years.text((start + end) / 2, n - 0.4, name, ha="center", va="bottom", fontsize=8.5, color="0.3",
                          linespacing=1.0, style="italic")
        for row, m in enumerate(milestones):
            y = n - 1 - row
            ax_text.text(0.0, y, f"{m.year}", ha="left", va="center", fontsize=9.5, fontweight="bold")
            ax_text.text(0.07, y, f"{m.name}: {m.what}", ha="left", va="center", fontsize=9.5)
            ax_years.plot([1938, m.year], [y, y], color="0.75", linewidth=0.7, zorder=1)
            ax_years.plot([m.year], [y], "o", color=colors[0], markersize=7, zorder=3)
        ax_text.set_xlim(0, 1)
        ax_text.axis("off")
        ax_years.set_xlim(1938, 2025)
        ax_years.set_ylim(-0.6, n + 0.5)
        ax_years.set_yticks([])
        ax_years.grid(False)
        ax_years.spines["left"].set_visible(False)
        ax_years.set_xticks(range(1940, 2030, 20))
        ax_years.set_xlabel("year (to scale)")
        ax_text.figure.suptitle("Eight decades of neural networks: a slow start, a long winter, then a rush",
                                fontsize=12)
    return ax_text, ax_years
