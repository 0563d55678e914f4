"""utils.auto_mpg: the one-hot origin, standardisation with the training fold's statistics only, and k-fold R²
(the linear baseline equals scikit-learn's cross_val_score)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from utils import auto_mpg
from utils.auto_mpg import AUTO_MPG_FEATURE_NAMES, auto_mpg_features, cross_validate_r2, make_auto_mpg_mlp
from utils.data import load_auto_mpg


@pytest.fixture(scope="module")
def table():
    return load_auto_mpg()


def test_origin_is_one_hot(table):
    X, _, _ = table
    features = auto_mpg_features(X)
    assert features.shape == (392, 9) and len(AUTO_MPG_FEATURE_NAMES) == 9
    assert AUTO_MPG_FEATURE_NAMES[6:] == ("origin_USA", "origin_Europe", "origin_Japan")
    one_hot = features[:, 6:]
    np.testing.assert_array_equal(one_hot.sum(axis=1), 1.0)
    np.testing.assert_array_equal(one_hot.argmax(axis=1) + 1, X[:, 6])  # code 1 -> column 0, 2 -> 1, 3 -> 2
    assert set(np.unique(one_hot)) == {0.0, 1.0}


def test_numeric_columns_are_standardised_with_the_statistics_of_fit_on_only(table):
    X, _, _ = table
    train, test = X[:300], X[300:]
    mean, std = train[:, :6].mean(axis=0), train[:, :6].std(axis=0)
    features = auto_mpg_features(test, fit_on=train)
    np.testing.assert_allclose(features[:, :6], (test[:, :6] - mean) / std, rtol=1e-12)
    assert np.abs(features[:, :6].mean(axis=0)).max() > 0.1  # the held-out rows are not centred on themselves
    np.testing.assert_allclose(auto_mpg_features(train)[:, :6].mean(axis=0), 0.0, atol=1e-12)
    changed = test.copy()
    changed[:, 3] += 1000.0  # the held-out rows change nothing in the statistics
    np.testing.assert_allclose(auto_mpg_features(changed, fit_on=train)[:, 3] - features[:, 3], 1000.0 / std[3])


def test_each_fold_standardises_with_its_training_part(table, monkeypatch):
    X, y, _ = table
    seen = []
    real = auto_mpg.auto_mpg_features

    def spy(rows, fit_on=None):
        seen.append((len(rows), len(fit_on)))
        return real(rows, fit_on=fit_on)

    monkeypatch.setattr(auto_mpg, "auto_mpg_features", spy)
    cross_validate_r2(LinearRegression, X, y, folds=4)
    train_sizes = [len(train) for train, _ in KFold(4, shuffle=True, random_state=0).split(X)]
    assert [fit for _, fit in seen] == [n for n in train_sizes for _ in range(2)]  # both parts use the training part
    assert [rows for rows, _ in seen[1::2]] == [392 - n for n in train_sizes]


def test_linear_cv_r2_equals_scikit_learns_cross_val_score(table):
    X, y, _ = table
    ours = cross_validate_r2(LinearRegression, X, y, folds=5, seed=0)
    pipeline = make_pipeline(ColumnTransformer([("numeric", StandardScaler(), list(range(6))),
                                                ("origin", OneHotEncoder(), [6])]), LinearRegression())
    reference = cross_val_score(pipeline, X, y, cv=KFold(5, shuffle=True, random_state=0), scoring="r2")
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-10)
    other = cross_validate_r2(LinearRegression, X, y, folds=5, seed=1)
    assert not np.allclose(ours, other)  # the seed shuffles the folds


def test_the_mlp_regressor_beats_the_linear_baseline_in_a_short_run(table):
    X, y, _ = table
    linear = cross_validate_r2(LinearRegression, X, y, folds=3).mean()
    mlp = cross_validate_r2(lambda: make_auto_mpg_mlp((16,), "tanh"), X, y, folds=3, lr=1e-2, steps=150)
    assert mlp.shape == (3,) and mlp.mean() > linear + 0.02
    again = cross_validate_r2(lambda: make_auto_mpg_mlp((16,), "tanh"), X, y, folds=3, lr=1e-2, steps=150)
    np.testing.assert_array_equal(mlp, again)  # seeded per fold, one thread


def test_make_auto_mpg_mlp_shapes():
    model = make_auto_mpg_mlp((8, 4), "tanh")
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert model(torch.zeros(5, 9)).shape == (5, 1)
