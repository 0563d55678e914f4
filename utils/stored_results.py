"""Reading what a measurement script of ``benchmarks/`` stored in ``utils/assets/`` (one reader for every chapter).

A measurement too slow for a notebook (many seeds, a grid, a learning curve) runs once in a script
``benchmarks/measure_<subject>.py``, which writes a small JSON (``benchmarks/stored_results.py``'s
``write_results``). Each chapter's module reads it through ``read_stored_results`` (``mnist_mlp.stored_results``,
``regularization_experiments.stored_regularization_results``, ``mnist_cnn.stored_cnn_results``), and a notebook
asserts against it with margins.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["read_stored_results"]


def read_stored_results(path, sections, script: str) -> dict:
    """The JSON object stored at ``path``, checked to hold every key of ``sections``.

    ``script``: the command that regenerates the file (``"python benchmarks/measure_cnn_chapter.py"``), named in
    the error.

    Raises:
        ValueError: if the file is missing, is not JSON, is not an object or lacks one of ``sections``, naming the
            file and the command that rebuilds it. TypeError: for ``sections`` not a tuple or list of strings.
    """
    path = Path(path)
    if not isinstance(sections, (tuple, list)) or not all(isinstance(key, str) for key in sections):
        raise TypeError(f"sections must be a tuple of the keys the file must hold, got {sections!r}")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read the stored results {path}: {err}; regenerate them with {script}") from None
    missing = [key for key in sections if not isinstance(results, dict) or key not in results]
    if missing:
        raise ValueError(f"the stored results {path} lack {', '.join(missing)}: regenerate them with {script}")
    return results
