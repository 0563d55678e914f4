"""Chapter 01 (activation functions): batteries, oracles and hints of its exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..kinds import (
    EXCEPTION,
    MUTATION,
    STRUCTURE,
    VALUE,
    WARNING,
    Case,
    DictExercise,
    FunctionExercise,
    Hint,
    ValueExercise,
)
from ..oracles import (
    sigmoid,
    softmax,
    softmax_with,
    torch_derivative,
    torch_elementwise,
    torch_functional,
    torch_softmax,
)
from ..predicates import (
    argument,
    close,
    not_finite,
    not_finite_only_at_large_inputs,
    raised,
    right_only_where,
    same_as,
    same_values,
)
from ..registry import register


def elementwise_cases() -> list[Case]:
    """The battery every element-wise activation is checked on: typical, batch, edge and extreme inputs."""
    rng = np.random.default_rng(2026)
    return [
        Case("five points", np.array([-2.0, -1.0, 0.0, 1.0, 2.0])),
        Case("a batch of shape (4, 3)", rng.normal(0.0, 3.0, size=(4, 3))),
        Case("a single zero", np.array([0.0])),
        Case("a 3-D array (2, 3, 4)", rng.uniform(-6.0, 6.0, size=(2, 3, 4))),
        Case("tiny inputs near 0", np.array([-1e-12, -1e-300, 0.0, 1e-300, 1e-12])),
        Case("large inputs ±1000", np.array([-1000.0, -710.0, -50.0, 50.0, 710.0, 1000.0])),
    ]


def _signs_wrong_only(attempt) -> bool:
    """The magnitudes are right (to 1e-5) and some signs are not."""
    got, want = np.asarray(attempt.got, dtype=float), np.asarray(attempt.expected, dtype=float)
    return same_values(np.abs(got), np.abs(want), rtol=1e-5, atol=1e-8) and bool(np.any(np.sign(got) != np.sign(want)))


def _sigmoid_of_clipped_input(attempt) -> bool:
    """The answer is σ(clip(x, −c, c)) for the c its value at the most negative input gives away: the input was
    clipped (a common "fix" for the overflow) where the formula should have been rewritten."""
    x = np.asarray(attempt.x, dtype=float)
    got = attempt.got_array
    if got is None or x.size == 0:
        return False
    lowest = int(np.argmin(x))
    p = float(got.reshape(-1)[lowest])
    if not 0.0 < p < 0.5:
        return False
    c = -np.log(p / (1.0 - p))  # σ(−c) = p
    return bool(c < -x.reshape(-1)[lowest]) and close(attempt, sigmoid(np.clip(x, -c, c)), rtol=1e-6)


# What the checker sees of a passing answer at ±1000 is its values (a warning silenced inside the answer, with
# np.errstate, cannot be observed): the praise says no more than that.
_RIGHT_AT_1000 = "Its values are right at ±1000 too."

_LARGE_INPUT_NAN = Hint(VALUE, "NaN or inf at large |x|: the formula overflows there (np.exp(1000) is inf). "
                               "Rewrite it so np.exp only sees -|x|, or use a NumPy function that is stable.",
                        not_finite_only_at_large_inputs)

register(
    FunctionExercise(
        id="activations.sigmoid",
        reference="sigmoid",
        cases=elementwise_cases,
        oracle=torch_elementwise("sigmoid"),
        praise=_RIGHT_AT_1000,
        hints=(
            Hint(VALUE, "your values are σ(−x) = 1 / (1 + e^{+x}): check the sign inside the exponent (with two "
                        "formulas, also which one goes with x ≥ 0)",
                 lambda a: close(a, 1.0 - a.expected, rtol=1e-5, atol=1e-6)),
            Hint(VALUE, "that is σ(|x|), right for x ≥ 0 only: for x < 0, σ(x) = e^{x} / (1 + e^{x}) = 1 − σ(|x|). "
                        "Choose the formula by the sign of x (np.where(x >= 0, …, …))",
                 lambda a: close(a, sigmoid(np.abs(a.x)))),
            Hint(VALUE, "that is σ(−|x|), right for x < 0 only: e^{-|x|} / (1 + e^{-|x|}) is the formula for "
                        "negative x; for x ≥ 0 use 1 / (1 + e^{-|x|})",
                 lambda a: close(a, sigmoid(-np.abs(a.x)))),
            Hint(VALUE, "clipping the input (np.clip(x, -c, c)) avoids the overflow but changes the values far out: "
                        "σ(−1000) is 0 to float64's precision, not σ(−c). Rewrite the formula instead, so np.exp "
                        "only sees −|x|", _sigmoid_of_clipped_input),
            _LARGE_INPUT_NAN,
            Hint(WARNING, "np.exp(-x) overflows for x ≈ -1000 even though the final value is right. "
                          "Use exp(-|x|): for x ≥ 0, σ(x) = 1 / (1 + e^{-x}); for x < 0, σ(x) = e^{x} / (1 + e^{x})."),
            Hint(EXCEPTION, "math.exp works on one number only: use np.exp for arrays",
                 raised("scalar", error=TypeError)),
        ),
    ),
    FunctionExercise(
        id="activations.relu",
        reference="relu",
        cases=elementwise_cases,
        oracle=torch_elementwise("relu"),
        hints=(
            Hint(MUTATION, "setting x[x < 0] = 0 or np.maximum(x, 0, out=x) overwrites the caller's array: "
                           "return np.maximum(x, 0) (a new array) instead"),
            Hint(VALUE, "negative inputs should give 0 and positive ones pass through unchanged: "
                        "your result looks like max(-x, 0) or min(x, 0)",
                 lambda a: close(a, a.expected - a.x) or close(a, a.x - a.expected)),
            Hint(STRUCTURE, "ReLU is max(0, x) element by element, not the largest value of the array: "
                            "np.maximum(x, 0) compares each element with 0; np.max(x, 0) is the maximum along axis 0",
                 lambda a: np.asarray(a.got).size < np.asarray(a.expected).size),
            Hint(VALUE, "that is |x|: ReLU gives 0 for negative inputs, not −x", lambda a: close(a, np.abs(a.x))),
            Hint(EXCEPTION, "Python's max(0, x) compares a whole array with 0: use np.maximum(x, 0)",
                 raised("ambiguous", error=ValueError)),
        ),
    ),
    FunctionExercise(
        id="activations.tanh",
        reference="tanh",
        cases=elementwise_cases,
        oracle=torch_elementwise("tanh"),
        praise=_RIGHT_AT_1000,
        hints=(
            _LARGE_INPUT_NAN,
            Hint(VALUE, "these are σ(x) values, in (0, 1): tanh lies in (-1, 1); recall tanh(x) = 2σ(2x) - 1",
                 lambda a: close(a, sigmoid(a.x))),
            Hint(VALUE, "that is 2σ(x) − 1, which is tanh(x/2): the identity is tanh(x) = 2σ(2x) − 1, the sigmoid "
                        "of 2x", lambda a: close(a, 2.0 * sigmoid(a.x) - 1.0)),
            Hint(VALUE, "check the signs: tanh(x) = (e^x - e^-x) / (e^x + e^-x) is an odd function, "
                        "tanh(-x) = -tanh(x)",
                 _signs_wrong_only),
            Hint(WARNING, "e^x and e^-x overflow for |x| ≈ 1000 even when the ratio is fine: use e^{-2|x|}, "
                          "e.g. tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}), or NumPy's np.tanh"),
        ),
    ),
)


# --- derivatives --------------------------------------------------------------------------------------


register(
    FunctionExercise(
        id="activations.sigmoid_derivative",
        reference="sigmoid_derivative",
        cases=elementwise_cases,
        oracle=torch_derivative("sigmoid"),
        hints=(
            Hint(VALUE, "σ′(x) = σ(x)(1 − σ(x)): check the sign, yours looks like σ(x)(1 + σ(x))",
                 lambda a: close(a, sigmoid(a.x) * (1 + sigmoid(a.x)))),
            Hint(VALUE, "this function takes the input x, not the output σ(x): compute s = σ(x) first, "
                        "then s(1 − s). (x(1 − x) is the 'output form' some code uses in backprop.)",
                 lambda a: close(a, np.asarray(a.x) * (1 - np.asarray(a.x)))),
            Hint(VALUE, "that is σ(x) itself, not its derivative", lambda a: close(a, sigmoid(a.x))),
            Hint(VALUE, "that is 1 − σ(x): multiply it by σ(x), σ′(x) = σ(x)(1 − σ(x))",
                 lambda a: close(a, 1.0 - sigmoid(a.x))),
            _LARGE_INPUT_NAN,
            Hint(WARNING, "your σ(x) overflows at x ≈ -1000: build the derivative on your stable sigmoid "
                          "(or on act.sigmoid from utils)"),
        ),
    ),
    FunctionExercise(
        id="activations.tanh_derivative",
        reference="tanh_derivative",
        cases=elementwise_cases,
        oracle=torch_derivative("tanh"),
        hints=(
            Hint(VALUE, "tanh′(x) = 1 − tanh(x)²: you used 1 − x², the form for the output, on the input",
                 lambda a: close(a, 1 - np.asarray(a.x) ** 2)),
            Hint(VALUE, "square the tanh: tanh′(x) = 1 − tanh(x)², not 1 − tanh(x)",
                 lambda a: close(a, 1 - np.tanh(a.x))),
            Hint(VALUE, "tanh′(x) = 1 − tanh(x)², which is at most 1 (at x = 0); yours looks like 1 + tanh(x)²",
                 lambda a: close(a, 1 + np.tanh(a.x) ** 2)),
            Hint(VALUE, "that is tanh(x)(1 − tanh(x)), the sigmoid's pattern s(1 − s): tanh′(x) = 1 − tanh(x)²",
                 lambda a: close(a, np.tanh(a.x) * (1 - np.tanh(a.x)))),
            _LARGE_INPUT_NAN,
            Hint(WARNING, "np.cosh(x) overflows for |x| above about 710: write the derivative as 1 − tanh(x)², "
                          "which stays between 0 and 1",
                 lambda a: any("cosh" in w for w in a.result.warnings)),
        ),
    ),
    FunctionExercise(
        id="activations.relu_derivative",
        reference="relu_derivative",
        cases=elementwise_cases,
        oracle=torch_derivative("relu"),
        hints=(
            Hint(VALUE, "at exactly x = 0 ReLU has a kink; PyTorch (and this course) use ReLU′(0) = 0, "
                        "so test x > 0, not x >= 0",
                 lambda a: close(a, (np.asarray(a.x) >= 0).astype(float))),
            Hint(VALUE, "that is ReLU itself, not its slope: the derivative is 1 where x > 0 and 0 elsewhere",
                 lambda a: close(a, np.maximum(a.x, 0))),
            Hint(VALUE, "np.sign gives −1 for negative inputs, but ReLU is flat there: its slope is 0, not −1",
                 lambda a: close(a, np.sign(a.x))),
            Hint(VALUE, "the slope is 1 for positive inputs and 0 for negative ones, not the other way round",
                 lambda a: close(a, (np.asarray(a.x) < 0).astype(float))
                 or close(a, (np.asarray(a.x) <= 0).astype(float))),
        ),
    ),
)


# --- parametric ReLUs ----------------------------------------------------------------------------------


def parametric_cases(param: str, values: tuple[float, ...]) -> Callable[[], list[Case]]:
    """Element-wise cases run with the default parameter, then with each value of ``param``."""

    def cases() -> list[Case]:
        base = elementwise_cases()
        rng = np.random.default_rng(7)
        x = rng.normal(0.0, 3.0, size=(3, 4))
        with_param = [Case(f"{param} = {v}", x.copy(), **{param: v}) for v in values]
        extreme = Case(f"large inputs ±1000 with {param} = {values[-1]}",
                       np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]), **{param: values[-1]})
        return base[:3] + with_param + [base[-1], extreme]

    return cases


def _slope(attempt) -> float:
    return argument(attempt, "negative_slope", 1, 0.01)


def _alpha(attempt) -> float:
    return argument(attempt, "alpha", 1, 1.0)


register(
    FunctionExercise(
        id="activations.leaky_relu",
        reference="leaky_relu",
        arg_names=("x", "negative_slope"),
        cases=parametric_cases("negative_slope", (0.2, 0.0, 0.5)),
        oracle=torch_functional("leaky_relu"),
        hints=(
            Hint(VALUE, "the slope multiplies the negative inputs only; positive inputs pass through unchanged",
                 lambda a: close(a, np.where(a.x > 0, _slope(a) * a.x, a.x))),
            Hint(VALUE, "for negative inputs return negative_slope * x, not the constant negative_slope",
                 lambda a: close(a, np.where(a.x > 0, a.x, _slope(a)))),
            Hint(VALUE, "your function ignores its negative_slope argument (it always uses 0.01)",
                 lambda a: _slope(a) != 0.01
                 and close(a, np.where(a.x > 0, a.x, 0.01 * a.x))),
            Hint(MUTATION, "work on a new array (np.where(x > 0, x, negative_slope * x)), not in place"),
        ),
    ),
    FunctionExercise(
        id="activations.elu",
        reference="elu",
        arg_names=("x", "alpha"),
        cases=parametric_cases("alpha", (0.5, 2.0)),
        oracle=torch_functional("elu"),
        hints=(
            Hint(VALUE, "your function ignores alpha: for x ≤ 0, ELU(x) = α(eˣ − 1)",
                 lambda a: _alpha(a) != 1.0
                 and close(a, np.where(a.x > 0, a.x, np.expm1(np.minimum(a.x, 0))))),
            Hint(VALUE, "for x ≤ 0 ELU is α(eˣ − 1), which tends to −α; check the '− 1'",
                 lambda a: close(a, np.where(a.x > 0, a.x, _alpha(a) * np.exp(np.minimum(a.x, 0))))),
            Hint(VALUE, "positive inputs pass through unchanged (ELU(x) = x for x > 0)",
                 lambda a: right_only_where(a, np.asarray(a.x) <= 0)),
            Hint(WARNING, "np.where computes both branches for every element, so np.exp(1000) overflows in the branch "
                          "you then throw away: take the exponential of np.minimum(x, 0) instead"),
            _LARGE_INPUT_NAN,
        ),
    ),
)


# --- softmax, temperature, log-softmax -------------------------------------------------------------


def softmax_cases() -> list[Case]:
    """Logits along the last axis: one vector, batches, ties, and rows of huge or widely spread logits."""
    rng = np.random.default_rng(11)
    return [
        Case("the logits [2.0, 1.0, 0.1]", np.array([2.0, 1.0, 0.1])),
        Case("a batch (4, 5): one distribution per row", rng.normal(0.0, 2.0, size=(4, 5))),
        Case("equal logits: uniform rows", np.zeros((2, 4))),
        Case("a 3-D batch (2, 3, 4)", rng.normal(0.0, 2.0, size=(2, 3, 4))),
        Case("huge logits ±1000 in each row", np.array([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -1001.0]])),
        Case("one row spread from -1000 to 1000", np.array([[1000.0, 0.0, -1000.0]])),
    ]


def _logits(x, T=1.0) -> np.ndarray:
    """The logits the answer should have used: x, or x / T for the temperature exercise."""
    return np.asarray(x, dtype=float) / T


def _shifted(x) -> np.ndarray:
    """The logits minus each row's maximum."""
    x = _logits(x)
    return x - x.max(axis=-1, keepdims=True)


def _softmax_slip(max_axis: int | None, sum_axis: int | None, log: bool = False) -> Callable:
    """A hint predicate: the answer is the softmax with its maximum and its sum taken along these axes
    (``oracles.softmax_with``); with ``log``, the log of those probabilities (−inf where they underflowed)."""

    def mistake(*args):
        probabilities = softmax_with(_logits(*args), max_axis, sum_axis)
        return np.log(probabilities) if log else probabilities

    return same_as(mistake)


def _softmax_hints(log: bool = False) -> tuple[Hint, ...]:
    """The hints shared by softmax, softmax with temperature and log-softmax (``log``: compare logs)."""
    return (
        Hint(VALUE, "this is a softmax over axis 0, down each column: in a batch (N, C) the classes are along the "
                    "last axis, so each row is one distribution. Take the max and the sum over axis=-1 with "
                    "keepdims=True", _softmax_slip(0, 0, log)),
        Hint(VALUE, "this is one softmax over the whole array (every entry divided by one grand total), so the rows "
                    "do not each sum to 1: normalise each row, sum over axis=-1 with keepdims=True",
             _softmax_slip(None, None, log)),
        Hint(VALUE, "your max runs over axis 0 and your sum over the last axis: the shift cancels only when it is "
                    "the same for the whole row, so take both over axis=-1 (keepdims=True)",
             _softmax_slip(0, -1, log)),
        Hint(VALUE, "your sum runs over axis 0, down each column: each row is one distribution, so sum over "
                    "axis=-1 with keepdims=True", _softmax_slip(-1, 0, log)),
        Hint(VALUE, "subtract each row's own maximum (x.max(axis=-1, keepdims=True)): with one global maximum, "
                    "a row far below it underflows to 0 / 0 = NaN", _softmax_slip(None, -1, log)),
        Hint(VALUE, "np.exp(1000) overflows to inf (then inf / inf is NaN, and log(inf) is inf): subtract the row's "
                    "maximum from the logits before np.exp (softmax does not change when a constant is subtracted)",
             lambda a: not_finite(a) and np.abs(_logits(*a.case.args)).max() > 700),
        Hint(WARNING, "np.exp overflowed: subtract the row's maximum before exponentiating, so every exponent "
                      "is ≤ 0"),
        Hint(EXCEPTION, "x.max(axis=-1) drops the axis, so it no longer lines up with x: use keepdims=True",
             raised("broadcast")),
        Hint(EXCEPTION, "a vector of logits has one axis only, so axis=1 does not exist: use axis=-1, the last "
                        "axis, which is the classes' axis for a vector, a batch (N, C) or more",
             raised("out of bounds", error=np.exceptions.AxisError)),
    )


def temperature_cases() -> list[Case]:
    rng = np.random.default_rng(12)
    logits = np.array([2.0, 1.0, 0.1])
    return [
        Case("[2.0, 1.0, 0.1] at T = 1", logits.copy(), 1.0),
        Case("[2.0, 1.0, 0.1] at T = 0.5", logits.copy(), 0.5),
        Case("[2.0, 1.0, 0.1] at T = 2", logits.copy(), 2.0),
        Case("a batch (4, 5) at T = 0.3", rng.normal(0.0, 2.0, size=(4, 5)), 0.3),
        Case("a batch (3, 4) at T = 10", rng.normal(0.0, 2.0, size=(3, 4)), 10.0),
        Case("logits ±1000 at T = 0.05", np.array([[1000.0, 999.0, -1000.0], [-1000.0, -999.5, -1001.0]]), 0.05),
    ]


def _looks_multiplied(attempt) -> bool:
    x, t = np.asarray(attempt.case.args[0], dtype=float), attempt.case.args[1]
    return t != 1.0 and close(attempt, softmax(x * t))


def _ignores_temperature(attempt) -> bool:
    x, t = np.asarray(attempt.case.args[0], dtype=float), attempt.case.args[1]
    return t != 1.0 and close(attempt, softmax(x))


register(
    FunctionExercise(
        id="activations.softmax",
        reference="softmax",
        cases=softmax_cases,
        oracle=torch_softmax(),
        praise="Right at ±1000 too, one distribution per row.",
        hints=(
            *_softmax_hints(),
            Hint(VALUE, "divide by each row's sum, so that every row adds up to 1: e / e.sum(axis=-1, keepdims=True)",
                 same_as(lambda x: np.exp(_logits(x) - _logits(x).max(axis=-1, keepdims=True)))),
        ),
    ),
    FunctionExercise(
        id="activations.softmax_temperature",
        reference="softmax_temperature",
        arg_names=("logits", "T"),
        cases=temperature_cases,
        oracle=torch_softmax(),
        hints=(
            Hint(VALUE, "divide the logits by T (softmax(z / T)), don't multiply: a large T must flatten "
                        "the distribution", _looks_multiplied),
            Hint(VALUE, "your result does not depend on T: use softmax(logits / T)", _ignores_temperature),
            *_softmax_hints(),
        ),
    ),
    FunctionExercise(
        id="activations.log_softmax",
        reference="log_softmax",
        cases=softmax_cases,
        oracle=torch_softmax(log=True),
        praise="Finite and right at ±1000 too: no log(0).",
        hints=(
            Hint(VALUE, "np.log(softmax(x)) takes the log of probabilities that underflowed to 0 (−inf): compute "
                        "log-softmax directly as (x − m) − log Σ exp(x − m), with m the row's maximum",
                 _softmax_slip(-1, -1, log=True)),
            Hint(VALUE, "these are probabilities, not log-probabilities: take the log (every value should be ≤ 0)",
                 lambda a: a.got_array is not None and (a.got_array >= 0).all()),
            Hint(VALUE, "you subtracted the maximum m inside the log of the sum but not from x itself: "
                        "log_softmax(x) = (x − m) − log Σ exp(x − m)",
                 same_as(lambda x: _logits(x) - np.log(np.exp(_shifted(x)).sum(axis=-1, keepdims=True)))),
            Hint(VALUE, "take the log of the sum: log_softmax(x) = (x − m) − log Σ exp(x − m), not "
                        "(x − m) − Σ exp(x − m)",
                 same_as(lambda x: _shifted(x) - np.exp(_shifted(x)).sum(axis=-1, keepdims=True))),
            *_softmax_hints(log=True),
        ),
    ),
)


# --- conceptual questions, checked --------------------------------------------------------------------

TEMPERATURE_CHOICES = ("a", "b", "c", "d")


def _temperature_effect_oracle() -> str:
    """Which choice the numbers support: entropy up and the largest probability down as T grows -> "b"."""
    from utils.activations import entropy, softmax_temperature

    logits = np.array([2.0, 1.0, 0.1])
    probs = [softmax_temperature(logits, t) for t in (0.5, 1.0, 2.0)]
    entropies = [entropy(p) for p in probs]
    flatter = np.all(np.diff(entropies) > 0) and np.all(np.diff([p.max() for p in probs]) < 0)
    same_order = all(np.array_equal(np.argsort(p), np.argsort(logits)) for p in probs)
    return "b" if flatter and same_order else "?"


OUTPUT_CHOICES = ("identity", "sigmoid", "softmax", "relu", "tanh")

register(
    ValueExercise(
        id="activations.temperature_effect",
        reference="temperature_effect",
        choices=TEMPERATURE_CHOICES,
        oracle=_temperature_effect_oracle,
        explain={
            "a": "compare the largest probability at T = 0.5 and at T = 2: which one is bigger?",
            "c": "shifting all logits by a constant changes nothing, but dividing them by T is a scaling, not a shift",
            "d": "dividing by a positive T keeps the order of the logits, so the order of the probabilities stays",
        },
    ),
    DictExercise(
        id="activations.output_activation",
        reference="output_activation",
        choices=OUTPUT_CHOICES,
        oracle=lambda: {"spam_filter": "sigmoid", "digit_recognizer": "softmax", "price_change": "identity"},
        explain={
            ("spam_filter", "softmax"): "softmax over a single output unit is always exactly 1, whatever the "
                                        "input: it cannot express how likely spam is",
            ("spam_filter", "tanh"): "tanh gives values in (−1, 1), not a probability in (0, 1)",
            ("spam_filter", "relu"): "ReLU is unbounded above: its output cannot be read as a probability",
            ("spam_filter", "identity"): "a raw score is not a probability in (0, 1)",
            ("digit_recognizer", "sigmoid"): "ten independent sigmoids need not sum to 1; one image shows one "
                                             "digit, so the ten probabilities should compete",
            ("digit_recognizer", "relu"): "ReLU outputs are scores ≥ 0 that need not sum to 1: to read ten outputs as "
                                          "the probabilities of ten competing digits, they must sum to 1",
            ("digit_recognizer", "identity"): "ten raw scores (logits) are not probabilities: they can be negative "
                                              "and need not sum to 1",
            ("digit_recognizer", "tanh"): "tanh gives values in (−1, 1): not probabilities, and they need not sum to 1",
            ("price_change", "relu"): "ReLU cannot output a negative change (a price can fall)",
            ("price_change", "sigmoid"): "a sigmoid output lies in (0, 1): far too narrow for changes in euros",
            ("price_change", "tanh"): "tanh lies in (−1, 1): far too narrow for changes in euros",
            ("price_change", "softmax"): "softmax makes outputs that sum to 1: a distribution, not a number",
        },
    ),
)
