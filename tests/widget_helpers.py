"""What every explorer test shares: the PNG signature, and `set_controls`, which sets several controls with
one redraw at the end (each single ``.value =`` redraws at once). Headless matplotlib and closing figures
after each test are set up for the whole suite in conftest.py."""

from __future__ import annotations

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def set_controls(explorer, **values):
    """Set ``explorer.controls[name].value`` for each keyword, redrawing once."""
    with explorer.paused():
        for name, value in values.items():
            explorer.controls[name].value = value
