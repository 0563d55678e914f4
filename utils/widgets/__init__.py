"""Interactive explorers (ipywidgets), one module per chapter, over shared plumbing in ``base.py``.

A widget module holds controls, figure classes, ``draw_*`` functions drawing an explorer's figure (its default
state, shown before the widget) and ``*_explorer`` functions; nothing a learner would call as maths. The
computations live in the chapter's maths modules (``utils.losses``, ``utils.regression``,
``utils.layer_statistics``, ``utils.playground``, ...), static figures with drawing code of their own in
``utils.figures``, the figure helpers in ``utils.plotting``. Each explorer exposes ``.controls`` and
``.state`` so tests can drive it from Python. Import from the chapter's module, e.g.
``from utils.widgets.activations import activation_explorer``.
"""
