"""The shipped digit recognizer: it loads without pickle, is small, has the course's layout, reaches ≥ 95% test
accuracy with the NumPy forward pass (the same as PyTorch's), and its training script reproduces that accuracy
within a tolerance (not the exact weights, which differ between CPUs)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import torch

from utils import pretrained as pretrained
from utils.data import digits_split
from utils.network import forward, to_torch

TOLERANCE = 0.02  # retrained vs shipped test accuracy (450 test images: 9 images)


@pytest.fixture(scope="module")
def shipped():
    return pretrained.load_digits_mlp()


@pytest.fixture(scope="module")
def test_split():
    _, X_test, _, y_test = digits_split()
    return X_test, y_test


def test_the_asset_is_package_data_next_to_the_module():
    assert pretrained.ASSET.parent.parent == __import__("pathlib").Path(pretrained.__file__).parent
    assert pretrained.ASSET.name == "digits_mlp.npz" and pretrained.ASSET.exists()
    assert pretrained.ASSET.stat().st_size < 60_000  # a few tens of KB


def test_the_asset_holds_plain_arrays_only(shipped):
    with zipfile.ZipFile(pretrained.ASSET) as archive:
        assert sorted(archive.namelist()) == sorted(f"{k}.npy" for k in ["W1", "b1", "W2", "b2", "W3", "b3", "meta"])
    with np.load(pretrained.ASSET, allow_pickle=False) as data:  # would raise on any object array
        assert all(data[k].dtype == np.float32 for k in data.files if k != "meta")
        meta = json.loads(str(data["meta"]))
    assert meta["layer_sizes"] == [64, 50, 100, 10]
    assert meta["config"] == {**pretrained.TrainConfig().__dict__}


def test_shipped_parameters_have_the_course_layout(shipped):
    shapes = {k: v.shape for k, v in shipped.params.items()}
    assert list(shapes) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert shapes == {"W1": (50, 64), "b1": (50,), "W2": (100, 50), "b2": (100,), "W3": (10, 100), "b3": (10,)}
    assert all(v.dtype == np.float64 for v in shipped.params.values())
    assert shipped.activations == ("sigmoid", "sigmoid", "identity")


def test_shipped_model_reaches_95_percent_with_the_numpy_forward_pass(shipped, test_split):
    X_test, y_test = test_split
    acc = shipped.score(X_test, y_test)
    assert acc >= 0.95
    assert acc == pytest.approx(shipped.meta["test_accuracy"], abs=0.005)  # float64 NumPy vs float32 PyTorch


def test_numpy_forward_equals_torch_on_the_shipped_weights(shipped, test_split):
    X_test, _ = test_split
    ours = forward(X_test, shipped.params, shipped.activations)
    theirs = to_torch(shipped.params, shipped.activations)(torch.from_numpy(X_test)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("batch_size", [1, 7, 256, 10_000])
def test_batched_prediction_does_not_depend_on_the_batch_size(shipped, test_split, batch_size):
    X_test, _ = test_split
    full = forward(X_test, shipped.params, shipped.activations).argmax(axis=1)
    np.testing.assert_array_equal(shipped.predict(X_test, batch_size=batch_size), full)


def test_retraining_reproduces_the_accuracy_within_a_tolerance(shipped, test_split, tmp_path):
    retrained = pretrained.train_digits_mlp()
    X_test, y_test = test_split
    acc = retrained.score(X_test, y_test)
    assert acc >= 0.95
    assert abs(acc - shipped.meta["test_accuracy"]) <= TOLERANCE
    saved = pretrained.load_digits_mlp(
        pretrained.save_digits_mlp(retrained, tmp_path / "m.npz")
    )  # round trip through the file
    assert saved.activations == retrained.activations
    for k, v in retrained.params.items():
        np.testing.assert_allclose(saved.params[k], v, rtol=1e-6, atol=1e-7)  # float32 storage


def test_the_command_line_shows_and_retrains(tmp_path, capsys):
    path = tmp_path / "model.npz"
    assert pretrained.main(["--retrain", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "trained and wrote" in out and "64 -> 50 -> 100 -> 10" in out and "test accuracy" in out
    assert path.exists()


def test_missing_or_broken_files_give_clear_errors(tmp_path, shipped):
    with pytest.raises(FileNotFoundError, match="--retrain"):
        pretrained.load_digits_mlp(tmp_path / "nope.npz")
    broken = pretrained.DigitsMLP({**shipped.params, "W2": shipped.params["W2"].T}, shipped.activations, shipped.meta)
    with pytest.raises(ValueError, match="W2"):
        pretrained.save_digits_mlp(broken, tmp_path / "broken.npz")
    with pytest.raises(ValueError, match="hidden must be"):
        pretrained.train_digits_mlp(pretrained.TrainConfig(hidden="swish"))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\).*\(2,\)"):
        shipped.score(np.zeros((3, 64)), [1, 2])


def test_the_command_line_lists_every_shipped_model(capsys):
    assert pretrained.main([]) == 0
    out = capsys.readouterr().out
    assert "digits_mlp: 64 -> 50 -> 100 -> 10" in out
    assert "cnn5k: the MNIST CNN trained on the digits 0-9" in out and "cnn_digits04: " in out and "0-4" in out


def test_build_cnn5k_writes_a_file_load_mnist_cnn_reads(tmp_path, capsys):
    """One epoch (a quick check of the command): the shipped model is 12 (``python -m utils.pretrained build
    cnn5k``)."""
    from utils.mnist_cnn import load_mnist_cnn, shipped_cnn_metadata

    path = tmp_path / "cnn.pt"
    assert pretrained.main(["build", "cnn5k", "--epochs", "1", "--path", str(path)]) == 0
    assert "trained and wrote cnn5k" in capsys.readouterr().out
    meta = shipped_cnn_metadata(str(path))
    assert meta["epochs_run"] == 1 and meta["seed"] == 0 and meta["split_seed"] == 0 and meta["test_accuracy"] > 0.5
    assert not load_mnist_cnn(str(path)).training


def test_build_needs_a_known_name_and_retrain_stays_an_alias(capsys):
    with pytest.raises(SystemExit):
        pretrained.main(["build", "resnet"])
    assert "expected `build NAME` with NAME one of digits_mlp, cnn5k, cnn_digits04" in capsys.readouterr().err
    assert pretrained.BUILDS == ("digits_mlp", "cnn5k", "cnn_digits04")
