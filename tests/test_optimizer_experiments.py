"""utils.optimizer_experiments: the same digits network trained with different optimizer settings. Runs are
deterministic; the claims Chapter 05 makes about them hold with margins; the PyTorch twin equals our Adam run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils import activations as A
from utils import data, layers, losses, optim
from utils import optimizer_experiments as ox
from utils.module import Parameter
from utils.training import fit


@pytest.fixture(scope="module")
def comparison():
    return ox.compare_optimizers()  # the chapter's defaults: seven optimizers, 10 epochs, batch size 32


def test_a_run_is_chapter_04s_digits_run_and_repeats_exactly():
    run = ox.record_training(lambda params: optim.SGD(params, lr=0.2), epochs=2)
    again = ox.record_training(lambda params: optim.SGD(params, lr=0.2), epochs=2)
    for field in ("train_loss", "test_accuracy", "batch_loss"):
        np.testing.assert_array_equal(getattr(run, field), getattr(again, field))
    # Chapter 04's cell: one generator draws the network, then shuffles the minibatches
    X_train, X_test, y_train, y_test = data.digits_split()
    rng = np.random.default_rng(2)
    model = layers.Sequential(layers.Linear(64, 64, rng=rng), A.ReLU(), layers.Linear(64, 10, rng=rng))
    history = fit(model, losses.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.2), X_train, y_train,
                  epochs=2, batch_size=32, rng=rng)
    sizes = np.tile(np.diff(np.r_[np.arange(0, len(X_train), 32), len(X_train)]), 2)  # 42 batches of 32, one of 3
    per_epoch = (run.batch_loss * sizes).reshape(2, -1).sum(axis=1) / len(X_train)
    np.testing.assert_allclose(per_epoch, history, rtol=1e-12)
    np.testing.assert_allclose(run.train_loss[-1], losses.cross_entropy(model(X_train), y_train), rtol=1e-12)
    assert run.test_accuracy[-1] == pytest.approx(np.mean(model(X_test).argmax(axis=1) == y_test))
    assert (run.epochs, run.batch_size, run.n_train, run.updates_per_epoch) == (2, 32, 1347, 43)
    np.testing.assert_array_equal(run.updates, [0, 43, 86])
    np.testing.assert_array_equal(run.examples_seen, [0, 1347, 2694])


def test_every_run_starts_from_the_same_weights_and_batches(comparison):
    first_batch = {run.batch_loss[0] for run in comparison.values()}
    start = {run.train_loss[0] for run in comparison.values()}
    assert len(first_batch) == 1 and len(start) == 1  # same weights, same first minibatch
    assert abs(next(iter(start)) - np.log(10)) < 0.05  # ten classes, nearly uniform at the start
    other_seed = ox.record_training(lambda params: optim.SGD(params, lr=0.5), epochs=1, seed=3)
    assert other_seed.train_loss[0] != next(iter(start))


def test_the_comparisons_claims(comparison):
    sgd, adam = comparison["SGD, lr 0.5"], comparison["Adam, lr 0.01"]
    assert list(comparison) == list(ox.OPTIMIZER_COMPARISON)
    assert adam.final_loss < 0.7 * sgd.final_loss  # 0.039 against 0.067
    for label, run in comparison.items():
        assert not run.diverged and run.final_loss < 0.1 and run.test_accuracy[-1] > 0.95, label
        if run is not sgd:  # after one epoch every other optimizer is well below plain SGD (0.83)
            assert run.train_loss[1] < 0.75 * sgd.train_loss[1], label
    # AdamW's default decay (lr × 0.01 per step) is too weak to tell it from Adam here
    assert abs(comparison["AdamW, lr 0.01"].final_loss - adam.final_loss) < 0.01


def test_a_diverging_run_is_stopped_and_marked():
    run = ox.record_training(lambda params: optim.SGD(params, lr=1e200), epochs=3)  # the weights overflow
    assert run.diverged and np.isnan(run.train_loss[-1]) and np.isfinite(run.train_loss[0])
    assert run.batch_loss.shape == (3 * 43,)


def test_gradient_noise_falls_as_one_over_sqrt_b_as_the_sampling_formula_says():
    noise = ox.gradient_noise((1, 4, 16, 64, 256), draws=16)
    again = ox.gradient_noise((1, 4, 16, 64, 256), draws=16)
    np.testing.assert_array_equal(noise.relative_error, again.relative_error)
    slope = np.polyfit(np.log(noise.batch_sizes[:4]), np.log(noise.relative_error[:4]), 1)[0]
    assert -0.6 < slope < -0.4
    assert np.all(np.abs(noise.relative_error / noise.predicted - 1) < 0.2)
    assert noise.relative_error[0] > 5  # one example's gradient: mostly noise (~9x the full gradient's size)
    assert ox.gradient_noise((1347,), draws=2).relative_error[0] < 1e-12  # the whole split: no noise


def test_the_per_example_spread_equals_a_brute_force_over_single_examples():
    noise = ox.gradient_noise((1,), draws=1, seed=5)
    X, _, y, _ = data.digits_split()
    model = ox.digits_network(np.random.default_rng(5))

    def gradient(idx):
        loss_fn = losses.CrossEntropyLoss()
        loss_fn(model(X[idx]), y[idx])
        model.zero_grad()
        model.backward(loss_fn.backward())
        return np.concatenate([p.grad.ravel() for p in model.parameters()])

    full = gradient(np.arange(len(X)))
    spread = np.mean([np.sum((gradient([i]) - full) ** 2) for i in range(len(X))])
    np.testing.assert_allclose(noise.predicted[0], np.sqrt(spread) / np.linalg.norm(full), rtol=1e-9)


def test_small_batches_win_per_example_and_the_full_batch_wins_per_step():
    runs = ox.batch_size_runs(epochs={None: 43, 32: 1, 1: 1})
    full, minibatch, single = runs[1347], runs[32], runs[1]
    assert (full.label, single.label) == ("full batch, lr 1", "batch size 1, lr 0.03")
    # one epoch each (the same 1,347 gradients of one example): 1 step, 43 steps, 1,347 steps
    assert single.train_loss[1] < 0.5 * minibatch.train_loss[1] < 0.5 * full.train_loss[1]
    assert full.train_loss[1] > 2.2  # one step of the full batch barely moves
    # the same 43 steps each: the full batch, with its exact gradient, ends lower
    assert full.train_loss[43] < 0.6 * minibatch.train_loss[1]


def test_the_linear_scaling_rule_holds_here():
    result = ox.linear_scaling()
    np.testing.assert_allclose(result.scaled_lr, [0.025, 0.05, 0.1, 0.2])
    assert result.final_scaled.max() < 1.1 * result.final_scaled.min()  # 1.03 to 1.05
    assert np.all(np.diff(result.final_fixed) > 0.1)  # a fixed lr: each doubling of B ends clearly higher
    assert result.final_fixed[-1] > 1.8 * result.final_scaled[-1]
    assert result.scaled[32] is result.fixed[32]  # the base batch size's two runs are one run


def test_adams_eps_from_adam_to_sgd_with_momentum():
    result = ox.adam_eps_runs()
    assert list(result.runs) == [1e-8, 1e-3, 1e-1, 1.0]
    assert np.all(np.diff(result.final_loss[1:]) > 0.3)  # 1e-3 → 0.1 → 1: each much slower
    assert result.final_loss[1] < 1.5 * result.final_loss[0]  # 1e-8 and 1e-3: nearly the same
    assert result.final_loss[-1] > 2.0  # eps = 1: lr / eps = 0.01 on m̂, barely moving
    np.testing.assert_allclose(result.runs[1.0].train_loss, result.twin.train_loss, atol=0.01)


def test_the_pytorch_twin_reproduces_our_adam_run_in_float64():
    ours = ox.record_training(lambda params: optim.Adam(params, lr=0.01), epochs=3)
    twin = ox.torch_record_training(lambda params: torch.optim.Adam(params, lr=0.01), epochs=3, device="cpu",
                                    dtype=torch.float64)
    np.testing.assert_allclose(twin.train_loss, ours.train_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(twin.batch_loss, ours.batch_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(twin.test_accuracy, ours.test_accuracy)


def test_the_pytorch_twin_defaults_to_adam_in_float32_on_the_picked_device():
    threads = torch.get_num_threads()
    twin = ox.torch_record_training(epochs=2, batch_size=None)  # full batch: two Adam steps, lr 0.01
    ours = ox.record_training(ox.OPTIMIZER_COMPARISON["Adam, lr 0.01"], epochs=2, batch_size=None)
    np.testing.assert_allclose(twin.train_loss, ours.train_loss, rtol=1e-5)  # float32
    assert ours.train_loss[2] < ours.train_loss[1] - 0.05  # the steps moved: the comparison can fail
    assert twin.batch_size == 1347 and twin.label == "PyTorch" and torch.get_num_threads() == threads


@pytest.mark.parametrize("call, error, match", [
    (lambda: ox.record_training(optim.SGD([Parameter(np.zeros(2))], lr=0.1)), TypeError,
     r"make_optimizer must be a function params -> optimizer.*got SGD"),
    (lambda: ox.record_training(optim.SGD), TypeError, r"got the class SGD"),
    (lambda: ox.record_training(lambda params: "sgd"), TypeError, r"must return a utils.optim optimizer, got str"),
    (lambda: ox.compare_optimizers([]), TypeError, r"make_optimizers must be a non-empty dict"),
    (lambda: ox.batch_size_runs({32: 0.1}, epochs={1: 3}), ValueError, r"got none for 32"),
    (lambda: ox.gradient_noise((0, 4)), ValueError, r"batch_sizes must be a list of integers from 1 to 1347"),
    (lambda: ox.adam_eps_runs((1e-8, 0.0)), ValueError, r"each eps must be a finite number > 0, got 0.0"),
    (lambda: ox.adam_eps_runs(1e-8), ValueError, r"eps_values must be a non-empty list of numbers, got 1e-08"),
    (lambda: ox.torch_record_training(torch.optim.Adam), TypeError, r"got the class Adam"),
    (lambda: ox.torch_record_training(epochs=1, dtype=torch.int64), ValueError, r"dtype must be a floating"),
])
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
