"""Small, fast experiments on over- and underfitting (Chapter 07), each well under a second in NumPy.

- ``capacity_sweep(degrees, ...) -> CapacitySweep``: polynomials of growing degree fitted by least squares to a few
  noisy samples of a smooth curve: the training error falls to 0 as the degree reaches the number of points, the
  validation error falls, then rises (overfitting). The bias–variance picture in one figure.
- ``l2_penalty(params, lam) -> (penalty, grads)``: the L2 penalty ``(λ/2) Σ‖w‖²`` and its gradient ``λ w``, which
  is exactly what ``torch.optim.SGD(..., weight_decay=λ)`` adds to each parameter's gradient.
- ``shift_images(X, dx, dy)``, ``random_shifts(X, rng, max_shift)``, ``augment_shifts(X, y, rng, ...)``: data
  augmentation by small translations of digit images, the empty border filled with zeros.
- ``double_descent(...) -> DoubleDescent``: random ReLU features fitted by minimum-norm least squares, for a
  growing number of features p: the test error peaks where p reaches the number of training points n (the
  interpolation point: one solution fits the noise exactly, with huge weights), then falls again as p grows.

Every experiment is deterministic: its randomness comes from ``np.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .module import Parameter, check_number, check_positive_int, check_rng, check_seed, to_float64

__all__ = ["CapacitySweep", "DoubleDescent", "augment_shifts", "capacity_sweep", "double_descent", "l2_penalty",
           "polynomial_features", "random_shifts", "shift_images"]


# ---------------------------------------------------------------------------------------------
# A capacity sweep: polynomial degree against training and validation error
# ---------------------------------------------------------------------------------------------
def _curve(x: np.ndarray) -> np.ndarray:
    """The smooth curve the samples come from: sin(πx) + x/2 on [−1, 1]."""
    return np.sin(np.pi * x) + 0.5 * x


def polynomial_features(x, degree: int) -> np.ndarray:
    """The Legendre polynomials P_0(x) … P_degree(x) of each x in [−1, 1], as columns (a well-conditioned basis of
    the polynomials of that degree: fitting on it gives the same curve as on 1, x, x², …, with fewer rounding
    errors).

    Shapes: x (N,) -> (N, degree + 1)

    Raises:
        ValueError: for x not 1-D real numbers, or degree not an integer >= 0.
    """
    x = to_float64(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, shape (N,), got shape {x.shape}")
    degree = check_seed(degree, "degree")
    return np.polynomial.legendre.legvander(x, degree)


@dataclass
class CapacitySweep:
    """What ``capacity_sweep`` measured, for D degrees (fields are arrays).

    Fields:
        degrees: (D,) the polynomial degrees (a degree-k polynomial has k + 1 coefficients).
        train_mse, val_mse: (D,) mean squared error on the training points and on the validation points.
        x_train, y_train: (n_train,) the noisy training samples; x_val, y_val: (n_val,) the validation samples.
        x_grid: (G,) points of [−1, 1]; fits: (D, G) each fitted polynomial on the grid; truth: (G,) the curve.
        noise: the standard deviation of the noise added to the samples.
    """

    degrees: np.ndarray
    train_mse: np.ndarray
    val_mse: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_grid: np.ndarray
    fits: np.ndarray
    truth: np.ndarray
    noise: float

    @property
    def best_degree(self) -> int:
        """The degree with the lowest validation error."""
        return int(self.degrees[np.argmin(self.val_mse)])


def capacity_sweep(degrees=range(12), n_train: int = 12, n_val: int = 200, noise: float = 0.25,
                   seed: int = 0) -> CapacitySweep:
    """Fit a polynomial of each degree in ``degrees`` by least squares to ``n_train`` noisy samples of a smooth
    curve (sin(πx) + x/2, x uniform in [−1, 1], Gaussian noise of std ``noise``); measure the mean squared error on
    those points and on ``n_val`` fresh samples drawn the same way (validation).

    From degree n_train − 1 on, the polynomial passes through every training point (training error ~0): it fits
    the noise, and the validation error grows. Deterministic for a ``seed``. ~2 ms.

    Raises:
        ValueError: for degrees not a non-empty sequence of integers >= 0, n_train or n_val not positive
            integers, noise < 0, or a bad seed.
    """
    try:
        degrees = np.array([check_seed(k, "each degree") for k in degrees], dtype=np.int64)
    except TypeError:
        raise ValueError(f"degrees must be a sequence of integers >= 0 such as range(12), got {degrees!r}") from None
    if degrees.size == 0:
        raise ValueError("degrees must hold at least one degree, got an empty sequence")
    n_train, n_val = check_positive_int(n_train, "n_train"), check_positive_int(n_val, "n_val")
    noise = check_number(noise, "noise", at_least=0)
    rng = np.random.default_rng(check_seed(seed))
    x_train, x_val = rng.uniform(-1, 1, n_train), rng.uniform(-1, 1, n_val)
    y_train = _curve(x_train) + noise * rng.normal(size=n_train)
    y_val = _curve(x_val) + noise * rng.normal(size=n_val)
    x_grid = np.linspace(-1, 1, 200)
    train_mse, val_mse, fits = [], [], []
    for k in degrees:
        coef = np.linalg.lstsq(polynomial_features(x_train, int(k)), y_train, rcond=None)[0]
        train_mse.append(np.mean((polynomial_features(x_train, int(k)) @ coef - y_train) ** 2))
        val_mse.append(np.mean((polynomial_features(x_val, int(k)) @ coef - y_val) ** 2))
        fits.append(polynomial_features(x_grid, int(k)) @ coef)
    return CapacitySweep(degrees, np.array(train_mse), np.array(val_mse), x_train, y_train, x_val, y_val, x_grid,
                         np.array(fits), _curve(x_grid), noise)


# ---------------------------------------------------------------------------------------------
# The L2 penalty
# ---------------------------------------------------------------------------------------------
def l2_penalty(params, lam: float) -> tuple[float, list[np.ndarray]]:
    """The L2 penalty of ``params`` and its gradient with respect to each of them::

        penalty = (λ/2) · Σ_k ‖w_k‖²           (the sum of the squares of every number of every parameter)
        ∂penalty/∂w_k = λ · w_k

    With the ½, the gradient is λ·w: exactly what ``torch.optim.SGD(params, lr, weight_decay=λ)`` adds to each
    gradient before its step (``g ← g + λ w``), so training on ``loss + penalty`` with plain SGD takes the same
    steps as SGD with ``weight_decay=λ`` on ``loss``. (For Adam the two differ: see Chapter 05 on AdamW.) Biases are
    penalized too if they are in ``params``; PyTorch's ``weight_decay`` decays every parameter it is given.

    Args:
        params: a list of arrays or ``Parameter``s (their ``.data``), e.g. ``model.parameters()``; a single array
            counts as one parameter.
        lam: λ >= 0, the strength (PyTorch's ``weight_decay``).

    Returns:
        ``(penalty, grads)``: a float, and a list of arrays, one per parameter, each of its shape.

    Raises:
        ValueError: for lam not a number >= 0, an empty params, or a parameter that is not an array of numbers.
    """
    lam = check_number(lam, "lam (λ, the weight decay)", at_least=0)
    if isinstance(params, (np.ndarray, Parameter)):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise ValueError(f"params must be a list of arrays or Parameters, got {type(params).__name__}") from None
    if not params:
        raise ValueError("params must hold at least one array or Parameter, got an empty list")
    arrays = [to_float64(p.data if isinstance(p, Parameter) else p, f"params[{i}]") for i, p in enumerate(params)]
    penalty = 0.5 * lam * sum(float(np.sum(w * w)) for w in arrays)
    return penalty, [lam * w for w in arrays]


# ---------------------------------------------------------------------------------------------
# Augmentation: shifted images
# ---------------------------------------------------------------------------------------------
def _as_stack(X, side):
    """(images (N, H, W) float64, how to give them back) for X (N, H, W) or flattened (N, H·W) with ``side``."""
    X = to_float64(X, "X")
    if X.ndim == 3:
        if side is not None:
            raise ValueError(f"side is only for flattened images (N, side²); X already has shape {X.shape}, "
                             f"got side={side!r}")
        return X, X.shape
    if X.ndim != 2:
        raise ValueError(f"X must be images (N, H, W) or flattened images (N, side²), got shape {X.shape}")
    if side is None:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError(f"X has {X.shape[1]} pixels per image, not a square number: give side (X of shape "
                             f"{X.shape})")
    side = check_positive_int(side, "side")
    if side * side != X.shape[1]:
        raise ValueError(f"side must be the image's side, side² = {X.shape[1]} pixels per row of X; got side={side}")
    return X.reshape(len(X), side, side), X.shape


def _check_shifts(d, n: int, name: str) -> np.ndarray:
    d_arr = np.asarray(d)
    if d_arr.dtype.kind not in "iu" or d_arr.shape not in ((), (n,)):
        raise ValueError(f"{name} must be an integer or an integer array of shape (N,) = ({n},), one shift per "
                         f"image; got {d!r}" if d_arr.size < 6 else f"; got an array of shape {d_arr.shape}, "
                         f"dtype {d_arr.dtype}")
    return np.broadcast_to(d_arr.astype(np.int64), (n,))


def shift_images(X, dx, dy, side: int | None = None) -> np.ndarray:
    """Translate each image by ``dx`` pixels to the right and ``dy`` pixels down; pixels shifted in from outside are 0.

    ``out[n, i, j] = X[n, i − dy, j − dx]`` where that pixel exists, else 0 (a negative dx moves left, a negative dy
    up). ``dx`` and ``dy`` are integers, or integer arrays (N,) to shift each image by its own amount.

    Shapes: X (N, H, W) -> (N, H, W); or flattened X (N, side²) -> (N, side²) (``side`` None: √(pixels per row)).

    Raises:
        ValueError: for X not (N, H, W) or (N, side²), a side that does not match, or dx, dy not integers (or (N,)).
    """
    images, shape = _as_stack(X, side)
    n, h, w = images.shape
    dx, dy = _check_shifts(dx, n, "dx"), _check_shifts(dy, n, "dy")
    rows = np.arange(h)[None, :] - dy[:, None]  # (N, H): the source row of each output row
    cols = np.arange(w)[None, :] - dx[:, None]  # (N, W)
    keep = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    source = images[np.arange(n)[:, None, None], np.clip(rows, 0, h - 1)[:, :, None],
                    np.clip(cols, 0, w - 1)[:, None, :]]
    return np.where(keep, source, 0.0).reshape(shape)


def random_shifts(X, rng: np.random.Generator, max_shift: int = 2, side: int | None = None) -> np.ndarray:
    """Each image shifted by its own random (dx, dy), each drawn uniformly from the integers −max_shift … max_shift
    with ``rng`` (``shift_images``; zeros fill the border). A fresh call gives fresh shifts: call it once per epoch
    to train on new versions of the images each time.

    Shapes: X (N, H, W) or (N, side²) -> the same shape.

    Raises:
        ValueError: for X as in ``shift_images``, rng not a ``np.random.Generator``, or max_shift not an integer >= 0.
    """
    rng = check_rng(rng)
    max_shift = check_seed(max_shift, "max_shift")
    n = len(np.asarray(X))
    shifts = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    return shift_images(X, shifts[0], shifts[1], side=side)


def augment_shifts(X, y, rng: np.random.Generator, max_shift: int = 2, copies: int = 1,
                   side: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A training set enlarged by shifted copies: the images of ``X`` first, then ``copies`` randomly shifted
    versions of all of them (``random_shifts``), with their labels repeated.

    Shapes: X (N, H, W) or (N, side²), y (N,) -> X_aug ((copies + 1)·N, ...), y_aug ((copies + 1)·N,).

    Raises:
        ValueError: for X as in ``shift_images``, y not (N,), rng not a Generator, max_shift < 0, copies < 1.
    """
    X_arr, y = np.asarray(X), np.asarray(y)
    if y.shape != (len(X_arr),):
        raise ValueError(f"y must have shape (N,) = ({len(X_arr)},), one label per image; got shape {y.shape}")
    copies = check_positive_int(copies, "copies")
    shifted = [random_shifts(X_arr, rng, max_shift, side) for _ in range(copies)]
    return np.concatenate([to_float64(X_arr, "X"), *shifted]), np.tile(y, copies + 1)


# ---------------------------------------------------------------------------------------------
# Double descent: random ReLU features and minimum-norm least squares
# ---------------------------------------------------------------------------------------------
@dataclass
class DoubleDescent:
    """What ``double_descent`` measured, for P feature counts (arrays (P,) are means over the feature draws).

    Fields:
        n_features: (P,) the numbers of random ReLU features p.
        train_mse, test_mse: (P,) mean squared error on the n training points and on the test points.
        weight_norm: (P,) ‖c‖, the norm of the fitted coefficients (minimum-norm past the interpolation point).
        test_mse_per_draw: (draws, P) the test error of each draw of the features.
        n_train: n, the interpolation point (p = n features fit any n targets exactly).
        noise: the standard deviation of the label noise.
    """

    n_features: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    weight_norm: np.ndarray
    test_mse_per_draw: np.ndarray
    n_train: int
    noise: float


def double_descent(n_features=None, n_train: int = 60, n_test: int = 1000, dim: int = 10, noise: float = 0.3,
                   draws: int = 3, seed: int = 0) -> DoubleDescent:
    """Test error against the number of random ReLU features, through the interpolation point and past it.

    Data: x ~ N(0, I) in ``dim`` dimensions, y = 2·tanh(x·β) with a random unit β, Gaussian noise of std ``noise``
    on the n = ``n_train`` training targets (none on the ``n_test`` test targets). Features: φ(x) = ReLU(W x),
    W (p, dim) ~ N(0, 1/dim), the first p of one draw of 1,000·(n_train/60) for each count. Fit: the least-squares
    coefficients c of y ≈ φ(x)·c; past p = n many c fit exactly and ``np.linalg.lstsq`` returns the one of smallest
    norm. The test error peaks near p = n, where the only exact fit needs huge coefficients, then falls again.

    ``n_features`` None: ~40 counts from 5 to 1,000·(n_train/60), n_train among them. Means over ``draws`` draws of
    W. Deterministic for a ``seed``; ~0.1 s.

    Raises:
        ValueError: for n_features not positive integers, sizes not positive integers, noise < 0, or a bad seed.
    """
    n_train, n_test = check_positive_int(n_train, "n_train"), check_positive_int(n_test, "n_test")
    dim, draws = check_positive_int(dim, "dim"), check_positive_int(draws, "draws")
    noise = check_number(noise, "noise", at_least=0)
    rng = np.random.default_rng(check_seed(seed))
    most = int(round(1000 * n_train / 60))
    if n_features is None:
        counts = np.unique(np.append(np.round(np.geomspace(5, most, 40)).astype(np.int64), n_train))
    else:
        try:
            counts = np.array([check_positive_int(p, "each count in n_features") for p in n_features], dtype=np.int64)
        except TypeError:
            raise ValueError(f"n_features must be None or a sequence of positive integers, got {n_features!r}") \
                from None
        if counts.size == 0:
            raise ValueError("n_features must hold at least one count, got an empty sequence")
    beta = rng.normal(size=dim)
    beta /= np.linalg.norm(beta)
    X_train, X_test = rng.normal(size=(n_train, dim)), rng.normal(size=(n_test, dim))
    y_train = 2 * np.tanh(X_train @ beta) + noise * rng.normal(size=n_train)
    y_test = 2 * np.tanh(X_test @ beta)
    width = int(counts.max())
    train, test, norms = (np.empty((draws, counts.size)) for _ in range(3))
    for d in range(draws):
        W = rng.normal(size=(dim, width)) / np.sqrt(dim)
        F_train, F_test = np.maximum(X_train @ W, 0.0), np.maximum(X_test @ W, 0.0)
        for j, p in enumerate(counts):
            c = np.linalg.lstsq(F_train[:, :p], y_train, rcond=None)[0]
            train[d, j] = np.mean((F_train[:, :p] @ c - y_train) ** 2)
            test[d, j] = np.mean((F_test[:, :p] @ c - y_test) ** 2)
            norms[d, j] = np.linalg.norm(c)
    return DoubleDescent(counts, train.mean(0), test.mean(0), norms.mean(0), test, n_train, noise)
