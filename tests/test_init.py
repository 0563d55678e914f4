"""utils.init: fans and gains equal PyTorch's; each initializer has the right shape, draws from the rng only,
and its sample statistics (mean, std, bounds) match the formula and PyTorch's samples within a tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from utils import init, layers

SHAPE = (300, 500)  # (out_features, in_features): fan_in 500, fan_out 300, so a swap would show


def torch_samples(fn, shape=SHAPE, **kwargs) -> np.ndarray:
    torch.manual_seed(0)
    w = torch.empty(shape, dtype=torch.float64)
    fn(w, **kwargs)
    return w.numpy()


# ---------------------------------------------------------------------------------------------
# Fans and gains
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 5), (10, 1), (1, 10), (8, 3, 5, 5), (4, 2, 7)])
def test_fans_match_torch(shape):
    assert init.compute_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_of_a_linear_weight_read_out_in():
    assert init.compute_fans((10, 4)) == (4, 10)  # weight (out=10, in=4): fan_in = 4, fan_out = 10


@pytest.mark.parametrize("shape", [(5,), ()])
def test_fans_need_two_dimensions(shape):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.compute_fans(shape)


@pytest.mark.parametrize("name, param", [("linear", None), ("identity", None), ("conv2d", None), ("sigmoid", None),
                                         ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                         ("leaky_relu", 1), ("selu", None)])
def test_gains_match_torch(name, param):
    torch_name = "linear" if name == "identity" else name
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(torch_name, param),
                                                             rel=1e-15)


def test_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")


# ---------------------------------------------------------------------------------------------
# Standard deviations and bounds: the formulas, equal to what PyTorch's formulas give
# ---------------------------------------------------------------------------------------------
def test_std_formulas_by_hand():
    assert init.xavier_std((300, 500)) == pytest.approx(math.sqrt(2 / 800))
    assert init.xavier_std((300, 500), gain=5 / 3) == pytest.approx(5 / 3 * math.sqrt(2 / 800))
    assert init.kaiming_std((300, 500)) == pytest.approx(math.sqrt(2 / 500))  # fan_in
    assert init.kaiming_std((300, 500), mode="fan_out") == pytest.approx(math.sqrt(2 / 300))
    assert init.kaiming_std((300, 500), nonlinearity="linear") == pytest.approx(math.sqrt(1 / 500))
    assert init.kaiming_std((300, 500), a=math.sqrt(5)) * math.sqrt(3) == pytest.approx(1 / math.sqrt(500))


@pytest.mark.parametrize("name, ours, theirs, kwargs", [
    ("xavier_uniform", init.xavier_uniform, torch.nn.init.xavier_uniform_, {}),
    ("xavier_uniform gain 5/3", init.xavier_uniform, torch.nn.init.xavier_uniform_, {"gain": 5 / 3}),
    ("kaiming_uniform", init.kaiming_uniform, torch.nn.init.kaiming_uniform_, {}),
    ("kaiming_uniform fan_out", init.kaiming_uniform, torch.nn.init.kaiming_uniform_, {"mode": "fan_out"}),
    ("kaiming_uniform a=√5", init.kaiming_uniform, torch.nn.init.kaiming_uniform_, {"a": math.sqrt(5)}),
    ("kaiming_uniform tanh", init.kaiming_uniform, torch.nn.init.kaiming_uniform_, {"nonlinearity": "tanh"}),
])
def test_uniform_bounds_equal_torch(name, ours, theirs, kwargs):
    """The largest |w| of a big sample is just under the bound; PyTorch's samples respect the same bound."""
    w = ours(SHAPE, np.random.default_rng(0), **kwargs)
    t = torch_samples(theirs, **kwargs)
    bound_ours, bound_torch = np.abs(w).max(), np.abs(t).max()
    assert bound_ours == pytest.approx(bound_torch, rel=1e-3)  # both within 0.1% of the same bound
    assert w.std() == pytest.approx(t.std(), rel=0.01)
    assert abs(w.mean()) < 0.01 * bound_ours


@pytest.mark.parametrize("name, ours, theirs, kwargs, std", [
    ("xavier_normal", init.xavier_normal, torch.nn.init.xavier_normal_, {}, math.sqrt(2 / 800)),
    ("xavier_normal gain √2", init.xavier_normal, torch.nn.init.xavier_normal_, {"gain": math.sqrt(2)},
     math.sqrt(2) * math.sqrt(2 / 800)),
    ("kaiming_normal", init.kaiming_normal, torch.nn.init.kaiming_normal_, {}, math.sqrt(2 / 500)),
    ("kaiming_normal fan_out", init.kaiming_normal, torch.nn.init.kaiming_normal_, {"mode": "fan_out"},
     math.sqrt(2 / 300)),
    ("kaiming_normal relu", init.kaiming_normal, torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"},
     math.sqrt(2 / 500)),
    ("kaiming_normal linear (LeCun)", init.kaiming_normal, torch.nn.init.kaiming_normal_,
     {"nonlinearity": "linear"}, math.sqrt(1 / 500)),
])
def test_normal_stds_equal_the_formula_and_torch(name, ours, theirs, kwargs, std):
    w = ours(SHAPE, np.random.default_rng(1), **kwargs)
    t = torch_samples(theirs, **kwargs)
    assert w.std() == pytest.approx(std, rel=0.01)  # 150,000 draws: the sample std is within ~0.2%
    assert t.std() == pytest.approx(std, rel=0.01)
    assert abs(w.mean()) < 0.01 * std
    assert np.abs(w).max() > 3.5 * std  # a normal has tails; a uniform of that std would stop at 1.73 std


def test_lecun_normal_is_kaiming_normal_with_the_linear_gain():
    w = init.lecun_normal(SHAPE, np.random.default_rng(2))
    assert w.std() == pytest.approx(1 / math.sqrt(500), rel=0.01)
    t = torch_samples(torch.nn.init.kaiming_normal_, nonlinearity="linear")
    assert w.std() == pytest.approx(t.std(), rel=0.02)


def test_normal_and_uniform_and_zeros():
    rng = np.random.default_rng(3)
    w = init.normal(SHAPE, rng, mean=0.5, std=0.01)
    assert w.mean() == pytest.approx(0.5, abs=1e-4) and w.std() == pytest.approx(0.01, rel=0.01)
    u = init.uniform(SHAPE, rng, -2.0, 3.0)
    assert u.min() >= -2.0 and u.max() < 3.0 and u.mean() == pytest.approx(0.5, abs=0.02)
    z = init.zeros(SHAPE, rng)
    assert z.shape == SHAPE and not z.any() and init.zeros((2,)).shape == (2,)


# ---------------------------------------------------------------------------------------------
# Every scheme: shape, dtype, reproducibility, the rng only, scheme_std
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(init.SCHEMES))
def test_every_scheme_has_the_shape_and_the_std_it_promises(name):
    state = np.random.get_state()
    w = init.SCHEMES[name](SHAPE, np.random.default_rng(4))
    assert w.shape == SHAPE and w.dtype == np.float64
    std = init.scheme_std(name, SHAPE)
    assert w.std() == pytest.approx(std, rel=0.01, abs=1e-15)
    assert abs(w.mean()) <= 0.01 * std + 1e-15
    assert np.array_equal(np.random.get_state()[1], state[1])  # NumPy's global random state untouched
    assert name in init.LABELS


@pytest.mark.parametrize("name", [n for n in init.SCHEMES if n != "zeros"])
def test_every_random_scheme_is_reproducible_from_its_rng(name):
    fn = init.SCHEMES[name]
    a, b = fn((20, 30), np.random.default_rng(5)), fn((20, 30), np.random.default_rng(5))
    c = fn((20, 30), np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_one_scheme_table_behind_schemes_labels_and_scheme_std():
    assert list(init.SCHEMES) == list(init.LABELS) == list(init.SCHEME_TABLE)
    for name, scheme in init.SCHEME_TABLE.items():
        assert init.SCHEMES[name] is scheme.draw and init.LABELS[name] == scheme.label
        assert init.get_scheme(name) is scheme and init.scheme_std(name, (30, 40)) == scheme.std((30, 40))
    with pytest.raises(ValueError, match="unknown scheme 'he'; choose one of zeros, small_normal"):
        init.get_scheme("he")


def test_the_pytorch_scheme_is_what_linear_draws_and_torch_agrees():
    rng_a, rng_b = np.random.default_rng(8), np.random.default_rng(8)
    layer = layers.Linear(40, 30, rng=rng_a)
    np.testing.assert_array_equal(layer.weight.data, init.SCHEMES["pytorch"]((30, 40), rng_b))
    torch.manual_seed(0)
    theirs = torch.nn.Linear(400, 300, dtype=torch.float64).weight.detach().numpy()
    assert theirs.std() == pytest.approx(init.scheme_std("pytorch", (300, 400)), rel=0.01)
    assert np.abs(theirs).max() <= 1 / math.sqrt(400) and init.LABELS["pytorch"] == "PyTorch default"


def test_xavier_is_symmetric_in_the_fans_and_kaiming_is_not():
    assert init.xavier_std((300, 500)) == init.xavier_std((500, 300))
    assert init.kaiming_std((300, 500)) != init.kaiming_std((500, 300))


def test_schemes_work_for_conv_weights():
    w = init.kaiming_normal((64, 16, 3, 3), np.random.default_rng(7))
    assert w.shape == (64, 16, 3, 3)
    assert w.std() == pytest.approx(math.sqrt(2 / (16 * 9)), rel=0.02)


@pytest.mark.parametrize("call, match", [
    (lambda: init.xavier_uniform((3, 4), np.random), "numpy.random.Generator"),
    (lambda: init.kaiming_normal((3, 4), 0), "numpy.random.Generator"),
    (lambda: init.xavier_normal((4,), np.random.default_rng(0)), "at least 2 dimensions"),
    (lambda: init.kaiming_normal((3, 4), np.random.default_rng(0), mode="in"), "'fan_in' or 'fan_out'"),
    (lambda: init.kaiming_uniform((3, 0), np.random.default_rng(0)), "fan_in = 0"),
    (lambda: init.normal((3, -1), np.random.default_rng(0)), "non-negative integers"),
    (lambda: init.normal("ab", np.random.default_rng(0)), "non-negative integers"),
    (lambda: init.normal((3, 4), np.random.default_rng(0), std=-1.0), "std must be"),
    (lambda: init.uniform((3, 4), np.random.default_rng(0), 1.0, 0.0), "low <= high"),
    (lambda: init.scheme_std("glorot", (3, 4)), "unknown scheme 'glorot'"),
    (lambda: init.zeros((2, 2), rng="seed"), "numpy.random.Generator"),
])
def test_bad_arguments_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
