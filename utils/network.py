"""A multi-layer network as a plain dictionary of arrays, and its forward pass (no classes, every step visible).

Notation as in the course's NOTATION.md. Parameters follow PyTorch's layout (the same as
``utils.layers.Linear``): for layer sizes ``[D_0, D_1, ..., D_L]`` (``D_0`` the input features, the input layer;
``L`` layers of weights),

    params = {"W1": (D_1, D_0), "b1": (D_1,), "W2": (D_2, D_1), "b2": (D_2,), ..., "WL": (D_L, D_(L-1)), "bL": (D_L,)}

and the forward pass of a batch ``X`` (N, D_0), one example per row, is, layer after layer,

    Z_l = A_(l-1) W_lᵀ + b_l        (N, D_l)          A_0 = X
    A_l = f_l(Z_l)                  (N, D_l)

Many tutorials store each ``W`` transposed, as (D_in, D_out), and write ``X @ W``; that is the same computation
with their ``W`` equal to our ``Wᵀ``. We keep PyTorch's (out, in) everywhere, so the weights copy straight into
``torch.nn.Linear``.

Functions: ``dense`` (one layer), ``init_params``, ``layer_sizes``, ``forward``, ``forward_trace`` (every
intermediate ``Z`` and ``A``), ``count_parameters``, ``to_sequential`` / ``to_torch`` (the same network as
``utils.layers.Sequential`` / ``torch.nn.Sequential``), ``deep_activations`` (what a deep stack of
randomly initialized layers does to a signal, for the initialization figures and explorer), ``deep_stack`` (such
a stack as ``utils.layers.Sequential``) and ``gradient_per_layer`` (what it does to the gradient on the way back).
Activations are named as in ``utils.activations.ACTIVATION_TABLE``, initializations as in ``utils.init.SCHEME_TABLE``.

Data of the worked examples: ``EXAMPLE_2_3_2`` (2 → 3 → 2, ReLU then softmax, explicit weights) and
``IRIS_ROWS`` (five iris flowers for the chapter's 4 → 10 → 3 classifier).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import activations as A
from . import init
from .device import one_blas_thread
from .layers import Linear, Sequential
from .linear_maps import affine
from .module import check_module, check_positive_int, check_rng, check_seed, to_float64

__all__ = [
    "EXAMPLE_2_3_2",
    "IRIS_ROWS",
    "LayerTrace",
    "activation_function",
    "count_parameters",
    "deep_activations",
    "deep_stack",
    "dense",
    "forward",
    "forward_trace",
    "gradient_per_layer",
    "init_params",
    "layer_sizes",
    "to_sequential",
    "to_torch",
]

EXAMPLE_2_3_2 = {
    "x": np.array([1.0, 2.0]),
    "W1": np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
    "b1": np.array([0.1, 0.2, 0.3]),
    "W2": np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]),
    "b2": np.array([0.1, 0.2]),
}
"""The 2 → 3 → 2 network worked by hand (ReLU hidden layer, softmax output), in the (out, in) layout."""

IRIS_ROWS = np.array([
    [5.1, 3.5, 1.4, 0.2],
    [6.3, 2.9, 5.6, 1.8],
    [5.8, 2.7, 5.1, 1.9],
    [5.0, 3.4, 1.5, 0.2],
    [6.7, 3.1, 5.6, 2.4],
])
"""Five iris flowers (sepal length, sepal width, petal length, petal width, in cm): X (5, 4)."""


# ---------------------------------------------------------------------------------------------
# One layer
# ---------------------------------------------------------------------------------------------
def dense(X, W, b=None) -> np.ndarray:
    """One dense (fully connected) layer: ``Z = X Wᵀ + b``, what ``torch.nn.functional.linear(X, W, b)`` does.

    Shapes: X (N, in) or (in,), W (out, in), b (out,) or None -> Z (N, out) or (out,)

    Raises:
        ValueError: naming the shapes when they do not fit together.
    """
    X, W = to_float64(X, name="X"), to_float64(W, name="W")
    if W.ndim != 2:
        raise ValueError(f"W must have shape (out_features, in_features), got shape {W.shape}")
    if X.ndim not in (1, 2) or X.shape[-1] != W.shape[1]:
        raise ValueError(f"X must have shape (N, {W.shape[1]}) to fit W of shape {W.shape} "
                         f"(out_features, in_features); got X of shape {X.shape}")
    Z = affine(np.atleast_2d(X), W, b)  # Chapter 00's Z = X Wᵀ + b, which also checks b: (N, out)
    return Z[0] if X.ndim == 1 else Z


# ---------------------------------------------------------------------------------------------
# Parameters as a dict
# ---------------------------------------------------------------------------------------------
def _check_sizes(sizes) -> list[int]:
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"layer sizes must be a list of positive integers, got {sizes!r}") from None
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in sizes):
        raise ValueError(f"layer sizes must be a list of at least two positive integers "
                         f"[inputs, ..., outputs], got {sizes!r}")
    return [int(n) for n in sizes]


def init_params(sizes: Sequence[int], rng: np.random.Generator, scheme: str | Callable = "small_normal") -> dict:
    """Weights and zero biases for the layer sizes ``[D_0, D_1, ..., D_L]``: ``{"W1": (D_1, D_0), "b1": (D_1,), ...}``.

    ``scheme`` names a weight initializer of ``utils.init.SCHEMES`` (default ``"small_normal"``, N(0, 0.01²), a
    common choice in introductory code), or is a function ``(shape, rng) -> array``. Weights are drawn layer by
    layer from ``rng``.

    Raises:
        ValueError: for bad sizes or an unknown scheme.
    """
    sizes = _check_sizes(sizes)
    if isinstance(scheme, str):
        scheme = init.get_scheme(scheme).draw
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{layer}"] = np.asarray(scheme((n_out, n_in), rng), dtype=np.float64)  # (out, in)
        params[f"b{layer}"] = np.zeros(n_out)
    return params


def layer_sizes(params: dict) -> list[int]:
    """``[D_0, D_1, ..., D_L]`` read from ``params``, after checking that its keys and shapes form a chain.

    Raises:
        ValueError: for missing or extra keys, or shapes that do not fit (naming them).
    """
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict like {{'W1': ..., 'b1': ...}}, got {type(params).__name__}")
    n_layers = len(params) // 2
    expected = {f"{kind}{layer}" for layer in range(1, n_layers + 1) for kind in "Wb"}
    if n_layers == 0 or set(params) != expected:
        raise ValueError(f"params must have the keys W1, b1, ..., WL, bL; got {sorted(params)}")
    sizes = []
    for layer in range(1, n_layers + 1):
        W, b = np.shape(params[f"W{layer}"]), np.shape(params[f"b{layer}"])
        if len(W) != 2:
            raise ValueError(f"W{layer} must have shape (out, in), got {W}")
        if sizes and W[1] != sizes[-1]:
            raise ValueError(f"W{layer} has shape {W}: it takes {W[1]} inputs, but layer {layer - 1} has "
                             f"{sizes[-1]} outputs (W is (out, in))")
        if b != (W[0],):
            raise ValueError(f"b{layer} must have shape ({W[0]},) to match W{layer} {W}, got {b}")
        sizes = sizes or [W[1]]
        sizes.append(W[0])
    return sizes


def count_parameters(sizes_or_params) -> int:
    """How many numbers a network of dense layers learns: ``Σ_l (D_(l-1) · D_l + D_l)`` (weights + biases).

    Takes the layer sizes ``[D_0, ..., D_L]`` or a ``params`` dict.
    """
    if isinstance(sizes_or_params, dict):
        layer_sizes(sizes_or_params)  # checks the keys and shapes
        return int(sum(np.size(v) for v in sizes_or_params.values()))
    sizes = _check_sizes(sizes_or_params)
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))


# ---------------------------------------------------------------------------------------------
# Activations by name
# ---------------------------------------------------------------------------------------------
def activation_function(name_or_fn) -> Callable[[np.ndarray], np.ndarray]:
    """A callable for an activation: a name of ``utils.activations.ACTIVATION_TABLE`` (``"softmax"`` acts per row,
    along the last axis; ``"linear"`` is ``"identity"``), or a callable (returned as is).

    Raises:
        ValueError: for an unknown name.
    """
    if callable(name_or_fn):
        return name_or_fn
    return A.activation_spec(str(name_or_fn)).function


def _activations_for(n_layers: int, activations) -> list:
    """The per-layer activations: None means sigmoid on hidden layers and identity on the output (Chapter 02's
    ``forward`` exercise and digit recognizer)."""
    if activations is None:
        return ["sigmoid"] * (n_layers - 1) + ["identity"]
    if isinstance(activations, str) or callable(activations):
        raise ValueError(f"give one activation per layer (a list of {n_layers}), got {activations!r}")
    activations = list(activations)
    if len(activations) != n_layers:
        raise ValueError(f"the network has {n_layers} layers but {len(activations)} activations were given")
    return activations


# ---------------------------------------------------------------------------------------------
# The forward pass
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerTrace:
    """One layer's values in a forward pass: ``z`` = A_(l-1) Wᵀ + b (pre-activation), ``a`` = f(z)."""

    z: np.ndarray
    a: np.ndarray


def forward_trace(x, params: dict, activations=None) -> list[LayerTrace]:
    """Run the forward pass and keep every layer's pre-activation ``z`` and activation ``a``.

    ``activations``: one per layer (names or callables, see ``activation_function``); None means sigmoid on
    the hidden layers and identity on the output layer.

    Shapes: x (N, D_0) or (D_0,) -> a list of L ``LayerTrace``, layer l holding (N, D_l) (or (D_l,)) arrays
    """
    sizes = layer_sizes(params)
    fns = [activation_function(f) for f in _activations_for(len(sizes) - 1, activations)]
    a = to_float64(x, name="x")
    if a.ndim not in (1, 2) or a.shape[-1] != sizes[0]:
        raise ValueError(f"x must have shape (N, {sizes[0]}) for W1 of shape {np.shape(params['W1'])}, "
                         f"got shape {a.shape}")
    trace = []
    for layer, f in enumerate(fns, start=1):
        z = dense(a, params[f"W{layer}"], params[f"b{layer}"])  # (N, D_(l-1)) -> (N, D_l)
        a = f(z)
        trace.append(LayerTrace(z, a))
    return trace


def forward(x, params: dict, activations=None) -> np.ndarray:
    """The network's output for ``x``: the last layer's activation (see ``forward_trace``).

    Shapes: x (N, D_0) -> (N, D_L); a single example x (D_0,) -> (D_L,)
    """
    return forward_trace(x, params, activations)[-1].a


def _activation_names(n_layers: int, activations, caller: str) -> list[str]:
    """The per-layer activations as names of ``utils.activations.ACTIVATION_TABLE`` (checked)."""
    names = _activations_for(n_layers, activations)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"{caller} needs activation names ({', '.join(A.ACTIVATION_TABLE)}), got {name!r}")
        A.activation_spec(name)  # raises for an unknown name
    return names


def _is_identity(name: str) -> bool:
    return A.activation_spec(name) is A.ACTIVATION_TABLE["identity"]


def to_sequential(params: dict, activations=None):
    """The same network as a ``utils.layers.Sequential`` of ``Linear`` and activation modules (weights copied).

    Activations must be names here (``identity`` layers are left out, like a ``Sequential`` without one).
    """
    sizes = layer_sizes(params)
    model = Sequential()
    for layer, name in enumerate(_activation_names(len(sizes) - 1, activations, "to_sequential"), start=1):
        linear = Linear(sizes[layer - 1], sizes[layer], rng=np.random.default_rng(0))
        linear.weight.data = to_float64(params[f"W{layer}"]).copy()
        linear.bias.data = to_float64(params[f"b{layer}"]).copy()
        model.append(linear)
        if not _is_identity(name):
            model.append(A.make_activation(name))
    return model


def to_torch(params: dict, activations=None):
    """The same network as a float64 ``torch.nn.Sequential`` (weights copied): the twin for parity checks."""
    import torch

    sizes = layer_sizes(params)
    layers = []
    for layer, name in enumerate(_activation_names(len(sizes) - 1, activations, "to_torch"), start=1):
        linear = torch.nn.Linear(sizes[layer - 1], sizes[layer], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(to_float64(params[f"W{layer}"])))
            linear.bias.copy_(torch.as_tensor(to_float64(params[f"b{layer}"])))
        layers.append(linear)
        if not _is_identity(name):
            layers.append(A.make_torch_activation(name))
    return torch.nn.Sequential(*layers)


# ---------------------------------------------------------------------------------------------
# Signals through deep random networks (initialization)
# ---------------------------------------------------------------------------------------------

def deep_stack(in_features: int, out_features: int, *, depth: int, width: int, activation: str, scheme: str,
               rng: np.random.Generator):
    """A deep ``utils.layers.Sequential``: ``depth`` hidden layers of ``width`` units, then a linear output layer.

    ``Linear(in_features, width) → activation → Linear(width, width) → activation → … → Linear(width,
    out_features)``, with ``activation`` a name of ``utils.activations.ACTIVATION_TABLE`` and ``scheme`` one of
    ``utils.init.SCHEME_TABLE``. Each ``Linear`` is first built as PyTorch builds it (weights and biases from
    ``rng``); then, unless ``scheme`` is ``"pytorch"``, each hidden layer's weight is drawn again from ``rng``
    with ``scheme``. Hidden biases are 0; the output layer keeps PyTorch's initialization. The same ``rng``
    state always gives the same network.

    Shapes: the network maps (N, in_features) -> (N, out_features).

    Raises:
        ValueError: for an unknown activation or scheme, sizes below 1, or ``rng`` not a Generator.
    """
    draw = init.get_scheme(scheme).draw
    A.activation_spec(activation)
    sizes = {name: check_positive_int(value, name) for name, value in
             (("in_features", in_features), ("out_features", out_features), ("depth", depth), ("width", width))}
    check_rng(rng)
    modules, n_in = [], sizes["in_features"]
    for _ in range(sizes["depth"]):
        linear = Linear(n_in, sizes["width"], rng=rng)  # PyTorch's default, U(±1/√n_in): weight, then bias
        if scheme != "pytorch":
            linear.weight.data = draw(linear.weight.shape, rng)
        linear.bias.data = np.zeros(sizes["width"])
        modules += [linear, A.make_activation(activation)]
        n_in = sizes["width"]
    return Sequential(*modules, Linear(n_in, sizes["out_features"], rng=rng))


def gradient_per_layer(model, loss_fn, X, y) -> np.ndarray:
    """``‖∂L/∂Z‖`` (Frobenius norm) arriving at each ``Linear`` layer of ``model``, from the first to the last.

    One forward pass of ``X``, the loss ``loss_fn(model(X), y)``, then the backward pass module by module
    (``Z`` is a Linear layer's output, so the norm is of the gradient its ``backward`` receives). As any
    backward pass, it adds into the parameters' ``.grad``.

    Shapes: X (N, in_features), y as ``loss_fn`` expects -> (number of Linear layers,)

    Raises:
        ValueError: if ``model`` is not a ``utils.layers.Sequential`` containing a ``Linear`` layer.
        TypeError: if ``loss_fn`` is not a loss module instance (e.g. the function ``cross_entropy``).
    """
    if not isinstance(model, Sequential) or not any(isinstance(m, Linear) for m in model):
        raise ValueError(f"model must be a utils.layers.Sequential with Linear layers, got {model!r}")
    check_module(loss_fn, "loss_fn", "a loss module with a backward, such as CrossEntropyLoss()")
    loss_fn(model(X), y)
    grad, norms = loss_fn.backward(), []
    for module in reversed(list(model)):
        if isinstance(module, Linear):
            norms.append(np.linalg.norm(grad))
        grad = module.backward(grad)
    return np.array(norms[::-1])


def deep_activations(scheme: str, activation: str = "tanh", depth: int = 10, width: int = 256,
                     n_samples: int = 1000, seed: int = 0) -> np.ndarray:
    """The activations of every hidden layer of a deep, randomly initialized network, for random inputs.

    A network of ``depth`` dense layers of ``width`` units (zero biases; weights from the scheme ``scheme`` of
    ``utils.init.SCHEMES``; ``activation`` after every layer) gets ``n_samples`` inputs from N(0, 1) in
    ``width`` dimensions. Everything is drawn from ``np.random.default_rng(seed)``: the same arguments always
    give the same numbers.

    Shapes: -> (depth, n_samples, width), entry [l] being the activations after layer l + 1

    Raises:
        ValueError: for an unknown scheme or activation, a depth/width/n_samples below 1, or a seed that is not
            an integer >= 0.
    """
    draw = init.get_scheme(scheme).draw
    f = activation_function(activation)
    for name, value in (("depth", depth), ("width", width), ("n_samples", n_samples)):
        check_positive_int(value, name)
    rng = np.random.default_rng(check_seed(seed))
    a = rng.normal(size=(n_samples, width))
    out = np.empty((depth, n_samples, width))
    with one_blas_thread():
        for layer in range(depth):
            W = draw((width, width), rng)
            a = f(a @ W.T)  # (N, width) @ (width, width) -> (N, width)
            out[layer] = a
    return out
