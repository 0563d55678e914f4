"""utils.train2d: the runs behind Chapter 04's training explorer — equal to fit with SGD on the same model,
deterministic, cached, reporting divergence, trained in steps (a run part-way, then the same complete run), and
rejecting bad settings."""

from __future__ import annotations

import numpy as np
import pytest

from utils import activations, losses
from utils import train2d as train2d
from utils.optim import SGD
from utils.training import accuracy, fit


def test_train_2d_equals_fit_with_the_same_model_and_learns_spirals():
    run = train2d.train_2d("spirals", hidden=16, activation="tanh", lr=0.5, epochs=100)
    X, y = run.X, run.y
    assert X.shape == (240, 2) and set(y) == {0, 1, 2}
    model = train2d.make_classifier(3, 16, "tanh", seed=0)
    history = fit(model, losses.CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), X, y, epochs=100)
    np.testing.assert_allclose(run.losses, history, rtol=1e-12)
    assert run.accuracy == accuracy(model(X), y)
    assert run.probabilities.shape == (train2d.GRID, train2d.GRID, 3)
    np.testing.assert_allclose(run.probabilities.sum(axis=-1), 1.0, rtol=1e-12)
    default = train2d.train_2d()
    assert default.accuracy > 0.9 and default.losses[-1] < 0.3 * default.losses[0]


def test_train_2d_is_deterministic_and_reports_divergence():
    a = train2d.train_2d("moons", epochs=50)
    train2d._RUNS.clear()  # forget it: b is trained again
    b = train2d.train_2d("moons", epochs=50)
    assert a is not b
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert a.probabilities.shape[-1] == 2 and not a.diverged
    sigmoid = train2d.train_2d("spirals", activation="sigmoid", epochs=250)
    relu = train2d.train_2d("spirals", activation="relu", epochs=250)
    assert sigmoid.accuracy < relu.accuracy - 0.2  # the sigmoid network barely learns: section 6's lesson


def test_the_explorers_things_to_try_do_what_the_chapter_says():
    """Chapter 04's list under the training explorer: lr 0.05 is too slow for 500 epochs, lr 3 or 10 breaks the
    ReLU network (at 10: 33%, one class everywhere), widths 2 and 4 are too few units, sigmoid hardly learns; the
    default (the chapter's figure) gets over 90% right."""
    default = train2d.train_2d()
    assert default.accuracy > 0.9
    for settings in ({"lr": 0.05}, {"lr": 3.0}, {"hidden": 2}, {"hidden": 4}, {"activation": "sigmoid"}):
        assert train2d.train_2d(**settings).accuracy < 0.7, settings
    broken = train2d.train_2d(lr=10.0)
    assert broken.diverged or broken.accuracy == pytest.approx(1 / 3, abs=0.01)


def test_train_2d_caches_its_runs_so_the_widget_does_not_retrain_the_static_figure():
    first = train2d.train_2d("moons", hidden=8, lr=0.3, epochs=50)
    assert train2d.train_2d("moons", 8, "relu", 0.3, 50, seed=0) is first  # same settings: the same run, no training
    assert train2d.train_2d("moons", hidden=8, lr=0.3, epochs=50, seed=1) is not first


def test_train_2d_in_steps_shows_the_run_part_way_then_the_same_complete_run():
    train2d._RUNS.clear()
    steps = list(train2d.train_2d_in_steps("moons", hidden=6, lr=0.4, epochs=100))
    assert [run.trained for run in steps] == [5, 100] and [run.complete for run in steps] == [False, True]
    part, whole = steps
    assert part.epochs == whole.epochs == 100 and part.losses.shape == (5,)
    np.testing.assert_array_equal(part.losses, whole.losses[:5])  # the same training, continued
    assert not np.array_equal(part.probabilities, whole.probabilities)
    assert train2d.train_2d("moons", hidden=6, lr=0.4, epochs=100) is whole  # cached as train_2d's run
    model = train2d.make_classifier(2, 6, "relu", seed=0)
    history = fit(model, losses.CrossEntropyLoss(), SGD(model.parameters(), lr=0.4), whole.X, whole.y, epochs=100)
    np.testing.assert_array_equal(whole.losses, history)  # one fit of 100 epochs: the same to the last bit
    again = list(train2d.train_2d_in_steps("moons", hidden=6, lr=0.4, epochs=100))
    assert len(again) == 1 and again[0] is whole  # cached: no training, no run part-way
    assert [r.trained for r in train2d.train_2d_in_steps("moons", hidden=6, epochs=40, first=25)] == [25, 40]
    with pytest.raises(ValueError, match="first"):
        train2d.train_2d_in_steps("moons", first=0)


def test_train_2d_keeps_the_most_recent_runs():
    train2d._RUNS.clear()
    first = train2d.train_2d("moons", hidden=3, epochs=2)
    for k in range(train2d.CACHE_SIZE):
        train2d.train_2d("moons", hidden=4, lr=0.1 + k / 100, epochs=2)
    assert len(train2d._RUNS) == train2d.CACHE_SIZE
    assert train2d.train_2d("moons", hidden=3, epochs=2) is not first  # the oldest was dropped


@pytest.mark.parametrize("kwargs, match", [
    ({"dataset": "circles"}, "unknown data set"),
    ({"activation": "gelu"}, "unknown activation"),
    ({"hidden": 0}, "hidden"),
    ({"lr": -1.0}, "learning rate"),
    ({"epochs": 0}, "epochs"),
])
def test_train_2d_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train2d.train_2d(**kwargs)


def test_make_classifier_uses_the_activation_table():
    model = train2d.make_classifier(3, hidden=5, activation="tanh", seed=1)
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert model[1] is not model[3]  # a fresh module per layer
    assert model(np.zeros((4, 2))).shape == (4, 3)
    assert set(train2d.ACTIVATION_CHOICES) <= set(activations.ACTIVATION_TABLE)


def test_dataset_2d_gives_the_same_points_every_time_and_copies():
    X, y = train2d.dataset_2d("spirals")
    assert X.shape == (240, 2) and y.shape == (240,) and set(y) == {0, 1, 2}
    X[0] = 99.0
    np.testing.assert_array_equal(train2d.dataset_2d("spirals")[0][1:], X[1:])
    assert train2d.dataset_2d("spirals")[0][0, 0] != 99.0
    assert train2d.dataset_2d("moons")[0].shape == (200, 2)
    with pytest.raises(ValueError, match="unknown data set 'circles'"):
        train2d.dataset_2d("circles")
