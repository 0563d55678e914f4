"""Chapter 04's explorers: a step-through of backpropagation on a small graph, and a training explorer.

The maths they show lives in maths modules: ``utils.autograd_steps`` (``backprop_steps(graph)``, every step of
the forward and the backward pass of a small ``utils.autograd`` graph) and ``utils.train2d`` (``train_2d(...)``,
an MLP trained with softmax cross-entropy on a 2-D data set, its loss curve and its predicted class over the
plane). Here, as in ``utils/widgets/activations.py``:

- a **static drawing function**, ``draw_backprop_step`` and ``draw_training``, for the figure shown before
  the widget (and for any fixed state); ``draw_graph(root)`` draws the graph of any ``Value``;
- the **widget**: ``backprop_stepper()`` (a graph menu, a step slider and ◀ / ▶ buttons) and
  ``training_explorer()`` (data set, learning rate, hidden width, activation, epochs; each change trains a
  fresh network, shown after a twentieth of its epochs and again when done; settings already trained come back
  from a cache at once).

Usage in a notebook::

    from utils.widgets.backprop import backprop_stepper, draw_backprop_step
    draw_backprop_step("neuron"); plt.show()     # static figure: the default state (the last step)
    backprop_stepper()                            # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..activations import activation_spec
from ..autograd import Value, topological_order
from ..autograd_steps import GRAPHS, GraphStep, StepThrough, backprop_steps, format_value, op_symbol, steps_of
from ..train2d import ACTIVATION_CHOICES, DATASETS, TrainingRun, train_2d, train_2d_in_steps
from .base import Explorer, course_style, new_figure

__all__ = [
    "EPOCH_CHOICES",
    "GRAPH_FIGSIZE",
    "LR_CHOICES",
    "TRAINING_FIGSIZE",
    "backprop_stepper",
    "draw_backprop_step",
    "draw_graph",
    "draw_training",
    "training_explorer",
]

GRAPH_FIGSIZE = (9.6, 4.4)
TRAINING_FIGSIZE = (9.6, 4.2)


# ---------------------------------------------------------------------------------------------
# Drawing a graph: value boxes in columns by depth, an operation circle before each computed value
# ---------------------------------------------------------------------------------------------
BOX_W, BOX_H, OP_R = 1.8, 1.05, 0.3


def _layout(children: tuple[tuple[int, ...], ...]) -> dict[int, tuple[float, float]]:
    """(x, y) of each node: columns by depth (a leaf sits just left of its first user), rows spread evenly."""
    n = len(children)
    depth = [0] * n
    for i in range(n):  # topological order: children come first
        if children[i]:
            depth[i] = 1 + max(depth[c] for c in children[i])
    users: list[list[int]] = [[] for _ in range(n)]
    for i, ch in enumerate(children):
        for c in ch:
            users[c].append(i)
    for i in range(n):
        if not children[i] and users[i]:
            depth[i] = min(depth[u] for u in users[i]) - 1
    y = [None] * n
    y[n - 1] = 0.0
    spacing = 1.5
    for i in reversed(range(n)):  # from the output back to the leaves
        distinct = list(dict.fromkeys(children[i]))
        for k, c in enumerate(distinct):
            if y[c] is None:
                y[c] = y[i] + ((len(distinct) - 1) / 2 - k) * spacing
    columns: dict[int, list[int]] = {}
    for i in range(n):
        columns.setdefault(depth[i], []).append(i)
    for col in columns.values():  # keep the order, enforce a minimum gap, then re-centre on the old mean
        col.sort(key=lambda i: -y[i])
        old_mean = np.mean([y[i] for i in col])
        for a, b in zip(col, col[1:]):
            if y[a] - y[b] < spacing:
                y[b] = y[a] - spacing
        shift = old_mean - np.mean([y[i] for i in col])
        for i in col:
            y[i] += shift
    return {i: (2.9 * depth[i], y[i]) for i in range(n)}


MIN_GRAPH_WIDTH = 14.6  # data units: the widest graph (the neuron, 5 columns) just fits


def _limits(pos: dict[int, tuple[float, float]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y limits around every box (the x-range at least ``MIN_GRAPH_WIDTH``, centred)."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1 = min(xs) - BOX_W / 2 - 1.0, max(xs) + BOX_W / 2 + 0.3  # room on the left for an operation circle
    if x1 - x0 < MIN_GRAPH_WIDTH:
        pad = (MIN_GRAPH_WIDTH - (x1 - x0)) / 2
        x0, x1 = x0 - pad, x1 + pad
    return (x0, x1), (min(ys) - BOX_H / 2 - 0.35, max(ys) + BOX_H / 2 + 0.35)


def _set_equal_limits(ax, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """Set limits containing ``xlim`` and ``ylim`` with one data unit as long on both axes (widening one of them)."""
    width, height = ax.get_position().size * ax.figure.get_size_inches()
    (x0, x1), (y0, y1) = xlim, ylim
    per_inch = max((x1 - x0) / width, (y1 - y0) / height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - per_inch * width / 2, cx + per_inch * width / 2)
    ax.set_ylim(cy - per_inch * height / 2, cy + per_inch * height / 2)


def _fitted_figsize(st: StepThrough, top: float, bottom: float) -> tuple[float, float]:
    """GRAPH_FIGSIZE's width, and just the height the graph needs at that width (a static figure)."""
    (x0, x1), (y0, y1) = _limits(_layout(st.children))
    width = GRAPH_FIGSIZE[0]
    return width, top + bottom + (width - 0.2) * (y1 - y0) / (x1 - x0)


class _GraphFigure:
    """The artists of a step-through figure on ``ax``: one box per value, a circle per operation, arrows."""

    def __init__(self, ax, st: StepThrough):
        self.ax, self.st = ax, st
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.forward_color, self.backward_color = colors[1], colors[0]
        ax.clear()
        ax.set_axis_off()
        pos = _layout(st.children)
        self.pos = pos
        _set_equal_limits(ax, *_limits(pos))  # the same box size for every graph: small graphs get room
        self.boxes, self.value_texts, self.grad_texts, self.circles, self.arrows = {}, {}, {}, {}, {}
        for i, (x, y) in pos.items():
            box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H,
                                 boxstyle="round,pad=0.02,rounding_size=0.12", linewidth=1.2, edgecolor="0.35",
                                 facecolor="white", zorder=2)
            ax.add_patch(box)
            self.boxes[i] = box
            ax.text(x, y + 0.3, st.labels[i], ha="center", va="center", fontsize=10, fontweight="bold", zorder=3)
            self.value_texts[i] = ax.text(x, y + 0.02, "", ha="center", va="center", fontsize=9, zorder=3)
            self.grad_texts[i] = ax.text(x, y - 0.28, "", ha="center", va="center", fontsize=9, zorder=3)
            if st.children[i]:
                cx = x - BOX_W / 2 - 0.45
                circle = Circle((cx, y), OP_R, facecolor="0.93", edgecolor="0.35", linewidth=1.0, zorder=2)
                ax.add_patch(circle)
                symbol = op_symbol(st.ops[i])
                ax.text(cx, y, symbol, ha="center", va="center", fontsize=9 if len(symbol) <= 2 else 7, zorder=3)
                self.circles[i] = circle
                ax.add_patch(FancyArrowPatch((cx + OP_R, y), (x - BOX_W / 2, y), arrowstyle="-|>",
                                             mutation_scale=9, color="0.45", linewidth=1.0, zorder=1))
                for c in dict.fromkeys(st.children[i]):
                    cxy = pos[c]
                    arrow = FancyArrowPatch((cxy[0] + BOX_W / 2, cxy[1]), (cx - OP_R * 0.95, y), arrowstyle="-|>",
                                            mutation_scale=9, color="0.6", linewidth=1.0, zorder=1,
                                            connectionstyle="arc3,rad=0.0", shrinkA=0, shrinkB=0)
                    ax.add_patch(arrow)
                    self.arrows[(c, i)] = arrow
        self.title = ax.set_title("", fontsize=11, loc="left")
        self.message = ax.figure.text(0.02, 0.03, "", fontsize=9, ha="left", va="bottom", wrap=True)

    def update(self, step: GraphStep) -> None:
        st = self.st
        for i, box in self.boxes.items():
            self.value_texts[i].set_text(f"value {format_value(st.values[i])}" if step.known[i] else "value ?")
            g = step.grads[i]
            grad_text = "grad —" if g is None else f"grad {format_value(g)}" + ("" if step.final[i] else " (so far)")
            self.grad_texts[i].set_text(grad_text)
            self.grad_texts[i].set_color(self.backward_color if g is not None else "0.55")
            self.grad_texts[i].set_fontstyle("normal" if g is None or step.final[i] else "italic")
            self.value_texts[i].set_color("0.1" if step.known[i] else "0.55")
            active = step.node == i
            color = self.forward_color if step.phase == "forward" else self.backward_color
            box.set_facecolor(mpl.colors.to_rgba(color, 0.18) if active else "white")
            box.set_edgecolor(color if active else "0.35")
            box.set_linewidth(2.4 if active else 1.2)
        for i, circle in self.circles.items():
            active = step.node == i and step.phase in ("forward", "backward")
            color = self.forward_color if step.phase == "forward" else self.backward_color
            circle.set_facecolor(mpl.colors.to_rgba(color, 0.3) if active else "0.93")
        edge_color = self.forward_color if step.phase == "forward" else self.backward_color
        for key, arrow in self.arrows.items():
            on = key in step.edges
            arrow.set_color(edge_color if on else "0.6")
            arrow.set_linewidth(2.4 if on else 1.0)
        phase = {"start": "start", "forward": "forward pass", "output": "backward pass", "backward": "backward pass",
                 "done": "done"}[step.phase]
        self.title.set_text(f"{st.title}   ·   step {step.index} of {st.n_steps - 1}: {phase}")
        self.message.set_text(_wrap(step.message, 150))

    def changing(self) -> list:
        return [*self.arrows.values(), *self.circles.values(), *self.boxes.values(), *self.value_texts.values(),
                *self.grad_texts.values(), self.title, self.message, *self._static_texts()]

    def _static_texts(self) -> list:
        # the labels and operation symbols sit on top of the boxes and circles, so they are redrawn after them
        dynamic = {id(t) for t in (*self.value_texts.values(), *self.grad_texts.values(), self.title)}
        return [t for t in self.ax.texts if id(t) not in dynamic]


def _wrap(text: str, width: int) -> str:
    """``text`` with every line longer than ``width`` characters broken at spaces (its own line breaks kept)."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if len(line) + len(word) + 1 > width and line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)


def _resolve_step(st: StepThrough, step) -> int:
    if step is None:
        return st.n_steps - 1
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < st.n_steps:
        raise ValueError(f"step must be an integer from 0 to {st.n_steps - 1}, got {step!r}")
    return int(step)


def draw_backprop_step(graph: str = "neuron", step: int | None = None, ax=None):
    """Draw the graph ``graph`` (a key of ``GRAPHS``) at ``step`` (None: the last step, every gradient known).

    Each value is a box with its name, value and gradient; each operation a circle. The node acting in this
    step is highlighted (orange going forward, blue going backward), with the edges its gradient flows along.
    Returns the Axes.
    """
    st = backprop_steps(graph)
    step = _resolve_step(st, step)
    with course_style():
        if ax is None:
            ax = new_figure(_fitted_figsize(st, 0.45, 0.7), pyplot=True, top=0.45, bottom=0.7, left=0.1,
                            right=0.1)[1][0]
        fig = _GraphFigure(ax, st)
        fig.update(st.steps[step])
    return ax


def draw_graph(root: Value, title: str = "", ax=None):
    """Draw the computation graph ending at ``root`` with every value and gradient as they are now
    (call ``root.backward()`` first to see gradients). Returns the Axes."""
    st = steps_of(root, "graph", title)
    order = topological_order(root)
    grads = tuple(v.grad for v in order)
    now = GraphStep(0, "done", None, (True,) * len(order), grads, (True,) * len(order), (), "")
    with course_style():
        if ax is None:
            ax = new_figure(_fitted_figsize(st, 0.45, 0.2), pyplot=True, top=0.45, bottom=0.2, left=0.1,
                            right=0.1)[1][0]
        fig = _GraphFigure(ax, st)
        fig.update(now)
        fig.title.set_text(title)
        fig.message.set_text("")
    return ax


def backprop_stepper(graph: str = "neuron", step: int | None = None) -> widgets.VBox:
    """A widget to walk through backpropagation on a small graph, one node at a time.

    Controls (``.controls``): ``"graph"`` (Dropdown of ``GRAPHS``) and ``"step"`` (IntSlider from 0 to the
    last step; ◀ and ▶ buttons move it by one). State (``.state``): ``"graph"``, ``"step"`` (a ``GraphStep``),
    ``"steps"`` (the ``StepThrough``), ``"message"``, ``"error"``. Starts at ``step`` (None: the last step).
    """
    st0 = backprop_steps(graph)
    start = _resolve_step(st0, step)
    with course_style():
        fig, (ax,) = new_figure(GRAPH_FIGSIZE, top=0.45, bottom=0.75, left=0.1, right=0.1)
    figures: dict = {}  # graph -> its _GraphFigure on an Axes of its own, made once; the others' Axes hidden
    menu = widgets.Dropdown(options=[(label, key) for key, (label, _) in GRAPHS.items()], value=graph,
                            description="graph", layout=widgets.Layout(width="380px"))
    slider = widgets.IntSlider(value=start, min=0, max=st0.n_steps - 1, description="step",
                               layout=widgets.Layout(width="420px"), continuous_update=True)
    back = widgets.Button(description="◀", tooltip="one step back", layout=widgets.Layout(width="44px"))
    forward = widgets.Button(description="▶", tooltip="one step forward", layout=widgets.Layout(width="44px"))
    controls = {"graph": menu, "step": slider}

    def state_of(graph: str, step: int) -> dict:
        st = backprop_steps(graph)
        s = st.steps[min(step, st.n_steps - 1)]
        return {"graph": graph, "steps": st, "step": s, "message": s.message}

    def compute() -> dict:
        return state_of(menu.value, slider.value)

    def draw(state: dict) -> tuple:
        """Each step is a background of its own (nothing animated): a step is almost all text, which a full draw
        of the figure draws as fast as a blit of the changing artists would (~15 ms), and a step kept (seen
        before, or drawn ahead) then costs only its PNG."""
        figure = figures.get(state["graph"])
        if figure is None:  # building a graph's artists costs ~30 ms: once per graph
            where = ax if not figures else fig.add_axes(ax.get_position(original=True))
            figure = figures[state["graph"]] = _GraphFigure(where, state["steps"])
        for other in figures.values():
            other.ax.set_visible(other is figure)
            other.message.set_visible(other is figure)  # a figure text, not in its Axes
        figure.update(state["step"])
        return (state["graph"], state["step"].index), []

    def ahead(state: dict):
        """A step and two either way (◀, ▶, the slider), then the menu's other graphs, each at its last step (as
        on_graph sets the slider)."""
        graph, step = state["graph"], state["step"].index
        for other in (step - 1, step + 1, step - 2, step + 2):
            if 0 <= other < state["steps"].n_steps:
                yield (graph, other), partial(state_of, graph, other)
        graphs = list(GRAPHS)
        at = graphs.index(graph)
        for other in graphs[at + 1:] + graphs[:at]:
            last = backprop_steps(other).n_steps - 1
            yield (other, last), partial(state_of, other, last)

    rows = [widgets.HBox([menu, back, slider, forward]),
            widgets.HTML("<small>Steps: first the forward pass (orange), one operation at a time, then the "
                         "backward pass (blue) from the output back to the leaves. A gradient in <i>italics</i> "
                         "is not complete yet: some use of that value has not passed its gradient back.</small>")]
    def image_key(state: dict) -> tuple:
        return state["graph"], state["step"].index

    explorer = Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)

    def on_graph(change) -> None:
        st = backprop_steps(change["new"])
        with explorer.paused():
            slider.max = max(slider.max, st.n_steps - 1)
            slider.value = st.n_steps - 1
            slider.max = st.n_steps - 1

    menu.unobserve(explorer._on_change, names="value")
    menu.observe(on_graph, names="value")
    back.on_click(lambda _: setattr(slider, "value", max(slider.min, slider.value - 1)))
    forward.on_click(lambda _: setattr(slider, "value", min(slider.max, slider.value + 1)))
    explorer.buttons = {"back": back, "forward": forward}
    return explorer


# ---------------------------------------------------------------------------------------------
# (b) Training an MLP on a 2-D data set
# ---------------------------------------------------------------------------------------------
EPOCH_CHOICES = (50, 100, 250, 500)
LR_CHOICES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
"""The 2-D training explorer's learning rates: exact values (a log slider's grid of tenths of a decade would show
0.5 as 0.501 and has no 0.05 or 3, the values the chapter suggests)."""
HIDDEN_LIMITS = (2, 64)


def _class_colors(c: int) -> np.ndarray:
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return np.array([mpl.colors.to_rgb(colors[k]) for k in (0, 1, 3, 2, 4)[:c]])


def _boundary_image(run: TrainingRun) -> np.ndarray:
    """RGB image: each grid point coloured by its predicted class, paler where the network is unsure."""
    c = run.probabilities.shape[-1]
    palette = _class_colors(c)
    p = np.nan_to_num(run.probabilities, nan=1.0 / c)
    mixed = p @ palette  # (GRID, GRID, 3)
    confidence = (p.max(axis=-1, keepdims=True) - 1.0 / c) / (1.0 - 1.0 / c)
    return 1.0 - (1.0 - mixed) * (0.12 + 0.23 * confidence)


class _TrainingFigure:
    """Decision regions with the data (left) and the loss curve (right); ``update`` changes the data only."""

    def __init__(self, ax_regions, ax_loss):
        self.ax_regions, self.ax_loss = ax_regions, ax_loss
        self.image = ax_regions.imshow(np.ones((2, 2, 3)), origin="lower", interpolation="bilinear", aspect="auto")
        self.points = ax_regions.scatter([], [], s=14, edgecolors="0.15", linewidths=0.5)
        ax_regions.set(xlabel="x₁", ylabel="x₂")
        ax_regions.grid(False)
        self.region_title = ax_regions.set_title("", fontsize=10)
        (self.curve,) = ax_loss.semilogy([], [], linewidth=2)
        ax_loss.set(xlabel="epoch", ylabel="training loss (cross-entropy, log scale)")
        self.loss_title = ax_loss.set_title("", fontsize=10)
        self.note = ax_loss.text(0.5, 0.5, "", transform=ax_loss.transAxes, ha="center", va="center", fontsize=11,
                                 color="#C85200")
        self._key = None

    def update(self, run: TrainingRun) -> None:
        key = (run.dataset, run.epochs)
        if key != self._key:
            e = run.extent
            self.image.set_extent(e)
            self.ax_regions.set_xlim(e[0], e[1])
            self.ax_regions.set_ylim(e[2], e[3])
            self.ax_loss.set_xlim(0, run.epochs)
            self.ax_loss.set_ylim(1e-3, 10.0)
            self._key = key
        self.image.set_data(_boundary_image(run))
        self.points.set_offsets(run.X)
        self.points.set_facecolor(_class_colors(int(run.y.max()) + 1)[run.y])
        shown = np.clip(np.nan_to_num(run.losses, nan=10.0, posinf=10.0), 1e-3, 10.0)
        self.curve.set_data(np.arange(1, run.trained + 1), shown)
        label = activation_spec(run.activation).label
        after = "" if run.complete else f" after {run.trained} epochs"
        self.region_title.set_text(f"2 → {run.hidden} → {run.hidden} → {run.probabilities.shape[-1]}, {label}: "
                                   + ("diverged" if run.diverged else f"{run.accuracy:.0%} of the points right{after}"))
        loss = "inf/NaN" if run.diverged else f"{run.losses[-1]:.3f}"
        self.loss_title.set_text(f"lr = {run.lr:.3g}, {run.epochs} epochs: final loss {loss}" if run.complete else
                                 f"lr = {run.lr:.3g}: training… loss {loss} after {run.trained} of {run.epochs}")
        self.note.set_text("the loss overflowed:\nthe learning rate is too large" if run.diverged else "")

    def changing(self) -> list:
        return [self.image, self.points, self.curve, self.region_title, self.loss_title, self.note]


def _training_axes(pyplot: bool):
    fig = new_figure(TRAINING_FIGSIZE, pyplot=pyplot)[0]
    fig.clear()
    ax_regions = fig.add_axes((0.085, 0.14, 0.37, 0.74))
    ax_loss = fig.add_axes((0.58, 0.14, 0.39, 0.74))
    return fig, ax_regions, ax_loss


def draw_training(dataset: str = "spirals", hidden: int = 32, activation: str = "relu", lr: float = 0.5,
                  epochs: int = 500):
    """Train as ``train_2d`` does and draw the decision regions with the data, and the loss curve.
    Returns the ``TrainingRun``."""
    run = train_2d(dataset, hidden, activation, lr, epochs)
    with course_style():
        _, ax_regions, ax_loss = _training_axes(pyplot=True)
        _TrainingFigure(ax_regions, ax_loss).update(run)
    return run


def training_explorer(dataset: str = "spirals", hidden: int = 32, activation: str = "relu", lr: float = 0.5,
                      epochs: int = 500) -> widgets.VBox:
    """A widget that trains a fresh ``2 → hidden → hidden → C`` MLP at every change and shows the result.

    Controls (``.controls``): ``"dataset"`` (Dropdown of ``DATASETS``), ``"lr"`` (SelectionSlider of ``LR_CHOICES``),
    ``"hidden"`` (IntSlider 2..64), ``"activation"`` (ToggleButtons ReLU / tanh / sigmoid), ``"epochs"``
    (SelectionSlider of ``EPOCH_CHOICES``). State (``.state``): ``"run"`` (a ``TrainingRun``), ``"accuracy"``,
    ``"final_loss"``, ``"error"``. A new setting is drawn twice (``train_2d_in_steps``): after a twentieth of
    the epochs, at once, then complete; a setting already trained is drawn once, from the cache.
    """
    if epochs not in EPOCH_CHOICES:
        raise ValueError(f"epochs must be one of {EPOCH_CHOICES}, got {epochs!r}")
    if isinstance(lr, bool) or lr not in LR_CHOICES:
        raise ValueError(f"lr must be one of {', '.join(f'{v:g}' for v in LR_CHOICES)}, got {lr!r}")
    train_2d(dataset, hidden, activation, lr, epochs)  # checks the other settings; the run is cached for the first draw
    with course_style():
        fig, ax_regions, ax_loss = _training_axes(pyplot=False)
        artists = _TrainingFigure(ax_regions, ax_loss)
    style = {"description_width": "90px"}
    controls = {
        "dataset": widgets.Dropdown(options=[(label, key) for key, label in DATASETS.items()], value=dataset,
                                    description="data", style=style, layout=widgets.Layout(width="330px")),
        "lr": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in LR_CHOICES], value=float(lr),
                                      description="learning rate", style=style, continuous_update=False,
                                      layout=widgets.Layout(width="380px")),
        "hidden": widgets.IntSlider(value=int(np.clip(hidden, *HIDDEN_LIMITS)), min=HIDDEN_LIMITS[0],
                                    max=HIDDEN_LIMITS[1], description="hidden width", style=style,
                                    continuous_update=False, layout=widgets.Layout(width="380px")),
        "activation": widgets.ToggleButtons(options=[(activation_spec(key).label, key) for key in ACTIVATION_CHOICES],
                                            value=activation, description="activation", style=style),
        "epochs": widgets.SelectionSlider(options=list(EPOCH_CHOICES), value=epochs, description="epochs",
                                          style=style, continuous_update=False, layout=widgets.Layout(width="330px")),
    }

    def stages():
        c = controls
        for run in train_2d_in_steps(c["dataset"].value, c["hidden"].value, c["activation"].value, c["lr"].value,
                                     c["epochs"].value):
            yield {"run": run, "accuracy": run.accuracy, "final_loss": float(run.losses[-1])}

    def draw(state: dict) -> tuple:
        run = state["run"]
        artists.update(run)
        return (run.dataset, run.epochs), artists.changing()

    rows = [widgets.HBox([widgets.VBox([controls["dataset"], controls["epochs"]]),
                          widgets.VBox([controls["lr"], controls["hidden"]])]),
            controls["activation"],
            widgets.HTML("<small>Each change trains a new network from the same starting weights "
                         "(full-batch gradient descent, softmax cross-entropy): first a twentieth of the epochs, "
                         "shown at once, then the rest. Settings already seen come back instantly.</small>")]
    return _SteppedExplorer(controls, rows, fig, stages, draw)


class _SteppedExplorer(Explorer):
    """An ``Explorer`` whose computation comes in stages (``stages()`` yields states, the last the final one):
    each is drawn as it comes, so the first image appears long before a slow computation ends."""

    def __init__(self, controls, rows, figure, stages, draw):
        self._stages = stages
        super().__init__(controls, rows, figure, compute=dict, draw=draw)

    def update(self) -> None:
        states = self._stages()  # a generator: a bad setting raises at its first next(), which Explorer reports
        while True:
            self._compute = lambda: next(states)  # noqa: B023 - called at once, in this iteration
            super().update()
            run = self.state.get("run")
            if self.state["error"] is not None or run is None or run.complete:
                return
