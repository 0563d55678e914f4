"""Schematic figures of Chapter 00 (drawn, not computed): where deep learning sits inside AI, and a
biological neuron beside the artificial one.

``draw_ai_ml_dl()`` and ``draw_neurons()`` each return their Axes; call ``plt.show()`` after them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..plotting import course_style

__all__ = ["NEURON_PARTS", "draw_ai_ml_dl", "draw_neurons"]

NEURON_PARTS = {
    "dendrites": "inputs x₁ … x_D",
    "synapses": "weights w₁ … w_D",
    "soma": "sum z = w·x + b",
    "firing threshold": "activation step(z)",
    "axon": "output ŷ",
}
"""Part of a biological neuron -> its (rough) counterpart in the artificial one, as the figure pairs them."""


def draw_ai_ml_dl(ax=None):
    """Three nested boxes: artificial intelligence ⊃ machine learning ⊃ deep learning, with examples."""
    with course_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(7.0, 3.6))
            ax.figure.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        boxes = [  # (x0, y0, x1, y1), colour, name, examples
            ((0.0, 0.0, 10.0, 5.4), colors[7], "Artificial intelligence",
             "programs that act\nintelligently: rules,\nsearch, planning\n(chess engines,\nexpert systems)"),
            ((3.8, 0.3, 9.7, 4.9), colors[8], "Machine learning",
             "learns from examples, with\nfeatures people design\n(linear models, decision trees, SVMs)"),
            ((4.7, 0.6, 9.4, 2.75), colors[4], "Deep learning",
             "many-layer neural networks that\nlearn the features too\n(CNNs, RNNs, Transformers)"),
        ]
        for (x0, y0, x1, y1), color, name, examples in boxes:
            ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.0,rounding_size=0.3",
                                        facecolor=color, edgecolor="0.3", linewidth=1.2, alpha=0.6))
            ax.text(x0 + 0.3, y1 - 0.3, name, ha="left", va="top", fontsize=11, fontweight="bold")
            ax.text(x0 + 0.3, y1 - 0.85, examples, ha="left", va="top", fontsize=9, linespacing=1.25)
        ax.set_xlim(-0.1, 10.1)
        ax.set_ylim(-0.1, 5.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title("Deep learning is one kind of machine learning, which is one way to build AI", fontsize=11)
    return ax


def _arrow(ax, start, end, color="0.25", width=1.3, style="-|>"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color, linewidth=width,
                                 shrinkA=0, shrinkB=0))


def _biological(ax, colors) -> None:
    soma = (3.2, 2.3)
    rng = np.random.default_rng(3)  # a fixed, natural-looking set of dendrite branches
    for angle in np.deg2rad([110, 145, 180, 215, 250]):
        trunk_end = soma + 1.5 * np.array([np.cos(angle), np.sin(angle)])
        ax.plot([soma[0], trunk_end[0]], [soma[1], trunk_end[1]], color=colors[3], linewidth=2.2)
        for spread in (-0.45, 0.45):
            a = angle + spread + rng.normal(0, 0.08)
            tip = trunk_end + 0.65 * np.array([np.cos(a), np.sin(a)])
            ax.plot([trunk_end[0], tip[0]], [trunk_end[1], tip[1]], color=colors[3], linewidth=1.4)
    ax.add_patch(Circle(soma, 0.62, facecolor=colors[8], edgecolor=colors[3], linewidth=2, zorder=3))
    ax.add_patch(Circle(soma, 0.2, facecolor=colors[5], edgecolor="none", zorder=4))  # the nucleus
    ax.plot([soma[0] + 0.62, 7.6], [soma[1], soma[1]], color=colors[3], linewidth=3, zorder=2)  # the axon
    for x in np.linspace(4.3, 7.0, 4):  # myelin sheath segments
        ax.add_patch(FancyBboxPatch((x, soma[1] - 0.13), 0.5, 0.26, boxstyle="round,pad=0.02",
                                    facecolor="white", edgecolor=colors[3], linewidth=1.2, zorder=3))
    for dy in (-0.55, 0.0, 0.55):  # axon terminals and their synapses
        end = (8.4, soma[1] + dy)
        ax.plot([7.6, end[0]], [soma[1], end[1]], color=colors[3], linewidth=1.8)
        ax.add_patch(Circle(end, 0.13, facecolor=colors[1], edgecolor=colors[3], zorder=3))
    labels = [
        ((0.6, 4.05), "dendrites\nreceive signals"),
        ((5.45, 1.3), "soma (cell body): sums them,\nfires above a firing threshold"),
        ((5.75, 2.75), "axon: carries the spike"),
        ((8.3, 3.45), "synapses: connections\nof varying strength"),
    ]
    for (x, y), text in labels:
        ax.text(x, y, text, ha="center", va="center", fontsize=9, linespacing=1.15)
    ax.set_title("A biological neuron (sketch)", fontsize=11)


def _artificial(ax, colors) -> None:
    inputs = [(0.7, 3.9), (0.7, 2.6), (0.7, 1.3)]
    body, act, out = (4.2, 2.6), (6.6, 2.6), (8.7, 2.6)
    for k, (x, y) in enumerate(inputs, start=1):
        ax.add_patch(Circle((x, y), 0.38, facecolor="white", edgecolor=colors[0], linewidth=2, zorder=3))
        ax.text(x, y, f"x{'₁₂₃'[k - 1]}", ha="center", va="center", fontsize=11, zorder=4)
        _arrow(ax, (x + 0.38, y), (body[0] - 0.7, body[1] + (y - body[1]) * 0.25), color=colors[0])
        ax.text((x + body[0]) / 2 - 0.2, (y + body[1]) / 2 + 0.28 * (1 if y >= body[1] else -1) + 0.05,
                f"w{'₁₂₃'[k - 1]}", ha="center", va="center", fontsize=11, color=colors[0], fontweight="bold")
    ax.add_patch(Circle(body, 0.7, facecolor=colors[8], edgecolor=colors[3], linewidth=2, zorder=3))
    ax.text(*body, "Σ + b", ha="center", va="center", fontsize=12, zorder=4)
    _arrow(ax, (body[0] + 0.7, body[1]), (act[0] - 0.75, act[1]))
    ax.text((body[0] + act[0]) / 2 + 0.05, body[1] + 0.3, "z", ha="center", fontsize=11)
    ax.add_patch(FancyBboxPatch((act[0] - 0.75, act[1] - 0.55), 1.5, 1.1, boxstyle="round,pad=0.05",
                                facecolor="white", edgecolor=colors[5], linewidth=2, zorder=3))
    xs = np.array([-0.5, 0.0, 0.0, 0.5])
    ax.plot(act[0] + xs, act[1] + np.array([-0.3, -0.3, 0.3, 0.3]), color=colors[5], linewidth=2, zorder=4)
    _arrow(ax, (act[0] + 0.8, act[1]), (out[0] - 0.25, out[1]))
    ax.text(out[0] + 0.05, out[1], "ŷ", ha="center", va="center", fontsize=13)
    labels = [
        ((0.7, 0.45), "inputs\n(≈ dendrites)"),
        ((2.45, 4.75), "weights (≈ synapse strengths)"),
        ((4.2, 1.3), "weighted sum\n(≈ soma)"),
        ((6.6, 1.45), "step: fire if z ≥ 0\n(≈ firing threshold)"),
        ((8.7, 1.6), "output\n(≈ axon)"),
    ]
    for (x, y), text in labels:
        ax.text(x, y, text, ha="center", va="center", fontsize=9, linespacing=1.15)
    ax.set_title("An artificial neuron: ŷ = step(w·x + b)", fontsize=11)


def draw_neurons(axes=None):
    """A biological neuron (left) beside the perceptron (right), parts labelled alike. Returns both Axes."""
    with course_style():
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.3))
            fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.02, wspace=0.06)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        _biological(axes[0], colors)
        _artificial(axes[1], colors)
        for ax in axes:
            ax.set_xlim(-0.3, 9.4)
            ax.set_ylim(0.0, 5.1)
            ax.set_aspect("equal")
            ax.axis("off")
    return axes[0], axes[1]
