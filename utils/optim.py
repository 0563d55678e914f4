"""Optimizers from scratch, in the shape of ``torch.optim``: SGD (with momentum and Nesterov), Adagrad, RMSprop,
Adam and AdamW, and gradient clipping.

An optimizer holds the parameters it updates and the settings it updates them with, in **parameter groups**:
a list of dicts, each with its ``"params"`` (a list of ``utils.module.Parameter``) and its hyper-parameters
(``"lr"``, ``"momentum"``, ``"betas"``, …, under PyTorch's names). What it remembers between steps about each
parameter (a momentum buffer, Adam's moments and step count) lives in ``.state``, a dict keyed by the Parameter
itself, under PyTorch's names too. A training step is the same four calls as in PyTorch::

    optimizer = Adam(model.parameters(), lr=1e-3)        # or groups: SGD([{"params": a, "lr": 0.1},
    out = model(X); loss = loss_fn(out, y)               #                 {"params": b}], lr=0.01)
    optimizer.zero_grad()                                # every .grad = None (backward *adds* into .grad)
    model.backward(loss_fn.backward())
    optimizer.step()                                     # every parameter with a .grad moves, group by group

- ``sgd_step(parameters, lr)``: Chapter 04's building block, one step of plain gradient descent in place.
- ``Optimizer(params, defaults)``: the base. It validates and stores the groups (a value a group does not set
  comes from ``defaults``), and gives ``zero_grad``, ``add_param_group``, ``state_dict`` /
  ``load_state_dict`` (to save and resume training, as PyTorch's) to every optimizer. A subclass passes its
  defaults, checks a group's values in ``_check_group``, and implements ``step()``, usually as
  ``self._update_each_parameter(closure, its_update)`` with one short update function per parameter.
- ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``: the update rules of ``torch.optim`` 2.x, step for
  step (each class's docstring gives its rule). ``step()`` reads each group's values at every step, so a
  learning-rate schedule may change ``"lr"`` (and one-cycle ``"momentum"`` or ``"betas"``) between steps.
- ``clip_grad_norm_(parameters, max_norm)`` and ``clip_grad_value_(parameters, clip_value)``: scale or clamp
  the gradients in place before ``step()``, as ``torch.nn.utils`` does.

PyTorch's options for speed or special uses (``foreach``, ``fused``, ``maximize``, ``capturable``,
``differentiable``) are left out: passing one raises a ValueError saying so.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import numpy as np

from .module import Module, Parameter, check_number

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "check_lr", "clip_grad_norm_",
           "clip_grad_value_", "sgd_step"]


def check_lr(lr, *, allow_zero: bool = False) -> float:
    """The learning rate as a float, checked to be a finite number > 0 (>= 0 with ``allow_zero=True``).

    The optimizers accept 0 (as PyTorch does: a schedule may end there); ``sgd_step`` and Chapter 01–04's
    trainers want a step that moves.

    Raises:
        ValueError: naming what was got (a bool, a string, a negative number, inf or NaN; 0 unless allowed).
    """
    try:
        return check_number(lr, "lr", at_least=0) if allow_zero else check_number(lr, "lr", above=0)
    except ValueError:
        wanted = "a number >= 0" if allow_zero else "a positive number"
        raise ValueError(f"the learning rate must be {wanted}, got {lr!r}") from None


def _not_the_model(params, example: str) -> None:
    """A ValueError when ``params`` is a model or one Parameter where an iterable of Parameters belongs."""
    if isinstance(params, Module):
        raise ValueError(f"pass the model's parameters, e.g. {example}, not the model itself "
                         f"({type(params).__name__})")
    if isinstance(params, (Parameter, dict)):
        raise ValueError(f"params must be an iterable of Parameters or of dicts (parameter groups), got one "
                         f"{type(params).__name__}: wrap it in a list")


def _check_parameter(p) -> Parameter:
    if not isinstance(p, Parameter):
        raise ValueError(f"an optimizer updates utils.module.Parameter objects (e.g. model.parameters()), "
                         f"got {type(p).__name__}")
    return p


def sgd_step(parameters: Iterable[Parameter], lr: float) -> None:
    """One step of gradient descent, in place: ``p.data -= lr * p.grad`` (parameters without a gradient stay).

    Raises:
        ValueError: for a bad learning rate (see ``check_lr``), or ``parameters`` not an iterable of
            ``Parameter`` (e.g. the model itself instead of ``model.parameters()``).
    """
    lr = check_lr(lr)
    _not_the_model(parameters, "sgd_step(model.parameters(), lr)")
    params = [_check_parameter(p) for p in _as_list(parameters, "parameters must be an iterable of Parameters "
                                                                 "(model.parameters())")]
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad


def _as_list(items, expected: str) -> list:
    """``list(items)``, or a ValueError saying what was ``expected`` and what was got."""
    try:
        return list(items)
    except TypeError:
        raise ValueError(f"{expected}, got {type(items).__name__}") from None


# ---- checking hyper-parameters ------------------------------------------------------------------------
_LEFT_OUT = {
    "foreach": "a PyTorch speed-up that updates all tensors in one call; the results are the same without it",
    "fused": "a PyTorch speed-up that runs the whole update in one GPU kernel",
    "maximize": "to maximize f, minimize -f",
    "capturable": "a PyTorch setting for CUDA graphs",
    "differentiable": "a PyTorch setting for differentiating through the step itself",
}


def _refuse_left_out_options(name: str, options: dict) -> None:
    """A ValueError for a PyTorch option the course's optimizers leave out, a TypeError for an unknown one."""
    for option in options:
        if option in _LEFT_OUT:
            raise ValueError(f"{name}({option}=...): the course's optimizers don't have the {option!r} option "
                             f"({_LEFT_OUT[option]}); leave it out")
        raise TypeError(f"{name}() got an unexpected keyword argument {option!r}")


def _non_negative(group: dict, key: str) -> None:
    """``group[key]`` checked to be a finite number >= 0, stored as a float."""
    group[key] = check_number(group[key], key, at_least=0)


def _flag(group: dict, key: str) -> None:
    """``group[key]`` checked to be True or False (not 1, not "yes")."""
    if not isinstance(group[key], (bool, np.bool_)):
        raise ValueError(f"{key} must be True or False, got {group[key]!r}")
    group[key] = bool(group[key])


class Optimizer:
    """The base of every optimizer: parameter groups, per-parameter state, ``zero_grad`` and ``step``.

    Args:
        params: an iterable of ``Parameter`` (e.g. ``model.parameters()``), or of dicts, one per parameter
            group: ``{"params": [...], "lr": ...}``; a setting a group leaves out comes from ``defaults``.
        defaults: the hyper-parameters of a group that sets nothing itself, e.g. ``{"lr": 0.1}``.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` (a list of Parameters) and every key of ``defaults``.
        state: ``{Parameter: dict}``, what the optimizer keeps about a parameter between steps (nothing for
            plain SGD; a momentum buffer, Adam's moments and step count, under PyTorch's names).
        defaults: the dict given.

    Raises:
        ValueError: for no parameters, a group without ``"params"``, something that is not a ``Parameter``, a
            parameter given twice (in one group or in two), or a group value the subclass rejects.
    """

    def __init__(self, params, defaults: dict):
        _not_the_model(params, f"{type(self).__name__}(model.parameters(), ...)")
        if not isinstance(defaults, dict):
            raise ValueError(f"defaults must be a dict of hyper-parameters, got {type(defaults).__name__}")
        self.defaults = dict(defaults)
        self.state: dict[Parameter, dict] = {}
        self.param_groups: list[dict] = []
        groups = _as_list(params, "params must be an iterable of Parameters or of dicts (parameter groups)")
        if not groups:
            raise ValueError("the optimizer got an empty parameter list: pass model.parameters() (a model with "
                             "parameters) or a list of Parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group: ``{"params": Parameters, setting: value, ...}`` (missing settings from ``defaults``).

        Raises:
            ValueError: as the constructor (including a parameter already in another group).
        """
        if not isinstance(param_group, dict):
            raise ValueError(f"a parameter group must be a dict like {{'params': [...], 'lr': 0.1}}, "
                             f"got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"a parameter group needs a 'params' entry, got the keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Parameter):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise ValueError("a group's parameters must be in an ordered collection (a list), not a set: the "
                             "order decides which state belongs to which parameter in state_dict()")
        else:
            params = _as_list(params, "a group's 'params' must be a Parameter or an iterable of Parameters")
        if not params:
            raise ValueError("a parameter group has an empty 'params' list")
        for p in params:
            _check_parameter(p)
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group lists the same Parameter more than once")
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("a Parameter appears in more than one parameter group: give each parameter to one "
                             "group only")
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Check a group's hyper-parameters (raise ValueError naming the bad one); subclasses override it."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next backward pass (which *adds* into ``.grad``).

        ``set_to_none=True`` (PyTorch's default) sets ``.grad = None``; ``False`` fills the existing arrays
        with zeros. Either way the next backward starts from nothing.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0.0)

    def step(self, closure: Callable[[], float] | None = None):
        """Update every parameter from its ``.grad``; subclasses implement it.

        ``closure`` (optional, as in PyTorch) re-evaluates the model and returns the loss; ``step`` returns it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def _update_each_parameter(self, closure, update: Callable[[Parameter, np.ndarray, dict, dict], None]):
        """The loop every ``step()`` shares: ``update(p, p.grad, state, group)`` for each parameter with a grad.

        The closure (if any) runs first and its loss is returned. Each group is checked again before its
        update (a scheduler may have written a bad value into it). ``state`` is the parameter's dict in
        ``self.state``; an update that keeps nothing (plain SGD) leaves no entry, as in PyTorch.

        Raises:
            TypeError: if ``closure`` is given and is not callable.
            ValueError: for a group value that is out of range (see ``_check_group``).
        """
        if closure is not None and not callable(closure):
            raise TypeError(f"closure must be a function that recomputes the loss, got {type(closure).__name__}")
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            self._check_group(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p, {})
                update(p, p.grad, state, group)
                if state:
                    self.state[p] = state
        return loss

    # ---- saving and resuming ------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The optimizer's settings and state, as PyTorch lays them out: parameters replaced by their index.

        ``{"state": {index: {name: value}}, "param_groups": [{setting: value, "params": [indices]}]}``, where
        indices count the parameters through the groups in order. Arrays are copied.
        """
        index = {id(p): i for i, p in enumerate(p for group in self.param_groups for p in group["params"])}
        groups = [{**{k: v for k, v in group.items() if k != "params"},
                   "params": [index[id(p)] for p in group["params"]]} for group in self.param_groups]
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore settings and state saved by ``state_dict()`` (of an optimizer over the same parameter shapes).

        Raises:
            ValueError: if the numbers of groups or of parameters per group differ.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("expected a dict with 'state' and 'param_groups', as state_dict() returns")
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(f"the saved state has {len(saved)} parameter groups, this optimizer "
                             f"{len(self.param_groups)}")
        sizes = [len(g["params"]) for g in self.param_groups]
        if [len(g["params"]) for g in saved] != sizes:
            raise ValueError(f"the saved groups hold {[len(g['params']) for g in saved]} parameters, this "
                             f"optimizer's {sizes}")
        params = [p for group in self.param_groups for p in group["params"]]
        by_index = dict(enumerate(params))
        self.state = {by_index[int(i)]: copy.deepcopy(s) for i, s in state_dict["state"].items()}
        for group, saved_group in zip(self.param_groups, saved):
            group.update({k: copy.deepcopy(v) for k, v in saved_group.items() if k != "params"})
            self._check_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines + [")"])


# ---- SGD --------------------------------------------------------------------------------------------------
def _sgd_update(p: Parameter, grad: np.ndarray, state: dict, group: dict) -> None:
    """One SGD step of one parameter (``torch.optim.SGD``'s rule; see ``SGD``)."""
    lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * p.data  # the gradient of (weight_decay / 2)·‖p‖²
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = grad.copy()  # the first step: the gradient itself (no dampening)
        else:
            state["momentum_buffer"] = momentum * state["momentum_buffer"] + (1 - dampening) * grad
        if group["nesterov"]:
            grad = grad + momentum * state["momentum_buffer"]  # look ahead along the velocity
        else:
            grad = state["momentum_buffer"]
    p.data -= lr * grad


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum, Nesterov and weight decay, as ``torch.optim.SGD``.

    For each parameter p with gradient g, at step t (λ = weight_decay, μ = momentum, τ = dampening, η = lr)::

        g ← g + λ·p                                   (if λ ≠ 0: L2 weight decay)
        b ← g                       at the first step  (if μ ≠ 0: the momentum buffer)
        b ← μ·b + (1 − τ)·g         afterwards
        g ← g + μ·b   (Nesterov)    or   g ← b
        p ← p − η·g

    With μ = 0 this is ``p ← p − η·g``, Chapter 04's ``sgd_step``. PyTorch's convention (b sums gradients,
    then lr scales it) equals the textbook one (v ← μ·v − η·g, p ← p + v) as long as η does not change.

    Args:
        params: ``model.parameters()``, a list of Parameters, or a list of parameter-group dicts (each may set
            its own ``"lr"``, ``"momentum"``, …).
        lr: learning rate η (>= 0). momentum: μ (>= 0). dampening: τ. weight_decay: λ (>= 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening = 0).

    State (per parameter, only with momentum): ``"momentum_buffer"``, shape of the parameter.

    Raises:
        ValueError: for a bad value (a negative lr, momentum or weight_decay, nesterov without momentum), or
            one of PyTorch's options the course leaves out (``foreach``, ``fused``, ``maximize``, …).
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, **options):
        _refuse_left_out_options("SGD", options)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov}
        self._check_group(dict(defaults))
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        group["lr"] = check_lr(group["lr"], allow_zero=True)
        _non_negative(group, "momentum")
        group["dampening"] = check_number(group["dampening"], "dampening")
        _non_negative(group, "weight_decay")
        _flag(group, "nesterov")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"Nesterov momentum needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']:g} and dampening={group['dampening']:g}")

    def step(self, closure: Callable[[], float] | None = None):
        """One step for every parameter with a gradient; returns ``closure()``'s loss if a closure is given.

        Raises:
            TypeError: if ``closure`` is given and is not callable.
        """
        return self._update_each_parameter(closure, _sgd_update)


# ---- Adagrad ----------------------------------------------------------------------------------------------
def _adagrad_update(p: Parameter, grad: np.ndarray, state: dict, group: dict) -> None:
    """One Adagrad step of one parameter (``torch.optim.Adagrad``'s rule; see ``Adagrad``)."""
    if not state:  # a group added after the constructor
        state.update(_adagrad_initial_state(p, group))
    state["step"] += 1
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * p.data
    lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
    state["sum"] = state["sum"] + grad * grad
    p.data -= lr * (grad / (np.sqrt(state["sum"]) + group["eps"]))


def _adagrad_initial_state(p: Parameter, group: dict) -> dict:
    return {"step": 0.0, "sum": np.full_like(p.data, group["initial_accumulator_value"])}


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``: each coordinate's step shrinks with the squares it has seen.

    For each parameter p with gradient g, at step t = 1, 2, … (λ = weight_decay, η = lr)::

        g ← g + λ·p                               (if λ ≠ 0)
        η_t = η / (1 + (t − 1)·lr_decay)
        s ← s + g²                                (s starts at initial_accumulator_value)
        p ← p − η_t · g / (√s + eps)

    Every operation is element by element: a coordinate with large gradients gets small steps.

    Args:
        params: as ``SGD``. lr: η (>= 0). lr_decay, weight_decay, initial_accumulator_value, eps: >= 0.

    State (per parameter, made in the constructor as PyTorch does): ``"step"`` (a float, t) and ``"sum"``
    (s, shape of the parameter). Each group's sums start at that group's ``initial_accumulator_value``
    (PyTorch fills every group's with the constructor's value).

    Raises:
        ValueError: for a negative value, or one of PyTorch's options the course leaves out.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, **options):
        _refuse_left_out_options("Adagrad", options)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value}
        self._check_group(dict(defaults))
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = _adagrad_initial_state(p, group)

    def _check_group(self, group: dict) -> None:
        group["lr"] = check_lr(group["lr"], allow_zero=True)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            _non_negative(group, key)

    def step(self, closure: Callable[[], float] | None = None):
        """One step for every parameter with a gradient; returns ``closure()``'s loss if a closure is given."""
        return self._update_each_parameter(closure, _adagrad_update)


# ---- RMSprop ----------------------------------------------------------------------------------------------
def _rmsprop_update(p: Parameter, grad: np.ndarray, state: dict, group: dict) -> None:
    """One RMSprop step of one parameter (``torch.optim.RMSprop``'s rule; see ``RMSprop``)."""
    alpha, momentum = group["alpha"], group["momentum"]
    state.setdefault("step", 0.0)
    state.setdefault("square_avg", np.zeros_like(p.data))
    if momentum > 0:
        state.setdefault("momentum_buffer", np.zeros_like(p.data))
    if group["centered"]:
        state.setdefault("grad_avg", np.zeros_like(p.data))
    state["step"] += 1
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * p.data
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * grad * grad
    if group["centered"]:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * grad
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + group["eps"]  # a running std of g
    else:
        avg = np.sqrt(state["square_avg"]) + group["eps"]  # a running root mean square of g
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + grad / avg
        p.data -= group["lr"] * state["momentum_buffer"]
    else:
        p.data -= group["lr"] * (grad / avg)


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``: divide each coordinate's step by a running RMS of its gradient.

    For each parameter p with gradient g (λ = weight_decay, α = alpha, μ = momentum, η = lr)::

        g ← g + λ·p                                    (if λ ≠ 0)
        v ← α·v + (1 − α)·g²                           (v starts at 0)
        d = √v + eps,   or, centered:  m ← α·m + (1 − α)·g,  d = √(v − m²) + eps
        b ← μ·b + g / d,  p ← p − η·b                  (if μ > 0; b starts at 0)
        p ← p − η · g / d                              (otherwise)

    Unlike Adam there is no bias correction: v starts at 0, so the first steps are large (about η/√(1 − α)).

    Args:
        params: as ``SGD``. lr: η (>= 0). alpha: α in [0, 1]. eps, weight_decay, momentum: >= 0.
        centered: divide by a running standard deviation of g instead of its root mean square.

    State (per parameter): ``"step"`` (a float), ``"square_avg"`` (v), ``"momentum_buffer"`` (b, with
    momentum), ``"grad_avg"`` (m, centered); the arrays have the parameter's shape.

    Raises:
        ValueError: for a value out of range, or one of PyTorch's options the course leaves out.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, **options):
        _refuse_left_out_options("RMSprop", options)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay}
        self._check_group(dict(defaults))
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        group["lr"] = check_lr(group["lr"], allow_zero=True)
        for key in ("momentum", "eps", "weight_decay"):
            _non_negative(group, key)
        alpha = group["alpha"] = check_number(group["alpha"], "alpha")
        if not 0 <= alpha <= 1:
            raise ValueError(f"alpha (the decay of the running average of g²) must be in [0, 1], got {alpha:g}")
        _flag(group, "centered")

    def step(self, closure: Callable[[], float] | None = None):
        """One step for every parameter with a gradient; returns ``closure()``'s loss if a closure is given."""
        return self._update_each_parameter(closure, _rmsprop_update)


# ---- Adam and AdamW ---------------------------------------------------------------------------------------
def _adam_update(p: Parameter, grad: np.ndarray, state: dict, group: dict) -> None:
    """One Adam (or AdamW) step of one parameter (``torch.optim.Adam``'s rule; see ``Adam``)."""
    lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
    state.setdefault("step", 0.0)
    state.setdefault("exp_avg", np.zeros_like(p.data))
    state.setdefault("exp_avg_sq", np.zeros_like(p.data))
    if group["amsgrad"]:
        state.setdefault("max_exp_avg_sq", np.zeros_like(p.data))
    state["step"] += 1
    t = state["step"]
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            p.data *= 1 - lr * weight_decay  # AdamW: shrink the weights directly, outside the moments
        else:
            grad = grad + weight_decay * p.data  # Adam: an L2 term's gradient, which the moments then rescale
    state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    second_moment = state["exp_avg_sq"]
    if group["amsgrad"]:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], state["exp_avg_sq"])
        second_moment = state["max_exp_avg_sq"]
    denom = np.sqrt(second_moment) / math.sqrt(bias_correction2) + group["eps"]
    p.data -= (lr / bias_correction1) * (state["exp_avg"] / denom)


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``: momentum (a running mean of g) over a running RMS of g, bias-corrected.

    For each parameter p with gradient g, at step t = 1, 2, … (λ = weight_decay, η = lr)::

        p ← (1 − η·λ)·p                     (if decoupled_weight_decay: AdamW)
        g ← g + λ·p                         (otherwise, if λ ≠ 0: an L2 term in the loss)
        m ← β1·m + (1 − β1)·g               (m, v start at 0)
        v ← β2·v + (1 − β2)·g²
        m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)          (bias correction: m, v started at 0)
        v̂ ← max(v̂_max, v̂)                  (if amsgrad, with the max of v kept across steps)
        p ← p − η · m̂ / (√v̂ + eps)

    (PyTorch computes the last line as p − (η / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps): the same.)
    The coupled L2 term passes through m and v, so weights with large gradients are decayed less; the
    decoupled one (AdamW) shrinks every weight by the same factor.

    Args:
        params: as ``SGD``. lr: η (>= 0). betas: (β1, β2), each in [0, 1). eps, weight_decay: >= 0.
        amsgrad: divide by the largest v seen so far (AMSGrad).
        decoupled_weight_decay: (keyword only) weight decay as AdamW does it.

    State (per parameter): ``"step"`` (a float, t), ``"exp_avg"`` (m), ``"exp_avg_sq"`` (v) and, with
    amsgrad, ``"max_exp_avg_sq"``; the arrays have the parameter's shape.

    Raises:
        ValueError: for a value out of range (betas outside [0, 1), a negative eps, …), or one of PyTorch's
            options the course leaves out.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, decoupled_weight_decay: bool = False,
                 **options):
        _refuse_left_out_options(type(self).__name__, options)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "decoupled_weight_decay": decoupled_weight_decay}
        self._check_group(dict(defaults))
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        group["lr"] = check_lr(group["lr"], allow_zero=True)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        beta1, beta2 = (check_number(b, f"betas[{i}]") for i, b in enumerate(betas))
        for i, beta in enumerate((beta1, beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"betas[{i}] must be in [0, 1), got {beta:g}")
        group["betas"] = (beta1, beta2)
        _non_negative(group, "eps")
        _non_negative(group, "weight_decay")
        _flag(group, "amsgrad")
        _flag(group, "decoupled_weight_decay")

    def step(self, closure: Callable[[], float] | None = None):
        """One step for every parameter with a gradient; returns ``closure()``'s loss if a closure is given."""
        return self._update_each_parameter(closure, _adam_update)


class AdamW(Adam):
    r"""AdamW, as ``torch.optim.AdamW``: ``Adam`` with decoupled weight decay, ``p ← (1 − η·λ)·p`` each step.

    The same as ``Adam(..., decoupled_weight_decay=True)`` (see ``Adam`` for the rule and the state), with a
    default ``weight_decay`` of 1e-2. Every group has ``"decoupled_weight_decay": True``.

    Raises:
        ValueError: as ``Adam``.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, **options):
        if "decoupled_weight_decay" in options:
            raise ValueError("AdamW's weight decay is always decoupled: for the coupled one use Adam(...)")
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True, **options)

    def _check_group(self, group: dict) -> None:
        group["decoupled_weight_decay"] = True  # as PyTorch: loading a state never makes AdamW coupled
        super()._check_group(group)


# ---- gradient clipping ------------------------------------------------------------------------------------
def _gradients(parameters, name: str) -> list[np.ndarray]:
    """The ``.grad`` arrays of ``parameters`` (a Parameter or an iterable of them), skipping those without."""
    if isinstance(parameters, Module):
        raise ValueError(f"pass the model's parameters, e.g. {name}(model.parameters(), ...), not the model "
                         f"itself ({type(parameters).__name__})")
    if isinstance(parameters, Parameter):
        parameters = [parameters]
    params = _as_list(parameters, "parameters must be an iterable of Parameters (model.parameters())")
    for p in params:
        if not isinstance(p, Parameter):
            raise ValueError(f"{name} clips the gradients of utils.module.Parameter objects (e.g. "
                             f"model.parameters()), got {type(p).__name__}")
    return [p.grad for p in params if p.grad is not None]


def _vector_norm(x: np.ndarray, norm_type: float) -> float:
    """The p-norm of all of ``x``'s entries: (Σ|x|^p)^(1/p), or max|x| for p = inf (0 for no entries)."""
    magnitudes = np.abs(np.ravel(x))
    if magnitudes.size == 0:
        return 0.0
    if norm_type == math.inf:
        return float(magnitudes.max())
    return float(np.sum(magnitudes ** norm_type) ** (1 / norm_type))


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together, in place, so that their total norm is at most ``max_norm``.

    The total norm is the norm of all gradients as if concatenated into one vector (as PyTorch computes it:
    the ``norm_type``-norm of the per-parameter norms). Every gradient is multiplied by
    ``min(max_norm / (total_norm + 1e-6), 1)``: the direction is kept, only the length shrinks.

    Args:
        parameters: a Parameter or an iterable of them (``model.parameters()``); those without a gradient
            are skipped.
        max_norm: the largest total norm allowed (>= 0).
        norm_type: p of the p-norm (> 0), or ``math.inf`` for the largest |entry|.
        error_if_nonfinite: raise instead of scaling when the total norm is inf or NaN.

    Returns:
        The total norm *before* clipping, a float (0.0 when no parameter has a gradient).

    Raises:
        ValueError: for a bad ``max_norm`` or ``norm_type``, or parameters that are not Parameters.
        RuntimeError: with ``error_if_nonfinite=True``, if the total norm is inf or NaN (as PyTorch).
    """
    grads = _gradients(parameters, "clip_grad_norm_")
    max_norm = check_number(max_norm, "max_norm", at_least=0, finite=False)
    norm_type = check_number(norm_type, "norm_type", above=0, finite=False)
    if not isinstance(error_if_nonfinite, (bool, np.bool_)):
        raise ValueError(f"error_if_nonfinite must be True or False, got {error_if_nonfinite!r}")
    if not grads:
        return 0.0
    total_norm = _vector_norm(np.array([_vector_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not math.isfinite(total_norm):
        raise RuntimeError(f"the total norm of the gradients is {total_norm}, so it cannot be clipped; to scale "
                           f"the gradients by it anyway, pass error_if_nonfinite=False")
    clip_coef = float(np.minimum(max_norm / (total_norm + 1e-6), 1.0))  # NaN stays NaN, as in PyTorch
    for g in grads:
        g *= clip_coef
    return total_norm


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient entry, in place, into ``[-clip_value, clip_value]`` (each entry on its own).

    Unlike ``clip_grad_norm_`` this changes the gradient's direction when some entries are clamped.

    Args:
        parameters: a Parameter or an iterable of them; those without a gradient are skipped.
        clip_value: the largest |entry| allowed (>= 0).

    Raises:
        ValueError: for a bad ``clip_value``, or parameters that are not Parameters.
    """
    grads = _gradients(parameters, "clip_grad_value_")
    clip_value = check_number(clip_value, "clip_value", at_least=0, finite=False)
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)
