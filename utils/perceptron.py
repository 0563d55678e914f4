"""Rosenblatt's perceptron (1958): one neuron with a step activation, its learning rule, and its limits.

The model, batch first (one example per row, as everywhere in the course)::

    z = X w + b              X (N, D), w (D,), b a number  ->  z (N,)
    y_hat = step(z)          step(z) = 1 if z >= 0 else 0   (step(0) = 1, as torch.heaviside(z, 1))

``w`` is the one row of the weight of a ``Linear(D, 1)``: the ``Perceptron`` module below stores it as
``weight`` of shape ``(1, D)`` (PyTorch's ``(out_features, in_features)``) and ``bias`` of shape ``(1,)``, so
its parameters copy straight into ``torch.nn.Linear(D, 1)``.

The learning rule, for one example ``(x, y)`` with ``x`` (D,) and target ``y`` in {0, 1}::

    error = y - y_hat        # +1: should have fired, -1: should not have, 0: right (no change)
    w <- w + lr * error * x
    b <- b + lr * error      # the bias is a weight whose input is always 1

Functions: ``decision_function``, ``predict``, ``score`` (the fraction classified right), ``perceptron_update``,
``train_perceptron`` (returns a ``PerceptronFit`` with the weights and the error count after every epoch), and
``linearly_separable`` (a linear program: does *any* line separate the classes?). For figures:
``decision_line`` and ``positive_region`` (the part of a square the perceptron labels 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import step
from .linear_maps import check_limits
from .module import Module, Parameter, check_number, check_positive_int, check_rng, to_float64
from .optim import check_lr

__all__ = [
    "Perceptron",
    "PerceptronFit",
    "decision_function",
    "decision_line",
    "linearly_separable",
    "perceptron_update",
    "positive_region",
    "predict",
    "score",
    "train_perceptron",
]


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------
def _check_X(X) -> np.ndarray:
    X = to_float64(X, name="X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, D), one example per row; got shape {X.shape}")
    return X


def _check_weight(weight, d: int) -> np.ndarray:
    w = to_float64(weight, name="weight")
    if w.shape != (d,):
        raise ValueError(f"weight must have shape ({d},) to match X's {d} features; got shape {w.shape}")
    return w


def _check_bias(bias) -> float:
    b = to_float64(bias, name="bias")
    if b.size != 1:
        raise ValueError(f"bias must be a single number; got shape {b.shape}")
    return float(b.reshape(()))


def _check_targets(y, n: int) -> np.ndarray:
    y = to_float64(y, name="y")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one 0/1 target per row of X; got shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"y must contain only 0 and 1; got the values {np.unique(y)}")
    return y


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
def decision_function(X, weight, bias) -> np.ndarray:
    """The pre-activation ``z = X w + b``: positive on the side of the line the perceptron labels 1.

    Shapes: X (N, D), weight (D,), bias a number -> (N,)

    Raises:
        ValueError: if X is not 2-D or the weight's length is not X's number of columns.
    """
    X = _check_X(X)
    return X @ _check_weight(weight, X.shape[1]) + _check_bias(bias)


def predict(X, weight, bias) -> np.ndarray:
    """The perceptron's outputs ``step(X w + b)``, as floats 0.0 / 1.0 (``step(0) = 1``).

    Shapes: X (N, D), weight (D,), bias a number -> (N,)
    """
    return step(decision_function(X, weight, bias))


def score(X, y, weight, bias) -> float:
    """The fraction of rows of ``X`` whose prediction equals the target ``y`` (the perceptron's accuracy on
    ``(X, y)``: scikit-learn's ``score``; ``utils.training.accuracy`` takes outputs already computed).

    Shapes: X (N, D), y (N,), weight (D,), bias a number -> a float in [0, 1]
    """
    X = _check_X(X)
    y = _check_targets(y, X.shape[0])
    return float(np.mean(predict(X, weight, bias) == y))


# ---------------------------------------------------------------------------------------------
# Learning
# ---------------------------------------------------------------------------------------------
def perceptron_update(weight, bias, x, target, lr: float = 0.1) -> tuple[np.ndarray, float]:
    """One step of the perceptron rule on one example; returns the new ``(weight, bias)`` (inputs untouched).

    ``error = target - step(w·x + b)``; ``w + lr·error·x`` and ``b + lr·error``. A correctly classified
    example (error 0) changes nothing.

    Shapes: weight (D,), bias a number, x (D,), target 0 or 1 -> weight (D,), bias a float

    Raises:
        ValueError: for shapes that do not fit, a target other than 0 or 1, or a learning rate that is not a
            positive number.
    """
    x = to_float64(x, name="x")
    if x.ndim != 1:
        raise ValueError(f"x must be one example of shape (D,); got shape {x.shape}")
    w = _check_weight(weight, x.shape[0])
    b = _check_bias(bias)
    label = np.asarray(target)
    if label.ndim != 0 or label.dtype.kind not in "iuf" or float(label) not in (0.0, 1.0):
        raise ValueError(f"target must be 0 or 1; got {repr(target) if isinstance(target, str) else target}")
    target, lr = float(label), check_lr(lr)
    error = target - float(step(x @ w + b))
    return w + lr * error * x, b + lr * error


@dataclass(frozen=True)
class PerceptronFit:
    """What ``train_perceptron`` returns.

    weight (D,), bias: the final parameters. errors (epochs,): how many rows of X are misclassified
    after each epoch. updates (epochs,): how many examples changed the weights during each epoch.
    weights (epochs + 1, D), biases (epochs + 1,): the parameters before training and after each epoch.
    """

    weight: np.ndarray
    bias: float
    errors: np.ndarray
    updates: np.ndarray
    weights: np.ndarray
    biases: np.ndarray

    @property
    def converged(self) -> bool:
        """True when the last epoch left no example misclassified."""
        return bool(self.errors.size and self.errors[-1] == 0)

    @property
    def first_perfect_epoch(self) -> int | None:
        """The first epoch (1-based) after which nothing was misclassified, or None."""
        perfect = np.flatnonzero(self.errors == 0)
        return int(perfect[0]) + 1 if perfect.size else None


def train_perceptron(X, y, *, lr: float = 0.1, epochs: int = 20, rng: np.random.Generator,
                     weight=None, bias: float | None = None, init_scale: float = 0.0) -> PerceptronFit:
    """Train a perceptron with Rosenblatt's rule, one example at a time, in a new random order each epoch.

    The start: ``weight`` and ``bias`` if given; otherwise zeros (Rosenblatt's start) when ``init_scale`` is
    0, or small random numbers drawn from N(0, init_scale²) with ``rng`` (so that no example sits exactly on
    the line by accident, as happens from zeros with 0/1 inputs). ``rng`` (a ``np.random.Generator``) also
    shuffles the examples, so the same seed gives the same run. On linearly separable data the rule stops
    changing the weights once every example is right (the perceptron convergence theorem); on XOR it never
    does.

    Shapes: X (N, D), y (N,) of 0/1 -> PerceptronFit with weight (D,), errors (epochs,), ...

    Raises:
        ValueError: for inputs of the wrong shape, targets other than 0/1, epochs < 1, lr <= 0, init_scale < 0,
            or an rng that is not a np.random.Generator.
    """
    X = _check_X(X)
    n, d = X.shape
    y = _check_targets(y, n)
    check_rng(rng)
    epochs = check_positive_int(epochs, "epochs")
    lr = check_lr(lr)
    init_scale = check_number(init_scale, "init_scale", at_least=0)
    w = init_scale * rng.normal(size=d) if weight is None else _check_weight(weight, d).copy()
    b = (init_scale * rng.normal() if init_scale > 0 else 0.0) if bias is None else _check_bias(bias)
    weights, biases, errors, updates = [w.copy()], [b], [], []
    for _ in range(epochs):
        changed = 0
        for i in rng.permutation(n):
            new_w, new_b = perceptron_update(w, b, X[i], y[i], lr)
            changed += int(new_b != b or not np.array_equal(new_w, w))
            w, b = new_w, new_b
        weights.append(w.copy())
        biases.append(b)
        errors.append(int(np.sum(predict(X, w, b) != y)))
        updates.append(changed)
    return PerceptronFit(weight=w, bias=b, errors=np.array(errors), updates=np.array(updates),
                         weights=np.array(weights), biases=np.array(biases))


class Perceptron(Module):
    """A perceptron as a module: ``Linear(in_features, 1)`` followed by a step, like its PyTorch twin
    ``torch.heaviside(torch.nn.Linear(in_features, 1)(X), 1)``.

    Parameters: ``weight`` (1, in_features) and ``bias`` (1,), both zeros at the start (Rosenblatt's rule
    needs no random start). ``fit`` trains them with ``train_perceptron``. There is no ``backward``: the
    step has no useful gradient, which is why networks of perceptrons had to wait for smooth activations.

    Shapes: forward X (N, in_features) -> predictions (N,) of 0.0 / 1.0
    """

    def __init__(self, in_features: int):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.weight = Parameter(np.zeros((1, self.in_features)))
        self.bias = Parameter(np.zeros(1))

    def decision_function(self, X) -> np.ndarray:
        """``z = X Wᵀ + b`` as a vector. Shapes: X (N, in_features) -> (N,)

        Raises:
            ValueError: if ``X`` is not (N, in_features), naming both shapes.
        """
        X = _check_X(X)
        if X.shape[1] != self.in_features:
            raise ValueError(f"Perceptron(in_features={self.in_features}) expects X of shape (N, {self.in_features}); "
                             f"got shape {X.shape}")
        return decision_function(X, self.weight.data[0], self.bias.data[0])

    def forward(self, X) -> np.ndarray:
        """Shapes: X (N, in_features) -> (N,) of 0.0 / 1.0"""
        return step(self.decision_function(X))

    def fit(self, X, y, *, lr: float = 0.1, epochs: int = 20, rng: np.random.Generator) -> PerceptronFit:
        """Train from the current parameters (see ``train_perceptron``) and keep the result; returns the fit."""
        fit = train_perceptron(X, y, lr=lr, epochs=epochs, rng=rng, weight=self.weight.data[0],
                               bias=self.bias.data[0])
        self.weight.data[0] = fit.weight
        self.bias.data[0] = fit.bias
        return fit

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}"


# ---------------------------------------------------------------------------------------------
# Separability: a question about the data, not about one training run
# ---------------------------------------------------------------------------------------------
def linearly_separable(X, y) -> bool:
    """True when some ``(w, b)`` puts every 1 on the side ``w·x + b >= 1`` and every 0 on ``w·x + b <= -1``.

    That is a linear program (feasible or not), solved with SciPy: an answer about *all* lines, where a
    training run that fails to converge only says "not found yet".

    Shapes: X (N, D), y (N,) of 0/1 -> bool
    """
    from scipy.optimize import linprog

    X = _check_X(X)
    y = _check_targets(y, X.shape[0])
    sign = np.where(y == 1.0, 1.0, -1.0)
    # variables (w_1..w_D, b); constraints  -sign_i (w·x_i + b) <= -1
    A_ub = -sign[:, None] * np.hstack([X, np.ones((X.shape[0], 1))])
    result = linprog(np.zeros(X.shape[1] + 1), A_ub=A_ub, b_ub=-np.ones(X.shape[0]),
                     bounds=[(None, None)] * (X.shape[1] + 1), method="highs")
    if result.status not in (0, 2):  # 0: a solution exists, 2: infeasible; anything else is a solver problem
        raise RuntimeError(f"the linear program could not be solved: {result.message}")
    return result.status == 0


# ---------------------------------------------------------------------------------------------
# Geometry of the decision boundary (for figures): two inputs, a square window
# ---------------------------------------------------------------------------------------------
def _check_2d(weight, bias, limits) -> tuple[np.ndarray, float, float, float]:
    w = _check_weight(weight, 2)
    lo, hi = check_limits(limits)
    return w, _check_bias(bias), lo, hi


def decision_line(weight, bias, limits=(-0.5, 1.5)) -> np.ndarray | None:
    """The segment of the line ``w1·x1 + w2·x2 + b = 0`` inside the square ``[lo, hi]²``.

    Returns its two end points as an array (2, 2) (rows are points), or None when the line misses the
    square or there is no line (w = 0: the perceptron says the same everywhere).
    """
    w, b, lo, hi = _check_2d(weight, bias, limits)
    points = []
    if w[1] != 0:  # crossings of the left and right edges
        points += [(x1, -(w[0] * x1 + b) / w[1]) for x1 in (lo, hi)]
    if w[0] != 0:  # crossings of the bottom and top edges
        points += [(-(w[1] * x2 + b) / w[0], x2) for x2 in (lo, hi)]
    tol = 1e-12 * (hi - lo)
    inside = [p for p in points if lo - tol <= p[0] <= hi + tol and lo - tol <= p[1] <= hi + tol]
    if len(inside) < 2:
        return None
    inside = np.clip(np.array(inside), lo, hi)
    distances = np.linalg.norm(inside[:, None, :] - inside[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(distances), distances.shape)
    if distances[i, j] <= tol:  # the line only touches a corner
        return None
    return inside[[i, j]]


def positive_region(weight, bias, limits=(-0.5, 1.5)) -> np.ndarray:
    """The polygon of the square ``[lo, hi]²`` where ``w·x + b >= 0`` (the perceptron says 1).

    The square clipped by a half-plane (one Sutherland–Hodgman pass): its vertices in order, an array
    (M, 2) with M between 0 (the perceptron says 0 everywhere) and 5; the whole square gives its 4 corners.
    """
    w, b, lo, hi = _check_2d(weight, bias, limits)
    square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]])
    values = square @ w + b
    polygon = []
    for k in range(4):
        p, q = square[k], square[(k + 1) % 4]
        fp, fq = values[k], values[(k + 1) % 4]
        if fp >= 0:
            polygon.append(p)
        if (fp >= 0) != (fq >= 0):  # the edge crosses the line: add the crossing
            t = fp / (fp - fq)
            polygon.append(p + t * (q - p))
    return np.array(polygon).reshape(-1, 2)
