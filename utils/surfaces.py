"""Test functions for optimizers: 2-D surfaces whose contours we can draw, and 1-D curves for the learning rate.

Every surface has ``value(xy)`` and ``gradient(xy)`` (exact, by hand), a plotting ``window``, a ``start`` point,
its ``minima`` and ``minimum_value`` (``None`` when it has none), a ``label`` and what to ``notice`` on it:

- ``Quadratic(a, b, angle)``: f = ½(a u² + b v²) in axes (u, v) turned by ``angle`` from (x, y). Its curvatures
  are a and b; gradient descent converges iff 0 < lr < 2/L with L = max(a, b) (``lipschitz``,
  ``max_stable_lr``), and the condition number κ = max(a, b) / min(a, b) says how elongated the valley is.
- ``Rosenbrock(a=1, b=100)``: f = (a − x)² + b(y − x²)², a curved, flat-bottomed valley; minimum (a, a²).
- ``Saddle()``: f = x² − y², no minimum: downhill along y, forever.
- ``DoubleWell()``: f = x⁴/4 − x²/2 + y²/2, a saddle at the origin between two minima (±1, 0). A start near the
  ridge x = 0 lingers there before it escapes.
- ``Polynomial1D(coefficients)``: a 1-D function (a parabola, a quartic, two minima of different depths) for
  the learning-rate lesson; ``value(x)``, ``gradient(x)`` (= f′(x)), ``second_derivative(x)``.

``SURFACES`` is the one table, name -> surface (``ndim`` 2 or 1); ``get_surface(name)`` looks one up.

Shapes: 2-D surfaces: xy (..., 2) -> value (...), gradient (..., 2); 1-D: x (...) -> value (...), gradient (...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .module import check_number, to_float64

__all__ = ["SURFACES", "DoubleWell", "Polynomial1D", "Quadratic", "Rosenbrock", "Saddle", "Surface", "get_surface"]


def _xy(xy) -> np.ndarray:
    xy = to_float64(xy, name="xy")
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(f"xy must have shape (..., 2) (points (x, y) of the plane), got shape {xy.shape}")
    return xy


def _window(window, ndim: int) -> tuple[float, ...]:
    window = tuple(check_number(v, "each number of window") for v in window)
    if len(window) != 2 * ndim or any(lo >= hi for lo, hi in zip(window[::2], window[1::2])):
        expected = "(x_min, x_max, y_min, y_max)" if ndim == 2 else "(x_min, x_max)"
        raise ValueError(f"window must be {expected} with each min < max, got {window}")
    return window


class Surface:
    """The base of the 2-D test functions: ``value``, ``gradient`` and what a figure needs.

    A subclass is a frozen dataclass with ``label``, ``formula``, ``notice``, ``window`` (x_min, x_max, y_min, y_max),
    ``start`` (x, y), ``log_levels`` (contours log-spaced above the minimum: a flat valley with steep walls)
    and implements ``_value(x, y)``, ``_gradient(x, y)``, ``minima`` and ``minimum_value``.
    """

    ndim = 2

    def value(self, xy) -> np.ndarray:
        """f at each point. Shapes: xy (..., 2) -> (...).

        Raises:
            ValueError: for xy not real numbers, or its last axis not of length 2.
        """
        xy = _xy(xy)
        return self._value(xy[..., 0], xy[..., 1])

    def gradient(self, xy) -> np.ndarray:
        """∇f = (∂f/∂x, ∂f/∂y) at each point. Shapes: xy (..., 2) -> (..., 2).

        Raises:
            ValueError: for xy not real numbers, or its last axis not of length 2.
        """
        xy = _xy(xy)
        gx, gy = self._gradient(xy[..., 0], xy[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1)

    @property
    def minima(self) -> np.ndarray:
        """The minimizers, shape (k, 2) (k = 0 for a surface without a minimum)."""
        raise NotImplementedError

    @property
    def minimum_value(self) -> float | None:
        """f at the minima, or None when f has no minimum (it is unbounded below)."""
        raise NotImplementedError

    @property
    def start_point(self) -> np.ndarray:
        """The default start as an array, shape (2,)."""
        return np.array(self.start, dtype=np.float64)

    def _value(self, x, y):
        raise NotImplementedError

    def _gradient(self, x, y):
        raise NotImplementedError


@dataclass(frozen=True)
class Quadratic(Surface):
    """f = ½(a u² + b v²) with (u, v) = (x, y) turned by ``angle`` radians: an elongated bowl, minimum 0 at (0, 0).

    f = ½ pᵀHp with H = R diag(a, b) Rᵀ (R the rotation by ``angle``): H's eigenvalues a, b are the curvatures.
    ``angle = 0`` lines the valley up with the axes (a per-coordinate step size, as Adam's, then fits it);
    a turned valley mixes the coordinates.

    Raises:
        ValueError: for a or b not a finite number > 0, or angle not a finite number.
    """

    a: float = 1.0
    b: float = 10.0
    angle: float = 0.0
    label: str = "Ill-conditioned quadratic"
    notice: str = "plain GD crawls along the flat direction, and zig-zags across the valley once lr > 1/L"
    window: tuple = (-5.5, 5.5, -3.0, 3.0)
    start: tuple = (-5.0, 1.5)
    log_levels: bool = False
    _h: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        a, b = check_number(self.a, "a", above=0), check_number(self.b, "b", above=0)
        angle = check_number(self.angle, "angle")
        c, s = math.cos(angle), math.sin(angle)
        h = (a * c * c + b * s * s, (a - b) * c * s, a * s * s + b * c * c)  # H = R diag(a, b) Rᵀ: hxx, hxy, hyy
        for name, value in (("a", a), ("b", b), ("angle", angle), ("_h", h), ("window", _window(self.window, 2)),
                            ("start", tuple(_xy(self.start).tolist()))):
            object.__setattr__(self, name, value)

    @property
    def formula(self) -> str:
        """f as a learner reads it, e.g. "f = ½(x² + 10y²)"."""
        a, b = ("" if v == 1 else f"{v:g}" for v in (self.a, self.b))
        if self.angle == 0:
            return f"f = ½({a}x² + {b}y²)"
        return f"f = ½({a}u² + {b}v²), axes turned {math.degrees(self.angle):g}°"

    @property
    def hessian(self) -> np.ndarray:
        """H, shape (2, 2): f = ½ pᵀHp."""
        hxx, hxy, hyy = self._h
        return np.array([[hxx, hxy], [hxy, hyy]])

    @property
    def lipschitz(self) -> float:
        """L = max(a, b): the largest curvature, the Lipschitz constant of the gradient."""
        return max(self.a, self.b)

    @property
    def max_stable_lr(self) -> float:
        """2 / L: gradient descent converges for 0 < lr < 2/L and diverges for lr > 2/L."""
        return 2.0 / self.lipschitz

    @property
    def condition_number(self) -> float:
        """κ = max(a, b) / min(a, b): how many times steeper the steep direction is than the flat one."""
        return max(self.a, self.b) / min(self.a, self.b)

    @property
    def minima(self) -> np.ndarray:
        return np.zeros((1, 2))

    @property
    def minimum_value(self) -> float:
        return 0.0

    def _value(self, x, y):
        hxx, hxy, hyy = self._h
        return 0.5 * (hxx * x * x + 2.0 * hxy * x * y + hyy * y * y)

    def _gradient(self, x, y):
        hxx, hxy, hyy = self._h
        return hxx * x + hxy * y, hxy * x + hyy * y


@dataclass(frozen=True)
class Rosenbrock(Surface):
    """f = (a − x)² + b(y − x²)²: a curved valley along y = x², minimum 0 at (a, a²).

    Raises:
        ValueError: for a not a finite number or b not a finite number > 0.
    """

    a: float = 1.0
    b: float = 100.0
    label: str = "Rosenbrock"
    notice: str = "reaching the curved valley is easy; following its flat floor is not"
    window: tuple = (-2.0, 2.0, -1.0, 3.0)
    start: tuple = (-1.5, 2.5)
    log_levels: bool = True

    def __post_init__(self):
        for name, value in (("a", check_number(self.a, "a")), ("b", check_number(self.b, "b", above=0)),
                            ("window", _window(self.window, 2)), ("start", tuple(_xy(self.start).tolist()))):
            object.__setattr__(self, name, value)

    @property
    def formula(self) -> str:
        return f"f = ({self.a:g} − x)² + {self.b:g}(y − x²)²"

    @property
    def minima(self) -> np.ndarray:
        return np.array([[self.a, self.a * self.a]])

    @property
    def minimum_value(self) -> float:
        return 0.0

    def _value(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _gradient(self, x, y):
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r


@dataclass(frozen=True)
class Saddle(Surface):
    """f = x² − y²: a minimum along x, a maximum along y; no minimum at all (f → −∞ along y)."""

    label: str = "Saddle"
    notice: str = "a start near y = 0 slides to the saddle point, then away along y"
    window: tuple = (-2.0, 2.0, -2.0, 2.0)
    start: tuple = (-1.8, 0.01)
    log_levels: bool = False

    def __post_init__(self):
        object.__setattr__(self, "window", _window(self.window, 2))
        object.__setattr__(self, "start", tuple(_xy(self.start).tolist()))

    formula = "f = x² − y²"

    @property
    def minima(self) -> np.ndarray:
        return np.zeros((0, 2))

    @property
    def minimum_value(self) -> None:
        return None

    def _value(self, x, y):
        return x * x - y * y

    def _gradient(self, x, y):
        return 2.0 * x, -2.0 * y


@dataclass(frozen=True)
class DoubleWell(Surface):
    """f = x⁴/4 − x²/2 + y²/2: a saddle point at (0, 0) between two minima −¼ at (±1, 0)."""

    label: str = "Saddle between two minima"
    notice: str = "the gradient is tiny near the saddle: who lingers there longest?"
    window: tuple = (-1.6, 1.6, -2.2, 2.2)
    start: tuple = (0.001, 2.0)
    log_levels: bool = False

    def __post_init__(self):
        object.__setattr__(self, "window", _window(self.window, 2))
        object.__setattr__(self, "start", tuple(_xy(self.start).tolist()))

    formula = "f = x⁴/4 − x²/2 + y²/2"

    @property
    def minima(self) -> np.ndarray:
        return np.array([[-1.0, 0.0], [1.0, 0.0]])

    @property
    def minimum_value(self) -> float:
        return -0.25

    def _value(self, x, y):
        x2 = x * x
        return 0.25 * x2 * x2 - 0.5 * x2 + 0.5 * y * y

    def _gradient(self, x, y):
        return x * x * x - x, 1.0 * y


@dataclass(frozen=True)
class Polynomial1D:
    """A 1-D polynomial f(x) = c₀xⁿ + … + cₙ (``coefficients`` highest power first, as ``np.polyval``).

    ``value(x)``, ``gradient(x)`` (f′), ``second_derivative(x)`` (f″), ``minima`` (its local minima, sorted),
    ``window`` (x_min, x_max), ``start`` (x₀). For a parabola f = ½ a x², ``lipschitz`` is a and gradient
    descent converges iff 0 < lr < 2/a (``max_stable_lr``); both are None for other polynomials.

    Shapes: x (...) -> (...)

    Raises:
        ValueError: for fewer than two coefficients, a leading coefficient that is not > 0 with an even degree
            (f would have no minimum), or a bad window or start.
    """

    coefficients: tuple
    label: str
    notice: str = ""
    window: tuple = (-2.0, 2.0)
    start: float = 1.5
    ndim = 1
    log_levels = False

    def __post_init__(self):
        c = to_float64(self.coefficients, name="coefficients")
        if c.ndim != 1 or c.size < 3 or not c[0] > 0 or (c.size - 1) % 2:
            raise ValueError(f"coefficients must be those of an even-degree polynomial with a positive leading "
                             f"coefficient (highest power first, e.g. (1, 0, 0) for x²), got {self.coefficients}")
        object.__setattr__(self, "coefficients", tuple(c.tolist()))
        object.__setattr__(self, "window", _window(self.window, 1))
        object.__setattr__(self, "start", check_number(self.start, "start"))

    def value(self, x) -> np.ndarray:
        """f(x). Shapes: x (...) -> (...). Raises ValueError for x not real numbers."""
        return np.polyval(self.coefficients, to_float64(x))

    def gradient(self, x) -> np.ndarray:
        """f′(x). Shapes: x (...) -> (...). Raises ValueError for x not real numbers."""
        return np.polyval(np.polyder(self.coefficients), to_float64(x))

    def second_derivative(self, x) -> np.ndarray:
        """f″(x), the curvature. Shapes: x (...) -> (...). Raises ValueError for x not real numbers."""
        return np.polyval(np.polyder(self.coefficients, 2), to_float64(x))

    @property
    def minima(self) -> np.ndarray:
        """The local minima (real roots of f′ where f′ turns from negative to positive), sorted, shape (k,)."""
        roots = np.roots(np.polyder(self.coefficients))
        real = np.unique(np.round(roots[np.abs(roots.imag) < 1e-7].real, 12))
        h = 1e-6 * np.maximum(1.0, np.abs(real))
        return real[(self.gradient(real - h) < 0) & (self.gradient(real + h) > 0)]

    @property
    def minimum_value(self) -> float:
        """The lowest value, f at the global minimum."""
        return float(np.min(self.value(self.minima)))

    @property
    def lipschitz(self) -> float | None:
        """f″ for a parabola (its constant curvature), None for a higher degree."""
        return 2.0 * self.coefficients[0] if len(self.coefficients) == 3 else None

    @property
    def max_stable_lr(self) -> float | None:
        """2 / f″ for a parabola (gradient descent converges iff 0 < lr < 2/f″), None for a higher degree."""
        return None if self.lipschitz is None else 2.0 / self.lipschitz


SURFACES: dict[str, Surface | Polynomial1D] = {
    "quadratic": Quadratic(),
    "rotated_quadratic": Quadratic(angle=math.pi / 6, label="Rotated ill-conditioned quadratic",
                                   notice="the valley no longer follows an axis: per-coordinate step sizes help less",
                                   start=(-4.5, -1.0)),
    "rosenbrock": Rosenbrock(),
    "saddle": Saddle(),
    "double_well": DoubleWell(),
    "parabola": Polynomial1D((1.0, 0.0, 0.0), "f(x) = x²", "f″ = 2 everywhere: GD converges iff lr < 2/2 = 1",
                             window=(-2.2, 2.2), start=2.0),
    "quartic": Polynomial1D((0.25, 0.0, 0.0, 0.0, 0.0), "f(x) = x⁴/4",
                            "flat at the bottom (f″(0) = 0), steep far out: no single lr suits both",
                            window=(-2.5, 2.5), start=2.0),
    "two_minima": Polynomial1D((0.25, 0.0, -0.5, 0.2, 0.0), "f(x) = x⁴/4 − x²/2 + x/5",
                               "two minima: which one GD ends in depends on the learning rate",
                               window=(-1.8, 1.8), start=1.6),
}
"""Name -> surface: the 2-D ones (``ndim == 2``) for the optimizer race, the 1-D ones for the learning rate."""


def get_surface(name: str) -> Surface | Polynomial1D:
    """The surface called ``name`` in ``SURFACES``.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if not isinstance(name, str) or name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    return SURFACES[name]
