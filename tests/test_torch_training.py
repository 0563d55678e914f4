"""utils.torch_training: the PyTorch loop does what a hand-written loop does, measures per epoch, stops early at
the right epoch with the best weights, steps schedulers when told, runs where it is told, and stays quiet on demand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from utils.device import pick_device
from utils.torch_training import Evaluation, TrainLog, classifier_epochs, evaluate_torch, train_torch
from utils.training import accuracy


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Products this small only wait on each other with more threads (the setting is restored after)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def regression_batches(n: int = 64, batch_size: int = 16, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """A fixed list of (X (B, 3), y (B, 1)) batches of y = X @ w + noise."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=generator)
    y = X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.1 * torch.randn(n, 1, generator=generator)
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def blob_batches(n_per_class: int = 40, batch_size: int = 25, seed: int = 0):
    """Two Gaussian blobs: a list of (X (B, 2) float32, y (B,) int64) batches, the last one smaller."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.cat([torch.randn(n_per_class, 2, generator=generator) + shift for shift in (-2.0, 2.0)])
    y = torch.arange(2).repeat_interleave(n_per_class)
    order = torch.randperm(len(X), generator=generator)
    X, y = X[order], y[order]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def linear(seed: int = 0, shape=(3, 1)) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(*shape)


def sgd(model, lr: float = 0.05) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ---- the loop --------------------------------------------------------------------------------------------------
def test_the_loss_decreases_and_the_history_has_one_entry_per_epoch():
    model, data = linear(), regression_batches()
    log = train_torch(model, nn.MSELoss(), sgd(model), data, regression_batches(seed=1), epochs=15, progress=False)
    assert isinstance(log, TrainLog) and log.epochs_run == 15 and log.device == "cpu"
    assert log.train_loss.shape == log.val_loss.shape == (15,) and log.train_loss.dtype == np.float64
    assert log.train_metric is None and log.val_metric is None and not log.stopped_early
    assert log.train_loss[-1] < 0.05 * log.train_loss[0] and log.val_loss[-1] < 0.05 * log.val_loss[0]
    assert log.best_epoch == int(np.argmin(log.val_loss))  # tracked without patience too


def test_one_epoch_is_the_hand_written_loop():
    """Same batches, same start: forward, loss, zero_grad, backward, step; identical weights (a forgotten
    zero_grad or a missing step would differ)."""
    data = regression_batches()
    model, twin = linear(), linear()
    optimizer, twin_optimizer = sgd(model), sgd(twin)
    train_torch(model, nn.MSELoss(), optimizer, data, epochs=3, progress=False)
    for _ in range(3):
        for X, y in data:
            loss = nn.functional.mse_loss(twin(X), y)
            twin_optimizer.zero_grad()
            loss.backward()
            twin_optimizer.step()
    assert same_weights(model.state_dict(), twin.state_dict())


def test_metrics_are_size_weighted_means_and_validation_is_evaluate_torch():
    model, data, held_out = linear(shape=(2, 2)), blob_batches(), blob_batches(seed=1)
    assert [len(y) for _, y in data] == [25, 25, 25, 5]  # a smaller last batch: weighting matters
    log = train_torch(model, nn.CrossEntropyLoss(), sgd(model, 0.1), data, held_out, epochs=4, metric=accuracy,
                      progress=False)
    assert log.train_metric.shape == log.val_metric.shape == (4,) and log.val_metric[-1] > 0.9
    final = evaluate_torch(model, held_out, nn.CrossEntropyLoss(), accuracy)
    assert isinstance(final, Evaluation) and final.loss == pytest.approx(log.val_loss[-1], rel=1e-12)
    X, y = (torch.cat(parts) for parts in zip(*held_out))
    with torch.no_grad():
        assert final.loss == pytest.approx(nn.functional.cross_entropy(model(X), y).item(), rel=1e-6)
        assert final.metric == pytest.approx(accuracy(model(X), y), rel=1e-12)  # not the mean of batch means


class ModeSpy(nn.Module):
    """A linear layer that records (training mode?, gradients on?) at each forward."""

    def __init__(self):
        super().__init__()
        self.linear = linear()
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def test_training_runs_in_train_mode_and_validation_in_eval_mode_without_gradients():
    model = ModeSpy()
    train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), regression_batches(n=32), epochs=2,
                progress=False)
    assert model.calls == 2 * ([(True, True)] * 4 + [(False, False)] * 2)
    assert not model.training  # ends ready to predict
    model.train()
    evaluate_torch(model, regression_batches(n=16), nn.MSELoss())
    assert model.calls[-1] == (False, False) and model.training  # evaluate_torch restores the mode


# ---- early stopping on a scripted sequence of validation losses --------------------------------------------------
class ScriptedValidationLoss:
    """MSE while training; under no_grad (validation) the next value of ``sequence``, and a snapshot of the model's
    weights at that moment (so the test knows the weights of every epoch)."""

    def __init__(self, model, sequence):
        self.model, self.sequence, self.snapshots = model, list(sequence), []

    def __call__(self, outputs, targets):
        if torch.is_grad_enabled():
            return nn.functional.mse_loss(outputs, targets)
        self.snapshots.append({k: v.clone() for k, v in self.model.state_dict().items()})
        return torch.tensor(self.sequence[len(self.snapshots) - 1], dtype=torch.float64)


#            epoch: 0    1    2    3    4    5    6    7    8    9    10   11
SEQUENCE = [5.0, 4.0, 3.0, 3.5, 3.0, 4.0, 2.0, 2.5, 2.6, 2.7, 2.8, 2.9]  # epoch 4 ties epoch 2: no improvement


@pytest.mark.parametrize("patience, epochs_run, best_epoch", [(1, 4, 2), (2, 5, 2), (3, 6, 2), (4, 11, 6)])
def test_early_stopping_stops_after_patience_epochs_without_a_strict_improvement(patience, epochs_run, best_epoch):
    model = linear()
    loss = ScriptedValidationLoss(model, SEQUENCE)
    log = train_torch(model, loss, sgd(model), regression_batches(), regression_batches(n=16), epochs=len(SEQUENCE),
                      patience=patience, progress=False)
    assert (log.epochs_run, log.best_epoch, log.stopped_early) == (epochs_run, best_epoch, True)
    assert log.val_loss.tolist() == SEQUENCE[:epochs_run] and len(loss.snapshots) == epochs_run
    assert same_weights(model.state_dict(), loss.snapshots[best_epoch])  # the best weights are back
    assert not same_weights(model.state_dict(), loss.snapshots[-1])


def test_patience_running_out_at_the_last_epoch_is_not_an_early_stop_but_restores_the_best():
    model = linear()
    loss = ScriptedValidationLoss(model, SEQUENCE)
    log = train_torch(model, loss, sgd(model), regression_batches(), regression_batches(n=16), epochs=5, patience=2,
                      progress=False)
    assert (log.epochs_run, log.best_epoch, log.stopped_early) == (5, 2, False)
    assert same_weights(model.state_dict(), loss.snapshots[2])


def test_without_patience_every_epoch_runs_and_the_last_weights_stay():
    model = linear()
    loss = ScriptedValidationLoss(model, SEQUENCE)
    log = train_torch(model, loss, sgd(model), regression_batches(), regression_batches(n=16), epochs=len(SEQUENCE),
                      progress=False)
    assert (log.epochs_run, log.best_epoch, log.stopped_early) == (12, 6, False)
    assert same_weights(model.state_dict(), loss.snapshots[-1])


# ---- schedulers --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("when, steps", [("batch", 3 * 4), ("epoch", 3)])
def test_the_scheduler_steps_per_batch_or_per_epoch(when, steps):
    model = linear()
    optimizer = sgd(model, lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    train_torch(model, nn.MSELoss(), optimizer, regression_batches(), epochs=3, scheduler=scheduler,
                scheduler_step=when, progress=False)
    assert scheduler.last_epoch == steps and optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**steps)


def test_one_cycle_runs_its_exact_number_of_batches():
    """OneCycleLR refuses a step past total_steps: per-batch stepping must be exactly epochs × batches."""
    model = linear()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, epochs=3, steps_per_epoch=4)
    train_torch(model, nn.MSELoss(), optimizer, regression_batches(), epochs=3, scheduler=scheduler,
                scheduler_step="batch", progress=False)
    assert scheduler.last_epoch == 12
    with pytest.raises(ValueError, match="Tried to step"):
        scheduler.step()


class RecordingPlateau(torch.optim.lr_scheduler.ReduceLROnPlateau):
    def __init__(self, *args, **kwargs):
        self.seen = []
        super().__init__(*args, **kwargs)

    def step(self, metrics):
        self.seen.append(float(metrics))
        super().step(metrics)


def test_reduce_on_plateau_gets_the_validation_loss():
    model = linear()
    optimizer = sgd(model)
    scheduler = RecordingPlateau(optimizer)
    log = train_torch(model, ScriptedValidationLoss(model, SEQUENCE), optimizer, regression_batches(),
                      regression_batches(n=16), epochs=6, scheduler=scheduler, scheduler_step="epoch", progress=False)
    assert scheduler.seen == log.val_loss.tolist() == SEQUENCE[:6]


# ---- device and progress ------------------------------------------------------------------------------------------
def test_the_device_is_picked_or_given():
    model = linear()
    log = train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), epochs=1, progress=False)
    assert log.device == str(pick_device())
    log = train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), epochs=1, device="cpu", progress=False)
    assert log.device == "cpu" and next(model.parameters()).device.type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_a_gpu_this_machine_lacks_is_a_clear_error():
    model = linear()
    with pytest.raises(ValueError, match=r"device='cuda' asks for a CUDA GPU, but PyTorch sees none"):
        train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), epochs=1, device="cuda", progress=False)
    with pytest.raises(ValueError, match=r"device='cuda:0' asks for a CUDA GPU"):
        evaluate_torch(model, regression_batches(), nn.MSELoss(), device="cuda:0")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_the_model_and_the_cpu_batches_move_there():  # pragma: no cover - run where there is one
    model = linear()
    log = train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), regression_batches(n=16), epochs=2,
                      device="cuda", progress=False)
    assert log.device.startswith("cuda") and next(model.parameters()).is_cuda
    assert evaluate_torch(model, regression_batches(n=16), nn.MSELoss()).loss == pytest.approx(log.val_loss[-1])


def test_progress_false_prints_nothing_and_true_shows_a_bar(capfd):
    model = linear()
    train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), regression_batches(n=16), epochs=2,
                progress=False)
    assert capfd.readouterr() == ("", "")
    train_torch(model, nn.MSELoss(), sgd(model), regression_batches(), regression_batches(n=16), epochs=2)
    shown = capfd.readouterr().err
    assert "training" in shown and "2/2" in shown and "val_loss=" in shown


# ---- bad arguments (the table in test_errors.py holds one row per public name) -------------------------------------
def test_a_generator_as_loader_is_caught_in_the_second_epoch():
    model = linear()
    with pytest.raises(ValueError, match=r"train_loader yielded no batches in epoch 1 \(a generator"):
        train_torch(model, nn.MSELoss(), sgd(model), (batch for batch in regression_batches()), epochs=2,
                    progress=False)


@pytest.mark.parametrize("loader, match", [
    ([torch.zeros(4, 3)], r"each batch of train_loader must be a pair of tensors \(inputs, targets\).*got Tensor"),
    ([(torch.zeros(4, 3),)], r"must be a pair of tensors .*got 1 items"),
    (torch.zeros(4, 3), None),
])
def test_batches_that_are_not_pairs_are_named(loader, match):
    model = linear()
    error = ValueError if match else TypeError
    with pytest.raises(error, match=match or r"train_loader must yield \(inputs, targets\) batches.*got Tensor"):
        train_torch(model, nn.MSELoss(), sgd(model), loader, epochs=1, progress=False)


def test_a_loss_that_is_not_one_number_is_named():
    model = linear(shape=(2, 2))
    with pytest.raises(ValueError, match=r"must return one number.*got a tensor of shape \(25,\)"):
        train_torch(model, nn.CrossEntropyLoss(reduction="none"), sgd(model), blob_batches(), epochs=1,
                    progress=False)


def test_scheduler_arguments_are_checked():
    model = linear()
    optimizer = sgd(model)
    other = torch.optim.lr_scheduler.StepLR(sgd(linear()), step_size=1)
    with pytest.raises(ValueError, match="drives another optimizer"):
        train_torch(model, nn.MSELoss(), optimizer, regression_batches(), epochs=1, scheduler=other,
                    scheduler_step="epoch")
    with pytest.raises(ValueError, match="ReduceLROnPlateau .* must be 'epoch', got 'batch'"):
        train_torch(model, nn.MSELoss(), optimizer, regression_batches(), epochs=1,
                    scheduler=torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer), scheduler_step="batch")


def test_classifier_epochs_without_validation_and_with_some_parameters_only():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)).astype(np.float32), np.arange(40) % 2
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    first = model[0].weight.detach().clone()
    steps = list(classifier_epochs(model, X, y, epochs=2, lr=0.05, batch_size=8, schedule=None,
                                   parameters=model[2].parameters()))
    log = steps[-1][1]
    assert [s[1].epochs_run for s in steps] == [1, 2] and log.val_loss is None and log.best_epoch is None
    assert log.train_metric.shape == (2,)
    assert torch.equal(model[0].weight, first)  # Adam held only the last layer
