"""Parity of utils.losses with torch.nn (float64): values and input gradients for every reduction, with
weights, label smoothing and probability targets, on random and extreme inputs, without warnings; and
the ValueErrors for bad shapes and labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.numerics import assert_close, stable_seed, strict_numerics
from tests.torch_twins import float64_tensor
from utils import losses as L
from utils.activations import entropy, log_softmax

REDUCTIONS = ["mean", "sum", "none"]




def upstream_for(reduction, loss_shape, seed=1):
    """A non-trivial grad_out: a number for mean/sum, an array shaped like the loss for none."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=loss_shape) if reduction == "none" else 0.7


def ours_vs_torch(ours, theirs, input, target, reduction, target_is_tensor=True):
    """Run our loss module and its torch twin; compare values and input gradients (and their types)."""
    with strict_numerics():
        value = ours(input, target)
    x_t = float64_tensor(input, requires_grad=True)
    y_t = (torch.as_tensor(target) if np.asarray(target).dtype.kind in "iu" else float64_tensor(target)) \
        if target_is_tensor else target
    value_t = theirs(x_t, y_t)
    if reduction == "none":
        assert isinstance(value, np.ndarray) and value.dtype == np.float64
        assert_close(value, value_t.detach().numpy())
    else:
        assert type(value) is float, f"reduction={reduction!r} must give a Python float, got {type(value)}"
        assert_close(value, value_t.item())
    g = upstream_for(reduction, tuple(value_t.shape))
    with strict_numerics():
        grad = ours.backward(g)
    value_t.backward(float64_tensor(g))
    assert grad.shape == np.shape(input) and grad.dtype == np.float64
    assert_close(grad, x_t.grad.numpy())
    return value, grad


# ---------------------------------------------------------------------------------------------
# Element-wise losses: regression and binary cross-entropy
# ---------------------------------------------------------------------------------------------
@dataclass
class Pointwise:
    name: str
    ours: callable  # reduction -> our module
    theirs: callable  # reduction -> torch module
    inputs: callable  # rng, shape -> (input, target)


def regression_pair(rng, shape):
    return rng.normal(scale=3.0, size=shape), rng.normal(scale=3.0, size=shape)


def probability_pair(rng, shape):
    return rng.uniform(0.001, 0.999, size=shape), rng.uniform(0.0, 1.0, size=shape)


def logit_pair(rng, shape):
    return rng.normal(scale=4.0, size=shape), (rng.uniform(size=shape) < 0.5).astype(float)


POINTWISE = [
    Pointwise("mse", lambda r: L.MSELoss(r), lambda r: torch.nn.MSELoss(reduction=r), regression_pair),
    Pointwise("l1", lambda r: L.L1Loss(r), lambda r: torch.nn.L1Loss(reduction=r), regression_pair),
    Pointwise("huber(1)", lambda r: L.HuberLoss(r), lambda r: torch.nn.HuberLoss(reduction=r), regression_pair),
    Pointwise("huber(0.5)", lambda r: L.HuberLoss(r, delta=0.5),
              lambda r: torch.nn.HuberLoss(reduction=r, delta=0.5), regression_pair),
    Pointwise("huber(2.5)", lambda r: L.HuberLoss(r, delta=2.5),
              lambda r: torch.nn.HuberLoss(reduction=r, delta=2.5), regression_pair),
    Pointwise("smooth_l1(1)", lambda r: L.SmoothL1Loss(r), lambda r: torch.nn.SmoothL1Loss(reduction=r),
              regression_pair),
    Pointwise("smooth_l1(0.3)", lambda r: L.SmoothL1Loss(r, beta=0.3),
              lambda r: torch.nn.SmoothL1Loss(reduction=r, beta=0.3), regression_pair),
    Pointwise("smooth_l1(0)", lambda r: L.SmoothL1Loss(r, beta=0.0),
              lambda r: torch.nn.SmoothL1Loss(reduction=r, beta=0.0), regression_pair),
    Pointwise("bce", lambda r: L.BCELoss(reduction=r), lambda r: torch.nn.BCELoss(reduction=r), probability_pair),
    Pointwise("bce_with_logits", lambda r: L.BCEWithLogitsLoss(reduction=r),
              lambda r: torch.nn.BCEWithLogitsLoss(reduction=r), logit_pair),
]
SHAPES = [(7,), (4, 5), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", POINTWISE, ids=lambda c: c.name)
def test_pointwise_losses_match_torch_on_random_inputs(case, reduction, shape):
    input, target = case.inputs(np.random.default_rng(stable_seed(case.name, shape)), shape)
    ours_vs_torch(case.ours(reduction), case.theirs(reduction), input, target, reduction)


REGRESSION_EXTREME = (
    np.array([-1e100, -1000.0, -1.0, -1e-12, 0.0, 0.0, 1e-12, 0.5, 1.0, 1000.0, 1e100]),
    np.array([1e100, 1000.0, -1.0, 0.0, 0.0, 1e-12, -1e-12, -0.5, 2.0, -1000.0, -1e100]),
)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", POINTWISE[:8], ids=lambda c: c.name)
def test_regression_losses_match_torch_on_extreme_inputs_and_at_the_kinks(case, reduction):
    """Huge errors, exact zeros (L1's kink: slope 0 as PyTorch), errors exactly at ±δ / ±β."""
    input, target = REGRESSION_EXTREME
    ours_vs_torch(case.ours(reduction), case.theirs(reduction), input, target, reduction)
    delta = np.array([-2.5, -1.0, -0.5, -0.3, 0.3, 0.5, 1.0, 2.5])  # errors exactly at every δ and β used
    ours_vs_torch(case.ours(reduction), case.theirs(reduction), delta, np.zeros_like(delta), reduction)


BCE_EXTREME = (
    np.array([0.0, 0.0, 1.0, 1.0, 1e-300, 1e-20, 1 - 1e-16, 0.5, 0.3, 0.0, 1.0]),
    np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.5, 0.7, 0.5, 0.25]),
)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_mirrors_torchs_guards_at_probabilities_0_and_1(reduction):
    """log clamped at -100 (p = 0 with y = 1 costs exactly 100), gradient divided by max(p(1-p), 1e-12)."""
    value, grad = ours_vs_torch(L.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction),
                                *BCE_EXTREME, reduction)
    if reduction == "none":
        assert value[1] == 100.0 and value[2] == 100.0 and value[0] == 0.0 and value[3] == 0.0
        assert grad[1] == pytest.approx(-upstream_for("none", (11,))[1] * 1e12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_is_stable_at_logits_of_1000(reduction):
    z = np.array([-1e300, -1000.0, -1000.0, -50.0, -1e-8, 0.0, 1e-8, 50.0, 1000.0, 1000.0, 1e300, 1000.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.3])
    value, _ = ours_vs_torch(L.BCEWithLogitsLoss(reduction=reduction),
                             torch.nn.BCEWithLogitsLoss(reduction=reduction), z, y, reduction)
    if reduction == "none":  # confidently wrong costs the margin: exactly 1000, not inf or 100
        assert value[1] == 1000.0 and value[8] == 1000.0 and value[9] == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_weights_at_probabilities_0_and_1_match_torch(reduction):
    """The weight multiplies the clamped loss (at most 100 per element) and the guarded gradient alike."""
    weight = np.array([2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 1.5, 2.5, 0.7, 1.0, 3.0])
    ours_vs_torch(L.BCELoss(weight, reduction), torch.nn.BCELoss(float64_tensor(weight), reduction=reduction),
                  *BCE_EXTREME, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_weights_and_pos_weight_match_torch(reduction):
    rng = np.random.default_rng(5)
    z, y = logit_pair(rng, (6, 3))
    p = rng.uniform(0.01, 0.99, size=(6, 3))
    weight = rng.uniform(0.2, 3.0, size=(6, 1))  # one weight per example, broadcast over the labels
    pos_weight = np.array([0.5, 2.0, 7.0])  # one per label (the last axis)
    ours_vs_torch(L.BCELoss(weight, reduction), torch.nn.BCELoss(float64_tensor(weight), reduction=reduction), p, y,
                  reduction)
    ours_vs_torch(L.BCEWithLogitsLoss(weight, reduction, pos_weight),
                  torch.nn.BCEWithLogitsLoss(float64_tensor(weight), reduction=reduction,
                                             pos_weight=float64_tensor(pos_weight)),
                  z, y, reduction)
    ours_vs_torch(L.BCEWithLogitsLoss(reduction=reduction, pos_weight=pos_weight),
                  torch.nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=float64_tensor(pos_weight)),
                  1000.0 * np.sign(z), y, reduction)


def test_the_classic_worked_numbers():
    """The numbers a learner reproduces in the notebook."""
    y_true, y_pred = np.array([1.0, 2.0, 3.0]), np.array([0.9, 1.8, 3.1])
    assert L.mse_loss(y_pred, y_true) == pytest.approx(0.02, rel=1e-12)
    assert L.l1_loss(y_pred, y_true) == pytest.approx(0.4 / 3, rel=1e-12)
    bce = L.binary_cross_entropy(np.array([0.9, 0.2, 0.8]), np.array([1.0, 0.0, 1.0]))
    assert bce == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.8)) / 3, rel=1e-12)
    assert round(bce, 4) == 0.1839
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]])
    one_hot = np.eye(3)
    ce = L.nll_loss(np.log(probs), np.array([0, 1, 2]))
    assert ce == pytest.approx(-(np.log(0.8) + 2 * np.log(0.7)) / 3, rel=1e-12)
    assert round(ce, 4) == 0.3122
    # log-probabilities are logits whose log-softmax is themselves: CE with one-hot targets gives the same
    assert L.cross_entropy(np.log(probs), one_hot) == pytest.approx(ce, rel=1e-12)


def test_huber_is_delta_times_smooth_l1_with_beta_delta():
    rng = np.random.default_rng(3)
    x, y = regression_pair(rng, (50,))
    for delta in [0.1, 1.0, 4.0]:
        huber, smooth = L.HuberLoss("none", delta), L.SmoothL1Loss("none", beta=delta)
        np.testing.assert_allclose(huber(x, y), delta * smooth(x, y), rtol=1e-13)
        np.testing.assert_allclose(huber.backward(np.ones(50)), delta * smooth.backward(np.ones(50)), rtol=1e-13)
    assert L.smooth_l1_loss(x, y, beta=0.0) == pytest.approx(L.l1_loss(x, y), rel=1e-14)


def test_huber_at_the_extremes_of_delta():
    """δ → 0: Huber itself → 0, but Huber / δ → MAE, with 0 ≤ MAE − Huber/δ ≤ δ/2 exactly (the notebook's claim);
    δ ≥ every |e|: Huber is ½ e² everywhere, so the mean Huber loss is ½ MSE."""
    rng = np.random.default_rng(4)
    x, y = regression_pair(rng, (40,))
    mae = L.l1_loss(x, y)
    for delta in [1.0, 0.1, 1e-3, 1e-6]:
        gap = mae - L.huber_loss(x, y, delta=delta) / delta
        assert -1e-12 <= gap <= delta / 2 + 1e-12
    assert L.huber_loss(x, y, delta=1e-6) < 1e-5  # both sides of "Huber ≈ δ · MAE" go to 0: it says nothing
    big = np.abs(x - y).max()
    assert L.huber_loss(x, y, delta=big) == pytest.approx(0.5 * L.mse_loss(x, y), rel=1e-13)


# ---------------------------------------------------------------------------------------------
# Cross-entropy and NLL
# ---------------------------------------------------------------------------------------------
def ce_inputs(seed, n=6, c=4, scale=3.0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(n, c)), rng.integers(0, c, size=n), rng.dirichlet(np.ones(c), size=n)


CE_SETTINGS = [
    {},
    {"label_smoothing": 0.1},
    {"weight": np.array([0.2, 1.0, 3.0, 0.7])},
    {"weight": np.array([0.2, 1.0, 3.0, 0.7]), "label_smoothing": 0.25},
    {"ignore_index": 2},
    {"ignore_index": -100, "label_smoothing": 1.0},
    {"ignore_index": 2, "label_smoothing": 0.1},  # smoothing skips the ignored rows too
    {"weight": np.array([0.2, 1.0, 3.0, 0.7]), "ignore_index": 2, "label_smoothing": 0.2},  # all three at once
]


def _torch_kwargs(kwargs):
    return {k: (float64_tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("kwargs", CE_SETTINGS, ids=lambda k: ",".join(k) or "default")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices_matches_torch(reduction, kwargs):
    logits, labels, _ = ce_inputs(0)
    labels[1] = 2  # so that ignore_index=2 ignores at least one example
    ours_vs_torch(L.CrossEntropyLoss(reduction=reduction, **kwargs),
                  torch.nn.CrossEntropyLoss(reduction=reduction, **_torch_kwargs(kwargs)), logits, labels, reduction)


@pytest.mark.parametrize("kwargs", [k for k in CE_SETTINGS if "ignore_index" not in k],
                         ids=lambda k: ",".join(k) or "default")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_probabilities_matches_torch(reduction, kwargs):
    logits, labels, soft = ce_inputs(1)
    ours_vs_torch(L.CrossEntropyLoss(reduction=reduction, **kwargs),
                  torch.nn.CrossEntropyLoss(reduction=reduction, **_torch_kwargs(kwargs)), logits, soft, reduction)
    one_hot = np.eye(4)[labels]  # one-hot probabilities give the same as the indices (when nothing is weighted)
    if "weight" not in kwargs:
        assert L.cross_entropy(logits, one_hot, reduction=reduction, **kwargs) == pytest.approx(
            L.cross_entropy(logits, labels, reduction=reduction, **kwargs), rel=1e-12)


EXTREME_LOGITS = np.array([
    [1000.0, -1000.0, 0.0],
    [1000.0, -1000.0, 0.0],
    [-1000.0, -1000.0, -1000.0],
    [1e-300, 0.0, -1e-300],
    [1000.0, 999.0, -1000.0],
])
EXTREME_LABELS = np.array([0, 1, 2, 1, 2])
EXTREME_PROBS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.2}, {"weight": np.array([1.0, 2.0, 0.5])}],
                         ids=["default", "smoothing", "weight"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_stable_at_logits_of_1000(reduction, kwargs):
    value, _ = ours_vs_torch(L.CrossEntropyLoss(reduction=reduction, **kwargs),
                             torch.nn.CrossEntropyLoss(reduction=reduction, **_torch_kwargs(kwargs)),
                             EXTREME_LOGITS, EXTREME_LABELS, reduction)
    if reduction == "none" and not kwargs:
        assert value[0] == 0.0 and value[1] == 2000.0  # -log p with p = e^-2000: a number, not inf
        assert value[4] == pytest.approx(2000.0 + np.log1p(np.exp(-1.0)), rel=1e-15)
    ours_vs_torch(L.CrossEntropyLoss(reduction=reduction, **kwargs),
                  torch.nn.CrossEntropyLoss(reduction=reduction, **_torch_kwargs(kwargs)),
                  EXTREME_LOGITS, EXTREME_PROBS, reduction)


@pytest.mark.parametrize("kwargs", [{}, {"weight": np.array([0.2, 1.0, 3.0, 0.7])}, {"ignore_index": 2},
                                    {"weight": np.array([0.2, 1.0, 3.0, 0.7]), "ignore_index": 2}],
                         ids=["default", "weight", "ignore_index", "weight,ignore_index"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction, kwargs):
    logits, labels, _ = ce_inputs(2)
    labels[0] = 2
    log_p = log_softmax(logits)
    ours_vs_torch(L.NLLLoss(reduction=reduction, **kwargs),
                  torch.nn.NLLLoss(reduction=reduction, **_torch_kwargs(kwargs)), log_p, labels, reduction)
    ours_vs_torch(L.NLLLoss(reduction=reduction, **kwargs),
                  torch.nn.NLLLoss(reduction=reduction, **_torch_kwargs(kwargs)),
                  log_softmax(EXTREME_LOGITS @ np.ones((3, 4)) / 3 + np.arange(4)), EXTREME_LABELS, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_one_unbatched_example_of_shape_c(reduction):
    logits = np.array([2.0, -1.0, 0.5])
    ours_vs_torch(L.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
                  logits, np.array(2), reduction)
    ours_vs_torch(L.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1),
                  torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1),
                  logits, np.array([0.2, 0.3, 0.5]), reduction)
    ours_vs_torch(L.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction),
                  log_softmax(logits), np.array(0), reduction)
    weight = np.array([0.5, 2.0, 1.5])
    ours_vs_torch(L.CrossEntropyLoss(weight, reduction=reduction, label_smoothing=0.2),
                  torch.nn.CrossEntropyLoss(float64_tensor(weight), reduction=reduction, label_smoothing=0.2),
                  logits, np.array(1), reduction)
    if reduction != "mean":  # one ignored example: the mean over nothing is nan, in PyTorch too (tested below)
        ours_vs_torch(L.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
                      logits, np.array(-100), reduction)
        ours_vs_torch(L.NLLLoss(reduction=reduction, ignore_index=1),
                      torch.nn.NLLLoss(reduction=reduction, ignore_index=1), log_softmax(logits), np.array(1),
                      reduction)


def test_cross_entropy_is_log_softmax_then_nll_and_its_gradient_is_p_minus_y_over_n():
    logits, labels, _ = ce_inputs(3, n=8, c=5)
    ce = L.CrossEntropyLoss()
    assert ce(logits, labels) == pytest.approx(L.nll_loss(log_softmax(logits), labels), rel=1e-13)
    p = np.exp(log_softmax(logits))
    np.testing.assert_allclose(ce.backward(), (p - np.eye(5)[labels]) / 8, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(ce.backward(2.0), 2 * (p - np.eye(5)[labels]) / 8, rtol=1e-13, atol=1e-16)


def test_an_all_ignored_batch_gives_nan_like_torch_without_warnings():
    logits = np.zeros((2, 3))
    labels = np.array([-100, -100])
    with strict_numerics():
        value = L.cross_entropy(logits, labels)
    assert np.isnan(value) and np.isnan(F.cross_entropy(float64_tensor(logits), torch.as_tensor(labels)).item())
    assert L.cross_entropy(logits, labels, reduction="sum") == 0.0


# ---------------------------------------------------------------------------------------------
# Conventions: functional forms, reductions, backward's grad_out, repr, no mutation
# ---------------------------------------------------------------------------------------------
def test_functional_forms_equal_the_modules():
    rng = np.random.default_rng(4)
    x, y = regression_pair(rng, (3, 4))
    p, t = probability_pair(rng, (3, 4))
    logits, labels, soft = ce_inputs(4)
    assert L.mse_loss(x, y, "sum") == L.MSELoss("sum")(x, y)
    assert L.l1_loss(x, y) == L.L1Loss()(x, y)
    assert L.huber_loss(x, y, delta=0.7) == L.HuberLoss(delta=0.7)(x, y)
    assert L.smooth_l1_loss(x, y, beta=0.7) == L.SmoothL1Loss(beta=0.7)(x, y)
    assert L.binary_cross_entropy(p, t) == L.BCELoss()(p, t)
    assert L.binary_cross_entropy_with_logits(x, t, pos_weight=np.full(4, 2.0)) == \
        L.BCEWithLogitsLoss(pos_weight=np.full(4, 2.0))(x, t)
    assert L.cross_entropy(logits, labels, label_smoothing=0.1) == L.CrossEntropyLoss(label_smoothing=0.1)(
        logits, labels)
    assert L.nll_loss(log_softmax(logits), labels) == L.NLLLoss()(log_softmax(logits), labels)


def test_sum_is_n_times_mean_and_none_keeps_each_example():
    logits, labels, _ = ce_inputs(5, n=10)
    per_example = L.cross_entropy(logits, labels, reduction="none")
    assert per_example.shape == (10,)
    assert L.cross_entropy(logits, labels, reduction="sum") == pytest.approx(per_example.sum(), rel=1e-14)
    assert L.cross_entropy(logits, labels) == pytest.approx(per_example.mean(), rel=1e-14)
    x, y = regression_pair(np.random.default_rng(0), (4, 5))
    assert L.mse_loss(x, y, "sum") == pytest.approx(20 * L.mse_loss(x, y), rel=1e-14)


def test_backward_default_grad_out_is_one_and_scales_linearly():
    x, y = regression_pair(np.random.default_rng(6), (5,))
    mse = L.MSELoss()
    mse(x, y)
    np.testing.assert_allclose(mse.backward(), 2 * (x - y) / 5, rtol=1e-14)
    np.testing.assert_allclose(mse.backward(3.0), 3 * 2 * (x - y) / 5, rtol=1e-14)
    np.testing.assert_allclose(mse.backward(np.array(3.0)), mse.backward(3.0), rtol=0)


@pytest.mark.parametrize("make", [L.MSELoss, L.L1Loss, L.HuberLoss, L.SmoothL1Loss, L.BCELoss, L.BCEWithLogitsLoss,
                                  L.CrossEntropyLoss, L.NLLLoss])
def test_inputs_are_not_modified_and_backward_needs_forward(make):
    loss = make()
    with pytest.raises(RuntimeError, match="forward before backward"):
        loss.backward()
    if make in (L.CrossEntropyLoss, L.NLLLoss):
        x, y = np.log(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])), np.array([2, 0])
    else:
        x, y = np.array([[0.2, 0.7], [0.9, 0.1]]), np.array([[0.0, 1.0], [1.0, 0.5]])
    x0, y0 = x.copy(), y.copy()
    loss(x, y)
    loss.backward()
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert list(loss.parameters()) == []


def test_reprs_show_non_default_settings_like_torch():
    assert repr(L.MSELoss()) == "MSELoss()"
    assert repr(L.L1Loss("sum")) == "L1Loss(reduction='sum')"
    assert repr(L.HuberLoss(delta=0.5)) == "HuberLoss(delta=0.5)"
    assert repr(L.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss(label_smoothing=0.1)"


# ---------------------------------------------------------------------------------------------
# Bad input: ValueError naming the problem
# ---------------------------------------------------------------------------------------------
BAD = [
    (lambda: L.mse_loss(np.zeros(3), np.zeros(4)), r"target must have the input's shape \(3,\), got shape \(4,\)"),
    (lambda: L.l1_loss(np.zeros((2, 3)), np.zeros((3, 2))), r"\(2, 3\), got shape \(3, 2\)"),
    (lambda: L.mse_loss(np.zeros((3, 1)), np.zeros(3)), r"\(3, 1\), got shape \(3,\)"),  # torch would broadcast
    (lambda: L.mse_loss(np.zeros(3), np.zeros(3), reduction="average"), "reduction must be one of"),
    (lambda: L.HuberLoss(delta=0.0), "delta must be a finite number > 0"),
    (lambda: L.SmoothL1Loss(beta=-1.0), "beta must be a finite number >= 0"),
    (lambda: L.binary_cross_entropy(np.array([0.5, 1.2]), np.array([1.0, 0.0])),
     r"input \(probabilities\) must lie in \[0, 1\], got 1.2.*BCEWithLogitsLoss"),
    (lambda: L.binary_cross_entropy(np.array([0.5, 0.2]), np.array([1.0, 2.0])), r"target must lie in \[0, 1\], got 2"),
    (lambda: L.binary_cross_entropy_with_logits(np.array([3.0]), np.array([-1.0])), "target must lie in"),
    (lambda: L.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.zeros((2, 3)), pos_weight=np.ones(2)),
     r"pos_weight of shape \(2,\) cannot be broadcast to the input's shape \(2, 3\)"),
    (lambda: L.cross_entropy(np.zeros((4, 3)), np.array([0, 1, 3, 2])),
     r"class index 3, out of range for 3 classes: expected 0 <= index <= 2"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0, -1])), "class index -1, out of range"),
    (lambda: L.cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2])),
     r"class indices must have shape \(4,\) for an input of shape \(4, 3\), got shape \(3,\)"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([[1, 0, 0], [0, 1, 0]])),  # one-hot as integers
     r"must have shape \(2,\).*got shape \(2, 3\); one-hot or soft targets are class probabilities"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0.0, 2.0])),  # indices as floats
     r"must have the input's shape \(2, 3\), got shape \(2,\); class indices must be integers"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.zeros((2, 4))), r"input's shape \(2, 3\), got shape \(2, 4\)"),
    (lambda: L.cross_entropy(np.zeros((2, 3, 4)), np.array([0, 1])), r"logits of shape \(N, C\).*\(2, 3, 4\)"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), weight=np.ones(2)),
     r"weight must have one entry per class, shape \(3,\), got shape \(2,\)"),
    (lambda: L.CrossEntropyLoss(label_smoothing=1.5), r"label_smoothing must be a number in \[0, 1\]"),
    (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([True, False])), "dtype bool"),
    (lambda: L.nll_loss(np.zeros((2, 3)), np.array([0.0, 1.0])), "NLLLoss needs class indices as integers"),
    (lambda: L.nll_loss(np.zeros((2, 3)), np.array([0, 5])), "class index 5, out of range for 3 classes"),
    (lambda: L.kl_divergence(np.ones(3) / 3, np.ones(2) / 2), r"q must have p's shape \(3,\)"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_input_raises_a_value_error_naming_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ignore_index_is_accepted_as_a_label():
    assert np.isfinite(L.cross_entropy(np.zeros((2, 3)), np.array([0, -100])))
    assert np.isfinite(L.cross_entropy(np.zeros((2, 3)), np.array([0, 7]), ignore_index=7))


@pytest.mark.parametrize("reduction, grad_out, match", [
    ("mean", np.ones(3), r"grad_out must be one number, got shape \(3,\)"),
    ("sum", np.ones((1, 2)), "one number"),
    ("none", 1.0, r"grad_out must have the loss's shape \(3,\), got shape \(\)"),
    ("none", np.ones(4), r"loss's shape \(3,\), got shape \(4,\)"),
])
def test_backward_checks_grad_out(reduction, grad_out, match):
    loss = L.MSELoss(reduction)
    loss(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match=match):
        loss.backward(grad_out)
    ce = L.CrossEntropyLoss(reduction=reduction)
    ce(np.zeros((3, 2)), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=match):
        ce.backward(grad_out)


# ---------------------------------------------------------------------------------------------
# Information theory: KL divergence
# ---------------------------------------------------------------------------------------------
def test_kl_divergence_matches_torch_and_decomposes_cross_entropy():
    rng = np.random.default_rng(8)
    p = rng.dirichlet(np.ones(5), size=4)
    q = rng.dirichlet(np.ones(5), size=4)
    p[0] = [0.0, 0.0, 0.5, 0.5, 0.0]  # zeros in p count 0
    with strict_numerics():
        kl = L.kl_divergence(p, q)
    expected = F.kl_div(float64_tensor(q).log(), float64_tensor(p), reduction="none").sum(-1).numpy()
    assert_close(kl, expected)
    cross = -np.sum(p * np.log(q), axis=-1)
    np.testing.assert_allclose(cross, entropy(p) + kl, rtol=1e-13)
    assert (kl > 0).all() and L.kl_divergence(q, q) == pytest.approx(np.zeros(4), abs=1e-15)
    assert L.kl_divergence([0.5, 0.5], [0.1, 0.9]) != pytest.approx(L.kl_divergence([0.1, 0.9], [0.5, 0.5]))
    with strict_numerics():
        assert L.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf  # q = 0 where p > 0


# --- optimal_margin: where label smoothing stops pushing the true class's logit -----------------------------
def _smoothed_gradient_of_the_true_logit(margin: float, n_classes: int, s: float) -> float:
    logits = torch.zeros(1, n_classes, dtype=torch.float64)
    logits[0, 0] = margin
    logits.requires_grad_(True)
    F.cross_entropy(logits, torch.zeros(1, dtype=torch.long), label_smoothing=s).backward()
    return float(logits.grad[0, 0])


@pytest.mark.parametrize("n_classes, s", [(2, 0.05), (10, 0.1), (5, 0.2), (20, 0.5)])
def test_the_smoothed_loss_is_flat_at_the_optimal_margin(n_classes, s):
    best = L.optimal_margin(n_classes, s)
    assert np.isfinite(best) and best > 0
    assert _smoothed_gradient_of_the_true_logit(best, n_classes, s) == pytest.approx(0.0, abs=1e-12)
    assert _smoothed_gradient_of_the_true_logit(best - 1.0, n_classes, s) < 0  # below: the loss still falls
    assert _smoothed_gradient_of_the_true_logit(best + 1.0, n_classes, s) > 0  # beyond: it pulls back
    p_true = np.exp(best) / (np.exp(best) + n_classes - 1)
    assert p_true == pytest.approx(1 - s + s / n_classes)  # the smoothed target probability


def test_without_smoothing_there_is_no_optimal_margin_and_full_smoothing_wants_none():
    assert L.optimal_margin(10, 0.0) == np.inf
    assert L.optimal_margin(10, 1.0) == pytest.approx(0.0)  # the uniform target: every logit equal


@pytest.mark.parametrize("args, match", [((1, 0.1), "n_classes must be an integer >= 2"),
                                         ((2.5, 0.1), "n_classes must be an integer >= 2"),
                                         ((True, 0.1), "n_classes must be an integer >= 2"),
                                         ((10, -0.1), r"label_smoothing must be a number in \[0, 1\]"),
                                         ((10, 1.5), r"label_smoothing must be a number in \[0, 1\]")])
def test_bad_arguments_raise(args, match):
    with pytest.raises(ValueError, match=match):
        L.optimal_margin(*args)
