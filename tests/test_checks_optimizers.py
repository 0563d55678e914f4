"""Chapter 05's exercises: the checker accepts correct answers (also ones written differently from the
reference), and rejects plausible wrong answers with the hint that names the mistake: a learning rate beyond 2/L
or too small, an in-place update behind a shallow dict.copy(), momentum applied after the update or written in the
other convention, ε inside the square root, g instead of g², Adam without bias correction or with its step count
off by one, weight decay coupled to the gradient, a cosine over the whole run, a warm-up from 0, clipping per
element or per tensor, and more. Each wrong answer is written here, as a learner would write it."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest


def _failed_with(verdict, hint: str | None):
    assert verdict.status == "failed", verdict.render()
    if hint is not None:
        assert verdict.hint is not None and hint in verdict.hint, verdict.render()


# ---------------------------------------------------------------------------------------------
# 1. lr_for_quadratic
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lr, problem, hint", [
    (0.25, "diverged", "2/L = 0.2"),  # beyond the bound
    (0.2, "of its start", "2/L = 0.2"),  # exactly 2/L: the steep direction flips sign forever
    (0.1, "still", "too small"),  # 1/L, the classic safe choice: the flat direction is too slow
    (0.01, "still", "after 50 steps it is still"),
    (1.0, "diverged", "1 − lr·L = -9"),  # 1/λ_min: right for the flat direction only
    (2 / 5.5, "diverged", "Stay below the bound 2/L"),  # 2 over a diagonal entry of A, not its largest eigenvalue
    (-0.1, "positive", "*against* the gradient"),
])
def test_lr_for_quadratic_wrong_rates(verdict_of, lr, problem, hint):
    verdict = verdict_of("optimizers.lr_for_quadratic", lambda: lr)
    _failed_with(verdict, hint)
    assert problem in verdict.summary, verdict.render()


def test_lr_for_quadratic_accepts_any_rate_in_the_window(verdict_of):
    for lr in (0.15, 0.17, 2 / 11, 0.185):
        assert verdict_of("optimizers.lr_for_quadratic", lambda lr=lr: lr).passed, lr
    verdict = verdict_of("optimizers.lr_for_quadratic", lambda: "0.18")
    assert verdict.status == "failed" and "without quotes" in verdict.hint


# ---------------------------------------------------------------------------------------------
# 2. sgd_update
# ---------------------------------------------------------------------------------------------
def sgd_in_place(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def sgd_shallow_copy(params, grads, lr):  # the widespread trap: dict.copy() shares the arrays
    new = params.copy()
    for k in new:
        new[k] -= lr * grads[k]
    return new


def sgd_minus_equals_on_values(params, grads, lr):
    out = {}
    for k, p in params.items():
        p -= lr * grads[k]
        out[k] = p.copy()
    return out


def sgd_sign(params, grads, lr):
    return {k: p + lr * grads[k] for k, p in params.items()}


def sgd_no_lr(params, grads, lr):
    return {k: p - grads[k] for k, p in params.items()}


def sgd_list(params, grads, lr):
    return [p - lr * grads[k] for k, p in params.items()]


def sgd_rebinds_keys(params, grads, lr):  # new arrays, but bound into the caller's dict
    for k in params:
        params[k] = params[k] - lr * grads[k]
    return params


def sgd_forgot_index(params, grads, lr):
    return {k: params[k] - lr * grads for k in params}


def sgd_deepcopy(params, grads, lr):  # a correct answer written differently
    new = copy.deepcopy(params)
    for k in new:
        new[k] -= lr * grads[k]
    return new


@pytest.mark.parametrize("answer, hint", [
    (sgd_in_place, "in place and returned it"),
    (sgd_shallow_copy, "params.copy() is a *shallow* copy"),
    (sgd_minus_equals_on_values, "`-=` on an array changes it in place"),
    (sgd_sign, "*against* the gradient"),
    (sgd_no_lr, "learning rate is missing"),
    (sgd_list, "return a new dict"),
    (sgd_rebinds_keys, "in place and returned it"),
    (sgd_forgot_index, "loop over the keys"),
])
def test_sgd_update_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.sgd_update", answer), hint)


def test_sgd_update_deepcopy_passes(verdict_of):
    assert verdict_of("optimizers.sgd_update", sgd_deepcopy).passed


# ---------------------------------------------------------------------------------------------
# 3. momentum_step
# ---------------------------------------------------------------------------------------------
def mom_other_convention(p, grad, buf, lr, momentum, dampening=0.0):  # v = μv − lr·g, p += v
    v = -lr * grad if buf is None else momentum * buf - lr * grad
    return p + v, v


def mom_after_update(p, grad, buf, lr, momentum, dampening=0.0):  # steps with the old buffer
    old = np.zeros_like(grad) if buf is None else buf
    return p - lr * old, momentum * old + grad


def mom_sign(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad
    return p + lr * new, new


def mom_dampening_first_step(p, grad, buf, lr, momentum, dampening=0.0):
    old = np.zeros_like(grad) if buf is None else buf
    new = momentum * old + (1 - dampening) * grad
    return p - lr * new, new


def mom_dampening_ignored(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + grad
    return p - lr * new, new


def mom_dampening_not_one_minus(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + dampening * grad
    return p - lr * new, new


def mom_ema(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - momentum) * grad
    return p - lr * new, new


def mom_nesterov(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad
    return p - lr * (grad + momentum * new), new


def mom_swapped(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad
    return new, p - lr * new


def mom_zeros_then_dampened(p, grad, buf, lr, momentum, dampening=0.0):  # right without dampening only
    buf = np.zeros_like(grad) if buf is None else buf
    new = momentum * buf + (1 - dampening) * grad
    return p - lr * new, new


def mom_in_place(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad
    p -= lr * new
    return p, new


def mom_none_unhandled(p, grad, buf, lr, momentum, dampening=0.0):
    new = momentum * buf + grad
    return p - lr * new, new


def mom_buffer_in_place(p, grad, buf, lr, momentum, dampening=0.0):  # PyTorch's own in-place style, on the caller's buf
    if buf is None:
        buf = grad.copy()
    else:
        buf *= momentum
        buf += (1 - dampening) * grad
    return p - lr * buf, buf


@pytest.mark.parametrize("answer, hint", [
    (mom_other_convention, "the other convention"),
    (mom_after_update, "momentum applied after the update"),
    (mom_sign, "*against* the buffer"),
    (mom_dampening_first_step, "without dampening"),
    (mom_dampening_ignored, "dampening is ignored"),
    (mom_dampening_not_one_minus, "the new gradient is scaled by dampening"),
    (mom_ema, "exponential moving average"),
    (mom_none_unhandled, "buf is None"),
    (mom_nesterov, "that is Nesterov's step"),
    (mom_swapped, "`return new_p, new_buf`"),
    (mom_zeros_then_dampened, "without dampening"),
])
def test_momentum_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.momentum_step", answer), hint)


@pytest.mark.parametrize("answer, name", [(mom_in_place, "p"), (mom_buffer_in_place, "buf")])
def test_momentum_in_place_updates_are_named(verdict_of, answer, name):
    verdict = verdict_of("optimizers.momentum_step", answer)
    _failed_with(verdict, "`-=`, `+=` and `*=` change the caller's arrays")
    assert f"changed its input {name} in place" in verdict.summary


def test_momentum_other_convention_fails_on_its_buffer_even_with_constant_lr(verdict_of):
    verdict = verdict_of("optimizers.momentum_step", mom_other_convention)
    assert "step 1" in verdict.summary and "new_buf" in verdict.summary, verdict.render()


def test_momentum_with_utils_free_alternative_passes(verdict_of):
    def momentum_step(p, grad, buf, lr, momentum, dampening=0.0):
        new = (1.0 * grad) if buf is None else momentum * buf + (1 - dampening) * grad
        return p - lr * new, new

    assert verdict_of("optimizers.momentum_step", momentum_step).passed


# ---------------------------------------------------------------------------------------------
# 4. rmsprop_step
# ---------------------------------------------------------------------------------------------
def make_rms(avg, step):
    def rmsprop_step(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
        new = avg(square_avg, grad, alpha)
        return step(p, grad, new, lr, eps, square_avg), new

    return rmsprop_step


RIGHT_AVG = lambda s, g, a: a * s + (1 - a) * g**2  # noqa: E731
RIGHT_STEP = lambda p, g, s, lr, eps, old: p - lr * g / (np.sqrt(s) + eps)  # noqa: E731


@pytest.mark.parametrize("answer, hint", [
    (make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p - lr * g / np.sqrt(s + eps)), "ε is inside the square root"),
    (make_rms(lambda s, g, a: a * s + (1 - a) * g, RIGHT_STEP), "square the gradient"),
    (make_rms(lambda s, g, a: a * s + g**2, RIGHT_STEP), "the (1 − α) is missing"),
    (make_rms(lambda s, g, a: (1 - a) * s + a * g**2, RIGHT_STEP), "α and 1 − α are swapped"),
    (make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p - lr * g / (s + eps)), "divide by the *root*"),
    (make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p - lr * g / (np.sqrt(old) + eps)), "used the old average"),
    (make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p + lr * g / (np.sqrt(s) + eps)), "*against* the gradient"),
    (make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p - lr * g / np.sqrt(s)), "ε is missing"),
])

def test_rmsprop_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.rmsprop_step", answer), hint)


def test_rmsprop_pair_swapped_is_named(verdict_of):
    def rmsprop_step(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
        new = alpha * square_avg + (1 - alpha) * grad**2
        return new, p - lr * grad / (np.sqrt(new) + eps)

    verdict = verdict_of("optimizers.rmsprop_step", rmsprop_step)
    _failed_with(verdict, "`return new_p, new_square_avg`")
    assert "swapped" in verdict.summary


def test_rmsprop_missing_eps_shows_the_digits_that_differ(verdict_of):
    no_eps = make_rms(RIGHT_AVG, lambda p, g, s, lr, eps, old: p - lr * g / np.sqrt(s))
    verdict = verdict_of("optimizers.rmsprop_step", no_eps)
    expected, got = verdict.summary.split("expected ")[1].split(", got ")
    assert expected != got, verdict.render()


def test_rmsprop_in_place_average_is_named(verdict_of):
    def rmsprop_step(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
        square_avg *= alpha
        square_avg += (1 - alpha) * grad**2
        return p - lr * grad / (np.sqrt(square_avg) + eps), square_avg

    _failed_with(verdict_of("optimizers.rmsprop_step", rmsprop_step), "`*=` change the caller's arrays")


# ---------------------------------------------------------------------------------------------
# 5. adamw_trajectory
# ---------------------------------------------------------------------------------------------
def make_adamw(bias_correction=True, t_start=1, coupled=False, eps_in_sqrt=False, decay_after=False,
               decay_lr=True, decay=True, correct_v=True, keep_p0=False):
    def adamw_trajectory(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        b1, b2 = betas
        p = np.array(p0, dtype=float)
        m, v = np.zeros_like(p), np.zeros_like(p)
        out = [p] if keep_p0 else []
        for t, g in enumerate(grads, start=t_start):
            if coupled:
                g = g + weight_decay * p
            elif decay and not decay_after:
                p = p - (lr if decay_lr else 1.0) * weight_decay * p
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t) if correct_v else v) if bias_correction else (m, v)
            p = p - lr * m_hat / (np.sqrt(v_hat + eps) if eps_in_sqrt else np.sqrt(v_hat) + eps)
            if decay_after:
                p = p - lr * weight_decay * p
            out.append(p)
        return np.array(out)

    return adamw_trajectory


def adamw_t_from_zero_python_floats(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    p, m, v, out = np.array(p0, dtype=float), 0.0, 0.0, []
    for t, g in enumerate(grads):  # t = 0 first
        p = p * (1 - lr * weight_decay)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        step_size = lr / (1 - b1**t)  # python floats: ZeroDivisionError at t = 0
        p = p - step_size * m / (np.sqrt(v / (1 - b2**t)) + eps)
        out.append(p)
    return np.array(out)


def adamw_returns_list(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return list(make_adamw()(p0, grads, lr, betas, eps, weight_decay))


@pytest.mark.parametrize("answer, hint", [
    (make_adamw(bias_correction=False), "no bias correction"),
    (make_adamw(t_start=0), "the step count starts at 0"),
    (make_adamw(t_start=2), "the step count is off by one"),
    (adamw_t_from_zero_python_floats, "Count t from 1"),
    (make_adamw(coupled=True), "Adam with an L2 term"),
    (make_adamw(eps_in_sqrt=True), "ε is inside the square root"),
    (make_adamw(decay_after=True), "applied after the Adam step"),
    (make_adamw(decay_lr=False), "missing its learning rate"),
    (make_adamw(decay=False), "the weight decay is missing (that is Adam)"),
    (adamw_returns_list, "np.array(trajectory)"),
    (make_adamw(correct_v=False), "only m is bias-corrected"),
    (make_adamw(keep_p0=True), "leave p0 out"),
])
def test_adamw_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.adamw_trajectory", answer), hint)


def test_adamw_with_torch_in_the_answer_passes(verdict_of):
    def adamw_trajectory(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        import torch

        p = torch.tensor(np.array(p0, dtype=float), requires_grad=True)
        opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        out = []
        for g in grads:
            p.grad = torch.tensor(np.asarray(g, dtype=float))
            opt.step()
            out.append(p.detach().numpy().copy())
        return np.array(out)

    assert verdict_of("optimizers.adamw_trajectory", adamw_trajectory).passed


# ---------------------------------------------------------------------------------------------
# 6. warmup_cosine_lr
# ---------------------------------------------------------------------------------------------
def make_schedule(warm=None, cosine=None):
    def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1 / 3):
        if step < warmup_steps:
            if warm:
                return warm(step, base_lr, warmup_steps, start_factor)
            return base_lr * (start_factor + (1 - start_factor) * step / warmup_steps)
        if cosine:
            return cosine(step, base_lr, warmup_steps, total_steps, eta_min)
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * progress)) / 2

    return warmup_cosine_lr


def sched_total(k, b, w, n, e):
    return e + (b - e) * (1 + math.cos(math.pi * (k - w) / n)) / 2


def sched_from_zero(k, b, w, n, e):
    return e + (b - e) * (1 + math.cos(math.pi * k / n)) / 2


def sched_milestone_off(k, b, w, n, e):
    return e + (b - e) * (1 + math.cos(math.pi * (k - w + 1) / (n - w))) / 2


def sched_no_eta_min(k, b, w, n, e):
    return b * (1 + math.cos(math.pi * (k - w) / (n - w))) / 2


def sched_linear(k, b, w, n, e):
    return b - (b - e) * (k - w) / (n - w)


def sched_quarter(k, b, w, n, e):
    return e + (b - e) * math.cos(math.pi / 2 * (k - w) / (n - w))


def warmup_cosine_division_by_zero(step, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1 / 3):
    if step < warmup_steps:  # the fraction done written as a division by warmup_steps / step: 0 at step 0
        return base_lr * (start_factor + (1 - start_factor) / (warmup_steps / step))
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * progress)) / 2


@pytest.mark.parametrize("answer, hint", [
    (make_schedule(cosine=sched_total), "the cosine runs over all total_steps"),
    (make_schedule(cosine=sched_from_zero), "progress counts from step 0"),
    (make_schedule(cosine=sched_milestone_off), "off by one step at the milestone"),
    (make_schedule(warm=lambda k, b, w, f: b * (f + (1 - f) * (k + 1) / w)), "the warm-up is off by one"),
    (make_schedule(warm=lambda k, b, w, f: b * (f + (1 - f) * k / (w - 1))), "the warm-up is off by one"),
    (make_schedule(warm=lambda k, b, w, f: b * k / w), "the warm-up starts from 0"),
    (make_schedule(cosine=sched_no_eta_min), "ends at 0 instead of eta_min"),
    (make_schedule(cosine=sched_quarter), "quarter cosine"),
    (make_schedule(cosine=sched_linear), "that is a linear decay"),
    (warmup_cosine_division_by_zero, "division by zero"),
])
def test_warmup_cosine_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.warmup_cosine_lr", answer), hint)


def test_warmup_cosine_written_with_numpy_passes(verdict_of):
    def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1 / 3):
        warm = np.interp(step, [0, warmup_steps], [start_factor * base_lr, base_lr])
        cos = eta_min + 0.5 * (base_lr - eta_min) * (1 + np.cos(np.pi * (step - warmup_steps) /
                                                                 (total_steps - warmup_steps)))
        return float(warm if step < warmup_steps else cos)

    assert verdict_of("optimizers.warmup_cosine_lr", warmup_cosine_lr).passed


# ---------------------------------------------------------------------------------------------
# 7. clip_by_global_norm
# ---------------------------------------------------------------------------------------------
def _global(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads)))


def clip_by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads], _global(grads)


def clip_per_tensor(grads, max_norm):
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * min(1.0, max_norm / n) if n > 0 else g.copy())
    return out, _global(grads)


def clip_scales_up(grads, max_norm):
    total = _global(grads)
    return [g * max_norm / (total + 1e-6) for g in grads], total


def clip_in_place(grads, max_norm):
    total = _global(grads)
    scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= scale
    return grads, total


def clip_norm_after(grads, max_norm):
    total = _global(grads)
    clipped = [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]
    return clipped, _global(clipped)


def clip_sum_of_norms(grads, max_norm):
    total = sum(float(np.linalg.norm(g)) for g in grads)
    return [g * min(1.0, max_norm / total) if total > 0 else g.copy() for g in grads], total


def clip_divides_by_zero(grads, max_norm):
    total = _global(grads)
    return [g * min(1.0, max_norm / total) for g in grads], total


def clip_l1_norm(grads, max_norm):
    total = sum(float(np.abs(g).sum()) for g in grads)
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads], total


def clip_returns_only_the_list(grads, max_norm):
    total = _global(grads)
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]


def clip_without_epsilon(grads, max_norm):  # right: dividing by the norm itself is accepted
    total = _global(grads)
    return [g * (max_norm / total) if total > max_norm else g.copy() for g in grads], total


@pytest.mark.parametrize("answer, hint", [
    (clip_by_value, "that is clipping by value"),
    (clip_per_tensor, "clipped by its own norm"),
    (clip_scales_up, "only scale *down*"),
    (clip_norm_after, "*before* clipping"),
    (clip_sum_of_norms, "not the sum of the norms"),
    (clip_divides_by_zero, "do not divide by it"),
    (clip_l1_norm, "that is the L1 norm"),
    (clip_returns_only_the_list, "`return clipped, total_norm`"),
])
def test_clip_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.clip_by_global_norm", answer), hint)


def test_clip_in_place_is_named(verdict_of):
    verdict = verdict_of("optimizers.clip_by_global_norm", clip_in_place)
    _failed_with(verdict, "`*=` changes the caller's gradients")
    assert "changed the gradients it was given in place" in verdict.summary


def test_clip_without_pytorchs_epsilon_passes(verdict_of):
    assert verdict_of("optimizers.clip_by_global_norm", clip_without_epsilon).passed


# ---------------------------------------------------------------------------------------------
# Robustness: broken answers give a failed verdict, never a checker error
# ---------------------------------------------------------------------------------------------
EXERCISE_IDS = ["optimizers.lr_for_quadratic", "optimizers.sgd_update", "optimizers.momentum_step",
                "optimizers.rmsprop_step", "optimizers.adamw_trajectory", "optimizers.warmup_cosine_lr",
                "optimizers.clip_by_global_norm"]


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


# ---------------------------------------------------------------------------------------------
# The review's learner pass: more mistakes, each tried in a real kernel first, each named
# ---------------------------------------------------------------------------------------------
def _lr_section_1_2():  # the best step of section 1.2's quadratic (λ = 1 and 20), not the exercise's
    return 2 / (1 + 20)


def _lr_per_eigenvalue():
    return 1 / np.linalg.eigvalsh(np.array([[5.5, 4.5], [4.5, 5.5]]))


def _lr_in_a_list():
    return [2 / 11]


@pytest.mark.parametrize("answer, hint", [
    (_lr_section_1_2, "section 1.2's quadratic"),
    (_lr_per_eigenvalue, "not one per eigenvalue"),
    (_lr_in_a_list, "not inside a list"),
])
def test_lr_for_quadratic_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.lr_for_quadratic", answer), hint)


def test_lr_for_quadratic_from_eigh_or_trace_passes(verdict_of):
    A = np.array([[5.5, 4.5], [4.5, 5.5]])
    assert verdict_of("optimizers.lr_for_quadratic", lambda: 2 / np.trace(A)).passed
    assert verdict_of("optimizers.lr_for_quadratic", lambda: 2 / np.linalg.eigh(A)[0].sum()).passed


def sgd_dict_constructor(params, grads, lr):  # dict(params) is as shallow as params.copy()
    new = dict(params)
    for k in new:
        new[k] -= lr * grads[k]
    return new


def sgd_scales_grads_in_place(params, grads, lr):
    out = {}
    for k in params:
        grads[k] *= lr
        out[k] = params[k] - grads[k]
    return out


def sgd_step_alone(params, grads, lr):
    return {k: -lr * grads[k] for k in params}


def sgd_subtract_out(params, grads, lr):
    new = {}
    for k, p in params.items():
        np.subtract(p, lr * grads[k], out=p)
        new[k] = p.copy()
    return new


@pytest.mark.parametrize("answer, hint", [
    (sgd_dict_constructor, "so are dict(params)"),
    (sgd_scales_grads_in_place, "`grads[k] *= lr`"),
    (sgd_step_alone, "that is the step alone"),
    (sgd_subtract_out, "changes it in place"),
])
def test_sgd_update_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.sgd_update", answer), hint)


def test_sgd_update_shallow_copy_with_rebinding_passes(verdict_of):
    def sgd_update(params, grads, lr):
        new = copy.copy(params)
        for k in new:
            new[k] = new[k] - lr * grads[k]  # a new array bound to the copy's key: the caller's stays
        return new

    assert verdict_of("optimizers.sgd_update", sgd_update).passed


def mom_lr_in_buffer(p, grad, buf, lr, momentum, dampening=0.0):  # buf = μ·buf + lr·g, p −= buf
    new = lr * grad if buf is None else momentum * buf + lr * (1 - dampening) * grad
    return p - new, new


def mom_steps_with_gradient(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad
    return p - lr * grad, new


def mom_first_buffer_mu_g(p, grad, buf, lr, momentum, dampening=0.0):
    new = momentum * grad if buf is None else momentum * buf + (1 - dampening) * grad
    return p - lr * new, new


def mom_mu_on_gradient(p, grad, buf, lr, momentum, dampening=0.0):
    new = grad.copy() if buf is None else buf + momentum * (1 - dampening) * grad
    return p - lr * new, new


def mom_sutskever_nesterov(p, grad, buf, lr, momentum, dampening=0.0):  # Nesterov in the velocity convention
    v = -lr * grad if buf is None else momentum * buf - lr * grad
    return p + momentum * v - lr * grad, v


@pytest.mark.parametrize("answer, hint", [
    (mom_lr_in_buffer, "the buffer sums gradients only"),
    (mom_steps_with_gradient, "the step used the gradient alone"),
    (mom_first_buffer_mu_g, "(not μ·g)"),
    (mom_mu_on_gradient, "μ multiplies the old buffer, not the new gradient"),
    (mom_sutskever_nesterov, "that is Nesterov's step"),
])
def test_momentum_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.momentum_step", answer), hint)


def test_momentum_buffer_bound_to_the_gradient_passes(verdict_of):
    def momentum_step(p, grad, buf, lr, momentum, dampening=0.0):
        buf = grad if buf is None else momentum * buf + (1 - dampening) * grad  # no copy needed: nothing in place
        return [p - lr * buf, buf]

    assert verdict_of("optimizers.momentum_step", momentum_step).passed


def rms_starts_from_g2(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    new = grad**2 if not square_avg.any() else alpha * square_avg + (1 - alpha) * grad**2
    return p - lr * grad / (np.sqrt(new) + eps), new


def rms_eps_outside(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):  # precedence: eps added to the ratio
    new = alpha * square_avg + (1 - alpha) * grad**2
    return p - lr * grad / np.sqrt(new) + eps, new


def rms_abs_gradient(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    new = alpha * square_avg + (1 - alpha) * np.abs(grad)
    return p - lr * grad / (np.sqrt(new) + eps), new


def rms_returns_root(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    new = alpha * square_avg + (1 - alpha) * grad**2
    return p - lr * grad / (np.sqrt(new) + eps), np.sqrt(new)


def rms_average_after_step(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    new_p = p - lr * grad / (np.sqrt(square_avg) + eps)
    return new_p, alpha * square_avg + (1 - alpha) * grad**2


@pytest.mark.parametrize("answer, hint", [
    (rms_starts_from_g2, "the average starts at zeros"),
    (rms_eps_outside, "Parenthesise"),
    (rms_abs_gradient, "not |g|"),
    (rms_returns_root, "not its square root"),
    (rms_average_after_step, "used the old average"),
])
def test_rmsprop_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.rmsprop_step", answer), hint)


def test_rmsprop_written_with_divide_passes(verdict_of):
    def rmsprop_step(p, grad, square_avg, lr, alpha=0.99, eps=1e-8):
        s = square_avg * alpha + grad * grad * (1 - alpha)
        return p - np.divide(lr * grad, np.sqrt(s) + eps), s

    assert verdict_of("optimizers.rmsprop_step", rmsprop_step).passed


def _adamw_by_hand(p0, grads, lr, betas, eps, weight_decay, *, t_m=0, t_v=0, swap=False, decay_factor=False):
    """AdamW written out; t_m / t_v shift one bias correction's step count, swap exchanges β1 and β2."""
    b1, b2 = betas[::-1] if swap else betas
    p, m, v, out = np.array(p0, dtype=float), 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        p = p * (lr * weight_decay) if decay_factor else p * (1 - lr * weight_decay)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        with np.errstate(all="ignore"):
            p = p - lr * (m / (1 - b1 ** (t + t_m))) / (np.sqrt(v / (1 - b2 ** (t + t_v))) + eps)
        out.append(p)
    return np.array(out)


def adamw_v_with_t_minus_1(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adamw_by_hand(p0, grads, lr, betas, eps, weight_decay, t_v=-1)


def adamw_m_with_t_minus_1(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adamw_by_hand(p0, grads, lr, betas, eps, weight_decay, t_m=-1)


def adamw_betas_swapped(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adamw_by_hand(p0, grads, lr, betas, eps, weight_decay, swap=True)


def adamw_times_lr_lambda(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adamw_by_hand(p0, grads, lr, betas, eps, weight_decay, decay_factor=True)


def adamw_in_place_on_p0(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    p, m, v, out = p0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        p *= 1 - lr * weight_decay
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        p -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        out.append(p)  # the same array every time
    return np.array(out)


@pytest.mark.parametrize("answer, hint", [
    (adamw_v_with_t_minus_1, "one bias correction uses t − 1"),
    (adamw_m_with_t_minus_1, "one bias correction uses t − 1"),
    (adamw_betas_swapped, "β1 and β2 are swapped"),
    (adamw_times_lr_lambda, "multiplies p by lr·λ itself"),
    (adamw_in_place_on_p0, "every row you appended is that same array"),
])
def test_adamw_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.adamw_trajectory", answer), hint)


def test_adamw_decay_of_the_old_p_subtracted_after_the_step_passes(verdict_of):
    def adamw_trajectory(p0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        b1, b2 = betas
        p, m, v, out = np.array(p0, dtype=float), 0.0, 0.0, []
        for t, g in enumerate(grads, start=1):
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
            p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps) - lr * weight_decay * p
            out.append(p)
        return np.stack(out)

    assert verdict_of("optimizers.adamw_trajectory", adamw_trajectory).passed


@pytest.mark.parametrize("answer, hint", [
    (make_schedule(warm=lambda k, b, w, f: b * (k + 1) / w), "the warm-up is off by one"),  # from base/W, late
    (make_schedule(warm=lambda k, b, w, f: b * (f + (1 - f) * (k // w))), "integer division"),
    (make_schedule(warm=lambda k, b, w, f: b * (1 / 3 + 2 / 3 * k / w)), "whatever start_factor says"),
    (make_schedule(warm=lambda k, b, w, f: b * (f + f * k / w)), "the warm-up's slope is wrong"),
    (make_schedule(cosine=lambda k, b, w, n, e: e + (b - e) * (1 + math.cos((k - w) / (n - w))) / 2),
     "π is missing"),
])
def test_warmup_cosine_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.warmup_cosine_lr", answer), hint)


def test_warmup_cosine_with_less_or_equal_at_the_milestone_passes(verdict_of):
    def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1 / 3):
        if step <= warmup_steps:  # both formulas give base_lr at the milestone
            return base_lr * (start_factor + (1 - start_factor) * step / warmup_steps)
        return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * (step - warmup_steps) /
                                                           (total_steps - warmup_steps))) / 2

    assert verdict_of("optimizers.warmup_cosine_lr", warmup_cosine_lr).passed


def clip_norm_of_the_list(grads, max_norm):  # np.linalg.norm on gradients of different shapes
    total = np.linalg.norm(grads)
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads], total


def clip_pair_swapped(grads, max_norm):
    total = _global(grads)
    return total, [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]


def clip_largest_norm(grads, max_norm):
    total = max(float(np.linalg.norm(g)) for g in grads)
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads], total


def clip_factor_upside_down(grads, max_norm):
    total = _global(grads)
    return [g * (total / max_norm if total > max_norm else 1.0) for g in grads], total


def clip_rms(grads, max_norm):
    total = float(np.sqrt(np.mean(np.concatenate([g.ravel() for g in grads]) ** 2)))
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads], total


@pytest.mark.parametrize("answer, hint", [
    (clip_norm_of_the_list, "need arrays of one shape"),
    (clip_pair_swapped, "return the clipped list first"),
    (clip_largest_norm, "the largest tensor's norm"),
    (clip_factor_upside_down, "upside down"),
    (clip_rms, "the *mean* of the squares"),
])
def test_clip_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.clip_by_global_norm", answer), hint)


def test_clip_through_one_concatenated_vector_passes(verdict_of):
    def clip_by_global_norm(grads, max_norm):
        total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
        scale = max_norm / total if total > max_norm else 1.0
        return [g * scale for g in grads], total

    assert verdict_of("optimizers.clip_by_global_norm", clip_by_global_norm).passed


@pytest.mark.parametrize("answer", [lambda: [[0.1], [0.1, 0.2]], lambda: (0.1, 0.2), lambda: {"lr": 0.18}])
def test_lr_for_quadratic_odd_containers_fail_cleanly(verdict_of, answer):
    verdict = verdict_of("optimizers.lr_for_quadratic", answer)
    assert verdict.status == "failed" and "expected one number" in verdict.summary, verdict.render()


@pytest.mark.parametrize("answer, hint", [
    (lambda params, grads, lr: {k: v.copy() for k, v in params.items()}, "the parameter did not move"),
    (lambda params, grads, lr: ({k: p - lr * grads[k] for k, p in params.items()}, grads), "return a new dict"),
])
def test_sgd_update_no_step_or_a_pair_is_named(verdict_of, answer, hint):
    _failed_with(verdict_of("optimizers.sgd_update", answer), hint)


@pytest.mark.parametrize("lr, hint", [
    (0.199, "close to the bound 2/L = 0.2"),  # just below 2/L: the steep direction barely shrinks
    (2 / 1 + 10, "Stay below the bound 2/L"),  # 2 / lam.min() + lam.max(): the parentheses forgotten
])
def test_lr_for_quadratic_near_the_bound_and_precedence(verdict_of, lr, hint):
    _failed_with(verdict_of("optimizers.lr_for_quadratic", lambda: lr), hint)
