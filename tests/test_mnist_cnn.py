"""utils.mnist_cnn: the network and its shapes, seeded training on one thread, the shipped weights (loaded with
weights_only=True, >= 96% on the MNIST-5k test split) and their NumPy twin (float64 logits equal PyTorch's to
~1e-10; the same label for every test image)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch

from utils import mnist_cnn
from utils.data import DataSplits, load_mnist5k
from utils.device import one_blas_thread
from utils.mnist_cnn import (
    CNN_RECIPE,
    SHIPPED_CNNS,
    as_images,
    build_mnist_cnn,
    load_mnist_cnn,
    predict_labels,
    save_mnist_cnn,
    shipped_cnn_metadata,
    to_numpy_cnn,
    train_mnist_cnn,
)


@pytest.fixture(scope="module")
def splits() -> DataSplits:
    return load_mnist5k(0)


@pytest.fixture(scope="module")
def shipped():
    return load_mnist_cnn()


def tiny_splits(splits: DataSplits, n_train: int = 200) -> DataSplits:
    """The first n_train training images, 100 validation and 100 test images: a quick real split."""
    return DataSplits(splits.X_train[:n_train], splits.y_train[:n_train], splits.X_val[:100], splits.y_val[:100],
                      splits.X_test[:100], splits.y_test[:100])


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------
def test_the_network_has_34826_parameters_and_maps_images_to_ten_logits():
    model = build_mnist_cnn(0)
    assert sum(p.numel() for p in model.parameters()) == mnist_cnn.MNIST_CNN_PARAMETERS == 34_826
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert [name for name, _ in model.named_children()] == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                                             "dropout", "flatten", "fc"]


def test_feature_maps_have_the_documented_shapes(shipped, splits):
    maps = mnist_cnn.feature_maps(shipped, splits.X_test[0])
    assert [(m.name, m.maps.shape) for m in maps] == [
        ("conv1", (32, 26, 26)), ("relu1", (32, 26, 26)), ("pool1", (32, 13, 13)),
        ("conv2", (64, 11, 11)), ("relu2", (64, 11, 11)), ("pool2", (64, 5, 5))]
    assert all(m.maps.dtype == np.float32 for m in maps) and maps[1].maps.min() >= 0


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def test_the_recipe_is_the_issues():
    assert (CNN_RECIPE.epochs, CNN_RECIPE.lr, CNN_RECIPE.batch_size, CNN_RECIPE.schedule, CNN_RECIPE.optimizer) == \
        (12, 3e-3, 64, "one_cycle", "adam")
    with pytest.raises(dataclasses.FrozenInstanceError):
        CNN_RECIPE.epochs = 3


def test_training_is_seeded_learns_and_leaves_the_global_generator_alone(splits):
    part = tiny_splits(splits)
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    model_a, log_a, acc_a = train_mnist_cnn(seed=1, splits=part, epochs=2, device="cpu")
    assert torch.rand(1) == expected_next  # dropout drew from its own seeded state
    model_b, log_b, acc_b = train_mnist_cnn(seed=1, splits=part, epochs=2, device="cpu")
    np.testing.assert_array_equal(log_a.train_loss, log_b.train_loss)
    assert acc_a == acc_b
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(p, q)
    assert log_a.epochs_run == 2 and log_a.val_metric.shape == (2,) and not model_a.training
    assert log_a.train_loss[1] < log_a.train_loss[0]
    assert acc_a > 0.15  # 200 images, 2 epochs: above chance (0.1)
    _, log_c, _ = train_mnist_cnn(seed=2, splits=part, epochs=2, device="cpu")
    assert not np.array_equal(log_a.train_loss, log_c.train_loss)


def test_the_epoch_by_epoch_loop_is_the_training_run(splits):
    part = tiny_splits(splits, 100)
    steps = list(mnist_cnn.cnn_training_epochs(seed=0, splits=part, epochs=2, device="cpu"))
    assert [log.epochs_run for _, log in steps] == [1, 2]
    _, log, _ = train_mnist_cnn(seed=0, splits=part, epochs=2, device="cpu")
    np.testing.assert_array_equal(steps[-1][1].val_loss, log.val_loss)


# ---------------------------------------------------------------------------------------------
# The shipped weights
# ---------------------------------------------------------------------------------------------
def test_the_shipped_files_are_small_and_hold_tensors_and_plain_values_only():
    for name, path in SHIPPED_CNNS.items():
        assert path.exists() and path.stat().st_size < 200_000, name
        checkpoint = torch.load(path, weights_only=True)
        assert set(checkpoint) == {"state_dict", "metadata"}
        assert all(v.dtype == torch.float32 for v in checkpoint["state_dict"].values())
        meta = shipped_cnn_metadata(name)
        assert meta["name"] == name and meta["command"] == f"python -m utils.pretrained build {name}"
        assert meta["recipe_epochs"] == CNN_RECIPE.epochs == meta["epochs_run"]


def test_the_shipped_cnn_reaches_96_percent_on_the_test_split(shipped, splits):
    accuracy = mnist_cnn.score_mnist_cnn(shipped, splits.X_test, splits.y_test)
    assert accuracy >= 0.96
    assert accuracy == pytest.approx(shipped_cnn_metadata()["test_accuracy"], abs=0.002)
    assert not shipped.training


def test_the_digits04_cnn_knows_0_to_4(splits):
    model = load_mnist_cnn("cnn_digits04")
    meta = shipped_cnn_metadata("cnn_digits04")
    assert meta["digits"] == [0, 1, 2, 3, 4]
    low = splits.y_test < 5
    assert mnist_cnn.score_mnist_cnn(model, splits.X_test[low], splits.y_test[low]) >= 0.97
    assert np.all(predict_labels(model, splits.X_test[~low]) < 5)  # it never saw a 5-9: it answers 0-4


def test_a_saved_model_round_trips_and_a_payload_is_refused(tmp_path, splits):
    model = build_mnist_cnn(3).eval()
    path = save_mnist_cnn(model, {"note": "test", "digits": [1, 2], "torch": torch.__version__}, tmp_path / "m.pt")
    loaded = load_mnist_cnn(str(path))
    np.testing.assert_array_equal(predict_labels(loaded, splits.X_test[:50]), predict_labels(model, splits.X_test[:50]))
    assert shipped_cnn_metadata(str(path))["torch"] == str(torch.__version__)

    class Payload:
        def __reduce__(self):
            return print, ("the payload ran",)

    torch.save({"state_dict": model.state_dict(), "metadata": {"x": Payload()}}, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="refused"):
        load_mnist_cnn(str(tmp_path / "bad.pt"))
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a CNN file"):
        load_mnist_cnn(str(tmp_path / "other.pt"))


# ---------------------------------------------------------------------------------------------
# The NumPy twin
# ---------------------------------------------------------------------------------------------
def test_the_numpy_twin_has_the_courses_layers():
    twin = to_numpy_cnn(build_mnist_cnn(0))
    assert [type(m).__name__ for m in twin.children()] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                                           "MaxPool2d", "Dropout", "Flatten", "Linear"]
    assert not twin.training
    assert sum(p.data.size for p in twin.parameters()) == mnist_cnn.MNIST_CNN_PARAMETERS


def test_the_numpy_twin_equals_pytorch_in_float64(shipped, splits):
    twin = to_numpy_cnn(shipped)
    images = as_images(splits.X_test[:64])
    with one_blas_thread():
        ours = twin(images)
    with torch.no_grad():
        theirs = copy.deepcopy(shipped).double()(torch.from_numpy(images.astype(np.float64))).numpy()
    assert ours.dtype == np.float64 and ours.shape == (64, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_the_numpy_twin_predicts_the_same_label_for_every_test_image(shipped, splits):
    """float64 NumPy against float32 PyTorch on the 1,000 test images: measured 0 disagreements (the closest
    call, the smallest gap between the two largest logits, is ~0.018, far above float32's rounding)."""
    with one_blas_thread():
        logits = to_numpy_cnn(shipped)(as_images(splits.X_test))
    np.testing.assert_array_equal(logits.argmax(axis=1), predict_labels(shipped, splits.X_test))


# ---------------------------------------------------------------------------------------------
# Stored measurements
# ---------------------------------------------------------------------------------------------
def test_the_stored_results_back_what_the_chapter_says():
    results = mnist_cnn.stored_cnn_results()
    cnn = results["cnn"]
    assert cnn["recipe"] == dataclasses.asdict(CNN_RECIPE) and cnn["parameters"] == 34_826
    assert cnn["seeds"]["split"] == 0 and cnn["seeds"]["seeds"] == [0, 1, 2, 3, 4]
    assert cnn["seeds"]["min"] >= 0.96 and cnn["splits"]["min"] >= 0.96
    assert cnn["seeds"]["test_accuracy"][0] == shipped_cnn_metadata()["test_accuracy"]  # the shipped model's run
    assert all(len(values) == CNN_RECIPE.epochs for values in cnn["curves"].values())
    assert results["numpy_twin"]["disagreements"] == 0 and results["numpy_twin"]["n_test"] == 1000
    keras = results.get("classic_keras_cnn")
    if keras is not None:
        assert keras["parameters"] == 93_322 and len(keras["test_accuracy"]) == 5


def test_missing_stored_results_say_how_to_regenerate(tmp_path):
    with pytest.raises(ValueError, match="python benchmarks/measure_cnn_chapter.py"):
        mnist_cnn.stored_cnn_results(tmp_path / "none.json")
    (tmp_path / "partial.json").write_text('{"measured": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="lack cnn, transfer, numpy_twin"):
        mnist_cnn.stored_cnn_results(tmp_path / "partial.json")
