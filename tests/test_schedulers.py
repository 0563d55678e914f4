"""utils.schedulers: every scheduler's learning rates (and OneCycleLR's momenta) equal torch.optim.lr_scheduler's
step by step, on two parameter groups with different learning rates; SequentialLR's restarts; chaining; state_dict
round trips mid-run; the closed-form warm-up + cosine against SequentialLR; lr_trace; bad arguments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_schedulers

from utils import optim
from utils import schedulers as S
from utils.module import Parameter
from utils.optim import SGD, Optimizer

pytestmark = pytest.mark.filterwarnings(  # PyTorch's order warning (its optimizers never step in these tests)
    "ignore:Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`:UserWarning")

LRS = (0.1, 0.03)  # the two groups' learning rates
TOL = 1e-12


class MomentumStandIn(Optimizer):
    """An optimizer with SGD's "momentum" setting (the schedulers never call step())."""

    def __init__(self, params, lr: float, momentum: float = 0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def step(self, closure=None):
        raise AssertionError("a scheduler must never step the optimizer")


class BetasStandIn(Optimizer):
    """An optimizer with Adam's "betas" setting."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999)):
        super().__init__(params, {"lr": lr, "betas": betas})

    def step(self, closure=None):
        raise AssertionError("a scheduler must never step the optimizer")


def our_groups() -> list[dict]:
    return [{"params": [Parameter(np.zeros(2))], "lr": LRS[0]}, {"params": [Parameter(np.ones(3))], "lr": LRS[1]}]


def ours_sgd(momentum: float = 0.0):
    return SGD(our_groups(), lr=LRS[0], momentum=momentum)


def torch_sgd(momentum: float = 0.0):
    groups = [{"params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)], "lr": LRS[0]},
              {"params": [torch.ones(3, dtype=torch.float64, requires_grad=True)], "lr": LRS[1]}]
    return torch.optim.SGD(groups, lr=LRS[0], momentum=momentum)


def torch_groups() -> list[dict]:
    return [{"params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)], "lr": LRS[0]},
            {"params": [torch.ones(3, dtype=torch.float64, requires_grad=True)], "lr": LRS[1]}]


def torch_adam():
    return torch.optim.Adam(torch_groups(), lr=LRS[0], betas=(0.9, 0.999))


def stand_in(cls):
    def make():
        groups = [{"params": [Parameter(np.zeros(2))], "lr": LRS[0]}, {"params": [Parameter(np.ones(3))], "lr": LRS[1]}]
        return cls(groups, lr=LRS[0])
    return make


def trace(optimizer, scheduler, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The lr of every group at optimizer steps 0 .. steps-1 (shape (steps, 2)) and the momentum or β1 (same
    shape, NaN without one), reading the groups before each scheduler.step(); get_last_lr() must agree."""
    lrs, momenta = np.empty((steps, 2)), np.full((steps, 2), np.nan)
    for t in range(steps):
        lrs[t] = [group["lr"] for group in optimizer.param_groups]
        assert list(scheduler.get_last_lr()) == list(lrs[t])
        for i, group in enumerate(optimizer.param_groups):
            if "betas" in group:
                momenta[t, i] = group["betas"][0]
            elif "momentum" in group:
                momenta[t, i] = group["momentum"]
        if t < steps - 1:
            scheduler.step()
    return lrs, momenta


def both(make, steps: int, ours=ours_sgd, theirs=torch_sgd):
    """Run ``make(module, optimizer)`` with our schedulers and PyTorch's on twin optimizers; both traces."""
    opt, topt = ours(), theirs()
    return trace(opt, make(S, opt), steps), trace(topt, make(torch_schedulers, topt), steps)


def assert_same(got, expected) -> None:
    np.testing.assert_allclose(got, expected, rtol=TOL, atol=TOL)


CHAINABLE = {
    "step 7 x0.5": lambda M, o: M.StepLR(o, step_size=7, gamma=0.5),
    "step 1 x0.9": lambda M, o: M.StepLR(o, step_size=1, gamma=0.9),
    "step 30 x1.5 (growing)": lambda M, o: M.StepLR(o, step_size=30, gamma=1.5),
    "exponential 0.95": lambda M, o: M.ExponentialLR(o, gamma=0.95),
    "exponential 0.999": lambda M, o: M.ExponentialLR(o, gamma=0.999),
    "cosine T=50, past T_max twice": lambda M, o: M.CosineAnnealingLR(o, T_max=50),
    "cosine T=120 eta_min": lambda M, o: M.CosineAnnealingLR(o, T_max=120, eta_min=1e-3),
    "cosine T=7 eta_min": lambda M, o: M.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "cosine T=1": lambda M, o: M.CosineAnnealingLR(o, T_max=1),
    "linear defaults": lambda M, o: M.LinearLR(o),
    "linear warm-up 0.1 -> 1": lambda M, o: M.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=20),
    "linear decay 1 -> 0.1": lambda M, o: M.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=50),
    "linear decay 0.5 -> 0": lambda M, o: M.LinearLR(o, start_factor=0.5, end_factor=0.0, total_iters=30),
    "sequential linear + cosine": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.05, total_iters=10), M.CosineAnnealingLR(o, T_max=90, eta_min=1e-4)],
        milestones=[10]),
    "sequential linear + exponential + step": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.2, total_iters=8), M.ExponentialLR(o, gamma=0.97),
            M.StepLR(o, step_size=9, gamma=0.5)], milestones=[12, 50]),
    "sequential cosine + linear + cosine": lambda M, o: M.SequentialLR(
        o, [M.CosineAnnealingLR(o, T_max=20, eta_min=0.01), M.LinearLR(o, start_factor=0.3, total_iters=15),
            M.CosineAnnealingLR(o, T_max=40)], milestones=[30, 60]),
}

ONE_CYCLE = {
    "total_steps": dict(max_lr=1.0, total_steps=120, cycle_momentum=False),
    "epochs x steps_per_epoch": dict(max_lr=0.5, epochs=10, steps_per_epoch=12, cycle_momentum=False),
    "linear anneal": dict(max_lr=0.8, total_steps=120, anneal_strategy="linear", cycle_momentum=False),
    "div factors, short warm-up": dict(max_lr=2.0, total_steps=120, pct_start=0.1, div_factor=10.0,
                                       final_div_factor=100.0, cycle_momentum=False),
    "max_lr per group": dict(max_lr=[1.0, 0.25], total_steps=101, pct_start=0.45, cycle_momentum=False),
}


@pytest.mark.parametrize("name", list(CHAINABLE))
def test_learning_rates_equal_torch(name):
    (lrs, _), (expected, _) = both(CHAINABLE[name], 130)
    assert_same(lrs, expected)
    assert np.ptp(lrs[:, 0]) > 1e-3  # the schedule did change the lr


def test_cosine_rises_again_past_t_max_as_torch_does():
    (lrs, _), (expected, _) = both(CHAINABLE["cosine T=50, past T_max twice"], 130)
    assert_same(lrs, expected)
    assert lrs[50, 0] == pytest.approx(0.0, abs=1e-15) and lrs[100, 0] == pytest.approx(LRS[0], rel=1e-12)


@pytest.mark.parametrize("name", list(ONE_CYCLE))
def test_one_cycle_equals_torch_to_the_end_of_the_cycle(name):
    kwargs = ONE_CYCLE[name]
    total = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]

    def make(M, o):
        return M.OneCycleLR(o, **kwargs)

    (lrs, _), (expected, _) = both(make, total + 1)  # torch allows stepping to last_epoch == total_steps
    assert_same(lrs, expected)
    max_lrs = np.broadcast_to(kwargs["max_lr"], 2)
    np.testing.assert_allclose(lrs.max(axis=0), max_lrs, rtol=1e-3)  # peaks near max_lr (on a step)
    assert lrs[0, 0] == pytest.approx(max_lrs[0] / kwargs.get("div_factor", 25.0), rel=1e-12)


def test_one_cycle_refuses_to_step_past_the_cycle_as_torch_does():
    opt = ours_sgd()
    scheduler = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    for _ in range(10):
        scheduler.step()
    with pytest.raises(ValueError, match=r"OneCycleLR stepped 11 times, but its cycle has total_steps=10"):
        scheduler.step()


OPTIMIZERS_WITH_MOMENTUM = {  # ours, torch's: OneCycleLR cycles "momentum" (SGD, RMSprop) or "betas"[0] (Adam, AdamW)
    "SGD momentum": (lambda: ours_sgd(momentum=0.9), lambda: torch_sgd(momentum=0.9)),
    "SGD without momentum": (ours_sgd, torch_sgd),  # PyTorch cycles it too: its momentum setting is there (0)
    "RMSprop momentum": (lambda: optim.RMSprop(our_groups(), momentum=0.5),
                         lambda: torch.optim.RMSprop(torch_groups(), momentum=0.5)),
    "Adam": (lambda: optim.Adam(our_groups(), betas=(0.9, 0.99)),
             lambda: torch.optim.Adam(torch_groups(), betas=(0.9, 0.99))),
    "AdamW": (lambda: optim.AdamW(our_groups()), lambda: torch.optim.AdamW(torch_groups())),
    "stand-in with momentum": (stand_in(MomentumStandIn), lambda: torch_sgd(momentum=0.9)),
    "stand-in with betas": (stand_in(BetasStandIn), torch_adam),
}


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("name", list(OPTIMIZERS_WITH_MOMENTUM))
def test_one_cycle_writes_the_momenta_torch_writes(name, anneal):
    ours, theirs = OPTIMIZERS_WITH_MOMENTUM[name]

    def make(M, o):
        return M.OneCycleLR(o, max_lr=[1.0, 0.3], total_steps=100, anneal_strategy=anneal, base_momentum=[0.8, 0.85],
                            max_momentum=0.95)

    (lrs, momenta), (expected_lrs, expected_momenta) = both(make, 101, ours, theirs)
    assert_same(lrs, expected_lrs)
    assert_same(momenta, expected_momenta)
    assert momenta[0].tolist() == [0.95, 0.95] and momenta.min(axis=0) == pytest.approx([0.8, 0.85], abs=1e-3)
    opt = ours()
    if "betas" in opt.defaults:
        beta2 = opt.param_groups[0]["betas"][1]
        S.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        assert [g["betas"][1] for g in opt.param_groups] == [beta2, beta2]  # β2 is left alone


@pytest.mark.parametrize("name", ["SGD momentum", "Adam", "RMSprop momentum"])
@pytest.mark.parametrize("schedule", ["one-cycle", "warm-up + cosine"])
def test_a_scheduled_optimizer_moves_the_parameters_as_torchs(name, schedule):
    """The whole loop: gradient, optimizer.step(), scheduler.step(); parameters equal PyTorch's after each step."""
    ours, theirs = OPTIMIZERS_WITH_MOMENTUM[name]
    opt, topt = ours(), theirs()

    def make(M, o):
        if schedule == "one-cycle":
            return M.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=40)
        return M.SequentialLR(o, [M.LinearLR(o, start_factor=0.1, total_iters=5), M.CosineAnnealingLR(o, T_max=35)],
                              milestones=[5])

    scheduler, tscheduler = make(S, opt), make(torch_schedulers, topt)
    rng = np.random.default_rng(5)
    params = [p for g in opt.param_groups for p in g["params"]]
    tparams = [p for g in topt.param_groups for p in g["params"]]
    for _ in range(40):
        for p, q in zip(params, tparams):
            g = rng.normal(size=p.shape) + p.data  # a quadratic's gradient plus noise
            p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
        opt.step()
        topt.step()
        scheduler.step()
        tscheduler.step()
        for p, q in zip(params, tparams):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert not np.allclose(params[0].data, 0.0)


def test_one_cycle_momentum_on_adagrad_is_refused():
    with pytest.raises(ValueError, match=r"cycle_momentum=True needs an optimizer with a 'momentum' setting \(SGD, "
                                         r"RMSprop\) or 'betas' \(Adam, AdamW\); Adagrad has neither"):
        S.OneCycleLR(optim.Adagrad(our_groups()), max_lr=1.0, total_steps=10)
    S.OneCycleLR(optim.Adagrad(our_groups()), max_lr=1.0, total_steps=10, cycle_momentum=False)  # the lr alone: fine


def test_two_chainable_schedulers_on_one_optimizer_compose_as_in_torch():
    def run(M, opt):
        a, b = M.ExponentialLR(opt, gamma=0.97), M.StepLR(opt, step_size=10, gamma=0.5)
        lrs = []
        for _ in range(60):
            lrs.append([g["lr"] for g in opt.param_groups])
            a.step()
            b.step()
        return np.array(lrs)

    lrs, expected = run(S, ours_sgd()), run(torch_schedulers, torch_sgd())
    assert_same(lrs, expected)
    assert lrs[25, 0] == pytest.approx(LRS[0] * 0.97 ** 25 * 0.5 ** 2, rel=1e-12)  # the factors multiply


def test_the_constructor_sets_the_lr_of_step_0():
    opt = ours_sgd()
    scheduler = S.LinearLR(opt, start_factor=0.25, total_iters=4)
    assert scheduler.last_epoch == 0 and scheduler.base_lrs == list(LRS)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)
    assert scheduler.get_last_lr() == pytest.approx([0.025, 0.0075], rel=1e-15)
    assert [g["lr"] for g in opt.param_groups] == scheduler.get_last_lr()


def test_sequential_restarts_the_next_scheduler_at_its_step_0():
    opt = ours_sgd()
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=5)
    cosine = S.CosineAnnealingLR(opt, T_max=10)
    scheduler = S.SequentialLR(opt, [warm, cosine], milestones=[5])
    lrs, _ = trace(opt, scheduler, 8)
    assert lrs[0, 0] == pytest.approx(0.01, rel=1e-12)  # the warm-up's first value, not the cosine's
    assert lrs[5, 0] == pytest.approx(0.1, rel=1e-12) and cosine.last_epoch == 2  # step 5 = cosine's step 0
    assert lrs[6, 0] == pytest.approx(0.05 * (1 + np.cos(np.pi / 10)), rel=1e-12)


def test_no_warning_and_the_optimizer_never_steps():
    opt = stand_in(MomentumStandIn)()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch warns about order here; the course's schedulers do not
        scheduler = S.OneCycleLR(opt, max_lr=1.0, total_steps=20)
        for _ in range(20):
            scheduler.step()  # MomentumStandIn.step would raise


# ---------------------------------------------------------------------------------------------------------------
# Saving and resuming
# ---------------------------------------------------------------------------------------------------------------
RESUMABLE = {
    "step": lambda M, o: M.StepLR(o, step_size=7, gamma=0.5),
    "exponential": lambda M, o: M.ExponentialLR(o, gamma=0.95),
    "cosine": lambda M, o: M.CosineAnnealingLR(o, T_max=30, eta_min=1e-3),
    "linear": lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=60),
    "sequential": CHAINABLE["sequential linear + exponential + step"],
    "one-cycle": lambda M, o: M.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=100, base_momentum=0.8),
}


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_state_dict_round_trip_mid_run_continues_identically(name):
    make, make_opt = RESUMABLE[name], (lambda: ours_sgd(momentum=0.9))
    opt = make_opt()
    scheduler = make(S, opt)
    for _ in range(37):
        scheduler.step()
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    rest, rest_momenta = trace(opt, scheduler, 50)
    assert scheduler.last_epoch == 37 + 49 and saved["last_epoch"] == 37  # the saved copy did not move on

    fresh_opt = make_opt()
    fresh = make(S, fresh_opt)  # the constructor writes its step-0 lr; the loads below replace it
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved)
    resumed, resumed_momenta = trace(fresh_opt, fresh, 50)
    np.testing.assert_array_equal(resumed, rest)
    np.testing.assert_array_equal(resumed_momenta, rest_momenta)
    (expected, _), _ = both(make, 87, make_opt)
    np.testing.assert_array_equal(resumed, expected[37:])  # ... the same as a run never interrupted


def test_load_state_dict_refuses_another_schedulers_state():
    opt = ours_sgd()
    with pytest.raises(ValueError, match=r"expected the state_dict\(\) of a CosineAnnealingLR, with keys .*T_max"):
        S.CosineAnnealingLR(opt, T_max=10).load_state_dict(S.StepLR(ours_sgd(), step_size=3).state_dict())
    seq = CHAINABLE["sequential linear + cosine"](S, opt)
    with pytest.raises(ValueError, match=r"expected the state_dict\(\) of a SequentialLR"):
        seq.load_state_dict({"last_epoch": 3})


# ---------------------------------------------------------------------------------------------------------------
# The closed-form warm-up + cosine
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("base_lr, warmup, total, eta_min, start", [
    (0.1, 10, 100, 0.0, 1 / 3), (0.5, 1, 40, 1e-3, 0.01), (1.0, 25, 60, 0.05, 1.0), (0.03, 5, 6, 0.0, 0.2)])
def test_warmup_cosine_lr_equals_sequential_linear_then_cosine(base_lr, warmup, total, eta_min, start):
    topt = torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=base_lr)
    scheduler = torch_schedulers.SequentialLR(topt, [
        torch_schedulers.LinearLR(topt, start_factor=start, end_factor=1.0, total_iters=warmup),
        torch_schedulers.CosineAnnealingLR(topt, T_max=total - warmup, eta_min=eta_min)], milestones=[warmup])
    steps = 2 * total + 3  # past the end too, where PyTorch's cosine rises again
    expected = []
    for _ in range(steps):
        expected.append(topt.param_groups[0]["lr"])
        scheduler.step()
    got = S.warmup_cosine_lr(np.arange(steps), base_lr, warmup, total, eta_min=eta_min, start_factor=start)
    assert got.shape == (steps,) and got.dtype == np.float64
    assert_same(got, expected)
    assert S.warmup_cosine_lr(warmup, base_lr, warmup, total, eta_min, start) == pytest.approx(base_lr, rel=1e-15)
    assert S.warmup_cosine_lr(total, base_lr, warmup, total, eta_min, start) == pytest.approx(eta_min, abs=1e-15)
    one = S.warmup_cosine_lr(3, base_lr, warmup, total, eta_min, start)
    assert isinstance(one, float) and one == pytest.approx(expected[3], rel=1e-12)


def test_warmup_cosine_lr_off_by_one_versions_differ():
    """The cosine at step t is at its own step t − W with T_max = T − W: shifting either changes the values."""
    t = np.arange(10, 100)
    right = S.warmup_cosine_lr(t, 0.1, 10, 100)
    shifted = 0.1 * (1 + np.cos(np.pi * (t - 9) / 90)) / 2
    whole = 0.1 * (1 + np.cos(np.pi * (t - 10) / 100)) / 2
    assert np.abs(right - shifted).max() > 1e-4 and np.abs(right - whole).max() > 1e-3


# ---------------------------------------------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------------------------------------------
BAD = [
    (lambda o: S.StepLR(o, step_size=0), ValueError, r"step_size must be a positive integer, got 0"),
    (lambda o: S.StepLR(o, step_size=2.5), ValueError, r"step_size must be a positive integer, got 2.5"),
    (lambda o: S.StepLR(o, step_size=3, gamma=0.0), ValueError, r"gamma must be a finite number > 0, got 0.0"),
    (lambda o: S.ExponentialLR(o, gamma=-0.9), ValueError, r"gamma must be a finite number > 0, got -0.9"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, r"T_max must be a positive integer, got 0"),
    (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=-1e-3), ValueError, r"eta_min must be a finite number >= 0"),
    (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be a number in \(0, 1\], got 0.0"),
    (lambda o: S.LinearLR(o, start_factor=1.5), ValueError, r"start_factor must be a number in \(0, 1\], got 1.5"),
    (lambda o: S.LinearLR(o, end_factor=1.2), ValueError, r"end_factor must be a number in \[0, 1\], got 1.2"),
    (lambda o: S.LinearLR(o, total_iters=0), ValueError, r"total_iters must be a positive integer, got 0"),
    (lambda o: S.StepLR(o, 3, last_epoch=-2), ValueError, r"last_epoch must be an integer >= -1"),
    (lambda o: S.StepLR(o, 3, last_epoch=5), ValueError, r"last_epoch=5 resumes a schedule, but param_groups\[0\] "
                                                         r"has no 'initial_lr'"),
    (lambda o: S.SequentialLR(o, [], milestones=[]), ValueError, r"schedulers must be a non-empty list"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), "cosine"], milestones=[5]), TypeError,
     r"schedulers\[1\] must be a scheduler such as LinearLR\(optimizer\), got str"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), S.StepLR(ours_sgd(), 3)], milestones=[5]), ValueError,
     r"schedulers\[1\] \(StepLR\) drives another optimizer"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), S.StepLR(o, 4)], milestones=[5, 9]), ValueError,
     r"milestones must be a list of 1 step\(s\), one fewer than the 2 schedulers; got 2 milestones"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), S.StepLR(o, 4), S.StepLR(o, 5)], milestones=[9, 5]), ValueError,
     r"milestones must be increasing, got \[9, 5\]"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), S.StepLR(o, 4)], milestones=[0]), ValueError,
     r"milestones\[0\] must be a positive integer, got 0"),
    (lambda o: (lambda s: S.SequentialLR(o, [s, s], milestones=[5]))(S.StepLR(o, 3)), ValueError,
     r"schedulers lists the same scheduler twice"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, cycle_momentum=False), ValueError,
     r"OneCycleLR needs the length of the cycle: total_steps, or both epochs and steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, epochs=3, cycle_momentum=False), ValueError,
     r"steps_per_epoch=None"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=0, cycle_momentum=False), ValueError,
     r"total_steps must be a positive integer, got 0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.0, cycle_momentum=False), ValueError,
     r"pct_start must be a number in \(0, 1\), the fraction of the cycle spent warming up; got 1.0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.0, cycle_momentum=False), ValueError,
     r"pct_start must be a number in \(0, 1\)"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=4, pct_start=0.25, cycle_momentum=False), ValueError,
     r"pct_start × total_steps must not be 1"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="cosine", cycle_momentum=False),
     ValueError, r"anneal_strategy must be 'cos' or 'linear', got 'cosine'"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, three_phase=True), ValueError,
     r"three_phase=True \(the original paper's third phase\) is left out of the course"),
    (lambda o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10, cycle_momentum=False), ValueError,
     r"max_lr must be one number or a list of one per parameter group \(2\), got 1 values"),
    (lambda o: S.OneCycleLR(o, max_lr=0.0, total_steps=10, cycle_momentum=False), ValueError,
     r"max_lr must be a finite number > 0, got 0.0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, div_factor=0, cycle_momentum=False), ValueError,
     r"div_factor must be a finite number > 0, got 0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, final_div_factor=-1.0, cycle_momentum=False), ValueError,
     r"final_div_factor must be a finite number > 0, got -1.0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, cycle_momentum="yes"), ValueError,
     r"cycle_momentum must be True or False, got 'yes'"),
]


@pytest.mark.parametrize("make, error, match", BAD, ids=[b[2][:50] for b in BAD])
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match) as info:
        make(ours_sgd())
    assert type(info.value) is error


def test_not_an_optimizer():
    for make in (lambda o: S.StepLR(o, 3), lambda o: S.OneCycleLR(o, 1.0, 10),
                 lambda o: S.SequentialLR(o, [], [])):
        with pytest.raises(TypeError, match=r"optimizer must be an optimizer of utils.optim, e.g. SGD\(model."
                                            r"parameters\(\), lr=0.1\); got torch.optim.sgd.SGD"):
            make(torch_sgd())


def test_one_cycle_momentum_needs_momentum_or_betas():
    class Plain(Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match=r"cycle_momentum=True needs an optimizer with a 'momentum' setting \(SGD, "
                                         r"RMSprop\) or 'betas' \(Adam, AdamW\); Plain has neither: pass "
                                         r"cycle_momentum=False"):
        S.OneCycleLR(stand_in(Plain)(), max_lr=1.0, total_steps=10)
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match=rf"base_momentum must be a number in \[0, 1\), got {bad}"):
            S.OneCycleLR(stand_in(MomentumStandIn)(), max_lr=1.0, total_steps=10, base_momentum=bad)


def test_a_group_added_after_the_scheduler_is_refused():
    opt = ours_sgd()
    scheduler = S.StepLR(opt, step_size=2)
    opt.add_param_group({"params": [Parameter(np.zeros(1))]})
    with pytest.raises(ValueError, match=r"the optimizer now has 3 parameter groups, the scheduler was made for 2"):
        scheduler.step()


@pytest.mark.parametrize("call, match", [
    (lambda: S.warmup_cosine_lr(-1, 0.1, 10, 100), r"step must be an integer >= 0 or an array of them, got -1"),
    (lambda: S.warmup_cosine_lr(2.5, 0.1, 10, 100), r"step must be an integer >= 0 or an array of them, got 2.5"),
    (lambda: S.warmup_cosine_lr(np.array([0, -3]), 0.1, 10, 100), r"step must be integers >= 0, got an array of "
                                                                   r"dtype int64 with negative values"),
    (lambda: S.warmup_cosine_lr(np.linspace(0, 1, 3), 0.1, 10, 100), r"got an array of dtype float64"),
    (lambda: S.warmup_cosine_lr(3, 0.0, 10, 100), r"the learning rate must be a positive number, got 0.0"),
    (lambda: S.warmup_cosine_lr(3, 0.1, 0, 100), r"warmup_steps must be a positive integer, got 0"),
    (lambda: S.warmup_cosine_lr(3, 0.1, 10, 10), r"total_steps must be larger than warmup_steps \(10\) to leave "
                                                  r"steps for the cosine, got 10"),
    (lambda: S.warmup_cosine_lr(3, 0.1, 10, 100, eta_min=-1.0), r"eta_min must be a finite number >= 0, got -1.0"),
    (lambda: S.warmup_cosine_lr(3, 0.1, 10, 100, start_factor=0.0), r"start_factor must be a number in \(0, 1\]"),
])
def test_warmup_cosine_lr_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------------------------
# lr_trace, for figures
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_lr_trace_reads_the_lr_and_momentum_of_every_step(optimizer):
    lrs, momenta = S.lr_trace(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=60), 60, lr=0.5,
                              optimizer=optimizer)
    topt = torch_sgd(momentum=0.9) if optimizer == "sgd" else torch_adam()
    (expected, expected_momenta) = trace(topt, torch_schedulers.OneCycleLR(topt, max_lr=0.5, total_steps=60), 60)
    assert lrs.shape == momenta.shape == (60,) and lrs.dtype == momenta.dtype == np.float64
    assert_same(lrs, expected[:, 0])
    assert_same(momenta, expected_momenta[:, 0])


def test_lr_trace_starts_after_the_constructors_step_and_keeps_the_momentum():
    lrs, momenta = S.lr_trace(lambda o: S.LinearLR(o, start_factor=0.5, total_iters=2), 4, lr=0.2)
    np.testing.assert_allclose(lrs, [0.1, 0.15, 0.2, 0.2], rtol=1e-15)
    np.testing.assert_array_equal(momenta, 0.9)  # SGD's momentum: no schedule here changes it
    lrs, momenta = S.lr_trace(lambda o: S.StepLR(o, step_size=1, gamma=0.5), 1, optimizer="adam")
    assert lrs.tolist() == [0.1] and momenta.tolist() == [0.9]  # one step: the constructor's value only


def test_lr_trace_needs_a_scheduler_of_its_optimizer():
    with pytest.raises(TypeError, match=r"make_scheduler\(optimizer\) must return a scheduler built on that "
                                        r"optimizer, e.g. lambda opt: StepLR\(opt, step_size=10\); got StepLR"):
        S.lr_trace(lambda o: S.StepLR(ours_sgd(), step_size=3), 10)
    with pytest.raises(TypeError, match=r"got float"):
        S.lr_trace(lambda o: 0.1, 10)
    with pytest.raises(ValueError, match=r"optimizer must be one of 'sgd', 'adam', got 'rmsprop'"):
        S.lr_trace(lambda o: S.StepLR(o, 3), 10, optimizer="rmsprop")
