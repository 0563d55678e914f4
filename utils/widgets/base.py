"""Shared plumbing of the course's explorers: a VBox of controls over one persistent, fast-redrawn figure.

An explorer is ``Explorer(controls, rows, figure, compute, draw)``: ``compute() -> state`` reads the controls,
``draw(state) -> (key, artists)`` updates the figure's artists. Setting a control's ``.value`` (in the
browser or from Python) recomputes and redraws synchronously; ``.state`` holds the latest computed values,
``.png`` the image on screen. See ``utils/widgets/activations.py`` for two complete examples.

The figure helpers (``course_style``, ``new_figure``, ``fixed_labels``) live in ``utils.plotting``, which
static figures import without ipywidgets; they are re-exported here for the widget modules.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import struct
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox, offset_copy

from ..plotting import course_style, fixed_labels, new_figure  # re-exported: the figure helpers widgets use
from .canvas import TextCachingCanvas

__all__ = ["Explorer", "course_style", "encode_png", "escape", "fixed_labels", "is_echo", "new_figure"]


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG (8-bit RGBA), without drawing again (``canvas.print_png`` would redraw all).

    Written directly: each row unfiltered (PNG filter type 0), then zlib at level 1. Pillow (behind
    ``imsave``) tries every PNG filter on every row, which costs ~5 ms of the ~8 ms an 800 × 600 image takes;
    unfiltered, the file is ~5% larger and takes ~3 ms. Shape: the canvas's (height, width, 4) RGBA buffer
    -> PNG bytes (8-bit RGBA, colour type 6) that decode to exactly those pixels.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # column 0: each row's filter byte, 0 = none
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA, no interlace
    return b"".join([_PNG_SIGNATURE, _png_chunk(b"IHDR", header), _png_chunk(b"IDAT", zlib.compress(rows, 1)),
                     _png_chunk(b"IEND", b"")])


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def is_echo(change) -> bool:
    """Whether a control's change (a traitlets change: ``"old"``, ``"new"``) is the browser sending back the value
    Python set, as the slider computes it: a float slider's value is its ``min + k·step`` in the browser's floating
    point, so a value set to 0.9 comes back as 0.9000000000000001 (a range slider's pair likewise). The same numbers
    to 1e-9 (relative; 1e-12 near zero), far below any control's step: nothing to compute or draw again."""
    old, new = change.get("old"), change.get("new")
    if isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        pairs = list(zip(old, new))
    else:
        pairs = [(old, new)]
    return all(isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
               for a, b in pairs)


class Explorer(widgets.VBox):
    """A VBox holding controls, a status line and an image of ``figure``; ``update`` redraws it.

    ``compute() -> state`` reads the controls and computes; ``draw(state) -> (key, artists)`` updates the
    figure's artists and says which ones change while ``key`` stays the same (e.g. the curves as the
    parameter slider moves, while axes, ticks and labels stay). Rendering blits: everything else is
    drawn once per key and kept as a background, which makes a slider step ~3x faster (the full draw of
    the ticks, grid and labels is most of matplotlib's time). The backgrounds of the last
    ``MAX_BACKGROUNDS`` keys are kept, so going back to a key seen before (a menu's earlier option) blits
    too: ``key`` must therefore say everything the still part of the figure shows.

    ``draw`` may also return ``(key, artists, parts)``: ``parts`` maps an artist (an Axes, a title) to its own
    key. A part is left out of the background and kept as its own pixels per part key, so a control that
    changes one panel redraws that panel only (e.g. the race's loss panel when the number of steps changes,
    while the contour plot stays). A part's box (``get_tightbbox``, 2 pixels wider) must hold nothing else of
    the figure: its kept pixels are put back over whatever the background has there. A Text part of several
    lines is kept line by line, each line a single-line text where the whole text puts it (matplotlib's own
    layout: the same pixels), from the last line up, each kept by its words and those of the lines below it
    (whose edges its box may hold): a title whose last line stays draws only the lines above it.

    ``ahead(state)``, if given, yields ``(key, make_state)`` for the states one change away from ``state`` (a
    menu's other options, a slider's next steps): ``key`` as ``draw`` would return it, ``make_state()`` computing
    the state as ``compute`` would. When the kernel has been idle for ``AHEAD_DELAY`` seconds, the backgrounds of
    the keys not kept yet are drawn, one at a time (``draw_ahead``; a change made meanwhile waits for one at most
    and starts over), so that a first visit blits too. The image on screen does not change. Without a running
    event loop (a test, a script) nothing is drawn ahead by itself.

    ``image_key(state)``, if given, names everything the image of a state shows (e.g. every control's value): the
    images are then kept by it (the ``MAX_IMAGES`` last used), so a state seen before is shown from its PNG without
    drawing (the figure's artists are brought to it when ``.figure`` is read), and drawing ahead renders the whole
    image of each state ahead, not only its background: its first visit costs no drawing either.

    Any exception is shown in the status line and recorded in ``state["error"]``; the last good image stays.
    """

    MAX_BACKGROUNDS = 12  # each is the figure's RGBA pixels (~1.5–2 MB); the least recently used is dropped
    AHEAD_DELAY = 0.5  # seconds without a change before drawing ahead starts (a slider drag has shorter gaps)
    AHEAD_GAP = 0.02  # seconds between two backgrounds drawn ahead: time for a change that came meanwhile to go first
    MAX_IMAGES = 64  # PNGs kept by image_key (~40–100 kB each), the least recently used dropped
    MAX_PART_BYTES = 16_000_000  # kept pixels of parts (a panel ~0.5 MB, a title a few kB), least recently used dropped

    def __init__(self, controls: dict[str, widgets.Widget], rows: Sequence[widgets.Widget], figure: Figure,
                 compute: Callable[[], dict], draw: Callable[[dict], tuple], *,
                 ahead: Callable[[dict], Iterable[tuple[object, Callable[[], dict]]]] | None = None,
                 image_key: Callable[[dict], Hashable] | None = None):
        self.controls = controls
        self._figure = figure  # `figure` (the property) first brings its artists to the current state
        self._stale = False  # the artists show another state than .state (its image was kept: not drawn)
        self.state: dict = {"error": None}
        self._compute, self._draw, self._ahead, self._image_key = compute, draw, ahead, image_key
        self._images: dict = {}  # image_key -> the PNG rendered for it, least recently used first
        self._canvas = TextCachingCanvas(figure)  # matplotlib's Agg canvas, text drawn from caches
        self._background, self._background_key = None, None
        self._backgrounds: dict = {}  # key -> the still background drawn for it, least recently used first
        self._ahead_states: Iterator | None = None  # what is left to draw ahead of the current state
        self._ahead_timer: asyncio.TimerHandle | None = None
        self._ahead_cells: int | None = None  # the kernel's execution count when drawing ahead was planned
        self._parts: dict = {}  # (part, part key) -> (its pixels, their bytes), drawn over a background
        self._lines: dict = {}  # a Text part of several lines -> the single-line texts that draw it
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
    def figure(self) -> Figure:
        """The figure, its artists as the image on screen shows them (set by ``draw`` now if a kept image was shown
        without drawing)."""
        if self._stale:
            with course_style():
                self._draw(self.state)
            self._stale = False
        return self._figure

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
        if not self._paused and not is_echo(change):
            self.update()

    def _places(self) -> list:
        """Where each Axes' box and titles are: what a full draw may move and a blit draws relative to."""
        return [(ax, ax.get_position(), [(t, t.get_position()) for t in (ax.title, ax._left_title, ax._right_title)])
                for ax in self._figure.axes]

    @staticmethod
    def _put_back(places: list) -> None:
        for ax, box, titles in places:
            ax.set_position(box, which="active")
            for title, xy in titles:
                title.set_position(xy)

    def _render(self, key, artists: list, parts: dict | None = None) -> bytes:
        canvas = self._canvas
        parts = parts or {}
        for artist in [*artists, *parts]:
            artist.set_animated(True)  # left out of canvas.draw(): drawn on top of the background below
        if self._background_key is None:  # after a failed draw (or when a test asks): draw everything again
            self._backgrounds.clear()
            self._parts.clear()
        background = self._backgrounds.pop(key, None)
        if background is None:
            background = self._draw_background(key)
        else:
            self._backgrounds[key] = background  # now the most recently used
            canvas.restore_region(background[0])
            self._put_back(background[1])
        self._background, self._background_key = background, key
        self._draw_parts(parts)
        for artist in artists:
            self._figure.draw_artist(artist)
        return encode_png(canvas)

    def _draw_parts(self, parts: dict) -> None:
        """Put each part's kept pixels over the background, or draw it and keep its pixels."""
        canvas = self._canvas
        for part, part_key in self._split_lines(parts):
            kept = self._parts.get((part, part_key))
            if kept is None:
                self._figure.draw_artist(part)
                box = _part_box(part, canvas.get_renderer())
                if box is not None:
                    box = Bbox.intersection(box.padded(2), self._figure.bbox)
                if box is not None:
                    self._keep_part((part, part_key), canvas.copy_from_bbox(box), 4 * box.width * box.height)
            else:
                self._parts[(part, part_key)] = self._parts.pop((part, part_key))  # now the most recently used
                canvas.restore_region(kept[0])

    def _draw_background(self, key) -> tuple:
        """Draw the figure without its animated artists and keep it as the background of ``key``, with the places
        it was drawn at: a full draw moves Axes boxes (an equal aspect fits the box to the data's shape) and
        titles, and a blit must put them back (going back to the 8×8 digit after the photo must not draw the
        digit in the photo's box)."""
        self._canvas.draw()
        background = (self._canvas.copy_from_bbox(self._figure.bbox), self._places())
        _keep(self._backgrounds, key, background, self.MAX_BACKGROUNDS)
        return background

    def _split_lines(self, parts: dict) -> list[tuple]:
        """``(artist, key)`` to draw for the visible ``parts``, a Text part of several lines (``_line_places``)
        replaced by one single-line text per line, last line first: a line's key is its words, those of the lines
        below it (drawn before it: its box may hold their edges) and the part's place and style."""
        out = []
        renderer = self._canvas.get_renderer()
        for part, part_key in parts.items():
            if not part.get_visible():
                continue
            places = _line_places(part, renderer)
            if places is None:
                out.append((part, part_key))
                continue
            texts = self._lines.setdefault(part, [])
            while len(texts) < len(places):
                texts.append(Text())
            anchor = tuple(np.round(part.get_transform().transform(part.get_position()), 2))
            style = (mcolors.to_rgba(part.get_color(), part.get_alpha()), hash(part.get_fontproperties()))
            below = ()
            for text, (words, x, y) in reversed(list(zip(texts, places))):
                below = (words, *below)
                if not words.strip():  # nothing to draw
                    continue
                text.update_from(part)
                text.set_figure(part.get_figure(root=False))
                text.set(text=words, position=part.get_position(), horizontalalignment="left",
                         verticalalignment="baseline", visible=True,
                         transform=offset_copy(part.get_transform(), fig=self._figure, x=x, y=y, units="dots"))
                out.append((text, (below, anchor, round(x, 2), round(y, 2), style)))
        return out

    def _keep_part(self, key, pixels, size: float) -> None:
        """Keep a part's pixels, dropping the least recently used beyond ``MAX_PART_BYTES``."""
        self._parts[key] = (pixels, size)
        total = sum(kept[1] for kept in self._parts.values())
        while total > self.MAX_PART_BYTES and len(self._parts) > 1:
            total -= self._parts.pop(next(iter(self._parts)))[1]

    def update(self) -> None:
        """Recompute the state from the controls and redraw (synchronously)."""
        try:
            state = self._compute()
            png = self._kept_image(state)
            kept = png is not None  # shown as kept: the figure's artists are set only if asked for (.figure)
            if not kept:
                with course_style():
                    key, artists, *parts = self._draw(state)
                    png = self._render(key, artists, *parts)
                self._keep_image(state, png)
        except Exception as err:  # never leave a broken widget: report, keep the last good image
            self._background_key = None  # the artists may be half-updated: draw everything next time
            self._cancel_ahead()
            self.state["error"] = f"{type(err).__name__}: {err}"
            self.status.value = f"<span style='color:#C85200'>Cannot draw this: {escape(str(err))}</span>"
            self.status.layout.display = None
            return
        self.state, self._stale = {**state, "error": None}, kept
        self.status.value = ""
        self.status.layout.display = "none"
        self.image.value = png
        self.n_updates += 1
        self._plan_ahead()

    def _kept_image(self, state: dict) -> bytes | None:
        """The PNG kept for this state's ``image_key`` (now the most recently used), or None."""
        if self._image_key is None:
            return None
        if self._background_key is None:  # after a failed draw (or when a test asks): render everything again
            self._images.clear()
        kept = self._images.pop(self._image_key(state), None)
        if kept is None:
            return None
        self._images[self._image_key(state)] = kept
        png, key = kept
        if key in self._backgrounds:  # its background too is used again: kept before the others
            self._backgrounds[key] = self._backgrounds.pop(key)
        return png

    def _keep_image(self, state: dict, png: bytes) -> None:
        """Keep ``png`` by the state's image_key, with the key of the background it was drawn over."""
        if self._image_key is not None:
            _keep(self._images, self._image_key(state), (png, self._background_key), self.MAX_IMAGES)

    def draw_ahead(self, limit: int | None = None) -> int:
        """Draw the backgrounds (and parts; with ``image_key``, the whole images) of the states ``ahead`` yields for
        the current state that are not kept yet, at most ``limit`` of them (None: all); the figure's artists and
        places are then set back to the current state and the image on screen does not change. What the kernel
        does while idle; returns how many were drawn."""
        if self._ahead_states is None:
            return 0
        drawn, places = 0, self._places()
        try:
            with course_style():
                for key, make_state in self._ahead_states:
                    if not self._draw_one_ahead(key, make_state):
                        continue
                    drawn += 1
                    if limit is not None and drawn >= limit:
                        break
                else:
                    self._ahead_states = None  # all drawn
                if drawn:  # the artists and places as on screen again (the next update blits over the canvas)
                    self._draw(self.state)
                    self._put_back(places)
                    self._stale = False
        except Exception:  # drawing ahead is only a speed-up: never a reason to break the widget
            self._ahead_states, self._background_key = None, None  # the next update draws everything
            self._stale = True  # the artists may show a state ahead: .figure draws the current one again
        return drawn

    def _draw_one_ahead(self, key, make_state: Callable[[], dict] | None) -> bool:
        """Draw one state ahead, if not kept yet: its whole image (with ``image_key``), else its background and
        parts. ``make_state`` None: the current state's background, if its image was shown as kept and its
        background is gone (the next change draws over it). Whether anything was drawn."""
        if make_state is None:
            kept = self._images.get(self._image_key(self.state))
            key, make_state = (kept[1] if kept else None), (lambda: self.state)
            if key is None:
                return False
        elif self._image_key is not None:
            state = make_state()
            if key in self._backgrounds:  # kept already: now recently used, kept before those not ahead
                self._backgrounds[key] = self._backgrounds.pop(key)
            if self._kept_image(state) is not None:
                return False
            key, artists, *parts = self._draw(state)
            self._keep_image(state, self._render(key, artists, *parts))
            return True
        if key in self._backgrounds:
            self._backgrounds[key] = self._backgrounds.pop(key)
            return False
        key, artists, *parts = self._draw(make_state())
        parts = parts[0] if parts else {}
        for artist in [*artists, *parts]:
            artist.set_animated(True)  # left out of the background, as _render does
        self._draw_background(key)
        self._draw_parts(parts)  # its titles' lines kept too
        return True

    def _cancel_ahead(self) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.cancel()
        self._ahead_states, self._ahead_timer = None, None

    def _plan_ahead(self) -> None:
        """Start over with the states ahead of the new current one, after AHEAD_DELAY of quiet."""
        self._cancel_ahead()
        if self._ahead is None:
            return
        first = [(None, None)] if self._image_key is not None else []  # the current state's background, if gone
        self._ahead_states = itertools.chain(first, self._ahead(self.state))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a test, a script): draw_ahead() may be called by hand
            return
        self._ahead_cells = _cells_run()
        self._ahead_timer = loop.call_later(self.AHEAD_DELAY, self._ahead_step)

    def _ahead_step(self) -> None:
        """One background, then the next after AHEAD_GAP: a change the learner makes meanwhile waits for one at most.

        Only while no cell runs: if a cell ran since the last step (Run All, a learner running cells), wait another
        AHEAD_DELAY instead, so drawing ahead never adds to the time of running a notebook."""
        self._ahead_timer = None
        if _cells_run() != self._ahead_cells:
            self._ahead_cells = _cells_run()
            self._ahead_timer = asyncio.get_running_loop().call_later(self.AHEAD_DELAY, self._ahead_step)
            return
        if self.draw_ahead(limit=1) and self._ahead_states is not None:
            self._ahead_timer = asyncio.get_running_loop().call_later(self.AHEAD_GAP, self._ahead_step)


def _cells_run() -> int | None:
    """How many cells the IPython kernel has run (its execution count), None outside IPython: what tells drawing
    ahead that the kernel is busy with a notebook's cells rather than idle between a learner's changes."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - Jupyter brings IPython
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


def _line_places(part, renderer) -> list[tuple[str, float, float]] | None:
    """``(line, x, y)`` for each line of a Text part to draw line by line: where matplotlib starts the line's
    baseline, in pixels from the text's anchor (its own layout, ``Text._get_layout``). None for a text of one line,
    or rotated, wrapped, boxed, maths or TeX (drawn whole), or if this matplotlib lays text out otherwise."""
    if not isinstance(part, Text) or "\n" not in part.get_text() or "$" in part.get_text():
        return None
    if part.get_rotation() != 0 or part.get_wrap() or part.get_bbox_patch() is not None or part.get_usetex():
        return None
    try:
        info = part._get_layout(renderer)[1]  # [(line, (width, ascent, descent), (x, y) of its baseline start)]
        places = [(str(line), float(x), float(y)) for line, _, (x, y) in info]
    except Exception:  # another matplotlib's layout: draw the text whole
        return None
    return places if [line for line, _, _ in places] == part.get_text().split("\n") else None


def _part_box(part, renderer) -> Bbox | None:
    """The box a part covers (``get_tightbbox``). For an Axes, the artists clipped to it are left out of the
    search: their boxes lie inside the axes' own, which counts anyway (measuring each curve is half the cost)."""
    if not isinstance(part, Axes):
        return part.get_tightbbox(renderer)
    unclipped = [a for a in part.get_default_bbox_extra_artists()
                 if not (a.get_clip_on() and (a.get_clip_box() is not None or a.get_clip_path() is not None))]
    return part.get_tightbbox(renderer, bbox_extra_artists=unclipped)


def _neighbours(control: widgets.Widget) -> list:
    """The values one change away from ``control``'s: the next option of a menu or toggle buttons, the options
    either side on a selection slider, a step either way of an integer or float slider (to 10 decimals, as the
    browser's step lands), within its range. Other controls (log and range sliders: the browser's arithmetic is not
    Python's to the last bit): none. For an explorer's ``ahead``."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons)):
        values = list(control._options_values)
        return [values[(values.index(control.value) + 1) % len(values)]] if len(values) > 1 else []
    if isinstance(control, widgets.SelectionSlider):  # the options either side
        values = list(control._options_values)
        at = values.index(control.value)
        return [values[i] for i in (at + 1, at - 1) if 0 <= i < len(values)]
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        moved = [control.value + control.step, control.value - control.step]
        if isinstance(control, widgets.FloatSlider):
            moved = [round(v, 10) for v in moved]
        return [v for v in moved if control.min <= v <= control.max]
    return []


def _keep(cache: dict, key, value, limit: int) -> None:
    """``cache[key] = value``, dropping the oldest entries beyond ``limit``."""
    while len(cache) >= limit:
        cache.pop(next(iter(cache)))
    cache[key] = value


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


