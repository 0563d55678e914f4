"""The explorers' canvas: matplotlib's Agg canvas with text drawn from caches, the same pixels faster.

Matplotlib 3.11 draws text one glyph at a time in Python (lay the string out with FreeType, then render each
glyph, then paste it): ~0.15 ms a glyph, so a two-line title costs ~9 ms to redraw and text is about half of a
whole figure's draw. An explorer draws the same strings (a title whose number changed, tick labels, legends)
over and over, so ``TextCachingCanvas`` keeps the layout of each string and the bitmap of each glyph at each
sub-pixel offset (FreeType positions glyphs in 1/64 px) and pastes those: the title then costs ~1.5 ms, and
the pixels are identical to matplotlib's own (a test compares them). Text that is not antialiased, the layout
of mathtext, and any other matplotlib version than the one this was written for (3.11: the private methods below
must exist) take matplotlib's own path.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.ft2font import FT2Font, RenderMode

__all__ = ["TextCachingCanvas"]

_FAST_TEXT = all(hasattr(RendererAgg, name) for name in ("_draw_text_glyphs_and_boxes", "_prepare_font")) and all(
    hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph"))
MAX_GLYPHS = 50_000  # ~300 bytes each; a cache that grows past its size starts again empty
MAX_LAYOUTS = 5_000


class _TextCachingRenderer(RendererAgg):
    """RendererAgg whose antialiased text comes from two caches shared by every canvas:
    the layout of each string (FreeType's glyphs and their offsets) and each glyph's bitmap at each sub-pixel
    offset (what FreeType renders depends on the position only through its fraction of a pixel)."""

    glyphs: dict = {}
    layouts: dict = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        font = self._prepare_font(prop)
        flags = get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        key = (font, size, self.dpi, s, flags, repr(features), repr(language))  # the font object itself: no reuse
        items = self.layouts.get(key)
        if items is None:
            if len(self.layouts) >= MAX_LAYOUTS:
                self.layouts.clear()
            items = self.layouts[key] = tuple(
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language))
        self._draw_text_glyphs_and_boxes(gc, x, y, angle, ((f, size, g, 0, 1, dx, dy) for f, g, dx, dy in items), [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        if not gc.get_antialiased():
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        flags, height, dpi, cache = get_hinting_flag(), self.height, self.dpi, self.glyphs
        for font, size, index, slant, extend, dx, dy in glyphs:  # matplotlib's loop, the bitmaps from the cache
            px = round(0x40 * (x + dx * cos - dy * sin))  # 26.6 fixed point; FreeType's y is upwards
            py = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font, size, dpi, index, flags, angle, slant, extend, px & 63, py & 63)
            glyph = cache.get(key)
            if glyph is None:
                if len(cache) >= MAX_GLYPHS:
                    cache.clear()
                font.set_size(size, dpi)
                matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
                font._set_transform(matrix.round().astype(int), [px & 63, py & 63])  # the fraction: whole pixels below
                bitmap = font._render_glyph(index, flags, RenderMode.NORMAL)
                glyph = cache[key] = (bitmap.buffer.copy(), bitmap.left, bitmap.top)
            buffer, left, top = glyph
            self._renderer.draw_text_image(buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0],
                                           0, gc)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, [], boxes)


class TextCachingCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` whose renderer draws text from caches (see the module): same pixels, faster."""

    def get_renderer(self):
        if not _FAST_TEXT:
            return super().get_renderer()
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
