"""Chapter 06's exercises: the checker accepts correct answers (also ones written differently from the reference)
and rejects plausible wrong answers with the hint that names the mistake: a training epoch without zero_grad(),
with softmax before CrossEntropyLoss, step() before backward(), no train(), an unweighted mean of the batch losses;
an evaluation without eval() or no_grad(), a transposed confusion matrix, a percentage; precision and recall
swapped, micro for macro, NaN for an empty class; early stopping off by one, with <=, counted from 1, peeking at the
future; a checkpoint without the optimizer's state or loaded without weights_only=True; an Auto MPG model without
an activation or ending in one. Each wrong answer is written here, as a learner would write it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn


def _failed_with(verdict, hint: str | None):
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


# ---------------------------------------------------------------------------------------------
# 1. train_one_epoch
# ---------------------------------------------------------------------------------------------
def epoch_right_other_order(model, loss_fn, optimizer, loader):  # zero_grad after the step: also right
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = torch.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
        total += loss.item() * inputs.shape[0]
        n += inputs.shape[0]
    return total / n


def epoch_no_zero_grad(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_softmax(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        probabilities = torch.softmax(model(inputs), dim=1)
        loss = loss_fn(probabilities, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_step_first(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.step()
        optimizer.zero_grad()
        loss.backward()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_no_train(model, loss_fn, optimizer, loader):
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_zero_grad_between(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_return_in_loop(model, loss_fn, optimizer, loader):
    model.train()
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()


def _epoch_returning(summary):
    def answer(model, loss_fn, optimizer, loader):
        model.train()
        batch_losses, sizes = [], []
        for inputs, targets in loader:
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
            sizes.append(len(targets))
        return summary(batch_losses, sizes)

    return answer


epoch_unweighted_mean = _epoch_returning(lambda losses, sizes: sum(losses) / len(losses))
epoch_sum = _epoch_returning(lambda losses, sizes: sum(losses))
epoch_divided_by_batches = _epoch_returning(
    lambda losses, sizes: sum(loss * n for loss, n in zip(losses, sizes)) / len(sizes))
epoch_last = _epoch_returning(lambda losses, sizes: losses[-1])


def epoch_returns_tensor(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total = total + loss * len(targets)  # a tensor: every batch's graph kept alive
        n += len(targets)
    return total / n


@pytest.mark.parametrize("answer, hint", [
    (epoch_no_zero_grad, "zero_grad() is missing"),
    (epoch_softmax, "softmax before the loss"),
    (epoch_step_first, "changed the weights in place"),
    (epoch_no_train, "stayed in eval() mode"),
    (epoch_zero_grad_between, "between loss.backward() and optimizer.step()"),
    (epoch_return_in_loop, "only the first batch"),
    (epoch_unweighted_mean, "plain mean of the batch losses"),
    (epoch_sum, "sum of the batch losses"),
    (epoch_divided_by_batches, "not of batches"),
    (epoch_last, "last batch's loss"),
    (epoch_returns_tensor, "loss.item()"),
], ids=lambda v: getattr(v, "__name__", "")[:30])
def test_train_one_epoch_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.train_one_epoch", answer), hint)


def test_train_one_epoch_written_another_way_passes(verdict_of):
    verdict = verdict_of("training.train_one_epoch", epoch_right_other_order)
    assert verdict.passed, verdict.render()


def test_train_one_epoch_leaves_torch_global_state_alone(verdict_of):
    torch.manual_seed(123)
    expected = torch.rand(3)
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    verdict_of("training.train_one_epoch", epoch_no_zero_grad)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


# ---------------------------------------------------------------------------------------------
# 2. evaluate
# ---------------------------------------------------------------------------------------------
def _evaluation(*, eval_mode=True, no_grad=True, transpose=False, percent=False, batch_mean=False):
    def evaluate(model, loader, num_classes):
        if eval_mode:
            model.eval()
        confusion = np.zeros((num_classes, num_classes), dtype=int)
        accuracies = []
        with torch.no_grad() if no_grad else torch.enable_grad():
            for inputs, targets in loader:
                predicted = model(inputs).argmax(dim=1)
                accuracies.append((predicted == targets).float().mean().item())
                for t, p in zip(targets.tolist(), predicted.tolist()):
                    if transpose:
                        confusion[p, t] += 1
                    else:
                        confusion[t, p] += 1
        accuracy = np.mean(accuracies) if batch_mean else np.trace(confusion) / confusion.sum()
        return (100 * accuracy if percent else accuracy), confusion

    return evaluate


def evaluate_sklearn_without_labels(model, loader, num_classes):
    from sklearn.metrics import confusion_matrix

    model.eval()
    with torch.no_grad():
        pairs = [(model(x).argmax(dim=1), y) for x, y in loader]
    predicted, true = torch.cat([p for p, _ in pairs]), torch.cat([t for _, t in pairs])
    return (predicted == true).float().mean().item(), confusion_matrix(true, predicted)  # labels= forgotten


@pytest.mark.parametrize("answer, hint", [
    (_evaluation(eval_mode=False), "model.eval()"),
    (_evaluation(no_grad=False), "torch.no_grad()"),
    (_evaluation(transpose=True), "transposed"),
    (_evaluation(percent=True), "percentage"),
    (_evaluation(batch_mean=True), "plain mean of the batches' accuracies"),
    (evaluate_sklearn_without_labels, "labels=range(num_classes)"),
], ids=["no_eval", "no_no_grad", "transposed", "percent", "batch_mean", "sklearn_no_labels"])
def test_evaluate_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.evaluate", answer), hint)


def evaluate_inference_mode_with_tensors(model, loader, num_classes):
    model.eval()
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
    with torch.inference_mode():
        for inputs, targets in loader:
            predicted = model(inputs).argmax(dim=1)
            confusion.index_put_((targets, predicted), torch.ones_like(targets), accumulate=True)
    return confusion.diag().sum() / confusion.sum(), confusion


def test_evaluate_with_inference_mode_and_tensors_passes(verdict_of):
    verdict = verdict_of("training.evaluate", evaluate_inference_mode_with_tensors)
    assert verdict.passed, verdict.render()


# ---------------------------------------------------------------------------------------------
# 3. precision_recall_f1
# ---------------------------------------------------------------------------------------------
def _safe(num, den):
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def prf_swapped(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    precision, recall = _safe(tp, cm.sum(axis=1)), _safe(tp, cm.sum(axis=0))  # axes swapped
    f1 = _safe(2 * precision * recall, precision + recall)
    return precision, recall, f1, f1.mean()


def _prf(macro):
    def answer(confusion):
        cm = np.asarray(confusion, dtype=float)
        tp = np.diag(cm)
        precision, recall = _safe(tp, cm.sum(axis=0)), _safe(tp, cm.sum(axis=1))
        f1 = _safe(2 * precision * recall, precision + recall)
        return precision, recall, f1, macro(cm, precision, recall, f1)

    return answer


prf_micro = _prf(lambda cm, p, r, f: np.trace(cm) / cm.sum())
prf_f1_of_means = _prf(lambda cm, p, r, f: 2 * p.mean() * r.mean() / (p.mean() + r.mean()))
prf_weighted = _prf(lambda cm, p, r, f: (f * cm.sum(axis=1)).sum() / cm.sum())
prf_skips_empty = _prf(lambda cm, p, r, f: f[(cm.sum(axis=0) + cm.sum(axis=1)) > 0].mean())


def prf_nan(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    with np.errstate(all="ignore"):
        precision, recall = tp / cm.sum(axis=0), tp / cm.sum(axis=1)
        f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1, np.mean(f1)


def prf_python_division(confusion):
    c = len(confusion)
    precision = [confusion[i][i] / sum(confusion[j][i] for j in range(c)) for i in range(c)]
    recall = [confusion[i][i] / sum(confusion[i]) for i in range(c)]
    f1 = [2 * p * r / (p + r) for p, r in zip(precision, recall)]
    return precision, recall, f1, sum(f1) / c


def prf_in_place(confusion):
    confusion[confusion == 0] = 0  # harmless so far
    confusion += 0
    cm = confusion.astype(float)
    np.fill_diagonal(confusion, 0)  # "to look at the mistakes"
    tp = np.diag(cm)
    precision, recall = _safe(tp, cm.sum(axis=0)), _safe(tp, cm.sum(axis=1))
    f1 = _safe(2 * precision * recall, precision + recall)
    return precision, recall, f1, f1.mean()


@pytest.mark.parametrize("answer, hint", [
    (prf_swapped, "swapped"),
    (prf_micro, "micro average"),
    (prf_f1_of_means, "F1 of the mean precision"),
    (prf_weighted, "weighted"),
    (prf_skips_empty, "an empty class counts too"),
    (prf_nan, "zero_division=0"),
    (prf_python_division, "zero_division=0"),
    (prf_in_place, "leave the input as it was"),
], ids=lambda v: getattr(v, "__name__", "")[:30])
def test_precision_recall_f1_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.precision_recall_f1", answer), hint)


def prf_with_sklearn(confusion):
    from sklearn.metrics import precision_recall_fscore_support

    c = len(confusion)
    true = np.repeat(np.arange(c), np.asarray(confusion).sum(axis=1))
    predicted = np.concatenate([np.repeat(np.arange(c), row) for row in confusion])
    p, r, f, _ = precision_recall_fscore_support(true, predicted, labels=range(c), zero_division=0)
    return p, r, f, f.mean()


def test_precision_recall_f1_with_sklearn_passes(verdict_of):
    verdict = verdict_of("training.precision_recall_f1", prf_with_sklearn)
    assert verdict.passed, verdict.render()


# ---------------------------------------------------------------------------------------------
# 4. stop_epoch
# ---------------------------------------------------------------------------------------------
def _stopper(*, strict=True, trigger=lambda waited, patience: waited >= patience, start=0, versus_previous=False,
             peek=False, as_list=False, stop_plus=0):
    def stop_epoch(val_losses, patience):
        best, best_epoch, waited, previous = math.inf, 0, 0, math.inf
        stop = len(val_losses) - 1
        for epoch, loss in enumerate(val_losses, start=start):
            better = (loss < best) if strict else (loss <= best)
            if versus_previous:
                waited = 0 if loss < previous else waited + 1
            else:
                waited = 0 if better else waited + 1
            if better:
                best, best_epoch = loss, epoch
            previous = loss
            if trigger(waited, patience):
                stop = epoch
                break
        else:
            stop = stop + start
        if peek:
            best_epoch = int(np.argmin(val_losses))
        return [stop + stop_plus, best_epoch] if as_list else (stop + stop_plus, best_epoch)

    return stop_epoch


@pytest.mark.parametrize("answer, hint", [
    (_stopper(trigger=lambda w, p: w > p), "one epoch too late"),
    (_stopper(trigger=lambda w, p: w >= p - 1), "one epoch too early"),
    (_stopper(strict=False), "strictly"),
    (_stopper(start=1), "epochs count from 0"),
    (_stopper(stop_plus=1), "not the number of epochs run"),
    (_stopper(versus_previous=True), "not with the previous epoch's"),
    (_stopper(peek=True), "peeks into the future"),
], ids=["waited_gt", "waited_ge_p_minus_1", "le", "from_1", "epochs_run", "vs_previous", "argmin_all"])
def test_stop_epoch_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.stop_epoch", answer), hint)


def test_stop_epoch_as_a_list_is_named(verdict_of):
    _failed_with(verdict_of("training.stop_epoch", _stopper(as_list=True)), "in a list")


def stop_epoch_with_numpy(val_losses, patience):
    losses = np.asarray(val_losses)
    for epoch in range(len(losses)):
        best = int(np.argmin(losses[:epoch + 1]))  # the first minimum so far: ties do not move it
        if epoch - best >= patience:
            return epoch, best
    return len(losses) - 1, int(np.argmin(losses))


def test_stop_epoch_written_with_numpy_passes(verdict_of):
    verdict = verdict_of("training.stop_epoch", stop_epoch_with_numpy)
    assert verdict.passed, verdict.render()


# ---------------------------------------------------------------------------------------------
# 5. checkpoint
# ---------------------------------------------------------------------------------------------
def save_right(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, path)


def load_right(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def save_model_only(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "epoch": epoch}, path)


def load_model_only(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    return checkpoint["epoch"]


def load_without_weights_only(path, model, optimizer):
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def load_weights_only_false(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def load_into_a_new_optimizer(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)  # a new one: the caller's stays empty
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def save_whole_objects(path, model, optimizer, epoch):
    torch.save({"model": model, "optimizer": optimizer, "epoch": epoch}, path)


def load_whole_objects(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"].state_dict())
    optimizer.load_state_dict(checkpoint["optimizer"].state_dict())
    return checkpoint["epoch"]


def load_no_return(path, model, optimizer):
    load_right(path, model, optimizer)


@pytest.mark.parametrize("answer, hint", [
    ((save_model_only, load_model_only), "save optimizer.state_dict()"),
    ((save_right, load_model_only), "save optimizer.state_dict()"),
    ((save_right, load_into_a_new_optimizer), "on the optimizer you were given"),
    ((save_right, load_without_weights_only), "weights_only=True"),
    ((save_right, load_weights_only_false), "weights_only=True"),
    ((save_whole_objects, load_whole_objects), "not the model or optimizer objects"),
    ((save_right, load_no_return), "return it from load_checkpoint"),
    (save_right, "pass both functions as a pair"),
    ((save_right, "load_right"), "pass both functions as a pair"),
], ids=["model_only", "load_model_only", "new_optimizer", "no_weights_only", "weights_only_false", "whole_objects",
        "no_return", "one_function", "a_name"])
def test_checkpoint_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.checkpoint", answer), hint)


def test_checkpoint_other_keys_pass(verdict_of):
    def save(path, model, optimizer, epoch):
        torch.save({"weights": model.state_dict(), "adam": optimizer.state_dict(), "done": epoch}, path)

    def load(path, model, optimizer):
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["weights"])
        optimizer.load_state_dict(state["adam"])
        return state["done"]

    verdict = verdict_of("training.checkpoint", (save, load))
    assert verdict.passed, verdict.render()


def test_checkpoint_with_load_still_a_stub_is_named(verdict_of):
    def load_stub(path, model, optimizer):
        raise NotImplementedError()

    _failed_with(verdict_of("training.checkpoint", (save_right, load_stub)), "write load_checkpoint too")


# ---------------------------------------------------------------------------------------------
# 6. auto_mpg_model
# ---------------------------------------------------------------------------------------------
def mpg_linear_stack():
    return nn.Sequential(nn.Linear(9, 64), nn.Linear(64, 64), nn.Linear(64, 1))


def mpg_sigmoid_output():
    return nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())


def mpg_wrong_input():
    return nn.Sequential(nn.Linear(7, 64), nn.ReLU(), nn.Linear(64, 1))


def mpg_flat_output():
    return nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0))


_SHARED = nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 1))


def mpg_same_object():
    return _SHARED


def mpg_class():
    class Regressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 1))

        def forward(self, x):
            return self.net(x)

    return Regressor


@pytest.mark.parametrize("answer, hint", [
    (mpg_linear_stack, "no activation between the Linear layers"),
    (mpg_sigmoid_output, "the last layer is Sigmoid"),
    (mpg_wrong_input, "nn.Linear(9, hidden)"),
    (mpg_flat_output, "end with nn.Linear(hidden, 1)"),
    (mpg_same_object, "build the model inside the function"),
    (mpg_class, "with its parentheses"),
    (_SHARED, "make_mpg_model returning nn.Sequential"),
], ids=["linear", "sigmoid_out", "input_7", "flat_output", "same_object", "class", "a_model"])
def test_auto_mpg_model_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.auto_mpg_model", answer), hint)


# ---------------------------------------------------------------------------------------------
# Robustness: broken answers give a failed verdict, never a checker error
# ---------------------------------------------------------------------------------------------
EXERCISE_IDS = ["training.train_one_epoch", "training.evaluate", "training.precision_recall_f1",
                "training.stop_epoch", "training.checkpoint"]


def _raises(*args, **kwargs):
    raise TypeError("unsupported operand")


def _returns_none(*args, **kwargs):
    return None


def _returns_nan(*args, **kwargs):
    return float("nan")


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("answer", [_raises, _returns_none, _returns_nan, 3], ids=["raises", "none", "nan", "int"])
def test_broken_answers_fail_without_crashing_the_checker(verdict_of, exercise_id, answer):
    verdict = verdict_of(exercise_id, answer)
    assert verdict.status == "failed", verdict.render()
    assert "checker itself failed" not in verdict.summary


def epoch_step_before_forward(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        optimizer.step()  # uses the previous batch's gradients
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def test_train_one_epoch_step_before_the_forward_pass_is_named(verdict_of):
    _failed_with(verdict_of("training.train_one_epoch", epoch_step_before_forward), "before loss.backward()")


# ---------------------------------------------------------------------------------------------
# More mistakes from working the chapter as a learner (each one named by its hint)
# ---------------------------------------------------------------------------------------------
def epoch_train_without_parentheses(model, loss_fn, optimizer, loader):
    model.train  # noqa: B018 - the mistake: the method is looked up, never called
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_zero_grad_once_before_the_loop(model, loss_fn, optimizer, loader):
    model.train()
    optimizer.zero_grad()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_loss_arguments_swapped(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(targets, model(inputs))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
        n += len(targets)
    return total / n


def epoch_under_no_grad(model, loss_fn, optimizer, loader):
    model.train()
    total, n = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(targets)
            n += len(targets)
    return total / n


def epoch_without_return(model, loss_fn, optimizer, loader):
    model.train()
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@pytest.mark.parametrize("answer, hint", [
    (epoch_train_without_parentheses, "`model.train` alone does nothing"),
    (epoch_zero_grad_once_before_the_loop, "once before the loop is not enough"),
    (epoch_loss_arguments_swapped, "loss_fn(outputs, targets)"),
    (epoch_under_no_grad, "computed under torch.no_grad()"),
    (epoch_without_return, "forget the `return`"),
], ids=lambda v: getattr(v, "__name__", "")[:30])
def test_train_one_epoch_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.train_one_epoch", answer), hint)


def test_a_library_not_implemented_error_is_the_learners_error_not_the_stub(verdict_of):
    verdict = verdict_of("training.train_one_epoch", epoch_loss_arguments_swapped)
    assert "NotImplementedError: " in verdict.summary and "still raises" not in verdict.summary, verdict.render()


def evaluate_eval_without_parentheses(model, loader, num_classes):
    model.eval  # noqa: B018 - the mistake: the method is looked up, never called
    confusion = np.zeros((num_classes, num_classes), dtype=int)
    with torch.no_grad():
        for inputs, targets in loader:
            np.add.at(confusion, (targets.numpy(), model(inputs).argmax(dim=1).numpy()), 1)
    return np.trace(confusion) / confusion.sum(), confusion


def evaluate_fancy_index_increment(model, loader, num_classes):
    model.eval()
    confusion = np.zeros((num_classes, num_classes), dtype=int)
    right, total = 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            predicted = model(inputs).argmax(dim=1)
            confusion[targets.numpy(), predicted.numpy()] += 1  # a repeated pair counts once
            right += (predicted == targets).sum().item()
            total += len(targets)
    return right / total, confusion


def evaluate_divided_by_batches(model, loader, num_classes):
    model.eval()
    confusion = np.zeros((num_classes, num_classes), dtype=int)
    right = 0
    with torch.no_grad():
        for inputs, targets in loader:
            predicted = model(inputs).argmax(dim=1)
            np.add.at(confusion, (targets.numpy(), predicted.numpy()), 1)
            right += (predicted == targets).sum().item()
    return right / len(loader), confusion


def evaluate_argmax_without_dim(model, loader, num_classes):
    model.eval()
    confusion = np.zeros((num_classes, num_classes), dtype=int)
    with torch.no_grad():
        for inputs, targets in loader:
            predicted = int(model(inputs).argmax())
            for t in targets.tolist():
                confusion[t, predicted] += 1
    return np.trace(confusion) / confusion.sum(), confusion


def evaluate_argmax_dim_0(model, loader, num_classes):
    model.eval()
    confusion = np.zeros((num_classes, num_classes), dtype=int)
    with torch.no_grad():
        for inputs, targets in loader:
            np.add.at(confusion, (targets.numpy(), model(inputs).argmax(dim=0).numpy()), 1)
    return np.trace(confusion) / confusion.sum(), confusion


@pytest.mark.parametrize("answer, hint", [
    (evaluate_eval_without_parentheses, "call model.eval()"),
    (evaluate_fancy_index_increment, "np.add.at"),
    (evaluate_divided_by_batches, "number of *batches*"),
    (evaluate_argmax_without_dim, "argmax(dim=1)"),
    (evaluate_argmax_dim_0, "argmax(dim=1)"),
], ids=lambda v: getattr(v, "__name__", "")[:30])
def test_evaluate_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.evaluate", answer), hint)


def prf_arithmetic_mean_f1(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    precision, recall = _safe(tp, cm.sum(axis=0)), _safe(tp, cm.sum(axis=1))
    f1 = (precision + recall) / 2
    return precision, recall, f1, f1.mean()


def prf_precision_over_total(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    precision, recall = tp / cm.sum(), _safe(tp, cm.sum(axis=1))
    f1 = _safe(2 * precision * recall, precision + recall)
    return precision, recall, f1, f1.mean()


def prf_recall_over_total(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    precision, recall = _safe(tp, cm.sum(axis=0)), tp / cm.sum()
    f1 = _safe(2 * precision * recall, precision + recall)
    return precision, recall, f1, f1.mean()


@pytest.mark.parametrize("answer, hint", [
    (prf_arithmetic_mean_f1, "*harmonic*"),
    (prf_precision_over_total, "column sum"),
    (prf_recall_over_total, "row sum"),
], ids=lambda v: getattr(v, "__name__", "")[:30])
def test_precision_recall_f1_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.precision_recall_f1", answer), hint)


def stop_epoch_pair_swapped(val_losses, patience):
    stop, best = stop_epoch_with_numpy(val_losses, patience)
    return best, stop


def stop_epoch_counter_never_reset(val_losses, patience):
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch  # the counter is not set back to 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def _stop_epoch_ending_with(last):
    def stop_epoch(val_losses, patience):
        best, best_epoch, waited = math.inf, 0, 0
        for epoch, loss in enumerate(val_losses):
            if loss < best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    return epoch, best_epoch
        return last(val_losses), best_epoch

    return stop_epoch


@pytest.mark.parametrize("answer, hint", [
    (stop_epoch_pair_swapped, "wrong order"),
    (stop_epoch_counter_never_reset, "*in a row*"),
    (_stop_epoch_ending_with(len), "not len(val_losses)"),
    (_stop_epoch_ending_with(lambda losses: None), "not None"),
], ids=["swapped", "never_reset", "len_at_end", "none_at_end"])
def test_stop_epoch_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.stop_epoch", answer), hint)


def save_without_epoch(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)


def load_whole_checkpoint_into_the_model(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint)
    optimizer.load_state_dict(checkpoint)
    return checkpoint["epoch"]


def save_twice_to_one_path(path, model, optimizer, epoch):
    torch.save(model.state_dict(), path)
    torch.save(optimizer.state_dict(), path)  # replaces the model's file


def load_twice_from_one_path(path, model, optimizer):
    model.load_state_dict(torch.load(path, weights_only=True))
    optimizer.load_state_dict(torch.load(path, weights_only=True))
    return 7


def load_into_a_new_model(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))  # a new one: the caller's is untouched
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


@pytest.mark.parametrize("answer, hint", [
    ((save_without_epoch, load_right), "the checkpoint has no 'epoch'"),
    ((save_right, load_whole_checkpoint_into_the_model), "pass checkpoint['model']"),
    ((save_twice_to_one_path, load_twice_from_one_path), "replaces the first file"),
    ((save_right, load_into_a_new_model), "load into the model you were given"),
], ids=["no_epoch", "whole_checkpoint", "two_saves", "new_model"])
def test_checkpoint_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("training.checkpoint", answer), hint)


def mpg_too_small():
    return nn.Sequential(nn.Linear(9, 2), nn.ReLU(), nn.Linear(2, 1))


def test_a_too_small_auto_mpg_model_gets_a_hint_not_the_answer(verdict_of):
    verdict = verdict_of("training.auto_mpg_model", mpg_too_small)
    _failed_with(verdict, "too small")
    assert "nn.Linear(64, 64)" not in verdict.hint  # a hint, not the reference's code
