"""utils.mnist_mlp: the classic MNIST MLP (its 109,386 parameters and summary), the recipes' data preparation
(standardised with the training images' statistics only), seeded training on one thread, and the stored results."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from utils import mnist_mlp
from utils.data import DataSplits
from utils.mnist_mlp import (
    CLASSIC_KERAS_RECIPE,
    COURSE_RECIPE,
    MnistRecipe,
    build_mnist_mlp,
    model_summary,
    prepare_splits,
    score_mnist_mlp,
    stored_results,
    train_mnist_mlp,
)


def small_splits(seed: int = 0, shift: float = 0.0) -> DataSplits:
    """A tiny synthetic split (classes 0..9 as bright blocks of pixels): 200 / 40 / 60 images; ``shift`` is added
    to the test images only (a test set whose mean differs from the training set's)."""
    rng = np.random.default_rng(seed)

    def part(n):
        y = np.arange(n) % 10
        X = rng.uniform(0.0, 0.2, size=(n, 784)).astype(np.float32)
        for k in range(10):
            X[y == k, k * 78:(k + 1) * 78] += 0.7
        return X, y.astype(np.int64)

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = part(200), part(40), part(60)
    return DataSplits(X_train, y_train, X_val, y_val, (X_test + shift).astype(np.float32), y_test)


# ---------------------------------------------------------------------------------------------
# The network and its summary
# ---------------------------------------------------------------------------------------------
def test_the_network_has_the_classic_shape_and_109386_parameters():
    model = build_mnist_mlp(seed=0)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 128), (128, 64), (64, 10)]
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert sum(p.numel() for p in model.parameters()) == mnist_mlp.MNIST_MLP_PARAMETERS == 109_386
    assert model(torch.zeros(3, 784)).shape == (3, 10)


def test_a_seed_fixes_the_weights_without_touching_the_global_generator():
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a, b, c = build_mnist_mlp(seed=5), build_mnist_mlp(seed=5), build_mnist_mlp(seed=6)
    assert torch.rand(1) == expected_next  # the global generator was not consumed
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


def test_model_summary_lines():
    lines = model_summary(build_mnist_mlp(seed=0)).splitlines()
    assert lines[0].split() == ["Layer", "Output", "shape", "Param", "#"]
    assert set(lines[1]) == {"="} and lines[1] == lines[7]
    assert [line.split() for line in lines[2:7]] == [
        ["Linear(784,", "128)", "(N,", "128)", "100,480"], ["ReLU()", "(N,", "128)", "0"],
        ["Linear(128,", "64)", "(N,", "64)", "8,256"], ["ReLU()", "(N,", "64)", "0"],
        ["Linear(64,", "10)", "(N,", "10)", "650"]]
    assert lines[8:] == ["Total params: 109,386", "Trainable params: 109,386", "Non-trainable params: 0"]
    assert len({len(line) for line in lines[:8]}) == 1  # the columns line up


def test_model_summary_counts_frozen_parameters_and_other_widths():
    model = build_mnist_mlp(seed=0, hidden=(32,))
    model[0].requires_grad_(False)
    text = model_summary(model)
    assert "Total params: 25,450" in text and "Trainable params: 330" in text and "Non-trainable params: 25,120" in text
    assert model.training  # the summary's forward pass left the mode alone


# ---------------------------------------------------------------------------------------------
# Recipes and their data
# ---------------------------------------------------------------------------------------------
def test_the_two_recipes():
    assert (COURSE_RECIPE.preprocessing, COURSE_RECIPE.schedule, COURSE_RECIPE.epochs) == ("standardise",
                                                                                          "one_cycle", 20)
    assert COURSE_RECIPE.validation_split is None and COURSE_RECIPE.hidden == (128, 64)
    keras = CLASSIC_KERAS_RECIPE
    assert (keras.preprocessing, keras.lr, keras.schedule, keras.epochs, keras.batch_size, keras.validation_split) == (
        "divide_by_255", 1e-3, None, 10, 32, 0.2)
    with pytest.raises(ValueError, match="validation_split must be None or a fraction in \\(0, 1\\), got 1.0"):
        MnistRecipe(validation_split=1.0)


def test_standardisation_uses_the_training_images_only():
    splits = small_splits(shift=0.5)  # the test images are brighter on average
    data = prepare_splits(COURSE_RECIPE, splits)
    mean, std = splits.X_train.astype(np.float64).mean(), splits.X_train.astype(np.float64).std()
    assert data.X_train.mean(dtype=np.float64) == pytest.approx(0.0, abs=1e-6)
    assert data.X_train.std(dtype=np.float64) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(data.X_test, (splits.X_test - mean) / std, rtol=1e-5, atol=1e-5)
    assert data.X_test.mean(dtype=np.float64) == pytest.approx(0.5 / std, rel=1e-3)  # not re-centred on itself
    np.testing.assert_allclose(data.X_val, (splits.X_val - mean) / std, rtol=1e-5, atol=1e-5)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    changed = prepare_splits(COURSE_RECIPE, splits._replace(X_test=splits.X_test + 1.0, X_val=splits.X_val * 2))
    np.testing.assert_array_equal(changed.X_train, data.X_train)  # validation and test images change nothing


def test_the_keras_recipe_keeps_the_pixels_and_holds_out_the_last_fifth():
    splits = small_splits()
    data = prepare_splits(CLASSIC_KERAS_RECIPE, splits)
    joined = np.concatenate([splits.X_train, splits.X_val])  # 240 images: 192 to train on, the last 48 to validate
    np.testing.assert_array_equal(data.X_train, joined[:192])
    np.testing.assert_array_equal(data.X_val, joined[192:])
    np.testing.assert_array_equal(data.y_val, np.concatenate([splits.y_train, splits.y_val])[192:])
    np.testing.assert_array_equal(data.X_test, splits.X_test)


def test_train_mnist_mlp_tests_on_images_standardised_with_the_training_statistics():
    splits = small_splits(shift=0.3)
    recipe = dataclasses.replace(COURSE_RECIPE, epochs=2, batch_size=50)
    model, log, accuracy = train_mnist_mlp(recipe, seed=0, splits=splits, device="cpu")
    train_mean, train_std = splits.X_train.mean(dtype=np.float64), splits.X_train.std(dtype=np.float64)

    def score_with(mean, std):
        return score_mnist_mlp(model, (splits.X_test - mean) / std, splits.y_test)

    assert accuracy == score_with(train_mean, train_std)
    test_mean, test_std = splits.X_test.mean(dtype=np.float64), splits.X_test.std(dtype=np.float64)
    assert score_with(test_mean, test_std) != accuracy  # the test set's own statistics would give another score
    assert log.epochs_run == 2 and log.val_metric.shape == (2,) and log.best_epoch in (0, 1)


def test_training_is_deterministic_for_a_seed():
    splits = small_splits()
    recipe = dataclasses.replace(COURSE_RECIPE, epochs=2, batch_size=64, hidden=(16,))
    threads = torch.get_num_threads()
    a, log_a, acc_a = train_mnist_mlp(recipe, seed=3, splits=splits, device="cpu")
    assert torch.get_num_threads() == threads  # one thread inside, the caller's count restored
    b, log_b, acc_b = train_mnist_mlp(recipe, seed=3, splits=splits, device="cpu")
    c, log_c, _ = train_mnist_mlp(recipe, seed=4, splits=splits, device="cpu")
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    np.testing.assert_array_equal(log_a.train_loss, log_b.train_loss)
    assert acc_a == acc_b and not np.array_equal(log_a.train_loss, log_c.train_loss)


def test_a_short_run_of_each_recipe_learns():
    splits = small_splits()
    for recipe in (COURSE_RECIPE, CLASSIC_KERAS_RECIPE):
        short = dataclasses.replace(recipe, epochs=3, hidden=(32,))
        model, log, accuracy = train_mnist_mlp(short, seed=0, splits=splits, device="cpu")
        assert log.train_loss[-1] < log.train_loss[0] and accuracy > 0.9, recipe.name
        assert not model.training


def test_the_epoch_generator_yields_a_growing_log_and_the_same_model():
    splits = small_splits()
    steps = list(mnist_mlp.mnist_training_epochs(dataclasses.replace(COURSE_RECIPE, epochs=3, hidden=(8,)),
                                                 splits=splits, device="cpu"))
    assert [log.epochs_run for _, log in steps] == [1, 2, 3]
    assert steps[0][0] is steps[2][0]
    np.testing.assert_array_equal(steps[1][1].val_loss, steps[2][1].val_loss[:2])
    assert steps[2][1].best_epoch == int(np.argmin(steps[2][1].val_loss))


# ---------------------------------------------------------------------------------------------
# Stored results
# ---------------------------------------------------------------------------------------------
def test_the_stored_results_hold_what_the_chapter_needs():
    results = stored_results()
    assert results["measured"]["cpu_count"] >= 1 and results["measured"]["torch"].startswith("2.")
    for name in ("course", "classic Keras"):
        recipe = results["recipes"][name]
        accuracies = recipe["test_accuracy"]
        assert len(accuracies) == len(recipe["seeds"]) == 5
        assert recipe["min"] == min(accuracies) and recipe["max"] == max(accuracies)
        assert recipe["mean"] == pytest.approx(np.mean(accuracies), abs=1e-4)
        p = recipe["mean"]
        assert recipe["ci95_half_width"] == pytest.approx(1.96 * np.sqrt(p * (1 - p) / recipe["n_test"]), abs=1e-4)
    assert results["recipes"]["course"]["recipe"] == {**dataclasses.asdict(COURSE_RECIPE), "hidden": [128, 64]}
    curve = results["learning_curve"]
    assert all(len(curve[k]) == len(curve["sizes"]) for k in ("mlp", "svm_rbf", "random_forest"))
    assert {(row["optimizer"], row["activation"]) for row in results["auto_mpg"]["grid"]} == {
        ("adam", "relu"), ("adam", "tanh"), ("sgd", "relu"), ("sgd", "tanh")}


def test_stored_results_refuses_a_damaged_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"recipes": {}}))
    with pytest.raises(ValueError, match="lack measured, baselines, learning_curve, auto_mpg"):
        stored_results(path)
    with pytest.raises(ValueError, match="cannot read the stored results"):
        stored_results(tmp_path / "missing.json")
