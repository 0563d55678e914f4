"""The course's shared package: NumPy-from-scratch components, figures, widgets, the exercise checker and
the maintainers' tools. Each submodule holds one concept; notebooks import what they use, e.g.::

    from utils.activations import sigmoid
    from utils.checks import check

Importing ``utils`` itself is cheap (it imports neither NumPy nor PyTorch).
"""

__version__ = "0.1.0"
