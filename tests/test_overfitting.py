"""utils.overfitting (the L2 penalty against torch.optim.SGD's weight_decay, shifted images exactly, the capacity
sweep and double descent) and the stored measurements of utils.regularization_experiments: their fields, and the
claims the chapter makes from them, with margins."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests.numerics import stable_seed
from tests.torch_twins import float64_tensor
from utils import overfitting
from utils.module import Parameter
from utils.regularization_experiments import grid_run, stored_regularization_results


# ---------------------------------------------------------------------------------------------
# The L2 penalty
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lam", [0.0, 1e-4, 0.3, 5.0])
def test_l2_penalty_steps_are_torch_sgd_weight_decay(lam):
    rng = np.random.default_rng(stable_seed("l2", lam))
    weights = [rng.normal(size=(4, 3)) * 10.0 ** rng.uniform(-3, 3), rng.normal(size=(3,))]
    ours = [w.copy() for w in weights]
    theirs = [float64_tensor(w, requires_grad=True) for w in weights]
    opt = torch.optim.SGD(theirs, lr=0.05, momentum=0.0, weight_decay=lam)
    for _ in range(20):
        loss_grads = [rng.normal(size=w.shape) for w in weights]  # the data loss's gradient of this step
        _, penalty_grads = overfitting.l2_penalty(ours, lam)
        ours = [w - 0.05 * (g + p) for w, g, p in zip(ours, loss_grads, penalty_grads)]
        opt.zero_grad()
        sum((t * float64_tensor(g)).sum() for t, g in zip(theirs, loss_grads)).backward()
        opt.step()
    for w, t in zip(ours, theirs):
        np.testing.assert_allclose(w, t.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_l2_penalty_is_half_lambda_times_the_squares_and_its_gradient_is_autograds():
    rng = np.random.default_rng(stable_seed("l2 value"))
    weights = [rng.normal(size=(5, 2)), rng.normal(size=(2,))]
    penalty, grads = overfitting.l2_penalty(weights, 0.7)
    tensors = [float64_tensor(w, requires_grad=True) for w in weights]
    torch_penalty = 0.35 * sum((t * t).sum() for t in tensors)
    torch_penalty.backward()
    assert penalty == pytest.approx(torch_penalty.item(), rel=1e-14)
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-14)
        assert g.shape == t.shape


def test_l2_penalty_takes_parameters_and_a_single_array():
    w = np.array([[3.0, -4.0]])
    assert overfitting.l2_penalty(w, 2.0)[0] == 25.0
    penalty, grads = overfitting.l2_penalty([Parameter(w), np.array([1.0])], 2.0)
    assert penalty == 26.0 and len(grads) == 2
    np.testing.assert_array_equal(grads[0], [[6.0, -8.0]])
    assert overfitting.l2_penalty(w, 0)[0] == 0.0
    with pytest.raises(ValueError, match=r"lam \(λ, the weight decay\) must be a finite number >= 0, got -1"):
        overfitting.l2_penalty(w, -1)


# ---------------------------------------------------------------------------------------------
# Shifted images
# ---------------------------------------------------------------------------------------------
IMAGE = np.arange(1.0, 13.0).reshape(1, 3, 4)  # [[1 2 3 4], [5 6 7 8], [9 10 11 12]]


@pytest.mark.parametrize("dx, dy, expected", [
    (1, 0, [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11]]),
    (-2, 0, [[3, 4, 0, 0], [7, 8, 0, 0], [11, 12, 0, 0]]),
    (0, 1, [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8]]),
    (1, -1, [[0, 5, 6, 7], [0, 9, 10, 11], [0, 0, 0, 0]]),
    (0, 0, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]),
    (4, 0, np.zeros((3, 4))),
    (0, -3, np.zeros((3, 4))),
])
def test_shift_images_moves_right_and_down_filling_with_zeros(dx, dy, expected):
    np.testing.assert_array_equal(overfitting.shift_images(IMAGE, dx, dy)[0], expected)


def test_shift_images_flattened_per_image_and_round_trip():
    rng = np.random.default_rng(stable_seed("shift"))
    X = rng.uniform(size=(5, 28, 28))
    flat = overfitting.shift_images(X.reshape(5, 784), 2, -1)
    assert flat.shape == (5, 784)
    np.testing.assert_array_equal(flat.reshape(5, 28, 28), overfitting.shift_images(X, 2, -1))
    back = overfitting.shift_images(flat, -2, 1, side=28).reshape(5, 28, 28)
    np.testing.assert_array_equal(back[:, 1:, :-2], X[:, 1:, :-2])  # the interior comes back
    assert not back[:, 0, :].any() and not back[:, :, -2:].any()  # what left the frame is lost: zeros
    dx, dy = np.array([0, 1, -1, 2, 0]), np.array([0, 0, 3, -2, 1])
    each = overfitting.shift_images(X, dx, dy)
    for n in range(5):
        np.testing.assert_array_equal(each[n], overfitting.shift_images(X[n:n + 1], int(dx[n]), int(dy[n]))[0])


def test_random_shifts_are_seeded_shifts_within_the_range():
    X = np.random.default_rng(stable_seed("random shifts")).uniform(0.1, 1, size=(40, 6, 6))
    a = overfitting.random_shifts(X, np.random.default_rng(3), max_shift=1)
    np.testing.assert_array_equal(a, overfitting.random_shifts(X, np.random.default_rng(3), max_shift=1))
    found = set()
    for n in range(40):
        matches = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                   if np.array_equal(a[n], overfitting.shift_images(X[n:n + 1], dx, dy)[0])]
        assert len(matches) == 1
        found.add(matches[0])
    assert len(found) >= 6  # all nine shifts are drawn, not one
    X_aug, y_aug = overfitting.augment_shifts(X.reshape(40, 36), np.arange(40), np.random.default_rng(0), copies=2)
    assert X_aug.shape == (120, 36) and y_aug.shape == (120,)
    np.testing.assert_array_equal(X_aug[:40], X.reshape(40, 36))
    np.testing.assert_array_equal(y_aug, np.tile(np.arange(40), 3))


def test_shift_images_rejects_shapes_it_cannot_read():
    with pytest.raises(ValueError, match="give side"):
        overfitting.shift_images(np.zeros((2, 10)), 1, 0)
    with pytest.raises(ValueError, match=r"side must be the image's side, side² = 16 .*got side=3"):
        overfitting.shift_images(np.zeros((2, 16)), 1, 0, side=3)
    with pytest.raises(ValueError, match=r"dx must be an integer or an integer array of shape \(N,\) = \(2,\)"):
        overfitting.shift_images(np.zeros((2, 4, 4)), 0.5, 0)


# ---------------------------------------------------------------------------------------------
# The capacity sweep and double descent
# ---------------------------------------------------------------------------------------------
def test_capacity_sweep_is_deterministic_and_overfits_past_a_middle_degree():
    sweep = overfitting.capacity_sweep(seed=0)
    again = overfitting.capacity_sweep(seed=0)
    np.testing.assert_array_equal(sweep.val_mse, again.val_mse)
    assert not np.array_equal(sweep.val_mse, overfitting.capacity_sweep(seed=1).val_mse)
    assert np.all(np.diff(sweep.train_mse) <= 1e-9)  # nested least squares: more terms never fit worse
    assert sweep.train_mse[-1] < 1e-12  # degree n − 1 passes through the n points
    assert 2 <= sweep.best_degree <= 8
    assert sweep.val_mse[-1] > 10 * sweep.val_mse.min() and sweep.val_mse[0] > 3 * sweep.val_mse.min()
    assert sweep.fits.shape == (12, sweep.x_grid.size) and sweep.truth.shape == sweep.x_grid.shape


def test_double_descent_is_deterministic_and_peaks_at_the_interpolation_point():
    result = overfitting.double_descent(seed=0)
    np.testing.assert_array_equal(result.test_mse, overfitting.double_descent(seed=0).test_mse)
    p, n = result.n_features, result.n_train
    assert n in p and result.test_mse_per_draw.shape == (3, p.size)
    peak = p[np.argmax(result.test_mse)]
    assert n / 1.5 <= peak <= 1.5 * n
    assert np.all(result.train_mse[p >= n] < 1e-12)  # past n: an exact fit
    before = result.test_mse[p < n].min()
    assert result.test_mse.max() > 10 * before  # a peak, not a bump
    assert result.test_mse[-1] < before  # the second descent ends below the first minimum
    norms = result.weight_norm
    assert norms[p == n][0] > 10 * norms[-1]  # the exact fit at p = n needs huge coefficients


# ---------------------------------------------------------------------------------------------
# The stored measurements and the claims made from them
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def results():
    return stored_regularization_results()


def test_the_stored_results_have_their_fields_and_shapes(results):
    assert results["measured"]["cpu_count"] >= 1 and results["measured"]["torch"].startswith("2.")
    grid = results["grid"]
    assert len(grid["runs"]) == len(grid["dropout"]) * len(grid["weight_decay"]) * len(grid["width"])
    for run in grid["runs"]:
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            assert len(run[key]) == grid["epochs"], key
    run = grid_run(results, 0.5, 1e-3, 64)
    assert (run["dropout"], run["weight_decay"], run["width"]) == (0.5, 1e-3, 64)
    with pytest.raises(ValueError, match=r"dropout must be one of the grid's values \[0.0, 0.2, 0.5\], got 0.3"):
        grid_run(results, 0.3, 0.0, 64)
    capacity = results["capacity"]
    assert all(len(capacity[k]) == len(capacity["widths"]) for k in ("train_accuracy", "val_accuracy"))
    curve = results["diabetes"]["curve"]
    assert len(curve["train_r2"]) == len(curve["val_r2"]) == len(curve["steps"])
    assert len(results["diabetes"]["linear"]["r2_folds"]) == 5


def test_regularization_shrinks_the_gap(results):
    for width in results["grid"]["width"]:
        def gap(p, wd, width=width):
            run = grid_run(results, p, wd, width)
            return run["val_loss"][-1] - run["train_loss"][-1]

        assert gap(0.5, 1e-2) < 0.6 * gap(0.0, 0.0), width
        assert gap(0.5, 0.0) < gap(0.0, 0.0) and gap(0.0, 1e-2) < gap(0.0, 0.0), width
        plain = grid_run(results, 0.0, 0.0, width)
        assert plain["train_accuracy"][-1] > 0.99  # unregularized, it memorises the training images
        assert int(np.argmin(plain["val_loss"])) + 1 < results["grid"]["epochs"]  # and its val loss climbs back


def test_the_capacity_sweep_widens_the_gap(results):
    capacity = results["capacity"]
    train, val = np.array(capacity["train_accuracy"]), np.array(capacity["val_accuracy"])
    assert np.all(np.diff(train) > -0.005) and train[-1] > 0.995
    assert val[-1] > val[0] + 0.1 and train[-1] - val[-1] > train[0] - val[0] - 0.01


def test_on_diabetes_the_mlp_does_not_beat_the_linear_model_and_overfits(results):
    diabetes = results["diabetes"]
    linear, curve = diabetes["linear"]["mean"], diabetes["curve"]
    assert 0.4 < linear < 0.6
    assert max(curve["val_r2"]) < linear + 0.03  # at its best the MLP barely matches the straight line
    assert curve["train_r2"][-1] > 0.95 and curve["val_r2"][-1] < linear - 0.2  # then it memorises
    assert diabetes["mlp"]["mean"] == pytest.approx(curve["val_r2"][-1], abs=1e-3)


def test_batch_norm_lets_the_deep_mlp_train(results):
    bn = results["batch_norm"]
    assert min(bn["plain"]["train_loss"]) > 2.2  # stuck at chance, ln 10 ≈ 2.30
    assert bn["batch_norm"]["train_loss"][-1] < 0.3 and bn["batch_norm"]["test_accuracy"] > 0.85


def test_shifted_images_help(results):
    aug = results["augmentation"]
    assert aug["shifted"]["mean_test_accuracy"] > aug["plain"]["mean_test_accuracy"] + 0.005
    assert min(aug["shifted"]["train_accuracy"]) < min(aug["plain"]["train_accuracy"])  # harder to memorise


def test_stored_results_refuse_a_damaged_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"grid": {}}))
    with pytest.raises(ValueError, match="lack measured, capacity, diabetes, batch_norm, augmentation, schedules"):
        stored_regularization_results(path)
    with pytest.raises(ValueError, match="cannot read the stored results"):
        stored_regularization_results(tmp_path / "missing.json")
