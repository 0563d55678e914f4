"""Every float slider of every explorer starts on its own grid: where the browser's slider puts it.

The browser shows a slider's value as ``min + k·step`` (a log slider's exponent likewise) and sends back any value
that is not: an explorer whose normalisation scale starts at 1.0 on a grid that misses 1.0 shows 0.96 and redraws
for it as soon as it is displayed; a one-cycle ``div_factor`` of 25 on a grid of tenths of a decade becomes 25.1.
A value off the grid by a rounding error only (0.9 against 0.9000000000000001) is the same state
(``utils.widgets.base.is_echo``: not drawn again); a value off by a real fraction of a step is a wrong start."""

from __future__ import annotations

import math

import ipywidgets as widgets
import pytest

from utils.widgets.catalog import explorer_factories


def steps_from_min(slider: widgets.Widget, value: float) -> float:
    """How many steps ``value`` lies from the slider's ``min`` (in the exponent for a log slider)."""
    position = math.log(value, slider.base) if isinstance(slider, widgets.FloatLogSlider) else value
    return (position - slider.min) / slider.step


def off_grid(slider: widgets.Widget) -> list[float]:
    """The values of a float slider (both ends of a range slider) that are not on its grid (nor at an end of it)."""
    values = slider.value if isinstance(slider.value, tuple) else (slider.value,)
    top = steps_from_min(slider, slider.base ** slider.max if isinstance(slider, widgets.FloatLogSlider)
                         else slider.max)
    return [v for v in values if not (abs(steps_from_min(slider, v) - round(steps_from_min(slider, v))) < 1e-6
                                      or abs(steps_from_min(slider, v) - top) < 1e-6)]


FLOAT_SLIDERS = (widgets.FloatSlider, widgets.FloatLogSlider, widgets.FloatRangeSlider)


def test_the_grid_check_sees_a_value_between_two_steps():
    assert off_grid(widgets.FloatLogSlider(value=25.0, base=10, min=0.0, max=3.0, step=0.1)) == [25.0]
    assert off_grid(widgets.FloatLogSlider(value=1e4, base=10, min=0.0, max=5.0, step=0.1)) == []
    lo, hi = math.log10(0.25), math.log10(3.0)
    assert off_grid(widgets.FloatLogSlider(value=1.0, base=10, min=lo, max=hi, step=(hi - lo) / 24)) == [1.0]
    assert off_grid(widgets.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.05)) == []
    assert off_grid(widgets.FloatRangeSlider(value=(0.1, 0.35), min=0.0, max=1.0, step=0.1)) == [0.35]


FACTORIES = [(f"{module}.{name}", factory) for module, name, factory in explorer_factories()]


@pytest.mark.parametrize(("name", "factory"), FACTORIES, ids=[name for name, _ in FACTORIES])
def test_every_float_slider_starts_on_its_grid(name, factory):
    explorer = factory()
    wrong = {key: off_grid(control) for key, control in explorer.controls.items()
             if isinstance(control, FLOAT_SLIDERS) and off_grid(control)}
    assert not wrong, f"{name}: values between two steps of their slider (the browser moves them): {wrong}"
