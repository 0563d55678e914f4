"""Optimizers from scratch, in the shape of ``torch.optim``: an ``Optimizer`` base and ``SGD``.

An optimizer holds the parameters it updates and the settings it updates them with, in **parameter groups**:
a list of dicts, each with its ``"params"`` (a list of ``utils.module.Parameter``) and its hyper-parameters
(``"lr"``, and in Chapter 05 ``"momentum"``, ``"betas"``, …). What it remembers between steps about each
parameter (a momentum buffer, Adam's moments) lives in ``.state``, a dict keyed by the Parameter itself.
A training step is the same four calls as in PyTorch::

    optimizer = SGD(model.parameters(), lr=0.1)          # or groups: SGD([{"params": a, "lr": 0.1},
    out = model(X); loss = loss_fn(out, y)               #                 {"params": b}], lr=0.01)
    optimizer.zero_grad()                                # every .grad = None (backward *adds* into .grad)
    model.backward(loss_fn.backward())
    optimizer.step()                                     # SGD: p.data -= lr * p.grad, group by group

- ``sgd_step(parameters, lr)``: Chapter 04's building block, one step of gradient descent in place;
  ``SGD.step`` calls it once per group with that group's learning rate.
- ``Optimizer(params, defaults)``: the base. It validates and stores the groups (a value a group does not set
  comes from ``defaults``), and gives ``zero_grad``, ``add_param_group``, ``state_dict`` /
  ``load_state_dict`` (to save and resume training, as PyTorch's) to every optimizer. A subclass passes its
  defaults, may check a group's values in ``_check_group``, and implements ``step()``.
- ``SGD(params, lr)``: plain stochastic gradient descent (Chapter 05 adds momentum, Adam and the others here).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from .module import Module, Parameter, check_number

__all__ = ["SGD", "Optimizer", "check_lr", "sgd_step"]


def check_lr(lr) -> float:
    """The learning rate as a float, checked to be a finite number > 0.

    Raises:
        ValueError: naming what was got (a bool, a string, 0, a negative number, inf or NaN).
    """
    try:
        return check_number(lr, "lr", above=0)
    except ValueError:
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}") from None


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


class Optimizer:
    """The base of every optimizer: parameter groups, per-parameter state, ``zero_grad`` and ``step``.

    Args:
        params: an iterable of ``Parameter`` (e.g. ``model.parameters()``), or of dicts, one per parameter
            group: ``{"params": [...], "lr": ...}``; a setting a group leaves out comes from ``defaults``.
        defaults: the hyper-parameters of a group that sets nothing itself, e.g. ``{"lr": 0.1}``.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` (a list of Parameters) and every key of ``defaults``.
        state: ``{Parameter: dict}``, what the optimizer keeps about a parameter between steps (empty for
            plain SGD; a momentum buffer, Adam's moments and step count in Chapter 05).
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


class SGD(Optimizer):
    """Stochastic gradient descent, like ``torch.optim.SGD`` without momentum: ``p.data -= lr * p.grad``.

    Args:
        params: ``model.parameters()``, a list of Parameters, or a list of parameter-group dicts (each may set
            its own ``"lr"``).
        lr: the learning rate of every group that does not set its own (> 0).

    ``step()`` calls ``sgd_step(group["params"], group["lr"])`` for each group, reading ``"lr"`` at every step
    (a learning-rate schedule changes it between steps); a group whose lr a schedule has brought to exactly 0
    is left as it is. Parameters without a gradient are skipped.
    """

    def __init__(self, params, lr: float):
        super().__init__(params, {"lr": check_lr(lr)})

    def _check_group(self, group: dict) -> None:
        group["lr"] = check_lr(group["lr"])

    def step(self, closure: Callable[[], float] | None = None):
        """One step for every group; returns ``closure()``'s loss when a closure is given, else None.

        Raises:
            TypeError: if ``closure`` is given and is not callable.
        """
        if closure is not None and not callable(closure):
            raise TypeError(f"closure must be a function that recomputes the loss, got {type(closure).__name__}")
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            if group["lr"] == 0:  # a step of size 0 (the end of a schedule): nothing moves
                continue
            sgd_step(group["params"], group["lr"])
        return loss
