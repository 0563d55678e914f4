"""Shared plumbing of the course's explorers: a VBox of controls over one persistent, fast-redrawn figure.

An explorer is ``Explorer(controls, rows, figure, compute, draw)``: ``compute() -> state`` reads the controls,
``draw(state) -> (key, artists)`` updates the figure's artists. Setting a control's ``.value`` (in the
browser or from Python) recomputes and redraws synchronously; ``.state`` holds the latest computed values,
``.png`` the image on screen. See ``utils/widgets/activations.py`` for two complete examples.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave

from ..plotting import use_course_style

__all__ = ["Explorer", "course_style", "encode_png", "escape", "fixed_labels", "new_figure"]


# ---------------------------------------------------------------------------------------------
@contextmanager
def course_style():
    """The course's matplotlib style for the duration of the block; the caller's rcParams come back after."""
    with mpl.rc_context():
        use_course_style()
        yield


def new_figure(figsize, nrows: int = 1, *, pyplot: bool = False, gap: float = 0.15, top: float = 0.7,
                bottom: float = 0.65, left: float = 0.8, right: float = 0.2, **subplot_kw):
    """A figure of ``nrows`` stacked Axes with fixed margins (in inches): ``(fig, axes)``.

    Fixed margins instead of a layout engine: constrained layout triples the time of a redraw (~140 ms
    instead of ~50 ms for the activation figure), too slow for a slider. ``pyplot=False`` gives a figure
    that pyplot does not track (an explorer's persistent canvas: nothing to close); ``pyplot=True`` a
    figure that ``plt.show()`` displays (the static figures).
    """
    fig = plt.figure(figsize=figsize) if pyplot else Figure(figsize=figsize, dpi=mpl.rcParams["figure.dpi"])
    axes = fig.subplots(nrows, 1, squeeze=False, **subplot_kw)[:, 0]
    width, height = figsize
    axes_height = (height - top - bottom - gap * (nrows - 1)) / nrows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        hspace=gap / axes_height)
    return fig, axes


def fixed_labels(ax, title: str = "", ylabel_at: float = 0.55, xlabel_at: float = 0.3):
    """Axis labels ``ylabel_at`` / ``xlabel_at`` inches outside the axes, and the title (returned) just above.

    Fixed positions spare matplotlib from measuring every tick label at each draw to place them (~15 ms).
    """
    width, height = ax.get_position().size * ax.figure.get_size_inches()
    ax.yaxis.set_label_coords(-ylabel_at / width, 0.5)
    ax.xaxis.set_label_coords(0.5, -xlabel_at / height)
    return ax.set_title(title, fontsize=11, y=1.0, pad=6)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG, without drawing again (``canvas.print_png`` would redraw everything).

    Compression level 1: ~3 ms faster than the default, the file a little larger.
    """
    buf = io.BytesIO()
    imsave(buf, np.asarray(canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


class Explorer(widgets.VBox):
    """A VBox holding controls, a status line and an image of ``figure``; ``update`` redraws it.

    ``compute() -> state`` reads the controls and computes; ``draw(state) -> (key, artists)`` updates the
    figure's artists and says which ones change while ``key`` stays the same (e.g. the curves as the
    parameter slider moves, while axes, ticks and labels stay). Rendering blits: everything else is
    drawn once per key and kept as a background, which makes a slider step ~3x faster (the full draw of
    the ticks, grid and labels is most of matplotlib's time).

    Any exception is shown in the status line and recorded in ``state["error"]``; the last good image stays.
    """

    def __init__(self, controls: dict[str, widgets.Widget], rows: Sequence[widgets.Widget], figure: Figure,
                 compute: Callable[[], dict], draw: Callable[[dict], tuple[object, list]]):
        self.controls = controls
        self.figure = figure
        self.state: dict = {"error": None}
        self._compute, self._draw = compute, draw
        self._canvas = FigureCanvasAgg(figure)
        self._background, self._background_key = None, None
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
        """Change several controls without redrawing for each; one update happens at the end (may nest)."""
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
        if key != self._background_key or self._background is None:
            canvas.draw()
            self._background, self._background_key = canvas.copy_from_bbox(self.figure.bbox), key
        else:
            canvas.restore_region(self._background)
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


