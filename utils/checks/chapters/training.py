"""Chapter 06 (training in practice): batteries, oracles and hints of its exercises.

- ``training.train_one_epoch``: one epoch of the PyTorch training loop, judged by its effect: the model's weights
  and batch-norm statistics after the epoch equal a reference epoch run from the same state, and the returned
  loss is the epoch's mean over its examples;
- ``training.evaluate``: accuracy and confusion matrix of a model over a loader, in ``eval()`` mode and without
  gradients (the model the checker hands over has batch norm and comes in training mode);
- ``training.precision_recall_f1``: per-class precision, recall and F1 and the macro F1 from a confusion matrix,
  with scikit-learn's convention for an empty class (``zero_division=0``);
- ``training.stop_epoch``: the early-stopping decision for a sequence of validation losses and a patience;
- ``training.checkpoint``: a save / resume round trip (model and optimizer ``state_dict``s, ``torch.load`` with
  ``weights_only=True``) after which training continues exactly as if it had never stopped;
- ``training.auto_mpg_model``: a PyTorch regressor for Auto MPG, judged by its 5-fold cross-validated R² against
  linear regression's.

Expected values come from PyTorch and scikit-learn run here (``torch.optim``, ``sklearn.metrics``), or, for the
early-stopping rule, from an independent vectorised formulation, never from the reference solution. Each
classic mistake is recognised by running it: forgetting ``zero_grad()``, softmax before ``CrossEntropyLoss``,
``step()`` before ``backward()``, no ``train()``, an unweighted mean of batch losses, the loss's arguments
swapped; no ``eval()``, no ``no_grad()``, a transposed confusion matrix, ``confusion[t, p] += 1`` with repeated
pairs, division by the number of batches; precision and recall swapped, micro- for macro-averaging, NaN for an
empty class, F1 as the arithmetic mean; early stopping off by one, ``<=`` for an improvement, epochs counted from
1, a counter not reset, the pair in the wrong order; a resumed optimizer without its state, a load without
``weights_only=True``, the whole checkpoint passed to ``load_state_dict``; an Auto MPG model without an activation
or ending in one. They are tested in ``tests/test_checks_training.py``.

The checker's own models are built from fixed generators inside ``torch.random.fork_rng``, and run on one thread
(restored after): checking an answer leaves PyTorch's global random state and thread count as they were.
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import tempfile

import numpy as np

from ..compare import fmt, fmt_number
from ..kinds import STILL_RAISING_HINT, STILL_RAISING_TEXT, VALUE, Case, FunctionExercise, Hint, PropertyExercise
from ..predicates import same_values
from ..registry import register
from ..sandbox import Raised, quiet_torch, run
from ..stubs import edited_stub

TORCH_RTOL, TORCH_ATOL = 1e-5, 1e-6
"""Agreement of float32 weights after one epoch: the same operations in the same order agree to the last bit; an
answer written another way (``F.cross_entropy``, ``zero_grad(set_to_none=False)``) to ~1e-7. Every mistake moves
some weight by more than 1e-3."""


def _as_number(value) -> float | None:
    """``value`` as a float when it is one number (Python, NumPy or a 0-d tensor without gradient), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        import torch

        if isinstance(value, torch.Tensor):
            return float(value.item()) if value.numel() == 1 and not value.requires_grad else None
    except ImportError:  # pragma: no cover - torch is in the environment
        pass
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.item())
    return None


def _requires_grad(value) -> bool:
    import torch

    return isinstance(value, torch.Tensor) and value.requires_grad


def _state_arrays(model) -> dict[str, np.ndarray]:
    """Every parameter and buffer of ``model`` as float64 arrays (batch norm's counter included)."""
    return {k: v.detach().cpu().double().numpy().copy() for k, v in model.state_dict().items()}


def _same_state(a: dict, b: dict, rtol: float = TORCH_RTOL, atol: float = TORCH_ATOL) -> bool:
    return a.keys() == b.keys() and all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=rtol, atol=atol)
                                        for k in a)


def _worst_weight(got: dict, want: dict) -> str:
    """"'0.weight' differs most: at [i, j] expected a, got b"."""
    key = max(want, key=lambda k: float(np.max(np.abs(got[k] - want[k]))) if got[k].shape == want[k].shape else 0)
    diff = np.abs(got[key] - want[key])
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    at = f" at {list(int(i) for i in index)}" if index else ""
    return f"{key!r} differs most{at}: expected {fmt_number(want[key][index])}, got {fmt_number(got[key][index])}"


# ---------------------------------------------------------------------------------------------
# 1. One epoch of the training loop
# ---------------------------------------------------------------------------------------------
EPOCH_EXAMPLES, EPOCH_BATCH = 10, 4
"""10 examples in batches of 4: the last batch holds 2, so an unweighted mean of the batch losses is wrong."""


def _small_net(seed: int, n_in: int = 6, hidden: int = 8, n_out: int = 4):
    """Linear → BatchNorm1d → ReLU → Linear with weights drawn from ``seed`` (global RNG untouched)."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def _loader(X, y, batch_size: int):
    """A DataLoader in a fixed order with its own generator (iterating it leaves the global RNG alone)."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False,
                      generator=torch.Generator().manual_seed(0))


def epoch_setup():
    """A fresh (model, loss_fn, optimizer, loader): the model in ``eval()`` mode, as an evaluation leaves it."""
    import torch

    g = torch.Generator().manual_seed(606)
    X = 3 * torch.randn(EPOCH_EXAMPLES, 6, generator=g) + 2  # far from standardised: batch norm matters
    y = torch.randint(0, 4, (EPOCH_EXAMPLES,), generator=g)
    model = _small_net(61)
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, torch.nn.CrossEntropyLoss(), optimizer, _loader(X, y, EPOCH_BATCH)


EPOCH_VARIANTS = {
    "right": {},
    "no_zero_grad": {"zero_grad": False},
    "zero_grad_before_step": {"zero_grad_before_step": True},
    "softmax": {"softmax": True},
    "step_first": {"step_first": True},
    "no_train": {"train": False},
    "no_step": {"step": False},
    "first_batch_only": {"batches": 1},
}
"""Ways to run an epoch: the right one, and the mistakes the hints name."""


def torch_epoch(model, loss_fn, optimizer, loader, *, zero_grad=True, zero_grad_before_step=False, softmax=False,
                step_first=False, train=True, step=True, batches=None) -> list[tuple[float, int]]:
    """One epoch written with PyTorch, with one part done the way a mistake does it; returns (batch mean loss,
    batch size) for each batch run."""
    import torch

    if train:
        model.train()
    seen = []
    for i, (inputs, targets) in enumerate(loader):
        if batches is not None and i >= batches:
            break
        if step_first:  # step, then the forward pass and backward: each step uses the previous batch's gradients
            optimizer.step()
            optimizer.zero_grad()
        outputs = model(inputs)
        if softmax:
            outputs = torch.softmax(outputs, dim=1)
        loss = loss_fn(outputs, targets)
        if step_first:
            loss.backward()
        else:
            if zero_grad and not zero_grad_before_step:
                optimizer.zero_grad()
            loss.backward()
            if zero_grad_before_step:
                optimizer.zero_grad()
            if step:
                optimizer.step()
        seen.append((loss.item(), len(targets)))
    return seen


def _epoch_outcome(variant: str):
    """(state after the epoch, the batches' (loss, size)) of ``EPOCH_VARIANTS[variant]`` from a fresh setup."""
    model, loss_fn, optimizer, loader = epoch_setup()
    seen = torch_epoch(model, loss_fn, optimizer, loader, **EPOCH_VARIANTS[variant])
    return _state_arrays(model), seen


STEP_BETWEEN_HINT = ("optimizer.step() ran between the forward pass and loss.backward(): it changed the weights in "
                     "place that backward still needed. The order is forward, loss, zero_grad(), backward(), step()")


EPOCH_HINTS = {
    "no_zero_grad": "optimizer.zero_grad() is missing from the loop (once before the loop is not enough): "
                    "loss.backward() *adds* into each parameter's .grad, so without it every step uses the sum of all "
                    "gradients so far. Call optimizer.zero_grad() before loss.backward() in every batch",
    "zero_grad_before_step": "optimizer.zero_grad() sits between loss.backward() and optimizer.step(): it wipes the "
                             "gradients before the step can use them, and the weights never move. The order is "
                             "zero_grad(), backward(), step()",
    "softmax": "the outputs went through softmax before the loss: nn.CrossEntropyLoss takes the raw logits and applies "
               "log-softmax itself, so softmax is applied twice (the gradients shrink and training stalls). Pass "
               "model(inputs) to the loss as it is",
    "step_first": "optimizer.step() runs before loss.backward(): each step uses the previous batch's gradients (the "
                  "first step has none). The order is zero_grad(), backward(), step()",
    "no_train": "the model stayed in eval() mode: call model.train() at the start of the epoch, with its parentheses "
                "(`model.train` alone does nothing). In eval mode batch norm normalises with its running statistics "
                "instead of the batch's and does not update them (and dropout would stay off)",
    "no_step": "optimizer.step() is missing: the gradients are computed but the weights never change",
    "first_batch_only": "only the first batch was used: is the `return` inside the `for` loop? Loop over every "
                        "batch of the loader, then return",
}


def _loss_hint(got: float, seen: list[tuple[float, int]]) -> str | None:
    losses = np.array([loss for loss, _ in seen])
    sizes = np.array([n for _, n in seen])
    candidates = [
        (losses.sum(), "that is the sum of the batch losses: divide by the number of examples, "
                       "Σ loss.item()·len(targets) / N"),
        (losses.mean(), "that is the plain mean of the batch losses: loss.item() is a batch's *mean*, and the last "
                        "batch is smaller (2 examples here, not 4), so weight each by its size: Σ loss.item()·n / Σ n"),
        ((losses * sizes).sum(), "that is the total over the examples: divide it by their number, Σ n"),
        (losses[-1], "that is the last batch's loss: return the mean over the whole epoch"),
        ((losses * sizes).sum() / len(losses), "divide by the number of examples (Σ n), not of batches"),
    ]
    for value, hint in candidates:
        if math.isclose(got, float(value), rel_tol=1e-5, abs_tol=1e-7):
            return hint
    return None


def train_one_epoch_property(answer):
    if not callable(answer):
        return (f"pass your function itself, e.g. check('training.train_one_epoch', train_one_epoch), not "
                f"{type(answer).__name__}", None)
    with quiet_torch():
        want_state, seen = _epoch_outcome("right")
        want_loss = sum(loss * n for loss, n in seen) / sum(n for _, n in seen)
        model, loss_fn, optimizer, loader = epoch_setup()
        result = run(answer, model, loss_fn, optimizer, loader)
        if isinstance(result, Raised):
            return f"your code raised {result.text}", _epoch_exception_hint(result.exc)
        got_state = _state_arrays(model)
        if not _same_state(got_state, want_state):
            where = "after one epoch (SGD with momentum, 3 batches) the weights differ from a reference epoch's"
            for variant, hint in EPOCH_HINTS.items():
                if _same_state(got_state, _epoch_outcome(variant)[0]):
                    return f"{where}: {_worst_weight(got_state, want_state)}", hint
            before = _state_arrays(epoch_setup()[0])
            if _same_state(got_state, before, rtol=0, atol=0):
                return (f"{where}: nothing changed", "the model was not trained: forward, loss, "
                                                     "optimizer.zero_grad(), loss.backward(), optimizer.step() for "
                                                     "every batch of the loader")
            return f"{where}: {_worst_weight(got_state, want_state)}", (
                "one batch is: outputs = model(inputs); loss = loss_fn(outputs, targets); optimizer.zero_grad(); "
                "loss.backward(); optimizer.step(); after model.train() at the start")
        if _requires_grad(result):
            return ("the weights are right, but the loss returned is a tensor that still requires grad",
                    "return a Python number: accumulate loss.item() (a tensor keeps every batch's graph alive)")
        got = _as_number(result)
        if got is None:
            return (f"the weights are right, but the function returned {fmt(result)[:60]}: expected the epoch's mean "
                    f"loss, one number", "did you forget the `return` statement?" if result is None else None)
        if not math.isclose(got, want_loss, rel_tol=1e-5, abs_tol=1e-7):
            return (f"the weights are right, but the returned loss is {fmt_number(got)}, expected the mean over the "
                    f"epoch's {EPOCH_EXAMPLES} examples, {fmt_number(want_loss)}", _loss_hint(got, seen))
    return None


def _epoch_exception_hint(exc: BaseException) -> str | None:
    text = str(exc)
    if "modified by an inplace operation" in text:
        return STEP_BETWEEN_HINT
    if "backward through the graph a second time" in text:
        return ("the loss of a batch was back-propagated twice (or a graph was reused across batches): compute "
                "outputs and loss again for every batch, and call loss.backward() once")
    if "not implemented for 'Long'" in text:
        return ("the loss got the integer labels where it expects the model's outputs: the order is "
                "loss_fn(outputs, targets), outputs (logits) first, labels second")
    if "does not require grad" in text:
        return "the loss has no graph: was it computed under torch.no_grad(), or from loss.item()?"
    if "Expected more than 1 value per channel" in text:
        return "batch norm in training mode needs batches of more than one example"
    return None


register(
    PropertyExercise(
        id="training.train_one_epoch",
        reference="train_one_epoch",
        prop=train_one_epoch_property,
        praise="Same weights as a reference epoch, and the right mean loss.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. Evaluation: accuracy and confusion matrix
# ---------------------------------------------------------------------------------------------
EVAL_CLASSES = 4


def eval_setup():
    """(model in train() mode with batch norm whose running statistics differ from any batch's, loader, C).

    Class 3's output bias is very negative: the model never predicts it and the labels never hold it, so its row
    and column of the confusion matrix are zeros."""
    import torch

    g = torch.Generator().manual_seed(707)
    X = torch.randn(11, 6, generator=g)
    model = _small_net(71)
    with torch.no_grad():
        model[1].running_mean.copy_(torch.linspace(-1.0, 1.0, 8))
        model[1].running_var.copy_(torch.linspace(0.3, 3.0, 8))
        model[3].bias[3] = -100.0
        model.eval()
        predicted = model(X).argmax(dim=1)
    y = predicted.clone()
    y[[0, 3, 5, 8]] = (predicted[[0, 3, 5, 8]] + torch.tensor([1, 2, 1, 1])) % 3  # four mistakes, not symmetric
    model.train()
    return model, _loader(X, y, 4), EVAL_CLASSES


def sklearn_evaluation(model, loader, num_classes) -> tuple[float, np.ndarray]:
    """Accuracy and confusion matrix (rows: true labels) by scikit-learn, from predictions made in eval mode."""
    import torch
    from sklearn.metrics import accuracy_score, confusion_matrix

    model.eval()
    with torch.no_grad():
        pairs = [(model(inputs).argmax(dim=1), targets) for inputs, targets in loader]
    predicted = torch.cat([p for p, _ in pairs]).numpy()
    true = torch.cat([t for _, t in pairs]).numpy()
    return float(accuracy_score(true, predicted)), confusion_matrix(true, predicted, labels=range(num_classes))


class _ForwardWatch:
    """Records, at every call of the model, whether it was in training mode and whether autograd was on."""

    def __init__(self, model):
        import torch

        self.calls: list[tuple[bool, bool]] = []
        self.handle = model.register_forward_pre_hook(
            lambda module, inputs: self.calls.append((module.training, torch.is_grad_enabled())))

    def remove(self):
        self.handle.remove()


def _as_matrix(value, n: int) -> np.ndarray | None:
    import torch

    if isinstance(value, torch.Tensor):
        if value.requires_grad:
            return None
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.shape != (n, n) or array.dtype.kind not in "iuf":
        return None
    return array.astype(float)


def evaluate_property(answer):
    if not callable(answer):
        return (f"pass your function itself, e.g. check('training.evaluate', evaluate), not "
                f"{type(answer).__name__}", None)
    with quiet_torch():
        want_acc, want_cm = sklearn_evaluation(*eval_setup())
        model, loader, n = eval_setup()
        watch = _ForwardWatch(model)
        try:
            result = run(answer, model, loader, n)
        finally:
            watch.remove()
        if isinstance(result, Raised):
            return f"your code raised {result.text}", _evaluate_exception_hint(result)
        if any(training for training, _ in watch.calls):
            return ("the model ran in training mode: its batch norm normalised each batch with the batch's own "
                    "statistics (and updated its running ones)",
                    "call model.eval() before evaluating: batch norm then uses its running statistics and dropout "
                    "is off; otherwise the predictions depend on which examples share a batch")
        if any(grad for _, grad in watch.calls):
            return ("the model ran with autograd on: every forward pass recorded a graph for a backward pass that "
                    "never comes",
                    "wrap the evaluation loop in `with torch.no_grad():` (faster, less memory, and the outputs "
                    "do not require grad)")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return (f"expected a pair (accuracy, confusion matrix), got {fmt(result)[:60]}",
                    "end with `return accuracy, confusion`" if result is not None else
                    "did you forget the `return` statement?")
        accuracy, confusion = result
        if _requires_grad(accuracy) or _requires_grad(confusion):
            return ("the results are tensors that require grad", "compute them under `with torch.no_grad():`")
        got_acc = _as_number(accuracy)
        if got_acc is None:
            return f"the accuracy must be one number, got {fmt(accuracy)[:60]}", None
        cm = _as_matrix(confusion, n)
        if cm is None:
            shape = getattr(confusion, "shape", None)
            return (f"the confusion matrix must be a ({n}, {n}) array of counts (one row and column per class, "
                    f"C = num_classes = {n}), got {fmt(confusion)[:60] if shape is None else f'shape {tuple(shape)}'}",
                    "start from np.zeros((num_classes, num_classes), dtype=int) (a class that never occurs keeps "
                    "its row of zeros), or sklearn's confusion_matrix(y_true, y_pred, labels=range(num_classes))")
        total = want_cm.sum()
        if not math.isclose(got_acc, want_acc, rel_tol=1e-6, abs_tol=1e-9):  # float32 division is fine
            if math.isclose(got_acc, 100 * want_acc, rel_tol=1e-6):
                hint = "that is a percentage: return the accuracy as a fraction between 0 and 1"
            elif math.isclose(got_acc, np.trace(want_cm), rel_tol=1e-9):
                hint = "that is the number of right predictions: divide it by the number of examples"
            elif math.isclose(got_acc, np.trace(want_cm) / len(loader), rel_tol=1e-6):
                hint = ("that is the number of right predictions divided by the number of *batches*, len(loader): "
                        "divide by the number of examples, len(loader.dataset) or the sum of the batch sizes")
            elif _is_unweighted_batch_mean(got_acc, model, loader):
                hint = ("that is the plain mean of the batches' accuracies: the last batch is smaller (3 of 11 "
                        "examples), so count right predictions over all examples and divide once")
            else:
                hint = "accuracy = (number of predictions equal to the label) / (number of examples)"
            return (f"the accuracy is {fmt_number(got_acc)}, expected {fmt_number(want_acc)} ({int(np.trace(want_cm))}"
                    f" of {int(total)} right)", hint)
        if not np.array_equal(cm, want_cm):
            if np.array_equal(cm.T, want_cm):
                hint = ("the matrix is transposed: row i counts the examples whose *true* label is i, column j those "
                        "*predicted* j (scikit-learn's confusion_matrix), so add 1 at [label, prediction]")
            elif np.array_equal(cm, _counted_once_per_batch(model, loader, n)):
                hint = ("`confusion[targets, predicted] += 1` adds 1 only once for a (label, prediction) pair that "
                        "occurs twice in a batch (NumPy and PyTorch do not accumulate repeated indices): use "
                        "np.add.at(confusion, (targets, predicted), 1), or loop over the pairs")
            elif cm.sum() != total:
                hint = f"the counts add up to {fmt_number(cm.sum())}: each of the {int(total)} examples adds one 1"
            else:
                hint = None
            return (f"the accuracy is right, but the confusion matrix is not: got {fmt(cm.astype(int))}", hint)
    return None


def _evaluate_exception_hint(result: Raised) -> str | None:
    if "requires grad" in result.text:
        return "the outputs still require grad: wrap the loop in `with torch.no_grad():` (then .numpy() works)"
    if isinstance(result.exc, (IndexError, RuntimeError)) and any(
            fragment in result.text for fragment in ("out of bounds", "shape mismatch", "must match the size")):
        return ("are the predictions one class per example? model(inputs).argmax(dim=1) has shape (N,): argmax() "
                "without dim gives one index into the whole flattened batch, and dim=0 one per class")
    return None


def _counted_once_per_batch(model, loader, n: int) -> np.ndarray:
    """The confusion matrix of ``confusion[targets, predicted] += 1``: a pair repeated within a batch counts once."""
    import torch

    model.eval()
    confusion = np.zeros((n, n))
    with torch.no_grad():
        for inputs, targets in loader:
            confusion[targets.numpy(), model(inputs).argmax(dim=1).numpy()] += 1
    return confusion


def _is_unweighted_batch_mean(got: float, model, loader) -> bool:
    import torch

    model.eval()
    with torch.no_grad():
        means = [float((model(inputs).argmax(dim=1) == targets).float().mean()) for inputs, targets in loader]
    return math.isclose(got, float(np.mean(means)), rel_tol=1e-6)


register(
    PropertyExercise(
        id="training.evaluate",
        reference="evaluate",
        prop=evaluate_property,
        praise="eval() mode, no gradients, and scikit-learn's accuracy and confusion matrix.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 3. Precision, recall, F1 from a confusion matrix
# ---------------------------------------------------------------------------------------------
def prf_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(808)
    ten = rng.integers(0, 4, size=(10, 10)) + np.diag(rng.integers(60, 100, size=10))
    return [
        ("3 classes", np.array([[5, 2, 0], [1, 3, 1], [0, 4, 6]])),
        ("4 classes, class 1 never predicted", np.array([[4, 0, 1, 0], [2, 0, 1, 1], [0, 0, 7, 1], [1, 0, 0, 5]])),
        ("4 classes, class 2 absent (no example, no prediction)",
         np.array([[6, 1, 0, 0], [2, 3, 0, 2], [0, 0, 0, 0], [0, 1, 0, 8]])),
        ("10 classes, a good classifier", ten),
        ("2 classes, one example predicted but none true", np.array([[3, 1], [0, 0]])),
    ]


def sklearn_prf(confusion: np.ndarray):
    """(precision, recall, f1) per class and the macro F1, by scikit-learn on labels rebuilt from the matrix."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    c = confusion.shape[0]
    true = np.repeat(np.repeat(np.arange(c), c), confusion.ravel())
    predicted = np.repeat(np.tile(np.arange(c), c), confusion.ravel())
    labels = list(range(c))
    p, r, f, _ = precision_recall_fscore_support(true, predicted, labels=labels, zero_division=0)
    macro = f1_score(true, predicted, labels=labels, average="macro", zero_division=0)
    return p, r, f, float(macro)


def _ratio(num, den):
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _prf_mistakes(confusion: np.ndarray) -> dict[str, tuple]:
    """What the classic mistakes return, as (precision, recall, f1, macro) or the parts they change."""
    cm = confusion.astype(float)
    tp, predicted, true = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    p, r = _ratio(tp, predicted), _ratio(tp, true)
    f = _ratio(2 * p * r, p + r)
    micro = tp.sum() / cm.sum()
    macro_p, macro_r = p.mean(), r.mean()
    present = (true + predicted) > 0
    return {
        "swapped": (r, p, f),
        "micro": float(micro),
        "f1_of_means": float(2 * macro_p * macro_r / (macro_p + macro_r)) if macro_p + macro_r > 0 else 0.0,
        "weighted": float((f * true).sum() / true.sum()),
        "present_only": float(f[present].mean()),
        "arithmetic_f1": (p + r) / 2,
        "precision_over_total": tp / cm.sum(),
        "recall_over_total": tp / cm.sum(),
    }


PRF_HINTS = {
    "swapped": "precision and recall are swapped: precision_c = TP / (everything *predicted* c) = diagonal / column "
               "sum (axis=0); recall_c = TP / (every *true* c) = diagonal / row sum (axis=1), since rows are true "
               "labels",
    "micro": "that is the micro average (all classes' counts pooled), which for single-label classification equals "
             "the accuracy: the macro F1 is the plain mean of the per-class F1 scores",
    "f1_of_means": "that is the F1 of the mean precision and the mean recall: the macro F1 averages the per-class F1 "
                   "scores, mean(f1)",
    "weighted": "that is the average weighted by each class's number of examples (average='weighted'): macro gives "
                "every class the same weight, mean(f1)",
    "arithmetic_f1": "that is the arithmetic mean of precision and recall, (p + r) / 2: F1 is their *harmonic* "
                     "mean, 2·p·r / (p + r) (0 where p + r = 0), which is low as soon as either one is",
    "precision_over_total": "precision_c divides TP_c by the number of examples *predicted* c (the column sum, "
                            "axis=0), not by the total number of examples",
    "recall_over_total": "recall_c divides TP_c by the number of examples whose *true* label is c (the row sum, "
                         "axis=1), not by the total number of examples",
    "present_only": "an empty class counts too: with scikit-learn's zero_division=0 its precision, recall and F1 are "
                    "0, and the macro mean is over all C classes",
}
EMPTY_CLASS_HINT = ("a class with nothing predicted (or no true example) divides 0 by 0: follow scikit-learn's "
                    "zero_division=0 and make that ratio 0, e.g. np.divide(tp, col, out=np.zeros(C), where=col > 0), "
                    "and F1 = 0 where precision + recall = 0")


def _per_class(value, c: int) -> np.ndarray | None:
    import torch

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == (c,) else None


def prf_property(answer):
    if not callable(answer):
        return (f"pass your function itself, e.g. check('training.precision_recall_f1', precision_recall_f1), not "
                f"{type(answer).__name__}", None)
    names = ("precision", "recall", "f1")
    for name, confusion in prf_cases():
        c = confusion.shape[0]
        given = confusion.copy()
        where = f"case '{name}'"
        result = run(answer, given)
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", (
                EMPTY_CLASS_HINT if isinstance(result.exc, ZeroDivisionError) else None)
        if not np.array_equal(given, confusion):
            return (f"{where}: your function changed the confusion matrix it was given",
                    "compute new arrays (cm.astype(float) makes a copy) and leave the input as it was")
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            return (f"{where}: expected four results (precision, recall, f1, macro_f1), got {fmt(result)[:60]}",
                    "did you forget the `return` statement?" if result is None else
                    "end with `return precision, recall, f1, macro_f1`")
        want = sklearn_prf(confusion)
        parts = [_per_class(v, c) for v in result[:3]]
        for part, label in zip(parts, names):
            if part is None:
                return (f"{where}: {label} must be an array of shape ({c},), one value per class, got "
                        f"{fmt(result[names.index(label)])[:60]}", None)
        macro = _as_number(result[3])
        if macro is None:
            return f"{where}: macro_f1 must be one number, got {fmt(result[3])[:60]}", None
        if any(not np.isfinite(part).all() for part in parts) or not math.isfinite(macro):
            return f"{where}: the results hold NaN or inf", EMPTY_CLASS_HINT
        mistakes = _prf_mistakes(confusion)
        for part, label, expected in zip(parts, names, want[:3]):
            if not np.allclose(part, expected, rtol=1e-9, atol=1e-12):
                hint = None
                if all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(parts, mistakes["swapped"])):
                    hint = PRF_HINTS["swapped"]
                elif label == "f1" and np.allclose(part, mistakes["arithmetic_f1"], rtol=1e-9, atol=1e-12):
                    hint = PRF_HINTS["arithmetic_f1"]
                elif label != "f1" and np.allclose(part, mistakes[f"{label}_over_total"], rtol=1e-9, atol=1e-12):
                    hint = PRF_HINTS[f"{label}_over_total"]
                return (f"{where}: {label} per class is {fmt(np.round(part, 4))}, expected "
                        f"{fmt(np.round(expected, 4))} (scikit-learn, zero_division=0)", hint)
        if not math.isclose(macro, want[3], rel_tol=1e-9, abs_tol=1e-12):
            hint = next((PRF_HINTS[k] for k in ("micro", "f1_of_means", "weighted", "present_only")
                         if math.isclose(macro, mistakes[k], rel_tol=1e-9, abs_tol=1e-12)), None)
            return (f"{where}: macro_f1 is {fmt_number(macro)}, expected {fmt_number(want[3])} (scikit-learn's "
                    f"f1_score(average='macro'))", hint)
    return None


register(
    PropertyExercise(
        id="training.precision_recall_f1",
        reference="precision_recall_f1",
        prop=prf_property,
        praise="Per class and macro, as scikit-learn computes them.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 4. Early stopping: when to stop, which epoch to restore
# ---------------------------------------------------------------------------------------------
STOP_SEQUENCES = (
    # (name, validation losses, patience)
    ("a minimum at epoch 3, patience 2", [1.0, 0.8, 0.7, 0.6, 0.65, 0.62, 0.7, 0.5], 2),
    ("a tie with the best (not an improvement), patience 3", [0.9, 0.5, 0.6, 0.5, 0.55, 0.52, 0.4], 3),
    ("ups and downs, patience 3", [1.0, 0.7, 0.8, 0.75, 0.72, 0.6, 0.65, 0.61, 0.62, 0.64, 0.3], 3),
    ("patience 1", [0.5, 0.4, 0.45, 0.3, 0.2], 1),
    ("never stops: always improving", [1.0, 0.9, 0.8, 0.7, 0.6], 2),
    ("patience runs out exactly at the last epoch", [0.5, 0.6, 0.7], 2),
    ("the best is the first epoch, patience 4", [0.3, 0.4, 0.35, 0.5, 0.31, 0.2, 0.1], 4),
    ("single failures between improvements, patience 2", [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], 2),
)


def stop_epoch_cases() -> list[Case]:
    return [Case(name, list(losses), patience) for name, losses, patience in STOP_SEQUENCES]


def early_stop_vectorised(val_losses, patience) -> tuple[int, int]:
    """The rule as arrays (an oracle written apart from any loop): the best so far is a running minimum, an
    epoch improves when its loss is strictly below every earlier one, and training stops at the first epoch
    that is ``patience`` epochs after the last improvement."""
    losses = np.asarray(val_losses, dtype=float)
    epochs = np.arange(len(losses))
    earlier_best = np.concatenate([[np.inf], np.minimum.accumulate(losses)[:-1]])
    improved = losses < earlier_best
    last_improvement = np.maximum.accumulate(np.where(improved, epochs, 0))
    waited = epochs - last_improvement
    triggered = np.flatnonzero(waited >= patience)
    stop = int(triggered[0]) if triggered.size else len(losses) - 1
    best = int(last_improvement[stop])
    return stop, best


def _stop_rule(val_losses, patience, *, improves=None, trigger=None, best_from=0, peek=False, stop_from=0,
               versus_previous=False, reset=True):
    """The early-stopping loop with one part written another way (to recognise an answer)."""
    improves = improves or (lambda loss, best: loss < best)
    trigger = trigger or (lambda waited, patience: waited >= patience)
    best, best_epoch, waited, previous = math.inf, 0, 0, math.inf
    stop = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        reference = previous if versus_previous else best
        if improves(loss, reference):
            waited = 0 if reset else waited
        else:
            waited += 1
        if improves(loss, best):
            best, best_epoch = loss, epoch
        previous = loss
        if trigger(waited, patience):
            stop = epoch
            break
    if peek:
        best_epoch = int(np.argmin(val_losses))
    return stop + stop_from, best_epoch + best_from


def _stop_is(**parts):
    """The answer is what the rule with ``parts`` written another way gives, where that differs from the right one."""
    def predicate(attempt) -> bool:
        wrong = _stop_rule(*attempt.case.args, **parts)
        return same_values(attempt.got, wrong) and not same_values(attempt.expected, wrong)

    return predicate


def _swapped(attempt) -> bool:
    got = attempt.got
    return (isinstance(got, (tuple, list)) and len(got) == 2 and same_values(tuple(got)[::-1], attempt.expected)
            and not same_values(got, attempt.expected))


def _none_at_the_end(attempt) -> bool:
    got = attempt.got
    return isinstance(got, (tuple, list)) and len(got) == 2 and got[0] is None


def _length_at_the_end(attempt) -> bool:
    """The stop is right except when patience never runs out, where it is len(val_losses) instead of the index."""
    val_losses, patience = attempt.case.args
    right = _stop_rule(val_losses, patience)
    wrong = (len(val_losses), right[1]) if right[0] == len(val_losses) - 1 else right
    return same_values(attempt.got, wrong) and not same_values(attempt.expected, wrong)


def _late(waited, patience):
    return waited > patience


def _early(waited, patience):
    return waited >= patience - 1


register(
    FunctionExercise(
        id="training.stop_epoch",
        reference="stop_epoch",
        arg_names=("val_losses", "patience"),
        cases=stop_epoch_cases,
        oracle=early_stop_vectorised,
        praise="Stops where train_torch stops, and restores the right epoch.",
        hints=(
            Hint(VALUE, "the right numbers, in a list: return a tuple, `return stop, best`",
                 lambda attempt: isinstance(attempt.got, list) and same_values(attempt.got, attempt.expected)),
            Hint(VALUE, "the right numbers in the wrong order: return (stop, best), the stopping epoch first",
                 _swapped),
            Hint(VALUE, "when patience never runs out, training ends after the last epoch: return its index, "
                        "len(val_losses) - 1, not None", _none_at_the_end),
            Hint(VALUE, "epochs count from 0: the first epoch is epoch 0, so both numbers are indices into "
                        "val_losses", _stop_is(best_from=1, stop_from=1)),
            Hint(VALUE, "when patience never runs out, training ends after the last epoch, whose index is "
                        "len(val_losses) - 1 (epochs count from 0), not len(val_losses)", _length_at_the_end),
            Hint(VALUE, "the best epoch counts from 0 (an index into val_losses): enumerate(val_losses) without "
                        "start=1", _stop_is(best_from=1)),
            Hint(VALUE, "one epoch too late: stop after `patience` epochs in a row without improvement (with "
                        "patience 2 and the best at epoch 3, epochs 4 and 5 fail: stop = 5), so test waited >= "
                        "patience; and return the *index* of the last epoch run, not the number of epochs run",
                 lambda attempt: _stop_is(trigger=_late)(attempt) or _stop_is(stop_from=1)(attempt)),
            Hint(VALUE, "one epoch too early: with patience p, p epochs in a row must fail to improve (with patience 2 "
                        "and the best at epoch 3, epochs 4 and 5 fail: stop = 5); count the failures after the best "
                        "epoch, and test waited >= patience", _stop_is(trigger=_early)),
            Hint(VALUE, "a loss equal to the best is not an improvement: improve only when loss < best (strictly), "
                        "as train_torch does; with <= a plateau keeps training forever",
                 _stop_is(improves=lambda loss, best: loss <= best)),
            Hint(VALUE, "count the epochs without improvement *in a row*: set the counter back to 0 at every "
                        "improvement (here single bad epochs between improvements add up to the patience)",
                 _stop_is(reset=False)),
            Hint(VALUE, "compare with the best loss so far, not with the previous epoch's: a small rise after a "
                        "rise does not restart the patience", _stop_is(versus_previous=True)),
            Hint(VALUE, "the weights restored are those of the best epoch *before* stopping: training never sees "
                        "the losses after it stops, so np.argmin over the whole list peeks into the future",
                 _stop_is(peek=True)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 5. Checkpoint: save, then resume as if nothing had happened
# ---------------------------------------------------------------------------------------------
RESUME_STEPS = 4


def checkpoint_setup(seed: int):
    """(model, Adam optimizer, batches): a small regression net and 4 fixed batches."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    g = torch.Generator().manual_seed(909)
    batches = [(torch.randn(6, 3, generator=g), torch.randn(6, 1, generator=g)) for _ in range(RESUME_STEPS)]
    return model, torch.optim.Adam(model.parameters(), lr=0.05), batches


def _adam_steps(model, optimizer, batches) -> None:
    import torch

    for inputs, targets in batches:
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


class _LoadWatch:
    """Replaces ``torch.load`` while the learner's code runs and records its ``weights_only`` arguments."""

    def __init__(self):
        import torch

        self.torch, self.original, self.calls = torch, torch.load, []

    def __enter__(self):
        def watched(*args, **kwargs):
            self.calls.append(kwargs.get("weights_only", "missing"))
            return self.original(*args, **kwargs)

        self.torch.load = watched
        return self

    def __exit__(self, *exc):
        self.torch.load = self.original


CHECKPOINT_PAIR_HINT = "pass both functions as a pair: check('training.checkpoint', (save_checkpoint, load_checkpoint))"


def checkpoint_property(answer):
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2 and all(callable(f) for f in answer)):
        return f"expected the pair (save_checkpoint, load_checkpoint), got {fmt(answer)[:60]}", CHECKPOINT_PAIR_HINT
    save, load = answer
    with quiet_torch() as torch, tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        # The run that is never interrupted: 4 steps, a checkpoint, 4 more steps.
        model, optimizer, batches = checkpoint_setup(91)
        _adam_steps(model, optimizer, batches)
        saved_weights, saved_moments = _state_arrays(model), copy.deepcopy(optimizer.state_dict()["state"])
        try:
            result = run(save, path, model, optimizer, 7)
        except NotImplementedError:
            if edited_stub(save, "training.checkpoint", "save_checkpoint"):
                return STILL_RAISING_TEXT, STILL_RAISING_HINT
            raise  # the stub: not attempted yet
        if isinstance(result, Raised):
            return f"save_checkpoint raised {result.text}", None
        if not _same_state(_state_arrays(model), saved_weights, 0, 0):
            return "save_checkpoint changed the model's weights", "saving only reads the model and the optimizer"
        if not os.path.exists(path):
            return (f"save_checkpoint wrote nothing at the path it was given ({os.path.basename(path)})",
                    "torch.save(checkpoint, path), with checkpoint a dict of the state_dicts and the epoch")
        _adam_steps(model, optimizer, batches)
        want = _state_arrays(model)
        # The resumed run: another model and a fresh optimizer, restored from the file.
        resumed, fresh_optimizer, _ = checkpoint_setup(92)
        try:
            with _LoadWatch() as watch:
                epoch = run(load, path, resumed, fresh_optimizer)
        except NotImplementedError:  # save_checkpoint is written: only load_checkpoint is left
            if edited_stub(load, "training.checkpoint", "load_checkpoint"):
                return STILL_RAISING_TEXT, STILL_RAISING_HINT
            return ("save_checkpoint ran, but load_checkpoint still raises NotImplementedError",
                    "write load_checkpoint too (and delete its `raise NotImplementedError()`), then run both cells "
                    "again")
        if isinstance(epoch, Raised):
            hint = None
            if "Weights only load failed" in epoch.text or "weights_only" in epoch.text:
                hint = ("torch.load(..., weights_only=True) reads only tensors and plain containers: save the "
                        "state_dicts (model.state_dict(), optimizer.state_dict()) in a dict, not the model or "
                        "optimizer objects themselves")
            elif isinstance(epoch.exc, KeyError) and "epoch" in epoch.text:
                hint = ("the checkpoint has no 'epoch': save the epoch in the checkpoint dict along with the "
                        "state_dicts, and return it from load_checkpoint")
            elif isinstance(epoch.exc, KeyError):
                hint = "load_checkpoint reads the keys that save_checkpoint wrote: use the same names in both"
            elif "Error(s) in loading state_dict" in epoch.text:
                hint = ("model.load_state_dict(...) was given something other than the model's state_dict: save one "
                        "dict {'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'epoch': epoch} "
                        "(a second torch.save to the same path replaces the first file) and pass checkpoint['model'] "
                        "to model.load_state_dict, checkpoint['optimizer'] to optimizer.load_state_dict")
            return f"load_checkpoint raised {epoch.text}", hint
        if not watch.calls:
            return ("load_checkpoint did not call torch.load", "read the file with torch.load(path, "
                                                                "weights_only=True)")
        if any(flag is not True for flag in watch.calls):
            shown = "without weights_only" if "missing" in watch.calls else "with weights_only=False"
            return (f"load_checkpoint called torch.load {shown}",
                    "pass weights_only=True: the file is then read as tensors and plain containers only. Without "
                    "it an older PyTorch unpickles whatever the file holds, and unpickling can run any code a "
                    "downloaded checkpoint hides")
        if _as_number(epoch) != 7:
            return (f"load_checkpoint returned {fmt(epoch)[:40]}: expected the epoch saved in the checkpoint (7)",
                    "save the epoch in the checkpoint dict and return it from load_checkpoint" if epoch is None
                    else None)
        if not _same_state(_state_arrays(resumed), saved_weights, 0, 0):
            return ("after load_checkpoint the model's weights are not those that were saved",
                    "model.load_state_dict(checkpoint[...]) restores them (load into the model you were given)")
        state = fresh_optimizer.state_dict()["state"]
        if not state:
            return ("after load_checkpoint the optimizer has no state: Adam restarts with m = v = 0 and step 0, so "
                    "the resumed run differs from one that never stopped",
                    "save optimizer.state_dict() with the model's, and restore it with "
                    "optimizer.load_state_dict(...) on the optimizer you were given")
        if not all(torch.equal(state[k]["exp_avg"], saved_moments[k]["exp_avg"]) for k in saved_moments):
            return "the optimizer's restored moments are not those saved", None
        _adam_steps(resumed, fresh_optimizer, batches)
        got = _state_arrays(resumed)
        if not _same_state(got, want, 0, 0):
            return (f"after {RESUME_STEPS} more steps the resumed model differs from the one that never stopped: "
                    f"{_worst_weight(got, want)}", "restore both state_dicts, the model's and the optimizer's")
    return None


register(
    PropertyExercise(
        id="training.checkpoint",
        reference="checkpoint_functions",
        prop=checkpoint_property,
        praise="The resumed run continues bit for bit like the one that never stopped.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. A regression model for Auto MPG, judged by cross-validation against a linear baseline
# ---------------------------------------------------------------------------------------------
MPG_MARGIN = 0.04
"""The mean cross-validated R² must beat linear regression's by this much (measured: ~0.87 against ~0.81)."""
MPG_FEATURES = 9


def _mpg_scores(make_model) -> np.ndarray:
    """R² per fold of ``make_model`` on Auto MPG (5 folds, Adam, 300 full-batch steps: the chapter's setting)."""
    from ...auto_mpg import cross_validate_r2
    from ...data import load_auto_mpg

    X, y, _ = load_auto_mpg()
    return cross_validate_r2(make_model, X, y)


def _linear_mean() -> float:
    from sklearn.linear_model import LinearRegression

    return float(_mpg_scores(LinearRegression).mean())


def _layers(model) -> list:
    """The model's leaf modules, in order."""
    return [m for m in model.modules() if not list(m.children())]


def auto_mpg_property(answer):
    import torch
    from torch import nn

    if isinstance(answer, nn.Module):
        return ("pass the function that builds the model, not a model: the checker builds a fresh one for each "
                "fold", "check('training.auto_mpg_model', make_mpg_model) with make_mpg_model returning nn.Sequential("
                    "...)")
    if not callable(answer):
        return f"pass your function itself, not {type(answer).__name__}", None
    with quiet_torch():
        first = run(answer)
        if isinstance(first, Raised):
            return f"make_mpg_model() raised {first.text}", None
        if isinstance(first, type) and issubclass(first, nn.Module):
            return (f"make_mpg_model() returned the class {first.__name__}, not a model",
                    f"return an instance: {first.__name__}(...) with its parentheses")
        if not isinstance(first, nn.Module):
            return (f"make_mpg_model() returned {fmt(first)[:60]}, expected a PyTorch model (an nn.Module)",
                    "did you forget the `return` statement?" if first is None else
                    "return nn.Sequential(nn.Linear(9, ...), ..., nn.Linear(..., 1))")
        if run(answer) is first:
            return ("make_mpg_model() returned the same model object twice: every fold would start from the weights "
                    "the previous fold trained, and see its test rows",
                    "build the model inside the function, so that each call returns a new one")
        probe = run(lambda: first(torch.zeros(2, MPG_FEATURES)))
        if isinstance(probe, Raised):
            return (f"the model cannot take the 9 features: {probe.text}",
                    "the first layer takes the 9 features (6 standardised columns and 3 one-hot origin columns): "
                    "nn.Linear(9, hidden)")
        if not isinstance(probe, torch.Tensor) or tuple(probe.shape) != (2, 1):
            shape = tuple(probe.shape) if isinstance(probe, torch.Tensor) else type(probe).__name__
            return (f"for inputs of shape (2, 9) the model returns {shape}, expected (2, 1): one prediction per car",
                    "end with nn.Linear(hidden, 1)")
        layers = _layers(first)
        linear_only = all(isinstance(m, (nn.Linear, nn.Identity, nn.Dropout, nn.Flatten)) for m in layers)
        scores = run(_mpg_scores, answer)
        if isinstance(scores, Raised):
            return f"cross-validating your model raised {scores.text}", None
        mean, baseline = float(np.mean(scores)), _linear_mean()
        if mean >= baseline + MPG_MARGIN:
            return None
        problem = (f"mean cross-validated R² {mean:.3f} (folds {fmt(np.round(scores, 3))}), linear regression's "
                   f"{baseline:.3f}: the model must beat it by {MPG_MARGIN}")
        if linear_only:
            return problem, ("there is no activation between the Linear layers: a stack of linear maps is one linear "
                             "map, no better than linear regression. Put nn.ReLU() between them")
        if not isinstance(layers[-1], nn.Linear):
            return problem, (f"the last layer is {type(layers[-1]).__name__}: it limits what the model can output "
                             "(a ReLU cannot go below 0, a sigmoid stays in (0, 1), but the standardised targets "
                             "are spread around 0). End with nn.Linear(hidden, 1)")
        return problem, ("the model is too small to learn the curve in 300 steps: give it more hidden units (tens of "
                         "them, e.g. 64) or a second hidden layer")


register(
    PropertyExercise(
        id="training.auto_mpg_model",
        reference="make_mpg_model",
        prop=auto_mpg_property,
        praise="It beats linear regression by the margin in 5-fold cross-validation.",
    ),
)
