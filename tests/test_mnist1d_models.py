"""utils.mnist1d_models: the MNIST-1D MLP and CNN (shapes, parameters, seeding) and train_mnist1d (seeded, on any
model that maps (N, 1, 40) to (N, 10), with a clear error for one that does not). Training runs on a small part of
the data for a couple of epochs: the accuracies are measured by benchmarks/measure_mnist1d.py and asserted with
margins in the chapter."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from utils import mnist1d_models as m1d
from utils.cnn_architectures import count_parameters, layer_output_shapes
from utils.data import DataSplits, load_mnist1d


@pytest.fixture(scope="module")
def small_splits() -> DataSplits:
    """400 training, 100 validation and 200 test signals of load_mnist1d(0): a few epochs in a fraction of a second."""
    s = load_mnist1d(0)
    return DataSplits(s.X_train[:400], s.y_train[:400], s.X_val[:100], s.y_val[:100], s.X_test[:200], s.y_test[:200])


def weights(model) -> list[np.ndarray]:
    return [p.detach().cpu().numpy().copy() for p in model.parameters()]


def test_the_models_map_signals_to_logits_with_the_documented_parameters():
    mlp, cnn = m1d.build_mnist1d_mlp(0), m1d.build_mnist1d_cnn(0)
    x = torch.zeros(3, 1, 40)
    assert mlp(x).shape == cnn(x).shape == (3, 10)
    assert count_parameters(mlp) == (40 * 100 + 100) + (100 * 100 + 100) + (100 * 10 + 10) == 15_210
    assert count_parameters(cnn) == (1 * 3 * 32 + 32) + 2 * (32 * 3 * 32 + 32) + (32 * 5 * 10 + 10) == 7_946
    assert [shape for name, shape in layer_output_shapes(cnn, (1, 1, 40)) if name in ("2", "5", "8", "10")] == [
        (1, 32, 20), (1, 32, 10), (1, 32, 5), (1, 10)]
    assert count_parameters(m1d.build_mnist1d_cnn(channels=8)) == (3 * 8 + 8) + 2 * (8 * 3 * 8 + 8) + (40 * 10 + 10)
    assert count_parameters(m1d.build_mnist1d_mlp(hidden=(20,))) == 40 * 20 + 20 + 20 * 10 + 10


@pytest.mark.parametrize("build", [m1d.build_mnist1d_mlp, m1d.build_mnist1d_cnn])
def test_a_seed_gives_the_same_weights_and_leaves_the_global_generator_alone(build):
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, b, c = build(0), build(0), build(1)
    assert torch.equal(state, torch.get_rng_state())
    assert all(np.array_equal(u, v) for u, v in zip(weights(a), weights(b)))
    assert not np.array_equal(weights(a)[0], weights(c)[0])


def test_as_signals_adds_the_channel_axis():
    X = np.arange(80, dtype=np.float64).reshape(2, 40)
    signals = m1d.as_signals(X)
    assert signals.shape == (2, 1, 40) and signals.dtype == np.float32 and signals.flags.c_contiguous
    np.testing.assert_array_equal(signals[:, 0], X)
    np.testing.assert_array_equal(m1d.as_signals(signals), signals)
    with pytest.raises(ValueError, match=r"X must be MNIST-1D signals of shape \(N, 40\) or \(N, 1, 40\); got "
                                         r"shape \(2, 2, 40\)"):
        m1d.as_signals(np.zeros((2, 2, 40)))


def test_training_is_seeded_logged_and_leaves_the_model_in_eval_mode(small_splits):
    threads = torch.get_num_threads()
    torch.manual_seed(5)
    state = torch.get_rng_state()
    runs = []
    for _ in range(2):
        model = m1d.build_mnist1d_cnn(0)
        log, test_accuracy = m1d.train_mnist1d(model, small_splits, epochs=3, seed=0, device="cpu")
        runs.append((weights(model), log, test_accuracy))
        assert not model.training
    assert torch.get_num_threads() == threads and torch.equal(state, torch.get_rng_state())
    (w0, log, accuracy), (w1, log1, accuracy1) = runs
    assert all(np.array_equal(u, v) for u, v in zip(w0, w1)) and accuracy == accuracy1
    np.testing.assert_array_equal(log.val_loss, log1.val_loss)
    assert log.epochs_run == 3 and log.train_metric.shape == log.val_metric.shape == (3,)
    assert log.train_loss[-1] < log.train_loss[0] and 0.1 <= accuracy <= 1.0  # it learns something already
    assert accuracy * 200 == pytest.approx(round(accuracy * 200))  # a fraction of the 200 test signals


def test_another_seed_shuffles_differently(small_splits):
    a, b = m1d.build_mnist1d_cnn(0), m1d.build_mnist1d_cnn(0)
    m1d.train_mnist1d(a, small_splits, epochs=1, seed=0, device="cpu")
    m1d.train_mnist1d(b, small_splits, epochs=1, seed=1, device="cpu")
    assert not np.array_equal(weights(a)[0], weights(b)[0])


def test_any_module_of_the_right_shapes_trains_and_flat_inputs_work(small_splits):
    """A learner's model (a class with its own forward, dropout inside) and an MLP without Flatten on (N, 40)."""

    class Learner(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 4, 5, padding=2)
            self.drop = nn.Dropout(0.2)
            self.head = nn.Linear(4 * 40, 10)

        def forward(self, x):
            return self.head(self.drop(torch.relu(self.conv(x))).flatten(1))

    torch.manual_seed(0)
    log, accuracy = m1d.train_mnist1d(Learner(), small_splits, epochs=1, device="cpu")
    assert log.epochs_run == 1 and 0 <= accuracy <= 1
    flat = nn.Sequential(nn.Linear(40, 16), nn.ReLU(), nn.Linear(16, 10))
    log, accuracy = m1d.train_mnist1d(flat, small_splits, epochs=1, lr=1e-3, batch_size=50, input="flat",
                                      device="cpu")
    assert log.epochs_run == 1 and 0 <= accuracy <= 1


@pytest.mark.parametrize("model, match", [
    (lambda: nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 10)),
     r"model must map inputs \(N, 1, 40\) to logits \(N, 10\); it returned \(N, 1, 10\): the output still has a "
     r"channel axis .*nn.Flatten\(\)"),
    (lambda: nn.Sequential(nn.Conv1d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 40, 10)),
     r"layer '3' \(Linear\) got input of shape \(2, 304\): nn.Linear\(320, 10\) expects 320 features on the last "
     r"axis, got 304"),
    (lambda: nn.Sequential(nn.Conv1d(1, 8, 3, padding=1), nn.Flatten(), nn.Linear(320, 2)),
     r"it returned \(N, 2\): the last layer must have 10 outputs"),
    (lambda: nn.Sequential(nn.Conv2d(1, 8, 3)),
     r"layer '0' \(Conv2d\) got input of shape \(2, 1, 40\): nn.Conv2d\(1, 8, 3\) expects a batch of shape "
     r"\(N, C, H, W\) with 4 axes, got 3 axes"),
    (lambda: nn.ReLU(), r"model has no trainable parameters"),
])
def test_a_model_of_the_wrong_shape_is_named_before_any_training(model, match, monkeypatch):
    monkeypatch.setattr(m1d, "load_mnist1d", lambda seed: pytest.fail("the data were loaded before the model check"))
    with pytest.raises(ValueError, match=match):
        m1d.train_mnist1d(model())


def test_the_recipe_checks_its_values():
    assert m1d.MNIST1D_RECIPE == m1d.Mnist1dRecipe()
    with pytest.raises(ValueError, match="the learning rate must be a positive number, got 0"):
        m1d.Mnist1dRecipe(lr=0)
    with pytest.raises(ValueError, match="weight_decay"):
        m1d.Mnist1dRecipe(weight_decay=-1)
    with pytest.raises(TypeError, match="recipe must be an Mnist1dRecipe such as MNIST1D_RECIPE, got dict"):
        m1d.train_mnist1d(m1d.build_mnist1d_cnn(0), recipe={"epochs": 2})
