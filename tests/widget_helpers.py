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


def assert_survives_a_failing_computation(monkeypatch, explorer, module, function: str, control: str,
                                          bad_value, good_value):
    """Break ``module.function`` and move ``control`` to ``bad_value``: the error is recorded, no exception
    escapes and the last good image stays; restore it and move to ``good_value``: the explorer redraws."""
    good_png, n = explorer.png, explorer.n_updates

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, function, broken)
    explorer.controls[control].value = bad_value
    assert explorer.state["error"] == "RuntimeError: boom" and explorer.png == good_png and explorer.n_updates == n
    monkeypatch.undo()
    explorer.controls[control].value = good_value
    assert explorer.state["error"] is None and explorer.n_updates == n + 1


def assert_each_image_is_a_full_redraw(explorer, changes):
    """Set each ``(control, value)`` of ``changes`` in turn; after each, the image on screen (backgrounds and
    parts kept or drawn) must equal a full redraw of the same state, every background and part forgotten."""
    for control, value in changes:
        explorer.controls[control].value = value
        shown = explorer.png
        explorer._background_key = None  # forget backgrounds and parts: draw everything
        explorer.update()
        assert explorer.png == shown, (control, value)
