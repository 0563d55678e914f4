"""Learning-rate schedules from scratch, in the shape of ``torch.optim.lr_scheduler`` (PyTorch's semantics exactly).

A scheduler changes the ``"lr"`` of each of an optimizer's parameter groups (``utils.optim``) between steps. The
training loop is the same as in PyTorch::

    optimizer = SGD(model.parameters(), lr=0.1)
    scheduler = CosineAnnealingLR(optimizer, T_max=100)   # already sets the lr of step 0
    for t in range(100):
        ...; optimizer.step()                              # uses the lr of step t
        scheduler.step()                                   # sets the lr of step t + 1

**Why a scheduler steps once in its constructor.** Creating a scheduler records each group's ``"initial_lr"``
(the schedule's base learning rate) and then calls ``step()`` once, which moves ``last_epoch`` from -1 to 0 and
writes the schedule's value at step 0 into the optimizer. So the very first ``optimizer.step()`` already uses the
schedule's first value (``LinearLR`` starts at ``start_factor × lr``, ``OneCycleLR`` at ``max_lr / div_factor``),
and ``scheduler.step()`` belongs *after* ``optimizer.step()``: called before it, the schedule's first value would
never be used.

**Chainable updates.** ``get_lr()`` computes the next learning rates from the group's *current* ``"lr"``, not
from a formula of the step alone: ``ExponentialLR`` multiplies the current lr by γ, ``StepLR`` by γ at every
``step_size``-th step, ``LinearLR`` by the ratio of two consecutive factors, ``CosineAnnealingLR`` by the ratio of
two consecutive cosine terms. Started from the base lr these products give exactly the closed forms written in
each class's docstring (up to rounding), and two schedulers stepping the same optimizer *compose*: their factors
multiply. Each class also keeps its closed form (``_closed_form_lr``), which ``SequentialLR`` uses to start the
next schedule at a milestone. ``OneCycleLR`` is not chainable: it computes the lr from the step directly.

- ``LRScheduler(optimizer, last_epoch=-1)``: the base (``step``, ``get_last_lr``, ``get_lr``, ``state_dict``,
  ``load_state_dict``).
- ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``, ``SequentialLR``, ``OneCycleLR``: the
  schedules of ``torch.optim.lr_scheduler`` with the same arguments.
- ``lr_trace(make_scheduler, steps, lr=0.1, optimizer="sgd")``: the lr (and momentum) of every step of a schedule,
  as arrays, for figures.
- ``warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, ...)``: linear warm-up then cosine annealing in
  closed form, step for step equal to ``SequentialLR([LinearLR, CosineAnnealingLR])``.

Unlike PyTorch, no scheduler here warns about the order of ``optimizer.step()`` and ``scheduler.step()``.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from collections.abc import Callable

import numpy as np

from .module import Parameter, check_number, check_positive_int
from .optim import SGD, Adam, Optimizer, check_lr

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "OneCycleLR",
    "SequentialLR",
    "StepLR",
    "lr_trace",
    "warmup_cosine_lr",
]


def _check_optimizer(optimizer) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an optimizer of utils.optim, e.g. SGD(model.parameters(), lr=0.1); got "
                        f"{type(optimizer).__module__}.{type(optimizer).__name__}")
    return optimizer


def _check_last_epoch(last_epoch) -> int:
    if isinstance(last_epoch, bool) or not isinstance(last_epoch, (int, np.integer)) or last_epoch < -1:
        raise ValueError(f"last_epoch must be an integer >= -1 (-1 starts the schedule), got {last_epoch!r}")
    return int(last_epoch)


def _check_fraction(value, name: str, *, closed_low: bool) -> float:
    """A number in (0, 1] (``closed_low=False``) or [0, 1] (``closed_low=True``)."""
    number = check_number(value, name)
    if not ((0.0 <= number if closed_low else 0.0 < number) and number <= 1.0):
        raise ValueError(f"{name} must be a number in {'[0, 1]' if closed_low else '(0, 1]'}, got {value!r}")
    return number


def _per_group(value, name: str, optimizer: Optimizer, check: Callable[[object, str], float]) -> list[float]:
    """One value per parameter group: a number for every group, or a list with one per group (as PyTorch)."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must be one number or a list of one per parameter group ({n}), got "
                             f"{len(value)} values")
        return [check(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return [check(value, name)] * n


class LRScheduler:
    """The base of every scheduler: it owns the optimizer's ``"lr"`` values and moves them one step at a time.

    Args:
        optimizer: an optimizer of ``utils.optim`` (``SGD``, ``Adam``, …); the scheduler sets its groups' ``"lr"``.
        last_epoch: the index of the last step taken; -1 (the default) starts the schedule. Give another value
            only when rebuilding a scheduler for an optimizer whose groups already hold ``"initial_lr"``.

    Creating a scheduler sets each group's ``"initial_lr"`` (if it has none) to its ``"lr"``; these are the
    ``base_lrs``. Then it calls ``step()`` once, so ``last_epoch`` is 0 and the optimizer holds the lr of step 0.

    Attributes:
        optimizer: the optimizer given.
        base_lrs: list, each group's ``"initial_lr"``.
        last_epoch: int, the step whose lr the optimizer holds now (0 after the constructor).

    Raises:
        TypeError: if ``optimizer`` is not an optimizer of ``utils.optim``.
        ValueError: for a ``last_epoch`` below -1, or >= 0 with a group that has no ``"initial_lr"``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        _check_optimizer(optimizer)
        last_epoch = _check_last_epoch(last_epoch)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(f"last_epoch={last_epoch} resumes a schedule, but param_groups[{i}] has no "
                                     f"'initial_lr': load the optimizer's saved state first, or use last_epoch=-1")
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._is_initial = False
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step: ``last_epoch`` -1 -> 0 and the lr of step 0 (``_is_initial`` while it runs)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates of step ``last_epoch`` (one per group), computed from the groups' current ``"lr"``.

        ``step()`` calls it after moving ``last_epoch`` on; to read the lr in use, call ``get_last_lr()``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self) -> None:
        """Move to the next step: ``last_epoch += 1`` and set each group's ``"lr"`` to the schedule's value.

        Call it after ``optimizer.step()``, once per step (per batch or per epoch, as the schedule counts).
        """
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set the groups' lr for the next step (``epoch=None``), or for step ``epoch`` by the closed form."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(f"the optimizer now has {len(groups)} parameter groups, the scheduler was made for "
                             f"{len(self.base_lrs)}: create the scheduler after the last add_param_group")
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the optimizer holds now (one per group): those its next ``step()`` uses."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Everything the scheduler remembers (``last_epoch``, ``base_lrs``, its settings …), copied; not the
        optimizer, which saves its own ``state_dict()`` (its groups hold the current lr and ``"initial_lr"``)."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Continue from a ``state_dict()`` of a scheduler of the same class and settings.

        Resuming: build the optimizer and the scheduler as before, then ``optimizer.load_state_dict(...)`` (which
        restores the groups' ``"lr"``) and ``scheduler.load_state_dict(...)``.

        Raises:
            ValueError: if ``state_dict`` is not a dict with this scheduler's keys (e.g. a ``StepLR``'s state given
                to a ``CosineAnnealingLR``).
        """
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"expected the state_dict() of a {type(self).__name__}, with keys {sorted(expected)}; "
                             f"got {got}")
        self.__dict__.update(copy.deepcopy(state_dict))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    Closed form, for step t (``last_epoch``) and base lr η₀ (each group's ``"initial_lr"``):

        η_t = η₀ · γ^⌊t / step_size⌋

    Chainable form (``get_lr``): η_t = γ · η_{t−1} when t > 0 is a multiple of ``step_size``, else η_{t−1}.

    Args:
        optimizer: an optimizer of ``utils.optim``.
        step_size: the number of steps between two decays (an integer >= 1).
        gamma: the factor (> 0; below 1 to decay).
        last_epoch: as in ``LRScheduler``.

    Raises:
        ValueError: for step_size < 1 or not an integer, gamma <= 0 or not a finite number.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = check_number(gamma, "gamma", above=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The groups' lr times γ at a multiple of ``step_size`` (not at step 0), else unchanged."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at every step.

    Closed form: η_t = η₀ · γ^t. Chainable form: η_t = γ · η_{t−1} (the constructor's step keeps η₀).

    Args:
        optimizer: an optimizer of ``utils.optim``.
        gamma: the factor per step (> 0; below 1 to decay, e.g. 0.95).
        last_epoch: as in ``LRScheduler``.

    Raises:
        ValueError: for gamma <= 0 or not a finite number.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = check_number(gamma, "gamma", above=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The groups' lr times γ (unchanged in the constructor's step, so that a resumed schedule does not skip)."""
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Bring the learning rate from η₀ down to ``eta_min`` along half a cosine in ``T_max`` steps.

    Closed form, for step t:

        η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2

    so η_0 = η₀ and η_{T_max} = η_min. Past ``T_max`` PyTorch's schedule does not stop: the cosine goes on and
    the lr rises again towards η₀ at 2·T_max (train for ``T_max`` steps, or choose ``T_max`` as the whole run).

    Chainable form (``get_lr``, what ``step()`` uses):

        η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max)),

    except just after a minimum (t − 1 − T_max a multiple of 2·T_max), where that ratio would divide by 0; there
    η_t = η_{t−1} + (η₀ − η_min)(1 − cos(π / T_max)) / 2.

    Args:
        optimizer: an optimizer of ``utils.optim``.
        T_max: the number of steps from η₀ down to ``eta_min`` (an integer >= 1).
        eta_min: the lowest learning rate (>= 0).
        last_epoch: as in ``LRScheduler``.

    Raises:
        ValueError: for T_max < 1 or not an integer, eta_min < 0 or not a finite number.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max = check_positive_int(T_max, "T_max")
        self.eta_min = check_number(eta_min, "eta_min", at_least=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next lr from the current one (the chainable form in the class docstring)."""
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # a scheduler rebuilt with last_epoch >= 0: the closed form
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2 for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # leaving a minimum: the ratio below would be 0/0
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (group["lr"] - eta_min)
                + eta_min for group in groups]

    def _closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves linearly from ``start_factor`` to ``end_factor``.

    Closed form, for step t:

        η_t = η₀ · (s + (e − s) · min(t, total_iters) / total_iters),   s = start_factor, e = end_factor

    so η_0 = s·η₀ and η_t = e·η₀ from ``total_iters`` on. With s < e = 1 this is a **linear warm-up**.

    Chainable form: η_0 = s · (the current lr); for 1 <= t <= total_iters,
    η_t = η_{t−1} · (1 + (e − s) / (total_iters · s + (t − 1)(e − s))), the ratio of two consecutive factors;
    after that η_t = η_{t−1}.

    Args:
        optimizer: an optimizer of ``utils.optim``.
        start_factor: the factor of step 0, in (0, 1].
        end_factor: the factor from step ``total_iters`` on, in [0, 1].
        total_iters: the number of steps the factor takes to get from start to end (an integer >= 1).
        last_epoch: as in ``LRScheduler``.

    Raises:
        ValueError: for a factor outside its range, total_iters < 1 or not an integer.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        self.start_factor = _check_fraction(start_factor, "start_factor", closed_low=False)
        self.end_factor = _check_fraction(end_factor, "end_factor", closed_low=True)
        self.total_iters = check_positive_int(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next lr from the current one (the chainable form in the class docstring)."""
        groups = self.optimizer.param_groups
        t, s, e = self.last_epoch, self.start_factor, self.end_factor
        if t == 0:
            return [group["lr"] * s for group in groups]
        if self._is_initial or t > self.total_iters:
            return self._current_lrs()
        return [group["lr"] * (1.0 + (e - s) / (self.total_iters * s + (t - 1) * (e - s))) for group in groups]

    def _closed_form_lr(self) -> list[float]:
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [base_lr * (s + (e - s) * min(n, self.last_epoch) / n) for base_lr in self.base_lrs]


class SequentialLR(LRScheduler):
    """Run several schedules one after the other: ``schedulers[i]`` from step ``milestones[i-1]`` on.

    Args:
        optimizer: the optimizer every one of ``schedulers`` drives.
        schedulers: a list of schedulers built on ``optimizer`` (at least one).
        milestones: the steps where the next scheduler takes over: ``len(schedulers) − 1`` integers >= 1,
            increasing.
        last_epoch: as in ``LRScheduler``.

    The schedulers were each built (and stepped once); ``SequentialLR`` puts the lr back to ``"initial_lr"``,
    undoes their constructors' steps, and starts the first one again. At a milestone m the next scheduler is
    *restarted* at its own step 0 with its closed form (its lr at step m is its value at 0, e.g. η₀ for
    ``CosineAnnealingLR``); at step m + k it is at its step k. So with ``milestones=[W]``, step t uses
    ``schedulers[0]`` at t for t < W and ``schedulers[1]`` at t − W for t >= W.

    Raises:
        TypeError: if ``optimizer`` is not an optimizer of ``utils.optim`` or an element of ``schedulers`` is not
            a scheduler.
        ValueError: for no schedulers, a scheduler of another optimizer or given twice, the wrong number of
            milestones, or milestones that are not increasing integers >= 1.
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1):
        _check_optimizer(optimizer)
        if not isinstance(schedulers, (list, tuple)) or not schedulers:
            raise ValueError(f"schedulers must be a non-empty list of schedulers, got {schedulers!r}")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"schedulers[{i}] must be a scheduler such as LinearLR(optimizer), got "
                                f"{type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] ({type(scheduler).__name__}) drives another optimizer: build "
                                 f"every scheduler on the optimizer given to SequentialLR")
        if len({id(s) for s in schedulers}) != len(schedulers):
            raise ValueError("schedulers lists the same scheduler twice: build one scheduler per phase")
        if not isinstance(milestones, (list, tuple)) or len(milestones) != len(schedulers) - 1:
            got = f"{len(milestones)} milestones" if isinstance(milestones, (list, tuple)) else repr(milestones)
            raise ValueError(f"milestones must be a list of {len(schedulers) - 1} step(s), one fewer than the "
                             f"{len(schedulers)} schedulers; got {got}")
        milestones = [check_positive_int(m, f"milestones[{i}]") for i, m in enumerate(milestones)]
        if any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"milestones must be increasing, got {milestones}")
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = _check_last_epoch(last_epoch) + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # back to the base lr ...
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)  # ... and back to step -1, as if no scheduler had stepped
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler) -> None:
        """Every (nested) scheduler's ``last_epoch`` one step back."""
        if isinstance(scheduler, SequentialLR):
            for inner in scheduler._schedulers:
                self._undo_initial_steps(inner)
        else:
            scheduler.last_epoch -= 1

    def step(self) -> None:
        """Move to the next step; at a milestone, restart the next scheduler at its step 0 (its closed form)."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict:
        """Its own step and milestones, and the ``state_dict()`` of each of its schedulers."""
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Continue from a ``state_dict()`` of a ``SequentialLR`` over the same kinds of schedulers.

        Raises:
            ValueError: for a dict of another kind of scheduler, or another number of schedulers.
        """
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"expected the state_dict() of a SequentialLR, with keys {sorted(expected)}; got {got}")
        inner = state_dict["_schedulers"]
        if len(inner) != len(self._schedulers):
            raise ValueError(f"the saved SequentialLR has {len(inner)} schedulers, this one {len(self._schedulers)}")
        for scheduler, saved in zip(self._schedulers, inner):
            scheduler.load_state_dict(saved)
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items() if k != "_schedulers"})


def _check_momentum(value, name: str) -> float:
    number = check_number(value, name)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return number


class OneCycleLR(LRScheduler):
    """The one-cycle policy: the lr rises from ``max_lr / div_factor`` to ``max_lr``, then falls far below it.

    With T = ``total_steps`` (or ``epochs × steps_per_epoch``), p = ``pct_start``, η_max = ``max_lr``,
    η_start = η_max / ``div_factor`` and η_end = η_start / ``final_div_factor``, two phases:

    - warm-up, for t <= a = p·T − 1: η_t = anneal(η_start, η_max, t / a);
    - annealing, for t > a: η_t = anneal(η_max, η_end, (t − a) / (T − 1 − a)), reaching η_end at t = T − 1;

    where anneal(x, y, f) = y + (x − y)(1 + cos(π f)) / 2 (``anneal_strategy="cos"``) or x + (y − x) f
    (``"linear"``). With ``cycle_momentum`` the momentum moves the opposite way over the same phases: from
    ``max_momentum`` down to ``base_momentum`` while the lr rises, then back up (large steps, little momentum).
    It is written to each group's ``"momentum"`` (SGD, RMSprop) or to ``"betas"[0]`` (Adam, AdamW: β1).

    Not chainable: the lr is computed from the step alone. The optimizer's own lr is ignored (the groups'
    ``"initial_lr"``, ``"max_lr"`` and ``"min_lr"`` are set here). Stepping past step T raises a ValueError.

    Args:
        optimizer: an optimizer of ``utils.optim``.
        max_lr: the peak lr, one number or a list of one per group (> 0).
        total_steps: the number of steps of the cycle (an integer >= 1), or None to use the next two.
        epochs, steps_per_epoch: used when ``total_steps`` is None: T = epochs × steps_per_epoch.
        pct_start: the fraction of the cycle spent warming up, in (0, 1).
        anneal_strategy: ``"cos"`` or ``"linear"``.
        cycle_momentum: whether to cycle the momentum (or β1) inversely to the lr.
        base_momentum, max_momentum: the momentum at the lr's peak and at both ends (numbers in [0, 1), or a list of
            one per group).
        div_factor: η_start = max_lr / div_factor (> 0).
        final_div_factor: η_end = η_start / final_div_factor (> 0).
        three_phase: must stay False (the three-phase variant is not part of the course).
        last_epoch: as in ``LRScheduler``.

    Raises:
        TypeError: if ``optimizer`` is not an optimizer of ``utils.optim``.
        ValueError: for a missing or invalid cycle length, pct_start outside (0, 1) or with a warm-up ending
            exactly at step 0 (pct_start × total_steps = 1), an unknown anneal_strategy, ``cycle_momentum`` with an
            optimizer that has neither ``"momentum"`` nor ``"betas"``, a bad factor or momentum, or
            ``three_phase=True``.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True, base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        _check_optimizer(optimizer)
        if three_phase is not False:
            raise ValueError("three_phase=True (the original paper's third phase) is left out of the course: use "
                             f"the default two-phase schedule, three_phase=False; got three_phase={three_phase!r}")
        if total_steps is not None:
            self.total_steps = check_positive_int(total_steps, "total_steps")
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (check_positive_int(epochs, "epochs")
                                * check_positive_int(steps_per_epoch, "steps_per_epoch"))
        else:
            raise ValueError("OneCycleLR needs the length of the cycle: total_steps, or both epochs and "
                             f"steps_per_epoch; got total_steps=None, epochs={epochs!r}, "
                             f"steps_per_epoch={steps_per_epoch!r}")
        pct = check_number(pct_start, "pct_start")
        if not 0.0 < pct < 1.0:
            raise ValueError(f"pct_start must be a number in (0, 1), the fraction of the cycle spent warming up; "
                             f"got {pct_start!r}")
        if float(pct * self.total_steps) - 1 == 0:
            raise ValueError(f"pct_start × total_steps must not be 1 (a warm-up of one step divides 0 by 0); got "
                             f"{pct:g} × {self.total_steps}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        if not isinstance(cycle_momentum, (bool, np.bool_)):
            raise ValueError(f"cycle_momentum must be True or False, got {cycle_momentum!r}")
        div_factor = check_number(div_factor, "div_factor", above=0)
        final_div_factor = check_number(final_div_factor, "final_div_factor", above=0)
        self._schedule_phases = [
            {"end_step": float(pct * self.total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
             "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
            {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
             "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
        ]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group(max_lr, "max_lr", optimizer, lambda v, name: check_number(v, name, above=0))
        last = _check_last_epoch(last_epoch)
        if last == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"cycle_momentum=True needs an optimizer with a 'momentum' setting (SGD, RMSprop) or "
                                 f"'betas' (Adam, AdamW); {type(optimizer).__name__} has neither: pass "
                                 f"cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momenta = _per_group(max_momentum, "max_momentum", optimizer, _check_momentum)
            base_momenta = _per_group(base_momentum, "base_momentum", optimizer, _check_momentum)
            if last == -1:
                for group, m_max, m_base in zip(optimizer.param_groups, max_momenta, base_momenta):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        """From ``start`` (pct = 0) to ``end`` (pct = 1) along half a cosine."""
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        """From ``start`` (pct = 0) to ``end`` (pct = 1) along a straight line."""
        return (end - start) * pct + start

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return self._annealing_cos(start, end, pct)
        return self._annealing_linear(start, end, pct)

    def get_lr(self) -> list[float]:
        """The lr of step ``last_epoch`` from its phase (closed form); with ``cycle_momentum``, also writes the
        groups' momentum (or β1) for that step.

        Raises:
            ValueError: past the end of the cycle (step > total_steps).
        """
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR stepped {step} times, but its cycle has total_steps={self.total_steps}: "
                             f"build it with the number of optimizer steps of the whole run")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


# ---------------------------------------------------------------------------------------------------------------
# Helpers for figures and exercises
# ---------------------------------------------------------------------------------------------------------------
_TRACE_OPTIMIZERS = ("sgd", "adam")


def _momentum_of(group: dict) -> float:
    """The group's momentum (SGD, RMSprop) or β1 (Adam), NaN if it has neither."""
    if "betas" in group:
        return float(group["betas"][0])
    return float(group["momentum"]) if "momentum" in group else math.nan


def lr_trace(make_scheduler: Callable[[Optimizer], LRScheduler], steps: int, lr: float = 0.1,
             optimizer: str = "sgd") -> tuple[np.ndarray, np.ndarray]:
    """The learning rate and momentum a schedule gives at each of ``steps`` optimizer steps.

    Builds a throwaway optimizer over one Parameter (``"sgd"``: ``SGD(lr=lr, momentum=0.9)``; ``"adam"``:
    ``Adam(lr=lr)``, whose β1 is the momentum), calls ``make_scheduler(optimizer)`` and reads the group's values
    before each ``scheduler.step()``, as a training loop would use them: ``lrs[t]`` is the lr of optimizer step t
    (``lrs[0]`` is the value after the constructor's step). The optimizer itself never steps.

    Example: ``lrs, _ = lr_trace(lambda opt: StepLR(opt, step_size=10, gamma=0.5), steps=30)``.

    Shapes: -> lrs (steps,), momenta (steps,) (SGD's momentum or Adam's β1; NaN if the optimizer has neither).

    Raises:
        TypeError: if ``make_scheduler`` is not callable or does not return a scheduler of the optimizer it got.
        ValueError: for steps < 1, a bad lr, or an unknown ``optimizer`` name.
    """
    if not callable(make_scheduler):
        raise TypeError(f"make_scheduler must be a function optimizer -> scheduler, e.g. "
                        f"lambda opt: StepLR(opt, step_size=10); got {type(make_scheduler).__name__}")
    steps = check_positive_int(steps, "steps")
    lr = check_lr(lr)
    if optimizer not in _TRACE_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, _TRACE_OPTIMIZERS))}, got {optimizer!r}")
    params = [Parameter(np.zeros(1))]
    opt = SGD(params, lr=lr, momentum=0.9) if optimizer == "sgd" else Adam(params, lr=lr)
    scheduler = make_scheduler(opt)
    if not isinstance(scheduler, LRScheduler) or scheduler.optimizer is not opt:
        raise TypeError(f"make_scheduler(optimizer) must return a scheduler built on that optimizer, e.g. "
                        f"lambda opt: StepLR(opt, step_size=10); got {type(scheduler).__name__}")
    group = opt.param_groups[0]
    lrs, momenta = np.empty(steps), np.empty(steps)
    for t in range(steps):
        lrs[t], momenta[t] = group["lr"], _momentum_of(group)
        if t < steps - 1:
            scheduler.step()
    return lrs, momenta


def _check_steps(step) -> np.ndarray:
    arr = np.asarray(step)
    if arr.dtype.kind not in "iu" or (arr.size and arr.min() < 0):
        raise ValueError(f"step must be an integer >= 0 or an array of them, got {step!r}"
                         if arr.ndim == 0 else f"step must be integers >= 0, got an array of dtype {arr.dtype}"
                         f"{' with negative values' if arr.dtype.kind in 'iu' else ''}")
    return arr


def warmup_cosine_lr(step, base_lr: float, warmup_steps: int, total_steps: int, eta_min: float = 0.0,
                     start_factor: float = 1.0 / 3):
    """Linear warm-up then cosine annealing, as a closed-form function of the step t.

        η_t = η₀ · (s + (1 − s) · t / W)                                  for 0 <= t < W
        η_t = η_min + (η₀ − η_min) · (1 + cos(π (t − W) / (T − W))) / 2      for t >= W

    with η₀ = ``base_lr``, s = ``start_factor``, W = ``warmup_steps``, T = ``total_steps``, η_min = ``eta_min``:
    the lr climbs from s·η₀ to η₀ at step W, then falls to η_min at step T (after the last step of a run of T
    steps, t = 0 … T − 1).

    Step for step (to rounding) this is PyTorch's

        SequentialLR(opt, [LinearLR(opt, start_factor=s, end_factor=1.0, total_iters=W),
                           CosineAnnealingLR(opt, T_max=T - W, eta_min=η_min)], milestones=[W])

    with η_t the lr of optimizer step t (after t calls of ``scheduler.step()``). The off-by-one to watch: at the
    milestone t = W, SequentialLR restarts the cosine at *its* step 0 (η₀, as the warm-up's end), so the cosine
    at step t is at its own step t − W, and T_max = T − W, not T. Past T the cosine goes on as PyTorch's does
    (rising back to η₀ at T + (T − W)).

    Shapes: step () or (S,) integers >= 0 -> a float, or (S,).

    Raises:
        ValueError: for a negative or non-integer step, base_lr <= 0, warmup_steps < 1, total_steps <= warmup_steps,
            eta_min < 0, or start_factor outside (0, 1].
    """
    t = _check_steps(step)
    base_lr = check_lr(base_lr)
    warmup_steps = check_positive_int(warmup_steps, "warmup_steps")
    total_steps = check_positive_int(total_steps, "total_steps")
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must be larger than warmup_steps ({warmup_steps}) to leave steps for the "
                         f"cosine, got {total_steps}")
    eta_min = check_number(eta_min, "eta_min", at_least=0)
    s = _check_fraction(start_factor, "start_factor", closed_low=False)
    t = t.astype(np.float64)
    warm = base_lr * (s + (1.0 - s) * np.minimum(t, warmup_steps) / warmup_steps)
    cosine = eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * (t - warmup_steps) / (total_steps - warmup_steps))) / 2
    lr = np.where(t < warmup_steps, warm, cosine)
    return float(lr) if lr.ndim == 0 else lr
