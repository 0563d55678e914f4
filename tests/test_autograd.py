"""utils.autograd.Value against PyTorch (float64): values and every leaf's gradient on a battery of expressions,
including values reused many times, long chains, extreme inputs; accumulation semantics; the tiny MLP."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from utils.autograd import MLP, Layer, Neuron, Value, topological_order


def _micrograd_sanity(x):
    (x,) = x
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _micrograd_more_ops(leaves):
    a, b = leaves
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def _neuron(leaves):
    x1, x2, w1, w2, b = leaves
    return (x1 * w1 + x2 * w2 + b).tanh()


def _cross_entropy(leaves):
    z0, z1, z2 = leaves
    total = z0.exp() + z1.exp() + z2.exp()
    return -(z1.exp() / total).log()  # -log softmax(z)[1]


def _reused_many_times(leaves):
    x, y = leaves
    out = x * 0.0
    for k in range(1, 40):  # x appears ~120 times, y ~40 times
        out = out + (x * k / 40).tanh() * y - x / (k + x * x)
    return out


def _shared_subexpression(leaves):
    a, b = leaves
    s = a * b  # s feeds four different nodes
    return s * s + s.sigmoid() * s + (1 - s) / (2 + s**2)


def _reflected(leaves):
    x, y = leaves
    return 2 - x + 3 / (x + y) + 1 / y - 4 * y + (x**-1.5) * (y**0.5) - x / 7


def _long_chain(leaves):
    (x,) = leaves
    y = x
    for _ in range(3000):  # deeper than Python's default recursion limit
        y = y * 0.999 + 0.001 * x
    return y


def _extreme(leaves):
    big, small = leaves
    return big.sigmoid() + small.sigmoid() + (small * 0.5).exp() + big.tanh() + (big - 49).log()


def _kinks(leaves):
    x, y = leaves
    return (x - x).relu() + (y * 0).relu() * x + (x - y).relu()


def _softplus_pow(leaves):
    x, y = leaves
    sp = (1 + x.exp()).log()
    return sp**3 - (y**2 + 1) ** 0.5 + (x * y).sigmoid() ** 2


EXPRESSIONS = [
    ("micrograd sanity", _micrograd_sanity, [-4.0]),
    ("micrograd more ops", _micrograd_more_ops, [-4.0, 2.0]),
    ("tanh neuron", _neuron, [2.0, 0.0, -3.0, 1.0, 6.8813735870195432]),
    ("cross-entropy from logits", _cross_entropy, [1.5, -0.3, 0.8]),
    ("values reused many times", _reused_many_times, [0.7, -1.3]),
    ("shared subexpression", _shared_subexpression, [1.2, -0.4]),
    ("reflected operators and powers", _reflected, [1.7, 0.6]),
    ("a chain of 3000 operations", _long_chain, [0.5]),
    ("extreme inputs", _extreme, [50.0, -50.0]),
    ("relu at its kink", _kinks, [0.3, 0.3]),
    ("softplus and powers", _softplus_pow, [-0.8, 2.5]),
]


def _ours(fn, values):
    leaves = [Value(v) for v in values]
    out = fn(leaves)
    out.backward()
    return out.data, np.array([leaf.grad for leaf in leaves])


def _theirs(fn, values):
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    out = fn(leaves)
    out.backward()
    return out.item(), np.array([0.0 if leaf.grad is None else leaf.grad.item() for leaf in leaves])


@pytest.mark.parametrize("name, fn, values", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_value_and_every_leaf_gradient_match_pytorch(name, fn, values):
    value, grads = _ours(fn, values)
    value_t, grads_t = _theirs(fn, values)
    assert value == pytest.approx(value_t, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grads, grads_t, rtol=1e-10, atol=1e-12)


def test_random_expressions_match_pytorch():
    """Random points for the smooth expressions: agreement is not an accident of one input."""
    rng = np.random.default_rng(4)
    for _, fn, values in [EXPRESSIONS[i] for i in (1, 2, 3, 4, 5, 10)]:
        for _ in range(5):
            point = list(rng.uniform(0.3, 2.0, len(values)) * rng.choice([-1, 1], len(values)))
            if fn is _micrograd_more_ops and abs(_micrograd_more_ops([Value(v) for v in point]).data) < 1e-6:
                continue
            value, grads = _ours(fn, point)
            value_t, grads_t = _theirs(fn, point)
            assert value == pytest.approx(value_t, rel=1e-11)
            np.testing.assert_allclose(grads, grads_t, rtol=1e-9, atol=1e-12)


def test_micrograd_reference_numbers():
    """The published numbers of micrograd's tests and of its famous neuron (o = 0.7071, do/dx1 = -1.5)."""
    value, grads = _ours(_micrograd_sanity, [-4.0])
    assert value == pytest.approx(-20.0) and grads[0] == pytest.approx(46.0)
    value, grads = _ours(_micrograd_more_ops, [-4.0, 2.0])
    assert value == pytest.approx(24.70408163265306) and grads == pytest.approx([138.83381924198252, 645.5772594752186])
    value, grads = _ours(_neuron, [2.0, 0.0, -3.0, 1.0, 6.8813735870195432])
    assert value == pytest.approx(math.sqrt(0.5)) and grads == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5])


def test_chapter_00_chain_rule_example():
    x = Value(2.0)
    y = (x**2) ** 3
    y.backward()
    assert y.data == 64.0 and x.grad == 192.0  # 6 x^5 at x = 2


def test_a_value_used_twice_accumulates():
    a, b = Value(3.0), Value(-2.0)
    f = a * b + a  # df/da = b + 1 = -1 (both paths), df/db = a = 3
    f.backward()
    assert (a.grad, b.grad) == (-1.0, 3.0)
    x = Value(3.0)
    y = x * x  # the same Value on both sides of *
    y.backward()
    assert x.grad == 6.0


def test_leaves_accumulate_across_backward_calls_and_interior_nodes_are_reset():
    x, w = Value(1.5), Value(-0.5)
    h = (x * w).tanh()
    out = h * 3.0
    out.backward()
    first = (x.grad, w.grad, h.grad)
    out.backward()  # as torch with retain_graph=True: leaves get twice the gradient, h gets it once
    assert x.grad == pytest.approx(2 * first[0]) and w.grad == pytest.approx(2 * first[1])
    assert h.grad == first[2] == 3.0


def test_backward_with_a_starting_gradient_scales_every_gradient():
    x = Value(0.3)
    y = x.sigmoid() * 2
    y.backward(grad=-4.0)
    s = 1 / (1 + math.exp(-0.3))
    assert x.grad == pytest.approx(-4.0 * 2 * s * (1 - s))


def test_topological_order_lists_children_before_parents_once_each():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[-1] is e and len(order) == len({id(v) for v in order}) == 5
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]


def test_ops_are_recorded_with_their_children():
    a, b = Value(2.0), Value(5.0)
    for out, op in [(a + b, "+"), (a - b, "-"), (a * b, "*"), (a / b, "/"), (a**2, "**2"), (-a, "neg"),
                    (a.exp(), "exp"), (a.log(), "log"), (a.tanh(), "tanh"), (a.sigmoid(), "sigmoid"),
                    (a.relu(), "relu")]:
        assert out.op == op and a in out.children
    assert (2 * a).children[1] is a and (1 - a).children[1] is a and (1 / a).op == "/"


@pytest.mark.parametrize("make, error, match", [
    (lambda: Value(0.0).log(), ValueError, "positive"),
    (lambda: Value(-1.0).log(), ValueError, "positive"),
    (lambda: Value(-2.0) ** 0.5, ValueError, "fractional power"),
    (lambda: Value(2.0) ** Value(3.0), TypeError, "exponent must be a number"),
    (lambda: Value(Value(1.0)), TypeError, "got a Value"),
    (lambda: Value("3"), TypeError, "real number"),
    (lambda: Value(True), TypeError, "real number"),
    (lambda: Value(1.0) + "a", TypeError, "real number"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, "division by zero"),
    (lambda: Value(1.0, children=(1.0,)), TypeError, "children must be Values"),
])
def test_bad_operations_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_sqrt_slope_at_zero_is_infinite_like_pytorch():
    x = Value(0.0)
    (x**0.5).backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (t**0.5).backward()
    assert x.grad == t.grad.item() == math.inf


def test_sigmoid_is_stable_at_large_inputs():
    assert Value(1000.0).sigmoid().data == 1.0 and Value(-1000.0).sigmoid().data == 0.0


# ---------------------------------------------------------------------------------------------
# Neuron, Layer, MLP
# ---------------------------------------------------------------------------------------------
def _torch_twin(mlp: MLP, activation=torch.nn.Tanh):
    modules = []
    for i, (W, b) in enumerate(mlp.weights()):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if i < len(mlp.layers) - 1:
            modules.append(activation())
    return torch.nn.Sequential(*modules)


@pytest.mark.parametrize("activation, torch_activation", [("tanh", torch.nn.Tanh), ("relu", torch.nn.ReLU),
                                                          ("sigmoid", torch.nn.Sigmoid)])
def test_mlp_loss_and_every_parameter_gradient_match_pytorch(activation, torch_activation):
    rng = np.random.default_rng(0)
    mlp = MLP(3, [4, 4, 1], activation=activation, rng=rng)
    X = rng.normal(size=(6, 3))
    y = rng.choice([-1.0, 1.0], 6)
    loss = sum(((mlp(list(x)) - t) ** 2 for x, t in zip(X, y)), Value(0.0)) / len(X)
    loss.backward()

    twin = _torch_twin(mlp, torch_activation)
    loss_t = ((twin(torch.from_numpy(X)).squeeze(1) - torch.from_numpy(y)) ** 2).mean()
    loss_t.backward()
    assert loss.data == pytest.approx(loss_t.item(), rel=1e-12)
    linears = [m for m in twin if isinstance(m, torch.nn.Linear)]
    for (dW, db), linear in zip(mlp.gradients(), linears):
        np.testing.assert_allclose(dW, linear.weight.grad.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(db, linear.bias.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_mlp_matches_the_layers_of_utils():
    from utils import activations, layers

    rng = np.random.default_rng(1)
    mlp = MLP(2, [5, 3], rng=rng)
    seq = layers.Sequential(layers.Linear(2, 5), activations.Tanh(), layers.Linear(5, 3))
    for (W, b), linear in zip(mlp.weights(), [seq[0], seq[2]]):
        linear.weight.data, linear.bias.data = W.copy(), b.copy()
    x = np.array([0.4, -1.1])
    np.testing.assert_allclose([v.data for v in mlp(list(x))], seq(x[None])[0], rtol=1e-13)


def test_mlp_structure_parameters_and_zero_grad():
    rng = np.random.default_rng(2)
    mlp = MLP(3, [4, 4, 1], rng=rng)
    assert len(mlp.parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1 == 41
    assert [layer.neurons[0].activation for layer in mlp.layers] == ["tanh", "tanh", "linear"]
    assert isinstance(mlp([1.0, 2.0, 3.0]), Value)
    assert len(MLP(3, [4, 2], rng=rng)([1.0, 2.0, 3.0])) == 2
    out = mlp([1.0, -1.0, 0.5])
    out.backward()
    assert any(p.grad != 0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0 for p in mlp.parameters())
    assert repr(mlp).startswith("MLP(Layer(3 -> 4") and "Neuron(3" in repr(Neuron(3, rng=rng))
    assert "Layer(2 -> 5" in repr(Layer(2, 5, rng=rng))


def test_mlp_initialization_follows_pytorch_linear_bounds():
    rng = np.random.default_rng(3)
    mlp = MLP(16, [64], rng=rng)
    W, b = mlp.weights()[0]
    bound = 1 / 4
    assert W.shape == (64, 16) and b.shape == (64,)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    assert W.std() == pytest.approx(bound / math.sqrt(3), rel=0.08)  # U(-a, a) has std a/√3


@pytest.mark.parametrize("make, match", [
    (lambda rng: MLP(3, [], rng=rng), "at least one layer"),
    (lambda rng: MLP(0, [2], rng=rng), "n_inputs"),
    (lambda rng: MLP(3, [2], activation="swish", rng=rng), "activation"),
    (lambda rng: MLP(3, [2], rng=0), "Generator"),
    (lambda rng: Neuron(2, rng=rng)([1.0]), "takes 2 inputs"),
])
def test_mlp_rejects_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make(np.random.default_rng(0))


def test_a_few_steps_of_gradient_descent_reduce_the_loss():
    rng = np.random.default_rng(5)
    mlp = MLP(3, [4, 4, 1], rng=rng)
    X = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    y = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(30):
        loss = sum(((mlp(x) - t) ** 2 for x, t in zip(X, y)), Value(0.0))
        mlp.zero_grad()
        loss.backward()
        for p in mlp.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.2 * losses[0]
