"""What the course's command-line tools (``python -m utils.doctor``, ``grade``, ``generate``, ``pretrained``)
share: one line instead of a traceback when started outside the course's environment, and quiet kernels.

Outside the environment (a Python without the course's packages, e.g. the system ``python3`` in a terminal
where ``.venv`` is not activated), ``python -m utils.grade`` would stop with ``ModuleNotFoundError: No module
named 'nbformat'``. A tool wraps its imports and its ``main()`` in :func:`course_environment`, which prints
one line saying what to do (``make grade``, or ``source .venv/bin/activate`` first) and exits with code 2.
Imported as a library (``import utils.grade``), nothing changes: a missing package raises as usual.

Kernels: since ipykernel 7.4 every kernel started over TCP without encryption logs ``[IPKernelApp] WARNING
| Kernel is running over TCP without encryption…``, which a learner reads as a security problem.
:func:`kernel_config` turns on the CurveZMQ encryption jupyter_client provisions for kernels that declare
it (``KernelManager.transport_encryption = "auto"``; ipykernel's kernelspec declares ``curve``): the
traffic between the tool and its kernel is encrypted and the kernel has nothing to warn about.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "dl-course-utils"  # pyproject's name: requirements.txt installs it (`-e .`)
# What the tools import, directly or through the checker and the notebooks they run (import names).
COURSE_MODULES = ("numpy", "torch", "matplotlib", "ipywidgets", "nbformat", "nbclient", "ipykernel")
EXIT_OUTSIDE = 2


def course_is_installed() -> bool:
    """Is this Python one that ``pip install -r requirements.txt`` ran in (the course's package installed)?
    The ``dl_course_utils.egg-info`` that an editable install leaves in the repository does not count: a
    Python started in the repository's folder sees it too."""
    elsewhere = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT]
    return any(True for _ in metadata.distributions(name=DISTRIBUTION, path=elsewhere))


def first_missing(modules: tuple[str, ...] = COURSE_MODULES) -> str | None:
    """The first of ``modules`` this Python cannot import (found without importing anything), or None."""
    for name in modules:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def activate_command() -> str:
    return r".venv\Scripts\activate" if os.name == "nt" else "source .venv/bin/activate"


def outside_message(tool: str, make: str | None, missing: str | None) -> str:
    """The one line a tool prints when this Python lacks the course's packages."""
    if course_is_installed():  # the course's environment, but a package is missing or broken
        return (f"python -m {tool}: this environment has no {missing}: run `python -m pip install -r "
                "requirements.txt` in it again (`make doctor` lists what else is missing)")
    if not (ROOT / ".venv").is_dir():
        todo = "run `make lab` once to create .venv, or activate the environment you installed requirements.txt in"
    elif make:
        todo = f"run `{make}`, or `{activate_command()}` first"
    else:
        todo = f"run `{activate_command()}` first"
    return f"python -m {tool} needs the course's environment, and this Python ({sys.executable}) is not it: {todo}"


def exit_outside(tool: str, make: str | None, missing: str | None) -> None:
    print(outside_message(tool, make, missing), file=sys.stderr)
    raise SystemExit(EXIT_OUTSIDE)


@contextlib.contextmanager
def course_environment(module_name: str, tool: str, make: str | None = None) -> Iterator[None]:
    """Around a tool's imports and its ``main()``: when the tool runs as a script (``module_name`` is
    ``"__main__"``) in a Python without the course's packages, print :func:`outside_message` and exit 2.
    ``tool`` is the module (``"utils.grade"``), ``make`` the make command that runs it in the environment."""
    if module_name != "__main__":
        yield
        return
    missing = first_missing()
    if missing:
        exit_outside(tool, make, missing)
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "utils":
            raise  # a module of the course itself is missing: a bug, not the environment
        exit_outside(tool, make, exc.name)


def kernel_config():
    """traitlets Config for nbclient's ``NotebookClient(..., config=kernel_config())``: kernels started with
    CurveZMQ transport encryption, so ipykernel does not warn "Kernel is running over TCP without encryption".
    Empty (the warning stays) where pyzmq was built without CurveZMQ."""
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config
