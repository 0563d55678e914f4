"""The explorers' canvas and PNG: text drawn from caches gives matplotlib's own pixels (every kind of text the
explorers use, drawn twice so that the second draw comes from the caches), and encode_png's file decodes to the
canvas's pixels."""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from tests.widget_helpers import PNG_SIGNATURE
from utils.plotting import course_style
from utils.widgets import canvas as canvas_module
from utils.widgets.base import encode_png


def _figure(number: float) -> Figure:
    """Titles with numbers, Unicode (ŷ, ′, −, ₀, ×, ✗), tick labels, a rotated label, mathtext with a fraction bar,
    a legend, bold and small text, text that is not antialiased, an image with a colorbar."""
    fig = Figure(figsize=(6.0, 4.0), dpi=90)
    ax, ax2 = fig.subplots(1, 2)
    x = np.linspace(-3, 3, 50)
    ax.plot(x, np.tanh(number * x), label=f"tanh({number:.2f}·x)")
    ax.plot(x, x ** 2 / 9, label="ŷ − y, f′(x)")
    ax.set_title(f"slope = {number:.2f}: f and its derivative\nsecond line z₀ × 3 ✗", fontsize=10)
    ax.set_ylabel("f(x) rotated")
    ax.set_xlabel(r"$\frac{\partial L}{\partial w}$ and $\sigma(z)$")
    ax.legend(fontsize=8)
    ax.text(0.1, 0.9, "bold", weight="bold", transform=ax.transAxes)
    ax.text(0.1, 0.8, "not antialiased", antialiased=False, fontsize=7, transform=ax.transAxes)
    ax.text(0.5, 0.1, "rotated 30°", rotation=30, transform=ax.transAxes)
    image = ax2.imshow(np.outer(np.arange(5), np.arange(4)) * number, cmap="viridis")
    fig.colorbar(image, ax=ax2, label="response")
    fig.suptitle(f"−{number:.3f}", x=0.37)
    return fig


def _pixels(canvas_class, number: float) -> np.ndarray:
    with course_style():
        canvas = canvas_class(_figure(number))
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("number", [0.5, 1.25, -2.0])
def test_text_from_the_caches_has_matplotlibs_own_pixels(number):
    expected = _pixels(FigureCanvasAgg, number)
    for _ in range(2):  # the second time, every string's layout and every glyph come from the caches
        np.testing.assert_array_equal(_pixels(canvas_module.TextCachingCanvas, number), expected)


def test_the_caches_are_used_and_bounded(monkeypatch):
    renderer = canvas_module._TextCachingRenderer
    monkeypatch.setattr(renderer, "glyphs", {})
    monkeypatch.setattr(renderer, "layouts", {})
    _pixels(canvas_module.TextCachingCanvas, 0.5)
    assert canvas_module._FAST_TEXT and renderer.glyphs and renderer.layouts
    monkeypatch.setattr(canvas_module, "MAX_GLYPHS", 3)
    monkeypatch.setattr(canvas_module, "MAX_LAYOUTS", 3)
    np.testing.assert_array_equal(_pixels(canvas_module.TextCachingCanvas, 1.25), _pixels(FigureCanvasAgg, 1.25))
    assert len(renderer.glyphs) <= 3 and len(renderer.layouts) <= 3


def test_without_the_private_methods_it_is_matplotlibs_canvas(monkeypatch):
    monkeypatch.setattr(canvas_module, "_FAST_TEXT", False)
    canvas = canvas_module.TextCachingCanvas(_figure(0.5))
    assert type(canvas.get_renderer()) is mpl.backends.backend_agg.RendererAgg


def test_encode_png_decodes_to_the_canvas_pixels():
    with course_style():
        canvas = canvas_module.TextCachingCanvas(_figure(0.5))
        canvas.draw()
    png = encode_png(canvas)
    assert png.startswith(PNG_SIGNATURE)
    decoded = Image.open(io.BytesIO(png))
    assert decoded.mode == "RGBA" and decoded.size == canvas.get_width_height()
    np.testing.assert_array_equal(np.asarray(decoded), np.asarray(canvas.buffer_rgba()))
