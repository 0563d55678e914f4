"""utils.train2d: the runs behind Chapter 04's training explorer — equal to fit with SGD on the same model,
deterministic, cached, reporting divergence, and rejecting bad settings."""

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
    a, b = (
        train2d.train_2d("moons", epochs=50),
        train2d._train_2d.__wrapped__("moons", 32, "relu", 0.5, 50, 0),
    )  # b: uncached
    assert a is not b
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert a.probabilities.shape[-1] == 2 and not a.diverged
    sigmoid = train2d.train_2d("spirals", activation="sigmoid", epochs=250)
    relu = train2d.train_2d("spirals", activation="relu", epochs=250)
    assert sigmoid.accuracy < relu.accuracy - 0.2  # the sigmoid network barely learns: section 6's lesson


def test_train_2d_caches_its_runs_so_the_widget_does_not_retrain_the_static_figure():
    first = train2d.train_2d("moons", hidden=8, lr=0.3, epochs=50)
    assert train2d.train_2d("moons", 8, "relu", 0.3, 50, seed=0) is first  # same settings: the same run, no training
    assert train2d.train_2d("moons", hidden=8, lr=0.3, epochs=50, seed=1) is not first


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
