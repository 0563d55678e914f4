"""utils.regression: lines fitted under MSE, MAE and Huber, checked against NumPy's least squares, a linear
program (SciPy) and the Huber loss's own gradient; and what one dragged point does to each fit."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize

from utils import losses as L
from utils import regression


def _lad_by_linear_programming(x, y):
    """min Σ|y − w x − b| as a linear program (an independent check of the pairwise search)."""
    n = x.size
    # variables: w, b, u_1..u_n with u_i >= |r_i|
    c = np.concatenate([[0.0, 0.0], np.ones(n)])
    a_ub = np.block([[-x[:, None], -np.ones((n, 1)), -np.eye(n)], [x[:, None], np.ones((n, 1)), -np.eye(n)]])
    b_ub = np.concatenate([-y, y])
    result = scipy.optimize.linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * 2 + [(0, None)] * n)
    return result.fun


@pytest.mark.parametrize("shift", [-30.0, 0.0, 7.5, 30.0])
def test_fits_minimise_their_losses(shift):
    data = regression.outlier_data()
    y = data.with_shift(shift)
    w, b = regression.fit_line(data.x, y, "MSE")
    np.testing.assert_allclose([w, b], np.polyfit(data.x, y, 1), rtol=1e-10)
    w, b = regression.fit_line(data.x, y, "MAE")
    assert np.abs(y - w * data.x - b).sum() == pytest.approx(_lad_by_linear_programming(data.x, y), rel=1e-8)
    for delta in [0.3, 1.0, 4.0]:
        w, b = regression.fit_line(data.x, y, "Huber", delta)
        huber = L.HuberLoss(delta=delta)
        huber(w * data.x + b, y)
        g = huber.backward()  # d loss / d prediction; the chain rule to (w, b):
        assert abs(g @ data.x) < 1e-9 and abs(g.sum()) < 1e-9  # a stationary point of a convex loss: the minimum


def test_huber_fit_tends_to_mse_for_a_large_delta():
    data = regression.outlier_data()
    y = data.with_shift(20.0)
    np.testing.assert_allclose(
        regression.fit_line(data.x, y, "Huber", 1e3), regression.fit_line(data.x, y, "MSE"), rtol=1e-10
    )


def test_fit_line_rejects_bad_arguments():
    with pytest.raises(ValueError, match="loss must be one of MSE, MAE, Huber"):
        regression.fit_line([0, 1], [0, 1], "L3")
    with pytest.raises(ValueError, match="same length"):
        regression.fit_line([0, 1, 2], [0, 1], "MSE")
    with pytest.raises(ValueError, match="same length >= 2"):
        regression.fit_line([1.0], [1.0], "MSE")
    with pytest.raises(ValueError, match="delta must be a finite number > 0"):
        regression.fit_line([0, 1], [0, 1], "Huber", -1.0)
    with pytest.raises(ValueError, match="delta must be a finite number > 0"):
        regression.slopes_versus_shift([0.0], delta=float("nan"))


def test_the_outlier_data_is_a_noisy_line_with_one_point_at_x_9():
    data = regression.outlier_data()
    assert data.x.shape == data.y.shape == (15,) and (data.slope, data.intercept) == (1.5, 2.0)
    assert abs(data.x[data.outlier] - 9.0) < 0.5
    residuals = data.y - (data.slope * data.x + data.intercept)
    assert 0.3 < residuals.std() < 2.0  # noise of standard deviation 1
    moved = data.with_shift(4.0)
    assert moved[data.outlier] == pytest.approx(data.y[data.outlier] + 4.0)
    np.testing.assert_array_equal(np.delete(moved, data.outlier), np.delete(data.y, data.outlier))
    np.testing.assert_array_equal(regression.outlier_data().y, data.y)  # seeded: the same points every time


def test_outlier_moves_the_mse_slope_without_limit_but_barely_moves_mae_and_huber():
    shifts = np.linspace(-30, 30, 61)
    slopes = regression.slopes_versus_shift(shifts, delta=1.0)
    for shift in [-30.0, 12.0]:  # the vectorised fits equal the one-at-a-time ones
        one = regression.outlier_fits(shift, 1.0)
        k = int(np.argmin(np.abs(shifts - shift)))
        for name in regression.FITS:
            assert slopes[name][k] == pytest.approx(one[name][0], rel=1e-9)
    mse_range = np.ptp(slopes["MSE"])
    assert np.allclose(np.diff(slopes["MSE"], 2), 0, atol=1e-10)  # linear in the shift
    assert mse_range > 1.5 and np.ptp(slopes["MAE"]) < 0.1 * mse_range and np.ptp(slopes["Huber"]) < 0.1 * mse_range
