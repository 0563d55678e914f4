"""Chapter 00's explorers: the perceptron playground and a 2×2 matrix as a transformation of the plane.

Each explorer comes in three parts, like Chapter 01's (``utils/widgets/activations.py``):

- the **data its figure shows**, computed by ``utils.perceptron`` and ``utils.linear_maps`` and gathered with
  the title by ``perceptron_state`` and ``matrix_state``;
- a **static drawing function** (``draw_perceptron``, ``draw_matrix_transform``) drawing the same figure
  with matplotlib, shown before the widget so the chapter reads well where widgets do not render;
- the **widget** (``perceptron_playground``, ``matrix_explorer``), an ``Explorer`` (``base.py``) with
  ``.controls``, ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.foundations import draw_perceptron, perceptron_playground
    draw_perceptron("and", (1.0, 1.0), -0.5); plt.show()   # static figure of the default state
    perceptron_playground()                                 # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Polygon

from .. import linear_maps as lm
from .. import perceptron as pc
from ..data import logic_gate
from ..module import to_float64
from ..plotting import course_style, fixed_labels, new_figure
from .base import Explorer

__all__ = [
    "GATE_LABELS",
    "MATRIX_FIGSIZE",
    "PERCEPTRON_FIGSIZE",
    "draw_matrix_transform",
    "draw_perceptron",
    "matrix_explorer",
    "matrix_state",
    "perceptron_playground",
    "perceptron_state",
]

GATE_LABELS = {"and": "AND", "or": "OR", "nand": "NAND", "xor": "XOR"}
"""The gates in the playground's menu: internal name (``utils.data.logic_gate``) -> label."""

WINDOW = (-0.5, 1.5)  # the square of the input plane the playground shows
WEIGHT_LIMITS = (-3.0, 3.0)  # the w1, w2 and b sliders' range
PERCEPTRON_FIGSIZE = (7.0, 4.6)
MATRIX_FIGSIZE = (7.0, 4.9)
MATRIX_LIMITS = (-2.0, 2.0)  # the four matrix-entry sliders' range
VIEW = 3.2  # the matrix figure shows [-VIEW, VIEW]²
GRID = (-3.0, 3.0)  # the grid that is transformed (it extends past the view: the plane has no edge)
N_GRID = 7  # lines per direction: one per unit


def _colors() -> list[str]:
    return mpl.rcParams["axes.prop_cycle"].by_key()["color"]


def _minus(text: str) -> str:
    """Use the typographic minus of matplotlib's tick labels in our own texts."""
    return text.replace("-", "−")


# ---------------------------------------------------------------------------------------------
# (a) The perceptron playground
# ---------------------------------------------------------------------------------------------
def _check_gate(gate: str) -> str:
    key = str(gate).lower()
    if key not in GATE_LABELS:
        raise ValueError(f"unknown gate {gate!r}; the playground has {', '.join(GATE_LABELS)}")
    return key


def perceptron_state(gate: str = "and", weight=(1.0, 1.0), bias: float = -0.5) -> dict:
    """Everything the playground shows for a perceptron ``step(w·x + b)`` on a gate's four inputs.

    Returns a dict: ``gate``, ``label``, ``weight`` (2,), ``bias``, ``X`` (4, 2), ``targets`` (4,),
    ``z`` (4,) = X w + b, ``predictions`` (4,), ``misclassified`` (4,) bool, ``errors`` (int),
    ``line`` (2, 2) end points of the decision line in the window or None, ``region`` (M, 2) the polygon
    where the perceptron says 1, ``title``.
    """
    key = _check_gate(gate)
    w = to_float64(weight, name="weight")
    if w.shape != (2,):
        raise ValueError(f"weight must be 2 numbers (w1, w2); got shape {w.shape}")
    b = float(bias)
    X, y = logic_gate(key)
    z = pc.decision_function(X, w, b)
    predictions = pc.predict(X, w, b)
    wrong = predictions != y
    errors = int(wrong.sum())
    verdict = "all 4 right" if errors == 0 else f"{errors} of 4 misclassified (ringed)"
    title = _minus(f"{GATE_LABELS[key]}: w = ({w[0]:.1f}, {w[1]:.1f}), b = {b:.1f} · {verdict}\n"
                   f"shaded: the side where z = w·x + b ≥ 0 (the perceptron says 1)")
    return {"gate": key, "label": GATE_LABELS[key], "weight": w, "bias": b, "X": X, "targets": y, "z": z,
            "predictions": predictions, "misclassified": wrong, "errors": errors,
            "line": pc.decision_line(w, b, WINDOW), "region": pc.positive_region(w, b, WINDOW), "title": title}


class _PerceptronFigure:
    """The artists of the playground's figure on ``ax``, made once; ``update`` changes them."""

    def __init__(self, ax, legend: bool = True, z_labels: bool = True):
        c = _colors()
        self.ax = ax
        self.region = ax.add_patch(Polygon(np.zeros((0, 2)), closed=True, facecolor=c[1], alpha=0.2,
                                           edgecolor="none"))
        (self.line,) = ax.plot([], [], color=c[3], linewidth=2.2)
        self.arrow = ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=14,
                                                  color=c[3], linewidth=1.6))
        (self.ones,) = ax.plot([], [], "o", color=c[0], markersize=12, markeredgecolor=c[0])
        (self.zeros,) = ax.plot([], [], "o", color="white", markersize=12, markeredgecolor=c[0],
                                markeredgewidth=2)
        (self.wrong,) = ax.plot([], [], "o", markersize=25, markerfacecolor="none", markeredgecolor=c[5],
                                markeredgewidth=2.5)
        self.z_texts = [ax.text(0, 0, "", ha="center", fontsize=9, color="0.15") for _ in range(4)] if z_labels\
            else []
        ax.set_xlim(*WINDOW)
        ax.set_ylim(*WINDOW)
        ax.set_aspect("equal")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("input x₁")
        ax.set_ylabel("input x₂")
        if legend:
            handles = [Line2D([], [], marker="o", linestyle="none", color=c[0], markersize=9, label="target 1"),
                       Line2D([], [], marker="o", linestyle="none", color="white", markeredgecolor=c[0],
                              markeredgewidth=2, markersize=9, label="target 0"),
                       Line2D([], [], marker="o", linestyle="none", markerfacecolor="none", markeredgecolor=c[5],
                              markeredgewidth=2.5, markersize=15, label="misclassified"),
                       Line2D([], [], color=c[3], linewidth=2.2, label="decision line\nw·x + b = 0"),
                       Line2D([], [], color=c[3], marker=">", markersize=7, linewidth=1.6,
                              label="w: points to the\nside labelled 1"),
                       Patch(facecolor=c[1], alpha=0.2, label="predicted 1\n(z ≥ 0)")]
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=9, labelspacing=0.9,
                      borderaxespad=0.0)
        self.title = fixed_labels(ax, ylabel_at=0.45, xlabel_at=0.35)

    def update(self, state: dict) -> None:
        X, y, w = state["X"], state["targets"], state["weight"]
        region = state["region"]
        self.region.set_xy(region if len(region) else np.zeros((1, 2)))
        self.region.set_visible(len(region) >= 3)
        line = state["line"]
        self.line.set_data(*(line.T if line is not None else ([], [])))
        norm = float(np.hypot(*w))
        if line is not None and norm > 0:  # the normal vector w, from the visible line's point nearest the centre
            centre, direction = np.array([0.5, 0.5]), line[1] - line[0]
            t = np.clip((centre - line[0]) @ direction / (direction @ direction), 0.15, 0.85)
            foot = line[0] + t * direction
            self.arrow.set_positions(tuple(foot), tuple(foot + 0.3 * w / norm))
            self.arrow.set_visible(True)
        else:
            self.arrow.set_visible(False)
        self.ones.set_data(X[y == 1, 0], X[y == 1, 1])
        self.zeros.set_data(X[y == 0, 0], X[y == 0, 1])
        bad = state["misclassified"]
        self.wrong.set_data(X[bad, 0], X[bad, 1])
        for text, point, z in zip(self.z_texts, X, state["z"]):
            above = point[1] > 0.5
            text.set_position((point[0], point[1] + (0.13 if above else -0.13)))
            text.set_va("bottom" if above else "top")
            text.set_text(_minus(f"z = {z:+.1f}"))
        self.title.set_text(state["title"])

    def changing(self) -> list:
        """Everything but the axes, ticks and legend changes with the sliders."""
        return [self.region, self.line, self.arrow, self.ones, self.zeros, self.wrong, *self.z_texts, self.title]


def draw_perceptron(gate: str = "and", weight=(1.0, 1.0), bias: float = -0.5, ax=None, *, title: str | None = None,
                    legend: bool | None = None):
    """Draw a perceptron's decision line over a gate's four inputs, misclassified points ringed.

    ``ax`` None draws the playground's figure (with its legend and z values); given Axes (e.g. one panel
    of several) get the compact version without them unless ``legend=True``. ``title`` replaces the
    default title. Returns the Axes.
    """
    state = perceptron_state(gate, weight, bias)
    with course_style():
        if ax is None:
            ax = new_figure(PERCEPTRON_FIGSIZE, pyplot=True, left=0.8, right=2.6, top=0.8, bottom=0.6)[1][0]
            figure = _PerceptronFigure(ax, legend=True if legend is None else legend)
        else:
            figure = _PerceptronFigure(ax, legend=bool(legend), z_labels=False)
        figure.update(state)
        if title is not None:
            figure.title.set_text(title)
    return ax


def perceptron_playground(gate: str = "and", weight=(1.0, 1.0), bias: float = -0.5) -> widgets.VBox:
    """A widget to place a perceptron's decision line by hand: the gate and the sliders w1, w2, b.

    Controls (``.controls``): ``"gate"`` (Dropdown: AND, OR, NAND, XOR), ``"w1"``, ``"w2"``, ``"b"``
    (FloatSliders, -3..3, step 0.1). State (``.state``): as ``perceptron_state`` returns, plus ``"error"``.
    """
    start = perceptron_state(gate, weight, bias)  # validates the start values
    with course_style():
        fig, (ax,) = new_figure(PERCEPTRON_FIGSIZE, left=0.8, right=2.6, top=0.8, bottom=0.6)
        artists = _PerceptronFigure(ax)
    wide = {"description_width": "40px"}
    gate_menu = widgets.Dropdown(options=[(label, key) for key, label in GATE_LABELS.items()], value=start["gate"],
                                 description="gate", style=wide, layout=widgets.Layout(width="180px"))
    sliders = {
        name: widgets.FloatSlider(value=float(np.clip(value, *WEIGHT_LIMITS)), min=WEIGHT_LIMITS[0],
                                  max=WEIGHT_LIMITS[1], step=0.1, readout_format=".1f", description=name,
                                  style=wide, layout=widgets.Layout(width="330px"))
        for name, value in (("w1", start["weight"][0]), ("w2", start["weight"][1]), ("b", start["bias"]))
    }
    controls = {"gate": gate_menu, **sliders}

    def compute() -> dict:
        return perceptron_state(gate_menu.value, (sliders["w1"].value, sliders["w2"].value), sliders["b"].value)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return "perceptron", artists.changing()  # axes, ticks and legend never change

    note = widgets.HTML("<small>The perceptron says 1 where z = w₁x₁ + w₂x₂ + b ≥ 0. "
                        "Find settings with no ringed point, for each gate.</small>")
    rows = [widgets.HBox([gate_menu, widgets.VBox(list(sliders.values()))]), note]
    return Explorer(controls, rows, fig, compute, draw)


# ---------------------------------------------------------------------------------------------
# (b) A 2×2 matrix as a transformation of the plane
# ---------------------------------------------------------------------------------------------
def matrix_state(matrix=((1.5, 0.5), (0.0, 1.0))) -> dict:
    """What a 2×2 matrix ``A`` does to the plane, each point (a row) moving to ``p Aᵀ``.

    Returns a dict: ``matrix`` (2, 2), ``det``, ``description`` (in words), ``grid`` (2n, 2, 2) the
    transformed grid segments, ``circle`` (n, 2) the transformed unit circle, ``square`` (4, 2) the
    transformed unit square (a parallelogram of area |det A|), ``e1`` and ``e2`` (2,) the images of the
    basis vectors (the columns of A), ``title``.
    """
    A = to_float64(matrix, name="matrix")
    if A.shape != (2, 2):
        raise ValueError(f"matrix must be 2×2; got shape {A.shape}")
    det = lm.determinant(A)
    (a, b), (c, d) = A
    title = _minus(f"A = [[{a:.1f}, {b:.1f}], [{c:.1f}, {d:.1f}]] · det A = {det:.2f}\n{lm.describe(A)}")
    return {"matrix": A, "det": det, "description": lm.describe(A),
            "grid": lm.transform(lm.grid_segments(GRID, N_GRID), A),
            "circle": lm.transform(lm.unit_circle(), A), "square": lm.transform(lm.unit_square(), A),
            "e1": A[:, 0].copy(), "e2": A[:, 1].copy(), "title": title}


class _MatrixFigure:
    """The artists of the matrix figure on ``ax``, made once; ``update`` moves them."""

    def __init__(self, ax):
        c = _colors()
        self.ax = ax
        for segment in lm.grid_segments(GRID, N_GRID):  # the untouched plane, faint
            ax.plot(*segment.T, color="0.88", linewidth=0.8, zorder=0)
        ax.plot(*lm.unit_circle().T, color="0.55", linestyle="--", linewidth=1.2)
        self.grid = [ax.plot([], [], color=c[4], linewidth=0.9, alpha=0.7)[0]
                     for _ in range(2 * N_GRID)]
        self.square = ax.add_patch(Polygon(np.zeros((4, 2)), closed=True, facecolor=c[2], alpha=0.35,
                                           edgecolor=c[3], linewidth=1.0))
        (self.circle,) = ax.plot([], [], color=c[1], linewidth=2.6)
        self.arrows = [ax.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=16,
                                                    color=color, linewidth=2.2, shrinkA=0, shrinkB=0))
                       for color in (c[5], c[0])]
        self.tips = [ax.text(0, 0, "", color=color, fontsize=10, fontweight="bold", ha="center", va="center")
                     for color in (c[5], c[0])]
        ax.set_xlim(-VIEW, VIEW)
        ax.set_ylim(-VIEW, VIEW)
        ax.set_aspect("equal")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        handles = [Line2D([], [], color="0.55", linestyle="--", label="unit circle"),
                   Line2D([], [], color=c[1], linewidth=2.6, label="its image\n(an ellipse)"),
                   Line2D([], [], color=c[4], label="the grid, moved"),
                   Patch(facecolor=c[2], alpha=0.35, edgecolor=c[3], label="unit square's\nimage: area |det A|"),
                   Line2D([], [], color=c[5], linewidth=2.2, label="Ae₁ = column 1"),
                   Line2D([], [], color=c[0], linewidth=2.2, label="Ae₂ = column 2")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=9, labelspacing=0.9,
                  borderaxespad=0.0)
        self.title = fixed_labels(ax, ylabel_at=0.45, xlabel_at=0.35)

    def update(self, state: dict) -> None:
        for artist, segment in zip(self.grid, state["grid"]):
            artist.set_data(*segment.T)
        self.square.set_xy(state["square"])
        self.circle.set_data(*state["circle"].T)
        for arrow, tip, vector, name in zip(self.arrows, self.tips, (state["e1"], state["e2"]), ("Ae₁", "Ae₂")):
            arrow.set_positions((0.0, 0.0), tuple(vector))
            length = float(np.hypot(*vector))
            label_at = vector + (0.3 * vector / length if length > 0 else np.array([0.25, 0.25]))
            tip.set_position(tuple(np.clip(label_at, -VIEW + 0.2, VIEW - 0.2)))
            tip.set_text(name)
        self.title.set_text(state["title"])

    def changing(self) -> list:
        return [*self.grid, self.square, self.circle, *self.arrows, *self.tips, self.title]


def draw_matrix_transform(matrix=((1.5, 0.5), (0.0, 1.0)), ax=None):
    """Draw what the 2×2 ``matrix`` does to a grid, the unit circle and the unit square. Returns the Axes."""
    state = matrix_state(matrix)
    with course_style():
        if ax is None:
            ax = new_figure(MATRIX_FIGSIZE, pyplot=True, left=0.8, right=2.3, top=0.8, bottom=0.6)[1][0]
        figure = _MatrixFigure(ax)
        figure.update(state)
    return ax


def matrix_explorer(matrix=((1.5, 0.5), (0.0, 1.0))) -> widgets.VBox:
    """A widget to see a 2×2 matrix ``[[a, b], [c, d]]`` move the plane, with its determinant.

    Controls (``.controls``): ``"a"``, ``"b"``, ``"c"``, ``"d"`` (FloatSliders, -2..2, step 0.1), laid out
    like the matrix. State (``.state``): as ``matrix_state`` returns, plus ``"error"``.
    """
    start = matrix_state(matrix)["matrix"]
    with course_style():
        fig, (ax,) = new_figure(MATRIX_FIGSIZE, left=0.8, right=2.3, top=0.8, bottom=0.6)
        artists = _MatrixFigure(ax)
    wide = {"description_width": "25px"}
    sliders = {
        name: widgets.FloatSlider(value=float(np.clip(value, *MATRIX_LIMITS)), min=MATRIX_LIMITS[0],
                                  max=MATRIX_LIMITS[1], step=0.1, readout_format=".1f", description=name,
                                  style=wide, layout=widgets.Layout(width="260px"))
        for name, value in zip("abcd", start.ravel())
    }

    def compute() -> dict:
        return matrix_state([[sliders["a"].value, sliders["b"].value], [sliders["c"].value, sliders["d"].value]])

    def draw(state: dict) -> tuple:
        artists.update(state)
        return "matrix", artists.changing()

    note = widgets.HTML("<small>A = [[a, b], [c, d]] moves each point p to Ap. Try a rotation "
                        "[[0, −1], [1, 0]], a mirror [[−1, 0], [0, 1]], and det A = 0 ([[1, 2], [0.5, 1]]).</small>")
    rows = [widgets.HBox([sliders["a"], sliders["b"]]), widgets.HBox([sliders["c"], sliders["d"]]), note]
    return Explorer(sliders, rows, fig, compute, draw)
