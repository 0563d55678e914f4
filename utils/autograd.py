"""A scalar autograd engine in the style of micrograd: ``Value``, and a tiny ``Neuron`` / ``Layer`` / ``MLP``.

A ``Value`` wraps one float (``.data``) and remembers how it was made: its ``children`` (the Values it was
computed from) and a small function ``_backward`` that applies the chain rule for that one operation.
Each operation defines its local backward right beside its forward, so the whole of backpropagation reads
three lines at a time::

    def __mul__(self, other):                          # forward: out = self · other
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():                               # backward: d out/d self = other, d out/d other = self
            self.grad += other.data * out.grad         # += : a Value used twice gets both contributions
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

``root.backward()`` sorts the graph topologically (every node after the nodes it was computed from), sets
``root.grad = 1`` (d root/d root) and calls each node's ``_backward`` in reverse order, so a node passes its
gradient on only once every use of it has contributed.

Gradients of **leaves** (Values not computed from others: inputs and weights) accumulate across calls of
``backward``, as ``.grad`` does in PyTorch: reset them with ``zero_grad`` before the next step. Gradients of
interior nodes are reset at the start of each ``backward``, so calling it twice on the same graph gives the
leaves exactly twice the gradient (PyTorch's ``retain_graph=True`` behaviour).

Operations: ``+ - * /`` (with Values or plain numbers on either side: ``2 * v``, ``1 - v``, ``1 / v``),
``v ** p`` for a number ``p``, ``-v``, and the methods ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``
(``relu'(0) = 0`` as in PyTorch). Arithmetic follows Python floats: dividing by zero raises
``ZeroDivisionError``; ``log`` of a non-positive number and a negative number to a fractional power raise
``ValueError``.

On top: ``Neuron(n_inputs)`` computes ``activation(w · x + b)``; ``Layer(n_inputs, n_outputs)`` is a list of
neurons; ``MLP(n_inputs, [n1, n2, ...])`` a list of layers (the last one linear unless told otherwise).
Weights start like ``torch.nn.Linear``'s, ``U(-1/√n_inputs, 1/√n_inputs)``, drawn from the ``rng`` given,
and ``MLP.weights()`` returns them as ``(W, b)`` arrays in PyTorch's layout, so the same network can be
built in ``utils.layers`` or ``torch.nn`` and compared.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .module import check_positive_int, check_rng

__all__ = ["MLP", "Layer", "Neuron", "Value", "topological_order"]


def _check_number(x, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    return float(x)


def _as_value(x) -> Value:
    """``x`` itself if it is a Value, else a new leaf Value holding the number ``x``."""
    return x if isinstance(x, Value) else Value(_check_number(x, "the other operand"))


class Value:
    """One number of a computation graph, with the gradient of the final output with respect to it.

    Attributes:
        data: the number (a Python float).
        grad: d(root)/d(this value) after ``root.backward()``; 0.0 before.
        children: the Values this one was computed from (empty for a leaf).
        op: the operation that made it (``"+"``, ``"*"``, ``"tanh"``, …; ``""`` for a leaf).
        label: an optional name, used when the graph is drawn.
    """

    def __init__(self, data, children: Iterable[Value] = (), op: str = "", label: str = ""):
        if isinstance(data, Value):
            raise TypeError("Value(data) takes a number, got a Value; use the Value itself")
        self.data = _check_number(data, "Value data")
        self.grad = 0.0
        self.children: tuple[Value, ...] = tuple(children)
        for child in self.children:
            if not isinstance(child, Value):
                raise TypeError(f"children must be Values, got {type(child).__name__}")
        self.op = op
        self.label = label
        self._backward: Callable[[], None] = lambda: None  # a leaf has nothing to pass on

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- arithmetic: forward and its local backward, side by side ------------------------------------
    def __add__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a + b)/da = 1, d(a + b)/db = 1: the gradient is copied to both
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():  # d(a - b)/da = 1, d(a - b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a: each gets the *other* factor
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other) -> Value:
        other = _as_value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():  # d(a/b)/da = 1/b, d(a/b)/db = -a/b²
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data**2 * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("v ** w with a Value exponent is not supported: the exponent must be a number")
        p = _check_number(exponent, "the exponent")
        if self.data < 0 and not p.is_integer():
            raise ValueError(f"a negative number to a fractional power is not real: {self.data} ** {p}")
        out = Value(self.data**p, (self,), f"**{p:g}")

        def _backward():  # d(a^p)/da = p a^(p-1)
            if p == 0:
                local = 0.0
            elif self.data == 0 and p < 1:
                local = math.inf  # the slope of a^p at 0 for p < 1 (PyTorch gives inf too)
            else:
                local = p * self.data ** (p - 1)
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,), "neg")

        def _backward():  # d(-a)/da = -1
            self.grad -= out.grad

        out._backward = _backward
        return out

    # reflected operators: the number is on the left, e.g. 2 * v, 1 - v, 1 / v
    def __radd__(self, other) -> Value:
        return _as_value(other) + self

    def __rsub__(self, other) -> Value:
        return _as_value(other) - self

    def __rmul__(self, other) -> Value:
        return _as_value(other) * self

    def __rtruediv__(self, other) -> Value:
        return _as_value(other) / self

    # ---- functions -----------------------------------------------------------------------------------
    def exp(self) -> Value:
        e = math.exp(self.data)  # OverflowError above ~709, like float arithmetic
        out = Value(e, (self,), "exp")

        def _backward():  # d e^a/da = e^a: the output itself
            self.grad += e * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():  # d ln a/da = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():  # d tanh(a)/da = 1 - tanh(a)²: from the output t
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        z = math.exp(-abs(self.data))  # never overflows
        s = 1.0 / (1.0 + z) if self.data >= 0 else z / (1.0 + z)
        out = Value(s, (self,), "sigmoid")

        def _backward():  # d σ(a)/da = σ(a)(1 - σ(a)): from the output s
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():  # 1 where a > 0, else 0 (also at a = 0, as PyTorch)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    # ---- backpropagation -----------------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(that Value).

        Interior nodes are reset to 0 first; leaves accumulate (``+=``), as in PyTorch. ``grad`` is the
        starting gradient d(final)/d(self): 1.0 when ``self`` is the final output.
        """
        order = topological_order(self)
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += _check_number(grad, "grad")
        for node in reversed(order):  # the root first, the leaves last
            node._backward()


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on (``root`` included), each listed after all of its children.

    Iterative depth-first search, so a graph thousands of operations deep does not hit Python's recursion
    limit. A Value reached along several paths appears once.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # comes back to it once its children are in the order
        for child in reversed(node.children):
            if id(child) not in visited:
                stack.append((child, False))
    return order


# -------------------------------------------------------------------------------------------------------
# A tiny neural network made of Values
# -------------------------------------------------------------------------------------------------------
_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


def _check_activation(name: str) -> str:
    if name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(_ACTIVATIONS)}; got {name!r}")
    return name



def _check_example(x, n_inputs: int) -> None:
    """One example: a list (or 1-D array) of ``n_inputs`` numbers or Values."""
    if isinstance(x, (Value, numbers.Number, str)) or not hasattr(x, "__len__"):
        raise TypeError(f"a neuron takes one example as a list of {n_inputs} numbers (or Values), "
                        f"got {type(x).__name__} {x!r}")
    if isinstance(x, np.ndarray) and x.ndim != 1:
        raise ValueError(f"a neuron takes one example of shape ({n_inputs},), got an array of shape {x.shape}: "
                         f"call it on each row")
    if len(x) != n_inputs:
        raise ValueError(f"this neuron takes {n_inputs} inputs, got {len(x)}")


class Neuron:
    """``activation(w · x + b)`` for one input list ``x`` of ``n_inputs`` numbers or Values.

    ``w`` (n_inputs Values) and ``b`` start from ``U(-1/√n_inputs, 1/√n_inputs)``, like ``torch.nn.Linear``.
    """

    def __init__(self, n_inputs: int, activation: str = "tanh", *, rng: np.random.Generator):
        n_inputs = check_positive_int(n_inputs, "n_inputs")
        check_rng(rng)
        self.activation = _check_activation(activation)
        bound = 1.0 / math.sqrt(n_inputs)
        self.w = [Value(float(v), label="w") for v in rng.uniform(-bound, bound, n_inputs)]
        self.b = Value(float(rng.uniform(-bound, bound)), label="b")

    def __call__(self, x: Sequence) -> Value:
        _check_example(x, len(self.w))
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z if self.activation == "linear" else getattr(z, self.activation)()

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer:
    """``n_outputs`` neurons reading the same ``n_inputs`` inputs: returns a list of ``n_outputs`` Values."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh", *, rng: np.random.Generator):
        n_outputs = check_positive_int(n_outputs, "n_outputs")
        self.neurons = [Neuron(n_inputs, activation, rng=rng) for _ in range(n_outputs)]

    def __call__(self, x: Sequence) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)} -> {len(self.neurons)}, activation={first.activation!r})"


class MLP:
    """Layers of neurons: ``MLP(3, [4, 4, 1])`` is 3 → 4 → 4 → 1.

    Hidden layers use ``activation`` (tanh by default); the last layer uses ``output_activation``
    (``"linear"`` by default: a raw score). Calling it on one example (a list of numbers) returns a Value
    when the last layer has one neuron, else a list of Values.
    """

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int], activation: str = "tanh",
                 output_activation: str = "linear", *, rng: np.random.Generator):
        check_rng(rng)
        _check_activation(activation)
        if isinstance(layer_sizes, (str, numbers.Number)) or not hasattr(layer_sizes, "__iter__"):
            raise ValueError(f"layer_sizes must be a list of layer sizes, e.g. [4, 4, 1], got {layer_sizes!r}")
        sizes = [check_positive_int(n_inputs, "n_inputs")]
        sizes += [check_positive_int(n, "a layer size") for n in layer_sizes]
        if len(sizes) < 2:
            raise ValueError("layer_sizes must list at least one layer")
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < len(sizes) - 2 else output_activation,
                             rng=rng) for i in range(len(sizes) - 1)]

    def __call__(self, x: Sequence):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaves accumulate across ``backward`` calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The parameters as arrays in PyTorch's layout: one ``(W (out, in), b (out,))`` pair per layer."""
        return [(np.array([[w.data for w in n.w] for n in layer.neurons]),
                 np.array([n.b.data for n in layer.neurons])) for layer in self.layers]

    def gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The parameters' ``.grad`` in the same layout as ``weights()``."""
        return [(np.array([[w.grad for w in n.w] for n in layer.neurons]),
                 np.array([n.b.grad for n in layer.neurons])) for layer in self.layers]

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(repr(layer) for layer in self.layers) + ")"
