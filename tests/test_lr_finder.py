"""utils.lr_finder: the LR range test on the digits network. Deterministic, leaves the model alone, follows its
exponential schedule, stops when the loss explodes, and suggests a learning rate where the loss falls (one that
trains as well as the best of a grid)."""

from __future__ import annotations

import numpy as np
import pytest

from utils import losses, optim
from utils import optimizer_experiments as ox
from utils.data import digits_split
from utils.lr_finder import RangeTest, lr_range_test


@pytest.fixture(scope="module")
def digits():
    X_train, _, y_train, _ = digits_split()
    return X_train, y_train


def _test(digits, make_optimizer, seed: int = 2, **kwargs) -> tuple[RangeTest, object]:
    rng = np.random.default_rng(seed)
    model = ox.digits_network(rng)
    return lr_range_test(model, losses.CrossEntropyLoss(), make_optimizer, *digits, rng=rng, **kwargs), model


def test_the_same_generator_state_gives_the_same_curve_and_the_model_is_left_alone(digits):
    first, model = _test(digits, lambda params: optim.Adam(params))
    before = [p.data.copy() for p in model.parameters()]
    second, _ = _test(digits, lambda params: optim.Adam(params))
    for a, b in ((first.lrs, second.lrs), (first.losses, second.losses), (first.smoothed, second.smoothed)):
        np.testing.assert_array_equal(a, b)
    assert first.suggested_lr == second.suggested_lr
    fresh = ox.digits_network(np.random.default_rng(2))
    for p, q, b in zip(model.parameters(), fresh.parameters(), before):
        np.testing.assert_array_equal(p.data, q.data)  # never trained: the test trains a copy
        np.testing.assert_array_equal(p.data, b)


def test_the_schedule_is_exponential_and_the_smoothing_is_a_debiased_moving_average(digits):
    kept = []
    result, _ = _test(digits, lambda params: kept.append(optim.SGD(params, lr=5.0, momentum=0.9)) or kept[-1],
                      lr_min=1e-4, lr_max=1e-2, steps=50, smoothing=0.8)
    assert len(result.lrs) == 50 and not result.stopped_early  # too small to explode
    np.testing.assert_allclose(result.lrs, np.geomspace(1e-4, 1e-2, 50), rtol=1e-12)
    assert kept[0].param_groups[0]["lr"] == pytest.approx(1e-2) and kept[0].param_groups[0]["momentum"] == 0.9
    average, expected = 0.0, []
    for i, loss in enumerate(result.losses):
        average = 0.8 * average + 0.2 * loss
        expected.append(average / (1 - 0.8 ** (i + 1)))
    np.testing.assert_allclose(result.smoothed, expected, rtol=1e-12)
    assert result.smoothed[0] == result.losses[0]


def test_the_test_stops_once_the_loss_explodes(digits):
    result, _ = _test(digits, lambda params: optim.Adam(params))  # 1e-5 to 10 over 200 steps
    assert result.stopped_early and len(result.lrs) < 200
    best_so_far = np.minimum.accumulate(result.smoothed)
    assert result.smoothed[-1] > 4 * best_so_far[-1]  # the step that stopped it
    assert np.all(result.smoothed[:-1] <= 4 * best_so_far[:-1])  # and none before


def test_the_suggestion_lies_where_the_loss_falls_and_trains_well(digits):
    result, _ = _test(digits, lambda params: optim.Adam(params))
    i = result.suggestion_index
    assert result.lrs[i] == result.suggested_lr < result.lr_at_minimum
    slope = np.gradient(result.smoothed, np.log10(result.lrs))
    assert slope[i] < 0 and slope[i] == slope[1:int(np.argmin(result.smoothed))].min()
    assert result.smoothed[i] < result.smoothed[0] - 0.5  # well into the fall: 2.3 → ~1.2
    # the comparison's Adam lr, 0.01, is the best of a grid; the range test's suggestion (~0.015) is close
    assert 0.005 < result.suggested_lr < 0.03
    trained = ox.record_training(lambda params: optim.Adam(params, lr=result.suggested_lr), epochs=3)
    tuned = ox.record_training(ox.OPTIMIZER_COMPARISON["Adam, lr 0.01"], epochs=3)
    assert trained.final_loss < 1.5 * tuned.final_loss


def test_plain_sgds_suggestion_is_near_its_best_lr(digits):
    result, _ = _test(digits, lambda params: optim.SGD(params, lr=1.0), lr_min=1e-4, lr_max=100)
    assert 0.25 < result.suggested_lr < 1.0  # the grid's best for 10 epochs: 0.5 (~0.68 suggested)


def test_no_suggestion_when_the_loss_never_falls(digits):
    result, _ = _test(digits, lambda params: optim.SGD(params, lr=1.0), lr_min=50, lr_max=5000, steps=20)
    assert np.isnan(result.suggested_lr) and result.suggestion_index == -1


@pytest.mark.parametrize("kwargs, match", [
    ({"lr_min": 1.0, "lr_max": 0.1}, r"lr_min must be below lr_max .* got lr_min=1 and lr_max=0.1"),
    ({"lr_min": 0.0}, r"lr_min must be a finite number > 0, got 0.0"),
    ({"steps": 1}, r"steps must be an integer >= 2 \(a range needs two ends\), got 1"),
    ({"smoothing": 1.0}, r"smoothing must be a number in \[0, 1\)"),
    ({"diverge_factor": 1.0}, r"diverge_factor must be a finite number > 1, got 1.0"),
    ({"batch_size": 0}, r"batch_size must be a positive integer, got 0"),
    ({"rng": 0}, r"rng must be a numpy.random.Generator"),
])
def test_bad_arguments_are_named(digits, kwargs, match):
    arguments = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=match):
        lr_range_test(ox.digits_network(np.random.default_rng(0)), losses.CrossEntropyLoss(),
                      lambda params: optim.SGD(params, lr=0.1), *digits, **arguments)


def test_a_built_optimizer_or_mismatched_data_is_refused(digits):
    model = ox.digits_network(np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"make_optimizer must be a function params -> optimizer.*got SGD"):
        lr_range_test(model, losses.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), *digits,
                      rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X and y must have the same number of examples, got shapes \(1347, 64\)"):
        lr_range_test(model, losses.CrossEntropyLoss(), lambda params: optim.SGD(params, lr=0.1), digits[0],
                      digits[1][:10], rng=np.random.default_rng(0))
