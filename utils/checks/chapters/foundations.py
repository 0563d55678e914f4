"""Chapter 00 (foundations): batteries, oracles and hints of its exercises.

- ``foundations.dense_loops`` / ``foundations.dense_layer``: Z = X Wᵀ + b with loops, then with ``@``;
- ``foundations.compose_linear``: two linear maps as one matrix (W2 @ W1);
- ``foundations.shapes``: the shapes of matrix products and broadcasts, computed by NumPy as the oracle;
- ``foundations.nand_weights``: hand-picked perceptron weights, checked on NAND's truth table;
- ``foundations.perceptron_predict``: step(X w + b) with step(0) = 1;
- ``foundations.perceptron_train``: the learner's training loop must reach 100% on AND, OR and NAND;
- ``foundations.xor_why``: why a perceptron cannot learn XOR (multiple choice).
"""

from __future__ import annotations

import numpy as np

from ..kinds import (
    EXCEPTION,
    STRUCTURE,
    VALUE,
    Case,
    DictExercise,
    FunctionExercise,
    Hint,
    PropertyExercise,
    ValueExercise,
)
from ..normalise import ERROR, as_shape_or_error
from ..oracles import as_tensor, to_numpy, torch_linear
from ..predicates import close, raised, returned_a_list, same_as
from ..registry import register
from ..sandbox import Raised, run

# ---------------------------------------------------------------------------------------------
# A dense layer, by loops and by @
# ---------------------------------------------------------------------------------------------
EXAMPLE_W = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
EXAMPLE_B = np.array([0.1, 0.2])
"""The weights and biases of Chapter 00's worked example (one person: height, weight, age)."""


def dense_cases() -> list[Case]:
    """Batches X (N, in), weights W (out, in), biases b (out,): the chapter's example, batches, square W, edges."""
    rng = np.random.default_rng(2000)
    return [
        Case("the example x = [175, 70, 25] as a batch of one", np.array([[175.0, 70.0, 25.0]]), EXAMPLE_W.copy(),
             EXAMPLE_B.copy()),
        Case("a batch of 5 rows, 3 features -> 2 outputs", rng.normal(size=(5, 3)), rng.normal(size=(2, 3)),
             rng.normal(size=2)),
        Case("a square W (3, 3), where W and its transpose differ", rng.normal(size=(4, 3)),
             rng.normal(size=(3, 3)), rng.normal(size=3)),
        Case("one neuron: W (1, 4)", rng.normal(size=(6, 4)), rng.normal(size=(1, 4)), rng.normal(size=1)),
        Case("one input feature: X (4, 1), W (3, 1)", rng.normal(size=(4, 1)), rng.normal(size=(3, 1)),
             rng.normal(size=3)),
        Case("large inputs (1e6)", 1e6 * rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), rng.normal(size=2)),
    ]


_MISSING_BIAS = Hint(VALUE, "the bias is missing: add b[i] to output i (once per output)",
                     same_as(lambda X, W, b: X @ W.T))
_W_NOT_TRANSPOSED = Hint(VALUE, "W has shape (out_features, in_features): W[i, j] is the weight from input j to "
                                "output i, so Z[n, i] = Σ_j X[n, j] · W[i, j] + b[i]; yours used W[j, i] (that is "
                                "X @ W, not X @ W.T)",
                         same_as(lambda X, W, b: X @ W + b))
def _shape_text(shape) -> str:
    """A shape as NumPy writes it in its error messages: (2, 3) -> "(2,3)", (2,) -> "(2,)"."""
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _elementwise_product_failed(attempt) -> bool:
    """The answer raised a broadcasting error naming the shape of X * W (entry by entry) and the bias's."""
    X, W, b = attempt.case.args
    try:
        product = np.broadcast_shapes(np.shape(X), np.shape(W))
    except ValueError:  # X * W itself cannot broadcast: NumPy names both shapes
        shapes = (_shape_text(np.shape(X)), _shape_text(np.shape(W)))
    else:
        shapes = (_shape_text(product), _shape_text(np.shape(b)))
    text = str(attempt.result.exception)
    return "broadcast" in text and all(shape in text for shape in shapes)


_TRANSPOSED_RESULT = Hint(STRUCTURE, "batch first: one row per example, so the result has shape (N, out_features); "
                                     "you built (out_features, N), the column layout W @ Xᵀ",
                          lambda a: np.shape(a.got) == (a.case.args[1].shape[0], a.case.args[0].shape[0])
                          and np.shape(a.got) != np.shape(a.expected))

register(
    FunctionExercise(
        id="foundations.dense_loops",
        reference="dense_loops",
        arg_names=("X", "W", "b"),
        cases=dense_cases,
        oracle=torch_linear,
        hints=(
            _W_NOT_TRANSPOSED,
            _MISSING_BIAS,
            Hint(VALUE, "the bias was added once per input (inside the loop over j): add b[i] once, after the sum",
                 same_as(lambda X, W, b: X @ W.T + X.shape[1] * b)),
            _TRANSPOSED_RESULT,
            Hint(STRUCTURE, "collect the results in a NumPy array: Z = np.zeros((N, out_features)), then fill "
                            "Z[n, i] in the loops and return Z",
                 returned_a_list),
            Hint(EXCEPTION, "an index ran past the end of W or b: W has shape (out_features, in_features) and b "
                            "(out_features,), so loop i over range(W.shape[0]) (outputs), j over range(X.shape[1]) "
                            "(inputs), and read W[i, j] and b[i] (the bias belongs to output i, not to input j)",
                 raised(error=IndexError)),
        ),
    ),
    FunctionExercise(
        id="foundations.dense_layer",
        reference="dense_layer",
        arg_names=("X", "W", "b"),
        cases=dense_cases,
        oracle=torch_linear,
        hints=(
            _W_NOT_TRANSPOSED,
            _MISSING_BIAS,
            _TRANSPOSED_RESULT,
            Hint(STRUCTURE, "the bias was made a column (b[:, None] or b.reshape(-1, 1)): (N, out_features) plus "
                            "(out_features, 1) broadcasts to the wrong shape. b of shape (out_features,) already lines "
                            "up with the last axis of X @ W.T: add it as it is",
                 same_as(lambda X, W, b: X @ W.T + b[:, None])),
            Hint(STRUCTURE, "that is the product in the wrong order, W @ X.T (out_features, N) plus b: batch first, "
                            "the examples stay in the rows: X @ W.T + b, shape (N, out_features)",
                 same_as(lambda X, W, b: W @ X.T + b)),
            Hint(EXCEPTION, "the shapes do not fit: X is (N, in_features) and W is (out_features, in_features), "
                            "so the product that lines up in_features with in_features is X @ W.T",
                 raised("matmul", "not aligned", "mismatch")),
            Hint(EXCEPTION, "* multiplies entry by entry (X * W lines up X's rows with W's rows, which are not the "
                            "same thing); a layer takes a matrix product, @: X @ W.T + b",
                 _elementwise_product_failed),
            Hint(EXCEPTION, "W @ X.T has shape (out_features, N): the bias (out_features,) does not line up with "
                            "its last axis. Keep the examples in the rows: X @ W.T + b",
                 raised("broadcast")),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Composing linear maps
# ---------------------------------------------------------------------------------------------
def compose_cases() -> list[Case]:
    """Pairs (W1, W2): W1 is applied first. Non-commuting 2×2 maps, non-square chains, edges."""
    rng = np.random.default_rng(2001)
    rotate = np.array([[0.0, -1.0], [1.0, 0.0]])  # a quarter turn
    shear = np.array([[1.0, 1.0], [0.0, 1.0]])
    return [
        Case("a quarter turn, then a shear", rotate, shear),
        Case("3 -> 4 -> 2 features", rng.normal(size=(4, 3)), rng.normal(size=(2, 4))),
        Case("a shear, then a quarter turn", shear.copy(), rotate.copy()),
        Case("1 -> 3 -> 1 features", rng.normal(size=(3, 1)), rng.normal(size=(1, 3))),
        Case("3 -> 2 -> 5 features", rng.normal(size=(2, 3)), rng.normal(size=(5, 2))),
        Case("two random 3×3 maps", rng.normal(size=(3, 3)), rng.normal(size=(3, 3))),
    ]


def _torch_compose(W1, W2):
    """Where the basis vectors go when pushed through both maps, batch first: rows of I W1ᵀ W2ᵀ."""
    eye = np.eye(np.shape(W1)[1])
    return torch_linear(torch_linear(eye, W1), W2).T


_WRONG_ORDER = ("the map applied first stands on the right, as in f(g(x)): applying W1 then W2 gives "
                "(X W1ᵀ) W2ᵀ = X (W2 W1)ᵀ")

register(
    FunctionExercise(
        id="foundations.compose_linear",
        reference="compose",
        arg_names=("W1", "W2"),
        cases=compose_cases,
        oracle=_torch_compose,
        hints=(
            Hint(VALUE, f"that is W1 @ W2, the product in the wrong order: {_WRONG_ORDER}",
                 same_as(lambda W1, W2: W1 @ W2)),
            Hint(STRUCTURE, f"wrong order: {_WRONG_ORDER}", same_as(lambda W1, W2: W1 @ W2)),
            Hint(VALUE, "that is the transpose, (W2 W1)ᵀ: the (in, out) layout of some other texts. The course's "
                        "weights are (out_features, in_features), like torch.nn.Linear",
                 same_as(lambda W1, W2: W1.T @ W2.T)),
            Hint(STRUCTURE, "that is the transpose, (W2 W1)ᵀ: the result must have shape (out_features of W2, "
                            "in_features of W1), like torch.nn.Linear's weight",
                 same_as(lambda W1, W2: W1.T @ W2.T)),
            Hint(VALUE, "that is W2ᵀ W1ᵀ = (W1 W2)ᵀ: the product in the wrong order and transposed. The map applied "
                        "first stands on the right, and the course's weights are (out_features, in_features)",
                 same_as(lambda W1, W2: W2.T @ W1.T)),
            Hint(STRUCTURE, "that is W2ᵀ W1ᵀ = (W1 W2)ᵀ: the product in the wrong order and transposed; the result "
                            "must have shape (out_features of W2, in_features of W1)",
                 same_as(lambda W1, W2: W2.T @ W1.T)),
            Hint(VALUE, "* multiplies entry by entry; feeding one map's output into the next is a matrix product (@)",
                 same_as(lambda W1, W2: W1 * W2)),
            Hint(VALUE, "adding the matrices adds the two maps' outputs (both applied to x); composing feeds the "
                        "output of W1 into W2: a product", same_as(lambda W1, W2: W1 + W2)),
            Hint(EXCEPTION, f"the shapes do not fit in this order: {_WRONG_ORDER}",
                 raised("matmul", "mismatch", "not aligned")),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Shapes of products and broadcasts
# ---------------------------------------------------------------------------------------------
SHAPE_SETUP = {"X": (64, 3), "W": (2, 3), "b": (2,)}
"""The arrays the shape questions are about: 64 examples with 3 features, a layer with 2 outputs."""

SHAPE_QUESTIONS = (
    "X @ W.T + b",
    "W @ X.T",
    "Z.sum(axis=1)",
    "Z.sum(axis=1, keepdims=True)",
    "Z / Z.sum(axis=1, keepdims=True)",
    "Z / Z.sum(axis=1)",
)
"""The expressions whose shape the learner gives (``Z = X @ W.T + b``); "error" when NumPy refuses."""

SHAPE_HINTS = {
    ("X @ W.T + b", (64, 3)): "the inner dimensions meet and disappear: (64, 3) @ (3, 2) keeps the outer ones",
    ("X @ W.T + b", (2, 64)): "(64, 3) @ (3, 2): the rows of the result are the rows of X, one per example",
    ("X @ W.T + b", "error"): "W.T has shape (3, 2), so X @ W.T lines up 3 with 3; and b (2,) matches the last axis",
    ("W @ X.T", (64, 2)): "the order matters: (2, 3) @ (3, 64) keeps the outer dimensions, in that order",
    ("W @ X.T", "error"): "X.T has shape (3, 64): W's 3 columns meet X.T's 3 rows",
    ("Z.sum(axis=1)", (64, 1)): "without keepdims the summed axis disappears",
    ("Z.sum(axis=1)", (2,)): "axis=1 runs along each row (across the 2 columns): one number per row remains",
    ("Z.sum(axis=1)", (1, 2)): "axis=1 runs along each row (across the 2 columns), and without keepdims it vanishes",
    ("Z.sum(axis=1, keepdims=True)", (64,)): "keepdims=True keeps the summed axis, with length 1",
    ("Z.sum(axis=1, keepdims=True)", (1, 2)): "axis=1 runs along each row (across the 2 columns): each row "
                                              "keeps one number",
    ("Z / Z.sum(axis=1, keepdims=True)", "error"): "align the shapes from the right: the last axes are 2 and 1, and "
                                                   "a length 1 is stretched; the first axes are equal. That broadcasts",
    ("Z / Z.sum(axis=1, keepdims=True)", (64, 1)): "broadcasting stretches a length-1 axis to match the other "
                                                   "operand; it never shrinks the other one",
    ("Z / Z.sum(axis=1)", (64, 2)): "align the shapes from the right: (64, 2) and (64,). The last axes are 2 "
                                    "and 64: neither is 1, so NumPy cannot stretch one to the other",
    ("Z / Z.sum(axis=1)", (64,)): "align the shapes from the right: (64, 2) and (64,): compare 2 with 64",
}


def shape_oracle() -> dict:
    """The right answers, computed by NumPy itself on arrays of the setup's shapes."""
    arrays = {name: np.ones(shape) for name, shape in SHAPE_SETUP.items()}
    arrays["Z"] = arrays["X"] @ arrays["W"].T + arrays["b"]
    answers = {}
    for expression in SHAPE_QUESTIONS:
        try:
            answers[expression] = tuple(eval(expression, {}, dict(arrays)).shape)  # noqa: S307 - our own text
        except ValueError:
            answers[expression] = ERROR
    return answers


register(
    DictExercise(
        id="foundations.shapes",
        reference="shapes",
        normalise=as_shape_or_error,
        oracle=shape_oracle,
        explain=SHAPE_HINTS,
        default_hint="write the shapes of both operands side by side and apply the rules above; you can also try it "
                     "in a scratch cell",
        what="a shape",
        invalid_hint='give a tuple of integers such as (64, 3), or the string "error" if NumPy raises',
        not_dict_hint="start from the dict in the exercise cell and fill in each shape as a tuple, e.g. (64, 3)",
        noun="shapes",
        passed="the property holds. All {n} shapes are right.",  # the wording stored in Chapter 00's outputs
    ),
)


# ---------------------------------------------------------------------------------------------
# The perceptron: hand-picked NAND weights, predict, training, and XOR
# ---------------------------------------------------------------------------------------------
def _gate_named(outputs: np.ndarray) -> str | None:
    from utils.data import GATES

    for name, table in GATES.items():
        if np.array_equal(outputs, table):
            return name.upper()
    return None


def _weights_and_bias(value):
    """(w (2,), b float) from a learner's (w, b), or a problem string."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return "return a pair (w, b): w = [w1, w2] and b a number"
    w, b = value
    try:
        w = np.asarray(w, dtype=float)
        b_arr = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return "w must be two numbers and b one number"
    if w.shape != (2,) or b_arr.size != 1:
        return (f"w must be two numbers (shape (2,)) and b one number; got w of shape {w.shape}, "
                f"b of shape {b_arr.shape}")
    if not (np.isfinite(w).all() and np.isfinite(b_arr).all()):
        return "w and b must be finite numbers"
    return w, float(b_arr.reshape(()))


def nand_property(answer):
    from utils.data import logic_gate
    from utils.perceptron import decision_function, predict

    parsed = _weights_and_bias(answer())
    if isinstance(parsed, str):
        return parsed, "for example: return np.array([1.0, 1.0]), -1.5 (those are not NAND's weights)"
    w, b = parsed
    X, y = logic_gate("nand")
    outputs = predict(X, w, b)
    if np.array_equal(outputs, y):
        return None
    z = decision_function(X, w, b)
    table = ", ".join(f"{tuple(int(v) for v in x)} -> {int(o)}" for x, o in zip(X, outputs))
    problem = f"with w = {np.round(w, 3).tolist()}, b = {b:.3g} the outputs are {table}"
    name = _gate_named(outputs.astype(int))
    if np.isclose(z[-1], 0.0, atol=1e-12) and np.array_equal(outputs[:3], y[:3]):
        return problem, "at (1, 1) z is exactly 0, and step(0) = 1: make w1 + w2 + b strictly negative"
    if np.all(outputs == 1):
        return problem, "it fires for every input: for (1, 1) the sum w1 + w2 + b must be negative"
    if np.all(outputs == 0):
        return problem, "it never fires: for (0, 0) the sum z = b must be ≥ 0"
    if name == "AND":
        return problem, "that is AND: NAND gives the opposite output for every input (think about all the signs)"
    if name is not None:
        return problem, f"these weights compute {name}; NAND is 1 for every input except (1, 1)"
    return problem, "NAND is 1 for every input except (1, 1): write z = w·x + b for each of the four inputs"


register(
    PropertyExercise(
        id="foundations.nand_weights",
        reference="nand_weights",
        prop=nand_property,
        praise="Your perceptron computes NAND.",
    ),
)


def predict_cases() -> list[Case]:
    """Inputs X (N, D), weights w (D,), bias b: truth tables, a point exactly on the line, batches."""
    rng = np.random.default_rng(2002)
    table = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return [
        Case("AND's weights on the four inputs", table.copy(), np.array([1.0, 1.0]), -1.5),
        Case("points exactly on the line (z = 0)", np.array([[1.0, 1.0], [0.0, 0.0], [2.0, 0.0]]),
             np.array([1.0, 1.0]), -2.0),
        Case("a batch of 6 points with 3 features", rng.normal(size=(6, 3)), rng.normal(size=3), 0.3),
        Case("negative weights (NAND)", table.copy(), np.array([-1.0, -1.0]), 1.5),
        Case("a single example (N = 1)", np.array([[0.5, -2.0]]), np.array([2.0, 1.0]), 0.5),
        Case("large values", 1e3 * rng.normal(size=(5, 2)), 1e3 * rng.normal(size=2), -250.0),
    ]


def _torch_step_predict(X, w, b):
    import torch

    z = as_tensor(X) @ as_tensor(w) + b
    return to_numpy(torch.heaviside(z, torch.tensor(1.0, dtype=torch.float64)))


def _z(attempt) -> np.ndarray:
    X, w, b = attempt.case.args
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b


register(
    FunctionExercise(
        id="foundations.perceptron_predict",
        reference="predict",
        arg_names=("X", "w", "b"),
        cases=predict_cases,
        oracle=_torch_step_predict,
        hints=(
            Hint(VALUE, "at z = 0 exactly the step gives 1 (step(0) = 1, as torch.heaviside(z, 1)): use z >= 0, "
                        "not z > 0", lambda a: close(a, (_z(a) > 0).astype(float))),
            Hint(VALUE, "return the 0/1 outputs step(z), not the sums z themselves", lambda a: close(a, _z(a))),
            Hint(VALUE, "the perceptron outputs 1 where z ≥ 0 and 0 where z < 0, not the other way round",
                 lambda a: close(a, 1.0 - a.expected)),
            Hint(VALUE, "the bias is missing: z = X @ w + b",
                 lambda a: close(a, (np.asarray(a.case.args[0]) @ np.asarray(a.case.args[1]) >= 0).astype(float))),
            Hint(VALUE, "the perceptron's outputs are 0 and 1, never −1: np.sign gives −1, 0 or +1, and some texts "
                        "use the labels ±1. Use np.where(z >= 0, 1.0, 0.0)",
                 lambda a: a.got_array is not None and (a.got_array < 0).any()
                 and np.isin(a.got_array, (-1.0, 0.0, 1.0)).all()),
            Hint(VALUE, "that looks like a smooth value between 0 and 1: the perceptron uses the hard step, 0 or 1",
                 lambda a: a.got_array is not None and ((a.got_array > 0) & (a.got_array < 1)).any()),
            Hint(EXCEPTION, "`if z >= 0:` asks one question about a whole array: compare element-wise, e.g. "
                            "np.where(z >= 0, 1.0, 0.0)", raised("ambiguous")),
            Hint(EXCEPTION, "the shapes do not fit: X has one example per row, (N, D), and w has D entries, so the "
                            "product that lines them up is X @ w, (N, D) @ (D,) -> (N,); w @ X would need X to be "
                            "(D, N)",
                 raised("matmul", "not aligned", "mismatch")),
            Hint(STRUCTURE, "one prediction per example: the result has shape (N,). X @ w with w of shape (D,) gives "
                            "(N,); a column w of shape (D, 1) gives (N, 1)",
                 lambda a: np.shape(a.got) == (len(a.case.args[0]), 1)),
        ),
    ),
)


# --- the training loop ---------------------------------------------------------------------------------
TRAIN_GATES = ("and", "or", "nand")
TRAIN_SETTINGS = {"lr": 0.1, "epochs": 20}
TRAIN_SEED = 0
_PROBE = {"X": np.array([[1.0, 2.0]]), "lr": 0.5}  # one example; from w = 0, b = 0 its sum is z = 0


def _probe(answer, target: float, epochs: int = 1):
    """Train on the one probe example with this target from w = 0, b = 0: the learner's (w, b), or None."""
    result = run(answer, _PROBE["X"].copy(), np.array([float(target)]), lr=_PROBE["lr"], epochs=epochs,
                 rng=np.random.default_rng(TRAIN_SEED))
    if isinstance(result, Raised):  # a diagnosis only; the verdict already reports the failure
        return None
    parsed = _weights_and_bias_any(result, 2)
    return None if isinstance(parsed, str) else parsed


def _weights_and_bias_any(value, d: int):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"train_perceptron must return a pair (w, b); got {type(value).__name__}"
    w, b = value
    try:
        w, b_arr = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return "w must be an array of numbers and b a number"
    if w.shape != (d,) or b_arr.size != 1:
        return f"w must have shape ({d},) and b be one number; got w of shape {w.shape}, b of shape {b_arr.shape}"
    return w, float(b_arr.reshape(()))


_SIGN_FLIPPED = ("the update has its sign flipped: error = target − prediction (here 0 − 1 = −1), and "
                 "w += lr · error · x moves w away from an example that should give 0")


def _diagnose(answer) -> str | None:
    """The likely mistake, from the updates the learner's loop makes on one example, x = (1, 2), lr = 0.5.

    From w = 0, b = 0 the sum is z = 0, so the prediction is step(0) = 1. With target 0 (error −1) the rule
    must give w = −lr·x, b = −lr; with target 1 it must change nothing, however many epochs.
    """
    probe = _probe(answer, target=0.0)
    if probe is None:
        return None
    w, b = probe
    x, lr = _PROBE["X"][0], _PROBE["lr"]
    right_w, right_b = -lr * x, -lr  # error = 0 − step(0) = −1

    def is_(w_expected, b_expected) -> bool:
        return bool(np.allclose(w, w_expected) and np.isclose(b, b_expected))

    if is_(-right_w, -right_b) or is_(-right_w, 0.0):
        return _SIGN_FLIPPED
    if is_(-right_w, right_b):
        return ("the weights' update has its sign flipped (the bias's is right): error = target − prediction, "
                "then w += lr · error · x, with the same sign as b += lr · error")
    if is_(right_w, -right_b):
        return ("the bias's update has its sign flipped (the weights' is right): b += lr · error, with the same "
                "sign as w += lr · error · x")
    if is_(right_w, 0.0):
        return "the bias never changes: update it too, b += lr · error (the bias acts like a weight whose input is 1)"
    if is_(right_w / lr, right_b / lr):
        return "the learning rate is not used: w += lr · error · x and b += lr · error"
    if is_(right_w, right_b / lr):
        return "the bias's update forgets the learning rate: b += lr · error, like w += lr · error · x"
    if is_(right_w / lr, right_b):
        return "the weights' update forgets the learning rate: w += lr · error · x, like b += lr · error"
    if is_(np.full_like(x, right_b), right_b):
        return ("the weights' update forgets the input: w += lr · error · x (each weight moves in proportion to its "
                "own input, so a weight whose input is 0 does not move)")
    if not is_(0.0, 0.0):
        return None
    # Nothing changed on an example it gets wrong: look at an example it gets right (target 1), for 2 epochs.
    again = _probe(answer, target=1.0, epochs=2)
    if again is not None:
        w1, b1 = again
        if np.allclose(w1, lr * x) and np.isclose(b1, lr):
            return ("your step gives 0 at z = 0, but the course's step(0) = 1 (as torch.heaviside(z, 1)): use "
                    "z >= 0, or utils.activations.step. From w = 0, b = 0, z = 0 and the prediction is 1")
        if np.allclose(w1, 2 * lr * x) and np.isclose(b1, 2 * lr):
            return ("the update uses the target y where it needs the error y − ŷ: the rule changes the weights only "
                    "on a mistake (error ±1), and leaves them alone when the prediction is right (error 0)")
        if np.allclose(w1, -lr * x) and np.isclose(b1, -lr):
            return ("the error uses the sum z where it needs the prediction ŷ = step(z), 0 or 1: error = y − step(z), "
                    "which is −1, 0 or +1")
    return ("nothing changed on an example the perceptron gets wrong: from w = 0, b = 0 the sum is z = 0, the "
            "prediction is step(0) = 1, the target 0, so error = −1 and the rule must update w and b")


class _CountingRng:
    """A stand-in for the ``rng`` argument that counts the calls to ``permutation`` (one per epoch in the rule as the
    exercise states it) and otherwise behaves as the generator it wraps."""

    def __init__(self, rng: np.random.Generator):
        self._rng, self.permutations = rng, 0

    def permutation(self, *args, **kwargs):
        self.permutations += 1
        return self._rng.permutation(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._rng, name)


def _one_epoch_only(answer, X, y) -> bool:
    """The answer makes one pass over the examples however many epochs it is given (e.g. a `return` inside the
    epoch loop): asked for ``TRAIN_SETTINGS["epochs"]`` epochs, it draws the examples' order once."""
    rng = _CountingRng(np.random.default_rng(TRAIN_SEED))
    result = run(answer, X.copy(), y.copy(), lr=TRAIN_SETTINGS["lr"], epochs=TRAIN_SETTINGS["epochs"], rng=rng)
    return not isinstance(result, Raised) and rng.permutations == 1


def train_property(answer):
    from utils.data import logic_gate
    from utils.perceptron import predict

    for gate in TRAIN_GATES:
        X, y = logic_gate(gate)
        result = answer(X.copy(), y.copy(), rng=np.random.default_rng(TRAIN_SEED), **TRAIN_SETTINGS)
        parsed = _weights_and_bias_any(result, X.shape[1])
        if isinstance(parsed, str):
            return parsed, "end the function with `return w, b`"
        w, b = parsed
        right = int(np.sum(predict(X, w, b) == y))
        if right < len(y):
            problem = (f"after {TRAIN_SETTINGS['epochs']} epochs (lr = {TRAIN_SETTINGS['lr']}, seed {TRAIN_SEED}) on "
                       f"{gate.upper()}, your perceptron gets {right} of 4 right")
            if _one_epoch_only(answer, X, y):
                return problem, (f"asked for {TRAIN_SETTINGS['epochs']} epochs, your loop drew the examples' order "
                                 "once: it stops after the first pass over the examples (a `return` inside the "
                                 "epoch loop?), or ignores `epochs`. Repeat the pass `for _ in range(epochs):`, and "
                                 "return after the loop")
            hint = _diagnose(answer) or ("check the rule: for each example, error = y − step(w·x + b), then "
                                         "w += lr · error · x and b += lr · error; loop over all examples in every "
                                         "epoch, starting from w = 0, b = 0")
            return problem, hint
    return None


register(
    PropertyExercise(
        id="foundations.perceptron_train",
        reference="train_perceptron",
        prop=train_property,
        praise="100% on AND, OR and NAND.",
    ),
)


# --- why not XOR ------------------------------------------------------------------------------------------
XOR_CHOICES = ("a", "b", "c", "d")


def _xor_oracle() -> str:
    """"b" when the numbers support it: XOR admits no separating line (a linear program says so) while AND, OR
    and NAND do, and a much larger learning rate with many more epochs still never gets XOR right."""
    from utils.data import logic_gate
    from utils.perceptron import linearly_separable, train_perceptron

    separable = {g: linearly_separable(*logic_gate(g)) for g in ("and", "or", "nand", "xor")}
    fit = train_perceptron(*logic_gate("xor"), lr=1.0, epochs=200, rng=np.random.default_rng(1))
    if separable == {"and": True, "or": True, "nand": True, "xor": False} and fit.errors.min() > 0:
        return "b"
    return "?"


register(
    ValueExercise(
        id="foundations.xor_why",
        reference="xor_why",
        choices=XOR_CHOICES,
        oracle=_xor_oracle,
        explain={
            "a": "a larger lr scales every update, so w and b grow together and the line w·x + b = 0 stays where "
                 "it would be: lr changes how fast the perceptron moves, not which boundaries it can draw; and more "
                 "epochs only repeat the same cycle",
            "c": "true of the step, but the perceptron rule uses no derivative at all (it adds ±lr·x), and with the "
                 "same step it learns AND, OR and NAND perfectly",
            "d": "the four rows are the whole truth table: there is nothing more to learn, and repeating the same "
                 "four points changes nothing",
        },
    ),
)
