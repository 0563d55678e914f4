"""Regression on Auto MPG: features, a small PyTorch MLP regressor, and k-fold cross-validated R² (Chapter 06).

The classic "housing prices" exercise of introductory courses used the Boston housing table, since removed from
scikit-learn (one of its columns encoded a racial proportion); Auto MPG (``utils.data.load_auto_mpg``: predict
a car's miles per gallon from 7 columns) teaches the same things: standardise the numeric columns, one-hot encode
the categorical one, and judge the model by cross-validation against a linear baseline.

- ``auto_mpg_features(X, fit_on=None)``: (N, 7) raw columns -> (N, 9): the 6 numeric columns standardised with
  the mean and std of ``fit_on`` (the training fold), ``origin`` one-hot (USA, Europe, Japan).
- ``make_auto_mpg_mlp(hidden=(64, 64), activation="relu")``: a PyTorch ``9 → 64 → 64 → 1`` regressor.
- ``fit_regressor(model, X, y, ...)``: full-batch training of such a model on standardised targets.
- ``cross_validate_r2(make_model, X, y, *, folds=5, seed=0, ...)``: R² on each held-out fold of scikit-learn's
  ``KFold(folds, shuffle=True, random_state=seed)``, the features of each fold computed from its training part
  only; ``make_model()`` returns a fresh PyTorch model or a scikit-learn regressor (``LinearRegression()``: the
  baseline).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .activations import make_torch_activation
from .data import AUTO_MPG_FEATURES, AUTO_MPG_ORIGINS
from .device import one_torch_thread
from .module import check_number, check_positive_int, check_seed, to_float64
from .optim import check_lr

__all__ = ["AUTO_MPG_FEATURE_NAMES", "OPTIMIZERS", "auto_mpg_features", "cross_validate_r2", "fit_regressor",
           "make_auto_mpg_mlp"]

_NUMERIC = len(AUTO_MPG_FEATURES) - 1  # every column but the last, origin
AUTO_MPG_FEATURE_NAMES = (*AUTO_MPG_FEATURES[:_NUMERIC], *(f"origin_{name}" for name in AUTO_MPG_ORIGINS.values()))
"""The 9 columns of ``auto_mpg_features``: 6 standardised numeric columns, then origin_USA, origin_Europe,
origin_Japan (0 or 1)."""

OPTIMIZERS = {"adam": 1e-3, "sgd": 1e-2}
"""``fit_regressor``'s optimizers and their default learning rates: "adam" (``torch.optim.Adam``) and "sgd"
(``torch.optim.SGD`` with momentum 0.9). Measured with 300 full-batch steps on standardised targets: both reach a
cross-validated R² of ~0.88 with a 9 → 64 → 64 → 1 ReLU or tanh network (Adam at 1e-2 overfits: ~0.83)."""


def _check_table(X, name: str = "X") -> np.ndarray:
    X = to_float64(X, name)
    if X.ndim != 2 or X.shape[1] != len(AUTO_MPG_FEATURES) or len(X) == 0:
        raise ValueError(f"{name} must have shape (N, {len(AUTO_MPG_FEATURES)}) with N >= 1, the columns of "
                         f"load_auto_mpg() ({', '.join(AUTO_MPG_FEATURES)}); got shape {X.shape}")
    codes = X[:, _NUMERIC]
    bad = ~np.isin(codes, list(AUTO_MPG_ORIGINS))
    if bad.any():
        raise ValueError(f"{name}'s last column, origin, must hold the codes 1, 2, 3 (USA, Europe, Japan); got "
                         f"{float(codes[bad][0])!r} in row {int(np.flatnonzero(bad)[0])}")
    return X


def auto_mpg_features(X, fit_on=None) -> np.ndarray:
    """The model's inputs from Auto MPG's raw columns: standardised numeric columns and a one-hot origin.

    Each of the 6 numeric columns becomes ``(x - mean) / std`` with the mean and (population) std of that column
    over ``fit_on``'s rows: pass the training rows, so that nothing of the rows a model is evaluated on leaks into
    its inputs (None: ``X`` itself, for a table used whole). ``origin`` (codes 1, 2, 3) becomes three 0/1 columns
    (USA, Europe, Japan): a category, not a quantity (Japan is not "3 times" USA).

    Shapes: X (N, 7), fit_on (M, 7) -> (N, 9) float64, columns ``AUTO_MPG_FEATURE_NAMES``.

    Raises:
        ValueError: for X or fit_on not of shape (·, 7) with origin codes 1, 2, 3, or a numeric column of fit_on
            without spread (std 0: nothing to divide by).
    """
    X = _check_table(X)
    reference = X if fit_on is None else _check_table(fit_on, "fit_on")
    mean, std = reference[:, :_NUMERIC].mean(axis=0), reference[:, :_NUMERIC].std(axis=0)
    if np.any(std == 0):
        column = AUTO_MPG_FEATURES[int(np.flatnonzero(std == 0)[0])]
        raise ValueError(f"the column {column} of fit_on has the same value in every row (std 0): standardise with "
                         f"the statistics of more rows, got {len(reference)}")
    one_hot = (X[:, _NUMERIC:] == np.array(list(AUTO_MPG_ORIGINS), dtype=np.float64)).astype(np.float64)
    return np.hstack([(X[:, :_NUMERIC] - mean) / std, one_hot])


def make_auto_mpg_mlp(hidden=(64, 64), activation: str = "relu"):
    """A PyTorch MLP regressor ``9 → hidden[0] → … → 1`` with ``activation`` between layers (a name of
    ``utils.activations.ACTIVATION_TABLE``: "relu", "tanh", ...), for ``auto_mpg_features`` inputs.

    Shapes: the model maps (N, 9) float32 -> (N, 1).

    Raises:
        ValueError: for hidden not a non-empty tuple of positive integers, or an unknown activation.
    """
    import torch

    if not isinstance(hidden, (tuple, list)) or not hidden:
        raise ValueError(f"hidden must be a tuple of layer widths such as (64, 64), got {hidden!r}")
    sizes = (len(AUTO_MPG_FEATURE_NAMES), *(check_positive_int(h, "each width in hidden") for h in hidden), 1)
    make_torch_activation(activation)  # an unknown name raises here, naming the choices
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(make_torch_activation(activation))
    return torch.nn.Sequential(*layers)


def _check_optimizer_name(optimizer) -> str:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))}, got {optimizer!r}")
    return optimizer


def fit_regressor(model, X, y, *, optimizer: str = "adam", lr: float | None = None, steps: int = 300,
                  weight_decay: float = 0.0):
    """Train the PyTorch regressor ``model`` on (X, y), full batch, and return it (in ``eval()`` mode).

    The targets are standardised inside (mean and std of this ``y``), so one learning rate suits any unit; the
    model learns ``(y - mean) / std`` and ``model.target_mean`` / ``model.target_std`` are stored on it for
    ``_predict``. Mean squared error, ``steps`` full-batch updates of ``optimizer`` ("adam", or "sgd" with momentum
    0.9) at learning rate ``lr`` (None: ``OPTIMIZERS[optimizer]``), float32, one thread.

    Shapes: X (N, D) with D the model's input size, y (N,).

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``.
        ValueError: for X not 2-D, y not (N,), an unknown optimizer, lr not > 0, steps not a positive integer,
            weight_decay < 0.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a PyTorch model (a torch.nn.Module such as make_auto_mpg_mlp()), got "
                        f"{type(model).__name__}")
    X, y = to_float64(X, "X"), to_float64(y, "y")
    if X.ndim != 2 or y.shape != (len(X),) or len(X) < 2:
        raise ValueError(f"X must have shape (N, D) and y shape (N,) with N >= 2, got X of shape {X.shape} and y of "
                         f"shape {y.shape}")
    optimizer = _check_optimizer_name(optimizer)
    weight_decay = check_number(weight_decay, "weight_decay", at_least=0)
    lr = OPTIMIZERS[optimizer] if lr is None else check_lr(lr)
    steps = check_positive_int(steps, "steps")
    mean, std = float(y.mean()), float(y.std()) or 1.0
    inputs = torch.tensor(X, dtype=torch.float32)
    targets = torch.tensor((y - mean) / std, dtype=torch.float32).reshape(-1, 1)
    with one_torch_thread():
        if optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
        model.train()
        for _ in range(steps):
            loss = torch.nn.functional.mse_loss(model(inputs), targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
    model.target_mean, model.target_std = mean, std
    return model


def _predict(model, X: np.ndarray) -> np.ndarray:
    """Predictions (N,) in y's units, from a scikit-learn regressor or a model trained by ``fit_regressor``."""
    if hasattr(model, "predict"):
        return np.asarray(model.predict(X), dtype=np.float64).reshape(-1)
    import torch

    with torch.no_grad(), one_torch_thread():
        out = model(torch.tensor(X, dtype=torch.float32)).double().numpy().reshape(-1)
    return out * model.target_std + model.target_mean


def cross_validate_r2(make_model: Callable, X, y, *, folds: int = 5, seed: int = 0, optimizer: str = "adam",
                      lr: float | None = None, steps: int = 300, weight_decay: float = 0.0) -> np.ndarray:
    """R² of a model on each held-out fold of Auto MPG's k-fold cross-validation; ``.mean()`` is the usual score.

    The rows are split by ``sklearn.model_selection.KFold(folds, shuffle=True, random_state=seed)``. For each fold:
    ``auto_mpg_features`` of the training part (statistics from it alone) and of the held-out part (with the
    training part's statistics), then ``make_model()``: a scikit-learn regressor (anything with ``fit`` and
    ``predict``, e.g. ``LinearRegression``) is fitted as it is; a PyTorch model is built under
    ``torch.manual_seed(seed + fold)`` (the same start for every setting) and trained by ``fit_regressor`` with
    ``optimizer``, ``lr``, ``steps`` and ``weight_decay``. R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² on the held-out part
    (``sklearn.metrics.r2_score``): 1 is perfect, 0 is predicting the mean.

    Shapes: X (N, 7) the raw columns of ``load_auto_mpg``, y (N,) -> (folds,) R² per fold.

    Raises:
        TypeError: for make_model not a function (a class such as LinearRegression is fine: it is called), or one
            that returns neither a PyTorch model nor a regressor with fit and predict.
        ValueError: for X, y of the wrong shape, folds not an integer in [2, N], a bad seed or training setting.
    """
    import torch
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    if not callable(make_model):
        raise TypeError(f"make_model must be a function returning a fresh model, e.g. LinearRegression or "
                        f"lambda: make_auto_mpg_mlp(), got {type(make_model).__name__}")
    X, y = _check_table(X), to_float64(y, "y")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape (N,) = ({len(X)},), one target per row of X; got shape {y.shape}")
    folds, seed = check_positive_int(folds, "folds"), check_seed(seed)
    if not 2 <= folds <= len(X):
        raise ValueError(f"folds must be an integer from 2 to the number of rows, {len(X)}; got {folds}")
    _check_optimizer_name(optimizer)
    if lr is not None:
        check_lr(lr)
    check_positive_int(steps, "steps")
    check_number(weight_decay, "weight_decay", at_least=0)
    scores = np.empty(folds)
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(X)):
        X_train, X_test = auto_mpg_features(X[train], fit_on=X[train]), auto_mpg_features(X[test], fit_on=X[train])
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + fold)
            model = make_model()
        if isinstance(model, torch.nn.Module):
            fit_regressor(model, X_train, y[train], optimizer=optimizer, lr=lr, steps=steps, weight_decay=weight_decay)
        elif callable(getattr(model, "fit", None)) and callable(getattr(model, "predict", None)):
            model.fit(X_train, y[train])
        else:
            raise TypeError(f"make_model() must return a PyTorch model or a scikit-learn regressor (with fit and "
                            f"predict), got {type(model).__name__}")
        scores[fold] = r2_score(y[test], _predict(model, X_test))
    return scores
