"""Chapter 03's exercises: the checker accepts correct answers (also written differently from the
reference), and rejects plausible wrong answers with the hint that names the mistake."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

# --- MSE and MAE -------------------------------------------------------------------------------------


def mse_sum(y_pred, y_true):
    return float(np.sum((np.asarray(y_pred) - y_true) ** 2))


def mse_not_squared(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) - y_true))


def mse_is_mae(y_pred, y_true):
    return float(np.mean(np.abs(np.asarray(y_pred) - y_true)))


def mse_rmse(y_pred, y_true):
    return float(np.sqrt(np.mean((np.asarray(y_pred) - y_true) ** 2)))


def mse_half(y_pred, y_true):
    return float(0.5 * np.mean((np.asarray(y_pred) - y_true) ** 2))


def mse_per_element(y_pred, y_true):
    return (np.asarray(y_pred) - y_true) ** 2


def mse_row_sums(y_pred, y_true):
    e = (np.asarray(y_pred) - y_true) ** 2
    return float(np.mean(e.sum(axis=-1))) if e.ndim > 1 else float(np.mean(e))


def mse_one_element_list(y_pred, y_true):
    return [float(np.mean((np.asarray(y_pred) - y_true) ** 2))]


def mse_square_of_the_mean(y_pred, y_true):  # np.mean(e)**2: the power binds after the mean
    return float(np.mean(np.asarray(y_pred) - y_true) ** 2)


def mse_xor(y_pred, y_true):  # ^ for a power
    return float(np.mean((np.asarray(y_pred) - y_true) ^ 2))


def mse_squares_then_difference(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) ** 2 - np.asarray(y_true) ** 2))


def mae_per_element(y_pred, y_true):
    return np.abs(np.asarray(y_pred) - y_true)


def mae_sum(y_pred, y_true):
    return float(np.sum(np.abs(np.asarray(y_pred) - y_true)))


def mae_no_abs(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) - y_true))


def mae_abs_of_mean(y_pred, y_true):
    return float(np.abs(np.mean(np.asarray(y_pred) - y_true)))


def mae_is_mse(y_pred, y_true):
    return float(np.mean((np.asarray(y_pred) - y_true) ** 2))


def mae_abs_taken_separately(y_pred, y_true):
    return float(np.mean(np.abs(y_pred) - np.abs(y_true)))


def mae_median(y_pred, y_true):  # the median minimises the MAE; it is not the MAE
    return float(np.median(np.abs(np.asarray(y_pred) - y_true)))


def mae_max(y_pred, y_true):
    return float(np.max(np.abs(np.asarray(y_pred) - y_true)))


# --- Huber -------------------------------------------------------------------------------------------


def _huber_parts(y_pred, y_true):
    return np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))


def huber_ignores_delta(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= 1.0, 0.5 * e**2, 1.0 * (e - 0.5))))


def huber_no_half(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, e**2, delta * (e - 0.5 * delta))))


def huber_linear_without_offset(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, 0.5 * e**2, delta * e)))


def huber_is_smooth_l1(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e < delta, 0.5 * e**2 / delta, e - 0.5 * delta)))


def huber_no_delta_on_the_linear_branch(y_pred, y_true, delta=1.0):  # Huber's ½e², Smooth L1's |e| − ½δ
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, 0.5 * e**2, e - 0.5 * delta)))


def huber_quadratic_divided_by_delta(y_pred, y_true, delta=1.0):  # Smooth L1's ½e²/δ, Huber's δ(|e| − ½δ)
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, 0.5 * e**2 / delta, delta * (e - 0.5 * delta))))


def huber_offset_half_delta(y_pred, y_true, delta=1.0):  # δ|e| − ½δ instead of δ|e| − ½δ²
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta)))


def huber_twice(y_pred, y_true, delta=1.0):  # e² and 2δ|e| − δ²: continuous, but twice Huber
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e <= delta, e**2, 2 * delta * e - delta**2)))


def huber_if_on_an_array(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    if e <= delta:
        return float(np.mean(0.5 * e**2))
    return float(np.mean(delta * (e - 0.5 * delta)))


def huber_swapped_branches(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e > delta, 0.5 * e**2, delta * (e - 0.5 * delta))))


def huber_signed_error(y_pred, y_true, delta=1.0):
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))))


def huber_signed_linear_part(y_pred, y_true, delta=1.0):  # |e| in the test, but e in the linear part
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(np.where(np.abs(e) <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))))


def huber_strict_inequality(y_pred, y_true, delta=1.0):  # < instead of <=: the pieces meet at δ, so it is right
    e = _huber_parts(y_pred, y_true)
    return float(np.mean(np.where(e < delta, 0.5 * e**2, delta * (e - 0.5 * delta))))


def huber_sum(y_pred, y_true, delta=1.0):
    e = _huber_parts(y_pred, y_true)
    return float(np.sum(np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))))


# --- BCE with ε-clipping -----------------------------------------------------------------------------


def bce_unclipped(p, y, eps=1e-7):  # log of probabilities without clipping: inf / nan at 0 and 1
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_clipped_below_only(p, y, eps=1e-7):
    p, y = np.maximum(np.asarray(p, dtype=float), eps), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_torch_clamp(p, y, eps=1e-7):  # PyTorch's BCELoss: right for the library, not this exercise
    return F.binary_cross_entropy(torch.as_tensor(np.asarray(p, dtype=float)),
                                  torch.as_tensor(np.asarray(y, dtype=float))).item()


def bce_add_eps(p, y, eps=1e-7):  # the widespread log(p + 1e-12) style
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))


def bce_fixed_eps(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), 1e-7, 1 - 1e-7), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_no_minus(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_swapped(p, y, eps=1e-7):
    y, p = np.clip(np.asarray(p, dtype=float), 0, 1), np.clip(np.asarray(y, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_sum(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_guard_each_log(p, y, eps=1e-7):  # log(max(p, eps)), log(max(1 - p, eps)): p itself is not clipped
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(np.maximum(p, eps)) + (1 - y) * np.log(np.maximum(1 - p, eps))))


def bce_positive_term_only(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p)))


def bce_log10(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)))


def bce_row_sums(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(np.mean(losses.sum(axis=-1))) if losses.ndim > 1 else float(np.mean(losses))


def bce_clipped_labels(p, y, eps=1e-7):  # clips y where p was meant
    p, y = np.asarray(p, dtype=float), np.clip(np.asarray(y, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_without_one_minus_y(p, y, eps=1e-7):
    p, y = np.clip(np.asarray(p, dtype=float), eps, 1 - eps), np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + np.log(1 - p)))


def bce_in_place(p, y, eps=1e-7):
    np.clip(p, eps, 1 - eps, out=p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# --- BCE from logits ---------------------------------------------------------------------------------


def _stable_sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def bcel_via_sigmoid(z, y):  # σ(40) == 1.0 exactly, then log(0)
    p = _stable_sigmoid(z)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bcel_sigmoid_then_clip(z, y):  # finite, but capped at -log(1e-7) ≈ 16
    p = np.clip(_stable_sigmoid(z), 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bcel_overflowing(z, y):  # the right formula, but e^(-z) overflows at z = -1000
    z = np.asarray(z, dtype=float)
    return float(np.mean((1 - y) * z + np.log(1 + np.exp(-z))))


def bcel_sign(z, y):
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.maximum(z, 0) + z * y + np.log1p(np.exp(-np.abs(z)))))


def bcel_mixed_forms(z, y):  # max(-z, 0) + log1p(e^-|z|) is log(1 + e^-z): it goes with (1 - y) z, not -z y
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.maximum(-z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bcel_no_absolute_value(z, y):  # log1p(exp(-z)) where log1p(exp(-|z|)) belongs
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))))


def bcel_plus_in_the_exponent(z, y):
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(np.abs(z)))))


def bcel_minimum(z, y):
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.minimum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bcel_sum(z, y):
    z = np.asarray(z, dtype=float)
    return float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bcel_logaddexp(z, y):  # a correct answer written differently
    z = np.asarray(z, dtype=float)
    return float(np.mean(np.logaddexp(0.0, z) - z * y))


# --- cross-entropy from logits -----------------------------------------------------------------------


def _log_softmax(z, axis=1):
    z = np.asarray(z, dtype=float)
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def ce_labels_as_one_hot(logits, labels):  # treats the index vector as if it were one-hot rows
    return float(-np.mean(np.sum(labels * _log_softmax(logits), axis=1)))


def ce_column_indexing(logits, labels):  # log_p[:, labels] is (N, N)
    return float(-np.mean(_log_softmax(logits)[:, labels]))


def ce_wrong_axis(logits, labels):
    log_p = _log_softmax(logits, axis=0)
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def ce_sum(logits, labels):
    log_p = _log_softmax(logits)
    return float(-np.sum(log_p[np.arange(len(labels)), labels]))


def ce_naive(logits, labels):  # np.log(softmax) without the max: overflow at 1000
    e = np.exp(np.asarray(logits, dtype=float))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def ce_log_of_softmax(logits, labels):  # max subtracted, but log of a probability that underflowed to 0
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def ce_mean_over_all_entries(logits, labels):
    log_p = _log_softmax(logits)
    one_hot = np.eye(log_p.shape[1])[labels]
    return float(-np.mean(one_hot * log_p))


def ce_global_max(logits, labels):  # z - z.max(): the whole array's maximum, not each row's
    z = np.asarray(logits, dtype=float)
    s = z - z.max()
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def ce_softmax_over_the_batch(logits, labels):  # a known slip of many tutorials: one softmax over the whole batch
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max())
    p = e / e.sum()
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def ce_no_keepdims(logits, labels):  # (N, C) - (N,) lines the row maxima up with the columns
    z = np.asarray(logits, dtype=float)
    s = z - z.max(axis=1)
    log_p = s - np.log(np.exp(s).sum(axis=1))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def ce_logits_as_log_probabilities(logits, labels):
    return float(-np.mean(np.asarray(logits, dtype=float)[np.arange(len(labels)), labels]))


def ce_clipped_probabilities(logits, labels):  # the common np.clip(y_pred, 1e-15, 1 - 1e-15) on a softmax
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = np.clip(e / e.sum(axis=1, keepdims=True), 1e-15, 1 - 1e-15)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def ce_log2(logits, labels):
    return float(-np.mean(_log_softmax(logits)[np.arange(len(labels)), labels]) / np.log(2))


def ce_max_per_row_sum_down_the_batch(logits, labels):
    z = np.asarray(logits, dtype=float)
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=0, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def ce_row_indexing(logits, labels):  # log_p[labels] picks whole rows
    return float(-np.mean(_log_softmax(logits)[labels]))


def ce_take(logits, labels):  # np.take indexes the flattened array
    return float(-np.mean(np.take(_log_softmax(logits), labels)))


def ce_logsumexp_without_the_maximum(logits, labels):  # log-softmax directly, but e^1000 overflows
    z = np.asarray(logits, dtype=float)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def ce_one_hot_of_the_wrong_size(logits, labels):  # np.eye(N): one column per example
    one_hot = np.eye(len(labels))[labels]
    return float(-np.mean(np.sum(one_hot * _log_softmax(logits), axis=1)))


def ce_per_example(logits, labels):
    return -_log_softmax(logits)[np.arange(len(labels)), labels]


def ce_scipy(logits, labels):  # a correct answer written differently
    from scipy.special import log_softmax

    return float(-np.mean(np.take_along_axis(log_softmax(logits, axis=1), np.asarray(labels)[:, None], axis=1)))


# --- gradient of softmax-CE --------------------------------------------------------------------------


def _softmax(z, axis=1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(labels, c):
    return np.eye(c)[labels]


def grad_no_mean(logits, labels):
    return _softmax(logits) - _one_hot(labels, np.shape(logits)[1])


def grad_sign(logits, labels):
    n, c = np.shape(logits)
    return (_one_hot(labels, c) - _softmax(logits)) / n


def grad_wrong_axis(logits, labels):
    n, c = np.shape(logits)
    return (_softmax(logits, axis=0) - _one_hot(labels, c)) / n


def grad_labels_not_one_hot(logits, labels):
    return (_softmax(logits) - np.asarray(labels)[:, None]) / np.shape(logits)[0]


def grad_wrt_probabilities(logits, labels):
    n, c = np.shape(logits)
    return -_one_hot(labels, c) / _softmax(logits) / n


def grad_without_softmax(logits, labels):
    n, c = np.shape(logits)
    return (np.asarray(logits) - _one_hot(labels, c)) / n


def grad_broadcast_labels(logits, labels):
    return (_softmax(logits) - labels) / np.shape(logits)[0]


def grad_global_max(logits, labels):  # 0 / 0 = NaN for a row far below the whole array's maximum
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max())
    n, c = z.shape
    return (e / e.sum(axis=1, keepdims=True) - _one_hot(labels, c)) / n


def grad_softmax_over_the_batch(logits, labels):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max())
    n, c = z.shape
    return (e / e.sum() - _one_hot(labels, c)) / n


def grad_no_keepdims(logits, labels):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=1))
    n, c = z.shape
    return (e / e.sum(axis=1) - _one_hot(labels, c)) / n


def grad_no_max(logits, labels):  # e^1000 = inf, inf / inf = NaN
    z = np.asarray(logits, dtype=float)
    e = np.exp(z)
    n, c = z.shape
    return (e / e.sum(axis=1, keepdims=True) - _one_hot(labels, c)) / n


def grad_divide_by_c(logits, labels):
    n, c = np.shape(logits)
    return (_softmax(logits) - _one_hot(labels, c)) / c


def grad_divide_by_n_times_c(logits, labels):
    n, c = np.shape(logits)
    return (_softmax(logits) - _one_hot(labels, c)) / (n * c)


def grad_subtract_at_rows(logits, labels):  # p[labels] -= 1: whole rows
    p = _softmax(logits)
    p[labels] -= 1
    return p / len(labels)


def grad_subtract_at_columns(logits, labels):  # p[:, labels] -= 1: whole columns
    p = _softmax(logits)
    p[:, labels] -= 1
    return p / len(labels)


def grad_one_hot_of_the_wrong_size(logits, labels):
    n = len(labels)
    return (_softmax(logits) - np.eye(n)[labels]) / n


def grad_torch(logits, labels):  # a correct answer from autograd
    z = torch.tensor(np.asarray(logits, dtype=float), requires_grad=True)
    F.cross_entropy(z, torch.as_tensor(labels)).backward()
    return z.grad.numpy()


WRONG = [
    ("losses.mse", mse_sum, "you summed the losses"),
    ("losses.mse", mse_not_squared, "square the errors"),
    ("losses.mse", mse_is_mae, "mean *absolute* error"),
    ("losses.mse", mse_rmse, "RMSE"),
    ("losses.mse", mse_half, "no factor ½"),
    ("losses.mse", mse_per_element, "return one number"),
    ("losses.mse", mse_row_sums, "summed each row"),
    ("losses.mse", mse_one_element_list, "not a list"),
    ("losses.mse", mse_square_of_the_mean, "squares the mean error"),
    ("losses.mse", mse_xor, "bitwise XOR"),
    ("losses.mse", mse_squares_then_difference, "square the difference"),
    ("losses.mae", mae_per_element, "return one number"),
    ("losses.mae", mae_sum, "you summed the losses"),
    ("losses.mae", mae_no_abs, "take the absolute value of each error, |y_pred − y_true|, before averaging"),
    ("losses.mae", mae_abs_taken_separately, "the absolute values taken separately"),
    ("losses.mae", mae_median, "median of the absolute errors"),
    ("losses.mae", mae_max, "largest absolute error"),
    ("losses.mae", mae_abs_of_mean, "not of their mean"),
    ("losses.mae", mae_is_mse, "mean *squared* error"),
    ("losses.huber", huber_ignores_delta, "ignores its delta"),
    ("losses.huber", huber_no_half, "quadratic part is ½·e²"),
    ("losses.huber", huber_linear_without_offset, "− ½δ"),
    ("losses.huber", huber_is_smooth_l1, "SmoothL1Loss"),
    ("losses.huber", huber_no_delta_on_the_linear_branch, "your linear branch |e| − ½δ is Smooth L1's"),
    ("losses.huber", huber_quadratic_divided_by_delta, "your quadratic branch ½e²/δ is Smooth L1's"),
    ("losses.huber", huber_offset_half_delta, "the offset is ½δ², not ½δ"),
    ("losses.huber", huber_twice, "twice the Huber loss"),
    ("losses.huber", huber_if_on_an_array, "np.where"),
    ("losses.huber", huber_swapped_branches, "branches are swapped"),
    ("losses.huber", huber_signed_error, "absolute error |e|"),
    ("losses.huber", huber_signed_linear_part, "absolute error |e|"),
    ("losses.huber", huber_sum, "you summed the losses"),
    ("losses.bce", bce_unclipped, "np.log(0) is −inf: clip p"),
    ("losses.bce", bce_clipped_below_only, "clip both ends"),
    ("losses.bce", bce_torch_clamp, "PyTorch's BCELoss"),
    ("losses.bce", bce_add_eps, "adding eps inside the log"),
    ("losses.bce", bce_fixed_eps, "ignores its eps"),
    ("losses.bce", bce_no_minus, "minus sign"),
    ("losses.bce", bce_swapped, "the arguments are (p, y)"),
    ("losses.bce", bce_sum, "you summed the losses"),
    ("losses.bce", bce_in_place, "changed the array it was given"),
    ("losses.bce", bce_guard_each_log, "clip p itself"),
    ("losses.bce", bce_positive_term_only, "the loss has two terms"),
    ("losses.bce", bce_log10, "natural logarithm"),
    ("losses.bce", bce_row_sums, "summed each row"),
    ("losses.bce", bce_clipped_labels, "not the labels y"),
    ("losses.bce", bce_without_one_minus_y, "without the (1 − y)"),
    ("losses.bce_with_logits", bcel_via_sigmoid, "σ(z) rounds to exactly 0 or 1"),
    ("losses.bce_with_logits", bcel_sigmoid_then_clip, "clipping σ(z) caps the loss"),
    ("losses.bce_with_logits", bcel_overflowing, "np.exp overflowed"),
    ("losses.bce_with_logits", bcel_sign, "sign of the z·y term"),
    ("losses.bce_with_logits", bcel_sum, "you summed the losses"),
    ("losses.bce_with_logits", bcel_mixed_forms, "goes with (1 − y)·z"),
    ("losses.bce_with_logits", bcel_no_absolute_value, "with the absolute value"),
    ("losses.bce_with_logits", bcel_plus_in_the_exponent, "with a minus sign in the exponent"),
    ("losses.bce_with_logits", bcel_minimum, "the first term is max(z, 0)"),
    ("losses.cross_entropy", ce_labels_as_one_hot, "labels are class indices"),
    ("losses.cross_entropy", ce_column_indexing, "log_p[:, labels]"),
    ("losses.cross_entropy", ce_wrong_axis, "along each row (axis=1)"),
    ("losses.cross_entropy", ce_sum, "you summed over the batch"),
    ("losses.cross_entropy", ce_naive, "compute log-softmax directly"),
    ("losses.cross_entropy", ce_log_of_softmax, "compute log-softmax directly"),
    ("losses.cross_entropy", ce_mean_over_all_entries, "all N × C entries"),
    ("losses.cross_entropy", ce_per_example, "return one number"),
    ("losses.cross_entropy", ce_global_max, "each row's own maximum"),
    ("losses.cross_entropy", ce_softmax_over_the_batch, "not over the whole batch"),
    ("losses.cross_entropy", ce_no_keepdims, "keepdims=True"),
    ("losses.cross_entropy", ce_logits_as_log_probabilities, "logits are not log-probabilities"),
    ("losses.cross_entropy", ce_clipped_probabilities, "clipping the probabilities caps each loss"),
    ("losses.cross_entropy", ce_log2, "natural logarithm"),
    ("losses.cross_entropy", ce_max_per_row_sum_down_the_batch, "along each row (axis=1)"),
    ("losses.cross_entropy", ce_row_indexing, "log_p[labels] whole rows"),
    ("losses.cross_entropy", ce_take, "np.take(log_p, labels) indexes the flattened array"),
    ("losses.cross_entropy", ce_logsumexp_without_the_maximum, "e^1000 overflowed to inf"),
    ("losses.cross_entropy", ce_one_hot_of_the_wrong_size, "np.eye(C)[labels]"),
    ("losses.softmax_ce_grad", grad_no_mean, "divide (p − t) by N"),
    ("losses.softmax_ce_grad", grad_sign, "check the sign"),
    ("losses.softmax_ce_grad", grad_wrong_axis, "along each row (axis=1)"),
    ("losses.softmax_ce_grad", grad_labels_not_one_hot, "one-hot matrix of the labels"),
    ("losses.softmax_ce_grad", grad_wrt_probabilities, "∂L/∂p"),
    ("losses.softmax_ce_grad", grad_without_softmax, "without the softmax"),
    ("losses.softmax_ce_grad", grad_broadcast_labels, "np.eye(C)[labels]"),
    ("losses.softmax_ce_grad", grad_global_max, "each row's own maximum"),
    ("losses.softmax_ce_grad", grad_softmax_over_the_batch, "not over the whole batch"),
    ("losses.softmax_ce_grad", grad_no_keepdims, "keepdims=True"),
    ("losses.softmax_ce_grad", grad_no_max, "subtract each row's maximum"),
    ("losses.softmax_ce_grad", grad_divide_by_c, "not by C"),
    ("losses.softmax_ce_grad", grad_divide_by_n_times_c, "not by N × C"),
    ("losses.softmax_ce_grad", grad_subtract_at_rows, "p[labels] -= 1 subtracts 1 from whole rows"),
    ("losses.softmax_ce_grad", grad_subtract_at_columns, "p[:, labels] -= 1 from whole columns"),
    ("losses.softmax_ce_grad", grad_one_hot_of_the_wrong_size, "np.eye(N)[labels] has one column per example"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[f"{e}-{f.__name__}" for e, f, _ in WRONG])
def test_wrong_answers_are_rejected_with_the_right_hint(verdict_of, exercise_id, answer, hint):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    assert verdict.hint is not None and hint in verdict.hint, verdict.render()


@pytest.mark.parametrize("exercise_id, answer", [
    ("losses.bce_with_logits", bcel_logaddexp),
    ("losses.cross_entropy", ce_scipy),
    ("losses.softmax_ce_grad", grad_torch),
    ("losses.mse", lambda y_pred, y_true: F.mse_loss(torch.as_tensor(y_pred), torch.as_tensor(y_true)).item()),
    ("losses.huber", lambda y_pred, y_true, delta=1.0: F.huber_loss(torch.as_tensor(y_pred), torch.as_tensor(y_true),
                                                                    delta=delta).item()),
    ("losses.mae", lambda y_pred, y_true: np.mean(np.abs(np.subtract(y_pred, y_true)))),  # np.float64 is fine
    ("losses.huber", huber_strict_inequality),  # the two pieces meet at |e| = δ, so < and <= agree
])
def test_correct_answers_written_differently_pass(verdict_of, exercise_id, answer):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.passed, verdict.render()


def test_bce_failure_names_the_case_with_p_equal_to_0(verdict_of):
    verdict = verdict_of("losses.bce", bce_unclipped)
    assert verdict.case == "p = 0 with y = 1 (confidently wrong)"
    assert "inf" in verdict.summary


def test_bce_is_checked_against_the_clipping_formula_not_torchs_clamp(verdict_of):
    """PyTorch's value differs from ε-clipping exactly where p is 0 or 1."""
    assert not verdict_of("losses.bce", bce_torch_clamp).passed
    p, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    assert bce_torch_clamp(p, y) == pytest.approx(100.0)
    assert bce_fixed_eps(p, y) == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_the_one_hot_confusion_raises_a_broadcast_error_when_n_differs_from_c(verdict_of):
    """With N ≠ C, treating labels as one-hot crashes; the hint still says what is wrong."""
    from utils.checks.chapters.losses import ce_cases

    case = ce_cases()[1]  # 5 examples, 4 classes
    with pytest.raises(ValueError, match="broadcast"):
        ce_labels_as_one_hot(*case.args)

    def only_square_ok(logits, labels):  # right when N == C, crashes otherwise
        if np.shape(logits)[0] != np.shape(logits)[1]:
            return ce_labels_as_one_hot(logits, labels)
        return ce_scipy(logits, labels)

    verdict = verdict_of("losses.cross_entropy", only_square_ok)
    assert verdict.status == "failed" and "raised ValueError" in verdict.summary
    assert "labels are class indices" in verdict.hint


@pytest.mark.parametrize("answer, hint", [
    (lambda: 0.1, "the probability"),
    (lambda: 1.0, "natural logarithm"),
    (lambda: -float(np.log(10)), "the sign is flipped"),
    (lambda: float(np.log(0.1)), "the sign is flipped"),  # ln p written directly: differs from −ln 10 in the last bit
    (lambda: -2.3, "the sign is flipped"),  # rounded
    (lambda: float(np.log2(10)), "natural logarithm"),
    (lambda: 0.0, "a loss of 0"),
    (lambda: 10.0, "not the number of classes"),
    (lambda: float(np.log(10) / 10), "divides by the 10 classes"),
    (lambda: 0.23, "divides by the 10 classes"),
    (lambda: float(10 * np.log(10)), "adds −ln(1/10) over all 10 classes"),
])
def test_initial_loss_wrong_numbers_get_an_explanation(verdict_of, answer, hint):
    verdict = verdict_of("losses.initial_loss", answer)
    assert verdict.status == "failed" and verdict.hint is not None and hint in verdict.hint, verdict.render()


@pytest.mark.parametrize("value, ok", [(np.log(10), True), (2.303, True), (2.3, True), (2.25, False),
                                       (np.log(9), False)])
def test_initial_loss_accepts_rounded_values_only_close_to_ln_10(verdict_of, value, ok):
    assert verdict_of("losses.initial_loss", lambda: value).passed is ok


def test_the_whole_arrays_maximum_is_caught_only_by_rows_on_different_scales(verdict_of):
    """z - z.max() is right in exact arithmetic, so only a batch whose rows lie far apart exposes it."""
    verdict = verdict_of("losses.cross_entropy", ce_global_max)
    assert verdict.case.startswith("rows on very different scales"), verdict.render()
    verdict = verdict_of("losses.softmax_ce_grad", grad_global_max)
    assert verdict.case.startswith("rows on very different scales") and "NaN" in verdict.summary, verdict.render()


def test_a_missing_keepdims_that_crashes_gets_a_hint_naming_both_broadcast_mistakes(verdict_of):
    """When N != C, (N, C) - (N,) raises; the hint names keepdims as well as the one-hot confusion."""

    def crashes_unless_square(logits, labels):
        if np.shape(logits)[0] == np.shape(logits)[1]:
            return ce_scipy(logits, labels)
        return ce_no_keepdims(logits, labels)

    verdict = verdict_of("losses.cross_entropy", crashes_unless_square)
    assert "raised ValueError" in verdict.summary and "keepdims=True" in verdict.hint, verdict.render()
    verdict = verdict_of("losses.softmax_ce_grad", lambda z, y: grad_torch(z, y) if np.shape(z)[0] == np.shape(z)[1]
                         else grad_no_keepdims(z, y))
    assert "raised ValueError" in verdict.summary and "keepdims=True" in verdict.hint, verdict.render()
