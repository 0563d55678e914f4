"""A network drawn as neurons (circles, one column per layer) and connections (lines) (Chapter 02).

``draw_network(sizes, params)``: with ``params`` (the dict of ``utils.network``), a line's colour shows the
weight's sign and its width the weight's magnitude. The widest line stands for the figure's largest |weight|
unless ``weight_scale`` fixes it; the legend says which, so two figures are never compared by eye by mistake.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..plotting import course_style

__all__ = ["draw_network"]


def _unit_positions(n: int, max_units: int) -> tuple[list[int], list[float], float | None]:
    """(shown unit indices, their y positions, y of the "⋮" gap or None), centred on y = 0."""
    if n <= max_units:
        slots, shown, gap = list(range(n)), list(range(n)), None
    else:
        half = max_units // 2
        shown = list(range(half)) + list(range(n - half, n))
        slots, gap = list(range(half)) + list(range(half + 1, 2 * half + 1)), half
    total = (slots[-1] + 1) if slots else 1
    ys = [(total - 1) / 2 - slot for slot in slots]
    return shown, ys, None if gap is None else (total - 1) / 2 - gap


def draw_network(sizes, params: dict | None = None, labels=None, ax=None, max_units: int = 10,
                 weight_scale: float | None = None):
    """Neurons as circles, one column per layer, and every connection as a line; with ``params`` (the
    dict of ``utils.network``), a line's colour shows the weight's sign and its width the magnitude.

    Columns are labelled with ``labels`` or by default "input (layer 0)", "hidden (layer 1)", …, "output (layer
    L)": the input layer holds the data, has no weights and is not counted in L.
    ``weight_scale``: the |weight| drawn with the widest line (larger ones are drawn as wide); None takes this
    figure's largest |weight|. The legend states it. Layers wider than ``max_units`` show their first and last
    units with "⋮" between. Returns the Axes.
    """
    from matplotlib.collections import LineCollection

    sizes = [int(n) for n in sizes]
    layout = [_unit_positions(n, max_units) for n in sizes]
    tallest = max(len(ys) + (gap is not None) for _, ys, gap in layout)
    with course_style():
        if ax is None:
            legend_room = 1.8 if params is not None else 1.5  # inches for the labels and the legend
            _, ax = plt.subplots(figsize=(1.7 * len(sizes) + 0.8, 0.42 * tallest + legend_room))
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        scale = None
        if params is not None:
            largest = max(float(np.abs(np.asarray(params[f"W{i}"])).max()) for i in range(1, len(sizes)))
            scale = float(weight_scale) if weight_scale is not None else largest
            if not scale > 0:
                scale = 1.0  # every weight is 0: thin lines
        segments, line_colors, widths = [], [], []
        for layer in range(len(sizes) - 1):
            (shown_in, ys_in, _), (shown_out, ys_out, _) = layout[layer], layout[layer + 1]
            W = None if params is None else np.asarray(params[f"W{layer + 1}"])
            for i_in, y_in in zip(shown_in, ys_in):
                for i_out, y_out in zip(shown_out, ys_out):
                    segments.append([(layer, y_in), (layer + 1, y_out)])
                    if W is None:
                        line_colors.append("0.65")
                        widths.append(0.6)
                    else:
                        w = W[i_out, i_in]  # row = output unit, column = input unit: (out, in)
                        line_colors.append(colors[0] if w > 0 else colors[1])
                        widths.append(0.4 + 3.0 * min(abs(w) / scale, 1.0))
        ax.add_collection(LineCollection(segments, colors=line_colors, linewidths=widths, alpha=0.85, zorder=1))
        top = (tallest - 1) / 2
        for layer, (_, ys, gap) in enumerate(layout):
            ax.scatter([layer] * len(ys), ys, s=230, color="white", edgecolor="0.2", linewidth=1.2, zorder=2)
            if gap is not None:
                ax.text(layer, gap, "⋮", ha="center", va="center", fontsize=13, zorder=3)
            name = (labels[layer] if labels else "input (layer 0)" if layer == 0 else
                    f"output (layer {layer})" if layer == len(sizes) - 1 else f"hidden (layer {layer})")
            units = f"{sizes[layer]} unit{'s' if sizes[layer] != 1 else ''}"
            ax.text(layer, top + 0.8, f"{name}\n{units}", ha="center", va="bottom", fontsize=9)
        ax.set_xlim(-0.45, len(sizes) - 0.55)
        ax.set_ylim(-top - (1.9 if params is not None else 0.7), top + 2.0)  # room for the legend below
        ax.axis("off")
        if params is not None:
            ax.plot([], [], color=colors[0], linewidth=2, label="positive weight")
            ax.plot([], [], color=colors[1], linewidth=2, label="negative weight")
            whose = "" if weight_scale is not None else ", the largest here"
            ax.legend(loc="lower center", ncol=2, fontsize=8.5, handlelength=1.5, title_fontsize=8,
                      title=f"line width ∝ |weight|: widest at |w| = {scale:.2g}{whose}")
    return ax

