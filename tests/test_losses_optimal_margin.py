"""utils.losses.optimal_margin: where cross-entropy with label smoothing stops pushing the true class's logit,
checked against PyTorch's gradient of the smoothed loss (kept apart from test_losses.py's parity suite)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import utils.losses as L


def _smoothed_gradient_of_the_true_logit(margin: float, n_classes: int, eps: float) -> float:
    logits = torch.zeros(1, n_classes, dtype=torch.float64)
    logits[0, 0] = margin
    logits.requires_grad_(True)
    F.cross_entropy(logits, torch.zeros(1, dtype=torch.long), label_smoothing=eps).backward()
    return float(logits.grad[0, 0])


@pytest.mark.parametrize("n_classes, eps", [(2, 0.05), (10, 0.1), (5, 0.2), (20, 0.5)])
def test_the_smoothed_loss_is_flat_at_the_optimal_margin(n_classes, eps):
    best = L.optimal_margin(n_classes, eps)
    assert np.isfinite(best) and best > 0
    assert _smoothed_gradient_of_the_true_logit(best, n_classes, eps) == pytest.approx(0.0, abs=1e-12)
    assert _smoothed_gradient_of_the_true_logit(best - 1.0, n_classes, eps) < 0  # below: the loss still falls
    assert _smoothed_gradient_of_the_true_logit(best + 1.0, n_classes, eps) > 0  # beyond: it pulls back
    p_true = np.exp(best) / (np.exp(best) + n_classes - 1)
    assert p_true == pytest.approx(1 - eps + eps / n_classes)  # the smoothed target probability


def test_without_smoothing_there_is_no_optimal_margin_and_full_smoothing_wants_none():
    assert L.optimal_margin(10, 0.0) == np.inf
    assert L.optimal_margin(10, 1.0) == pytest.approx(0.0)  # the uniform target: every logit equal


@pytest.mark.parametrize("args, match", [((1, 0.1), "n_classes must be an integer >= 2"),
                                         ((2.5, 0.1), "n_classes must be an integer >= 2"),
                                         ((True, 0.1), "n_classes must be an integer >= 2"),
                                         ((10, -0.1), r"label_smoothing must be in \[0, 1\]"),
                                         ((10, 1.5), r"label_smoothing must be in \[0, 1\]")])
def test_bad_arguments_raise(args, match):
    with pytest.raises(ValueError, match=match):
        L.optimal_margin(*args)
