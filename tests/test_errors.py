"""Clear errors from ``utils``: every public entry point of the maths and data modules rejects what a learner can get
wrong (a shape, a dtype, a label, a size, a list or a function where something else belongs) with a ``ValueError``
(``TypeError`` for a wrong kind of object) whose message names the argument, what was expected and what was got.

``TABLE`` holds one row per mistake: ``row("module.name", call, error, match)``, where ``match`` is a regular
expression over the message that spells out the argument, the expectation and the value got.
``test_the_table_covers_every_public_name`` fails when a module's ``__all__`` gains a callable without a row (or an
entry in ``EXEMPT``, which says why it has none). Many of these errors have deeper tests next to the module's own
tests; this table is the inventory.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression

from utils import activations as A
from utils import (
    auto_mpg,
    autograd,
    autograd_steps,
    data,
    device,
    gradcheck,
    init,
    layer_statistics,
    layers,
    linear_maps,
    lr_finder,
    mnist_mlp,
    module,
    network,
    normalization,
    optim,
    optimizer_experiments,
    perceptron,
    playground,
    plotting,
    pretrained,
    regression,
    regularization,
    schedulers,
    surfaces,
    torch_training,
    train2d,
    training,
    trajectories,
    xor,
)
from utils import losses as L

TOOLS = ("__init__", "doctor", "generate", "grade", "tooling", "workspace")
"""The modules of ``utils/`` that are tools (``python -m utils.X``), what they share (``tooling``), or the package
itself: tested on their own."""

MODULES = ("activations", "auto_mpg", "autograd", "autograd_steps", "data", "device", "gradcheck", "init",
           "layer_statistics", "layers", "linear_maps", "losses", "lr_finder", "mnist_mlp", "module", "network",
           "normalization", "optim", "optimizer_experiments", "perceptron", "playground", "plotting", "pretrained",
           "regression", "regularization", "schedulers", "surfaces", "torch_training", "train2d", "training",
           "trajectories", "xor")
"""The maths and data modules of ``utils`` (tools, widgets, figures and the checker have their own tests)."""

EXEMPT = {
    # dataclasses that a function returns: a learner reads their fields, never builds one
    "activations.ActivationSpec", "autograd_steps.GraphStep", "autograd_steps.StepThrough",
    "gradcheck.GradcheckReport", "gradcheck.GradientCheck", "init.Scheme", "layer_statistics.InitStatistics",
    "network.LayerTrace", "perceptron.PerceptronFit", "playground.PlaygroundSurface", "train2d.TrainingRun",
    "xor.XorRuns", "trajectories.Trajectory", "data.DataSplits",
    # a settings record: race() checks its values (its rows are below)
    "trajectories.RaceSettings",
    "optimizer_experiments.TrainingCurves", "optimizer_experiments.GradientNoise",
    "optimizer_experiments.LinearScaling", "optimizer_experiments.AdamEpsRuns", "lr_finder.RangeTest",
    # a settings record: train_digits_mlp checks its values (its row is below)
    "pretrained.TrainConfig",
    "torch_training.TrainLog", "torch_training.Evaluation",
    "normalization.BatchNormRun",
    # nothing to get wrong: no argument
    "data.iris", "data.load_auto_mpg", "linear_maps.unit_square", "plotting.course_style", "plotting.use_course_style",
    "device.one_blas_thread", "device.one_torch_thread",
    # a command line: argparse reports its own usage errors
    "pretrained.main",
}
"""Callables of an ``__all__`` without a row, and why. Constants (anything not callable) need no entry."""

X = np.arange(6.0).reshape(2, 3) - 2.5  # (2, 3): two examples, three features
Y = np.array([0, 2])  # (2,): class labels for three classes


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def row(entry: str, call, error: type[Exception], match: str):
    """One bad input: ``call()`` must raise ``error`` with a message matching ``match``. The id starts with
    ``entry`` ("module.name", or "module.Class.method" for a method), the name the coverage test looks for."""
    return pytest.param(call, error, match, id=f"{entry} {match[:40]}")


def forward_then_backward(mod, x, grad_out):
    """Run ``mod`` forward on ``x``, then backward with ``grad_out`` (the shape mistake sits in ``grad_out``)."""
    mod(x)
    return mod.backward(grad_out)


def fitted_loss(loss_fn, input, target):
    loss_fn(input, target)
    return loss_fn


def mlp() -> layers.Sequential:
    r = rng()
    return layers.Sequential(layers.Linear(3, 4, rng=r), A.ReLU(), layers.Linear(4, 3, rng=r))


def sgd() -> optim.SGD:
    """A plain SGD over one parameter, for the schedulers' rows."""
    return optim.SGD([module.Parameter(np.zeros(2))], lr=0.1)


def torch_setup():
    """A PyTorch linear model 3 -> 2, its Adam optimizer, one batch (X (4, 3), y (4,)) in a list."""
    model = torch.nn.Linear(3, 2)
    return model, torch.optim.Adam(model.parameters()), [(torch.zeros(4, 3), torch.tensor([0, 1, 0, 1]))]


def train_torch_with(**changes):
    """train_torch on ``torch_setup()`` with one argument changed (by name)."""
    model, optimizer, batches = torch_setup()
    arguments = {"model": model, "loss_fn": torch.nn.CrossEntropyLoss(), "optimizer": optimizer,
                 "train_loader": batches, "epochs": 1, "progress": False, **changes}
    return torch_training.train_torch(**arguments)


def params_3_4_2() -> dict:
    return network.init_params([3, 4, 2], rng())




def real(name: str, dtype: str, given: str = "") -> str:
    """The message of ``to_float64`` for ``name`` given an array of ``dtype`` (made from a ``given``)."""
    source = rf" \(from {given}\)" if given else ""
    return rf"{name} must contain real numbers \(an integer or float array\), got dtype {dtype}{source}"


GRAD_SHAPE = r"grad_out must have the output's shape \(2, 3\), got \(3, 2\)"

TABLE = [
    # ---- activations: functions -------------------------------------------------------------------------
    row("activations.step", lambda: A.step([True, False]), ValueError, real("x", "bool", "list")),
    row("activations.step_derivative", lambda: A.step_derivative("x"), ValueError, real("x", "<U1", "str")),
    row("activations.identity", lambda: A.identity([[1.0, 2.0], [3.0]]), ValueError,
        r"x must be a rectangular array of numbers"),
    row("activations.identity_derivative", lambda: A.identity_derivative(None), ValueError,
        real("x", "object", "NoneType")),
    row("activations.sigmoid", lambda: A.sigmoid(["1", "2"]), ValueError, real("x", "<U1", "list")),
    row("activations.sigmoid_derivative", lambda: A.sigmoid_derivative({"x": 1.0}), ValueError,
        real("x", "object", "dict")),
    row("activations.tanh", lambda: A.tanh("0.5"), ValueError, real("x", "<U3", "str")),
    row("activations.tanh_derivative", lambda: A.tanh_derivative([1j]), ValueError, real("x", "complex128", "list")),
    row("activations.relu", lambda: A.relu("abc"), ValueError, real("x", "<U3", "str")),
    row("activations.relu_derivative", lambda: A.relu_derivative([True]), ValueError, real("x", "bool", "list")),
    row("activations.leaky_relu", lambda: A.leaky_relu(X, "0.1"), ValueError,
        r"negative_slope must be a finite number, got '0.1'"),
    row("activations.leaky_relu_derivative", lambda: A.leaky_relu_derivative(X, None), ValueError,
        r"negative_slope must be a finite number, got None"),
    row("activations.prelu", lambda: A.prelu(X, [0.1, 0.2]), ValueError,
        r"prelu weight must have shape \(1,\) or \(C,\) = \(3,\) .* x of shape \(2, 3\); got weight of shape \(2,\)"),
    row("activations.prelu_derivative", lambda: A.prelu_derivative(X, np.ones((3, 1))), ValueError,
        r"prelu weight must have shape \(1,\) or \(C,\) = \(3,\) .*got weight of shape \(3, 1\)"),
    row("activations.prelu_weight_grad", lambda: A.prelu_weight_grad(X, [0.25], np.ones((3, 2))), ValueError,
        r"grad_out must have the output's shape \(2, 3\), got \(3, 2\)"),
    row("activations.rrelu", lambda: A.rrelu(X, training=True), ValueError,
        r"rrelu in training mode draws random slopes: expected rng=np.random.default_rng\(seed\), got NoneType"),
    row("activations.rrelu_slopes", lambda: A.rrelu_slopes(X, lower="a"), ValueError,
        r"lower must be a finite number, got 'a'"),
    row("activations.elu", lambda: A.elu(X, alpha=None), ValueError, r"alpha must be a finite number, got None"),
    row("activations.elu_derivative", lambda: A.elu_derivative(X, alpha="1"), ValueError,
        r"alpha must be a finite number, got '1'"),
    row("activations.gelu", lambda: A.gelu(X, approximate=True), ValueError,
        r"approximate must be 'none' or 'tanh', got True"),
    row("activations.gelu_derivative", lambda: A.gelu_derivative(X, approximate="fast"), ValueError,
        r"approximate must be 'none' or 'tanh', got 'fast'"),
    row("activations.silu", lambda: A.silu(b"bytes"), ValueError, real("x", r"\|S5", "bytes")),
    row("activations.silu_derivative", lambda: A.silu_derivative([None]), ValueError, real("x", "object", "list")),
    row("activations.softplus", lambda: A.softplus(X, beta=0), ValueError,
        r"beta must be a number other than 0 \(softplus divides by it\), got 0"),
    row("activations.softplus_derivative", lambda: A.softplus_derivative(X, threshold="big"), ValueError,
        r"threshold must be a number, got 'big'"),
    row("activations.softmax", lambda: A.softmax(X, axis="last"), ValueError,
        r"axis must be an integer \(the axis to normalise along\), got 'last'"),
    row("activations.log_softmax", lambda: A.log_softmax(X, axis=None), ValueError,
        r"axis must be an integer \(the axis to normalise along\), got None"),
    row("activations.softmax_jacobian", lambda: A.softmax_jacobian(X, axis=1.0), ValueError,
        r"axis must be an integer \(the axis to normalise along\), got 1.0"),
    row("activations.softmax_vjp", lambda: A.softmax_vjp(X, np.ones((3, 2))), ValueError, GRAD_SHAPE),
    row("activations.log_softmax_jacobian", lambda: A.log_softmax_jacobian("ab"), ValueError, real("x", "<U2", "str")),
    row("activations.log_softmax_vjp", lambda: A.log_softmax_vjp(X, np.ones(3)), ValueError,
        r"grad_out must have the output's shape \(2, 3\), got \(3,\)"),
    row("activations.softmax_temperature", lambda: A.softmax_temperature(X, temperature=0), ValueError,
        r"temperature must be a finite number > 0, got 0"),
    row("activations.entropy", lambda: A.entropy([0.5, 1.5, -1.0]), ValueError,
        r"p must be non-negative \(probabilities\), got a minimum of -1.0"),
    row("activations.activation_spec", lambda: A.activation_spec(None), ValueError,
        r"unknown activation None; choose one of identity, step, sigmoid"),
    row("activations.make_activation", lambda: A.make_activation("Swish"), ValueError,
        r"unknown activation 'Swish'; choose one of identity, step, sigmoid, tanh, relu"),
    row("activations.make_torch_activation", lambda: A.make_torch_activation("step"), ValueError,
        r"PyTorch has no module for the activation 'step'; choose one of identity, sigmoid, tanh"),
    # ---- activations: modules (constructors, forward, backward) ------------------------------------------
    row("activations.Identity.backward", lambda: forward_then_backward(A.Identity(), X, np.ones((3, 2))),
        ValueError, GRAD_SHAPE),
    row("activations.Step.forward", lambda: A.Step()("x"), ValueError, real("x", "<U1", "str")),
    row("activations.Sigmoid.backward", lambda: forward_then_backward(A.Sigmoid(), X, np.ones((3, 2))),
        ValueError, GRAD_SHAPE),
    row("activations.Tanh.backward", lambda: forward_then_backward(A.Tanh(), X, [1.0, 2.0]), ValueError,
        r"grad_out must have the output's shape \(2, 3\), got \(2,\)"),
    row("activations.ReLU.forward", lambda: A.ReLU()([["a"]]), ValueError, real("x", "<U1", "list")),
    row("activations.ReLU.backward", lambda: forward_then_backward(A.ReLU(), X, np.ones((3, 2))), ValueError,
        GRAD_SHAPE),
    row("activations.LeakyReLU", lambda: A.LeakyReLU("0.01"), ValueError,
        r"negative_slope must be a finite number, got '0.01'"),
    row("activations.PReLU", lambda: A.PReLU(num_parameters=0), ValueError,
        r"num_parameters must be a positive integer, got 0"),
    row("activations.PReLU.forward", lambda: A.PReLU(4)(X), ValueError,
        r"prelu weight must have shape \(1,\) or \(C,\) = \(3,\) .*got weight of shape \(4,\)"),
    row("activations.RReLU", lambda: A.RReLU(lower=0.5, upper=0.1), ValueError,
        r"rrelu needs lower <= upper .*got lower=0.5, upper=0.1"),
    row("activations.RReLU.forward", lambda: A.RReLU(rng=0)(X), ValueError,
        r"expected rng=np.random.default_rng\(seed\), got int"),
    row("activations.ELU", lambda: A.ELU(alpha=[1.0, 2.0]), ValueError,
        r"alpha must be a finite number, got \[1.0, 2.0\]"),
    row("activations.GELU", lambda: A.GELU("exact"), ValueError, r"approximate must be 'none' or 'tanh', got 'exact'"),
    row("activations.SiLU.backward", lambda: forward_then_backward(A.SiLU(), X, np.ones((2, 2))), ValueError,
        r"grad_out must have the output's shape \(2, 3\), got \(2, 2\)"),
    row("activations.Softplus", lambda: A.Softplus(beta=0.0), ValueError,
        r"beta must be a number other than 0 .*got 0"),
    row("activations.Softmax", lambda: A.Softmax(dim="rows"), ValueError,
        r"dim must be an integer \(the axis to normalise along\), got 'rows'"),
    row("activations.Softmax.backward", lambda: forward_then_backward(A.Softmax(), X, np.ones((3, 2))),
        ValueError, GRAD_SHAPE),
    row("activations.LogSoftmax", lambda: A.LogSoftmax(dim=1.5), ValueError,
        r"dim must be an integer \(the axis to normalise along\), got 1.5"),
    # ---- layers -------------------------------------------------------------------------------------------
    row("layers.Linear", lambda: layers.Linear(3, 0), ValueError, r"out_features must be a positive integer, got 0"),
    row("layers.Linear", lambda: layers.Linear(3, 4, rng=0), ValueError,
        r"rng must be a numpy.random.Generator \(e.g. np.random.default_rng\(0\)\), got int"),
    row("layers.Linear.forward", lambda: layers.Linear(4, 2, rng=rng())(X), ValueError,
        r"Linear\(in_features=4, out_features=2\) expects an input of shape \(N, 4\), got shape \(2, 3\)"),
    row("layers.Linear.backward", lambda: forward_then_backward(layers.Linear(3, 4, rng=rng()), X, np.ones((2, 3))),
        ValueError, r"grad_out must have the output's shape \(2, 4\), got shape \(2, 3\)"),
    row("layers.Sequential", lambda: layers.Sequential([A.ReLU(), A.Tanh()]), TypeError,
        r"Sequential takes Module instances, got list .*\(unpack the list: Sequential\(\*modules\)\)"),
    row("layers.Sequential", lambda: layers.Sequential(A.ReLU), TypeError,
        r"got type .*\(an instance is needed: write ReLU\(\), not ReLU\)"),
    row("layers.Sequential.forward", lambda: mlp()(np.ones((2, 4))), ValueError,
        r"module \(0\) Linear: Linear\(in_features=3, out_features=4\) expects an input of shape \(N, 3\), "
        r"got shape \(2, 4\)"),
    row("layers.Sequential.backward", lambda: forward_then_backward(mlp(), X, np.ones((2, 4))), ValueError,
        r"grad_out must have the output's shape \(2, 3\), got shape \(2, 4\)"),
    row("layers.Sequential.__getitem__", lambda: mlp()["0"], TypeError,
        r"Sequential indices must be integers or slices, got str"),
    # ---- losses -------------------------------------------------------------------------------------------
    row("losses.MSELoss.forward", lambda: L.MSELoss()(np.ones((4, 1)), np.ones(4)), ValueError,
        r"target must have the input's shape \(4, 1\), got shape \(4,\)"),
    row("losses.MSELoss.backward", lambda: fitted_loss(L.MSELoss("none"), X, X).backward(np.ones(3)), ValueError,
        r"with reduction='none', grad_out must have the loss's shape \(2, 3\), got shape \(3,\)"),
    row("losses.L1Loss", lambda: L.L1Loss(reduction="avg"), ValueError,
        r"reduction must be one of 'mean', 'sum', 'none'; got 'avg'"),
    row("losses.HuberLoss", lambda: L.HuberLoss(delta=0), ValueError, r"delta must be a finite number > 0, got 0"),
    row("losses.SmoothL1Loss", lambda: L.SmoothL1Loss(beta=-1), ValueError,
        r"beta must be a finite number >= 0, got -1"),
    row("losses.BCELoss.forward", lambda: L.BCELoss()(np.array([0.5, 2.0]), np.array([1.0, 0.0])), ValueError,
        r"BCELoss's input \(probabilities\) must lie in \[0, 1\], got 2; for logits .* use BCEWithLogitsLoss"),
    row("losses.BCEWithLogitsLoss.forward", lambda: L.BCEWithLogitsLoss(pos_weight=[1.0, 2.0])(X, X > 0), ValueError,
        real("target", "bool", "ndarray")),
    row("losses.BCEWithLogitsLoss.forward", lambda: L.BCEWithLogitsLoss(pos_weight=[1.0, 2.0])(X, 0.0 * X),
        ValueError, r"pos_weight of shape \(2,\) cannot be broadcast to the input's shape \(2, 3\)"),
    row("losses.CrossEntropyLoss", lambda: L.CrossEntropyLoss(label_smoothing=None), ValueError,
        r"label_smoothing must be a number in \[0, 1\], got None"),
    row("losses.CrossEntropyLoss", lambda: L.CrossEntropyLoss(ignore_index="none"), ValueError,
        r"ignore_index must be an integer \(a class index whose examples are skipped\), got 'none'"),
    row("losses.CrossEntropyLoss.forward", lambda: L.CrossEntropyLoss()(X, Y.astype(float)), ValueError,
        r"must have the input's shape \(2, 3\), got shape \(2,\); class indices must be integers"),
    row("losses.CrossEntropyLoss.forward", lambda: L.CrossEntropyLoss()(X, np.array([0, 1, 2])), ValueError,
        r"a target of class indices must have shape \(2,\) for an input of shape \(2, 3\), got shape \(3,\)"),
    row("losses.CrossEntropyLoss.backward", lambda: fitted_loss(L.CrossEntropyLoss(), X, Y).backward([1.0, 1.0]),
        ValueError, r"with reduction='mean' the loss is a number, so grad_out must be one number, got shape \(2,\)"),
    row("losses.NLLLoss.forward", lambda: L.NLLLoss()(X, np.array([0, 3])), ValueError,
        r"target holds the class index 3, out of range for 3 classes: expected 0 <= index <= 2"),
    row("losses.NLLLoss", lambda: L.NLLLoss(ignore_index=1.5), ValueError,
        r"ignore_index must be an integer .*got 1.5"),
    row("losses.mse_loss", lambda: L.mse_loss([1.0, 2.0], ["a", "b"]), ValueError, real("target", "<U1", "list")),
    row("losses.l1_loss", lambda: L.l1_loss(X, X.T), ValueError,
        r"target must have the input's shape \(2, 3\), got shape \(3, 2\)"),
    row("losses.huber_loss", lambda: L.huber_loss(X, X, delta="1"), ValueError,
        r"delta must be a finite number > 0, got '1'"),
    row("losses.smooth_l1_loss", lambda: L.smooth_l1_loss(X, X, beta=float("inf")), ValueError,
        r"beta must be a finite number >= 0, got inf"),
    row("losses.binary_cross_entropy", lambda: L.binary_cross_entropy([0.2, 0.9], [1.0, 2.0]), ValueError,
        r"BCELoss's target must lie in \[0, 1\], got 2"),
    row("losses.binary_cross_entropy_with_logits", lambda: L.binary_cross_entropy_with_logits(X, X[0]),
        ValueError, r"target must have the input's shape \(2, 3\), got shape \(3,\)"),
    row("losses.cross_entropy", lambda: L.cross_entropy(X, np.array([-1, 0])), ValueError,
        r"target holds the class index -1, out of range for 3 classes: expected 0 <= index <= 2"),
    row("losses.nll_loss", lambda: L.nll_loss(X, Y > 0), ValueError,
        r"NLLLoss needs class indices as integers \(e.g. labels.astype\(int\)\), got dtype bool"),
    row("losses.kl_divergence", lambda: L.kl_divergence([0.5, 0.5], [1.5, -0.5]), ValueError,
        r"p and q must be probability distributions \(no negative entries\), got q with a minimum of -0.5"),
    row("losses.optimal_margin", lambda: L.optimal_margin(10.0, 0.1), ValueError,
        r"n_classes must be an integer >= 2, got 10.0"),
    # ---- module -------------------------------------------------------------------------------------------
    row("module.to_float64", lambda: module.to_float64([1, "a"], name="X"), ValueError, real("X", "<U21", "list")),
    row("module.check_positive_int", lambda: module.check_positive_int(2.5, "epochs"), ValueError,
        r"epochs must be a positive integer, got 2.5"),
    row("module.check_number", lambda: module.check_number(True, "lr", above=0), ValueError,
        r"lr must be a finite number > 0, got True"),
    row("module.check_seed", lambda: module.check_seed(np.int64(-1)), ValueError,
        r"seed must be an integer >= 0, got -1$"),
    row("module.check_rng", lambda: module.check_rng(np.random.RandomState(0)), ValueError,
        r"rng must be a numpy.random.Generator \(e.g. np.random.default_rng\(0\)\), got RandomState"),
    row("module.check_module", lambda: module.check_module(L.MSELoss, "loss_fn", "a loss module"), TypeError,
        r"loss_fn must be a loss module, got the class MSELoss \(an instance is needed: write MSELoss\(\)"),
    row("module.Parameter", lambda: module.Parameter("abc"), ValueError, real("Parameter data", "<U3", "str")),
    row("module.Parameter.accumulate_grad", lambda: module.Parameter(np.zeros(3)).accumulate_grad(np.ones(2)),
        ValueError, r"gradient shape mismatch: expected \(3,\), got \(2,\)"),
    row("module.Module.train", lambda: module.Module().train("yes"), TypeError,
        r"training mode must be a bool, got str"),
    # ---- optim and training -------------------------------------------------------------------------------
    row("optim.check_lr", lambda: optim.check_lr("0.1"), ValueError,
        r"the learning rate must be a positive number, got '0.1'"),
    row("optim.sgd_step", lambda: optim.sgd_step(mlp(), 0.1), ValueError,
        r"pass the model's parameters, e.g. sgd_step\(model.parameters\(\), lr\), not the model itself "
        r"\(Sequential\)"),
    row("optim.Optimizer", lambda: optim.Optimizer(mlp().parameters(), defaults=0.1), ValueError,
        r"defaults must be a dict of hyper-parameters, got float"),
    row("optim.SGD", lambda: optim.SGD(layers.Linear(3, 2), lr=0.1), ValueError,
        r"pass the model's parameters, e.g. SGD\(model.parameters\(\), ...\), not the model itself \(Linear\)"),
    row("optim.SGD", lambda: optim.SGD(mlp().parameters(), lr=float("nan")), ValueError,
        r"the learning rate must be a number >= 0, got nan"),
    row("optim.SGD.step", lambda: optim.SGD(mlp().parameters(), lr=0.1).step(closure=0.5), TypeError,
        r"closure must be a function that recomputes the loss, got float"),
    row("optim.SGD.load_state_dict", lambda: optim.SGD(mlp().parameters(), lr=0.1).load_state_dict({"lr": 0.1}),
        ValueError, r"expected a dict with 'state' and 'param_groups', as state_dict\(\) returns"),
    row("optim.SGD", lambda: optim.SGD(mlp().parameters(), lr=0.1, momentum=-0.9), ValueError,
        r"momentum must be a finite number >= 0, got -0.9"),
    row("optim.SGD", lambda: optim.SGD(mlp().parameters(), lr=0.1, nesterov=True), ValueError,
        r"Nesterov momentum needs momentum > 0 and dampening = 0, got momentum=0 and dampening=0"),
    row("optim.SGD", lambda: optim.SGD(mlp().parameters(), lr=0.1, foreach=True), ValueError,
        r"SGD\(foreach=...\): the course's optimizers don't have the 'foreach' option"),
    row("optim.Adagrad", lambda: optim.Adagrad(mlp().parameters(), lr_decay=-0.1), ValueError,
        r"lr_decay must be a finite number >= 0, got -0.1"),
    row("optim.Adagrad", lambda: optim.Adagrad(mlp().parameters(), eps="1e-10"), ValueError,
        r"eps must be a finite number >= 0, got '1e-10'"),
    row("optim.RMSprop", lambda: optim.RMSprop(mlp().parameters(), alpha=1.5), ValueError,
        r"alpha \(the decay of the running average of g²\) must be in \[0, 1\], got 1.5"),
    row("optim.RMSprop", lambda: optim.RMSprop(mlp().parameters(), centered="yes"), ValueError,
        r"centered must be True or False, got 'yes'"),
    row("optim.Adam", lambda: optim.Adam(mlp().parameters(), betas=(0.9, 1.0)), ValueError,
        r"betas\[1\] must be in \[0, 1\), got 1"),
    row("optim.Adam", lambda: optim.Adam(mlp().parameters(), betas=0.9), ValueError,
        r"betas must be a pair \(beta1, beta2\), got 0.9"),
    row("optim.Adam", lambda: optim.Adam(mlp().parameters(), lr=-1e-3), ValueError,
        r"the learning rate must be a number >= 0, got -0.001"),
    row("optim.Adam", lambda: optim.Adam(mlp().parameters(), maximize=True), ValueError,
        r"Adam\(maximize=...\): the course's optimizers don't have the 'maximize' option \(to maximize f, minimize"),
    row("optim.Adam", lambda: optim.Adam(mlp().parameters(), beta1=0.9), TypeError,
        r"Adam\(\) got an unexpected keyword argument 'beta1'"),
    row("optim.AdamW", lambda: optim.AdamW(mlp().parameters(), eps=-1e-8), ValueError,
        r"eps must be a finite number >= 0, got -1e-08"),
    row("optim.AdamW", lambda: optim.AdamW(mlp().parameters(), decoupled_weight_decay=False), ValueError,
        r"AdamW's weight decay is always decoupled: for the coupled one use Adam"),
    row("optim.AdamW", lambda: optim.AdamW(mlp().parameters(), fused=True), ValueError,
        r"AdamW\(fused=...\): the course's optimizers don't have the 'fused' option"),
    row("optim.clip_grad_norm_", lambda: optim.clip_grad_norm_(mlp(), 1.0), ValueError,
        r"pass the model's parameters, e.g. clip_grad_norm_\(model.parameters\(\), ...\), not the model itself "
        r"\(Sequential\)"),
    row("optim.clip_grad_norm_", lambda: optim.clip_grad_norm_(mlp().parameters(), -1.0), ValueError,
        r"max_norm must be a number >= 0, got -1.0"),
    row("optim.clip_grad_norm_", lambda: optim.clip_grad_norm_(mlp().parameters(), 1.0, norm_type="inf"),
        ValueError, r"norm_type must be a number > 0, got 'inf'"),
    row("optim.clip_grad_value_", lambda: optim.clip_grad_value_(mlp().parameters(), None), ValueError,
        r"clip_value must be a number >= 0, got None"),
    row("optim.clip_grad_value_", lambda: optim.clip_grad_value_([np.ones(3)], 1.0), ValueError,
        r"clip_grad_value_ clips the gradients of utils.module.Parameter objects \(e.g. model.parameters\(\)\), "
        r"got ndarray"),
    # ---- schedulers ---------------------------------------------------------------------------------------
    row("schedulers.LRScheduler", lambda: schedulers.LRScheduler([module.Parameter(1.0)]), TypeError,
        r"optimizer must be an optimizer of utils.optim, e.g. SGD\(model.parameters\(\), lr=0.1\); got builtins.list"),
    row("schedulers.LRScheduler.load_state_dict",
        lambda: schedulers.StepLR(sgd(), 3).load_state_dict(schedulers.ExponentialLR(sgd(), 0.9).state_dict()),
        ValueError, r"expected the state_dict\(\) of a StepLR, with keys \[.*'step_size'\]; got \[.*'gamma'"),
    row("schedulers.StepLR", lambda: schedulers.StepLR(sgd(), step_size=0), ValueError,
        r"step_size must be a positive integer, got 0"),
    row("schedulers.ExponentialLR", lambda: schedulers.ExponentialLR(sgd(), gamma=0.0), ValueError,
        r"gamma must be a finite number > 0, got 0.0"),
    row("schedulers.CosineAnnealingLR", lambda: schedulers.CosineAnnealingLR(sgd(), T_max=-5), ValueError,
        r"T_max must be a positive integer, got -5"),
    row("schedulers.LinearLR", lambda: schedulers.LinearLR(sgd(), start_factor=2.0), ValueError,
        r"start_factor must be a number in \(0, 1\], got 2.0"),
    row("schedulers.SequentialLR", lambda: (lambda o: schedulers.SequentialLR(
        o, [schedulers.LinearLR(o), schedulers.StepLR(o, 3)], milestones=[]))(sgd()), ValueError,
        r"milestones must be a list of 1 step\(s\), one fewer than the 2 schedulers; got 0 milestones"),
    row("schedulers.OneCycleLR", lambda: schedulers.OneCycleLR(sgd(), max_lr=1.0, cycle_momentum=False), ValueError,
        r"OneCycleLR needs the length of the cycle: total_steps, or both epochs and steps_per_epoch"),
    row("schedulers.OneCycleLR", lambda: schedulers.OneCycleLR(sgd(), 1.0, 10, three_phase=True), ValueError,
        r"three_phase=True \(the original paper's third phase\) is left out of the course"),
    row("schedulers.lr_trace", lambda: schedulers.lr_trace(schedulers.StepLR, steps=0), ValueError,
        r"steps must be a positive integer, got 0"),
    row("schedulers.lr_trace", lambda: schedulers.lr_trace("cosine", steps=10), TypeError,
        r"make_scheduler must be a function optimizer -> scheduler, e.g. lambda opt: StepLR\(opt, step_size=10\); "
        r"got str"),
    row("schedulers.warmup_cosine_lr", lambda: schedulers.warmup_cosine_lr(5, 0.1, warmup_steps=10, total_steps=8),
        ValueError, r"total_steps must be larger than warmup_steps \(10\) to leave steps for the cosine, got 8"),
    row("training.sgd_step", lambda: training.sgd_step([np.ones(3)], 0.1), ValueError,
        r"an optimizer updates utils.module.Parameter objects \(e.g. model.parameters\(\)\), got ndarray"),
    row("training.fit", lambda: training.fit(mlp(), L.cross_entropy, optim.SGD([module.Parameter(1.0)], lr=0.1),
                                             X, Y, epochs=1), TypeError,
        r"loss_fn must be a loss module with a backward, such as CrossEntropyLoss\(\), got the function "
        r"cross_entropy"),
    row("training.fit", lambda: training.fit(lambda x: x, L.CrossEntropyLoss(), None, X, Y, epochs=1), TypeError,
        r"model must be a utils Module such as Sequential\(.*\), got the function <lambda>"),
    row("training.fit", lambda: (lambda m: training.fit(m, L.CrossEntropyLoss(), optim.SGD(m.parameters(), lr=0.1),
                                                        X, Y[:1], epochs=1))(mlp()), ValueError,
        r"X and y must have the same number of examples, got 2 and 1"),
    row("training.accuracy", lambda: training.accuracy(X, np.eye(3)[Y]), ValueError,
        r"y must hold one class label per example: 2 labels for scores of shape \(2, 3\), got y of shape \(2, 3\); "
        r"for one-hot rows pass y.argmax\(axis=1\)"),
    row("training.accuracy", lambda: training.accuracy(X, ["a", "b"]), ValueError,
        r"y must hold class labels \(integers\), got dtype <U1"),
    row("training.gradient_norms", lambda: training.gradient_norms(mlp().parameters()), TypeError,
        r"model must be a utils Module instance, got generator"),
    # ---- network ------------------------------------------------------------------------------------------
    row("network.dense", lambda: network.dense(X, np.ones((4, 2))), ValueError,
        r"X must have shape \(N, 2\) to fit W of shape \(4, 2\) \(out_features, in_features\); "
        r"got X of shape \(2, 3\)"),
    row("network.init_params", lambda: network.init_params([3, 0, 2], rng()), ValueError,
        r"layer sizes must be a list of at least two positive integers \[inputs, ..., outputs\], got \[3, 0, 2\]"),
    row("network.layer_sizes", lambda: network.layer_sizes({**params_3_4_2(), "b1": np.zeros(3)}), ValueError,
        r"b1 must have shape \(4,\) to match W1 \(4, 3\), got \(3,\)"),
    row("network.count_parameters", lambda: network.count_parameters(3), ValueError,
        r"layer sizes must be a list of positive integers, got 3"),
    row("network.activation_function", lambda: network.activation_function("swish"), ValueError,
        r"unknown activation 'swish'; choose one of identity"),
    row("network.forward_trace", lambda: network.forward_trace(X, params_3_4_2(), ["relu"]), ValueError,
        r"the network has 2 layers but 1 activations were given"),
    row("network.forward", lambda: network.forward(X.T, params_3_4_2()), ValueError,
        r"x must have shape \(N, 3\) for W1 of shape \(4, 3\), got shape \(3, 2\)"),
    row("network.to_sequential", lambda: network.to_sequential(params_3_4_2(), [A.relu, A.identity]), ValueError,
        r"to_sequential needs activation names \(identity, .*\), got <function relu"),
    row("network.to_torch", lambda: network.to_torch(params_3_4_2(), ["relu", "swish"]), ValueError,
        r"unknown activation 'swish'; choose one of"),
    row("network.deep_stack", lambda: network.deep_stack(3, 2, depth=2, width=4, activation="relu",
                                                         scheme="pytorch", rng=0), ValueError,
        r"rng must be a numpy.random.Generator \(e.g. np.random.default_rng\(0\)\), got int"),
    row("network.gradient_per_layer", lambda: network.gradient_per_layer(mlp(), L.cross_entropy, X, Y), TypeError,
        r"loss_fn must be a loss module with a backward, such as CrossEntropyLoss\(\), got the function "
        r"cross_entropy"),
    row("network.deep_activations", lambda: network.deep_activations("xavier_uniform", seed=-1), ValueError,
        r"seed must be an integer >= 0, got -1"),
    # ---- init ---------------------------------------------------------------------------------------------
    row("init.compute_fans", lambda: init.compute_fans((3,)), ValueError,
        r"fan_in and fan_out need a weight with at least 2 dimensions \(out, in, ...\), got shape \(3,\)"),
    row("init.calculate_gain", lambda: init.calculate_gain("swish"), ValueError,
        r"unsupported nonlinearity 'swish'; choose one of linear"),
    row("init.xavier_std", lambda: init.xavier_std((3, 4), gain=-1), ValueError,
        r"gain must be a finite number >= 0, got -1"),
    row("init.kaiming_std", lambda: init.kaiming_std((3, 4), mode="in"), ValueError,
        r"mode must be 'fan_in' or 'fan_out', got 'in'"),
    row("init.zeros", lambda: init.zeros((2, 2), rng="seed"), ValueError,
        r"rng must be a numpy.random.Generator .*got str"),
    row("init.normal", lambda: init.normal((2, 2), rng(), std=-0.1), ValueError,
        r"std must be a finite number >= 0, got -0.1"),
    row("init.uniform", lambda: init.uniform((2, 2), rng(), low="-1"), ValueError,
        r"low must be a finite number, got '-1'"),
    row("init.lecun_normal", lambda: init.lecun_normal((3, -4), rng()), ValueError,
        r"shape must be a tuple of non-negative integers, got \(3, -4\)"),
    row("init.xavier_uniform", lambda: init.xavier_uniform((2.5, 3), rng()), ValueError,
        r"shape must be a tuple of non-negative integers, got \(2.5, 3\)"),
    row("init.xavier_normal", lambda: init.xavier_normal((3, 4), rng(), gain="1"), ValueError,
        r"gain must be a finite number >= 0, got '1'"),
    row("init.kaiming_uniform", lambda: init.kaiming_uniform((3, 0), rng()), ValueError,
        r"cannot initialize a weight with fan_in = 0 \(shape \(3, 0\)\)"),
    row("init.kaiming_normal", lambda: init.kaiming_normal((3, 4), 42), ValueError,
        r"rng must be a numpy.random.Generator .*got int"),
    row("init.linear_default", lambda: init.linear_default((4,), rng()), ValueError,
        r"at least 2 dimensions .*got shape \(4,\)"),
    row("init.get_scheme", lambda: init.get_scheme("he"), ValueError,
        r"unknown scheme 'he'; choose one of zeros, small_normal"),
    row("init.scheme_std", lambda: init.scheme_std("glorot", (3, 4)), ValueError,
        r"unknown scheme 'glorot'; choose one of zeros"),
    # ---- data ---------------------------------------------------------------------------------------------
    row("data.logic_gate", lambda: data.logic_gate("xnor"), ValueError,
        r"unknown gate 'xnor'; choose one of and, or, nand, nor, xor"),
    row("data.spirals", lambda: data.spirals(100, 1, rng=rng()), ValueError,
        r"n_classes must be an integer >= 2, got 1"),
    row("data.spirals", lambda: data.spirals(2.5, rng=rng()), ValueError,
        r"n_per_class must be a positive integer, got 2.5"),
    row("data.moons", lambda: data.moons(100, noise=-0.1, rng=rng()), ValueError,
        r"noise must be a finite number >= 0, got -0.1"),
    row("data.moons", lambda: data.moons(100, rng=0), ValueError, r"rng must be a numpy.random.Generator .*got int"),
    row("data.blobs", lambda: data.blobs(10, centers=[0.0, 1.0], rng=rng()), ValueError,
        r"centers must have shape \(C, D\), got shape \(2,\)"),
    row("data.blobs", lambda: data.blobs(-5, rng=rng()), ValueError, r"n_per_class must be a positive integer, got -5"),
    row("data.digits_split", lambda: data.digits_split(test_size=25), ValueError,
        r"test_size must be a number between 0 and 1 \(the share of examples kept for testing\), got 25$"),
    row("data.load_mnist5k", lambda: data.load_mnist5k(seed=1.5), ValueError, r"seed must be an integer >= 0, got 1.5"),
    # ---- perceptron ---------------------------------------------------------------------------------------
    row("perceptron.decision_function", lambda: perceptron.decision_function(X, [1.0, 1.0], 0.0), ValueError,
        r"weight must have shape \(3,\) to match X's 3 features; got shape \(2,\)"),
    row("perceptron.predict", lambda: perceptron.predict(X[0], np.ones(3), 0.0), ValueError,
        r"X must have shape \(N, D\), one example per row; got shape \(3,\)"),
    row("perceptron.score", lambda: perceptron.score(X, [0.0, 1.0, 1.0], np.ones(3), 0.0), ValueError,
        r"y must have shape \(2,\), one 0/1 target per row of X; got shape \(3,\)"),
    row("perceptron.perceptron_update", lambda: perceptron.perceptron_update(np.ones(3), 0.0, X[0], "1"),
        ValueError, r"target must be 0 or 1; got '1'"),
    row("perceptron.perceptron_update", lambda: perceptron.perceptron_update(np.ones(3), 0.0, X[0], 1, lr=-0.1),
        ValueError, r"the learning rate must be a positive number, got -0.1"),
    row("perceptron.train_perceptron", lambda: perceptron.train_perceptron(X, [0, 1], epochs=2.5, rng=rng()),
        ValueError, r"epochs must be a positive integer, got 2.5"),
    row("perceptron.train_perceptron", lambda: perceptron.train_perceptron(X, [0, 1], rng=0), ValueError,
        r"rng must be a numpy.random.Generator .*got int"),
    row("perceptron.Perceptron", lambda: perceptron.Perceptron("2"), ValueError,
        r"in_features must be a positive integer, got '2'"),
    row("perceptron.Perceptron.forward", lambda: perceptron.Perceptron(2)(X), ValueError,
        r"Perceptron\(in_features=2\) expects X of shape \(N, 2\); got shape \(2, 3\)"),
    row("perceptron.linearly_separable", lambda: perceptron.linearly_separable(X, Y), ValueError,
        r"y must contain only 0 and 1; got the values \[0. 2.\]"),
    row("perceptron.decision_line", lambda: perceptron.decision_line([1.0, 1.0], 0.0, limits=(1.5, -0.5)),
        ValueError, r"limits must be \(lo, hi\) with lo < hi; got \(1.5, -0.5\)"),
    row("perceptron.positive_region", lambda: perceptron.positive_region([1.0, 1.0], 0.0, limits=2.0), ValueError,
        r"limits must be \(lo, hi\) with lo < hi; got 2.0"),
    # ---- linear_maps --------------------------------------------------------------------------------------
    row("linear_maps.affine", lambda: linear_maps.affine(X, np.ones((4, 2))), ValueError,
        r"X has 3 features per row but W expects 2 \(X \(2, 3\), W \(4, 2\): W is \(out_features, in_features\)\)"),
    row("linear_maps.compose", lambda: linear_maps.compose(np.ones((4, 3)), np.ones((2, 5))), ValueError,
        r"W2 \(2, 5\) cannot follow a map with 4 outputs \(W1 \(4, 3\)\): W2 needs 4 input features"),
    row("linear_maps.transform", lambda: linear_maps.transform(X, np.eye(2)), ValueError,
        r"points must have 2 coordinates in the last axis, shape \(..., 2\); got \(2, 3\)"),
    row("linear_maps.determinant", lambda: linear_maps.determinant(np.eye(3)), ValueError,
        r"A must be a 2×2 matrix; got shape \(3, 3\)"),
    row("linear_maps.describe", lambda: linear_maps.describe([1.0, 2.0]), ValueError,
        r"A must be a 2×2 matrix; got shape \(2,\)"),
    row("linear_maps.grid_segments", lambda: linear_maps.grid_segments(n=1), ValueError,
        r"n must be an integer >= 2 \(lines per direction\); got 1"),
    row("linear_maps.unit_circle", lambda: linear_maps.unit_circle(3.5), ValueError,
        r"n must be a positive integer, got 3.5"),
    row("linear_maps.check_limits", lambda: linear_maps.check_limits((0.0, "1")), ValueError,
        r"limits must be \(lo, hi\) with lo < hi; got \(0.0, '1'\)"),
    # ---- autograd -----------------------------------------------------------------------------------------
    row("autograd.Value", lambda: autograd.Value(np.array([1.0, 2.0])), TypeError,
        r"Value data must be a real number, got ndarray"),
    row("autograd.Value.__add__", lambda: autograd.Value(1.0) + "2", TypeError,
        r"the other operand must be a real number, got str '2'"),
    row("autograd.Value.backward", lambda: autograd.Value(1.0).backward(grad=None), TypeError,
        r"grad must be a real number, got NoneType None"),
    row("autograd.topological_order", lambda: autograd.topological_order(3.0), TypeError,
        r"expected a Value, got float"),
    row("autograd.Neuron", lambda: autograd.Neuron(3, rng=0), ValueError,
        r"rng must be a numpy.random.Generator .*got int"),
    row("autograd.Neuron.__call__", lambda: autograd.Neuron(3, rng=rng())(1.0), TypeError,
        r"a neuron takes one example as a list of 3 numbers \(or Values\), got float 1.0"),
    row("autograd.Neuron.__call__", lambda: autograd.Neuron(3, rng=rng())(X.T), ValueError,
        r"a neuron takes one example of shape \(3,\), got an array of shape \(3, 2\): call it on each row"),
    row("autograd.Layer", lambda: autograd.Layer(3, 0, rng=rng()), ValueError,
        r"n_outputs must be a positive integer, got 0"),
    row("autograd.MLP", lambda: autograd.MLP(3, 4, rng=rng()), ValueError,
        r"layer_sizes must be a list of layer sizes, e.g. \[4, 4, 1\], got 4"),
    row("autograd.MLP.__call__", lambda: autograd.MLP(3, [4, 1], rng=rng())([1.0, 2.0]), ValueError,
        r"this neuron takes 3 inputs, got 2"),
    # ---- autograd_steps -----------------------------------------------------------------------------------
    row("autograd_steps.steps_of", lambda: autograd_steps.steps_of(2.0), TypeError, r"expected a Value, got float"),
    row("autograd_steps.backprop_steps", lambda: autograd_steps.backprop_steps("loop"), ValueError,
        r"unknown graph 'loop'; choose one of chain, neuron, reuse"),
    row("autograd_steps.format_value", lambda: autograd_steps.format_value("0.5"), ValueError,
        r"v must be a number, got '0.5'"),
    row("autograd_steps.op_symbol", lambda: autograd_steps.op_symbol(None), TypeError,
        r"op must be a Value's operation as a string, e.g. '\*' or '\*\*2', got NoneType"),
    # ---- gradcheck ----------------------------------------------------------------------------------------
    row("gradcheck.numerical_gradient", lambda: gradcheck.numerical_gradient(np.sum(X), X), TypeError,
        r"f must be a function of x returning one number, got float64"),
    row("gradcheck.numerical_gradient", lambda: gradcheck.numerical_gradient(np.sum, X, h=-1e-6), ValueError,
        r"h must be a finite number > 0, got -1e-06"),
    row("gradcheck.relative_error", lambda: gradcheck.relative_error(X, X.T), ValueError,
        r"cannot compare gradients of different shapes: \(2, 3\) and \(3, 2\)"),
    row("gradcheck.check_gradient", lambda: gradcheck.check_gradient(np.sum, X, X.T, name="W"), ValueError,
        r"the gradient of W must have its shape \(2, 3\), got shape \(3, 2\)"),
    row("gradcheck.gradcheck_module", lambda: gradcheck.gradcheck_module(A.relu, X), TypeError,
        r"gradcheck_module takes a utils Module, got function"),
    # ---- regression ---------------------------------------------------------------------------------------
    row("regression.fit_line", lambda: regression.fit_line([1.0, 2.0, 3.0], [1.0, 2.0]), ValueError,
        r"x and y must be 1-D of the same length >= 2, got shapes \(3,\) and \(2,\)"),
    row("regression.fit_line", lambda: regression.fit_line([1.0, 2.0], [1.0, 2.0], "mae"), ValueError,
        r"loss must be one of MSE, MAE, Huber, got 'mae'"),
    row("regression.outlier_data", lambda: regression.outlier_data(n=1), ValueError,
        r"n must be an integer >= 2 \(a line needs two points\), got 1"),
    row("regression.OutlierData.with_shift", lambda: regression.outlier_data().with_shift("15"), ValueError,
        r"shift must be a finite number, got '15'"),
    row("regression.outlier_fits", lambda: regression.outlier_fits(15.0, delta=0.0), ValueError,
        r"delta must be a finite number > 0, got 0.0"),
    row("regression.slopes_versus_shift", lambda: regression.slopes_versus_shift(np.zeros((2, 3))), ValueError,
        r"shifts must be a 1-D array of shifts, shape \(S,\), got shape \(2, 3\)"),
    # ---- the explorers' computations ----------------------------------------------------------------------
    row("playground.playground_surface", lambda: playground.playground_surface(width=33), ValueError,
        r"width must be an integer from 1 to 32, got 33"),
    row("playground.playground_surface", lambda: playground.playground_surface(seed="0"), ValueError,
        r"seed must be an integer >= 0, got '0'"),
    row("layer_statistics.init_statistics", lambda: layer_statistics.init_statistics(depth=11), ValueError,
        r"depth must be an integer from 1 to 10, got 11"),
    row("train2d.dataset_2d", lambda: train2d.dataset_2d("circles"), ValueError,
        r"unknown data set 'circles'; choose one of spirals, moons"),
    row("train2d.make_classifier", lambda: train2d.make_classifier(0), ValueError,
        r"n_classes must be a positive integer, got 0"),
    row("train2d.train_2d", lambda: train2d.train_2d(hidden=2.5), ValueError,
        r"hidden must be an integer from 1 to 256, got 2.5"),
    row("train2d.train_2d_in_steps", lambda: train2d.train_2d_in_steps(epochs=100, first=0), ValueError,
        r"first must be a positive integer, got 0"),
    row("xor.classic_xor_loop", lambda: xor.classic_xor_loop(np.ones((4, 2)), np.zeros(2), np.ones((2, 1)), np.zeros(1),
                                                             epochs=3), ValueError,
        r"expected weights1 \(2, H\), bias1 \(H,\), weights2 \(H, 1\), bias2 \(1,\); got \(4, 2\)"),
    row("xor.xor_network", lambda: xor.xor_network(rng(), init="xavier"), ValueError,
        r"init must be one of pytorch, normal; got 'xavier'"),
    row("xor.train_xor_seeds", lambda: xor.train_xor_seeds(20), ValueError,
        r"seeds must be a list of integers, e.g. range\(20\), got 20"),
    row("xor.train_xor_recipes", lambda: xor.train_xor_recipes([0], [{"init": "pytorch", "lr": "1"}], epochs=1),
        ValueError, r"the learning rate must be a positive number, got '1'"),
    # ---- pretrained ---------------------------------------------------------------------------------------
    row("pretrained.predict", lambda: pretrained.predict(X, params_3_4_2(), ["relu", "identity"], batch_size=0),
        ValueError, r"batch_size must be a positive integer, got 0"),
    row("pretrained.DigitsMLP.predict", lambda: pretrained.load_digits_mlp().predict(X), ValueError,
        r"x must have shape \(N, 64\) for W1 of shape \(50, 64\), got shape \(2, 3\)"),
    row("pretrained.DigitsMLP.score", lambda: pretrained.load_digits_mlp().score(np.zeros((3, 64)), [1, 2]),
        ValueError, r"y must have shape \(3,\), one label per row of X; got shape \(2,\)"),
    row("pretrained.load_digits_mlp", lambda: pretrained.load_digits_mlp("no/such/file.npz"), FileNotFoundError,
        r"no/such/file.npz is missing: regenerate it with `python -m utils.pretrained --retrain`"),
    row("pretrained.save_digits_mlp", lambda: pretrained.save_digits_mlp(params_3_4_2(), "unused.npz"), TypeError,
        r"model must be a DigitsMLP \(e.g. train_digits_mlp\(\)\), got dict"),
    row("pretrained.train_digits_mlp", lambda: pretrained.train_digits_mlp({"hidden": "relu"}), TypeError,
        r"config must be a TrainConfig \(e.g. TrainConfig\(hidden='relu'\)\), got dict"),
    row("pretrained.train_digits_mlp", lambda: pretrained.train_digits_mlp(pretrained.TrainConfig(hidden="gelu")),
        ValueError, r"hidden must be one of sigmoid, relu, tanh, got 'gelu'"),
    # ---- optimizer experiments on the digits, the LR range test ------------------------------------------
    row("optimizer_experiments.digits_network", lambda: optimizer_experiments.digits_network(0), ValueError,
        r"rng must be a numpy.random.Generator \(e.g. np.random.default_rng\(0\)\), got int"),
    row("optimizer_experiments.record_training", lambda: optimizer_experiments.record_training(optim.SGD), TypeError,
        r"make_optimizer must be a function params -> optimizer, e.g. lambda params: SGD\(params, lr=0.1\) .*got "
        r"the class SGD"),
    row("optimizer_experiments.record_training",
        lambda: optimizer_experiments.record_training(lambda params: optim.SGD(params, lr=0.1), epochs=0), ValueError,
        r"epochs must be a positive integer, got 0"),
    row("optimizer_experiments.compare_optimizers", lambda: optimizer_experiments.compare_optimizers([]), TypeError,
        r"make_optimizers must be a non-empty dict \{label: make_optimizer\}, .*got list"),
    row("optimizer_experiments.gradient_noise", lambda: optimizer_experiments.gradient_noise((0, 4)), ValueError,
        r"batch_sizes must be a list of integers from 1 to 1347 \(the training examples\), got \(0, 4\)"),
    row("optimizer_experiments.batch_size_runs",
        lambda: optimizer_experiments.batch_size_runs({32: 0.1}, epochs={1: 3}), ValueError,
        r"epochs must give a number of epochs for every batch size of lrs, \[32\]; got none for 32"),
    row("optimizer_experiments.linear_scaling", lambda: optimizer_experiments.linear_scaling(base_lr=0), ValueError,
        r"the learning rate must be a positive number, got 0"),
    row("optimizer_experiments.adam_eps_runs", lambda: optimizer_experiments.adam_eps_runs((1e-8, 0.0)), ValueError,
        r"each eps must be a finite number > 0, got 0.0"),
    row("optimizer_experiments.torch_record_training",
        lambda: optimizer_experiments.torch_record_training(epochs=0), ValueError,
        r"epochs must be a positive integer, got 0"),
    row("lr_finder.lr_range_test",
        lambda: lr_finder.lr_range_test(mlp(), L.CrossEntropyLoss(), lambda params: optim.SGD(params, lr=0.1), X, Y,
                                        rng=rng(), lr_min=1.0, lr_max=0.1), ValueError,
        r"lr_min must be below lr_max \(the test raises the lr from one to the other\), got lr_min=1 and lr_max=0.1"),
    row("lr_finder.lr_range_test",
        lambda: lr_finder.lr_range_test(mlp(), L.CrossEntropyLoss(), lambda params: optim.SGD(params, lr=0.1), X, Y,
                                        rng=rng(), steps=1), ValueError,
        r"steps must be an integer >= 2 \(a range needs two ends\), got 1"),
    # ---- the PyTorch loop ------------------------------------------------------------------------------------
    row("torch_training.train_torch", lambda: train_torch_with(model=mlp()), TypeError,
        r"model must be a PyTorch model \(a torch.nn.Module\); got a module of the course's NumPy library: train "
        r"it with utils.training.fit"),
    row("torch_training.train_torch", lambda: train_torch_with(optimizer=sgd()), TypeError,
        r"optimizer must be a torch.optim optimizer .*got SGD: utils.optim's optimizers train the course's NumPy"),
    row("torch_training.train_torch", lambda: train_torch_with(loss_fn=torch.nn.CrossEntropyLoss),
        TypeError, r"loss_fn must be a loss such as torch.nn.CrossEntropyLoss\(\) \(an instance\), got the class "
                   r"CrossEntropyLoss"),
    row("torch_training.train_torch", lambda: train_torch_with(epochs=0), ValueError,
        r"epochs must be a positive integer, got 0"),
    row("torch_training.train_torch", lambda: train_torch_with(patience=3), ValueError,
        r"patience needs a val_loader, got val_loader=None"),
    row("torch_training.train_torch",
        lambda: (lambda m, o, b: train_torch_with(model=m, optimizer=o, train_loader=b,
                                                  scheduler=torch.optim.lr_scheduler.StepLR(o, 1)))(*torch_setup()),
        ValueError,
        r"with a scheduler, say when it steps: scheduler_step='batch' .* or 'epoch' .*got None"),
    row("torch_training.train_torch", lambda: train_torch_with(scheduler_step="step"), ValueError,
        r"scheduler_step must be 'batch' or 'epoch', got 'step'"),
    row("torch_training.train_torch", lambda: train_torch_with(device="gpu"), ValueError,
        r"device must be None \(pick one\), 'cpu', 'cuda' or 'mps', got 'gpu'"),
    row("torch_training.train_torch", lambda: train_torch_with(train_loader=[]), ValueError,
        r"train_loader yielded no batches in epoch 0"),
    row("torch_training.evaluate_torch",
        lambda: torch_training.evaluate_torch(torch_setup()[0], [], torch.nn.CrossEntropyLoss()),
        ValueError, r"loader yielded no batches"),
    row("torch_training.evaluate_torch",
        lambda: torch_training.evaluate_torch(torch_setup()[0], torch_setup()[2],
                                              torch.nn.CrossEntropyLoss(), metric=1.0),
        TypeError, r"metric must be a function metric\(outputs, targets\) -> float .*got float"),
    # ---- regularization and normalization -----------------------------------------------------------------
    row("regularization.dropout_mask", lambda: regularization.dropout_mask((2, 3), 0.5, 0), ValueError,
        r"rng must be a numpy.random.Generator .*got int"),
    row("regularization.dropout", lambda: regularization.dropout(X, p=50), ValueError,
        r"p \(the probability to drop an element\) must be a number in \[0, 1\], got 50.0"),
    row("regularization.dropout", lambda: regularization.dropout(X, 0.5), ValueError,
        r"dropout in training mode draws a random mask: expected rng=np.random.default_rng\(seed\), got NoneType"),
    row("regularization.Dropout", lambda: regularization.Dropout(-0.5), ValueError,
        r"p \(the probability to drop an element\) must be a number in \[0, 1\], got -0.5"),
    row("regularization.Dropout.forward", lambda: regularization.Dropout(0.5)(X), ValueError,
        r"expected rng=np.random.default_rng\(seed\), got NoneType \(or use .eval\(\) / training=False\)"),
    row("regularization.Dropout.backward",
        lambda: forward_then_backward(regularization.Dropout(0.5, rng=rng()), X, np.ones((3, 2))), ValueError,
        GRAD_SHAPE),
    row("normalization.BatchNorm1d", lambda: normalization.BatchNorm1d(3, momentum=2.0), ValueError,
        r"momentum \(the weight of the new batch's statistics, or None\) must be a number in \[0, 1\] or None, "
        r"got 2.0"),
    row("normalization.BatchNorm1d.forward", lambda: normalization.BatchNorm1d(4)(X), ValueError,
        r"BatchNorm1d\(num_features=4\) expects an input of shape \(N, C\) or \(N, C, L\) with C = 4, "
        r"got shape \(2, 3\)"),
    row("normalization.BatchNorm1d.forward", lambda: normalization.BatchNorm1d(3)(X[:1]), ValueError,
        r"Expected more than 1 value per channel when training, got input of shape \(1, 3\)"),
    row("normalization.BatchNorm1d.backward",
        lambda: forward_then_backward(normalization.BatchNorm1d(3), X, np.ones((3, 2))), ValueError, GRAD_SHAPE),
    row("normalization.BatchNorm2d", lambda: normalization.BatchNorm2d(3, eps=-1e-5), ValueError,
        r"eps \(added to the variance\) must be a finite number >= 0, got -1e-05"),
    row("normalization.BatchNorm2d.forward", lambda: normalization.BatchNorm2d(3)(X), ValueError,
        r"BatchNorm2d\(num_features=3\) expects an input of shape \(N, C, H, W\) with C = 3, got shape \(2, 3\)"),
    row("normalization.LayerNorm", lambda: normalization.LayerNorm(0), ValueError,
        r"normalized_shape must be a positive integer D or a tuple of them .*got 0"),
    row("normalization.LayerNorm.forward", lambda: normalization.LayerNorm(2)(X), ValueError,
        r"LayerNorm\(normalized_shape=\(2,\)\) expects an input of shape \(\*, 2\), got shape \(2, 3\)"),
    row("normalization.LayerNorm.backward",
        lambda: forward_then_backward(normalization.LayerNorm(3), X, np.ones((3, 2))), ValueError, GRAD_SHAPE),
    row("normalization.GroupNorm", lambda: normalization.GroupNorm(2, 3), ValueError,
        r"num_channels must be divisible by num_groups, got num_channels=3 and num_groups=2"),
    row("normalization.GroupNorm", lambda: normalization.GroupNorm(1, 3, affine=1), TypeError,
        r"affine must be True or False, got int 1"),
    row("normalization.GroupNorm.forward", lambda: normalization.GroupNorm(1, 4)(X), ValueError,
        r"GroupNorm\(num_groups=1, num_channels=4\) expects an input of shape \(N, 4, \*\), got shape \(2, 3\)"),
    row("normalization.GroupNorm.backward",
        lambda: forward_then_backward(normalization.GroupNorm(1, 3), X, np.ones((3, 2))), ValueError, GRAD_SHAPE),
    row("normalization.batch_norm_run", lambda: normalization.batch_norm_run(batch_size=1), ValueError,
        r"batch_size must be at least 2 \(a batch's variance needs two examples\), got 1"),
    row("normalization.batch_norm_run", lambda: normalization.batch_norm_run(scale=-1.0), ValueError,
        r"scale must be a finite number > 0, got -1.0"),
    # ---- device and plotting ------------------------------------------------------------------------------
    row("device.pick_device", lambda: device.pick_device("gpu"), ValueError,
        r"prefer must be a device name such as 'cpu', 'cuda' or 'mps', got 'gpu'"),
    row("plotting.plot_curves", lambda: plotting.plot_curves([0.0, 1.0], [[0.0, 1.0]], title="t"), TypeError,
        r"curves must be a dict \{label: y values\}, got list"),
    row("plotting.plot_curves", lambda: plotting.plot_curves([0.0, 1.0], {"f": [1.0]}, title="t"), ValueError,
        r"curve 'f' must have the shape of x, \(2,\); got \(1,\)"),
    row("plotting.new_figure", lambda: plotting.new_figure(7.0), ValueError,
        r"figsize must be \(width, height\) in inches, got 7.0"),
    row("plotting.new_figure", lambda: plotting.new_figure((7.0, 3.0), nrows=0), ValueError,
        r"nrows must be a positive integer, got 0"),
    row("plotting.fixed_labels", lambda: plotting.fixed_labels(None), TypeError,
        r"ax must be a matplotlib Axes \(e.g. fig, ax = plt.subplots\(\)\), got NoneType"),
    row("plotting.plain_log_labels", lambda: plotting.plain_log_labels("y"), TypeError,
        r"ax must be a matplotlib Axes .*got str"),
    row("plotting.power_of_ten", lambda: plotting.power_of_ten("1e-3"), ValueError,
        r"value must be a number, got '1e-3'"),
    # ---- the MNIST MLP and Auto MPG (Chapter 06) -----------------------------------------------------------
    row("mnist_mlp.MnistRecipe", lambda: mnist_mlp.MnistRecipe(preprocessing="normalise"), ValueError,
        r"preprocessing must be one of 'standardise', 'divide_by_255', got 'normalise'"),
    row("mnist_mlp.MnistRecipe", lambda: mnist_mlp.MnistRecipe(validation_split=1.5), ValueError,
        r"validation_split must be None or a fraction in \(0, 1\), got 1.5"),
    row("mnist_mlp.build_mnist_mlp", lambda: mnist_mlp.build_mnist_mlp(hidden=128), ValueError,
        r"hidden must be a tuple of layer widths such as \(128, 64\), got 128"),
    row("mnist_mlp.build_mnist_mlp", lambda: mnist_mlp.build_mnist_mlp(seed=-1), ValueError,
        r"seed must be an integer >= 0, got -1"),
    row("mnist_mlp.model_summary", lambda: mnist_mlp.model_summary(torch.nn.Linear(3, 2)), TypeError,
        r"model must be a PyTorch nn.Sequential such as build_mnist_mlp\(\), got Linear"),
    row("mnist_mlp.model_summary", lambda: mnist_mlp.model_summary(torch.nn.Sequential(torch.nn.ReLU())),
        ValueError, r"model's first layer must be an nn.Linear \(it gives the input size\), got ReLU"),
    row("mnist_mlp.prepare_splits", lambda: mnist_mlp.prepare_splits("course"), TypeError,
        r"recipe must be an MnistRecipe such as COURSE_RECIPE or CLASSIC_KERAS_RECIPE, got str"),
    row("mnist_mlp.prepare_splits",
        lambda: mnist_mlp.prepare_splits(mnist_mlp.COURSE_RECIPE, data.DataSplits(*[np.zeros((4, 64))] * 6)),
        ValueError, r"splits.X_train must have shape \(N, 784\) with y_train of shape \(N,\), N >= 1; got X_train "
                    r"of shape \(4, 64\)"),
    row("mnist_mlp.train_mnist_mlp", lambda: mnist_mlp.train_mnist_mlp(seed=0.5), ValueError,
        r"seed must be an integer >= 0, got 0.5"),
    row("mnist_mlp.train_mnist_mlp", lambda: mnist_mlp.train_mnist_mlp(splits=(1, 2)), TypeError,
        r"splits must be None \(load_mnist5k\(0\)\) or a DataSplits such as load_mnist5k\(seed\), got tuple"),
    row("mnist_mlp.mnist_training_epochs", lambda: next(mnist_mlp.mnist_training_epochs(recipe=None)), TypeError,
        r"recipe must be an MnistRecipe such as COURSE_RECIPE or CLASSIC_KERAS_RECIPE, got NoneType"),
    row("mnist_mlp.score_mnist_mlp",
        lambda: mnist_mlp.score_mnist_mlp(mnist_mlp.build_mnist_mlp(0), np.zeros((2, 28, 28)), np.zeros(2)),
        ValueError, r"X must have shape \(N, 784\) and y shape \(N,\) with N >= 1, got X of shape \(2, 28, 28\)"),
    row("mnist_mlp.stored_results", lambda: mnist_mlp.stored_results("/nonexistent/results.json"), ValueError,
        r"cannot read the stored results /nonexistent/results.json: .*regenerate them with python benchmarks/"),
    row("auto_mpg.auto_mpg_features", lambda: auto_mpg.auto_mpg_features(np.ones((3, 6))), ValueError,
        r"X must have shape \(N, 7\) with N >= 1, the columns of load_auto_mpg\(\) .*got shape \(3, 6\)"),
    row("auto_mpg.auto_mpg_features", lambda: auto_mpg.auto_mpg_features(np.full((3, 7), 4.0)), ValueError,
        r"X's last column, origin, must hold the codes 1, 2, 3 .*got 4.0 in row 0"),
    row("auto_mpg.make_auto_mpg_mlp", lambda: auto_mpg.make_auto_mpg_mlp(activation="swish"), ValueError,
        r"unknown activation 'swish'"),
    row("auto_mpg.fit_regressor", lambda: auto_mpg.fit_regressor(auto_mpg.make_auto_mpg_mlp(), np.ones((4, 9)),
                                                                 np.ones(4), optimizer="rmsprop"), ValueError,
        r"optimizer must be one of 'adam', 'sgd', got 'rmsprop'"),
    row("auto_mpg.fit_regressor", lambda: auto_mpg.fit_regressor(mlp(), np.ones((4, 9)), np.ones(4)), TypeError,
        r"model must be a PyTorch model \(a torch.nn.Module such as make_auto_mpg_mlp\(\)\), got Sequential"),
    row("auto_mpg.cross_validate_r2", lambda: auto_mpg.cross_validate_r2(LinearRegression(), *data.load_auto_mpg()[:2]),
        TypeError, r"make_model must be a function returning a fresh model, e.g. LinearRegression .*got "
                   r"LinearRegression"),
    row("auto_mpg.cross_validate_r2", lambda: auto_mpg.cross_validate_r2(LinearRegression, *data.load_auto_mpg()[:2],
                                                                         folds=1), ValueError,
        r"folds must be an integer from 2 to the number of rows, 392; got 1"),
    row("auto_mpg.cross_validate_r2", lambda: auto_mpg.cross_validate_r2(LinearRegression, np.ones((5, 7)),
                                                                         np.ones(4)), ValueError,
        r"y must have shape \(N,\) = \(5,\), one target per row of X; got shape \(4,\)"),
    # ---- surfaces and trajectories --------------------------------------------------------------------------
    row("surfaces.Quadratic", lambda: surfaces.Quadratic(a=0), ValueError, r"a must be a finite number > 0, got 0"),
    row("surfaces.Rosenbrock", lambda: surfaces.Rosenbrock(b=-1.0), ValueError,
        r"b must be a finite number > 0, got -1.0"),
    row("surfaces.Saddle", lambda: surfaces.Saddle(start=(1.0, 2.0, 3.0)), ValueError,
        r"xy must have shape \(\.\.\., 2\) \(points \(x, y\) of the plane\), got shape \(3,\)"),
    row("surfaces.DoubleWell", lambda: surfaces.DoubleWell(window=(1.0, 0.0, 0.0, 1.0)), ValueError,
        r"window must be \(x_min, x_max, y_min, y_max\) with each min < max, got \(1.0, 0.0, 0.0, 1.0\)"),
    row("surfaces.Surface.value", lambda: surfaces.SURFACES["rosenbrock"].value(np.ones((4, 3))), ValueError,
        r"xy must have shape \(\.\.\., 2\) .*got shape \(4, 3\)"),
    row("surfaces.Polynomial1D", lambda: surfaces.Polynomial1D((1.0, 0.0), "a line"), ValueError,
        r"coefficients must be those of an even-degree polynomial .*got \(1.0, 0.0\)"),
    row("surfaces.get_surface", lambda: surfaces.get_surface("Rosenbrock"), ValueError,
        r"unknown surface 'Rosenbrock'; choose one of quadratic, rotated_quadratic, rosenbrock"),
    row("trajectories.run_optimizer", lambda: trajectories.run_optimizer("saddle", lambda p: optim.SGD(p, lr=0.1),
                                                                         [1.0], 5), ValueError,
        r"start must be one finite point \(x, y\) of shape \(2,\), got \[1.0\]"),
    row("trajectories.run_optimizer", lambda: trajectories.run_optimizer("saddle", optim.SGD(mlp().parameters(), 0.1)),
        TypeError, r"make_optimizer must be a function, e.g. lambda params: SGD\(params, lr=0.01\), got SGD"),
    row("trajectories.gradient_descent_1d", lambda: trajectories.gradient_descent_1d(np.cos, 1.0, 0.1, 2.5),
        ValueError, r"steps must be a positive integer, got 2.5"),
    row("trajectories.make_race_optimizer", lambda: trajectories.make_race_optimizer("Adam", [], lr=0.1), ValueError,
        r"unknown optimizer 'Adam'; choose one of sgd, momentum, nesterov"),
    row("trajectories.race", lambda: trajectories.race("rosenbrock", ["adam"], beta2=1.5), ValueError,
        r"beta2 must be a number in \[0, 1\), got 1.5"),
]


@pytest.mark.parametrize("call, error, match", TABLE)
def test_a_mistake_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value) is error  # exactly: not a NumPy or scikit-learn subclass leaking through
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 400


def _covered() -> set[str]:
    """``"module.name"`` of every row: a method's row covers its class."""
    return {".".join(p.id.split(" ")[0].split(".")[:2]) for p in TABLE}


def _public(name: str) -> list[str]:
    mod = importlib.import_module(f"utils.{name}")
    return [f"{name}.{attr}" for attr in mod.__all__ if callable(getattr(mod, attr))]


@pytest.mark.parametrize("name", MODULES)
def test_the_table_covers_every_public_name(name):
    missing = [entry for entry in _public(name) if entry not in _covered() and entry not in EXEMPT]
    assert not missing, f"public names with no bad-input row in TABLE (or reason in EXEMPT): {missing}"


def test_the_exemptions_and_rows_name_real_public_callables():
    public = {entry for name in MODULES for entry in _public(name)}
    assert EXEMPT <= public, f"stale exemptions: {sorted(EXEMPT - public)}"
    assert not EXEMPT & _covered(), f"exempt but with a row: {sorted(EXEMPT & _covered())}"
    assert _covered() <= public, f"rows for names that are not public: {sorted(_covered() - public)}"
    every_module = {path.stem for path in Path(module.__file__).parent.glob("*.py")}
    assert every_module == set(MODULES) | set(TOOLS), "a new module of utils/ belongs in MODULES (or TOOLS)"
