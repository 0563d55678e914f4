"""Chapter 04 (backpropagation): batteries, oracles and hints of its exercises.

- ``backprop.numerical_gradient``: central differences for a scalar function of an array (any shape);
- ``backprop.best_steps``: read the error-vs-h plot: the best h for forward and for central differences;
- ``backprop.gate_backward``: the backward rules of the add, multiply and max gates;
- ``backprop.value_mul`` / ``backprop.value_tanh``: an operation of the scalar autograd engine, forward and
  local backward, used inside bigger graphs built with ``utils.autograd.Value``;
- ``backprop.linear_backward``: ``Linear``'s backward — dX returned, dW and db *accumulated* — verified by
  a gradient check;
- ``backprop.mlp_backward``: every gradient of a 2-layer ReLU MLP with a mean cross-entropy loss;
- ``backprop.train_xor``: a training loop that takes the 2 → 4 → 1 sigmoid network below an MSE of 0.01 on
  XOR (run on a fixed seed).

Expected gradients come from PyTorch's autograd or from central differences (``utils.gradcheck``), never
from the reference solution, so a wrong reference fails ``validate_reference``. The hints name the classic
mistakes: a gradient overwritten instead of accumulated, a missing transpose in dW, db not summed over the
batch, the 1/N of a mean loss forgotten, the upstream gradient not multiplied in (or out.data used for it),
x[i] never restored or a loop written for 1-D x only in the numerical gradient, an add gate that halves the
gradient, softmax over the wrong axis, the loss's value passed to backward. They are tested in
``tests/test_checks_backprop.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from ..compare import fmt_number, fmt_values, worst_entry
from ..kinds import ANY, MUTATION, STRUCTURE, VALUE, Case, DictExercise, FunctionExercise, Hint, PropertyExercise
from ..oracles import one_hot, torch_gradient
from ..predicates import same_as, scaled
from ..registry import register
from ..sandbox import Raised, run


# ---------------------------------------------------------------------------------------------
# 1. Numerical gradient
# ---------------------------------------------------------------------------------------------
class ScalarFunction:
    """A scalar function of an array with a readable repr (shown in verdicts) and a PyTorch twin."""

    def __init__(self, text: str, numpy_fn: Callable, torch_fn: Callable):
        self.text, self.numpy_fn, self.torch_fn = text, numpy_fn, torch_fn

    def __call__(self, x):
        return float(self.numpy_fn(np.asarray(x, dtype=float)))

    def __repr__(self) -> str:
        return self.text

    def __deepcopy__(self, memo):
        return self  # stateless: the checker's copies may share it


def _softmax_ce_np(z):
    shifted = z - z.max()
    return -(shifted[2] - np.log(np.exp(shifted).sum()))


def _fns():
    import torch

    A = np.array([[2.0, 0.5, 0.0, -1.0], [0.5, 1.0, 0.3, 0.0], [0.0, 0.3, 3.0, 0.2], [-1.0, 0.0, 0.2, 1.5]])
    At = torch.from_numpy(A)
    return {
        "cubes": ScalarFunction("f(x) = sum(x ** 3)", lambda x: np.sum(x**3), lambda t: (t**3).sum()),
        "sin": ScalarFunction("f(X) = sum(sin(X) * X)", lambda x: np.sum(np.sin(x) * x),
                              lambda t: (torch.sin(t) * t).sum()),
        "ce": ScalarFunction("f(z) = -log(softmax(z)[2])", _softmax_ce_np,
                             lambda t: -torch.log_softmax(t, dim=0)[2]),
        "quadratic": ScalarFunction("f(x) = x @ A @ x (A a symmetric 4×4 matrix)", lambda x: x @ A @ x,
                                    lambda t: t @ At @ t),
        "exp": ScalarFunction("f(x) = exp(2 x[0])", lambda x: np.exp(2 * x[0]), lambda t: torch.exp(2 * t[0])),
    }


def numerical_gradient_cases() -> list[Case]:
    """(f, x, h): vectors, a matrix, a one-element array, integer inputs, an explicit h."""
    fns = _fns()
    rng = np.random.default_rng(404)
    return [
        Case("f(x) = sum(x³) at x = [1, -2, 0.5]", fns["cubes"], np.array([1.0, -2.0, 0.5]), 1e-5),
        Case("a (2, 3) matrix X", fns["sin"], rng.uniform(-2.0, 2.0, size=(2, 3)), 1e-5),
        Case("cross-entropy of 4 logits", fns["ce"], np.array([0.5, -1.0, 2.0, 0.3]), 1e-5),
        Case("a quadratic form x·Ax", fns["quadratic"], rng.normal(size=4), 1e-5),
        Case("one element, f = exp(2x)", fns["exp"], np.array([0.7]), 1e-5),
        Case("integers in x", fns["cubes"], np.array([1, 2, -3]), 1e-5),
        Case("h = 1e-4 given", fns["cubes"], np.array([[0.5, 1.5], [-1.0, 2.0]]), 1e-4),
    ]


def _exact_gradient(f: ScalarFunction, x, h=None):
    """The exact gradient by PyTorch's autograd: the oracle of the numerical gradient."""
    return torch_gradient(f.torch_fn, x)


def _differences(f, x, h, kind: str) -> np.ndarray:
    """The gradient estimated with a mistaken formula ``kind``, to recognise an answer."""
    x = np.asarray(x, dtype=float)
    grad = np.empty_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        if kind == "forward":
            grad[i] = (f(plus) - f0) / h
        elif kind == "backward":
            grad[i] = (f0 - f(minus)) / h
        elif kind == "half_forward":  # x[i] += h; ...; x[i] -= h gives back x, not x - h: (f(x+h) - f(x)) / 2h
            grad[i] = (f(plus) - f0) / (2 * h)
    return grad


_ESTIMATE_TOLERANCE = (1e-5, 1e-8)  # rtol, atol: a central difference is off the exact gradient by ~h²


def _is(kind: str) -> Callable:
    """A hint predicate: the answer is the gradient estimated with the mistaken formula ``kind``."""
    return same_as(lambda f, x, h: _differences(f, x, h, kind))


def _not_restored(f, x, h):
    """x[i] += h; f; x[i] -= 2h; f, on a float copy, and x[i] never put back: every later entry is estimated at a
    point where the earlier entries sit h too low."""
    x = np.array(x, dtype=float)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


def _rows_nudged(f, x, h):
    """A loop written for a 1-D x, ``for i in range(len(x))``, on a matrix: x[i] is a whole row, so each nudge
    moves a row and its one estimate fills the row of the result."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


def _all_nudged(f, x, h):
    """Every entry nudged at once, f(x + h) − f(x − h) over 2h: one directional derivative, in every entry."""
    x = np.array(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def _one_row_per_entry(attempt) -> bool:
    """The answer has one entry per row of a matrix x: a loop over range(len(x))."""
    x, got = np.asarray(attempt.case.args[1]), np.asarray(attempt.got)
    return x.ndim > 1 and got.shape == (len(x),)


def _integer_trouble(attempt) -> bool:
    x = attempt.case.args[1]
    return np.asarray(x).dtype.kind in "iu"


register(
    FunctionExercise(
        id="backprop.numerical_gradient",
        reference="numerical_gradient",
        arg_names=("f", "x", "h"),
        cases=numerical_gradient_cases,
        oracle=_exact_gradient,
        rtol=1e-6,
        atol=1e-8,
        hints=(
            Hint(VALUE, "that is the forward difference (f(x + h) − f(x)) / h, accurate to O(h) only: use the central "
                        "difference (f(x + h e_i) − f(x − h e_i)) / (2h)", _is("forward")),
            Hint(VALUE, "that is the backward difference (f(x) − f(x − h)) / h: use the central difference "
                        "(f(x + h e_i) − f(x − h e_i)) / (2h)", _is("backward")),
            Hint(VALUE, "after x[i] += h, the step x[i] -= h brings x back to x, not to x − h: subtract 2h, or restore "
                        "x[i] and then subtract h", _is("half_forward")),
            Hint(VALUE, "x[i] is never restored: after its two nudges it stays at x[i] − h, so every later entry is "
                        "estimated at a shifted point. The error is of order h (your values agree with the right ones "
                        "to about 5 digits, which is why the arrays above print alike): after computing f(x − h), put "
                        "x[i] back to its original value", same_as(_not_restored)),
            Hint(VALUE, "your loop runs over range(len(x)), which is right for a vector only: for a matrix, x[i] is a "
                        "whole row, so each nudge moves a row at once and its one estimate fills the row. Nudge one "
                        "entry at a time: for i in np.ndindex(x.shape)", same_as(_rows_nudged)),
            Hint(VALUE, "every entry of x was nudged at once (x + h): that measures how f changes along the diagonal, "
                        "the same number in every entry. Nudge one entry at a time, x[i] ± h, the others unchanged",
                 same_as(_all_nudged)),
            Hint(VALUE, "twice the gradient: the two points x ± h are 2h apart, so divide by 2h, not h",
                 scaled(2.0, *_ESTIMATE_TOLERANCE)),
            Hint(VALUE, "the sign is flipped: it is f(x + h) − f(x − h), in that order",
                 scaled(-1.0, *_ESTIMATE_TOLERANCE)),
            Hint(VALUE, "x holds integers here, so x[i] += h is rounded away (an int array cannot hold 1.00001): "
                        "work on a float copy, x = np.array(x, dtype=float)", _integer_trouble),
            Hint(MUTATION, "restore x[i] after each nudge (or work on a copy): the caller's x must come back "
                           "unchanged"),
            Hint(STRUCTURE, "one value per row: your loop runs over range(len(x)), which is right for a vector only. "
                            "For a matrix, nudge every entry: grad = np.zeros_like(x), then for i in "
                            "np.ndindex(x.shape)",
                 _one_row_per_entry),
            Hint(STRUCTURE, "return an array with x's shape: one partial derivative per entry of x "
                            "(np.zeros_like(x, dtype=float), filled entry by entry with np.ndindex(x.shape))"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. The best step h, read from the figure
# ---------------------------------------------------------------------------------------------
STEP_CHOICES = (1e-2, 1e-5, 1e-8, 1e-11, 1e-14)
STEP_FUNCTION = (np.sin, np.cos, 1.0)  # f = sin, f' = cos, at x = 1: the chapter's figure


def step_errors(h):
    """|forward − f'| and |central − f'| for f = sin at x = 1 (arrays like h): the data of the figure."""
    f, df, x = STEP_FUNCTION
    h = np.asarray(h, dtype=float)
    forward = np.abs((f(x + h) - f(x)) / h - df(x))
    central = np.abs((f(x + h) - f(x - h)) / (2 * h) - df(x))
    return forward, central


def _best_steps_oracle() -> dict:
    forward, central = step_errors(np.array(STEP_CHOICES))
    return {"forward": STEP_CHOICES[int(np.argmin(forward))], "central": STEP_CHOICES[int(np.argmin(central))]}


register(
    DictExercise(
        id="backprop.best_steps",
        reference="best_steps",
        choices=STEP_CHOICES,
        oracle=_best_steps_oracle,
        explain={
            (ANY, 1e-2): "at h = 1e-2 the truncation error (the straight line on the right of the plot) dominates: "
                  "h is far too large for either formula",
            (ANY, 1e-14): "at h = 1e-14 round-off dominates: f(x + h) and f(x) agree in almost every digit, and their "
                   "difference is mostly rounding noise (the error is about 1e-16 / h)",
            (ANY, 1e-11): "at h = 1e-11 round-off (the line rising to the left, ~1e-16 / h) already dominates",
            ("forward", 1e-5): "for the forward difference h = 1e-5 still leaves a truncation error ~h/2 ≈ 5e-6: "
                               "its minimum lies further left, where h ≈ √(1e-16)",
            ("central", 1e-8): "for the central difference h = 1e-8 is already in the round-off region: its "
                               "truncation error falls like h², so the best h is larger, ≈ ∛(1e-16)",
        },
    ),
)


# ---------------------------------------------------------------------------------------------
# 3. Gates: add, multiply, max
# ---------------------------------------------------------------------------------------------
GATE_CASES = (
    ("add", 2.0, -3.0, 1.5), ("add", -0.5, 4.0, -2.0),
    ("mul", 2.0, -3.0, 1.5), ("mul", -0.5, 4.0, -2.0),
    ("max", 2.0, -3.0, 1.5), ("max", -0.5, 4.0, -2.0), ("max", -1.0, -4.0, 3.0),
)


def _torch_gate(gate: str, a: float, b: float, g: float) -> tuple[float, float]:
    import torch

    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out = {"add": torch.add, "mul": torch.mul, "max": torch.maximum}[gate](ta, tb)
    out.backward(torch.tensor(g, dtype=torch.float64))
    return ta.grad.item(), tb.grad.item()


def _pair(value):
    """(float, float) from the learner's pair, or None."""
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        return None
    try:
        return tuple(float(np.asarray(v, dtype=float).reshape(())) for v in value)
    except (TypeError, ValueError):
        return None


def _gate_hint(gate, a, b, g, got) -> str | None:
    same = lambda u, v: np.allclose(got, (u, v), rtol=1e-9, atol=1e-12)  # noqa: E731
    hi, lo = (g, 0.0) if a > b else (0.0, g)
    common = {
        "add": [((1.0, 1.0), "the local derivatives are 1 and 1, but the gradient that arrives is grad_out: "
                             "multiply, dL/da = 1 · grad_out"),
                ((g, -g), "that is the subtraction gate's rule: d(a + b)/db = +1, so both inputs get grad_out"),
                ((g / 2, g / 2), "the add gate does not split the gradient in halves: it copies it. "
                                 "d(a + b)/da = 1 and d(a + b)/db = 1, so each input gets the whole grad_out")],
        "mul": [((a * g, b * g), "each input gets the *other* input times grad_out: d(ab)/da = b, d(ab)/db = a"),
                ((b, a), "right local derivatives (b and a), but multiply them by the upstream gradient grad_out"),
                ((g, g), "that is the add gate's rule: for a product, dL/da = b · grad_out and dL/db = a · grad_out")],
        "max": [((g, g), "max routes the gradient: only the larger input affected the output, so it gets grad_out "
                         "and the other gets 0"),
                ((lo, hi), "the gradient goes to the *larger* input (the one max picked), not the smaller"),
                ((1.0 if a > b else 0.0, 0.0 if a > b else 1.0),
                 "right input, but pass on grad_out itself, not 1: dL/da = 1 · grad_out for the winner"),
                ((max(a, b) * g, max(a, b) * g), "the derivative of max with respect to the winner is 1, not the "
                                                 "value of the max"),
                ((a * g, 0.0) if a > b else (0.0, b * g),
                 "right input, but the derivative of max with respect to the winner is 1, not its value: the winner "
                 "gets grad_out itself")],
    }
    for wrong, hint in common[gate]:
        if same(*wrong):
            return hint
    return None


def gate_property(answer):
    for gate, a, b, g in GATE_CASES:
        result = run(answer, gate, a, b, g)
        where = f"{gate} gate with a = {fmt_number(a)}, b = {fmt_number(b)}, grad_out = {fmt_number(g)}"
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", (
                "handle the three gates by name: if gate == 'add': ..., elif gate == 'mul': ..., elif gate == 'max': "
                "...; a, b and grad_out are plain numbers" if isinstance(result.exc, (KeyError, ValueError)) else None)
        got = _pair(result)
        if got is None:
            return (f"{where}: expected a pair (dL/da, dL/db) of numbers, got {type(result).__name__}",
                    "end with `return grad_a, grad_b`")
        expected = _torch_gate(gate, a, b, g)
        if not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            return (f"{where}: expected (dL/da, dL/db) = ({fmt_number(expected[0])}, {fmt_number(expected[1])}), "
                    f"got ({fmt_number(got[0])}, {fmt_number(got[1])})", _gate_hint(gate, a, b, g, got))
    return None


register(
    PropertyExercise(
        id="backprop.gate_backward",
        reference="gate_backward",
        prop=gate_property,
        praise="Add distributes, multiply swaps, max routes.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 4–5. Operations of the scalar autograd engine
# ---------------------------------------------------------------------------------------------
def _torch_grads(build: Callable, values: list[float]) -> tuple[float, list[float]]:
    import torch

    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    out = build(leaves, torch_mode=True)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in leaves]


def _value_graphs(op_name: str, op: Callable):
    """Graphs that use the learner's ``op`` (``mul(a, b)`` or ``tanh(a)``) among utils' own operations.

    Each is ``(description, build, values)``; ``build(leaves, torch_mode)`` computes the output from either
    utils Values (with ``op``) or PyTorch tensors (with the real operation).
    """
    import torch

    if op_name == "mul":
        def m(a, b, torch_mode):
            return a * b if torch_mode else op(a, b)

        return [
            ("out = mul(x, y) with x = 3, y = -2", lambda v, torch_mode=False: m(v[0], v[1], torch_mode), [3.0, -2.0]),
            ("out = tanh(mul(x, y)) * 4 with x = 1.5, y = -0.5 (out.grad is not 1 inside)",
             lambda v, torch_mode=False: m(v[0], v[1], torch_mode).tanh() * 4, [1.5, -0.5]),
            ("out = mul(x, x) with x = 3 (the same Value twice)", lambda v, torch_mode=False: m(v[0], v[0], torch_mode),
             [3.0]),
            ("out = mul(a, b) + mul(mul(a, c), a) - c with a = 0.5, b = -1.2, c = 2",
             lambda v, torch_mode=False: m(v[0], v[1], torch_mode) + m(m(v[0], v[2], torch_mode), v[0], torch_mode)
             - v[2], [0.5, -1.2, 2.0]),
        ]

    def t(a, torch_mode):
        return torch.tanh(a) if torch_mode else op(a)

    return [
        ("out = tanh(x) with x = 0.5", lambda v, torch_mode=False: t(v[0], torch_mode), [0.5]),
        ("out = tanh(x) * 3 - x with x = -1.2 (out.grad is 3 inside)",
         lambda v, torch_mode=False: t(v[0], torch_mode) * 3 - v[0], [-1.2]),
        ("out = tanh(x) * x with x = 0.8 (x used twice)",
         lambda v, torch_mode=False: t(v[0], torch_mode) * v[0], [0.8]),
        ("out = tanh(tanh(x * w + b)) with x = 2, w = -0.7, b = 0.4",
         lambda v, torch_mode=False: t(t(v[0] * v[1] + v[2], torch_mode), torch_mode), [2.0, -0.7, 0.4]),
    ]


def _value_forward_problem(op_name: str, op: Callable):
    """Check the forward part on one call: a Value, the right number, its children recorded."""
    from utils.autograd import Value

    inputs = [Value(3.0), Value(-2.0)] if op_name == "mul" else [Value(0.5)]
    result = run(op, *inputs)
    call = "mul(Value(3), Value(-2))" if op_name == "mul" else "tanh(Value(0.5))"
    if isinstance(result, Raised):
        return f"{call} raised {result.text}", None
    if not isinstance(result, Value):
        return (f"{call} returned {type(result).__name__}, not a Value",
                "build the output as out = Value(number, (a, b), '*') (or (a,) for tanh) and return out")
    want = -6.0 if op_name == "mul" else math.tanh(0.5)
    if not np.isclose(result.data, want, rtol=1e-12, atol=0):
        return (f"{call}.data is {fmt_number(result.data)}, expected {fmt_number(want)}",
                "the forward part computes out.data first")
    if not all(any(child is x for child in result.children) for x in inputs):
        return (f"{call}: the output does not record its inputs as children (children = {result.children!r})",
                "pass the inputs when creating out: Value(a.data * b.data, (a, b), '*'); without them backward() "
                "never reaches a and b")
    return None


def _value_property(op_name: str):
    def prop(answer):
        from utils.autograd import Value

        problem = _value_forward_problem(op_name, answer)
        if problem is not None:
            return problem
        for k, (description, build, values) in enumerate(_value_graphs(op_name, answer)):
            leaves = [Value(v) for v in values]
            out = run(build, leaves)
            if isinstance(out, Raised):
                return f"{description}: your code raised {out.text}", None
            ran = run(out.backward)
            if isinstance(ran, Raised):
                return f"{description}: backward() raised {ran.text} inside your _backward", None
            value_t, grads_t = _torch_grads(build, values)
            got = [leaf.grad for leaf in leaves]
            if not np.allclose(got, grads_t, rtol=1e-9, atol=1e-12):
                names = {("mul", 2): "x, y", ("mul", 3): "a, b, c", ("tanh", 3): "x, w, b"}.get(
                    (op_name, len(values)), "x")
                return (f"{description}: expected the gradients of {names} = {fmt_values(grads_t)}, "
                        f"got {fmt_values(got)}", _value_hint(op_name, k, got, answer))
        return None

    return prop


def _mistaken_op(op_name: str, mistake: str) -> Callable:
    """The operation with one classic mistake in its backward, to recognise what a learner's answer does."""
    from utils.autograd import Value

    def backward_into(a, local, up):
        if mistake == "overwrite":
            a.grad = local * up
        else:
            a.grad += local * up

    def upstream(out):
        return {"no_chain": 1.0, "out_data": out.data}.get(mistake, out.grad)

    if op_name == "mul":
        def op(a, b):
            out = Value(a.data * b.data, (a, b), "*")

            def _backward():
                la, lb = (a.data, b.data) if mistake == "swapped" else (b.data, a.data)
                backward_into(a, la, upstream(out))
                backward_into(b, lb, upstream(out))

            out._backward = _backward
            return out
    else:
        def op(a):
            t = math.tanh(a.data)
            out = Value(t, (a,), "tanh")

            def _backward():
                if mistake == "precedence":  # 1 - t**2 * out.grad: the product is taken first
                    a.grad += 1 - t**2 * out.grad
                    return
                local = {"input_form": 1 - a.data**2, "unsquared": 1 - t}.get(mistake, 1 - t * t)
                backward_into(a, local, upstream(out))

            out._backward = _backward
            return out
    return op


_VALUE_MISTAKES = {
    "mul": (
        ("overwrite", "a value used twice gets both contributions only if they add up: use +=, "
                      "a.grad += b.data * out.grad, never a.grad = ... (here x.grad should be 2x)"),
        ("swapped", "each factor gets the *other* one: a.grad += b.data * out.grad (d(ab)/da = b)"),
        ("no_chain", "multiply by out.grad, the gradient arriving from above (the chain rule): "
                     "a.grad += b.data * out.grad"),
        ("out_data", "out.data is the product's value; the gradient arriving from above is out.grad: "
                     "a.grad += b.data * out.grad"),
    ),
    "tanh": (
        ("overwrite", "x also feeds another operation, so its gradient has two contributions: use +=, "
                      "a.grad += (1 - t**2) * out.grad, never a.grad = ..."),
        ("input_form", "1 − x² uses the input: the derivative is 1 − tanh(x)², i.e. 1 − t² with t = out.data"),
        ("unsquared", "square the tanh: d tanh(x)/dx = 1 − tanh(x)²"),
        ("no_chain", "multiply by out.grad (the chain rule): a.grad += (1 - t**2) * out.grad"),
        ("precedence", "1 - t**2 * out.grad is 1 − (t² · out.grad): Python multiplies first. Put the local derivative "
                       "in parentheses: a.grad += (1 - t**2) * out.grad"),
        ("out_data", "out.data is tanh's value t; the gradient arriving from above is out.grad: "
                     "a.grad += (1 - t**2) * out.grad"),
    ),
}


def _backward_does_something(answer: Callable) -> bool:
    """Whether the answer's ``_backward`` changes its inputs' gradients when they do not start at 0 (a body that
    does nothing, or a ``_backward`` never assigned, leaves them as they were)."""
    from utils.autograd import Value

    a, b = Value(3.0), Value(-2.0)
    out = run(answer, a, b)
    if not isinstance(out, Value):
        return False
    a.grad, b.grad, out.grad = 0.5, 0.25, 1.0
    ran = run(out._backward)
    return not isinstance(ran, Raised) and (a.grad, b.grad) != (0.5, 0.25)


def _value_hint(op_name: str, graph_index: int, got, answer: Callable) -> str | None:
    """The hint of the classic mistake that reproduces ``got`` on graph number ``graph_index``, if any."""
    from utils.autograd import Value

    if np.allclose(got, 0.0):
        if op_name == "mul" and _backward_does_something(answer):
            return ("the inputs' gradients stayed 0: your _backward multiplies by something that is 0 here. Each "
                    "input gets the other input's *value* times out.grad: a.grad += b.data * out.grad (b.grad is "
                    "b's gradient, still 0)")
        return ("no gradient reached the inputs: define the inner function _backward, assign it with "
                "out._backward = _backward, and make it add into the inputs' .grad")
    for mistake, hint in _VALUE_MISTAKES[op_name]:
        _, build, values = _value_graphs(op_name, _mistaken_op(op_name, mistake))[graph_index]
        leaves = [Value(v) for v in values]
        build(leaves).backward()
        if np.allclose(got, [leaf.grad for leaf in leaves], rtol=1e-9, atol=1e-12):
            return hint
    return None


register(
    PropertyExercise(
        id="backprop.value_mul",
        reference="value_mul",
        prop=_value_property("mul"),
        praise="Your multiplication agrees with PyTorch inside bigger graphs.",
    ),
    PropertyExercise(
        id="backprop.value_tanh",
        reference="value_tanh",
        prop=_value_property("tanh"),
        praise="Your tanh agrees with PyTorch inside bigger graphs.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. Linear.backward, verified by a gradient check
# ---------------------------------------------------------------------------------------------
def _linear_case(seed: int, n: int, d_in: int, d_out: int):
    from utils.layers import Linear

    rng = np.random.default_rng(seed)
    layer = Linear(d_in, d_out, rng=rng)
    X = rng.normal(size=(n, d_in))
    G = rng.normal(size=(n, d_out))
    return layer, X, G


def _numerical_linear(layer, X, G):
    """dX, dW, db of L = sum((X Wᵀ + b) * G) by central differences (utils.gradcheck)."""
    from utils.gradcheck import numerical_gradient

    W, b = layer.weight.data.copy(), layer.bias.data.copy()
    dX = numerical_gradient(lambda x: np.sum((x @ W.T + b) * G), X)
    dW = numerical_gradient(lambda w: np.sum((X @ w.T + b) * G), W)
    db = numerical_gradient(lambda c: np.sum((X @ W.T + c) * G), b)
    return dX, dW, db


_GRAD_NAMES = {"weight": "weight.grad (dL/dW)", "bias": "bias.grad (dL/db)"}


def _grad_shape_hint(name: str, got_shape, want_shape, n: int) -> str:
    if name == "weight" and tuple(got_shape) == tuple(want_shape)[::-1]:
        return ("missing transpose: dL/dW = grad_outᵀ X, shape (out_features, N) @ (N, in_features) = W's shape; "
                "X.T @ grad_out is its transpose")
    if name == "bias" and len(got_shape) == 2 and got_shape[0] == n:
        return ("db not summed over the batch: the bias is added to every row, so its gradient is the sum of "
                "grad_out over the rows, grad_out.sum(axis=0), shape (out_features,)")
    return f"a gradient has the shape of its parameter: {want_shape}"


def _linear_exception_hint(raised: Raised, n: int) -> str | None:
    text = str(raised.exc)
    if "gradient shape mismatch" in text:
        shapes = re.findall(r"\(([\d, ]*)\)", text)
        want, got = ([tuple(int(d) for d in s.replace(",", " ").split()) for s in shapes] + [None, None])[:2]
        if want is not None and len(want) == 1:  # the bias's gradient
            if got == ():
                return ("db summed over everything: sum grad_out over the rows only, grad_out.sum(axis=0), which "
                        "keeps one entry per output feature, shape (out_features,)")
            if got is not None and len(got) == 2:
                return ("db not summed over the batch: sum grad_out over the rows, grad_out.sum(axis=0), before "
                        "adding it to the bias's gradient")
            return ("db summed along the wrong axis: axis 0 runs over the batch, so grad_out.sum(axis=0) has "
                    "shape (out_features,)")
        if want is not None and got is not None and len(want) == 2 and got == want[::-1]:
            return ("missing transpose: dL/dW = grad_outᵀ X has W's shape (out_features, in_features); "
                    "X.T @ grad_out is its transpose")
        return ("check the shapes: dL/dW = grad_outᵀ X has W's shape (out_features, in_features), dL/db = "
                "grad_out.sum(axis=0) has shape (out_features,)")
    if "matmul" in text or "shapes" in text or "aligned" in text:
        return ("check the shapes: grad_out (N, out) @ W (out, in) -> dX (N, in); grad_out.T (out, N) @ X (N, in) "
                "-> dW (out, in)")
    if "NoneType" in text:
        return ("before the first backward .grad is None: use layer.weight.accumulate_grad(dW), which creates it, "
                "or handle None yourself")
    return None


def linear_property(answer):
    """dX returned; dW, db added into .grad: checked against central differences, from fresh and from
    non-empty gradients (accumulation), on three layer shapes."""
    for k, (n, d_in, d_out) in enumerate([(5, 3, 4), (1, 2, 3), (8, 4, 2)]):
        layer, X, G = _linear_case(40 + k, n, d_in, d_out)
        dX_num, dW_num, db_num = _numerical_linear(layer, X, G)
        where = f"Linear({d_in}, {d_out}) on a batch of {n}"
        for start in ("empty", "filled"):
            old_W = np.zeros_like(dW_num) if start == "empty" else np.full(dW_num.shape, 0.5)
            old_b = np.zeros_like(db_num) if start == "empty" else np.full(db_num.shape, -1.0)
            layer.weight.grad = None if start == "empty" else old_W.copy()
            layer.bias.grad = None if start == "empty" else old_b.copy()
            layer(X)  # forward keeps X for backward
            case = where + (" (.grad still None)" if start == "empty" else " whose .grad already holds a gradient")
            result = run(answer, layer, G.copy())
            if isinstance(result, Raised):
                return f"{case}: your code raised {result.text}", _linear_exception_hint(result, n)
            problem = _check_linear_result(case, layer, result, X, G, dX_num, dW_num, db_num, old_W, old_b, start, n)
            if problem is not None:
                return problem
    return None


def _check_linear_result(case, layer, result, X, G, dX_num, dW_num, db_num, old_W, old_b, start, n):
    from utils.gradcheck import relative_error

    if result is None:
        return f"{case}: it returned None", "return dL/dX = grad_out @ W (shape (N, in_features))"
    dX = np.asarray(result, dtype=float) if isinstance(result, np.ndarray) else None
    if dX is None or dX.shape != X.shape:
        shape = None if dX is None else dX.shape
        return (f"{case}: the returned dL/dX must have X's shape {X.shape}, got "
                f"{type(result).__name__ if dX is None else shape}",
                "dL/dX = grad_out @ W: (N, out_features) @ (out_features, in_features) -> (N, in_features)")
    if relative_error(dX, dX_num) > 1e-6:
        return (f"{case}: the returned dL/dX fails the gradient check (relative error "
                f"{relative_error(dX, dX_num):.1e}); {worst_entry(dX, dX_num)}",
                "dL/dX = grad_out @ W: (N, out) @ (out, in) -> (N, in), no transpose (W is stored (out, in))")
    for name, num, old in (("weight", dW_num, old_W), ("bias", db_num, old_b)):
        grad = getattr(layer, name).grad
        label = _GRAD_NAMES[name]
        if grad is None:
            return (f"{case}: {label} is still None after backward",
                    f"add the gradient into the parameter: layer.{name}.accumulate_grad(...)")
        grad = np.asarray(grad, dtype=float)
        if grad.shape != num.shape:
            return (f"{case}: {label} has shape {grad.shape}, expected {num.shape}",
                    _grad_shape_hint(name, grad.shape, num.shape, n))
        added = grad - old
        if start == "filled" and np.allclose(grad, num, rtol=1e-6, atol=1e-8):
            return (f"{case}: {label} was overwritten: it should hold the old gradient plus the new one, "
                    f"but it holds only the new one",
                    "accumulate, as PyTorch does: layer." + name + ".accumulate_grad(g) (or .grad += g), "
                    "never layer." + name + ".grad = g; gradients of several backward passes must add up")
        if relative_error(added, num) > 1e-6:
            hint = None
            if name == "bias" and np.allclose(added, num / n, rtol=1e-6) and n > 1:
                hint = ("that is the mean over the batch: the bias is added to every row, so its gradient is the "
                        "*sum* of grad_out over the rows (the 1/N of a mean loss is already inside grad_out)")
            elif name == "weight" and num.shape[0] == num.shape[1] and np.allclose(added, num.T, rtol=1e-6):
                hint = "missing transpose: dL/dW = grad_outᵀ X"
            elif n > 1 and np.allclose(added, num / n, rtol=1e-6):
                hint = ("N times too small: do not divide by the batch size here. dL/dW = grad_outᵀ X sums over the "
                        "rows, and the 1/N of a mean loss is already inside grad_out (the loss's backward put it "
                        "there)")
            return (f"{case}: {label} fails the gradient check (relative error {relative_error(added, num):.1e}); "
                    f"{worst_entry(added, num, 'it grew by')}", hint)
    return None


register(
    PropertyExercise(
        id="backprop.linear_backward",
        reference="linear_backward",
        prop=linear_property,
        praise="dX, dW and db pass the gradient check, and the gradients accumulate.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 7. The full backward pass of a 2-layer MLP with cross-entropy
# ---------------------------------------------------------------------------------------------
MLP_SHAPES = ((6, 3, 5, 4), (1, 2, 3, 3), (16, 4, 8, 3))
"""(N, D, D1, C) of the checked cases: examples, inputs, hidden units, classes."""


def _mlp_case(seed: int, n: int, d: int, d1: int, c: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"X": rng.normal(size=(n, d)), "y": rng.integers(0, c, n), "W1": rng.normal(0, 0.8, (d1, d)),
            "b1": rng.normal(0, 0.5, d1), "W2": rng.normal(0, 0.8, (c, d1)), "b2": rng.normal(0, 0.5, c)}


def _torch_mlp_grads(case: dict) -> dict:
    import torch

    t = {k: torch.tensor(v, requires_grad=k not in ("X", "y")) for k, v in case.items()}
    hidden = torch.relu(t["X"] @ t["W1"].T + t["b1"])
    loss = torch.nn.functional.cross_entropy(hidden @ t["W2"].T + t["b2"], t["y"])
    loss.backward()
    return {k: t[k].grad.numpy() for k in ("W1", "b1", "W2", "b2")}


def _mlp_variant(case: dict, mistake: str) -> dict:
    """The gradients a learner gets with one classic mistake: ``"no_mask"`` (ReLU's derivative forgotten),
    ``"mask_is_H"`` (dH multiplied by H = relu(Z1) instead of the mask Z1 > 0), ``"no_onehot"``
    (dZ2 = P / N, the targets never subtracted), ``"softmax_axis0"`` (softmax down each column, over the
    examples) or ``"softmax_all"`` (one softmax over the whole (N, C) array)."""
    X, y, W1, b1, W2, b2 = (case[k] for k in ("X", "y", "W1", "b1", "W2", "b2"))
    n = len(X)
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    Z = H @ W2.T + b2
    axis = {"softmax_axis0": 0, "softmax_all": None}.get(mistake, 1)
    P = np.exp(Z - Z.max(axis=axis, keepdims=True))
    P /= P.sum(axis=axis, keepdims=True)
    dZ2 = (P if mistake == "no_onehot" else P - one_hot(y, Z.shape[1])) / n
    dH = dZ2 @ W2
    dZ1 = {"no_mask": dH, "mask_is_H": dH * H}.get(mistake, dH * (Z1 > 0))
    return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": dZ2.T @ H, "b2": dZ2.sum(axis=0)}


def _mlp_hint(name: str, got: np.ndarray, want: np.ndarray, case: dict, n: int) -> str | None:
    if got.shape != want.shape:
        if got.ndim == 2 and got.shape == want.shape[::-1]:
            return (f"missing transpose: d{name} must have {name}'s shape {want.shape}: dW = dZᵀ A "
                    "(the upstream gradient, transposed, times the layer's input)")
        if got.ndim == 2 and got.shape[0] == n and name.startswith("b"):
            return f"db not summed over the batch: d{name} = dZ.sum(axis=0), one number per unit"
        return f"d{name} must have {name}'s shape {want.shape}"
    if n > 1 and np.allclose(got, n * want, rtol=1e-6, atol=1e-12):
        return ("N times too large: the loss is the *mean* over the N examples, so dL/dZ2 = (P − Y) / N "
                "(forgetting the 1/N of a mean loss)")
    if name.startswith("b") and n > 1 and np.allclose(got, want / n, rtol=1e-6, atol=1e-12):
        return "that is the mean over the batch: db is the *sum* of dZ over the rows (the 1/N is already in dZ2)"
    if n > 1 and np.allclose(got, want / n, rtol=1e-6, atol=1e-12):
        return ("N times too small: the 1/N of the mean loss belongs in dZ2 = (P − Y) / N only once; dW = dZᵀ A "
                "then sums over the rows without dividing again")
    for mistake, where in (("softmax_axis0", "down each column, over the N examples"),
                           ("softmax_all", "over the whole (N, C) array at once")):
        if np.allclose(got, _mlp_variant(case, mistake)[name], rtol=1e-6, atol=1e-12):
            return (f"softmax ran {where}: each row (one example's C scores) must become probabilities that sum to "
                    "1, so take it along the classes, softmax(Z2, axis=1) (axis=-1, the default of "
                    "utils.activations.softmax), and sum with axis=1, keepdims=True if you write it out")
    if name in ("W2", "b2") and np.allclose(got, _mlp_variant(case, "no_onehot")[name], rtol=1e-6, atol=1e-12):
        return "subtract the one-hot targets: dL/dZ2 = (P − Y) / N, not P / N"
    if name in ("W1", "b1") and np.allclose(got, _mlp_variant(case, "mask_is_H")[name], rtol=1e-6, atol=1e-12):
        return ("ReLU's derivative is 1 where Z1 > 0 and 0 elsewhere: multiply dH by the mask (Z1 > 0), not by "
                "H = relu(Z1) itself")
    if name in ("W1", "b1") and np.allclose(got, _mlp_variant(case, "no_mask")[name], rtol=1e-6, atol=1e-12):
        return "ReLU's derivative is missing: dZ1 = dH * (Z1 > 0), the gradient stops at units that were off"
    if np.allclose(got, -want, rtol=1e-6, atol=1e-12):
        return "the sign is flipped: dL/dZ2 = P − Y (predicted minus true), not Y − P"
    return None


def mlp_property(answer):
    for k, shape in enumerate(MLP_SHAPES):
        case = _mlp_case(70 + k, *shape)
        n = shape[0]
        where = f"N = {n} examples, {shape[1]} inputs, {shape[2]} hidden units, {shape[3]} classes"
        result = run(answer, *(case[key].copy() for key in ("X", "y", "W1", "b1", "W2", "b2")))
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", (
                "check the shapes: dZ2 (N, C), H (N, D1) -> dW2 = dZ2.T @ H (C, D1); dH = dZ2 @ W2 (N, D1)"
                if "matmul" in str(result.exc) or "shape" in str(result.exc) else None)
        if not isinstance(result, dict) or set(result) != {"W1", "b1", "W2", "b2"}:
            keys = sorted(result) if isinstance(result, dict) else type(result).__name__
            return (f"{where}: expected a dict with the keys 'W1', 'b1', 'W2', 'b2', got {keys}",
                    'return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}')
        expected = _torch_mlp_grads(case)
        for name in ("W2", "b2", "W1", "b1"):  # in the order backprop computes them
            try:
                got = np.asarray(result[name], dtype=float)
            except (TypeError, ValueError):
                return f"{where}: d{name} is not an array of numbers", None
            if got.shape != expected[name].shape:
                return (f"{where}: d{name} must have {name}'s shape {expected[name].shape}, got shape {got.shape}",
                        _mlp_hint(name, got, expected[name], case, n))
            if not np.allclose(got, expected[name], rtol=1e-7, atol=1e-12):
                return (f"{where}: d{name} differs from PyTorch's autograd; {worst_entry(got, expected[name])}",
                        _mlp_hint(name, got, expected[name], case, n))
    return None


register(
    PropertyExercise(
        id="backprop.mlp_backward",
        reference="mlp_backward",
        prop=mlp_property,
        praise="All four gradients equal PyTorch's autograd.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 8. Training XOR
# ---------------------------------------------------------------------------------------------
TRAIN_SEED = 0
TARGET_MSE = 0.01


def _xor_outputs(model) -> np.ndarray | str:
    from utils.data import logic_gate

    X, _ = logic_gate("xor")
    if not callable(model):
        return f"train_xor must return the trained network (callable on X of shape (4, 2)), got {type(model).__name__}"
    out = run(model, X.copy())
    if isinstance(out, Raised):
        return f"calling the returned network on the four XOR inputs raised {out.text}"
    try:
        out = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return f"the returned network's output is not numbers ({type(out).__name__})"
    if out.size != 4:
        return f"the network should give one output per input, 4 in all; got shape {out.shape}"
    return out.reshape(4)


def _gradient_left_over(model) -> bool:
    """True when the parameters' .grad is far larger than the gradient at the final weights: zero_grad was
    never called, so .grad holds the sum of every step's gradient."""
    from utils import losses
    from utils.data import logic_gate
    from utils.module import Module

    if not isinstance(model, Module):
        return False
    params = list(model.parameters())
    stored = [None if p.grad is None else p.grad.copy() for p in params]
    if any(g is None for g in stored):
        return False
    X, y = logic_gate("xor")
    loss_fn = losses.MSELoss()
    try:
        loss_fn(model(X), y.reshape(np.shape(model(X))))
        model.zero_grad()
        model.backward(loss_fn.backward())
        now = np.sqrt(sum(np.sum(p.grad**2) for p in params))
    except Exception:  # noqa: BLE001 - any failure: no diagnosis
        return False
    finally:
        for p, g in zip(params, stored):
            p.grad = g
    before = np.sqrt(sum(np.sum(g**2) for g in stored))
    return bool(before > 50 * now + 1e-8)


def train_xor_property(answer):
    model = run(answer, np.random.default_rng(TRAIN_SEED))
    if isinstance(model, Raised):
        hint = None
        if "target must have the input's shape" in str(model.exc):
            hint = ("logic_gate gives the targets with shape (4,) and the network outputs (4, 1): reshape them "
                    "once before the loop, y = y.reshape(-1, 1)")
        elif "grad_out must have the output's shape" in str(model.exc) and "got ()" in str(model.exc):
            hint = ("model.backward takes the gradient of the loss with respect to the network's output, "
                    "loss_fn.backward() (shape (4, 1)), not the loss's value: model.backward(loss_fn.backward())")
        return f"train_xor raised {model.text}", hint
    out = _xor_outputs(model)
    if isinstance(out, str):
        return out, "end with `return model`, the trained Sequential"
    target = np.array([0.0, 1.0, 1.0, 0.0])
    if _gradient_left_over(model):
        return ("after training, the parameters' .grad are far larger than the gradient at the final weights: they "
                "hold the sum of every step's gradient, so each step moved by all the past gradients at once",
                "call model.zero_grad() before each backward: backward *adds* into .grad (whatever the MSE, a step "
                "must use this step's gradient only)")
    if not np.isfinite(out).all():
        return "the network's outputs are not finite numbers (NaN or inf)", "the training diverged: try a smaller lr"
    mse = float(np.mean((out - target) ** 2))
    if mse < TARGET_MSE:
        return None
    problem = (f"with rng = np.random.default_rng({TRAIN_SEED}) the trained network gives {fmt_values(out)} for XOR's "
               f"[0, 1, 1, 0]: MSE {mse:.4f}, above {TARGET_MSE}")
    if mse > 0.26:
        hint = ("the loss went up instead of down: step *against* the gradient, p.data -= lr * p.grad "
                "(sgd_step does this)")
    elif np.all(np.abs(out - 0.5) < 0.12):
        hint = ("every output is still near 0.5: the network is on the plateau where the MSE is 0.25. With the mean "
                "MSE and PyTorch's small initial weights, lr = 0.1 is far too slow; try lr = 1.0 for 5,000 epochs")
    else:
        hint = ("too slow: the training stopped before the network learned XOR. With the mean squared error and "
                "PyTorch's initialization, a small step such as the classic lr 0.1 or 0.2 needs more than 5,000 "
                "epochs; train longer or with a larger learning rate (the chapter's recipe: lr = 1.0, 5,000 epochs)")
    return problem, hint


register(
    PropertyExercise(
        id="backprop.train_xor",
        reference="train_xor",
        prop=train_xor_property,
        praise="Your network learned XOR.",
    ),
)
