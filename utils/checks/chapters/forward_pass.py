"""Chapter 02 (the forward pass): batteries, properties, oracles and hints of its exercises.

Random initializers are judged by the statistics of a large sample drawn from a fixed seed (shape, mean, std,
bounds, tails) and by reproducibility from the ``rng`` they are given, never by raw values, so any correct way
of drawing passes. The hints name the usual mistakes: ``W`` instead of ``Wᵀ`` (the (in, out) layout of many
tutorials), the product in the wrong order (``W @ X.T``), a bias added along the wrong axis, fan_in and fan_out
swapped, a missing pair of parentheses, a standard deviation used as a bound, NumPy's global generator instead of
the ``rng`` argument, softmax over the whole batch instead of per row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..kinds import (
    ANY,
    EXCEPTION,
    STRUCTURE,
    VALUE,
    WARNING,
    Case,
    DictExercise,
    FunctionExercise,
    Hint,
    PropertyExercise,
    ValueExercise,
)
from ..normalise import as_shape
from ..oracles import as_tensor, sigmoid, softmax, softmax_with, to_numpy, torch_linear
from ..predicates import not_finite, raised, same_as
from ..registry import register


# ---------------------------------------------------------------------------------------------
# Shared by several exercises
# ---------------------------------------------------------------------------------------------
def _torch_forward(x, params, activations):
    """The network of ``params`` run by PyTorch (``utils.network.to_torch`` builds it from torch.nn modules)."""
    import torch

    from utils.network import to_torch

    with torch.no_grad():
        return to_numpy(to_torch(params, activations)(as_tensor(x)))


def _identity(z):
    return z


def _relu(z):
    return np.maximum(z, 0)


def _network(x, params, activations, transpose: bool = True, bias: bool = True) -> np.ndarray:
    """The forward pass with ``activations[l - 1]`` after layer l (as many layers as activations), for the
    mistakes: another activation somewhere, W instead of Wᵀ, no biases, a layer too few."""
    a = np.asarray(x, dtype=float)
    for layer, activation in enumerate(activations, start=1):
        W = params[f"W{layer}"]
        a = activation(a @ (W.T if transpose else W) + (params[f"b{layer}"] if bias else 0.0))
    return a


def _global_rng_used(draw: Callable[[], Any]) -> tuple[Any, bool]:
    """(what ``draw()`` returns, whether it drew from NumPy's global generator): ``np.random.uniform`` and the like
    ignore the ``rng`` argument. The global state is put back, so the answer leaves nothing behind."""
    before = np.random.get_state(legacy=False)
    try:
        value = draw()
    finally:
        after = np.random.get_state(legacy=False)
        np.random.set_state(before)
    used = (not np.array_equal(before["state"]["key"], after["state"]["key"])
            or before["state"]["pos"] != after["state"]["pos"] or before["has_gauss"] != after["has_gauss"])
    return value, used


def _global_rng_problem(what: str, call: str) -> tuple[str, str]:
    return (f"the {what} come from NumPy's global generator (np.random.…), not from the rng you were given",
            f"np.random.uniform, np.random.normal, np.random.randn… draw from NumPy's global generator and ignore "
            f"the rng argument: draw with {call}, so the same seed gives the same weights")


def _raises_like(mistake: Callable) -> Callable:
    """A hint predicate: the answer raised the very error ``mistake(*case.args)`` raises (type and message)."""

    def predicate(attempt) -> bool:
        try:
            mistake(*attempt.case.args, **attempt.case.kwargs)
        except Exception as expected:  # noqa: BLE001 - any error the mistake makes
            got = attempt.result.exception
            return type(got) is type(expected) and str(got) == str(expected)
        return False

    return predicate


_MATMUL_ERRORS = ("matmul", "core dimension", "not aligned")  # `@` and np.dot; not broadcasting's "shapes"
_TRANSPOSE_HINT = ("W has shape (out_features, in_features): multiply by its transpose, X @ W.T. (Many tutorials "
                   "store W as (in, out) and write X @ W; the course uses PyTorch's layout.)")
_WRONG_ORDER_HINT = ("that is the product in the wrong order, W @ X.T: it puts the examples in the columns, "
                     "(out_features, N), and then b no longer lines up. Batch first, the examples stay in the rows: "
                     "X @ W.T + b, shape (N, out_features)")


# ---------------------------------------------------------------------------------------------
# 1. A batched dense layer: Z = X Wᵀ + b
# ---------------------------------------------------------------------------------------------
def dense_cases() -> list[Case]:
    rng = np.random.default_rng(2002)
    W1 = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    return [
        Case("the 2 → 3 layer of the worked example, x = [[1, 2]]", np.array([[1.0, 2.0]]), W1,
             np.array([0.1, 0.2, 0.3])),
        Case("a batch of 5 rows through a 4 → 3 layer", rng.normal(size=(5, 4)), rng.normal(size=(3, 4)),
             rng.normal(size=3)),
        Case("a batch of 3 rows through a 4 → 3 layer (N = out_features)", rng.normal(size=(3, 4)),
             rng.normal(size=(3, 4)), rng.normal(size=3)),
        Case("a square 3 → 3 layer on 4 rows", rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)),
        Case("one output unit: a 6 → 1 layer on 2 rows", rng.normal(size=(2, 6)), rng.normal(size=(1, 6)),
             np.array([0.5])),
        Case("large values (±1000) through a 2 → 2 layer", np.array([[1000.0, -1000.0], [-500.0, 250.0]]),
             np.array([[0.5, -0.25], [2.0, 1.0]]), np.array([-1.0, 1.0])),
    ]


_BIAS_AXIS_HINT = ("the bias is added along the wrong axis: b[:, None] gives bias i to row i; each bias belongs to an "
                   "output unit (a column of X @ W.T), so add b of shape (out,) as it is")


register(
    FunctionExercise(
        id="forward_pass.dense",
        reference="dense",
        arg_names=("X", "W", "b"),
        cases=dense_cases,
        oracle=torch_linear,
        praise="One matrix product handles the whole batch.",
        hints=(
            Hint(EXCEPTION, _TRANSPOSE_HINT, raised(*_MATMUL_ERRORS)),
            Hint(EXCEPTION, "* multiplies entry by entry (and broadcasts X against W): a layer's weighted sums are a "
                            "matrix product, X @ W.T + b", _raises_like(lambda X, W, b: X * W + b)),
            Hint(EXCEPTION, "b has one entry per output unit, shape (out,), and X @ W.T has shape (N, out): add b "
                            "as it is and NumPy adds it to every row. b[:, None] (or b.reshape(-1, 1)) lines it up "
                            "with the rows instead.", raised("broadcast")),
            Hint(VALUE, _TRANSPOSE_HINT, same_as(lambda X, W, b: X @ W + b)),
            *(Hint(kind, _WRONG_ORDER_HINT, same_as(lambda X, W, b: W @ X.T + b)) for kind in (VALUE, STRUCTURE)),
            *(Hint(kind, _BIAS_AXIS_HINT, same_as(lambda X, W, b: X @ W.T + b[:, None]))
              for kind in (VALUE, STRUCTURE)),
            Hint(VALUE, "the bias is missing: Z = X @ W.T + b", same_as(lambda X, W, b: X @ W.T)),
            Hint(VALUE, "that is X @ W.T - b: the bias is added, not subtracted",
                 same_as(lambda X, W, b: X @ W.T - b)),
            Hint(STRUCTURE, "your result has shape (out_features, N): it is transposed. Batch first: row i of Z is "
                            "example i, so compute X @ W.T + b (not W @ X.T)",
                 lambda a: np.shape(a.got) == np.shape(a.expected)[::-1]),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. init_params(layer_sizes, rng): W_l (n_l, n_(l-1)) from N(0, 0.01²), b_l zeros
# ---------------------------------------------------------------------------------------------
def _as_array_dict(params, what: str = "init_params"):
    """(params as float arrays, None) or (None, (problem, hint))."""
    if not isinstance(params, dict):
        return None, (f"{what} returned {type(params).__name__}, not a dict",
                      "return a dict {'W1': ..., 'b1': ..., 'W2': ..., ...}")
    try:
        return {k: np.asarray(v, dtype=float) for k, v in params.items()}, None
    except (TypeError, ValueError):
        return None, (f"{what} returned values that are not arrays of numbers", None)


def _check_layout(params: dict, sizes: list[int]) -> tuple[str, str | None] | None:
    """None when params has the keys and the (out, in) shapes of ``sizes``, else (problem, hint)."""
    n_layers = len(sizes) - 1
    expected = [f"{kind}{layer}" for layer in range(1, n_layers + 1) for kind in "Wb"]
    if set(params) != set(expected):
        hint = None
        if len(params) == 2 * (n_layers - 1) or len(params) == 2 * (n_layers + 1):
            hint = ("one layer per pair of neighbouring sizes: layer_sizes of length L + 1 gives L layers, "
                    "W1 ... WL (loop over zip(layer_sizes[:-1], layer_sizes[1:]))")
        elif "W0" in params:
            hint = "number the layers from 1: W1, b1, W2, b2, ..."
        elif {str(k).upper() for k in params} == {k.upper() for k in expected}:
            hint = "the keys are case-sensitive: a capital W for weights, a small b for biases (W1, b1, ...)"
        elif set(params) == {k for k in expected if k.startswith("W")}:
            hint = "the biases are missing: one b{l} of zeros, shape (D_l,), next to each W{l}"
        return f"for layer sizes {sizes} the keys should be {', '.join(expected)}; got {', '.join(map(str, params))}", \
            hint
    for layer in range(1, n_layers + 1):
        n_in, n_out = sizes[layer - 1], sizes[layer]
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        if W.shape != (n_out, n_in):
            hint = ("the course uses PyTorch's layout, W of shape (out_features, in_features) = "
                    "(layer_sizes[l], layer_sizes[l - 1]); (in, out) is the transposed layout of many tutorials"
                    if W.shape == (n_in, n_out) else None)
            return f"W{layer} for {n_in} → {n_out} should have shape {(n_out, n_in)}, got {W.shape}", hint
        if b.shape != (n_out,):
            hint = ("a bias is a 1-D array of shape (n_out,), as torch.nn.Linear's, not the 2-D (1, n_out) many "
                    "tutorials use" if b.size == n_out else None)
            return f"b{layer} should have shape {(n_out,)}, got {b.shape}", hint
    return None


def _init_params_property(answer):
    sizes = [2, 3, 2, 2]
    drawn, global_rng = _global_rng_used(lambda: answer(sizes, np.random.default_rng(0)))
    params, problem = _as_array_dict(drawn)
    if problem:
        return problem
    if global_rng:
        return _global_rng_problem("weights", "rng.normal(0.0, 0.01, size=(n_out, n_in))")
    for layout_sizes in ([2, 3, 2, 2], [4, 10, 5, 3], [1, 1]):
        params, problem = _as_array_dict(answer(layout_sizes, np.random.default_rng(0)))
        problem = problem or _check_layout(params, layout_sizes)
        if problem:
            return problem
        if any(params[k].any() for k in params if k.startswith("b")):
            return "the biases should start at zero", "np.zeros(d_out) for every b"
    big = [400, 300, 200]
    params, _ = _as_array_dict(answer(big, np.random.default_rng(1)))
    problem = _check_layout(params, big)
    if problem:
        return problem
    w = np.concatenate([params["W1"].ravel(), params["W2"].ravel()])
    std, mean = float(w.std()), float(w.mean())
    if std == 0:
        value = "0" if mean == 0 else f"{mean:.4g}"
        return (f"every weight is {value}",
                "draw the weights from N(0, 0.01²): rng.normal(0.0, 0.01, size=(d_out, d_in))")
    if w.min() >= 0:
        return (f"every weight is positive (mean {mean:.3g}, std {std:.3g})",
                "rng.random() draws from U(0, 1), not from a normal distribution centred at 0: use "
                "rng.normal(0.0, 0.01, size=(d_out, d_in))")
    if abs(std - 0.01) > 0.03 * 0.01:
        hint = "draw from N(0, 0.01²): the standard deviation is 0.01"
        if abs(std - 1.0) < 0.05:
            hint = "these weights have std 1: scale them by 0.01 (rng.normal(0.0, 0.01, size=...))"
        elif abs(std - 1e-4) < 1e-5:
            hint = "std 0.0001 is 0.01²: pass the standard deviation (0.01), not the variance, to rng.normal"
        return f"the weights of a {' → '.join(map(str, big))} network have std {std:.4g}, expected 0.01", hint
    if abs(mean) > 0.05 * 0.01:
        return f"the weights have mean {mean:.3g}, expected 0", "draw from a normal distribution centred at 0"
    if np.abs(w).max() < 2.5 * std:
        return ("the weights look uniformly distributed", "draw from a normal distribution: rng.normal(0.0, 0.01, "
                                                          "size=(d_out, d_in))")
    again, _ = _as_array_dict(answer(big, np.random.default_rng(1)))
    other, _ = _as_array_dict(answer(big, np.random.default_rng(2)))
    if not np.array_equal(again["W1"], params["W1"]) or np.array_equal(other["W1"], params["W1"]):
        return ("the weights do not come from the rng you were given",
                "draw with rng.normal(...) (the argument), so the same seed gives the same network")
    return None


register(
    PropertyExercise(
        id="forward_pass.init_params",
        reference="init_params",
        prop=_init_params_property,
        praise="(out, in) weights from N(0, 0.01²), zero biases, drawn from the rng.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 3. forward(x, params): sigmoid hidden layers, identity output, any number of layers
# ---------------------------------------------------------------------------------------------
def _random_params(rng, sizes, weight_scale: float = 1.0) -> dict:
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{layer}"] = rng.normal(size=(n_out, n_in)) * weight_scale / math.sqrt(n_in)
        params[f"b{layer}"] = rng.normal(size=n_out) * 0.5
    return params


def forward_cases() -> list[Case]:
    rng = np.random.default_rng(2020)
    return [
        Case("the 2 → 3 → 2 → 2 network on a batch of 4", rng.normal(size=(4, 2)), _random_params(rng, [2, 3, 2, 2])),
        Case("one layer 3 → 2 (no hidden layer: identity only)", rng.normal(size=(5, 3)), _random_params(rng, [3, 2])),
        Case("a 4 → 10 → 5 → 3 network on 6 rows", rng.normal(size=(6, 4)), _random_params(rng, [4, 10, 5, 3])),
        Case("square layers 3 → 3 → 3 on 3 rows", rng.normal(size=(3, 3)), _random_params(rng, [3, 3, 3])),
        Case("five layers 8 → 6 → 6 → 6 → 6 → 1", rng.normal(size=(7, 8)), _random_params(rng, [8, 6, 6, 6, 6, 1])),
        Case("large pre-activations (weights × 3000)", rng.normal(size=(4, 2)), _random_params(rng, [2, 3, 2], 3000.0)),
    ]


def _forward_oracle(x, params):
    return _torch_forward(x, params, None)


def _forward_is(hidden, output, transpose=True, bias=True, layers_short: int = 0):
    """A hint predicate: the answer is the forward pass with these activations (``hidden`` on every layer but the
    last, ``output`` on the last), ``layers_short`` layers too few."""

    def mistake(x, params):
        n = len(params) // 2 - layers_short
        return _network(x, params, [hidden] * (n - 1) + [output], transpose, bias)

    return same_as(mistake)


register(
    FunctionExercise(
        id="forward_pass.forward",
        reference="forward",
        arg_names=("x", "params"),
        cases=forward_cases,
        oracle=_forward_oracle,
        praise="It works for any number of layers.",
        hints=(
            Hint(VALUE, "the output layer has no activation here (identity, as for regression or logits): apply the "
                        "sigmoid after the hidden layers only",
                 _forward_is(hidden=sigmoid, output=sigmoid)),
            Hint(VALUE, "apply the sigmoid after every hidden layer (only the last layer stays linear)",
                 _forward_is(hidden=_identity, output=_identity)),
            Hint(VALUE, "the activations are swapped: sigmoid belongs on the hidden layers, identity on the output",
                 _forward_is(hidden=_identity, output=sigmoid)),
            Hint(VALUE, _TRANSPOSE_HINT, _forward_is(hidden=sigmoid, output=_identity, transpose=False)),
            Hint(VALUE, "this network's hidden layers use the sigmoid (as the digit recognizer of section 12 does), "
                        "not ReLU",
                 _forward_is(hidden=_relu, output=_identity)),
            Hint(VALUE, "this network's hidden layers use the sigmoid, not tanh",
                 _forward_is(hidden=np.tanh, output=_identity)),
            Hint(VALUE, "the output layer has no activation here, not even a softmax: it returns raw scores (logits); "
                        "probabilities come later, with the loss (Chapter 03)",
                 _forward_is(hidden=sigmoid, output=lambda z: softmax(z, axis=-1))),
            Hint(VALUE, "the input layer is the data itself, with no activation: start from a = x, not sigmoid(x)",
                 same_as(lambda x, params: _network(sigmoid(np.asarray(x, dtype=float)), params,
                                                    [sigmoid] * (len(params) // 2 - 1) + [_identity]))),
            Hint(VALUE, "the biases are missing: z = a @ W.T + b in every layer",
                 _forward_is(hidden=sigmoid, output=_identity, bias=False)),
            Hint(VALUE, "the network has L = len(params) // 2 layers: your loop stops one layer early",
                 lambda a: any(_forward_is(sigmoid, output, layers_short=1)(a) for output in (_identity, sigmoid))),
            Hint(STRUCTURE, "the output has the wrong width: the network has L = len(params) // 2 layers, W1 ... WL; "
                            "check that your loop runs over all of them",
                 lambda a: isinstance(a.got, np.ndarray) and a.got.ndim == 2
                 and a.got.shape[0] == np.shape(a.expected)[0] and a.got.shape[1] != np.shape(a.expected)[1]),
            Hint(EXCEPTION, _TRANSPOSE_HINT, raised(*_MATMUL_ERRORS)),
            Hint(EXCEPTION, "the keys run from W1, b1 to WL, bL with L = len(params) // 2: "
                            "range(1, L + 1) visits each layer once",
                 lambda a: isinstance(a.result.exception, KeyError)),
            Hint(WARNING, "np.exp(-z) overflows for z ≈ -1000: use a stable sigmoid (e.g. sigmoid from "
                          "utils.activations, Chapter 01)"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 4-5. Xavier uniform and He (Kaiming) normal, judged by the statistics of a large sample
# ---------------------------------------------------------------------------------------------
_STAT_SHAPES = ((300, 500), (40, 2000))  # (out, in): fan_in != fan_out, so a swap shows


def _sample(answer, shape, seed, call: str):
    """(array, None) or (None, (problem, hint)); ``call`` says how the answer should draw (for the hint)."""
    w, global_rng = _global_rng_used(lambda: answer(shape, np.random.default_rng(seed)))
    if global_rng:
        return None, _global_rng_problem("values", call)
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        return None, (f"for shape {shape} it returned {type(w).__name__}, not an array of numbers", None)
    if w.shape != shape:
        hint = ("return an array of exactly the shape given, (out_features, in_features)"
                if w.shape == shape[::-1] else "create it with size=shape")
        return None, (f"for shape {shape} it returned an array of shape {w.shape}", hint)
    return w, None


def _looks_normal(w) -> bool:
    """A normal sample's largest |value| is ~4.5 std; a uniform one stops at √3 ≈ 1.73 std."""
    return float(np.abs(w).max()) > 2.5 * float(w.std())


def _reproducible(answer, shape, call: str) -> tuple[str, str] | None:
    a, _ = _sample(answer, shape, 11, call)
    b, _ = _sample(answer, shape, 11, call)
    c, _ = _sample(answer, shape, 12, call)
    if not np.array_equal(a, b) or np.array_equal(a, c):
        return ("the values do not come from the rng you were given",
                f"draw with {call} (the argument), so one seed gives one result")
    return None


_XAVIER_CALL = "rng.uniform(-a, a, size=shape)"
_STD_AS_MEAN_HINT = ("the std went in as the mean: rng.normal(loc, scale, size) takes the mean first (and its scale "
                     "defaults to 1), so write rng.normal(0.0, std, size=shape)")
_KAIMING_CALL = "rng.normal(0.0, std, size=shape)"


def _near(value: float, target: float, rel: float = 0.03) -> bool:
    return abs(value - target) <= rel * target


def _xavier_property(answer):
    for shape in _STAT_SHAPES:
        w, problem = _sample(answer, shape, 0, _XAVIER_CALL)
        if problem:
            return problem
        fan_out, fan_in = shape
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        std, top, mean = float(w.std()), float(np.abs(w).max()), float(w.mean())
        where = f"for shape {shape} (fan_in {fan_in}, fan_out {fan_out})"
        if std == 0:
            value = "0" if mean == 0 else f"{mean:.4g}"
            return f"{where} every value is {value}", "draw from U(-a, a) with a = √(6 / (fan_in + fan_out))"
        if abs(mean) > 0.1 * std:
            return (f"{where} the values have mean {mean:.3g}, not 0",
                    "U(-a, a) is centred at 0: rng.uniform(-a, a, size=shape)")
        if _looks_normal(w):
            hint = "Xavier uniform draws from a uniform distribution U(-a, a) (rng.uniform), not a normal one"
            if _near(std, math.sqrt(1.0 / fan_in)):
                hint = ("std √(1 / fan_in) from a normal distribution is LeCun's scheme (which many tutorials call "
                        "'Xavier'): Xavier uniform is U(-a, a) with a = √(6 / (fan_in + fan_out))")
            return f"{where} the values look normally distributed (largest |w| = {top / std:.1f} std)", hint
        if not _near(top, bound, 0.02) or not _near(std, bound / math.sqrt(3)):
            hint = "a = √(6 / (fan_in + fan_out)) with fan_in = shape[1] and fan_out = shape[0]"
            if _near(top, math.sqrt(2.0 / (fan_in + fan_out)), 0.02):
                hint = ("√(2 / (fan_in + fan_out)) is Xavier's standard deviation, not the bound: U(-a, a) has std "
                        "a / √3, so a = √3 · std = √(6 / (fan_in + fan_out))")
            elif _near(top, math.sqrt(6.0 / fan_in), 0.02) or _near(top, math.sqrt(6.0 / fan_out), 0.02):
                hint = "Xavier uses both fans: a = √(6 / (fan_in + fan_out)), not one of them alone"
            elif _near(top, 6.0 / (fan_in + fan_out), 0.02):
                hint = "take the square root: a = √(6 / (fan_in + fan_out))"
            elif _near(top, math.sqrt(6.0 / fan_in + fan_out), 0.02) or _near(top, math.sqrt(6.0 / fan_out + fan_in),
                                                                               0.02):
                hint = ("missing parentheses: 6 / fan_in + fan_out divides 6 by one fan, then adds the other (/ binds "
                        "tighter than +). Write a = √(6 / (fan_in + fan_out))")
            elif _near(top, 1 / math.sqrt(fan_in), 0.02):
                hint = ("U(±1/√fan_in) is nn.Linear's own default (section 3), not Xavier: Xavier's bound uses both "
                        "fans, a = √(6 / (fan_in + fan_out))")
            elif _near(top, math.sqrt(6.0) / (fan_in + fan_out), 0.02):
                hint = ("take the square root of the whole fraction: √(6 / (fan_in + fan_out)), "
                        "not √6 / (fan_in + fan_out)")
            return f"{where} the values reach ±{top:.4g} with std {std:.4g}; expected bound ±{bound:.4g}", hint
    return _reproducible(answer, _STAT_SHAPES[0], _XAVIER_CALL)


def _kaiming_property(answer):
    for shape in _STAT_SHAPES:
        w, problem = _sample(answer, shape, 0, _KAIMING_CALL)
        if problem:
            return problem
        fan_out, fan_in = shape
        target = math.sqrt(2.0 / fan_in)
        std, mean = float(w.std()), float(w.mean())
        where = f"for shape {shape} (fan_in {fan_in}, fan_out {fan_out})"
        if std == 0:
            if mean == 0:
                return f"{where} every value is 0", "draw from N(0, 2 / fan_in)"
            return (f"{where} every value is {mean:.4g}",
                    _STD_AS_MEAN_HINT if _near(abs(mean), target, 0.05) else "draw from N(0, 2 / fan_in)")
        if abs(mean) > 0.05 * std:
            hint = "N(0, std²) is centred at 0"
            if _near(abs(mean), target, 0.05):
                hint = _STD_AS_MEAN_HINT
            return f"{where} the values have mean {mean:.3g}, not 0", hint
        if not _looks_normal(w):
            return (f"{where} the values look uniformly distributed",
                    "He normal draws from a normal distribution: rng.normal(0.0, std, size=shape)")
        if not _near(std, target):
            hint = "std = √(2 / fan_in) with fan_in = shape[1]"
            if _near(std, math.sqrt(2.0 / fan_out)):
                hint = ("fan_in and fan_out are swapped: a weight of shape (out_features, in_features) has "
                        "fan_in = shape[1] (the inputs each unit sums), fan_out = shape[0]")
            elif _near(std, math.sqrt(1.0 / fan_in)):
                hint = ("that is LeCun's √(1 / fan_in): He doubles the variance, 2 / fan_in, because ReLU sets about "
                        "half of the units to zero")
            elif _near(std, math.sqrt(2.0 / (fan_in + fan_out))):
                hint = "that is Xavier's std √(2 / (fan_in + fan_out)): He uses fan_in alone, √(2 / fan_in)"
            elif _near(std, 2.0 / fan_in):
                hint = "2 / fan_in is the variance: the standard deviation is its square root, √(2 / fan_in)"
            elif _near(std, math.sqrt(6.0 / fan_in)):
                hint = ("√(6 / fan_in) is He uniform's bound a (U(-a, a) has std a / √3); a normal distribution takes "
                        "the std itself, √(2 / fan_in)")
            elif _near(std, math.sqrt(2.0) / fan_in):
                hint = "take the square root of the whole fraction: √(2 / fan_in), not √2 / fan_in"
            return f"{where} the values have std {std:.4g}, expected {target:.4g}", hint
    return _reproducible(answer, _STAT_SHAPES[0], _KAIMING_CALL)


register(
    PropertyExercise(
        id="forward_pass.xavier_uniform",
        reference="xavier_uniform",
        prop=_xavier_property,
        praise="Bound √(6 / (fan_in + fan_out)), centred, from the rng.",
    ),
    PropertyExercise(
        id="forward_pass.kaiming_normal",
        reference="kaiming_normal",
        prop=_kaiming_property,
        praise="std √(2 / fan_in), centred, normal, from the rng.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. What happens after 10 tanh layers? (zeros / N(0, 0.01²) / Xavier / N(0, 1))
# ---------------------------------------------------------------------------------------------
FATE_CHOICES = ("zero", "vanish", "healthy", "saturate")
COMPARED_SCHEMES = {"zeros": "zeros", "normal_0.01": "small_normal", "xavier": "xavier_uniform", "normal_1": "normal"}


def _fate(a: np.ndarray) -> str:
    """Classify the last layer's tanh activations: all 0, tiny, spread out, or mostly at ±1."""
    std = float(a.std())
    if not np.any(a):
        return "zero"
    if std < 1e-3:
        return "vanish"
    if np.mean(np.abs(a) > 0.99) > 0.5:
        return "saturate"
    return "healthy" if 0.05 < std < 0.9 else "?"


def _init_comparison_oracle() -> dict:
    from utils.network import deep_activations

    return {key: _fate(deep_activations(scheme, "tanh", depth=10, width=256, n_samples=500)[-1])
            for key, scheme in COMPARED_SCHEMES.items()}


register(
    DictExercise(
        id="forward_pass.init_comparison",
        reference="init_comparison",
        choices=FATE_CHOICES,
        oracle=_init_comparison_oracle,
        explain={
            ("zeros", "vanish"): "with zero weights every pre-activation is exactly 0 and tanh(0) = 0: nothing is "
                                 "small, everything is exactly zero",
            ("zeros", "healthy"): "zero weights give every unit the pre-activation 0 and tanh(0) = 0, whatever the "
                                  "input",
            ("normal_0.01", "zero"): "small is not zero: each layer multiplies the spread by about "
                                     "0.01 · √256 = 0.16, so it shrinks, but it never becomes exactly 0",
            ("normal_0.01", "healthy"): "each layer multiplies the spread by about 0.01 · √256 = 0.16: what is that "
                                        "after 10 layers?",
            ("normal_0.01", "saturate"): "std 0.01 is tiny for 256 inputs: the pre-activations shrink layer after "
                                         "layer, they do not grow",
            ("xavier", "vanish"): "Xavier chooses Var(w) = 2 / (fan_in + fan_out) = 1 / 256 here, so that "
                                  "Var(z) ≈ Var(input): the signal keeps its scale (tanh shrinks it only a little)",
            ("xavier", "saturate"): "Xavier keeps Var(z) about equal to the variance of the layer's input, which "
                                    "is below 1 after a tanh: far from the flat parts at ±1",
            ("normal_1", "healthy"): "with std 1 and 256 inputs, a pre-activation has std ≈ √256 = 16: where is "
                                     "tanh(16)?",
            ("normal_1", "vanish"): "with std 1 and 256 inputs, a pre-activation has std ≈ √256 = 16: far too "
                                    "large, not too small",
        },
    ),
)


# ---------------------------------------------------------------------------------------------
# 7. XOR by hand: a 2 → 2 → 1 network of step units
# ---------------------------------------------------------------------------------------------
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
XOR_SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}


def xor_step_network(params: dict, X=XOR_INPUTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hidden pre-activations (N, 2), output pre-activations (N,), outputs (N,)) of the step network.

    step(z) = 1 if z >= 0 else 0, on both layers.
    """
    z1 = X @ params["W1"].T + params["b1"]  # (4, 2)
    h = (z1 >= 0).astype(float)
    z2 = (h @ params["W2"].T + params["b2"])[:, 0]  # (4,)
    return z1, z2, (z2 >= 0).astype(float)


def _xor_property(answer):
    params = answer() if callable(answer) else answer
    params, problem = _as_array_dict(params, "xor_network")
    if problem:
        return problem
    if set(params) != set(XOR_SHAPES):
        return (f"expected the keys W1, b1, W2, b2; got {', '.join(map(str, params))}", None)
    for key, shape in XOR_SHAPES.items():
        if params[key].shape != shape:
            hint = None
            if key == "W2" and params[key].shape == (2, 1):
                hint = "W2 maps 2 hidden units to 1 output: (out, in) = (1, 2); (2, 1) is the (in, out) layout"
            elif params[key].size == int(np.prod(shape)):
                hint = "use the (out, in) layout: W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,)"
            return f"{key} should have shape {shape}, got {params[key].shape}", hint
    z1, z2, out = xor_step_network(params)
    on_threshold = np.isclose(z1, 0, atol=1e-9).any(axis=1) | np.isclose(z2, 0, atol=1e-9)
    if np.array_equal(out, XOR_TARGETS):
        if on_threshold.any():
            x = tuple(int(v) for v in XOR_INPUTS[np.argmax(on_threshold)])
            return (f"right outputs, but for the input {x} a pre-activation is exactly 0, on a unit's threshold",
                    "there step(0) = 1 decides, and the slightest change of the input flips the unit: move the "
                    "threshold between the values (e.g. a bias of -0.5 or -1.5 instead of -1)")
        return None
    table = ", ".join(f"{tuple(int(v) for v in x)} → {int(o)}" for x, o in zip(XOR_INPUTS, out))
    problem = f"the network gives {table}; XOR is 0, 1, 1, 0"
    if np.array_equal(out, [0, 1, 1, 1]):
        hint = ("that is OR: it must also switch off when both inputs are 1. XOR = OR and not AND: let one hidden "
                "unit compute OR, the other NAND (not both), and let the output unit fire only when both fire")
    elif np.array_equal(out, [0, 0, 0, 1]):
        hint = "that is AND; XOR fires when exactly one input is 1"
    elif np.array_equal(out, [1, 0, 0, 1]):
        hint = "that is XNOR, the opposite of XOR: flip the output unit (negate its weights and bias)"
    elif len(set(out)) == 1:
        hint = ("the output is the same for every input: check that the two hidden units compute different things "
                "(with identical rows in W1 they are one unit twice) and that the output bias sits between the "
                "values the output unit sees")
    else:
        hint = ("design the hidden units first: with step units, z ≥ 0 means 'on'. One unit can compute OR "
                "(x1 + x2 - 0.5), another NAND (-x1 - x2 + 1.5); the output then needs both on")
    if on_threshold.any():
        hint = ("a pre-activation is exactly 0 on one of the inputs, where step(0) = 1: put the thresholds between "
                "the values (e.g. -0.5 or -1.5), not on them")
    return problem, hint


register(
    PropertyExercise(
        id="forward_pass.xor_network",
        reference="xor_network",
        prop=_xor_property,
        praise="A hidden layer makes XOR possible, which no single neuron can compute.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 8. The 4 → 10 → 5 → 3 network: ReLU, ReLU, softmax per row
# ---------------------------------------------------------------------------------------------
def two_hidden_cases() -> list[Case]:
    from utils.network import IRIS_ROWS

    rng = np.random.default_rng(2024)
    iris = IRIS_ROWS.copy()
    return [
        Case("the five iris rows", iris, _random_params(rng, [4, 10, 5, 3])),
        Case("three iris rows (N = 3 = number of classes)", iris[:3].copy(), _random_params(rng, [4, 10, 5, 3])),
        Case("one flower, shape (1, 4)", iris[1:2].copy(), _random_params(rng, [4, 10, 5, 3])),
        Case("a batch of 8 random rows", rng.normal(size=(8, 4)) * 3, _random_params(rng, [4, 10, 5, 3])),
        Case("large logits (weights × 200)", iris.copy(), _random_params(rng, [4, 10, 5, 3], 200.0)),
    ]


_TWO_HIDDEN = ["relu", "relu", "softmax"]


def _two_hidden_oracle(X, params):
    return _torch_forward(X, params, _TWO_HIDDEN)


def _two_hidden_is(acts=(_relu, _relu, _identity), final=softmax, bias=True):
    """A hint predicate: the answer is the 3-layer forward pass with the activations ``acts`` then ``final``."""
    return same_as(lambda X, params: final(_network(X, params, acts, bias=bias)))


register(
    FunctionExercise(
        id="forward_pass.two_hidden",
        reference="two_hidden_forward",
        arg_names=("X", "params"),
        cases=two_hidden_cases,
        oracle=_two_hidden_oracle,
        praise="Each row is one flower's probability distribution.",
        hints=(
            Hint(VALUE, "softmax over the whole batch (the bug of section 7): each row is one flower, so normalise "
                        "each row on its own (max and sum over axis=1 with keepdims=True); then every row sums to 1",
                 _two_hidden_is(final=lambda z: softmax_with(z, None, None))),
            Hint(VALUE, "softmax along axis 0 makes each column (class) sum to 1 across flowers: normalise each row "
                        "(axis=1) instead", _two_hidden_is(final=lambda z: softmax(z, axis=0))),
            Hint(VALUE, "the second hidden layer needs its ReLU too (4 → 10 ReLU → 5 ReLU → 3 softmax)",
                 _two_hidden_is(acts=(_relu, _identity, _identity))),
            Hint(VALUE, "the first hidden layer needs its ReLU too (4 → 10 ReLU → 5 ReLU → 3 softmax)",
                 _two_hidden_is(acts=(_identity, _relu, _identity))),
            Hint(VALUE, "both hidden layers need a ReLU: without them the three layers collapse into one linear map",
                 _two_hidden_is(acts=(_identity, _identity, _identity))),
            Hint(VALUE, "the biases are missing: every layer computes a @ W.T + b",
                 _two_hidden_is(bias=False)),
            Hint(VALUE, "a sigmoid squashes each score on its own, so a row does not sum to 1: finish with a softmax "
                        "per row (axis=1)", _two_hidden_is(final=sigmoid)),
            Hint(VALUE, "these are the logits: finish with a softmax per row to get probabilities",
                 _two_hidden_is(final=_identity)),
            Hint(VALUE, "ReLU goes on the hidden layers only: the output layer's scores go straight into the softmax",
                 _two_hidden_is(acts=(_relu, _relu, _relu))),
            Hint(VALUE, "softmax belongs to the output only: the hidden layers use ReLU",
                 _two_hidden_is(acts=(lambda z: softmax(z, axis=1), lambda z: softmax(z, axis=1), _identity))),
            Hint(VALUE, "these are log-probabilities (the log of a softmax): return the probabilities themselves",
                 _two_hidden_is(final=lambda z: np.log(softmax(z, axis=1)))),
            Hint(VALUE, "the maximum is taken per row but the sum runs down axis 0 (over the flowers): normalise "
                        "each row, e.sum(axis=1, keepdims=True)",
                 _two_hidden_is(final=lambda z: softmax_with(z, 1, 0))),
            Hint(VALUE, "np.exp overflowed: subtract each row's maximum before exponentiating (or use softmax from "
                        "utils.activations)",
                 not_finite),
            Hint(WARNING, "np.exp overflowed: subtract each row's maximum before exponentiating (or use softmax from "
                          "utils.activations)"),
            Hint(EXCEPTION, _TRANSPOSE_HINT, raised(*_MATMUL_ERRORS)),
            Hint(EXCEPTION, "the extended network has three layers: W1, b1, W2, b2, W3, b3",
                 lambda a: isinstance(a.result.exception, KeyError)),
            Hint(STRUCTURE, "that is one label per flower (an argmax): return the probabilities themselves, one row "
                            "of 3 per flower", lambda a: np.shape(a.got) == np.shape(a.expected)[:1]),
            Hint(STRUCTURE, "the output has one column per unit of the second hidden layer (5): the extended network "
                            "has a third layer, W3 and b3, with 3 outputs",
                 lambda a: np.shape(a.got) == (np.shape(a.expected)[0], 5)),
            Hint(EXCEPTION, "x.max(axis=1) drops the axis, so it no longer lines up with the rows: use keepdims=True",
                 raised("broadcast")),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 9. The shapes on the way through 4 → 10 → 5 → 3 for the five iris rows
# ---------------------------------------------------------------------------------------------
def _shapes_oracle() -> dict:
    from utils import activations as A
    from utils.layers import Linear, Sequential
    from utils.network import IRIS_ROWS

    rng = np.random.default_rng(0)
    model = Sequential(Linear(4, 10, rng=rng), A.ReLU(), Linear(10, 5, rng=rng), A.ReLU(), Linear(5, 3, rng=rng),
                       A.Softmax(dim=1))
    h1 = model[:2](IRIS_ROWS)
    h2 = model[2:4](h1)
    return {"W2": model[2].weight.shape, "b2": model[2].bias.shape, "layer1": h1.shape, "layer2": h2.shape,
            "layer3": model[4:](h2).shape}


register(
    DictExercise(
        id="forward_pass.layer_shapes",
        reference="layer_shapes",
        oracle=_shapes_oracle,
        normalise=as_shape,
        what="a shape",
        invalid_hint="write a shape as a tuple of integers, e.g. (5, 10)",
        noun="shapes",
        explain={
            ("W2", (10, 5)): "(10, 5) is the (in, out) layout of many tutorials; the course's W is (out_features, "
                             "in_features)",
            ("W2", ANY): "layer 2 maps the 10 outputs of layer 1 to 5 units: W2 is (out_features, in_features)",
            ("b2", (1, 5)): "a bias is 1-D, one number per output unit (as torch.nn.Linear's), not the 2-D (1, 5) "
                            "many tutorials use",
            ("b2", ANY): "one bias per output unit of layer 2",
            ("layer1", (10, 5)): "batch first: one row per flower, one column per unit, (N, units)",
            ("layer1", (10,)): "all five flowers go through together: the output keeps the batch dimension",
            ("layer1", ANY): "layer 1 maps each of the 5 flowers to 10 numbers",
            ("layer2", (5, 5)): "the 5 flowers times the 5 units of layer 2: check that it is (N, units)",
            ("layer2", (5,)): "all five flowers go through together: the output keeps the batch dimension",
            ("layer2", (10, 5)): "(10, 5) is the shape of W2ᵀ; the layer's output has one row per flower and one "
                                 "column per unit: (N, units)",
            ("layer2", ANY): "layer 2 maps each flower's 10 numbers to 5",
            ("layer3", (3, 5)): "batch first: one row per flower, one column per class",
            ("layer3", (5, 1)): "softmax keeps the shape: one probability per class for each flower",
            ("layer3", (5,)): "softmax keeps the shape: one probability per class for each flower (argmax would "
                              "give one label per flower)",
            ("layer3", ANY): "the output layer gives each flower one score per class (3 classes)",
        },
    ),
)


# ---------------------------------------------------------------------------------------------
# 10. Count the digit recognizer's parameters
# ---------------------------------------------------------------------------------------------
def _count_oracle() -> int:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(64, 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 100),
                                torch.nn.Sigmoid(), torch.nn.Linear(100, 10))
    return int(sum(p.numel() for p in model.parameters()))


register(
    ValueExercise(
        id="forward_pass.count_parameters",
        reference="digit_recognizer_parameters",
        oracle=_count_oracle,
        rtol=0.0,
        atol=0.0,
        explain={
            64 * 50 + 50 * 100 + 100 * 10: "that counts the weights only: every unit also has a bias",
            50 + 100 + 10: "that counts the units (or the biases): each unit also has one weight per input",
            64 + 50 + 100 + 10: "that counts the units (neurons), not the numbers they learn",
            64 * 50 + 50 * 100 + 100 * 10 + 64 + 50 + 100 + 10: "the inputs are data, not units: they have no bias",
            784 * 50 + 50 + 50 * 100 + 100 + 100 * 10 + 10: "that counts the network for 28×28 = 784-pixel images "
                                                             "(MNIST's size); our images are 8×8 = 64 pixels",
            64 * 50 + 50 + 50 * 100 + 100: "that counts the two hidden layers only: the output layer 100 → 10 "
                                            "learns weights and biases too",
            64 * 50 * 100 * 10: "weights of consecutive layers add up, they do not multiply: count each layer's "
                                "in × out + out and sum",
        },
    ),
)
