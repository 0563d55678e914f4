"""utils.autograd_steps: the steps of backpropagation on a Value graph against utils.autograd's own backward pass
(every forward step in topological order, the output's gradient set to 1, every backward step, the final
gradients), the example graphs' numbers, and a graph left as it was."""

from __future__ import annotations

import numpy as np
import pytest

from utils import autograd_steps as autograd_steps
from utils.autograd import Value, topological_order


@pytest.mark.parametrize("graph", list(autograd_steps.GRAPHS))
def test_steps_walk_forward_then_backward_and_end_with_the_engines_gradients(graph):
    st = autograd_steps.backprop_steps(graph)
    root = autograd_steps.GRAPHS[graph][1]()
    root.backward()
    order = topological_order(root)
    n_ops = sum(1 for v in order if v.children)
    phases = [s.phase for s in st.steps]
    assert phases == ["start"] + ["forward"] * n_ops + ["output"] + ["backward"] * n_ops + ["done"]
    assert st.n_steps == 2 * n_ops + 3 and [s.index for s in st.steps] == list(range(st.n_steps))
    np.testing.assert_allclose(st.steps[-1].grads, [v.grad for v in order], rtol=1e-15)
    np.testing.assert_allclose(st.values, [v.data for v in order], rtol=1e-15)
    assert all(st.steps[-1].final) and all(st.steps[-1].known)
    # forward: one more value known per step, in topological order (every node after its children)
    for k in range(1, n_ops + 1):
        step = st.steps[k]
        assert sum(step.known) == sum(st.steps[k - 1].known) + 1 and step.known[step.node]
        assert all(step.known[c] for c in st.children[step.node])
        assert all(g is None for g in step.grads)
    # the backward pass starts: only the output has a gradient, 1
    start = st.steps[n_ops + 1]
    assert start.grads[-1] == 1.0 and all(g is None for g in start.grads[:-1])


def test_chain_graph_is_chapter_00s_example():
    st = autograd_steps.backprop_steps("chain")
    assert st.labels == ("x", "z", "y") and st.values == (2.0, 4.0, 64.0)
    assert st.steps[-1].grads == (192.0, 48.0, 1.0)
    assert "x gets 4 × 48 = 192" in st.steps[-2].message
    assert st.steps[1].message == "Forward: z = x^2 = 4"


def test_reuse_graph_shows_a_gradient_that_is_not_complete_yet():
    st = autograd_steps.backprop_steps("reuse")  # f = e + a, e = a * b with a = 3, b = -2
    a = st.labels.index("a")
    first_backward = next(s for s in st.steps if s.phase == "backward")
    assert st.labels[first_backward.node] == "f"
    assert first_backward.grads[a] == 1.0 and not first_backward.final[a]  # only the '+' path so far
    last = st.steps[-2]
    assert last.grads[a] == -1.0 and last.final[a]  # b + 1 = -1 once the product has passed its share
    # the caption says what the node shows: the product's -2 is added to the 1 of the '+' path
    assert "a gets -2 × 1 = -2, added to the 1 it had: 1 + (-2) = -1" in last.message
    assert "∂f/∂e = 1 from above" in last.message and "df/" not in last.message
    assert "added to" not in st.steps[-3].message  # the first contribution is not an addition


def test_neuron_graph_has_micrographs_numbers():
    st = autograd_steps.backprop_steps("neuron")
    grads = dict(zip(st.labels, st.steps[-1].grads))
    assert grads["x₁"] == pytest.approx(-1.5) and grads["w₁"] == pytest.approx(1.0)
    assert grads["w₂"] == pytest.approx(0.0) and grads["b"] == pytest.approx(0.5)
    assert dict(zip(st.labels, st.values))["o"] == pytest.approx(np.sqrt(0.5))


def test_steps_of_leave_the_graphs_gradients_untouched():
    x = Value(1.5)
    y = (x * x).tanh()
    y.backward()
    before = [v.grad for v in topological_order(y)]
    st = autograd_steps.steps_of(y)
    assert [v.grad for v in topological_order(y)] == before
    assert st.labels[0] == "v1" and st.steps[-1].grads[0] == pytest.approx(x.grad)


def test_unknown_graph_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown graph 'loop'; choose one of chain, neuron, reuse"):
        autograd_steps.backprop_steps("loop")


@pytest.mark.parametrize("op, symbol", [("*", "×"), ("-", "−"), ("**3", "^3"), ("sigmoid", "σ"), ("exp", "exp")])
def test_op_symbols(op, symbol):
    assert autograd_steps.op_symbol(op) == symbol


@pytest.mark.parametrize("value, text", [(0.0, "0"), (-1.5, "-1.5"), (0.70710678, "0.7071"), (12345.0, "1.23e+04"),
                                         (0.0001234, "1.23e-04")])
def test_format_value(value, text):
    assert autograd_steps.format_value(value) == text
