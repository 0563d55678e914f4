"""Every explorer of the course, found by name: the public functions of ``utils/widgets/*.py`` whose names end in
``_explorer``, ``_stepper``, ``_dashboard`` or ``_playground`` (not the ``draw_*`` functions that draw their static
figures). For tools that must cover each explorer without a list to keep: ``benchmarks/measure_controls.py`` times
every control, ``tests/test_widget_sliders.py`` checks every slider's start value."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable

__all__ = ["EXPLORER_SUFFIXES", "explorer_factories"]

EXPLORER_SUFFIXES = ("_explorer", "_stepper", "_dashboard", "_playground")


def explorer_factories(only: str | None = None) -> list[tuple[str, str, Callable]]:
    """``(module name, factory name, factory)`` of every explorer factory in ``utils.widgets``, sorted; ``only``
    keeps the modules whose name contains it (e.g. "losses")."""
    from . import __path__ as package_path

    found = []
    for info in pkgutil.iter_modules(package_path):
        if only and only not in info.name:
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            factory = getattr(module, name)
            if name.endswith(EXPLORER_SUFFIXES) and not name.startswith("draw_") and inspect.isfunction(factory):
                found.append((info.name, name, factory))
    return sorted(found, key=lambda item: (item[0], item[1]))
