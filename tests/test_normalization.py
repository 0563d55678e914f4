"""utils.normalization against torch.nn in float64: BatchNorm1d, BatchNorm2d, LayerNorm and GroupNorm forward, input
gradient, accumulated weight/bias gradients, BatchNorm's running statistics over several training steps (momentum,
momentum=None, the unbiased running variance) and then eval mode; random and extreme inputs (offsets of 1e6, a
variance of 1e-8 next to eps, constant features); a batch of one; GroupNorm's two special cases; gradcheck; the
explorer's data (batch_norm_run); errors and printing."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.numerics import strict_numerics
from tests.torch_twins import copy_params_to_torch, float64_tensor
from utils.gradcheck import gradcheck_module
from utils.layers import Linear, Sequential
from utils.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, batch_norm_run

TOL = 1e-10


def inputs(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A batch of ``shape`` (channels on axis 1): typical, offset by 1e6, of variance 1e-8, or a constant channel."""
    z = rng.normal(size=shape)
    if kind == "typical":
        return 3.0 * z + 1.5
    if kind == "offset 1e6":
        return z + 1e6
    if kind == "variance 1e-8":  # σ² = 1e-8 < eps = 1e-5: eps dominates the denominator
        return 1e-4 * z - 2.0
    if kind == "constant channel":  # σ² = 0 in channel 1: x̂ = 0 there, dL/dx through eps only
        x = 2.0 * z
        x[:, 1] = 7.25
        return x
    raise ValueError(kind)


def tolerance(x: np.ndarray, axes=None) -> tuple[float, float]:
    """(atol of x̂, atol of dL/dx relative to its size): 1e-10, widened where the input is far from 0 compared with
    its spread. With an offset of 1e6, μ is rounded to a few times ``spacing(1e6)`` ≈ 1.2e-10 in any float64
    implementation (ours and PyTorch's each stay within it of the exact value:
    test_large_offsets_are_within_the_inputs_own_precision), so x̂ = (x − μ)/σ carries ~16 spacings / σ, and dL/dx,
    which divides by σ once more, that over σ again. ``axes``: those of a group's statistics (default: a channel's,
    as in batch norm)."""
    spread = max(float(x.std(axis=(0, *range(2, x.ndim)) if axes is None else axes).min()), 1e-3)  # smallest σ
    extra = 16 * float(np.spacing(np.abs(x).max())) / spread
    return TOL + extra, TOL + extra / min(spread, 1.0)


def randomize_affine(module, rng) -> None:
    for p in module.parameters():
        p.data = rng.normal(size=p.shape) + 1.0


def torch_twin(ours):
    """The torch.nn module with our module's settings and parameters, in float64."""
    if isinstance(ours, (BatchNorm1d, BatchNorm2d)):
        cls = torch.nn.BatchNorm1d if isinstance(ours, BatchNorm1d) else torch.nn.BatchNorm2d
        twin = cls(ours.num_features, eps=ours.eps, momentum=ours.momentum, affine=ours.affine,
                   track_running_stats=ours.track_running_stats, bias=ours.bias is not None, dtype=torch.float64)
    elif isinstance(ours, LayerNorm):
        twin = torch.nn.LayerNorm(ours.normalized_shape, eps=ours.eps, elementwise_affine=ours.elementwise_affine,
                                  bias=ours.bias is not None, dtype=torch.float64)
    else:
        twin = torch.nn.GroupNorm(ours.num_groups, ours.num_channels, eps=ours.eps, affine=ours.affine,
                                  bias=ours.bias is not None, dtype=torch.float64)
    copy_params_to_torch(ours, twin)
    return twin


def assert_same_step(ours, twin, x, g, atols: tuple[float, float] = (TOL, TOL)) -> None:
    """One forward and backward of both modules on ``x`` with ``dL/dy = g``: outputs, dL/dx, the parameters'
    accumulated gradients and (BatchNorm) the running statistics agree, to ``atols`` (from ``tolerance``)."""
    atol, grad_atol = atols
    xt = float64_tensor(x, requires_grad=True)
    out_t = twin(xt)
    out_t.backward(float64_tensor(g))
    out = ours(x)
    grad_x = ours.backward(g)
    assert out.dtype == np.float64 and out.shape == x.shape and grad_x.shape == x.shape
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=TOL, atol=atol, err_msg="output")
    want_x = xt.grad.numpy()
    np.testing.assert_allclose(grad_x, want_x, rtol=TOL, atol=grad_atol * max(1.0, np.abs(want_x).max()),
                               err_msg="input gradient")
    theirs = dict(twin.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(theirs)
    for name, param in ours.named_parameters():
        want = theirs[name].grad.numpy()
        # Σ dL/dy ⊙ x̂: where each x̂ is only known to atol > TOL (offsets of 1e6), the sum is known to atol · Σ|dL/dy|
        slack = max(1.0, np.abs(want).max()) if atol == TOL else np.abs(g).sum()
        np.testing.assert_allclose(param.grad, want, rtol=TOL, atol=atol * slack, err_msg=name)
    if getattr(ours, "track_running_stats", False):
        np.testing.assert_allclose(ours.running_mean, twin.running_mean.numpy(), rtol=TOL, atol=atol)
        np.testing.assert_allclose(ours.running_var, twin.running_var.numpy(), rtol=TOL, atol=atol)
        assert ours.num_batches_tracked == int(twin.num_batches_tracked)


def train_then_eval(ours, shape, kind: str, seed: int, steps: int = 3) -> None:
    """``steps`` training steps (fresh batch and dL/dy each, gradients accumulating), then two eval steps."""
    rng = np.random.default_rng(seed)
    randomize_affine(ours, rng)
    twin = torch_twin(ours)
    for training in [True] * steps + [False] * 2:
        ours.train(training)
        twin.train(training)
        x = inputs(kind, shape, rng)
        assert_same_step(ours, twin, x, rng.normal(size=shape), tolerance(x))


KINDS = ["typical", "offset 1e6", "variance 1e-8", "constant channel"]


# ---------------------------------------------------------------------------------------------
# BatchNorm1d and BatchNorm2d against torch.nn
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 7)])
def test_batchnorm1d_matches_torch_through_training_and_eval(shape, kind):
    train_then_eval(BatchNorm1d(3), shape, kind, seed=len(kind) + shape[0])


@pytest.mark.parametrize("kind", KINDS)
def test_batchnorm2d_matches_torch_through_training_and_eval(kind):
    train_then_eval(BatchNorm2d(3), (4, 3, 5, 6), kind, seed=len(kind))


@pytest.mark.parametrize("cls, shape, settings", [
    *[(BatchNorm1d, (6, 4), settings) for settings in (
        {"momentum": None}, {"momentum": 0.5}, {"momentum": 1.0}, {"momentum": 0.0}, {"affine": False},
        {"bias": False}, {"track_running_stats": False}, {"eps": 1e-3})],
    (BatchNorm2d, (3, 4, 2, 5), {"momentum": None}), (BatchNorm2d, (3, 4, 2, 5), {"affine": False}),
    (BatchNorm2d, (3, 4, 2, 5), {"track_running_stats": False}),
], ids=lambda v: v.__name__ if isinstance(v, type) else str(v))
def test_batchnorm_settings_match_torch(cls, shape, settings):
    train_then_eval(cls(4, **settings), shape, "typical", seed=7, steps=3)


def test_running_statistics_follow_the_momentum_formula_with_the_unbiased_variance():
    rng = np.random.default_rng(1)
    layer = BatchNorm1d(2, momentum=0.3)
    mean, var = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.normal(size=(5, 2)) * [1.0, 4.0] + [2.0, -1.0]
        out = layer(x)
        mean = 0.7 * mean + 0.3 * x.mean(axis=0)
        var = 0.7 * var + 0.3 * x.var(axis=0, ddof=1)  # unbiased: divides by m − 1 = 4
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-14)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-14)
        # ... while the output is normalized with the biased variance (divides by m = 5)
        np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-13, atol=1e-14)
    assert layer.num_batches_tracked == 3


def test_momentum_none_is_the_cumulative_average_of_the_batches():
    rng = np.random.default_rng(2)
    layer = BatchNorm2d(3, momentum=None)
    batches = [rng.normal(size=(2, 3, 2, 2)) * 2 + i for i in range(5)]
    for x in batches:
        layer(x)
    np.testing.assert_allclose(layer.running_mean, np.mean([x.mean(axis=(0, 2, 3)) for x in batches], axis=0),
                               rtol=1e-13)
    np.testing.assert_allclose(layer.running_var, np.mean([x.var(axis=(0, 2, 3), ddof=1) for x in batches], axis=0),
                               rtol=1e-13)


def test_eval_mode_uses_the_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(3)
    layer = BatchNorm1d(3)
    for _ in range(4):
        layer(rng.normal(size=(16, 3)) * 2 + 5)
    layer.eval()
    before = (layer.running_mean.copy(), layer.running_var.copy(), layer.num_batches_tracked)
    one = rng.normal(size=(1, 3))  # a batch of one is fine in eval mode
    expected = (one - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(layer(one), expected, rtol=1e-14)
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    assert layer.num_batches_tracked == before[2]
    # an example's eval output does not depend on the rest of its batch; in training mode it does
    batch = np.vstack([one, rng.normal(size=(7, 3))])
    np.testing.assert_allclose(layer(batch)[:1], layer(one), rtol=1e-14)
    layer.train()
    assert not np.allclose(layer(batch)[:1], layer(np.vstack([one, rng.normal(size=(7, 3))]))[:1])


def test_training_on_one_value_per_channel_is_refused_as_torch_does():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.BatchNorm1d(3)(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training.*\(1, 3\)"):
        BatchNorm1d(3)(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        BatchNorm1d(3, track_running_stats=False).eval()(np.zeros((1, 3)))  # batch statistics in eval mode too
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        BatchNorm2d(3)(np.zeros((1, 3, 1, 1)))
    # one example but several positions per channel is a valid batch, as in PyTorch
    train_then_eval(BatchNorm2d(3), (1, 3, 2, 3), "typical", seed=4, steps=2)
    train_then_eval(BatchNorm1d(3), (1, 3, 4), "typical", seed=5, steps=2)


def test_batchnorm_is_invariant_to_a_shift_and_scale_of_its_inputs_in_training():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(10, 4))
    layer = BatchNorm1d(4, eps=0.0)
    np.testing.assert_allclose(layer(1e3 * x - 50.0), layer(x), rtol=1e-9, atol=1e-11)


# ---------------------------------------------------------------------------------------------
# LayerNorm and GroupNorm against torch.nn
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape, normalized", [((6, 5), 5), ((2, 3, 4), (3, 4))])
def test_layernorm_matches_torch(shape, normalized, kind):
    x_kind = kind if kind != "constant channel" or len(shape) >= 2 else "typical"
    rng = np.random.default_rng(len(shape) + len(kind))
    layer = LayerNorm(normalized)
    randomize_affine(layer, rng)
    twin = torch_twin(layer)
    for training in (True, False):  # the same in both modes
        layer.train(training)
        twin.train(training)
        x = inputs(x_kind, shape, rng)
        if kind == "constant channel":  # a constant example: its variance is 0
            x[0] = 7.25
        axes = tuple(range(len(shape) - len(layer.normalized_shape), len(shape)))
        assert_same_step(layer, twin, x, rng.normal(size=shape), tolerance(x, axes))


@pytest.mark.parametrize("settings", [{"elementwise_affine": False}, {"bias": False}, {"eps": 0.1}], ids=str)
def test_layernorm_settings_match_torch(settings):
    rng = np.random.default_rng(8)
    layer = LayerNorm((4, 3), **settings)
    randomize_affine(layer, rng)
    x = inputs("typical", (5, 4, 3), rng)
    assert_same_step(layer, torch_twin(layer), x, rng.normal(size=x.shape))


def test_layernorm_normalizes_each_example_not_the_batch():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 60.0]])
    out = LayerNorm(3, eps=0.0)(x)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(out.var(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(LayerNorm(3, eps=0.0)(x[:1]), out[:1], rtol=1e-15)  # a batch of one is fine


@pytest.mark.parametrize("shape, groups, kind", [
    *[((4, 6, 3, 5), 2, kind) for kind in KINDS],
    *[(shape, groups, "typical") for shape in ((4, 6, 3, 5), (5, 6), (3, 6, 7)) for groups in (1, 3, 6)],
    ((5, 6), 3, "offset 1e6"),  # two values per group, far from 0
], ids=str)
def test_groupnorm_matches_torch(shape, groups, kind):
    rng = np.random.default_rng(groups + len(shape) + len(kind))
    layer = GroupNorm(groups, 6)
    randomize_affine(layer, rng)
    twin = torch_twin(layer)
    for _ in range(2):  # gradients accumulate
        x = inputs(kind, shape, rng)
        assert_same_step(layer, twin, x, rng.normal(size=shape), tolerance(x.reshape(shape[0], groups, -1), 2))


@pytest.mark.parametrize("settings", [{"affine": False}, {"bias": False}], ids=str)
def test_groupnorm_settings_match_torch(settings):
    rng = np.random.default_rng(9)
    layer = GroupNorm(2, 4, **settings)
    randomize_affine(layer, rng)
    x = inputs("typical", (3, 4, 5), rng)
    assert_same_step(layer, torch_twin(layer), x, rng.normal(size=x.shape))


def test_groupnorm_with_one_group_is_layernorm_over_channels_and_positions():
    rng = np.random.default_rng(10)
    x, g = rng.normal(size=(3, 4, 2, 5)) * 2 + 1, rng.normal(size=(3, 4, 2, 5))
    group, layer = GroupNorm(1, 4, affine=False), LayerNorm((4, 2, 5), elementwise_affine=False)
    np.testing.assert_allclose(group(x), layer(x), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(group.backward(g), layer.backward(g), rtol=1e-13, atol=1e-14)


def test_groupnorm_with_one_group_per_channel_is_instance_norm():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(3, 4, 5, 6)) * 3 - 2
    g = rng.normal(size=x.shape)
    instance = torch.nn.InstanceNorm2d(4, dtype=torch.float64)
    xt = float64_tensor(x, requires_grad=True)
    out_t = instance(xt)
    out_t.backward(float64_tensor(g))
    layer = GroupNorm(4, 4, affine=False)
    np.testing.assert_allclose(layer(x), out_t.detach().numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.backward(g), xt.grad.numpy(), rtol=TOL, atol=TOL)


# ---------------------------------------------------------------------------------------------
# Gradients without PyTorch, numerics, a network
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda: BatchNorm1d(3), (6, 3)), (lambda: BatchNorm1d(3).eval(), (6, 3)), (lambda: BatchNorm2d(2), (3, 2, 2, 2)),
    (lambda: LayerNorm(4), (3, 4)), (lambda: GroupNorm(2, 4), (2, 4, 3)),
], ids=["BatchNorm1d", "BatchNorm1d eval", "BatchNorm2d", "LayerNorm", "GroupNorm"])
def test_gradcheck(make, shape):
    rng = np.random.default_rng(12)
    module = make()
    randomize_affine(module, rng)
    if hasattr(module, "running_var"):
        module.running_mean, module.running_var = rng.normal(size=module.num_features), rng.uniform(0.5, 2, 3)[
            :module.num_features]
    report = gradcheck_module(module, rng.normal(size=shape) * 2 + 1, rng=rng)
    assert report.passed, str(report)
    assert {c.name for c in report.checks} == {"input", "weight", "bias"}


def test_no_floating_point_warnings_on_constant_inputs():
    with strict_numerics():
        for module, x in ((BatchNorm1d(2), np.full((4, 2), 3.0)), (LayerNorm(3), np.zeros((2, 3))),
                          (GroupNorm(1, 2), np.ones((2, 2, 3)))):
            out = module(x)
            assert np.all(out == 0.0)
            assert np.all(np.isfinite(module.backward(np.ones_like(x))))


def test_large_offsets_are_within_the_inputs_own_precision():
    """Against the exact statistics (extended precision): the error is at most twice the spacing of 1e6 over σ."""
    rng = np.random.default_rng(13)
    x = rng.normal(size=(16, 3)) + 1e6
    xl = x.astype(np.longdouble)
    mean = xl.mean(axis=0)
    exact = ((xl - mean) / np.sqrt(((xl - mean) ** 2).mean(axis=0) + np.longdouble(1e-5))).astype(np.float64)
    bound = 2 * float(np.spacing(1e6)) / float(x.std(axis=0).min())  # μ is rounded to ~spacing(1e6) at best
    assert np.abs(BatchNorm1d(3)(x) - exact).max() <= bound
    assert np.abs(torch.nn.BatchNorm1d(3, dtype=torch.float64)(float64_tensor(x)).detach().numpy() - exact).max() \
        <= bound


def test_sequential_with_batchnorm_trains_and_evaluates_like_torch():
    rng = np.random.default_rng(14)
    model = Sequential(Linear(4, 5, rng=rng), BatchNorm1d(5), Linear(5, 2, rng=rng))
    randomize_affine(model[1], rng)
    twin = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 2)).double()
    copy_params_to_torch(model, twin)
    for training in (True, True, False):
        model.train(training)
        twin.train(training)
        x, g = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
        xt = float64_tensor(x, requires_grad=True)
        out_t = twin(xt)
        out_t.backward(float64_tensor(g))
        np.testing.assert_allclose(model(x), out_t.detach().numpy(), rtol=TOL, atol=TOL)
        np.testing.assert_allclose(model.backward(g), xt.grad.numpy(), rtol=TOL, atol=TOL)
    theirs = dict(twin.named_parameters())
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad, theirs[name].grad.numpy(), rtol=TOL, atol=TOL, err_msg=name)
    np.testing.assert_allclose(model[1].running_var, twin[1].running_var.numpy(), rtol=TOL)


# ---------------------------------------------------------------------------------------------
# Construction, printing, errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [
    (BatchNorm1d(3), torch.nn.BatchNorm1d(3)),
    (BatchNorm2d(4, eps=1e-3, momentum=None, affine=False), torch.nn.BatchNorm2d(4, eps=1e-3, momentum=None,
                                                                                   affine=False)),
    (BatchNorm1d(2, bias=False, track_running_stats=False), torch.nn.BatchNorm1d(2, bias=False,
                                                                               track_running_stats=False)),
    (LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4))), (LayerNorm(5, elementwise_affine=False),
                                                      torch.nn.LayerNorm(5, elementwise_affine=False)),
    (GroupNorm(2, 6), torch.nn.GroupNorm(2, 6)), (GroupNorm(3, 3, bias=False), torch.nn.GroupNorm(3, 3, bias=False)),
], ids=lambda m: repr(m).split("(")[0])
def test_repr_parameters_and_initial_state_match_torch(ours, theirs):
    assert repr(ours) == repr(theirs)
    theirs_params = {name: p.detach().numpy() for name, p in theirs.named_parameters()}
    assert [name for name, _ in ours.named_parameters()] == list(theirs_params)
    for name, param in ours.named_parameters():
        np.testing.assert_array_equal(param.data, theirs_params[name])
    if getattr(theirs, "track_running_stats", False):
        np.testing.assert_array_equal(ours.running_mean, theirs.running_mean.numpy())
        np.testing.assert_array_equal(ours.running_var, theirs.running_var.numpy())
        assert ours.num_batches_tracked == 0
    elif hasattr(theirs, "track_running_stats"):
        assert ours.running_mean is None and ours.running_var is None and ours.num_batches_tracked is None


def test_reset_running_stats_and_parameters():
    layer = BatchNorm1d(2)
    layer(np.array([[1.0, 2.0], [3.0, 5.0]]))
    layer.backward(np.ones((2, 2)))
    layer.weight.data += 1.0
    layer.reset_parameters()
    np.testing.assert_array_equal(layer.running_mean, [0.0, 0.0])
    np.testing.assert_array_equal(layer.running_var, [1.0, 1.0])
    np.testing.assert_array_equal(layer.weight.data, [1.0, 1.0])
    assert layer.num_batches_tracked == 0 and layer.weight.grad is None and layer.bias.grad is None


@pytest.mark.parametrize("call, match", [
    (lambda: BatchNorm1d(3)(np.zeros((4, 4))), r"BatchNorm1d\(num_features=3\) expects .*\(N, C\) or \(N, C, L\) .*"
                                               r"C = 3, got shape \(4, 4\)"),
    (lambda: BatchNorm1d(3)(np.zeros(3)), r"got shape \(3,\)"),
    (lambda: BatchNorm2d(3)(np.zeros((2, 3, 4))), r"\(N, C, H, W\) with C = 3, got shape \(2, 3, 4\)"),
    (lambda: LayerNorm((3, 4))(np.zeros((2, 4, 3))), r"\(\*, 3, 4\), got shape \(2, 4, 3\)"),
    (lambda: LayerNorm(3)(np.float64(1.0)), r"\(\*, 3\), got shape \(\)"),
    (lambda: GroupNorm(2, 4)(np.zeros((2, 3, 5))), r"\(N, 4, \*\), got shape \(2, 3, 5\)"),
    (lambda: GroupNorm(3, 4), "num_channels must be divisible by num_groups"),
    (lambda: BatchNorm1d(0), "num_features must be a positive integer, got 0"),
    (lambda: BatchNorm1d(3, momentum=1.5), r"momentum .* in \[0, 1\] or None, got 1.5"),
    (lambda: BatchNorm1d(3, eps=-1.0), r"eps .* >= 0, got -1.0"),
    (lambda: LayerNorm([3, 0]), "normalized_shape must be a positive integer D or a tuple"),
    (lambda: LayerNorm(True), "normalized_shape must be"),
    (lambda: BatchNorm1d(3)(np.array([["a", "b", "c"]] * 2)), "real numbers"),
])
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_kinds_and_backward_errors():
    with pytest.raises(TypeError, match="affine must be True or False, got str"):
        BatchNorm2d(3, affine="yes")
    layer = LayerNorm(3)
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones((2, 3)))
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2, 3\), got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))
    assert layer.weight.grad is None  # nothing added by the failed call


# ---------------------------------------------------------------------------------------------
# The explorer's data
# ---------------------------------------------------------------------------------------------
def test_batch_norm_run_in_training_normalizes_any_shift_and_scale_away():
    run = batch_norm_run(shift=8.0, scale=5.0, batch_size=50, batches=10, gamma=2.0, beta=-1.0)
    assert run.inputs.shape == run.outputs.shape == (50, 3) and run.training
    np.testing.assert_allclose(run.inputs.mean(axis=0), run.batch_mean, rtol=1e-14)
    np.testing.assert_allclose(run.outputs.mean(axis=0), -1.0, atol=1e-12)  # β
    np.testing.assert_allclose(run.outputs.std(axis=0), 2.0 * np.sqrt(run.batch_var / (run.batch_var + 1e-5)),
                               rtol=1e-12)  # γ (up to eps)
    plain = batch_norm_run(batch_size=50, batches=10, gamma=2.0, beta=-1.0)  # same draws, no shift or scale
    np.testing.assert_allclose(run.outputs, plain.outputs, rtol=1e-4, atol=1e-4)  # up to eps = 1e-5 next to σ²
    np.testing.assert_allclose(run.inputs, 5.0 * plain.inputs + 8.0, rtol=1e-14)


def test_batch_norm_run_in_eval_uses_the_running_statistics_of_the_training_batches():
    run = batch_norm_run(shift=2.0, scale=3.0, batch_size=32, batches=30, training=False)
    layer = BatchNorm1d(3)
    rng = np.random.default_rng(0)
    means, stds = np.array([-2.0, 0.5, 3.0]), np.array([0.5, 1.0, 2.0])
    for _ in range(30):
        layer(3.0 * (means + stds * rng.standard_normal((32, 3))) + 2.0)
    assert run.num_batches_tracked == 30 and not run.training
    np.testing.assert_array_equal(run.running_mean, layer.running_mean)
    np.testing.assert_array_equal(run.running_var, layer.running_var)
    np.testing.assert_allclose(run.outputs, (run.inputs - layer.running_mean) / np.sqrt(layer.running_var + 1e-5),
                               rtol=1e-13)
    # after 30 batches with momentum 0.1 the running mean has moved 1 − 0.9³⁰ ≈ 96 % of the way from 0 to the true
    # mean 3·μ + 2, up to the noise of an average of batch means (4 standard deviations of it)
    noise = 3.0 * stds / np.sqrt(32) * np.sqrt(0.1 / 1.9)
    assert np.all(np.abs(run.running_mean - (1 - 0.9 ** 30) * (3.0 * means + 2.0)) <= 4 * noise)
    np.testing.assert_allclose(run.running_var, (1 - 0.9 ** 30) * (3.0 * stds) ** 2 + 0.9 ** 30, rtol=0.3)
    untrained = batch_norm_run(shift=2.0, scale=3.0, batches=0, training=False)  # running stats 0 and 1: y ≈ x
    np.testing.assert_allclose(untrained.outputs, untrained.inputs / np.sqrt(1 + 1e-5), rtol=1e-14)


def test_batch_norm_run_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scale must be a finite number > 0, got 0"):
        batch_norm_run(scale=0)
    with pytest.raises(ValueError, match="batch_size must be at least 2"):
        batch_norm_run(batch_size=1)
    with pytest.raises(ValueError, match=r"batches .* integer >= 0, got -1"):
        batch_norm_run(batches=-1)
    with pytest.raises(ValueError, match="means and stds must be 1-D of the same length"):
        batch_norm_run(means=[0.0, 1.0], stds=[1.0])
