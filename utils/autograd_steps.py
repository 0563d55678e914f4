"""Backpropagation step by step on a ``utils.autograd`` graph: every state of the forward and the backward pass.

``steps_of(root)`` replays the forward pass of the graph ending at the ``Value`` ``root`` one operation at a
time, then the backward pass one ``_backward`` at a time (from the output back to the leaves), and returns a
``StepThrough``: the graph's nodes in topological order and one ``GraphStep`` per state (which values are known,
each node's gradient so far, whether it is complete, a sentence saying what happened). ``GRAPHS`` holds the
small example graphs of Chapter 04 and ``backprop_steps(name)`` their steps; Chapter 04's step-through widget
(``utils.widgets.backprop``) draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .autograd import Value, topological_order
from .module import check_number

__all__ = ["GRAPHS", "GraphStep", "StepThrough", "backprop_steps", "format_value", "op_symbol", "steps_of"]


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

_OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−", "exp": "exp", "log": "log", "tanh": "tanh",
              "sigmoid": "σ", "relu": "ReLU"}


def op_symbol(op: str) -> str:
    """The symbol drawn for a ``Value``'s operation, e.g. ``"*"`` -> ``"×"``, ``"**3"`` -> ``"^3"``.

    Raises:
        TypeError: if ``op`` is not a string (a ``Value``'s ``.op``).
    """
    if not isinstance(op, str):
        raise TypeError(f"op must be a Value's operation as a string, e.g. '*' or '**2', got {type(op).__name__}")
    if op.startswith("**"):
        return "^" + op[2:]
    return _OP_SYMBOLS.get(op, op)


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


def format_value(v: float) -> str:
    """A number as the step-through shows it: 4 significant digits, scientific notation when very large or small.

    Raises:
        ValueError: if ``v`` is not a number (inf and nan are shown as such).
    """
    v = check_number(v, "v", finite=False)
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.4g}"


@dataclass(frozen=True)
class GraphStep:
    """One state of the step-through.

    phase: "start", "forward", "output" (the backward pass starts: the output's gradient is 1), "backward" or
    "done". node: the index of the node acting in this step (None at the start and at the end). known: which
    nodes have their value computed. grads: each node's ``.grad`` so far (None before the backward pass reached
    it). final: whether that gradient is complete (every node that uses it has passed its gradient on). edges:
    (child, node) pairs a gradient flows along in this step.
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
            f"Forward: {_describe(v, labels)} = {format_value(v.data)}")
    try:
        for v in order:
            v.grad = 0.0
        root_i = n - 1
        root.grad = 1.0
        grads = [None] * n
        grads[root_i] = 1.0
        done: set[int] = set()
        add("output", root_i, known, grads, done, (),
            f"Backward starts at the output: ∂{labels[id(root)]}/∂{labels[id(root)]} = 1.")
        reached = {root_i}
        for i in reversed(ops_idx):
            v = order[i]
            before = {c: order[c].grad for c in children[i]}
            had = {c: c in reached for c in children[i]}  # whether c already holds a gradient from another use
            v._backward()
            done.add(i)
            up = f"∂{labels[id(root)]}/∂{labels[id(v)]} = {format_value(v.grad)}"
            parts = []
            for c in dict.fromkeys(children[i]):  # each distinct child once
                reached.add(c)
                got = order[c].grad - before[c]
                local = got / v.grad if v.grad != 0 else float("nan")
                local_text = format_value(local) if np.isfinite(local) else "?"
                name = labels[id(order[c])]
                part = f"{name} gets {local_text} × {format_value(v.grad)} = {format_value(got)}"
                if had[c]:  # a value used twice: this contribution is added to what it already had
                    part += (f", added to the {format_value(before[c])} it had: "
                             f"{format_value(before[c])} + ({format_value(got)}) = {format_value(order[c].grad)}")
                parts.append(part)
            grads = [order[k].grad if k in reached else None for k in range(n)]
            add("backward", i, known, grads, done, [(c, i) for c in children[i]],
                f"Backward through '{op_symbol(v.op)}' ({_describe(v, labels)}), with {up} from above: "
                f"each input gets its local derivative × {format_value(v.grad)}.\n" + "\n".join(parts))
        add("done", None, known, grads, done, (),
            "Done: every node holds ∂" + labels[id(root)] + "/∂(node). " + ", ".join(
                f"∂{labels[id(root)]}/∂{labels[id(order[k])]} = {format_value(order[k].grad)}"
                for k in range(n) if not order[k].children))
    finally:
        for v, g in zip(order, saved):
            v.grad = g
    return StepThrough(name, title, tuple(labels[id(v)] for v in order), tuple(v.op for v in order),
                       tuple(v.data for v in order), children, tuple(steps))


@lru_cache(maxsize=8)
def backprop_steps(graph: str = "neuron") -> StepThrough:
    """Every step of the forward and backward pass of one of the ``GRAPHS``.

    The steps: the start (leaves only), one forward step per operation (in topological order), the output's
    gradient set to 1 (∂out/∂out), one backward step per operation (in reverse order: the node's ``_backward``
    adds local derivative × its gradient into its children; a child that already had a gradient from another
    use shows the sum), and the end.

    Raises:
        ValueError: for an unknown graph name.
    """
    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; choose one of {', '.join(GRAPHS)}")
    title, build = GRAPHS[graph]
    return steps_of(build(), graph, title)

