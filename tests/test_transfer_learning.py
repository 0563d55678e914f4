"""utils.transfer_learning: digit subsets relabelled, few-shot draws (seeded, balanced), fine-tuning a copy (only the
new classifier moves with train="last_layer"), and the experiment: the network pre-trained on 0-4 beats training from
scratch on a few examples of 5-9."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils import transfer_learning as tl
from utils.data import load_mnist5k
from utils.mnist_cnn import build_mnist_cnn, load_mnist_cnn, score_mnist_cnn, stored_cnn_results


@pytest.fixture(scope="module")
def splits():
    return load_mnist5k(0)


@pytest.fixture(scope="module")
def few(splits):
    X, y = tl.digit_subset(splits.X_train, splits.y_train, tl.TRANSFER_DIGITS)
    return tl.few_shot(X, y, 4, seed=0)


def test_digit_subset_keeps_the_order_and_relabels_in_the_order_given():
    X = np.arange(6)[:, None] * np.ones((1, 3))
    y = np.array([5, 1, 9, 5, 7, 0])
    X_sub, y_sub = tl.digit_subset(X, y, (9, 5))
    np.testing.assert_array_equal(X_sub[:, 0], [0, 2, 3])
    np.testing.assert_array_equal(y_sub, [1, 0, 1])
    assert y_sub.dtype == np.int64
    np.testing.assert_array_equal(tl.digit_subset(X, y, (9, 5), relabel=False)[1], [5, 9, 5])


def test_few_shot_draws_n_of_each_class_seeded(splits):
    X, y = tl.digit_subset(splits.X_train, splits.y_train, tl.TRANSFER_DIGITS)
    X_a, y_a = tl.few_shot(X, y, 10, seed=0)
    X_b, y_b = tl.few_shot(X, y, 10, seed=0)
    X_c, _ = tl.few_shot(X, y, 10, seed=1)
    assert X_a.shape == (50, 784) and np.bincount(y_a).tolist() == [10] * 5
    np.testing.assert_array_equal(X_a, X_b)
    assert not np.array_equal(X_a, X_c)


def test_fine_tuning_the_last_layer_moves_only_the_new_classifier(few):
    X, y = few
    pretrained = load_mnist_cnn("cnn_digits04")
    before = {k: v.clone() for k, v in pretrained.state_dict().items()}
    tuned = tl.fine_tune(pretrained, X, y, train="last_layer", epochs=2, seed=0)
    assert tuned is not pretrained and tuned.fc.out_features == 5 and not tuned.training
    for name, value in pretrained.state_dict().items():  # the original is untouched
        assert torch.equal(value, before[name]), name
    for name, value in tuned.state_dict().items():
        if not name.startswith("fc."):
            assert torch.equal(value, before[name]), name  # frozen
    assert all(p.requires_grad for p in tuned.parameters())  # trainable again afterwards
    everything = tl.fine_tune(pretrained, X, y, train="all", epochs=2, seed=0)
    assert not torch.equal(everything.conv1.weight, before["conv1.weight"])


def test_fine_tuning_is_seeded(few):
    X, y = few
    a, b = (tl.fine_tune(build_mnist_cnn(0), X, y, train="all", epochs=2, seed=3) for _ in range(2))
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_the_pretrained_network_beats_training_from_scratch_on_seed_0():
    """The notebook's experiment on one seed (three seeds there). Measured over seeds 0-9 (stored results):
    the last layer alone beat scratch on every seed."""
    results = tl.transfer_experiment(seeds=(0,))
    assert results.n_test == 500 and results.seeds == (0,) and results.n_per_class == 10
    assert set(results.accuracy) == {"scratch", "last_layer", "all"}
    assert results.accuracy["last_layer"][0] >= results.accuracy["scratch"][0] + 0.03
    assert results.accuracy["all"][0] >= results.accuracy["scratch"][0] + 0.03
    stored = stored_cnn_results()["transfer"]
    assert results.accuracy["last_layer"][0] == pytest.approx(stored["accuracy"]["last_layer"][0], abs=0.03)


def test_the_stored_transfer_results_hold_on_every_seed():
    stored = stored_cnn_results()["transfer"]
    assert (stored["n_per_class"], stored["epochs"], stored["lr"]) == (10, 10, 3e-3)
    assert stored["min_gap"]["last_layer"] > 0 and stored["min_gap"]["all"] > 0
    assert stored["mean"]["last_layer"] > stored["mean"]["scratch"] + 0.05


def test_the_pretrained_model_was_trained_on_0_to_4_only(splits):
    model = load_mnist_cnn("cnn_digits04")
    X, y = tl.digit_subset(splits.X_test, splits.y_test, tl.PRETRAIN_DIGITS)
    assert score_mnist_cnn(model, X, y) >= 0.97
