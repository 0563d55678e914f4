"""Chapter 04's explorers: a step-through of backpropagation on a small graph, and a training explorer.

Each comes in three parts, like ``utils/widgets/activations.py``:

- a **pure computation** a test can check: ``backprop_steps(graph)`` (every step of the forward and the
  backward pass of a small ``utils.autograd`` graph, with each node's value and gradient so far) and
  ``train_2d(...)`` (an MLP trained with softmax cross-entropy on a 2-D data set, its loss curve and its
  predicted class over the plane);
- a **static drawing function**, ``draw_backprop_step`` and ``draw_training``, for the figure shown before
  the widget (and for any fixed state); ``draw_graph(root)`` draws the graph of any ``Value``;
- the **widget**: ``backprop_stepper()`` (a graph menu, a step slider and ◀ / ▶ buttons) and
  ``training_explorer()`` (data set, learning rate, hidden width, activation, epochs; each update trains a
  fresh network in a fraction of a second).

Usage in a notebook::

    from utils.widgets.backprop import backprop_stepper, draw_backprop_step
    draw_backprop_step("neuron"); plt.show()     # static figure: the default state (the last step)
    backprop_stepper()                            # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .. import activations as A
from .. import data, layers, losses
from ..autograd import Value, topological_order
from ..training import accuracy, fit
from .base import Explorer, course_style, new_figure

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "EPOCH_CHOICES",
    "GRAPHS",
    "GRAPH_FIGSIZE",
    "TRAINING_FIGSIZE",
    "GraphStep",
    "StepThrough",
    "TrainingRun",
    "backprop_steps",
    "backprop_stepper",
    "draw_backprop_step",
    "draw_graph",
    "draw_training",
    "train_2d",
    "training_explorer",
]

GRAPH_FIGSIZE = (9.6, 4.4)
TRAINING_FIGSIZE = (9.6, 4.2)


# ---------------------------------------------------------------------------------------------
# (a) The graphs and the steps of backpropagation
# ---------------------------------------------------------------------------------------------
def _chain() -> Value:
    x = Value(2.0, label="x")
    z = x**2
    z.label = "z"
    y = z**3
    y.label = "y"
    return y


def _neuron() -> Value:
    x1, w1 = Value(2.0, label="x₁"), Value(-3.0, label="w₁")
    x2, w2 = Value(0.0, label="x₂"), Value(1.0, label="w₂")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x₁w₁", "x₂w₂"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def _reuse() -> Value:
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    e = a * b
    e.label = "e"
    f = e + a
    f.label = "f"
    return f


GRAPHS: dict[str, tuple[str, Callable[[], Value]]] = {
    "chain": ("y = (x²)³ at x = 2 (Chapter 00)", _chain),
    "neuron": ("a neuron: o = tanh(x₁w₁ + x₂w₂ + b)", _neuron),
    "reuse": ("a value used twice: f = a·b + a", _reuse),
}
"""Name -> (menu label, builder of the graph's output Value)."""

_OP_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−", "exp": "exp", "log": "log", "tanh": "tanh",
              "sigmoid": "σ", "relu": "ReLU"}


def _op_symbol(op: str) -> str:
    if op.startswith("**"):
        return "^" + op[2:]
    return _OP_SYMBOL.get(op, op)


def _describe(node: Value, labels: dict[int, str]) -> str:
    """``"z = x ** 2"``-style text of how ``node`` is computed from its children."""
    names = [labels[id(c)] for c in node.children]
    op = node.op
    if op in ("+", "-", "*", "/"):
        symbol = {"+": "+", "-": "−", "*": "·", "/": "/"}[op]
        return f"{labels[id(node)]} = {names[0]} {symbol} {names[1]}"
    if op.startswith("**"):
        return f"{labels[id(node)]} = {names[0]}^{op[2:]}"
    if op == "neg":
        return f"{labels[id(node)]} = −{names[0]}"
    return f"{labels[id(node)]} = {op}({names[0]})"


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.4g}"


@dataclass(frozen=True)
class GraphStep:
    """One state of the step-through.

    phase: "start", "forward", "seed", "backward" or "done". node: the index of the node acting in this step
    (None at the start and at the end). known: which nodes have their value computed. grads: each node's
    ``.grad`` so far (None before the backward pass reached it). final: whether that gradient is complete (every
    node that uses it has passed its gradient on). edges: (child, node) pairs a gradient flows along in this step.
    """

    index: int
    phase: str
    node: int | None
    known: tuple[bool, ...]
    grads: tuple[float | None, ...]
    final: tuple[bool, ...]
    edges: tuple[tuple[int, int], ...]
    message: str


@dataclass(frozen=True)
class StepThrough:
    """A graph and every step of its forward and backward pass.

    nodes: labels, in topological order (every node after its children); ops: each node's operation ("" for
    a leaf); values: each node's value; children: indices of each node's inputs; steps: the ``GraphStep``s.
    """

    name: str
    title: str
    labels: tuple[str, ...]
    ops: tuple[str, ...]
    values: tuple[float, ...]
    children: tuple[tuple[int, ...], ...]
    steps: tuple[GraphStep, ...]

    @property
    def n_steps(self) -> int:
        return len(self.steps)


def _label_all(order: list[Value]) -> dict[int, str]:
    labels, k = {}, 0
    for node in order:
        if node.label:
            labels[id(node)] = node.label
        else:
            k += 1
            labels[id(node)] = f"v{k}"
    return labels


def steps_of(root: Value, name: str = "graph", title: str = "") -> StepThrough:
    """Every step of the forward and backward pass of the graph ending at ``root`` (which is not modified:
    the backward pass is replayed on the same nodes and their gradients are restored afterwards)."""
    order = topological_order(root)
    index = {id(v): i for i, v in enumerate(order)}
    labels = _label_all(order)
    n = len(order)
    children = tuple(tuple(index[id(c)] for c in v.children) for v in order)
    parents: list[set[int]] = [set() for _ in range(n)]
    for i, ch in enumerate(children):
        for c in ch:
            parents[c].add(i)
    ops_idx = [i for i, v in enumerate(order) if v.children]
    saved = [v.grad for v in order]
    steps: list[GraphStep] = []

    def add(phase, node, known, grads, done_backward, edges, message):
        final = tuple(g is not None and (not parents[i] or parents[i] <= done_backward) for i, g in enumerate(grads))
        steps.append(GraphStep(len(steps), phase, node, tuple(known), tuple(grads), final, tuple(edges), message))

    known = [not v.children for v in order]
    no_grads = [None] * n
    add("start", None, known, no_grads, set(), (), "Start: the leaves hold their values; nothing else is computed yet.")
    for i in ops_idx:
        known[i] = True
        v = order[i]
        add("forward", i, known, no_grads, set(), [(c, i) for c in children[i]],
            f"Forward: {_describe(v, labels)} = {_fmt(v.data)}")
    try:
        for v in order:
            v.grad = 0.0
        root_i = n - 1
        root.grad = 1.0
        grads = [None] * n
        grads[root_i] = 1.0
        done: set[int] = set()
        add("seed", root_i, known, grads, done, (),
            f"Backward starts at the output: d{labels[id(root)]}/d{labels[id(root)]} = 1.")
        reached = {root_i}
        for i in reversed(ops_idx):
            v = order[i]
            before = [order[c].grad for c in children[i]]
            v._backward()
            done.add(i)
            parts = []
            for c in dict.fromkeys(children[i]):  # each distinct child once
                reached.add(c)
                got = order[c].grad - before[children[i].index(c)]
                local = got / v.grad if v.grad != 0 else float("nan")
                local_text = _fmt(local) if np.isfinite(local) else "?"
                parts.append(f"{labels[id(order[c])]} gets {local_text} × {_fmt(v.grad)} = {_fmt(got)}")
            grads = [order[k].grad if k in reached else None for k in range(n)]
            add("backward", i, known, grads, done, [(c, i) for c in children[i]],
                f"Backward through '{_op_symbol(v.op)}' ({_describe(v, labels)}): local derivative × "
                f"d{labels[id(root)]}/d{labels[id(v)]}:  " + ";  ".join(parts))
        add("done", None, known, grads, done, (),
            "Done: every node holds d" + labels[id(root)] + "/d(node). " + ", ".join(
                f"d{labels[id(root)]}/d{labels[id(order[k])]} = {_fmt(order[k].grad)}"
                for k in range(n) if not order[k].children))
    finally:
        for v, g in zip(order, saved):
            v.grad = g
    return StepThrough(name, title, tuple(labels[id(v)] for v in order), tuple(v.op for v in order),
                       tuple(v.data for v in order), children, tuple(steps))


@lru_cache(maxsize=8)
def backprop_steps(graph: str = "neuron") -> StepThrough:
    """Every step of the forward and backward pass of one of the ``GRAPHS``.

    The steps: the start (leaves only), one forward step per operation (in topological order), the seed
    (d out/d out = 1), one backward step per operation (in reverse order: the node's ``_backward`` adds
    local derivative × its gradient into its children), and the end.

    Raises:
        ValueError: for an unknown graph name.
    """
    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; choose one of {', '.join(GRAPHS)}")
    title, build = GRAPHS[graph]
    return steps_of(build(), graph, title)


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
                symbol = _op_symbol(st.ops[i])
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
            self.value_texts[i].set_text(f"value {_fmt(st.values[i])}" if step.known[i] else "value ?")
            g = step.grads[i]
            grad_text = "grad —" if g is None else f"grad {_fmt(g)}" + ("" if step.final[i] else " (so far)")
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
        phase = {"start": "start", "forward": "forward pass", "seed": "backward pass", "backward": "backward pass",
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
    lines, line = [], ""
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _check_graph_name(graph: str) -> None:
    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; choose one of {', '.join(GRAPHS)}")


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
    _check_graph_name(graph)
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
    _check_graph_name(graph)
    st0 = backprop_steps(graph)
    start = _resolve_step(st0, step)
    with course_style():
        fig, (ax,) = new_figure(GRAPH_FIGSIZE, top=0.45, bottom=0.75, left=0.1, right=0.1)
    holder: dict = {"figure": None, "graph": None}
    menu = widgets.Dropdown(options=[(label, key) for key, (label, _) in GRAPHS.items()], value=graph,
                            description="graph", layout=widgets.Layout(width="380px"))
    slider = widgets.IntSlider(value=start, min=0, max=st0.n_steps - 1, description="step",
                               layout=widgets.Layout(width="420px"), continuous_update=True)
    back = widgets.Button(description="◀", tooltip="one step back", layout=widgets.Layout(width="44px"))
    forward = widgets.Button(description="▶", tooltip="one step forward", layout=widgets.Layout(width="44px"))
    controls = {"graph": menu, "step": slider}

    def compute() -> dict:
        st = backprop_steps(menu.value)
        s = st.steps[min(slider.value, st.n_steps - 1)]
        return {"graph": menu.value, "steps": st, "step": s, "message": s.message}

    def draw(state: dict) -> tuple:
        if holder["graph"] != state["graph"]:
            holder["figure"], holder["graph"] = _GraphFigure(ax, state["steps"]), state["graph"]
        holder["figure"].update(state["step"])
        return state["graph"], holder["figure"].changing()

    rows = [widgets.HBox([menu, back, slider, forward]),
            widgets.HTML("<small>Steps: first the forward pass (orange), one operation at a time, then the "
                         "backward pass (blue) from the output back to the leaves. A gradient in <i>italics</i> "
                         "is not complete yet: some use of that value has not passed its gradient back.</small>")]
    explorer = Explorer(controls, rows, fig, compute, draw)

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
DATASETS = {"spirals": "three spirals (240 points)", "moons": "two moons (200 points)"}
ACTIVATIONS = {"relu": ("ReLU", A.ReLU), "tanh": ("tanh", A.Tanh), "sigmoid": ("sigmoid", A.Sigmoid)}
EPOCH_CHOICES = (50, 100, 250, 500)
LR_LIMITS = (0.01, 10.0)
HIDDEN_LIMITS = (2, 64)
GRID = 120


@lru_cache(maxsize=4)
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    if name == "spirals":
        return data.spirals(80, 3, 0.2, rng=rng)
    return data.moons(200, 0.2, rng=rng)


def _extent(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


@dataclass(frozen=True)
class TrainingRun:
    """One training of ``2 → hidden → hidden → C`` with softmax cross-entropy and full-batch SGD.

    losses (epochs,): the mean loss of each epoch; accuracy: on the training points after training;
    probabilities (GRID, GRID, C): the trained network's softmax over a grid covering ``extent``.
    """

    dataset: str
    hidden: int
    activation: str
    lr: float
    epochs: int
    X: np.ndarray
    y: np.ndarray
    losses: np.ndarray
    accuracy: float
    extent: tuple[float, float, float, float]
    probabilities: np.ndarray
    model: layers.Sequential

    @property
    def diverged(self) -> bool:
        return not np.isfinite(self.losses[-1])


def _check_settings(dataset, hidden, activation, lr, epochs) -> tuple[str, int, str, float, int]:
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or not 1 <= hidden <= 256:
        raise ValueError(f"hidden must be an integer from 1 to 256, got {hidden!r}")
    lr = float(lr)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or not 1 <= epochs <= 5000:
        raise ValueError(f"epochs must be an integer from 1 to 5000, got {epochs!r}")
    return dataset, int(hidden), activation, lr, int(epochs)


def make_classifier(n_classes: int, hidden: int = 32, activation: str = "relu", seed: int = 0) -> layers.Sequential:
    """``Linear(2, hidden) → act → Linear(hidden, hidden) → act → Linear(hidden, n_classes)`` (logits)."""
    act = ACTIVATIONS[activation][1]
    rng = np.random.default_rng(seed)
    return layers.Sequential(layers.Linear(2, hidden, rng=rng), act(), layers.Linear(hidden, hidden, rng=rng), act(),
                             layers.Linear(hidden, n_classes, rng=rng))


def train_2d(dataset: str = "spirals", hidden: int = 32, activation: str = "relu", lr: float = 0.5,
             epochs: int = 500, seed: int = 0) -> TrainingRun:
    """Train ``make_classifier`` on ``dataset`` with ``utils.training.fit`` (full batch), from the weights of
    ``seed``; the same settings always give the same run. A learning rate that is too large may make the loss
    overflow: training then stops, and ``diverged`` is True.

    The runs are cached: the same settings return the same ``TrainingRun`` object (treat it as read-only), so
    the static figure and the widget's first state train only once, and going back to a setting is instant.

    Shapes: -> X (N, 2), y (N,), losses (epochs,), probabilities (GRID, GRID, C)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    return _train_2d(*_check_settings(dataset, hidden, activation, lr, epochs), int(seed))


@lru_cache(maxsize=16)
def _train_2d(dataset: str, hidden: int, activation: str, lr: float, epochs: int, seed: int) -> TrainingRun:
    X, y = _dataset(dataset)
    n_classes = int(y.max()) + 1
    model = make_classifier(n_classes, hidden, activation, seed)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a huge lr may blow up: shown, not warned
        history = fit(model, losses.CrossEntropyLoss(), X, y, lr=lr, epochs=epochs)
        extent = _extent(X)
        gx, gy = np.meshgrid(np.linspace(extent[0], extent[1], GRID), np.linspace(extent[2], extent[3], GRID))
        logits = model(np.c_[gx.ravel(), gy.ravel()])  # (GRID², C)
        probabilities = A.softmax(logits).reshape(GRID, GRID, n_classes)
        acc = accuracy(model(X), y) if np.isfinite(history[-1]) else float("nan")
    return TrainingRun(dataset, hidden, activation, lr, epochs, X, y, history, acc, extent, probabilities, model)


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
        self.curve.set_data(np.arange(1, run.epochs + 1), shown)
        label = ACTIVATIONS[run.activation][0]
        self.region_title.set_text(f"2 → {run.hidden} → {run.hidden} → {run.probabilities.shape[-1]}, {label}: "
                                   + ("diverged" if run.diverged else f"{run.accuracy:.0%} of the points right"))
        final = "inf/NaN" if run.diverged else f"{run.losses[-1]:.3f}"
        self.loss_title.set_text(f"lr = {run.lr:.3g}, {run.epochs} epochs: final loss {final}")
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

    Controls (``.controls``): ``"dataset"`` (Dropdown of ``DATASETS``), ``"lr"`` (FloatLogSlider 0.01..10),
    ``"hidden"`` (IntSlider 2..64), ``"activation"`` (ToggleButtons ReLU / tanh / sigmoid), ``"epochs"``
    (SelectionSlider of ``EPOCH_CHOICES``). State (``.state``): ``"run"`` (a ``TrainingRun``), ``"accuracy"``,
    ``"final_loss"``, ``"error"``. An update takes a fraction of a second (≤ 500 full-batch epochs).
    """
    _check_settings(dataset, hidden, activation, lr, epochs)
    if epochs not in EPOCH_CHOICES:
        raise ValueError(f"epochs must be one of {EPOCH_CHOICES}, got {epochs!r}")
    with course_style():
        fig, ax_regions, ax_loss = _training_axes(pyplot=False)
        artists = _TrainingFigure(ax_regions, ax_loss)
    style = {"description_width": "90px"}
    controls = {
        "dataset": widgets.Dropdown(options=[(label, key) for key, label in DATASETS.items()], value=dataset,
                                    description="data", style=style, layout=widgets.Layout(width="330px")),
        "lr": widgets.FloatLogSlider(value=float(np.clip(lr, *LR_LIMITS)), base=10, min=np.log10(LR_LIMITS[0]),
                                     max=np.log10(LR_LIMITS[1]), step=0.1, readout_format=".3g",
                                     description="learning rate", style=style, continuous_update=False,
                                     layout=widgets.Layout(width="380px")),
        "hidden": widgets.IntSlider(value=int(np.clip(hidden, *HIDDEN_LIMITS)), min=HIDDEN_LIMITS[0],
                                    max=HIDDEN_LIMITS[1], description="hidden width", style=style,
                                    continuous_update=False, layout=widgets.Layout(width="380px")),
        "activation": widgets.ToggleButtons(options=[(label, key) for key, (label, _) in ACTIVATIONS.items()],
                                            value=activation, description="activation", style=style),
        "epochs": widgets.SelectionSlider(options=list(EPOCH_CHOICES), value=epochs, description="epochs",
                                          style=style, continuous_update=False, layout=widgets.Layout(width="330px")),
    }

    def compute() -> dict:
        c = controls
        run = train_2d(c["dataset"].value, c["hidden"].value, c["activation"].value, c["lr"].value, c["epochs"].value)
        return {"run": run, "accuracy": run.accuracy, "final_loss": float(run.losses[-1])}

    def draw(state: dict) -> tuple:
        run = state["run"]
        artists.update(run)
        return (run.dataset, run.epochs), artists.changing()

    rows = [widgets.HBox([widgets.VBox([controls["dataset"], controls["epochs"]]),
                          widgets.VBox([controls["lr"], controls["hidden"]])]),
            controls["activation"],
            widgets.HTML("<small>Each change trains a new network from the same starting weights "
                         "(full-batch gradient descent, softmax cross-entropy).</small>")]
    return Explorer(controls, rows, fig, compute, draw)
