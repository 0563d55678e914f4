"""utils.network: the dict-of-arrays network against torch.nn.Sequential and utils.layers, the worked example's
numbers, parameter counting, activations by name from the one table, the deep-signal statistics behind the
initialization figures, and the deep stack and per-layer gradients behind Chapter 04's vanishing-gradient figure."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.torch_twins import copy_params_to_torch
from utils import activations as A
from utils import init, losses
from utils import network as network
from utils.layers import Linear, Sequential


def test_dense_is_x_w_transpose_plus_b_and_matches_torch():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(6, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    expected = torch.nn.functional.linear(torch.from_numpy(X), torch.from_numpy(W), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(network.dense(X, W, b), expected, rtol=1e-13)
    np.testing.assert_allclose(network.dense(X[0], W, b), expected[0], rtol=1e-13)  # one example, 1-D
    np.testing.assert_allclose(network.dense(X, W), X @ W.T, rtol=1e-13)


@pytest.mark.parametrize("X, W, b, match", [
    (np.ones((6, 3)), np.ones((3, 4)), np.ones(3), r"\(N, 4\).*\(3, 4\).*\(6, 3\)"),
    (np.ones((6, 4)), np.ones(4), None, r"\(out_features, in_features\).*\(4,\)"),
    (np.ones((6, 4)), np.ones((3, 4)), np.ones((3, 1)), r"\(3,\).*\(3, 1\)"),
    (np.ones((6, 4)), np.ones((3, 4)), np.ones(6), r"\(3,\).*\(6,\)"),
])
def test_dense_names_the_shapes_that_do_not_fit(X, W, b, match):
    with pytest.raises(ValueError, match=match):
        network.dense(X, W, b)


def test_init_params_keys_shapes_and_statistics():
    params = network.init_params([2, 3, 2, 2], np.random.default_rng(0))
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert {k: v.shape for k, v in params.items()} == {"W1": (3, 2), "b1": (3,), "W2": (2, 3), "b2": (2,),
                                                        "W3": (2, 2), "b3": (2,)}
    assert all(not params[f"b{i}"].any() for i in (1, 2, 3))
    big = network.init_params([400, 300, 200], np.random.default_rng(1))
    weights = np.concatenate([big["W1"].ravel(), big["W2"].ravel()])
    assert weights.std() == pytest.approx(0.01, rel=0.01) and abs(weights.mean()) < 1e-4
    he = network.init_params([400, 300], np.random.default_rng(1), scheme="kaiming_normal")
    assert he["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    custom = network.init_params([3, 2], np.random.default_rng(0), scheme=lambda shape, rng: np.full(shape, 7.0))
    assert (custom["W1"] == 7.0).all() and custom["W1"].shape == (2, 3)


def test_init_params_is_reproducible_and_rejects_bad_sizes():
    a = network.init_params([4, 10, 3], np.random.default_rng(5))
    b = network.init_params([4, 10, 3], np.random.default_rng(5))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    for bad in ([4], [4, 0, 3], [4, 2.5], "43", 7):
        with pytest.raises(ValueError, match="layer sizes"):
            network.init_params(bad, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown scheme"):
        network.init_params([2, 2], np.random.default_rng(0), scheme="glorot")


def test_layer_sizes_checks_the_chain():
    assert network.layer_sizes(network.init_params([64, 50, 100, 10], np.random.default_rng(0))) == [64, 50, 100, 10]
    good = network.init_params([4, 10, 3], np.random.default_rng(0))
    with pytest.raises(ValueError, match="keys"):
        network.layer_sizes({"W1": good["W1"]})
    with pytest.raises(ValueError, match="takes 3 inputs"):
        network.layer_sizes({**good, "W2": good["W2"].T})  # the transposed (in, out) layout
    with pytest.raises(ValueError, match=r"b1 must have shape \(10,\)"):
        network.layer_sizes({**good, "b1": np.zeros((1, 10))})  # a 2-D (1, out) bias
    with pytest.raises(ValueError, match="must be a dict"):
        network.layer_sizes([good["W1"], good["b1"]])


def test_the_worked_2_3_2_example_by_hand():
    ex = network.EXAMPLE_2_3_2
    params = {k: ex[k] for k in ("W1", "b1", "W2", "b2")}
    trace = network.forward_trace(ex["x"], params, ["relu", "softmax"])
    np.testing.assert_allclose(trace[0].z, [0.6, 1.3, 2.0], rtol=1e-14)
    np.testing.assert_allclose(trace[0].a, [0.6, 1.3, 2.0], rtol=1e-14)
    np.testing.assert_allclose(trace[1].z, [0.1 * 0.6 + 0.2 * 1.3 + 0.3 * 2.0 + 0.1,
                                            0.4 * 0.6 + 0.5 * 1.3 + 0.6 * 2.0 + 0.2], rtol=1e-14)
    np.testing.assert_allclose(trace[1].z, [1.02, 2.29], rtol=1e-14)
    p = trace[1].a
    assert p.sum() == pytest.approx(1.0) and p[1] == pytest.approx(1 / (1 + np.exp(1.02 - 2.29)))
    t = network.to_torch(params, ["relu", "softmax"])(torch.from_numpy(ex["x"])).detach().numpy()
    np.testing.assert_allclose(p, t, rtol=1e-14)


@pytest.mark.parametrize("sizes, activations", [
    ([2, 3, 2, 2], None),
    ([4, 10, 3], ["relu", "softmax"]),
    ([4, 10, 5, 3], ["relu", "relu", "softmax"]),
    ([64, 50, 100, 10], ["tanh", "elu", "identity"]),
    ([3, 1], ["sigmoid"]),
])
def test_forward_matches_torch_sequential_and_utils_sequential(sizes, activations):
    rng = np.random.default_rng(3)
    params = network.init_params(sizes, rng, scheme="kaiming_normal")
    for k in params:
        if k.startswith("b"):
            params[k] = rng.normal(size=params[k].shape)
    X = rng.normal(size=(7, sizes[0])) * 2
    ours = network.forward(X, params, activations)
    theirs = network.to_torch(params, activations)(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    seq = network.to_sequential(params, activations)
    assert isinstance(seq, Sequential) and all(isinstance(m, (Linear, A.Module)) for m in seq)
    np.testing.assert_allclose(seq(X), ours, rtol=1e-12, atol=1e-14)
    assert ours.shape == (7, sizes[-1])
    assert network.forward(X[0], params, activations).shape == (sizes[-1],)


def test_default_activations_are_sigmoid_hidden_identity_output():
    rng = np.random.default_rng(4)
    params = network.init_params([2, 3, 2, 2], rng, scheme="xavier_normal")
    X = rng.normal(size=(5, 2))
    trace = network.forward_trace(X, params)
    np.testing.assert_allclose(trace[0].a, A.sigmoid(trace[0].z))
    np.testing.assert_allclose(trace[1].a, A.sigmoid(trace[1].z))
    np.testing.assert_array_equal(trace[2].a, trace[2].z)
    assert [t.z.shape for t in trace] == [(5, 3), (5, 2), (5, 2)]


def test_forward_errors_name_the_problem():
    params = network.init_params([4, 10, 3], np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(N, 4\).*\(5, 3\)"):
        network.forward(np.ones((5, 3)), params)
    with pytest.raises(ValueError, match="2 layers but 3 activations"):
        network.forward(np.ones((5, 4)), params, ["relu", "relu", "softmax"])
    with pytest.raises(ValueError, match="one activation per layer"):
        network.forward(np.ones((5, 4)), params, "relu")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        network.forward(np.ones((5, 4)), params, ["swish", "softmax"])


def test_softmax_output_is_one_distribution_per_row():
    params = network.init_params([4, 10, 3], np.random.default_rng(0), scheme="kaiming_uniform")
    probs = network.forward(network.IRIS_ROWS, params, ["relu", "softmax"])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-14)
    alone = network.forward(network.IRIS_ROWS[:1], params, ["relu", "softmax"])
    np.testing.assert_allclose(alone, probs[:1], rtol=1e-14)  # a row's output does not depend on the others


@pytest.mark.parametrize("sizes, count", [([2, 3, 2, 2], 23), ([4, 10, 3], 83), ([4, 10, 5, 3], 123),
                                          ([64, 50, 100, 10], 9360), ([784, 50, 100, 10], 45360)])
def test_count_parameters_matches_torch(sizes, count):
    assert network.count_parameters(sizes) == count
    params = network.init_params(sizes, np.random.default_rng(0))
    assert network.count_parameters(params) == count
    torch_model = network.to_torch(params, ["relu"] * (len(sizes) - 1))
    assert sum(p.numel() for p in torch_model.parameters()) == count


def test_deep_activations_shapes_reproducibility_and_physics():
    a = network.deep_activations("kaiming_normal", "relu", depth=4, width=64, n_samples=200, seed=1)
    assert a.shape == (4, 200, 64) and (a >= 0).all()
    np.testing.assert_array_equal(a, network.deep_activations("kaiming_normal", "relu", 4, 64, 200, seed=1))
    assert not np.array_equal(a, network.deep_activations("kaiming_normal", "relu", 4, 64, 200, seed=2))
    stds = lambda scheme, act: network.deep_activations(scheme, act, 10, 256, 500).std(axis=(1, 2))  # noqa: E731
    assert (stds("zeros", "tanh") == 0).all()  # nothing gets through
    small = stds("small_normal", "tanh")
    assert small[-1] < 1e-6 and (np.diff(small) < 0).all()  # vanishes layer after layer
    assert stds("normal", "tanh")[-1] > 0.9  # saturated at ±1
    he = stds("kaiming_normal", "relu")
    assert 0.5 < he[-1] < 1.2 and he[-1] / he[0] > 0.7  # He keeps a ReLU network's signal
    assert stds("xavier_normal", "relu")[-1] < 0.1 * he[-1]  # Xavier halves the variance at each ReLU layer
    lecun = stds("lecun_normal", "identity")
    assert abs(lecun[-1] - 1) < 0.1  # LeCun keeps a linear network's variance


def test_deep_activations_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown scheme"):
        network.deep_activations("glorot")
    with pytest.raises(ValueError, match="unknown activation"):
        network.deep_activations("zeros", "swish")
    with pytest.raises(ValueError, match="depth must be a positive integer"):
        network.deep_activations("zeros", "tanh", depth=0)


# ---------------------------------------------------------------------------------------------
# Activations by name come from the one table
# ---------------------------------------------------------------------------------------------
def test_activation_function_and_the_converters_read_the_activation_table():
    z = np.linspace(-3, 3, 7)
    for name, spec in A.ACTIVATION_TABLE.items():
        assert network.activation_function(name) is spec.function
    assert network.activation_function("Linear") is A.identity and network.activation_function(np.cos) is np.cos
    params = network.init_params([3, 4, 2], np.random.default_rng(0), scheme="xavier_normal")
    seq = network.to_sequential(params, ["gelu", "linear"])
    assert [type(m).__name__ for m in seq] == ["Linear", "GELU", "Linear"]  # no module for an identity layer
    assert [type(m).__name__ for m in network.to_torch(params, ["leaky_relu", "softmax"])] ==\
        ["Linear", "LeakyReLU", "Linear", "Softmax"]
    with pytest.raises(ValueError, match="PyTorch has no module for the activation 'step'"):
        network.to_torch(params, ["step", "identity"])
    with pytest.raises(ValueError, match="to_sequential needs activation names"):
        network.to_sequential(params, [np.tanh, "identity"])
    np.testing.assert_array_equal(network.to_sequential(params, ["step", "identity"])[1](z), A.step(z))


# ---------------------------------------------------------------------------------------------
# A deep stack as modules, and the gradient reaching each of its layers
# ---------------------------------------------------------------------------------------------
def _old_notebook_stack(activation, scheme, depth, width, seed):
    """Chapter 04's vanish-figure cell before deep_stack existed: the numbers deep_stack must keep."""
    net_rng = np.random.default_rng(seed)
    modules, n_in = [], 64
    for _ in range(depth):
        linear = Linear(n_in, width, rng=net_rng)
        if scheme != "default":
            draw = {"normal": init.normal, "xavier": init.xavier_uniform, "he": init.kaiming_normal}[scheme]
            linear.weight.data = draw(linear.weight.shape, net_rng)
        linear.bias.data = np.zeros(width)
        modules += [linear, {"sigmoid": A.Sigmoid, "tanh": A.Tanh, "relu": A.ReLU}[activation]()]
        n_in = width
    return Sequential(*modules, Linear(n_in, 10, rng=net_rng))


@pytest.mark.parametrize("activation, old, scheme", [("sigmoid", "default", "pytorch"), ("relu", "normal", "normal"),
                                                     ("relu", "he", "kaiming_normal"),
                                                     ("tanh", "xavier", "xavier_uniform")])
def test_deep_stack_builds_chapter_04s_networks_exactly(activation, old, scheme):
    ours = network.deep_stack(
        64, 10, depth=3, width=16, activation=activation, scheme=scheme, rng=np.random.default_rng(0)
    )
    before = _old_notebook_stack(activation, old, depth=3, width=16, seed=0)
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in before]
    assert [type(m).__name__ for m in ours] == ["Linear", type(A.make_activation(activation)).__name__] * 3 + ["Linear"]
    for (name, p), q in zip(ours.named_parameters(), before.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert not any(m.bias.data.any() for m in list(ours)[:-1:2]) and ours[-1].bias.data.any()


def test_deep_stack_draws_with_the_scheme_from_the_rng_it_is_given():
    stack = network.deep_stack(300, 2, depth=2, width=400, activation="relu", scheme="kaiming_normal",
                         rng=np.random.default_rng(1))
    assert stack[0].weight.shape == (400, 300) and stack[2].weight.shape == (400, 400) and stack[4].out_features == 2
    assert stack[2].weight.data.std() == pytest.approx(init.scheme_std("kaiming_normal", (400, 400)), rel=0.02)
    again = network.deep_stack(300, 2, depth=2, width=400, activation="relu", scheme="kaiming_normal",
                         rng=np.random.default_rng(1))
    np.testing.assert_array_equal(again[2].weight.data, stack[2].weight.data)


def test_gradient_per_layer_equals_torch_autograd_on_each_linear_output():
    rng = np.random.default_rng(2)
    net = network.deep_stack(5, 3, depth=4, width=6, activation="tanh", scheme="xavier_normal", rng=rng)
    X, y = rng.normal(size=(9, 5)), rng.integers(0, 3, 9)
    norms = network.gradient_per_layer(net, losses.CrossEntropyLoss(), X, y)
    twin = torch.nn.Sequential(*[torch.nn.Linear(m.in_features, m.out_features, dtype=torch.float64)
                                 if isinstance(m, Linear) else torch.nn.Tanh() for m in net])
    copy_params_to_torch(net, twin)
    h, outputs = torch.from_numpy(X), []
    for module in twin:
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            h.retain_grad()
            outputs.append(h)
    torch.nn.functional.cross_entropy(h, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(norms, [z.grad.norm().item() for z in outputs], rtol=1e-12)
    assert norms.shape == (5,)


def test_gradient_per_layer_shows_sigmoid_vanishing_and_he_staying_level():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(32, 20)), rng.integers(0, 4, 32)

    def norms(activation, scheme):
        net = network.deep_stack(20, 4, depth=10, width=64, activation=activation, scheme=scheme,
                           rng=np.random.default_rng(0))
        return network.gradient_per_layer(net, losses.CrossEntropyLoss(), X, y)

    sigmoid, he = norms("sigmoid", "pytorch"), norms("relu", "kaiming_normal")
    assert sigmoid[0] < 1e-5 * sigmoid[9]
    assert 0.2 < he[0] / he[9] < 5


@pytest.mark.parametrize("kwargs, match", [
    ({"scheme": "he"}, "unknown scheme 'he'"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"depth": 0}, "depth must be a positive integer"),
    ({"width": 2.5}, "width must be a positive integer"),
    ({"rng": 0}, "numpy.random.Generator"),
])
def test_deep_stack_rejects_bad_arguments(kwargs, match):
    settings = {"depth": 2, "width": 4, "activation": "relu", "scheme": "pytorch", "rng": np.random.default_rng(0)}
    with pytest.raises(ValueError, match=match):
        network.deep_stack(3, 2, **{**settings, **kwargs})
    with pytest.raises(ValueError, match="Sequential with Linear layers"):
        network.gradient_per_layer(A.ReLU(), losses.MSELoss(), np.ones((2, 3)), np.ones((2, 3)))
