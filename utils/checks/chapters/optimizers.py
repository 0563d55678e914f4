"""Chapter 05 (optimizers): batteries, oracles and hints of its exercises.

- ``optimizers.lr_for_quadratic``: a learning rate that takes gradient descent on a given ill-conditioned quadratic
  within 1/1000 of the minimum in 50 steps (checked by running it);
- ``optimizers.sgd_update``: one SGD step on a dict of arrays, returning a *new* dict, the inputs untouched;
- ``optimizers.momentum_step``: one step of SGD with momentum in PyTorch's convention (dampening included);
- ``optimizers.rmsprop_step``: one RMSprop step;
- ``optimizers.adamw_trajectory``: AdamW over several steps (bias correction, decoupled weight decay);
- ``optimizers.warmup_cosine_lr``: linear warm-up then cosine annealing, step by step;
- ``optimizers.clip_by_global_norm``: gradient clipping by the global norm.

Expected values come from PyTorch (``torch.optim``, ``torch.optim.lr_scheduler``, ``torch.nn.utils``, in float64),
never from the reference solution, so a wrong reference fails ``validate_reference``. The stepping exercises are
run as a learner's code would be in a loop: each call gets the state the learner's previous call returned, so an
answer is judged on whole trajectories (a schedule that changes lr between steps included). The hints name the
classic mistakes: an in-place update behind a shallow ``dict.copy()``, momentum applied after the update, the
other momentum convention (lr inside the buffer), ε inside the square root, g instead of g², a forgotten
(1 − α), Adam without bias correction or with its step count off by one, weight decay coupled to the gradient
(Adam + L2, not AdamW) or applied after the update, a cosine over the whole run instead of after the warm-up, a
warm-up from 0, clipping per element or per tensor, and more. They are tested in
``tests/test_checks_optimizers.py``.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..compare import fmt_number, worst_entry
from ..kinds import EXCEPTION, MUTATION, STRUCTURE, VALUE, Case, FunctionExercise, Hint, PropertyExercise
from ..normalise import as_float_array
from ..oracles import tensor_copy
from ..predicates import raised, returned_a_list, same_as
from ..registry import register
from ..sandbox import Raised, run

RTOL, ATOL = 1e-9, 1e-12
"""Agreement with PyTorch: both compute the same float64 formulas, so they agree to ~1e-15."""


def _same(a, b, rtol: float = RTOL, atol: float = ATOL) -> bool:
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _worst(got, want) -> str:
    """``worst_entry``, with 10 significant digits when 6 would print the two numbers alike."""
    text = worst_entry(got, want)
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    index = np.unravel_index(int(np.argmax(np.abs(got - want))), want.shape) if want.ndim else ()
    if fmt_number(got[index]) == fmt_number(want[index]):
        text = text.replace(f"expected {fmt_number(want[index])}, got {fmt_number(got[index])}",
                            f"expected {float(want[index]):.10g}, got {float(got[index]):.10g}")
    return text


def _changed(before: dict, after: dict) -> list[str]:
    """Names of the arrays (or lists of arrays) of ``after`` that differ from their copies in ``before``."""
    names = []
    for name, old in before.items():
        new = after[name]
        if isinstance(old, np.ndarray):
            if not (isinstance(new, np.ndarray) and new.shape == old.shape and np.array_equal(new, old)):
                names.append(name)
        elif isinstance(old, dict):
            if any(not np.array_equal(old[k], new[k]) for k in old):
                names.append(name)
        elif isinstance(old, list):
            if any(not np.array_equal(o, n) for o, n in zip(old, new)):
                names.append(name)
    return names


def _copies(**arrays) -> tuple[dict, dict]:
    """(what the learner gets, pristine copies to compare with afterwards)."""
    import copy

    return copy.deepcopy(arrays), copy.deepcopy(arrays)


# ---------------------------------------------------------------------------------------------
# 1. A learning rate for an ill-conditioned quadratic
# ---------------------------------------------------------------------------------------------
QUADRATIC_A = np.array([[5.5, 4.5], [4.5, 5.5]])
"""f(w) = ½ wᵀ A w: eigenvalues 1 and 10 (eigenvectors (1, −1)/√2 and (1, 1)/√2), minimum at w = 0."""
QUADRATIC_START = np.array([1.0, -0.5])
QUADRATIC_STEPS = 50
QUADRATIC_TARGET = 1e-3
"""After ``QUADRATIC_STEPS`` steps of gradient descent, ‖w‖ must be below ``QUADRATIC_TARGET`` · ‖w₀‖."""


def quadratic_run(lr: float, steps: int = QUADRATIC_STEPS) -> np.ndarray:
    """The iterates w₀, …, w_steps of gradient descent w ← w − lr·A w on the exercise's quadratic, shape
    (steps + 1, 2) (overflow becomes inf: a diverging run)."""
    w = QUADRATIC_START.copy()
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w = w - lr * (QUADRATIC_A @ w)
            path.append(w.copy())
    return np.array(path)


def lr_for_quadratic_property(answer):
    lr = run(answer) if callable(answer) else answer
    if isinstance(lr, Raised):
        return f"your code raised {lr.text}", None
    if lr is None:
        return "your answer is None", "did you forget the `return` statement?"
    if isinstance(lr, str):
        return (f"expected a number, got the text {lr!r}", "give the number itself, without quotes")
    if isinstance(lr, (list, tuple)) and len(lr) == 1:
        return (f"expected one number (a learning rate), got a {type(lr).__name__} holding one",
                "return the number itself, not inside a list: `return lr`, not `return [lr]`")
    if isinstance(lr, bool) or not isinstance(lr, (numbers.Real, np.ndarray)) or np.size(lr) != 1:
        count = lr.size if isinstance(lr, np.ndarray) else len(lr) if isinstance(lr, (list, tuple)) else 1
        return (f"expected one number (a learning rate), got {type(lr).__name__}",
                f"one learning rate for both directions, not one per eigenvalue: you returned {count} values. A "
                "single η must suit λ_min and λ_max at once" if count > 1 else None)
    lr = float(np.asarray(lr).item())
    if not math.isfinite(lr) or lr <= 0:
        return (f"the learning rate must be a positive number, got {fmt_number(lr)}",
                "gradient descent steps *against* the gradient with a positive lr: w ← w − lr·∇f(w)")
    path = quadratic_run(lr)
    start, end = np.linalg.norm(path[0]), np.linalg.norm(path[-1])
    if end <= QUADRATIC_TARGET * start:
        return None
    eigenvalues = np.linalg.eigvalsh(QUADRATIC_A)
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    where = f"with lr = {fmt_number(lr)}, after {QUADRATIC_STEPS} steps"
    factors = np.abs(1 - lr * eigenvalues)
    if not np.isfinite(end) or end > start:
        return (f"{where} gradient descent diverged: ‖w‖ grew from {fmt_number(start)} to {fmt_number(end)}",
                f"too large: along the eigenvector of the largest eigenvalue L = {fmt_number(largest)} the error is "
                f"multiplied by 1 − lr·L = {fmt_number(1 - lr * largest)} at every step, more than 1 in size, so it "
                f"grows and flips sign (oscillates). Stay below the bound 2/L = {fmt_number(2 / largest)}")
    if factors[-1] >= factors[0]:
        return (f"{where} ‖w‖ is {fmt_number(end)}, {fmt_number(end / start)} of its start (the target: "
                f"{fmt_number(QUADRATIC_TARGET)})",
                f"too large: along the steep direction (L = {fmt_number(largest)}) each step multiplies the error by "
                f"1 − lr·L = {fmt_number(1 - lr * largest)}: it oscillates from side to side and barely shrinks, "
                f"close to the bound 2/L = {fmt_number(2 / largest)}. Pick lr where the two directions' factors "
                f"|1 − lr·λ| are both small")
    return (f"{where} ‖w‖ is still {fmt_number(end)}, {fmt_number(end / start)} of its start (the target: "
            f"{fmt_number(QUADRATIC_TARGET)})",
            f"too small: along the flat direction (λ = {fmt_number(smallest)}) each step multiplies the error by only "
            f"1 − lr·λ = {fmt_number(1 - lr * smallest)}, so after {QUADRATIC_STEPS} steps it is still "
            f"{fmt_number(abs(1 - lr * smallest) ** QUADRATIC_STEPS)} of what it was. Take the largest step the steep "
            f"direction allows: both factors |1 − lr·λ| are balanced at lr = 2/(λ_min + λ_max)"
            + (". (2/21 is the best step for section 1.2's quadratic, λ = 1 and 20: this exercise's A has other "
               "eigenvalues, np.linalg.eigvalsh(A))" if math.isclose(lr, 2 / 21, rel_tol=1e-3) else ""))


register(
    PropertyExercise(
        id="optimizers.lr_for_quadratic",
        reference="learning_rate",
        prop=lr_for_quadratic_property,
        praise="Gradient descent reaches the minimum in time.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. An SGD step on a dictionary of parameters, without touching the inputs
# ---------------------------------------------------------------------------------------------
def _sgd_cases():
    rng = np.random.default_rng(505)
    return [
        ("the chapter's weights and bias",
         {"weights": np.array([0.5, -0.5]), "bias": np.array([0.0])},
         {"weights": np.array([0.1, -0.1]), "bias": np.array([0.05])}, 0.1),
        ("a layer's (3, 4) weight matrix and bias",
         {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)},
         {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)}, 0.05),
        ("three parameters, lr = 1",
         {"W1": rng.normal(size=(2, 2)), "b1": rng.normal(size=2), "W2": rng.normal(size=(1, 2))},
         {"W1": rng.normal(size=(2, 2)), "b1": rng.normal(size=2), "W2": rng.normal(size=(1, 2))}, 1.0),
    ]


def _torch_sgd(params: dict, grads: dict, lr: float) -> dict:
    import torch

    tensors = {k: tensor_copy(v).requires_grad_() for k, v in params.items()}
    for k, t in tensors.items():
        t.grad = tensor_copy(grads[k])
    torch.optim.SGD(list(tensors.values()), lr=lr).step()
    return {k: t.detach().numpy() for k, t in tensors.items()}


def sgd_update_property(answer):
    for name, params0, grads0, lr in _sgd_cases():
        given, pristine = _copies(params=params0, grads=grads0)
        result = run(answer, given["params"], given["grads"], lr)
        where = f"case '{name}' (lr = {fmt_number(lr)})"
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", (
                "loop over the keys: {k: params[k] - lr * grads[k] for k in params}"
                if isinstance(result.exc, (KeyError, TypeError)) else None)
        changed = _changed(pristine, given)
        if "params" in changed:
            if result is given["params"]:
                hint = ("you updated the caller's dict in place and returned it: build a new dict instead, "
                        "{k: params[k] - lr * grads[k] for k in params}")
            elif isinstance(result, dict) and any(result.get(k) is given["params"][k] for k in params0):
                hint = ("params.copy() is a *shallow* copy (so are dict(params), copy.copy(params) and "
                        "{**params}): the new dict holds the very same NumPy arrays, so "
                        "`new[k] -= lr * grads[k]` changes the caller's arrays in place. Compute new arrays, "
                        "new[k] = params[k] - lr * grads[k] (or copy each array: {k: v.copy() for k, v in "
                        "params.items()})")
            else:
                hint = ("`-=` on an array changes it in place: write params[k] - lr * grads[k], which makes a new "
                        "array")
            return f"{where}: your function changed the caller's params arrays in place", hint
        if "grads" in changed:
            return (f"{where}: your function changed the grads arrays",
                    "`grads[k] *= lr` (or any `*=`, `-=` on them) changes the caller's gradients in place: compute "
                    "lr * grads[k], a new array, and leave the gradients as they were given")
        if not isinstance(result, dict):
            return (f"{where}: expected a dict of arrays, got {type(result).__name__}",
                    "return a new dict with the same keys as params: {k: ... for k in params}")
        if set(result) != set(params0):
            return (f"{where}: the keys are {sorted(result)}, expected {sorted(params0)}",
                    "keep every parameter's name: one entry per key of params")
        expected = _torch_sgd(params0, grads0, lr)
        for key in params0:
            got = as_float_array(result[key], params0[key].shape)
            if got is None:
                return (f"{where}: {key!r} is not an array of shape {params0[key].shape}",
                        "each entry is the parameter's array after the step, with its shape")
            if not _same(got, expected[key]):
                p, g = params0[key], grads0[key]
                if _same(got, p + lr * g):
                    hint = "the step goes *against* the gradient: p − lr·g, not p + lr·g"
                elif _same(got, p - g) and lr != 1:
                    hint = "the learning rate is missing: p − lr·g"
                elif _same(got, p):
                    hint = "the parameter did not move: return p − lr·g for every key"
                elif _same(got, -lr * g):
                    hint = "that is the step alone (−lr·g): add it to the parameter, p − lr·g"
                else:
                    hint = None
                return (f"{where}: {key!r} differs from torch.optim.SGD's step; {_worst(got, expected[key])}",
                        hint)
    return None


register(
    PropertyExercise(
        id="optimizers.sgd_update",
        reference="sgd_update",
        prop=sgd_update_property,
        praise="New arrays, and the caller's parameters are untouched.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 3–4. Stepping exercises: momentum and RMSprop, run over whole trajectories
# ---------------------------------------------------------------------------------------------
def _gradients(seed: int, shape, steps: int, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [scale * rng.normal(size=shape) for _ in range(steps)]


MOMENTUM_CASES = (
    # (name, p0 shape, steps, lrs, momentum, dampening, seed)
    ("one step from no buffer", (3,), 1, (0.1,), 0.9, 0.0, 1),
    ("5 steps, lr 0.1, momentum 0.9", (2, 3), 5, (0.1,) * 5, 0.9, 0.0, 2),
    ("6 steps while a schedule changes lr", (4,), 6, (0.1, 0.05, 0.2, 0.2, 0.01, 0.1), 0.8, 0.0, 3),
    ("4 steps with dampening 0.5", (3,), 4, (0.05,) * 4, 0.9, 0.5, 4),
)


def _torch_momentum(p0, grads, lrs, momentum, dampening):
    """PyTorch's parameters and momentum buffers after each step."""
    import torch

    p = tensor_copy(p0).requires_grad_()
    opt = torch.optim.SGD([p], lr=lrs[0], momentum=momentum, dampening=dampening)
    out = []
    for g, lr in zip(grads, lrs):
        opt.param_groups[0]["lr"] = lr
        p.grad = tensor_copy(g)
        opt.step()
        out.append((p.detach().numpy().copy(), opt.state[p]["momentum_buffer"].numpy().copy()))
    return out


def _momentum_hint(p, g, buf, lr, mu, d, got_p, got_buf, right_p, right_buf) -> str | None:
    """Name the mistake from one call's inputs and outputs (``buf`` None on the first step)."""
    first = buf is None
    b = np.zeros_like(g) if first else buf
    if _same(got_p, right_p) and got_buf is not None and _same(got_buf, -lr * right_buf):
        return ("right parameters, but your buffer is −lr times PyTorch's: that is the other convention, "
                "v = μ·v − lr·g, p ← p + v. With a constant lr both take the same steps; when a schedule changes lr "
                "between steps they do not. Keep lr out of the buffer: buf = μ·buf + g, then p ← p − lr·buf")
    if not first and _same(got_p, p + mu * b - lr * g):
        return ("you fed PyTorch's buffer into the other convention (v = μ·v − lr·g, p ← p + v): here the buffer "
                "holds no lr. buf = μ·buf + g, then p ← p − lr·buf")
    if _same(got_p, p - lr * b) or (first and _same(got_p, p)):
        return ("momentum applied after the update: the step used the old buffer. Update the buffer first "
                "(buf = μ·buf + g), then step with the new one, p ← p − lr·buf")
    if _same(got_p, p + lr * right_buf):
        return "the step goes *against* the buffer: p ← p − lr·buf"
    if _same(got_p, p - lr * (g + mu * right_buf)):
        return ("that is Nesterov's step, p − lr·(g + μ·buf): plain momentum steps with the buffer itself, "
                "p ← p − lr·buf")
    if got_buf is not None and _same(got_buf, right_buf) and not first and _same(got_p, p - lr * g):
        return ("your buffer is right, but the step used the gradient alone (plain SGD): step with the buffer, "
                "p ← p − lr·buf")
    if first and got_buf is not None and _same(got_buf, mu * g):
        return ("on the first step the buffer is the gradient itself, buf = g (not μ·g): μ multiplies the *old* "
                "buffer, and there is none yet")
    if not first and got_buf is not None and (_same(got_buf, b + mu * g) or _same(got_buf, b + mu * (1 - d) * g)):
        return ("μ multiplies the old buffer, not the new gradient: buf = μ·buf + (1 − dampening)·g")
    if first and got_buf is not None and (_same(got_buf, lr * g) or _same(got_buf, (1 - d) * lr * g)):
        return "the buffer sums gradients only: buf = g on the first step, and lr multiplies the buffer in the step"
    if first and d != 0 and got_buf is not None and _same(got_buf, (1 - d) * g):
        return ("on the first step PyTorch copies the gradient into the buffer as it is, buf = g, without "
                "dampening; dampening applies from the second step on")
    if got_buf is not None and not first:
        if _same(got_buf, mu * b + (1 - mu) * g):
            return ("that is an exponential moving average, buf = μ·buf + (1 − μ)·g: PyTorch's momentum adds the "
                    "whole gradient, buf = μ·buf + (1 − dampening)·g, with dampening 0 by default")
        if _same(got_buf, mu * b + d * g):
            return ("the new gradient is scaled by dampening (or missing): buf = μ·buf + (1 − dampening)·g, so with "
                    "the default dampening 0 the whole gradient is added")
        if d != 0 and _same(got_buf, mu * b + g):
            return "dampening is ignored: buf = μ·buf + (1 − dampening)·g after the first step"
        if _same(got_buf, mu * b + lr * g) or _same(got_buf, mu * b - lr * g):
            return "the buffer sums gradients only: buf = μ·buf + g, and lr multiplies the buffer in the step"
    if not first and got_buf is not None and _same(got_buf, g):
        return "the buffer forgot its past: buf = μ·buf + g, with the buffer your previous step returned"
    return None


def momentum_property(answer):
    for name, shape, steps, lrs, mu, d, seed in MOMENTUM_CASES:
        rng = np.random.default_rng(seed)
        p0 = rng.normal(size=shape)
        grads = _gradients(seed + 100, shape, steps)
        expected = _torch_momentum(p0, grads, lrs, mu, d)
        p, buf = p0.copy(), None
        for t, (g, lr, (want_p, want_buf)) in enumerate(zip(grads, lrs, expected), start=1):
            where = (f"case '{name}' (momentum {fmt_number(mu)}, dampening {fmt_number(d)}), step {t} "
                     f"with lr = {fmt_number(lr)}")
            given, pristine = _copies(p=p, grad=g, buf=buf if buf is not None else np.zeros(0))
            call_buf = None if buf is None else given["buf"]
            result = run(answer, given["p"], given["grad"], call_buf, lr, mu, d)
            if isinstance(result, Raised):
                hint = None
                if buf is None and isinstance(result.exc, TypeError) and "None" in str(result.exc):
                    hint = "on the first step buf is None: start the buffer with a copy of the gradient, buf = g"
                return f"{where}: your code raised {result.text}", hint
            changed = [n for n in _changed(pristine, given) if not (n == "buf" and buf is None)]
            if changed:
                return (f"{where}: your function changed its input {', '.join(changed)} in place",
                        "return new arrays (p - lr * buf, momentum * buf + grad): `-=`, `+=` and `*=` change the "
                        "caller's arrays")
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                return (f"{where}: expected a pair (new_p, new_buf), got {type(result).__name__}",
                        "end with `return new_p, new_buf`")
            got_p, got_buf = as_float_array(result[0], shape), as_float_array(result[1], shape)
            if got_p is None:
                return f"{where}: new_p is not an array of shape {shape}", None
            if got_buf is None:
                return (f"{where}: new_buf is not an array of shape {shape}",
                        "return the buffer itself (an array like the gradient), for the next step to use")
            if _same(got_p, want_buf) and _same(got_buf, want_p) and not _same(want_p, want_buf):
                return (f"{where}: new_p and new_buf are swapped",
                        "return them in the order the docstring gives: `return new_p, new_buf`")
            if not (_same(got_p, want_p) and _same(got_buf, want_buf)):
                wrong, got_bad, want = (("new_p", got_p, want_p) if not _same(got_p, want_p) else
                                        ("new_buf", got_buf, want_buf))
                return (f"{where}: {wrong} differs from torch.optim.SGD's; {_worst(got_bad, want)}",
                        _momentum_hint(p, g, buf, lr, mu, d, got_p, got_buf, want_p, want_buf))
            p, buf = got_p, got_buf
    return None


register(
    PropertyExercise(
        id="optimizers.momentum_step",
        reference="momentum_step",
        prop=momentum_property,
        praise="Your steps follow torch.optim.SGD's, schedule and dampening included.",
    ),
)


RMSPROP_CASES = (
    # (name, shape, steps, lr, alpha, eps, gradient scale, seed)
    ("one step from a zero average", (3,), 1, 0.01, 0.99, 1e-8, 1.0, 11),
    ("5 steps, alpha 0.9", (2, 2), 5, 0.01, 0.9, 1e-8, 1.0, 12),
    ("tiny gradients, eps 1e-6", (4,), 4, 0.001, 0.99, 1e-6, 1e-5, 13),
    ("8 steps, alpha 0.5, lr 0.1", (3,), 8, 0.1, 0.5, 1e-8, 3.0, 14),
)


def _torch_rmsprop(p0, grads, lr, alpha, eps):
    import torch

    p = tensor_copy(p0).requires_grad_()
    opt = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)
    out = []
    for g in grads:
        p.grad = tensor_copy(g)
        opt.step()
        out.append((p.detach().numpy().copy(), opt.state[p]["square_avg"].numpy().copy()))
    return out


def _rmsprop_hint(p, g, sq, lr, alpha, eps, got_p, got_sq, right_p, right_sq) -> str | None:
    if _same(got_sq, right_sq):
        if _same(got_p, p - lr * g / np.sqrt(right_sq + eps)):
            return ("ε is inside the square root: PyTorch divides by √(square_avg) + ε, so ε sets the smallest "
                    "denominator directly")
        if _same(got_p, p - lr * g / np.sqrt(right_sq)):
            return ("ε is missing: divide by √(square_avg) + ε (it keeps the step finite where the average is 0, and "
                    "sets the step's scale when gradients are tiny)")
        if _same(got_p, p - lr * g / (right_sq + eps)):
            return "divide by the *root* of the average: √(square_avg) + ε (it has the units of g)"
        if _same(got_p, p + lr * g / (np.sqrt(right_sq) + eps)):
            return "the step goes *against* the gradient: p ← p − lr·g / (√(square_avg) + ε)"
        if _same(got_p, p - lr * g / (np.sqrt(sq) + eps)):
            return "the step used the old average: update square_avg first, then divide by its new root"
        if _same(got_p, p - lr * g / np.sqrt(right_sq) + eps) or _same(got_p, p - lr * (g / np.sqrt(right_sq) + eps)):
            return ("ε was added to the ratio, not to its denominator: `g / np.sqrt(s) + eps` divides first. "
                    "Parenthesise: g / (np.sqrt(square_avg) + eps)")
        return None
    if _same(got_sq, alpha * sq + (1 - alpha) * g):
        return "square the gradient: square_avg = α·square_avg + (1 − α)·g², an average of g², not of g"
    if _same(got_sq, alpha * sq + g**2):
        return ("the (1 − α) is missing: square_avg = α·square_avg + (1 − α)·g², a weighted *average*, so the "
                "weights α and 1 − α add up to 1" + (
                    ". On the first step that is (1 − α)·g², not g²: the average starts at zeros, not at the first "
                    "gradient's square" if not np.any(sq) else ""))
    if _same(got_sq, alpha * sq + (1 - alpha) * np.abs(g)):
        return "average the *squares*: square_avg = α·square_avg + (1 − α)·g², not |g|"
    if _same(got_sq, np.sqrt(right_sq)):
        return ("return the average of g² itself, not its square root: the next step updates square_avg, and "
                "takes the root only in the denominator")
    if _same(got_sq, (1 - alpha) * sq + alpha * g**2):
        return ("α and 1 − α are swapped: α (0.99 by default) keeps the old average, square_avg = α·square_avg "
                "+ (1 − α)·g²")
    if _same(got_sq, g**2):
        return ("the average forgot its past: square_avg = α·square_avg + (1 − α)·g², with the average your last "
                "step returned")
    return None


def rmsprop_property(answer):
    for name, shape, steps, lr, alpha, eps, scale, seed in RMSPROP_CASES:
        p0 = np.random.default_rng(seed).normal(size=shape)
        grads = _gradients(seed + 100, shape, steps, scale)
        expected = _torch_rmsprop(p0, grads, lr, alpha, eps)
        p, sq = p0.copy(), np.zeros(shape)
        for t, (g, (want_p, want_sq)) in enumerate(zip(grads, expected), start=1):
            where = (f"case '{name}' (lr {fmt_number(lr)}, alpha {fmt_number(alpha)}, eps {fmt_number(eps)}), "
                     f"step {t}")
            given, pristine = _copies(p=p, grad=g, square_avg=sq)
            result = run(answer, given["p"], given["grad"], given["square_avg"], lr, alpha, eps)
            if isinstance(result, Raised):
                return f"{where}: your code raised {result.text}", None
            changed = _changed(pristine, given)
            if changed:
                return (f"{where}: your function changed its input {', '.join(changed)} in place",
                        "return new arrays: `-=`, `+=` and `*=` change the caller's arrays")
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                return (f"{where}: expected a pair (new_p, new_square_avg), got {type(result).__name__}",
                        "end with `return new_p, new_square_avg`")
            got_p, got_sq = as_float_array(result[0], shape), as_float_array(result[1], shape)
            if got_p is None or got_sq is None:
                which = "new_p" if got_p is None else "new_square_avg"
                return f"{where}: {which} is not an array of shape {shape}", None
            if _same(got_p, want_sq) and _same(got_sq, want_p):
                return (f"{where}: new_p and new_square_avg are swapped",
                        "return them in the order the docstring gives: `return new_p, new_square_avg`")
            if not (_same(got_sq, want_sq) and _same(got_p, want_p)):
                wrong, got_bad, want = (("new_square_avg", got_sq, want_sq) if not _same(got_sq, want_sq) else
                                        ("new_p", got_p, want_p))
                problem = f"{where}: {wrong} differs from torch.optim.RMSprop's; {_worst(got_bad, want)}"
                if not np.isfinite(got_bad).all():
                    problem += " (not finite)"
                return problem, _rmsprop_hint(p, g, sq, lr, alpha, eps, got_p, got_sq, want_p, want_sq)
            p, sq = got_p, got_sq
    return None


register(
    PropertyExercise(
        id="optimizers.rmsprop_step",
        reference="rmsprop_step",
        prop=rmsprop_property,
        praise="Step after step, your RMSprop follows torch.optim.RMSprop's.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 5. AdamW over several steps
# ---------------------------------------------------------------------------------------------
def adamw_cases() -> list[Case]:
    """(p0, grads, lr, betas, eps, weight_decay): one step, a few, many; decay 0; a large eps."""
    rng = np.random.default_rng(707)
    return [
        Case("5 steps, weight decay 0.1", rng.normal(size=(2, 2)), _gradients(2, (2, 2), 5), 0.05, (0.9, 0.999), 1e-8,
             0.1),
        Case("one step", rng.normal(size=3), _gradients(1, 3, 1), 0.1, (0.9, 0.999), 1e-8, 0.01),
        Case("20 steps, betas (0.8, 0.99)", rng.normal(size=4), _gradients(3, 4, 20), 0.01, (0.8, 0.99), 1e-8, 0.05),
        Case("small gradients, eps 1e-3", rng.normal(size=3), _gradients(4, 3, 4, 1e-3), 0.01, (0.9, 0.999), 1e-3,
             0.01),
        Case("no weight decay", rng.normal(size=2), _gradients(5, 2, 3), 0.1, (0.9, 0.999), 1e-8, 0.0),
    ]


def torch_adamw(p0, grads, lr, betas, eps, weight_decay) -> np.ndarray:
    """The parameters after each step of ``torch.optim.AdamW``, shape (T, *p0.shape)."""
    import torch

    p = tensor_copy(p0).requires_grad_()
    opt = torch.optim.AdamW([p], lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
    out = []
    for g in grads:
        p.grad = tensor_copy(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def adam_variant(p0, grads, lr, betas, eps, weight_decay, mistake: str = "") -> np.ndarray:
    """AdamW as written with one classic ``mistake`` (NumPy, to recognise an answer): "no_bias_correction",
    "m_only" (v not bias-corrected), "t_from_0" (bias correction with t − 1: the first step divides by zero),
    "t_plus_1", "coupled" (Adam + L2: the decay added to the gradient), "eps_in_sqrt", "decay_after" (the decay
    applied after the Adam step), "no_lr_decay" (p −= wd·p, without lr), "no_decay", "eps_hat" (ε added before v's
    bias correction), "sign", "m_t_minus_1" / "v_t_minus_1" (one correction with t − 1),
    "betas_swapped", "decay_factor" (p ← p·lr·λ instead of p·(1 − lr·λ))."""
    beta1, beta2 = betas[::-1] if mistake == "betas_swapped" else betas
    p = np.array(p0, dtype=float)
    m, v = np.zeros_like(p), np.zeros_like(p)
    out = []
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=float)
        if mistake == "coupled":
            g = g + weight_decay * p
        elif mistake == "decay_factor":
            p = p * (lr * weight_decay)
        elif mistake not in ("decay_after", "no_decay"):
            p = p * (1 - (1 if mistake == "no_lr_decay" else lr) * weight_decay)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        k = {"t_from_0": t - 1, "t_plus_1": t + 1}.get(mistake, t)
        if mistake == "no_bias_correction":
            m_hat, v_hat = m, v
        elif mistake == "m_only":
            m_hat, v_hat = m / (1 - beta1**k), v
        elif mistake in ("m_t_minus_1", "v_t_minus_1"):  # one correction with t − 1: 1 − β^0 = 0 at the first step
            m_hat = m / (1 - beta1 ** (t - (mistake == "m_t_minus_1")))
            v_hat = v / (1 - beta2 ** (t - (mistake == "v_t_minus_1")))
        else:
            m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)
        if mistake == "eps_in_sqrt":
            step = m_hat / np.sqrt(v_hat + eps)
        elif mistake == "eps_hat":
            step = m_hat / ((np.sqrt(v) + eps) / math.sqrt(1 - beta2**k))
        else:
            step = m_hat / (np.sqrt(v_hat) + eps)
        p = p + lr * step if mistake == "sign" else p - lr * step
        if mistake == "decay_after":
            p = p * (1 - lr * weight_decay)
        out.append(p.copy())
    return np.array(out)


def _includes_p0(attempt) -> bool:
    """The answer has one row more than there are steps: p0 stacked in front of the trajectory."""
    return np.shape(attempt.got)[0] == len(attempt.case.args[1]) + 1


def _adam_is(mistake: str):
    return same_as(lambda *args: adam_variant(*args, mistake=mistake), rtol=RTOL, atol=ATOL)


register(
    FunctionExercise(
        id="optimizers.adamw_trajectory",
        reference="adamw_trajectory",
        arg_names=("p0", "grads", "lr", "betas", "eps", "weight_decay"),
        cases=adamw_cases,
        oracle=torch_adamw,
        rtol=RTOL,
        atol=ATOL,
        praise="Every step equals torch.optim.AdamW's.",
        hints=(
            Hint(VALUE, "no bias correction: in the first steps m and v are still close to their zero start, so "
                        "divide them by (1 − β1^t) and (1 − β2^t): m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)",
                 _adam_is("no_bias_correction")),
            Hint(VALUE, "only m is bias-corrected: v also starts at 0 and needs v̂ = v / (1 − β2^t) (without it the "
                        "first steps are about √(1/(1 − β2)) ≈ 30 times too large with β2 = 0.999)",
                 _adam_is("m_only")),
            Hint(VALUE, "the step count is off by one: t is 1 at the first step (the bias correction 1 − β^t must not "
                        "be 0 there); count t = 1, 2, …, e.g. for t, g in enumerate(grads, start=1)",
                 _adam_is("t_plus_1")),
            Hint(VALUE, "the step count starts at 0: the first bias correction 1 − β^0 is 0, a division by zero. "
                        "t = 1 at the first step: for t, g in enumerate(grads, start=1)", _adam_is("t_from_0")),
            Hint(VALUE, "that is Adam with an L2 term (the decay added to the gradient, g + λ·p, then divided by "
                        "√v̂ like the rest): AdamW *decouples* the decay, p ← p − lr·λ·p, outside the adaptive step",
                 _adam_is("coupled")),
            Hint(VALUE, "one bias correction uses t − 1 and the other t: at the first step 1 − β^0 = 0, a division "
                        "by zero that NumPy turns into inf. Both use the same t, 1 at the first step: "
                        "m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)",
                 lambda attempt: _adam_is("m_t_minus_1")(attempt) or _adam_is("v_t_minus_1")(attempt)),
            Hint(VALUE, "β1 and β2 are swapped: betas = (β1, β2) = (0.9, 0.999), β1 for the average of g (m), β2 for "
                        "the average of g² (v)", _adam_is("betas_swapped")),
            Hint(VALUE, "the weight decay *shrinks* p by the factor (1 − lr·λ): p ← p·(1 − lr·λ), i.e. "
                        "p − lr·λ·p; `p *= lr * weight_decay` multiplies p by lr·λ itself", _adam_is("decay_factor")),
            Hint(MUTATION, "`p *=` or `p -=` on p0 (or on a name bound to it) changes the caller's array, and every "
                           "row you appended is that same array: start with p = np.array(p0, dtype=float) and write "
                           "p = p - ..., a new array each step"),
            Hint(VALUE, "ε is inside the square root: divide by √v̂ + ε", _adam_is("eps_in_sqrt")),
            Hint(VALUE, "ε was added before v's bias correction ((√v + ε) / √(1 − β2^t)): PyTorch adds it after, "
                        "√v̂ + ε with v̂ = v / (1 − β2^t)", _adam_is("eps_hat")),
            Hint(VALUE, "the weight decay was applied after the Adam step: PyTorch shrinks the parameter first, "
                        "p ← p·(1 − lr·λ), then takes the Adam step", _adam_is("decay_after")),
            Hint(VALUE, "the weight decay is missing its learning rate: p ← p·(1 − lr·λ), not p·(1 − λ)",
                 _adam_is("no_lr_decay")),
            Hint(VALUE, "the weight decay is missing (that is Adam): AdamW also shrinks every parameter, "
                        "p ← p·(1 − lr·λ), at every step", _adam_is("no_decay")),
            Hint(VALUE, "the step goes *against* the gradient: p ← p − lr·m̂ / (√v̂ + ε)", _adam_is("sign")),
            Hint(STRUCTURE, "one row per step: the trajectory holds the parameters *after* each of the len(grads) "
                            "steps, so leave p0 out", _includes_p0),
            Hint(STRUCTURE, "stack the parameters after each step into one array, np.array(trajectory), of shape "
                            "(len(grads), *p0.shape)", returned_a_list),
            Hint(EXCEPTION, "the first step divides by 1 − β^t: with t = 0 that is 0. Count t from 1",
                 raised("division by zero", error=ZeroDivisionError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. Warm-up then cosine
# ---------------------------------------------------------------------------------------------
SCHEDULES = (
    # (base_lr, warmup_steps, total_steps, start_factor, eta_min)
    (0.1, 5, 20, 0.1, 0.0),
    (0.5, 4, 10, 0.25, 0.01),
    (1e-3, 10, 100, 0.01, 1e-5),
)


def warmup_cosine_cases() -> list[Case]:
    cases = []
    for base, warmup, total, factor, eta_min in SCHEDULES:
        steps = sorted({0, 1, warmup // 2, warmup - 1, warmup, warmup + 1, (warmup + total) // 2, total - 1, total})
        for step in steps:
            cases.append(Case(f"step {step} of warm-up {warmup} + cosine to {total}", step, base, warmup, total,
                              eta_min, factor))
    return cases


def torch_warmup_cosine(step, base_lr, warmup_steps, total_steps, eta_min, start_factor) -> float:
    """The learning rate after ``step`` calls of SequentialLR(LinearLR, CosineAnnealingLR)'s step()."""
    import torch

    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = torch.optim.lr_scheduler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warm = sched.LinearLR(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps)
        cosine = sched.CosineAnnealingLR(opt, T_max=total_steps - warmup_steps, eta_min=eta_min)
        both = sched.SequentialLR(opt, [warm, cosine], milestones=[warmup_steps])
        for _ in range(step):
            opt.step()
            both.step()
    return float(opt.param_groups[0]["lr"])


def _schedule(step, base, warmup, total, eta_min, factor, *, warm=None, cosine=None) -> float:
    """The warm-up + cosine schedule with one part written another way (to recognise an answer)."""
    if step < warmup:
        return base * (warm(step, warmup, factor) if warm else factor + (1 - factor) * step / warmup)
    return cosine(step, base, warmup, total, eta_min) if cosine else (
        eta_min + (base - eta_min) * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))) / 2)


def _schedule_is(**parts):
    return same_as(lambda *args: _schedule(*args, **parts), rtol=RTOL, atol=ATOL)


def _in_warmup(attempt) -> bool:
    step, _, warmup = attempt.case.args[:3]
    return step < warmup


register(
    FunctionExercise(
        id="optimizers.warmup_cosine_lr",
        reference="warmup_cosine_lr",
        arg_names=("step", "base_lr", "warmup_steps", "total_steps", "eta_min", "start_factor"),
        cases=warmup_cosine_cases,
        oracle=torch_warmup_cosine,
        rtol=RTOL,
        atol=ATOL,
        praise="Your schedule is SequentialLR(LinearLR, CosineAnnealingLR)'s.",
        hints=(
            Hint(VALUE, "the cosine runs over all total_steps: it starts after the warm-up, so its length is "
                        "total_steps − warmup_steps and its progress (step − warmup_steps) / (total_steps − "
                        "warmup_steps)",
                 _schedule_is(cosine=lambda k, b, w, n, e: e + (b - e) * (1 + math.cos(math.pi * (k - w) / n)) / 2)),
            Hint(VALUE, "the cosine's progress counts from step 0: it starts at the end of the warm-up, "
                        "(step − warmup_steps) / (total_steps − warmup_steps)",
                 _schedule_is(cosine=lambda k, b, w, n, e: e + (b - e) * (1 + math.cos(math.pi * k / n)) / 2)),
            Hint(VALUE, "the cosine's progress is off by one step at the milestone: at step = warmup_steps it is 0 "
                        "(the lr is base_lr), (step − warmup_steps) / (total_steps − warmup_steps)",
                 same_as(lambda k, b, w, n, e, f: _schedule(k, b, w, n, e, f, cosine=lambda k, b, w, n, e: e + (
                     b - e) * (1 + math.cos(math.pi * (k - w + 1) / (n - w))) / 2) if k >= w else
                     _schedule(k, b, w, n, e, f), rtol=RTOL, atol=ATOL)),
            Hint(VALUE, "the warm-up is off by one: at step 0 the lr is start_factor·base_lr and it reaches base_lr at "
                        "step = warmup_steps, so the fraction done is step / warmup_steps (not (step + 1) / "
                        "warmup_steps, nor over warmup_steps − 1)",
                 lambda attempt: _in_warmup(attempt) and (
                     same_as(lambda *a: _schedule(*a, warm=lambda k, w, f: f + (1 - f) * (k + 1) / w))(attempt)
                     or same_as(lambda *a: _schedule(*a, warm=lambda k, w, f: f + (1 - f) * k / (w - 1)))(attempt)
                     or same_as(lambda *a: _schedule(*a, warm=lambda k, w, f: (k + 1) / w))(attempt))),
            Hint(VALUE, "step // warmup_steps is integer division, 0 all through the warm-up: the fraction done is "
                        "step / warmup_steps", lambda attempt: _in_warmup(attempt) and same_as(
                            lambda *a: _schedule(*a, warm=lambda k, w, f: f + (1 - f) * (k // w)))(attempt)),
            Hint(VALUE, "the warm-up starts from 1/3 of base_lr whatever start_factor says: use the start_factor "
                        "argument, base_lr·(start_factor + (1 − start_factor)·step / warmup_steps)",
                 lambda attempt: _in_warmup(attempt) and same_as(
                     lambda *a: _schedule(*a, warm=lambda k, w, f: 1 / 3 + 2 / 3 * k / w))(attempt)),
            Hint(VALUE, "the warm-up's slope is wrong: it climbs from start_factor·base_lr to base_lr, a rise of "
                        "(1 − start_factor)·base_lr over warmup_steps steps",
                 lambda attempt: _in_warmup(attempt) and same_as(
                     lambda *a: _schedule(*a, warm=lambda k, w, f: f + f * k / w))(attempt)),
            Hint(VALUE, "the warm-up starts from 0 (an lr of 0 at step 0 does nothing): it starts at "
                        "start_factor·base_lr and rises linearly, base_lr·(start_factor + (1 − start_factor)·step / "
                        "warmup_steps)",
                 lambda attempt: _in_warmup(attempt) and same_as(
                     lambda *a: _schedule(*a, warm=lambda k, w, f: k / w))(attempt)),
            Hint(VALUE, "the cosine ends at 0 instead of eta_min: eta_min + (base_lr − eta_min)·(1 + cos(π·progress)) "
                        "/ 2",
                 _schedule_is(cosine=lambda k, b, w, n, e: b * (1 + math.cos(math.pi * (k - w) / (n - w))) / 2)),
            Hint(VALUE, "that is a linear decay after the warm-up: cosine annealing follows a half cosine, "
                        "eta_min + (base_lr − eta_min)·(1 + cos(π·progress)) / 2, flat at both ends",
                 _schedule_is(cosine=lambda k, b, w, n, e: b - (b - e) * (k - w) / (n - w))),
            Hint(VALUE, "π is missing: the cosine goes from cos(0) = 1 to cos(π) = −1 as progress goes from 0 to 1, "
                        "(1 + cos(π·progress)) / 2",
                 _schedule_is(cosine=lambda k, b, w, n, e: e + (b - e) * (1 + math.cos((k - w) / (n - w))) / 2)),
            Hint(VALUE, "that is a quarter cosine, cos(π/2·progress): cosine annealing is a half wave, "
                        "(1 + cos(π·progress)) / 2, flat at both ends",
                 _schedule_is(cosine=lambda k, b, w, n, e: e + (b - e) * math.cos(math.pi / 2 * (k - w) / (n - w)))),
            Hint(EXCEPTION, "a division by zero: at step 0 (or at the milestone, where step − warmup_steps is 0) one "
                            "of your denominators is 0. Write the fractions done as step / warmup_steps and "
                            "(step − warmup_steps) / (total_steps − warmup_steps)",
                 raised("division by zero", error=ZeroDivisionError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 7. Clipping by the global norm
# ---------------------------------------------------------------------------------------------
CLIP_RTOL = 1e-6
"""PyTorch divides by total_norm + 1e-6: an answer that divides by the norm itself differs by ~1e-6 / total_norm
(≤ 2e-7 on these cases, whose clipped norms are ≥ 5), and is accepted."""


ZERO_NORM_HINT = ("with every gradient 0 the total norm is 0: do not divide by it (PyTorch divides by total_norm "
                  "+ 1e-6; or scale only when total_norm > max_norm)")


RAGGED_HINT = ("np.linalg.norm(grads) and np.array(grads) need arrays of one shape, and these gradients have "
               "different shapes: sum each one's squares, total_norm = √(Σ np.sum(g**2)) over the list")


def clip_cases() -> list[tuple]:
    rng = np.random.default_rng(909)
    return [
        ("three tensors, norm far above max_norm", [3 * rng.normal(size=(3, 4)), 3 * rng.normal(size=4),
                                                    np.array([10.0])], 1.0),
        ("below max_norm: unchanged", [0.1 * rng.normal(size=(2, 3)), 0.1 * rng.normal(size=3)], 5.0),
        ("one tensor", [rng.normal(size=(5,)) * 4], 2.0),
        ("one large tensor, one small one", [np.array([30.0, -40.0]), np.array([0.5, 0.1, -0.2])], 5.0),
        ("all gradients zero", [np.zeros((2, 2)), np.zeros(3)], 1.0),
    ]


def torch_clip(grads, max_norm) -> tuple[list[np.ndarray], float]:
    import torch

    tensors = [tensor_copy(g).requires_grad_() for g in grads]
    for t, g in zip(tensors, grads):
        t.grad = tensor_copy(g)
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return [t.grad.numpy().copy() for t in tensors], float(total)


def _clip_hint(grads, max_norm, got, got_total, total) -> str | None:
    norms = [float(np.linalg.norm(g)) for g in grads]
    same = lambda want: all(_same(a, b, 1e-5, 1e-12) for a, b in zip(got, want))  # noqa: E731 - ±PyTorch's 1e-6
    if same([np.clip(g, -max_norm, max_norm) for g in grads]):
        return ("that is clipping by value (each entry into [−max_norm, max_norm], torch.nn.utils.clip_grad_value_), "
                "which changes the gradient's direction: clipping by norm scales every gradient by the same factor "
                "max_norm / total_norm when total_norm > max_norm")
    if same([g * min(1.0, max_norm / n) if n > 0 else g for g, n in zip(grads, norms)]):
        return ("each tensor was clipped by its own norm: the global norm is that of all gradients together, "
                "√(Σ ‖g_i‖²), and one factor min(1, max_norm / total_norm) scales every tensor")
    if total > 0 and total < max_norm and same([g * max_norm / total for g in grads]):
        return "only scale *down*: gradients whose total norm is already below max_norm stay as they are"
    if got_total is not None and total > max_norm and math.isclose(got_total, max_norm, rel_tol=1e-5):
        return "return the total norm *before* clipping (what clip_grad_norm_ returns), not after"
    if got_total is not None and math.isclose(got_total, sum(norms), rel_tol=1e-9) and len(grads) > 1:
        return "the global norm is √(Σ ‖g_i‖²), not the sum of the norms Σ ‖g_i‖"
    if got_total is not None and math.isclose(got_total, sum(float(np.abs(g).sum()) for g in grads), rel_tol=1e-9):
        return "that is the L1 norm (a sum of absolute values): the global norm is the L2 one, √(Σ of every g²)"
    if got_total is not None and len(grads) > 1 and math.isclose(got_total, max(norms), rel_tol=1e-9):
        return "that is the largest tensor's norm: the global norm combines all of them, √(Σ ‖g_i‖²)"
    size = sum(g.size for g in grads)
    if got_total is not None and math.isclose(got_total, total / math.sqrt(size), rel_tol=1e-9):
        return "that is the root of the *mean* of the squares: the global norm sums them, √(Σ of every g²)"
    if total > max_norm and same([g * total / max_norm for g in grads]):
        return "the factor is upside down: scale by max_norm / total_norm (below 1), not total_norm / max_norm"
    if got_total is not None and math.isclose(got_total, total**2, rel_tol=1e-9):
        return "take the square root: total_norm = √(Σ of every squared entry)"
    return None


def clip_property(answer):
    for name, grads0, max_norm in clip_cases():
        want, total = torch_clip(grads0, max_norm)
        given, pristine = _copies(grads=grads0)
        where = f"case '{name}' (max_norm = {fmt_number(max_norm)})"
        result = run(answer, given["grads"], max_norm)
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", (
                ZERO_NORM_HINT if isinstance(result.exc, ZeroDivisionError) else
                RAGGED_HINT if isinstance(result.exc, ValueError) and "inhomogeneous" in str(result.exc) else None)
        if _changed(pristine, given):
            return (f"{where}: your function changed the gradients it was given in place",
                    "return new arrays, g * scale: `*=` changes the caller's gradients (clip_grad_norm_ does that "
                    "on purpose, this function must not)")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return (f"{where}: expected a pair (clipped gradients, total norm), got {type(result).__name__}",
                    "end with `return clipped, total_norm`")
        clipped, got_total = result
        if isinstance(got_total, (list, tuple)) and not isinstance(clipped, (list, tuple)):
            return (f"{where}: the pair is swapped: the first item is {type(clipped).__name__}, the second a list",
                    "return the clipped list first, then the norm: `return clipped, total_norm`")
        if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads0):
            return (f"{where}: expected a list of {len(grads0)} arrays, got {type(clipped).__name__}",
                    "one clipped array per gradient, in the same order")
        got = [as_float_array(c, g.shape) for c, g in zip(clipped, grads0)]
        if any(g is None for g in got):
            return f"{where}: each clipped gradient must be an array of its gradient's shape", None
        try:
            got_total = float(np.asarray(got_total, dtype=float).item())
        except (TypeError, ValueError):
            got_total = None
        if any(not np.isfinite(g).all() for g in got):
            return f"{where}: the clipped gradients are not finite (NaN or inf)", ZERO_NORM_HINT
        for i, (g, w) in enumerate(zip(got, want)):
            if not _same(g, w, CLIP_RTOL, 1e-12):
                return (f"{where}: clipped gradient {i} differs from clip_grad_norm_'s; {_worst(g, w)}",
                        _clip_hint(grads0, max_norm, got, got_total, total))
        if got_total is None or not math.isclose(got_total, total, rel_tol=1e-9, abs_tol=1e-12):
            shown = "not a number" if got_total is None else fmt_number(got_total)
            return (f"{where}: the total norm is {shown}, expected {fmt_number(total)}",
                    _clip_hint(grads0, max_norm, got, got_total, total))
    return None


register(
    PropertyExercise(
        id="optimizers.clip_by_global_norm",
        reference="clip_by_global_norm",
        prop=clip_property,
        praise="The same clipped gradients and norm as torch.nn.utils.clip_grad_norm_.",
    ),
)
