"""Chapter 07 (regularization and normalization): batteries, oracles and hints of its exercises.

- ``regularization.dropout_forward``: inverted dropout in training and evaluation mode, the keep mask given (so the
  answer is deterministic);
- ``regularization.batchnorm_forward``: batch norm's forward pass in training mode (batch statistics, running
  statistics updated with PyTorch's momentum) and in evaluation mode (the running statistics);
- ``regularization.batchnorm_backward``: dL/dx through batch norm in training mode, checked against autograd;
- ``regularization.layernorm_forward``: layer norm over the last axis;
- ``regularization.l2_penalty``: the penalty (λ/2)·Σ‖W‖² over the weights (not the biases) and its gradient;
- ``regularization.close_the_gap``: a dropout rate and a weight decay that bring an overfitting model's validation
  error down to near the noise floor (checked by fitting the model).

Expected values come from PyTorch (``torch.nn.functional.dropout``, ``batch_norm``, ``layer_norm``, autograd), never
from the reference solution. The hints name the classic mistakes: dropout without the 1/(1 − p) rescaling, p read as
the keep probability, scaling at evaluation time (the old, non-inverted dropout), dropping at evaluation time; batch
norm normalised with the unbiased variance, batch statistics at evaluation time, the running variance updated with
the biased variance, the momentum convention reversed, statistics over the feature axis; a backward pass that treats
μ and σ² as constants, forgets one of their paths or divides by N − 1; layer norm over the batch axis, with the
unbiased variance or with ε outside the square root; λ instead of λ/2, penalised biases, the gradient's sign. They are
tested in ``tests/test_checks_regularization.py``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..compare import fmt_number, worst_entry
from ..kinds import EXCEPTION, STRUCTURE, VALUE, Case, FunctionExercise, Hint, PropertyExercise
from ..normalise import as_float_array
from ..oracles import tensor_copy
from ..predicates import TIGHT_ATOL, TIGHT_RTOL, raised, same_as, same_values
from ..registry import register
from ..sandbox import Raised, run

RTOL, ATOL = 1e-9, 1e-12
"""Agreement with PyTorch: the same float64 formulas, ~1e-15 apart; every mistake is far further off."""


def _same(a, b) -> bool:
    return same_values(a, b, RTOL, ATOL)


def _close(a, b) -> bool:
    """``a`` is mistake ``b`` recomputed another way (predicates' default tolerance)."""
    return same_values(a, b)


# ---------------------------------------------------------------------------------------------
# 1. Inverted dropout, the keep mask given
# ---------------------------------------------------------------------------------------------
def _mask(rng, shape, p):
    return (rng.random(shape) >= p).astype(float)


def dropout_cases() -> list[Case]:
    rng = np.random.default_rng(701)
    x1, x2, x3 = rng.normal(size=(4, 6)), rng.normal(size=(8, 5)), rng.normal(size=(2, 3, 4))
    return [
        Case("evaluation mode, p = 0.5", x1, _mask(rng, x1.shape, 0.5), 0.5, False),
        Case("training mode, p = 0.5", x1, _mask(rng, x1.shape, 0.5), 0.5, True),
        Case("training mode, p = 0.2", x2, _mask(rng, x2.shape, 0.2), 0.2, True),
        Case("evaluation mode, p = 0.2", x2, _mask(rng, x2.shape, 0.2), 0.2, False),
        Case("training mode, p = 0 (keep everything)", x2, np.ones_like(x2), 0.0, True),
        Case("training mode, p = 0.75, a (2, 3, 4) input", x3, _mask(rng, x3.shape, 0.75), 0.75, True),
    ]


def torch_dropout(x, keep_mask, p, training):
    """PyTorch's inverted dropout with the mask fixed: ``x * mask / (1 − p)`` in training (what
    ``torch.nn.functional.dropout`` computes with its own random mask), ``F.dropout(x, p, training=False)`` (the
    identity) in evaluation."""
    import torch.nn.functional as F

    x = tensor_copy(x)
    if not training:
        return F.dropout(x, p, training=False).numpy()
    return (x * tensor_copy(keep_mask) / (1 - p)).numpy()


def _own_mask(attempt) -> bool:
    """Training mode, survivors rescaled right, but dropped where ``keep_mask`` keeps (a mask drawn by the answer)."""
    x, m, p, training = attempt.case.args
    got = attempt.got_array
    if not training or got is None or p == 0:
        return False
    kept = got != 0
    return bool(np.allclose(got[kept], (x / (1 - p))[kept], rtol=1e-9, atol=1e-12)
                and not np.array_equal(kept, m != 0))


def _in_mode(training: bool, mistake):
    """``mistake`` applies to the cases in training (or evaluation) mode only."""
    return lambda attempt: attempt.case.args[3] == training and same_as(mistake)(attempt)


register(
    FunctionExercise(
        id="regularization.dropout_forward",
        reference="dropout_forward",
        arg_names=("x", "keep_mask", "p", "training"),
        cases=dropout_cases,
        oracle=torch_dropout,
        rtol=RTOL,
        atol=ATOL,
        praise="Inverted dropout, as torch.nn.functional.dropout computes it.",
        hints=(
            Hint(VALUE, "at evaluation time inverted dropout returns x unchanged: multiplying by (1 − p) there is the "
                        "old, non-inverted dropout. Inverted dropout moves that scaling into training, where the "
                        "survivors are divided by 1 − p, so nothing is left to do at evaluation",
                 _in_mode(False, lambda x, m, p, t: x * (1 - p))),
            Hint(VALUE, "nothing is dropped at evaluation time: in eval mode dropout is the identity, return x",
                 lambda attempt: attempt.case.args[3] is False and (
                     same_as(lambda x, m, p, t: x * m / (1 - p))(attempt) or same_as(lambda x, m, p, t: x * m)(attempt)
                     or same_as(lambda x, m, p, t: x * m / p)(attempt))),
            Hint(VALUE, "the survivors are not rescaled: inverted dropout divides them by 1 − p, the probability to "
                        "keep, so that the expected output equals x (without it, the old non-inverted dropout had "
                        "to scale by 1 − p at evaluation time instead)",
                 _in_mode(True, lambda x, m, p, t: x * m)),
            Hint(VALUE, "p is the probability to *drop* (PyTorch's meaning): the survivors are divided by the "
                        "probability to keep, 1 − p, not by p",
                 _in_mode(True, lambda x, m, p, t: x * m / p)),
            Hint(VALUE, "the mask is 1 where an element is *kept*: multiply by keep_mask, not by 1 − keep_mask",
                 lambda attempt: same_as(lambda x, m, p, t: x * (1 - m) / (1 - p))(attempt)
                 or same_as(lambda x, m, p, t: x * (1 - m) / p)(attempt)),
            Hint(VALUE, "in training mode multiply by the mask and divide by 1 − p: x * keep_mask / (1 - p)",
                 _in_mode(True, lambda x, m, p, t: x / (1 - p))),
            Hint(VALUE, "the survivors are divided by 1 − p twice: rescale once, x * keep_mask / (1 − p)",
                 _in_mode(True, lambda x, m, p, t: x * m / (1 - p) ** 2)),
            Hint(VALUE, "in training the survivors are *divided* by the keep probability 1 − p (so that the expected "
                        "output equals x), not multiplied by it",
                 _in_mode(True, lambda x, m, p, t: x * m * (1 - p))),
            Hint(VALUE, "at evaluation time nothing is dropped and nothing is rescaled: dividing by 1 − p belongs to "
                        "training only; in eval mode return x",
                 _in_mode(False, lambda x, m, p, t: x / (1 - p))),
            Hint(VALUE, "those zeros are not where keep_mask has its zeros: use the mask you are given, "
                        "x * keep_mask / (1 − p), rather than drawing your own (the answer must not be random)",
                 lambda attempt: _own_mask(attempt)),
            Hint(EXCEPTION, "p = 0 keeps everything: 1 − p = 1, so divide by 1 − p, never by p",
                 raised("division by zero", error=ZeroDivisionError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. Batch norm forward, training and evaluation mode
# ---------------------------------------------------------------------------------------------
def _bn_cases():
    """(name, x, gamma, beta, running_mean, running_var, training, momentum, eps)."""
    rng = np.random.default_rng(702)

    def stats(c):
        return rng.normal(size=c), rng.uniform(0.5, 2.0, size=c)

    cases = []
    for name, n, c, training, momentum, eps, shift in (
        ("training mode, a batch of 8 examples and 3 features", 8, 3, True, 0.1, 1e-5, 0.0),
        ("evaluation mode, 6 examples and 4 features", 6, 4, False, 0.1, 1e-5, 0.0),
        ("training mode, momentum 0.3, 5 examples and 2 features", 5, 2, True, 0.3, 1e-5, 3.0),
        ("evaluation mode, one example (a batch of 1)", 1, 3, False, 0.1, 1e-5, 0.0),
        ("training mode, 4 examples and 6 features, eps 0.1", 4, 6, True, 0.1, 0.1, -2.0),
    ):
        x = shift + rng.normal(size=(n, c)) * rng.uniform(0.5, 3.0, size=c)
        gamma, beta = rng.uniform(0.5, 2.0, size=c), rng.normal(size=c)
        rm, rv = stats(c)
        cases.append((name, x, gamma, beta, rm, rv, training, momentum, eps))
    return cases


def torch_batchnorm(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """``F.batch_norm``'s output and its running statistics afterwards (updated in place in training mode)."""
    import torch.nn.functional as F

    rm, rv = tensor_copy(running_mean), tensor_copy(running_var)
    out = F.batch_norm(tensor_copy(x), rm, rv, tensor_copy(gamma), tensor_copy(beta), training=training,
                       momentum=momentum, eps=eps)
    return out.numpy(), rm.numpy(), rv.numpy()


def _bn_normalise(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def _bn_hint(x, gamma, beta, rm, rv, training, momentum, eps, got, want) -> str | None:
    """Name the mistake from one case's inputs and the three returned arrays (None entries when not arrays)."""
    out, new_m, new_v = got
    n = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    if training:
        if out is not None and not _same(out, want[0]):
            if n > 1 and _close(out, _bn_normalise(x, gamma, beta, mu, x.var(axis=0, ddof=1), eps)):
                return ("the batch is normalised with the unbiased variance (÷ (N − 1)): training mode divides by "
                        "√(σ² + ε) with the *biased* σ² = mean((x − μ)²); only the running variance stores the "
                        "unbiased one")
            if _close(out, _bn_normalise(x, gamma, beta, rm, rv, eps)):
                return ("in training mode batch norm uses the batch's own μ and σ², not the running statistics "
                        "(those are for evaluation mode)")
            if _close(out, _bn_normalise(x, gamma, beta, x.mean(axis=1, keepdims=True),
                                         x.var(axis=1, keepdims=True), eps)):
                return ("those statistics are over the features of each example (axis=1, what layer norm does): "
                        "batch norm computes one μ and σ² per feature, over the batch (axis=0)")
            if _close(out, _bn_normalise(x, 1.0, 0.0, mu, var, eps)):
                return "γ and β are missing: y = γ·x̂ + β"
            if _close(out, gamma * (x - mu) / (np.sqrt(var) + eps) + beta):
                return "ε goes inside the square root: x̂ = (x − μ) / √(σ² + ε)"
            updated_mean = (1 - momentum) * rm + momentum * mu
            if any(_close(out, _bn_normalise(x, gamma, beta, updated_mean, (1 - momentum) * rv + momentum * v, eps))
                   for v in (var * n / (n - 1), var)):
                return ("in training mode batch norm normalises with the batch's own μ and σ² (the biased one): the "
                        "running statistics, old or just updated, are only for evaluation mode")
            return None
        ratio = n / (n - 1)
        for name, got_s, want_s, old, batch in (("running_mean", new_m, want[1], rm, mu),
                                                 ("running_var", new_v, want[2], rv, var * ratio)):
            if got_s is None or _same(got_s, want_s):
                continue
            if name == "running_var" and _close(got_s, (1 - momentum) * rv + momentum * var):
                return ("the running variance is updated with the biased batch variance: PyTorch stores the "
                        "*unbiased* one, σ²·N/(N − 1), in running_var (while normalising with the biased σ²)")
            c = x.shape[1]
            if name == "running_var" and c not in (1, n) and _close(got_s, (1 - momentum) * rv
                                                                     + momentum * var * c / (c - 1)):
                return ("the unbiased factor is N/(N − 1) with N the number of examples in the batch, x.shape[0], "
                        "not the number of features")
            if name == "running_var" and any(_close(got_s, (1 - momentum) * rv + momentum * np.sqrt(v))
                                             for v in (var, var * ratio)):
                return ("running_var stores a variance, not a standard deviation: average in σ²·N/(N − 1) without "
                        "the square root")
            if _close(got_s, momentum * old + (1 - momentum) * batch):
                return ("the momentum convention is reversed: in PyTorch momentum is the weight of the *new* "
                        "batch statistic, running = (1 − momentum)·running + momentum·batch")
            if _close(got_s, old):
                return (f"{name} was not updated: in training mode each batch moves it, "
                        "running = (1 − momentum)·running + momentum·batch")
            if _close(got_s, batch) or (name == "running_var" and _close(got_s, var)):
                return (f"{name} was replaced by the batch's value: it is a running average, "
                        "running = (1 − momentum)·running + momentum·batch")
        return None
    if out is not None and not _same(out, want[0]):
        if n > 1 and (_close(out, _bn_normalise(x, gamma, beta, mu, var, eps))
                      or _close(out, _bn_normalise(x, gamma, beta, mu, x.var(axis=0, ddof=1), eps))):
            return ("in evaluation mode batch norm normalises with the running statistics (running_mean, "
                    "running_var), not the batch's own: an example's output must not depend on the rest of its batch")
        if n == 1 and _close(out, beta + 0 * x):
            return ("a batch of one example normalised by its own statistics gives β everywhere: in evaluation mode "
                    "use running_mean and running_var")
        if _close(out, _bn_normalise(x, gamma, beta, rm, rv * n / max(n - 1, 1), eps)) and n > 1:
            return "running_var is already the (unbiased) variance to use: normalise with it as it is"
        if _close(out, gamma * (x - rm) / (np.sqrt(rv) + eps) + beta):
            return "ε goes inside the square root: (x − running_mean) / √(running_var + ε)"
        if _close(out, gamma * (x - rm) / (rv + eps) + beta):
            return "running_var is a variance: divide by its square root, √(running_var + ε)"
        if _close(out, _bn_normalise(x, 1.0, 0.0, rm, rv, eps)):
            return ("γ and β apply in evaluation mode too: y = γ·(x − running_mean) / √(running_var + ε) + β")
        return None
    if new_m is not None and new_v is not None and not (_same(new_m, rm) and _same(new_v, rv)):
        return ("evaluation mode leaves the running statistics as they are: return running_mean and running_var "
                "unchanged")
    return None


def batchnorm_property(answer):
    for name, x, gamma, beta, rm, rv, training, momentum, eps in _bn_cases():
        want = torch_batchnorm(x, gamma, beta, rm, rv, training, momentum, eps)
        where = (f"case '{name}' (momentum = {fmt_number(momentum)}, eps = {fmt_number(eps)})")
        given = [a.copy() for a in (x, gamma, beta, rm, rv)]
        result = run(answer, *given, training, momentum, eps)
        if isinstance(result, Raised):
            hint = None
            if x.shape[0] == 1 and isinstance(result.exc, ZeroDivisionError):
                hint = "in evaluation mode use running_mean and running_var: a batch of one has no variance to use"
            return f"{where}: your code raised {result.text}", hint
        changed = [n for n, a, b in zip(("x", "gamma", "beta", "running_mean", "running_var"), given,
                                        (x, gamma, beta, rm, rv)) if not (a.shape == b.shape and np.array_equal(a, b))]
        if changed:
            return (f"{where}: your function changed its input {', '.join(changed)} in place",
                    "return new arrays ((1 - momentum) * running_mean + momentum * mean, ...): `*=` and `+=` change "
                    "the caller's arrays (PyTorch does update them in place; this function returns them instead)")
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            return (f"{where}: expected three arrays (out, new_running_mean, new_running_var), got "
                    f"{type(result).__name__}", "end with `return out, new_running_mean, new_running_var`")
        got = (as_float_array(result[0], x.shape), as_float_array(result[1], rm.shape),
               as_float_array(result[2], rv.shape))
        for label, g, shape in zip(("out", "new_running_mean", "new_running_var"), got, (x.shape, rm.shape, rv.shape)):
            if g is None:
                shown = getattr(np.asarray(result[("out", "new_running_mean", "new_running_var").index(label)],
                                           dtype=object), "shape", "?")
                return (f"{where}: {label} is not an array of shape {shape} (got shape {shown})",
                        None if label == "out" else
                        "keepdims=True left an axis of length 1: the running statistics have shape (C,), one number "
                        "per feature, as x.mean(axis=0) gives" if shown == (1, *shape) else
                        "statistics over the batch are one number per feature: x.mean(axis=0) has shape (C,)")
        for label, g, w in zip(("out", "new_running_mean", "new_running_var"), got, want):
            if not _same(g, w):
                mode = "training" if training else "evaluation"
                return (f"{where}: {label} differs from torch.nn.functional.batch_norm's ({mode} mode); "
                        f"{worst_entry(g, w)}",
                        _bn_hint(x, gamma, beta, rm, rv, training, momentum, eps, got, want))
    return None


register(
    PropertyExercise(
        id="regularization.batchnorm_forward",
        reference="batchnorm_forward",
        prop=batchnorm_property,
        praise="The same outputs and running statistics as torch.nn.functional.batch_norm, in both modes.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 3. Batch norm backward (training mode)
# ---------------------------------------------------------------------------------------------
def batchnorm_backward_cases() -> list[Case]:
    rng = np.random.default_rng(703)
    cases = []
    for name, n, c, scale, eps in (
        ("8 examples, 3 features", 8, 3, 1.0, 1e-5),
        ("2 examples (the smallest batch), 4 features", 2, 4, 1.0, 1e-5),
        ("64 examples, 5 features with large values", 64, 5, 100.0, 1e-5),
        ("5 examples, 3 features, eps 0.5", 5, 3, 0.3, 0.5),
    ):
        x = scale * (rng.normal(size=(n, c)) + rng.normal(size=c))
        cases.append(Case(name, rng.normal(size=(n, c)), x, rng.uniform(0.5, 2.0, size=c), eps))
    x = rng.normal(size=(6, 3))
    cases.append(Case("dout all ones: the loss is the sum of the outputs", np.ones((6, 3)), x,
                      np.array([1.0, 2.0, 0.5]), 1e-5))
    return cases


def torch_batchnorm_backward(dout, x, gamma, eps):
    """d(Σ dout ⊙ y)/dx for y = F.batch_norm(x, training=True), by autograd."""
    import torch.nn.functional as F

    t = tensor_copy(x).requires_grad_(True)
    y = F.batch_norm(t, None, None, tensor_copy(gamma), None, training=True, eps=eps)
    (y * tensor_copy(dout)).sum().backward()
    return t.grad.numpy()


def _bn_grad(dout, x, gamma, eps, *, mean_path=True, var_path=True, ddof_stats=0, divide=None, axis=0, use_gamma=True,
             var_sign=-1.0, outer_s=True, var_term_centred=False, no_eps=False):
    """The batch-norm input gradient with one path or constant changed (to recognise an answer)."""
    eps = 0.0 if no_eps else eps
    n = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=ddof_stats)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    g = dout * gamma if use_gamma else dout
    divide = n - ddof_stats if divide is None else divide
    out = g
    if mean_path:
        out = out - g.sum(axis=axis, keepdims=True) / n
    if var_path:
        along = (x - mu) if var_term_centred else xhat
        out = out + var_sign * along * (g * xhat).sum(axis=axis, keepdims=True) / divide
    return out * inv if outer_s else out


def _grad_is(**changes):
    return same_as(lambda dout, x, gamma, eps: _bn_grad(dout, x, gamma, eps, **changes))


register(
    FunctionExercise(
        id="regularization.batchnorm_backward",
        reference="batchnorm_backward",
        arg_names=("dout", "x", "gamma", "eps"),
        cases=batchnorm_backward_cases,
        oracle=torch_batchnorm_backward,
        rtol=1e-7,
        atol=1e-10,
        praise="Your gradient is autograd's.",
        hints=(
            Hint(VALUE, "μ and σ² were treated as constants (that gives γ·dout / √(σ² + ε)): both depend on every x "
                        "of the batch, so dL/dx gets two more terms, −mean(ĝ) through μ and −x̂·mean(ĝ ⊙ x̂) through "
                        "σ², with ĝ = γ ⊙ dout",
                 _grad_is(mean_path=False, var_path=False)),
            Hint(VALUE, "the path through σ² is missing: subtract x̂·mean(ĝ ⊙ x̂) too, with ĝ = γ ⊙ dout",
                 _grad_is(var_path=False)),
            Hint(VALUE, "the path through μ is missing: subtract mean(ĝ) too, with ĝ = γ ⊙ dout",
                 _grad_is(mean_path=False)),
            Hint(VALUE, "the means in the backward pass divide by N, not N − 1: the forward pass normalised with "
                        "the biased variance mean((x − μ)²), and its derivative brings 1/N",
                 lambda attempt: attempt.x.shape[0] > 1 and (
                     _grad_is(divide=attempt.case.args[1].shape[0] - 1)(attempt)
                     or _grad_is(ddof_stats=1)(attempt) or _grad_is(ddof_stats=1, divide=attempt.x.shape[0])(attempt))),
            Hint(VALUE, "γ is missing: the gradient reaching x̂ is ĝ = γ ⊙ dout",
                 _grad_is(use_gamma=False)),
            Hint(VALUE, "those statistics are over each example's features (axis=1): batch norm's μ and σ² are per "
                        "feature, over the batch (axis=0), and so are the means of the backward pass",
                 _grad_is(axis=1)),
            Hint(VALUE, "the path through σ² enters with a minus sign: dL/dx = s·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))",
                 _grad_is(var_sign=1.0)),
            Hint(VALUE, "the factor s = 1/√(σ² + ε) is missing in front: ĝ reaches x through x̂ = (x − μ)·s, so "
                        "dL/dx = s·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))",
                 _grad_is(outer_s=False)),
            Hint(VALUE, "the path through σ² is one factor s short: its term is −s·x̂·mean(ĝ ⊙ x̂) with x̂ = (x − μ)·s, "
                        "not −s·(x − μ)·mean(ĝ ⊙ x̂) (in the three-path form, dL/dσ² carries s³ = (σ² + ε)^(−3/2))",
                 _grad_is(var_term_centred=True)),
            Hint(VALUE, "ε is missing: s = 1/√(σ² + ε), with the ε of the forward pass (it matters when ε is not "
                        "small next to σ², as in the case with eps 0.5)",
                 _grad_is(no_eps=True)),
            Hint(STRUCTURE, "dL/dx has the shape of x, (N, C), one row per example: a sum over the batch is dL/dγ or "
                            "dL/dβ, shape (C,), not the input's gradient"),
            Hint(EXCEPTION, "a shape mismatch: the statistics over the batch, x.mean(axis=0), have shape (C,) and "
                            "broadcast against (N, C); a mean over axis=1 needs keepdims=True, but batch norm's means "
                            "run over axis=0",
                 raised("could not be broadcast", error=ValueError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 4. Layer norm forward
# ---------------------------------------------------------------------------------------------
def layernorm_cases() -> list[Case]:
    rng = np.random.default_rng(704)

    def params(d):
        return rng.uniform(0.5, 2.0, size=d), rng.normal(size=d)

    x1 = rng.normal(size=(4, 6)) * 2 + 1
    x2 = rng.normal(size=(2, 3, 5))
    x3 = 5.0 + 1e-3 * rng.normal(size=(3, 4))
    x4 = rng.normal(size=(1, 8))
    return [
        Case("4 examples of 6 features", x1, *params(6), 1e-5),
        Case("a (2, 3, 5) input: 2 sequences of 3 tokens of 5 features", x2, *params(5), 1e-5),
        Case("nearly constant rows (std ≈ 0.001)", x3, *params(4), 1e-5),
        Case("one example of 8 features", x4, *params(8), 1e-5),
    ]


def torch_layernorm(x, gamma, beta, eps):
    import torch.nn.functional as F

    return F.layer_norm(tensor_copy(x), (np.shape(gamma)[0],), tensor_copy(gamma), tensor_copy(beta), eps).numpy()


def _ln(x, gamma, beta, eps, *, axis=-1, ddof=0, eps_outside=False, affine=True, no_eps=False, no_sqrt=False,
        centred=True):
    eps = 0.0 if no_eps else eps
    axis = tuple(range(1, x.ndim)) if axis == "all but the batch" else axis
    mu = x.mean(axis=axis, keepdims=True)
    if centred:
        var = x.var(axis=axis, keepdims=True, ddof=ddof)
    else:  # the root mean square (RMSNorm)
        mu, var = 0.0, (x ** 2).mean(axis=axis, keepdims=True)
    scale = var + eps if no_sqrt else np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    xhat = (x - mu) / scale
    return gamma * xhat + beta if affine else xhat


def _ln_is(**changes):
    return same_as(lambda x, gamma, beta, eps: _ln(x, gamma, beta, eps, **changes), rtol=TIGHT_RTOL, atol=TIGHT_ATOL)


register(
    FunctionExercise(
        id="regularization.layernorm_forward",
        reference="layernorm_forward",
        arg_names=("x", "gamma", "beta", "eps"),
        cases=layernorm_cases,
        oracle=torch_layernorm,
        rtol=RTOL,
        atol=ATOL,
        praise="The same as torch.nn.functional.layer_norm.",
        hints=(
            Hint(VALUE, "those statistics are over the batch axis (axis=0, what batch norm does): layer norm "
                        "normalises each example over its own features, the last axis (axis=-1)",
                 lambda attempt: attempt.x.shape[0] > 1 and _ln_is(axis=0)(attempt)),
            Hint(VALUE, "for a (N, T, D) input the features are the *last* axis: normalise over axis=-1 (axis=1 is "
                        "the tokens here)",
                 lambda attempt: attempt.x.ndim == 3 and _ln_is(axis=1)(attempt)),
            Hint(VALUE, "that is the unbiased variance (÷ (D − 1)): layer norm uses the biased one, "
                        "mean((x − μ)²), as np.var does by default",
                 _ln_is(ddof=1)),
            Hint(VALUE, "ε goes inside the square root: (x − μ) / √(σ² + ε). Outside it, (x − μ) / (σ + ε) differs "
                        "little for ordinary rows but a lot when σ² is as small as ε, as in this nearly constant row",
                 _ln_is(eps_outside=True)),
            Hint(VALUE, "for a (N, T, D) input F.layer_norm(x, (D,)) normalises each token on its own, over the last "
                        "axis only: averaging over every axis but the batch (axis=(1, 2)) is LayerNorm((T, D)), one "
                        "μ and σ² per sequence",
                 lambda attempt: attempt.x.ndim == 3 and _ln_is(axis="all but the batch")(attempt)),
            Hint(VALUE, "ε is missing: x̂ = (x − μ) / √(σ² + ε); without it a nearly constant row is divided by almost "
                        "0", _ln_is(no_eps=True)),
            Hint(VALUE, "σ² is a variance: divide by the standard deviation √(σ² + ε), not by σ² + ε",
                 _ln_is(no_sqrt=True)),
            Hint(VALUE, "the mean is not subtracted: x̂ = (x − μ) / √(σ² + ε) (dividing x by its root mean square "
                        "without centring it is RMSNorm, another layer)",
                 _ln_is(centred=False)),
            Hint(VALUE, "γ and β are missing: y = γ ⊙ x̂ + β", _ln_is(affine=False)),
            Hint(VALUE, "γ and β are swapped: y = γ ⊙ x̂ + β (γ = gamma scales, β = beta shifts)",
                 same_as(lambda x, gamma, beta, eps: _ln(x, beta, gamma, eps))),
            Hint(STRUCTURE, "the output has the shape of x: keep the normalised axis (keepdims=True) so that μ and σ² "
                            "broadcast against x"),
            Hint(EXCEPTION, "x.mean(axis=-1) has one number per example, shape (N,), which does not line up with x's "
                            "last axis: keep the axis, x.mean(axis=-1, keepdims=True) (shape (N, 1)), so it broadcasts",
                 raised("could not be broadcast", error=ValueError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 5. The L2 penalty and its gradient
# ---------------------------------------------------------------------------------------------
def _l2_cases():
    rng = np.random.default_rng(705)
    return [
        ("a 2-layer network, lam = 0.01",
         {"fc1.weight": rng.normal(size=(4, 3)), "fc1.bias": rng.normal(size=4),
          "fc2.weight": rng.normal(size=(2, 4)), "fc2.bias": rng.normal(size=2)}, 0.01),
        ("one layer, lam = 0.5",
         {"linear.weight": rng.normal(size=(3, 5)), "linear.bias": rng.normal(size=3)}, 0.5),
        ("three layers, lam = 1e-4",
         {"0.weight": rng.normal(size=(6, 2)), "0.bias": rng.normal(size=6), "2.weight": rng.normal(size=(6, 6)),
          "2.bias": rng.normal(size=6), "4.weight": rng.normal(size=(1, 6)), "4.bias": rng.normal(size=1)}, 1e-4),
    ]


def torch_l2(params: dict, lam: float) -> tuple[float, dict]:
    """(λ/2)·Σ over the ``.weight`` arrays of their squared entries, and its gradient by autograd."""
    import torch

    tensors = {k: tensor_copy(v).requires_grad_(True) for k, v in params.items()}
    penalty = sum((lam / 2) * (t ** 2).sum() for k, t in tensors.items() if k.endswith("weight"))
    penalty.backward()
    grads = {k: (t.grad.numpy().copy() if t.grad is not None else torch.zeros_like(t).numpy()) for k, t in
             tensors.items()}
    return float(penalty.detach()), grads


def _l2_hint(params, lam, penalty, grads, want_penalty, want_grads) -> str | None:
    weights = [k for k in params if k.endswith("weight")]
    squares = sum(float((params[k] ** 2).sum()) for k in weights)
    all_squares = sum(float((v ** 2).sum()) for v in params.values())
    if penalty is not None and not np.isclose(penalty, want_penalty, rtol=1e-9, atol=1e-15):
        if np.isclose(penalty, lam * squares, rtol=1e-9):
            return ("the penalty is λ·Σ w², twice the stated convention (λ/2)·Σ w²: with the ½ its gradient is "
                    "exactly λ·w, the weight_decay term that torch.optim.SGD adds to the gradient")
        if np.isclose(penalty, lam / 2 * all_squares, rtol=1e-9) or np.isclose(penalty, lam * all_squares, rtol=1e-9):
            return "the biases are penalised too: sum only over the weights (the keys ending in 'weight')"
        if np.isclose(penalty, lam / 2 * sum(float(np.linalg.norm(params[k])) for k in weights), rtol=1e-9):
            return "square the norms: (λ/2)·Σ ‖W‖², the sum of the squared entries, not of the norms"
        if np.isclose(penalty, lam / 2 * sum(float(np.abs(params[k]).sum()) for k in weights), rtol=1e-9):
            return "that is an L1 penalty (absolute values): the L2 penalty sums the squares, (λ/2)·Σ w²"
        if np.isclose(penalty, -want_penalty, rtol=1e-9):
            return "a penalty is added to the loss: (λ/2)·Σ w², positive"
        if len(weights) > 1 and any(np.isclose(penalty, lam / 2 * float((params[k] ** 2).sum()), rtol=1e-9)
                                    for k in weights):
            return ("only one weight matrix is counted: `penalty = ...` inside the loop replaces the value at every "
                    "step; add every layer's term, `penalty += ...`")
        if np.isclose(penalty, lam / 2 * sum(float((params[k] ** 2).mean()) for k in weights), rtol=1e-9):
            return ("np.mean divides by the number of entries: the penalty is the *sum* of the squared weights, "
                    "np.sum(W ** 2)")
        if np.isclose(penalty, lam / 2 * sum(float(np.linalg.norm(params[k])) for k in weights) ** 2, rtol=1e-9):
            return "square each matrix's norm, then add: Σ ‖W‖², not (Σ ‖W‖)²"
        return None
    for k in params:
        got, want = grads.get(k), want_grads[k]
        if got is None or _same(got, want):
            continue
        w = params[k]
        if k.endswith("bias"):
            if _same(got, lam * w) or _same(got, 2 * lam * w) or _same(got, lam / 2 * w):
                return ("the biases are not penalised, so their gradient from the penalty is 0: return "
                        "np.zeros_like(b) for them")
            return None
        if _same(got, -lam * w):
            return "the sign: the penalty grows with |w|, so its gradient is +λ·w (the optimizer then steps against it)"
        if _same(got, 2 * lam * w):
            return ("the gradient of (λ/2)·Σ w² is λ·w: the 2 from the square cancels the ½ (2·λ·w is the gradient "
                    "of λ·Σ w², the other convention)")
        if _same(got, lam / 2 * w):
            return "the gradient of (λ/2)·w² is λ·w: differentiating w² brings a factor 2"
        if _same(got, lam * np.sign(w)):
            return "that is the gradient of an L1 penalty: for (λ/2)·Σ w² it is λ·w"
    return None


def l2_property(answer):
    for name, params0, lam in _l2_cases():
        want_penalty, want_grads = torch_l2(params0, lam)
        given = {k: v.copy() for k, v in params0.items()}
        where = f"case '{name}'"
        result = run(answer, given, lam)
        if isinstance(result, Raised):
            return f"{where}: your code raised {result.text}", None
        if any(not np.array_equal(given[k], params0[k]) for k in params0) or set(given) != set(params0):
            return (f"{where}: your function changed the parameters it was given",
                    "an in-place operation (`*=`, `+=`) changed the caller's arrays: compute a new array, lam * W, "
                    "and leave params as they are")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return (f"{where}: expected a pair (penalty, grads), got {type(result).__name__}",
                    "end with `return penalty, grads`")
        penalty, grads = result
        if isinstance(penalty, np.ndarray) and penalty.size == 1:
            penalty = penalty.item()
        if isinstance(penalty, bool) or not isinstance(penalty, numbers.Real):
            return f"{where}: the penalty must be one number, got {type(penalty).__name__}", None
        penalty = float(penalty)
        if not isinstance(grads, dict):
            return (f"{where}: grads must be a dict with one array per parameter, got {type(grads).__name__}",
                    "{name: ... for name in params}")
        if set(grads) != set(params0):
            missing = sorted(set(params0) - set(grads))
            return (f"{where}: grads has the keys {sorted(map(str, grads))}, expected {sorted(params0)}",
                    "return a gradient for every parameter, the biases included (theirs is zeros: they are not "
                    "penalised)" if missing and all(k.endswith("bias") for k in missing) else
                    "one entry per key of params")
        arrays = {k: as_float_array(grads[k], params0[k].shape) for k in params0}
        if any(a is None for a in arrays.values()):
            bad = next(k for k, a in arrays.items() if a is None)
            return (f"{where}: grads[{bad!r}] is not an array of shape {params0[bad].shape}",
                    "each gradient has its parameter's shape (np.zeros_like(b) for a bias)")
        if not np.isclose(penalty, want_penalty, rtol=1e-9, atol=1e-15):
            return (f"{where}: the penalty is {penalty:.10g}, expected {want_penalty:.10g}",
                    _l2_hint(params0, lam, penalty, arrays, want_penalty, want_grads))
        for k in params0:
            if not _same(arrays[k], want_grads[k]):
                return (f"{where}: grads[{k!r}] differs from autograd's; {worst_entry(arrays[k], want_grads[k])}",
                        _l2_hint(params0, lam, None, arrays, want_penalty, want_grads))
    return None


register(
    PropertyExercise(
        id="regularization.l2_penalty",
        reference="l2_penalty_and_grad",
        prop=l2_property,
        praise="The penalty and its gradient agree with autograd.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. Close the generalization gap: a dropout rate and a weight decay, checked by fitting the model
# ---------------------------------------------------------------------------------------------
GAP_TRAIN, GAP_VAL, GAP_FEATURES, GAP_NOISE = 30, 400, 200, 0.3
"""30 noisy training points of sin(3x), 400 validation points, 200 random ReLU features, noise std 0.3."""
GAP_TARGET = 0.11
"""The validation MSE to reach: within ~20% of the noise floor GAP_NOISE² = 0.09."""


def gap_problem():
    """(H_train, y_train, H_val, y_val): the exercise's random ReLU features and targets, always the same."""
    rng = np.random.default_rng(3)
    x_train = rng.uniform(-1, 1, GAP_TRAIN)
    y_train = np.sin(3 * x_train) + GAP_NOISE * rng.normal(size=GAP_TRAIN)
    a, b = 3 * rng.normal(size=GAP_FEATURES), rng.uniform(-3, 3, GAP_FEATURES)
    x_val = np.linspace(-1, 1, GAP_VAL)
    y_val = np.sin(3 * x_val) + GAP_NOISE * np.random.default_rng(4).normal(size=GAP_VAL)

    def features(x):
        return np.maximum(0.0, np.outer(x, a) + b)

    return features(x_train), y_train, features(x_val), y_val


def gap_fit(p: float, weight_decay: float) -> tuple[float, float]:
    """(training MSE, validation MSE) of the linear read-out w on the fixed features H (N of them) that minimises
    the expected training loss under inverted dropout on the features plus the L2 penalty (λ/2)·‖w‖²:

        ½·E_mask mean((y − (H ⊙ m/(1 − p)) w)²) + (λ/2)‖w‖²
            = ½·mean((y − H w)²) + ½·p/(1 − p)·Σ_j mean(H_j²) w_j² + (λ/2)‖w‖²

    whose minimiser solves (HᵀH/N + p/(1 − p)·diag(HᵀH)/N + λI) w = Hᵀy/N (the least-norm solution when singular).
    """
    h, y, hv, yv = gap_problem()
    n = h.shape[0]
    gram = h.T @ h / n
    system = gram + (p / (1 - p)) * np.diag(np.diag(gram)) + weight_decay * np.eye(h.shape[1])
    w = np.linalg.lstsq(system, h.T @ y / n, rcond=None)[0]
    return float(np.mean((h @ w - y) ** 2)), float(np.mean((hv @ w - yv) ** 2))


def _setting(answer):
    """(p, weight_decay) from the answer, or (problem, hint)."""
    value = run(answer) if callable(answer) else answer
    if isinstance(value, Raised):
        return f"your code raised {value.text}", None
    if not isinstance(value, dict) or set(value) != {"dropout", "weight_decay"}:
        shown = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        return (f"expected a dict with the keys 'dropout' and 'weight_decay', got {shown}",
                'return {"dropout": p, "weight_decay": lam}')
    numbers_ = []
    for key in ("dropout", "weight_decay"):
        v = value[key]
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(float(v)):
            return (f"{key} must be a number, got {v!r}"[:200],
                    f"write the number without quotes: {v}, not {v!r}" if isinstance(v, str) and len(v) < 20 else None)
        numbers_.append(float(v))
    p, lam = numbers_
    if not 0 <= p < 1:
        return (f"dropout must be in [0, 1), got {fmt_number(p)}",
                "p is the probability to drop a feature: 0 drops nothing, and 1 would drop everything"
                + (f" (a probability, not a percentage: {fmt_number(p)}% is {fmt_number(p / 100)})"
                   if 1 < p <= 100 else ""))
    if lam < 0:
        return (f"weight_decay must be ≥ 0, got {fmt_number(lam)}",
                "a negative weight decay rewards large weights: it makes overfitting worse")
    return p, lam


def close_the_gap_property(answer):
    setting = _setting(answer)
    if isinstance(setting[0], str):
        return setting
    p, lam = setting
    base_train, base_val = gap_fit(0.0, 0.0)
    train, val = gap_fit(p, lam)
    if not (np.isfinite(train) and np.isfinite(val)):
        return f"with dropout {fmt_number(p)} and weight decay {fmt_number(lam)} the fit failed (not finite)", None
    if val <= GAP_TARGET:
        return None
    said = (f"with dropout {fmt_number(p)} and weight decay {fmt_number(lam)}: training MSE {train:.3f}, validation "
            f"MSE {val:.3f} (gap {val - train:.3f}; the target is a validation MSE ≤ {GAP_TARGET:g})")
    if lam == 0 and p > 0:
        best = min(gap_fit(q, 0.0)[1] for q in np.linspace(0.02, 0.9, 45))
        if best > GAP_TARGET:
            return said, (f"dropout alone does not get there on this model: at its best rate the validation MSE is "
                          f"{best:.3f}. Its penalty falls mostly on the units with large activations; add some weight "
                          "decay, which shrinks every weight (try factors of 10)")
    if _more_helps(p, lam):
        return said, (f"too little regularization: without any the gap is {base_val - base_train:.3f} (training "
                      f"{base_train:.3f}, validation {base_val:.3f}), and stronger regularization than yours would "
                      "lower the validation error further. Increase the weight decay (try factors of 10) or the "
                      "dropout rate")
    keep = (f" (p is the probability to *drop*: {fmt_number(p)} drops {p:.0%} of the units; if you meant to keep "
            f"{p:.0%} of them, that is p = {fmt_number(round(1 - p, 10))})") if p > 0.5 else ""
    return said, (f"too much regularization: the gap shrank (from {base_val - base_train:.3f} without any) but the "
                  f"training error rose to {train:.3f} (from {base_train:.3f}) and the validation error with it: the "
                  f"model now underfits. Use a smaller weight decay or dropout rate{keep}")


def _more_helps(p: float, lam: float, factor: float = 1.5) -> bool:
    """Whether scaling both penalties up by ``factor`` lowers the validation error more than scaling them down:
    the direction to move (both penalties grow with λ and with p/(1 − p))."""
    if p == 0 and lam == 0:
        return True

    def scaled(s):
        q = s * p / (1 - p)
        return gap_fit(q / (1 + q), s * lam)[1]

    return scaled(factor) < scaled(1 / factor)


register(
    PropertyExercise(
        id="regularization.close_the_gap",
        reference="regularization_setting",
        prop=close_the_gap_property,
        praise="The validation error is near the noise floor.",
    ),
)
