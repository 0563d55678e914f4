"""Shared plumbing of the course's explorers: a VBox of controls over one persistent, fast-redrawn figure.

An explorer is ``Explorer(controls, rows, figure, compute, draw)``: ``compute() -> state`` reads the controls,
``draw(state) -> (key, artists)`` updates the figure's artists. Setting a control's ``.value`` (in the
browser or from Python) recomputes and redraws synchronously; ``.state`` holds the latest computed values,
``.png`` the image on screen. See ``utils/widgets/activations.py`` for two complete examples.

The figure helpers (``course_style``, ``new_figure``, ``fixed_labels``) live in ``utils.plotting``, which
static figures import without ipywidgets; they are re-exported here for the widget modules.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plotting import course_style, fixed_labels, new_figure  # re-exported: the figure helpers widgets use
from .canvas import TextCachingCanvas

__all__ = ["Explorer", "course_style", "encode_png", "escape", "fixed_labels", "new_figure"]


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG (8-bit RGBA), without drawing again (``canvas.print_png`` would redraw all).

    Written directly with zlib at level 1 and no row filter: ~2 ms for a 630×450 figure instead of ~6 ms
    through Pillow (whose per-row filter search costs more than it saves on these mostly flat images); the
    file is ~10% larger, the pixels the same.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), np.uint8)  # each row: its filter type (0: none), then its pixels
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # bit depth 8, colour type 6 (RGBA)
    return b"\x89PNG\r\n\x1a\n" + b"".join(_png_chunk(tag, data) for tag, data in (
        (b"IHDR", header), (b"IDAT", zlib.compress(rows, 1)), (b"IEND", b"")))


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


class Explorer(widgets.VBox):
    """A VBox holding controls, a status line and an image of ``figure``; ``update`` redraws it.

    ``compute() -> state`` reads the controls and computes; ``draw(state) -> (key, artists)`` updates the
    figure's artists and says which ones change while ``key`` stays the same (e.g. the curves as the
    parameter slider moves, while axes, ticks and labels stay). Rendering blits: everything else is
    drawn once per key and kept as a background, which makes a slider step ~3x faster (the full draw of
    the ticks, grid and labels is most of matplotlib's time). The backgrounds of the last
    ``MAX_BACKGROUNDS`` keys are kept, so going back to a key seen before (a menu's earlier option) blits
    too: ``key`` must therefore say everything the still part of the figure shows.

    Any exception is shown in the status line and recorded in ``state["error"]``; the last good image stays.
    """

    MAX_BACKGROUNDS = 12  # each is the figure's RGBA pixels (~1.5–2 MB)

    def __init__(self, controls: dict[str, widgets.Widget], rows: Sequence[widgets.Widget], figure: Figure,
                 compute: Callable[[], dict], draw: Callable[[dict], tuple[object, list]]):
        self.controls = controls
        self.figure = figure
        self.state: dict = {"error": None}
        self._compute, self._draw = compute, draw
        self._canvas = TextCachingCanvas(figure)  # matplotlib's Agg canvas, text drawn from caches
        self._background, self._background_key = None, None
        self._backgrounds: dict = {}  # key -> the still background drawn for it (the oldest dropped first)
        self._paused = 0  # depth of nested paused() blocks
        self.n_updates = 0  # how many times the image was redrawn (for tests and timing)
        width = round(figure.get_figwidth() * figure.dpi)  # shown at its own size (as the static figure), not stretched
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", max_width="100%",
                                                                       height="auto"))
        self.status = widgets.HTML(layout=widgets.Layout(display="none"))  # shown only for a problem
        super().__init__([*rows, self.status, self.image])
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    @property
    def png(self) -> bytes:
        """The PNG bytes currently on screen."""
        return bytes(self.image.value)

    @contextmanager
    def paused(self):
        """Change several controls without redrawing for each; one update happens at the end (may nest).

        Each change of a control still reaches the browser as its own message, in order: a slider given a new
        range and value must get them one at a time (widened first), or the browser clamps the value to the old
        range and sends the clamped value back.
        """
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1
        if not self._paused:
            self.update()

    def _on_change(self, change) -> None:
        if not self._paused:
            self.update()

    def _render(self, key, artists: list) -> bytes:
        canvas = self._canvas
        for artist in artists:
            artist.set_animated(True)  # left out of canvas.draw(): drawn on top of the background below
        if self._background_key is None:  # after a failed draw (or when a test asks): draw everything again
            self._backgrounds.clear()
        background = self._backgrounds.get(key)
        if background is None:
            canvas.draw()
            background = canvas.copy_from_bbox(self.figure.bbox)
            while len(self._backgrounds) >= self.MAX_BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))  # the oldest
            self._backgrounds[key] = background
        else:
            canvas.restore_region(background)
        self._background, self._background_key = background, key
        for artist in artists:
            self.figure.draw_artist(artist)
        return encode_png(canvas)

    def update(self) -> None:
        """Recompute the state from the controls and redraw (synchronously)."""
        try:
            state = self._compute()
            with course_style():
                key, artists = self._draw(state)
                png = self._render(key, artists)
        except Exception as err:  # never leave a broken widget: report, keep the last good image
            self._background_key = None  # the artists may be half-updated: draw everything next time
            self.state["error"] = f"{type(err).__name__}: {err}"
            self.status.value = f"<span style='color:#C85200'>Cannot draw this: {escape(str(err))}</span>"
            self.status.layout.display = None
            return
        self.state = {**state, "error": None}
        self.status.value = ""
        self.status.layout.display = "none"
        self.image.value = png
        self.n_updates += 1


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


