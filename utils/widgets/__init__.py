"""Interactive explorers (ipywidgets), one module per chapter, over shared plumbing in ``base.py``.

Each explorer is a thin layer over a pure computation in the chapter's ``utils`` module, comes with a
static drawing function for the figure of its default state, and exposes ``.controls`` and ``.state`` so
tests can drive it from Python. Import from the chapter's module, e.g.
``from utils.widgets.activations import activation_explorer``.
"""
