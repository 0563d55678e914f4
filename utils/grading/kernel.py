"""Run one learner's notebook headlessly in its own kernel, under time limits, and collect the verdicts.

Every code cell runs in order (an error in one does not stop the others), each for at most ``cell_timeout``
seconds and all together for at most ``notebook_timeout`` seconds. A cell that runs over (an infinite loop, a
``while True`` that swallows interrupts) ends the run: the kernel is killed and the outcome says which cell
timed out; a kernel that dies (``os._exit``, a crash, memory) ends it too. Either way the verdicts recorded
before keep their value: a hook registered in the kernel before the learner's first cell prints the checker's
verdicts (``utils.checks.summary_by_exercise()``) after every cell that changed them, and the last such print
is the notebook's record. Nothing is written back to the notebook.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from utils.tooling import kernel_config

MARKER = "__COURSE_VERDICTS__"
HOOK = f"""\
def _course_grader_hook(result=None, _last=[None]):
    import json, sys
    verdict = sys.modules.get("utils.checks.verdict")
    if verdict is not None and verdict.summary_by_exercise() != _last[0]:
        _last[0] = verdict.summary_by_exercise()
        print({MARKER!r} + json.dumps(_last[0]), flush=True)
get_ipython().events.register("post_run_cell", _course_grader_hook)
del _course_grader_hook
"""
COLLECT = f"""\
import json as _json, sys as _sys
if "utils.checks.verdict" in _sys.modules:
    print({MARKER!r} + _json.dumps(_sys.modules["utils.checks.verdict"].summary_by_exercise()), flush=True)
"""
# Cells of a learner's notebook see only this much of the machine's threads: --jobs N runs N kernels at once.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

TIMED_OUT, NOTEBOOK_TIMED_OUT, KERNEL_DIED, KERNEL_FAILED = (
    "timed_out", "notebook_timed_out", "kernel_died", "kernel_failed")


@dataclass
class RunOutcome:
    """What running a notebook produced.

    recorded: the checker's latest status per exercise id. errors: {cell index: "NameError: …"} for cells that
    raised. stopped_at / stop_reason: the cell the run ended at and why (``TIMED_OUT``, ``NOTEBOOK_TIMED_OUT``,
    ``KERNEL_DIED``, ``KERNEL_FAILED``), or None when every cell ran. message: one line about the stop.
    """

    recorded: dict[str, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    stopped_at: int | None = None
    stop_reason: str | None = None
    message: str = ""
    seconds: float = 0.0


def verdicts_in(cell) -> dict[str, str] | None:
    """The last verdict record the hook printed into a cell's outputs, or None."""
    found = None
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        for line in text.splitlines():
            if line.startswith(MARKER):
                try:
                    found = json.loads(line[len(MARKER):])
                except json.JSONDecodeError:
                    continue
    return found


def error_in(cell) -> str | None:
    """``"NameError: name 'relu' is not defined"`` for a cell that raised, else None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()[:200]
    return None


def run_notebook(nb, folder: Path, cell_timeout: float = 120, notebook_timeout: float = 600) -> RunOutcome:
    """Run a copy of ``nb`` (a version-4 NotebookNode) with ``folder`` as the kernel's working folder."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy: outputs land here, never in the caller's
    return asyncio.run(_run(nb, Path(folder), float(cell_timeout), float(notebook_timeout)))


async def _run(nb, folder: Path, cell_timeout: float, notebook_timeout: float) -> RunOutcome:
    outcome = RunOutcome()
    start = time.monotonic()
    deadline = start + notebook_timeout

    def limit(cell) -> int:
        return max(1, round(min(cell_timeout, deadline - time.monotonic())))

    client = NotebookClient(nb, timeout_func=limit, kernel_name="python3", allow_errors=True,
                            shutdown_kernel="immediate", config=kernel_config(),
                            resources={"metadata": {"path": str(folder.resolve())}})
    nb.cells.insert(0, nbformat.v4.new_code_cell(HOOK))  # nbclient puts outputs in nb.cells[index]: no -1
    try:
        async with client.async_setup_kernel(env={**os.environ, **KERNEL_ENV}):
            await client.async_execute_cell(nb.cells[0], 0, store_history=False)
            for index, cell in enumerate(nb.cells[1:]):  # index: the cell's place in the learner's notebook
                if cell.cell_type != "code":
                    continue
                if time.monotonic() >= deadline:
                    _stop(outcome, index, NOTEBOOK_TIMED_OUT, f"the whole notebook ran over {notebook_timeout:g} s")
                    break
                whole = deadline - time.monotonic() < cell_timeout
                where = f"cell {index + 1} ({_first_line(cell)})"
                try:
                    await client.async_execute_cell(cell, index + 1)
                except CellTimeoutError:
                    if whole:
                        _stop(outcome, index, NOTEBOOK_TIMED_OUT,
                              f"the whole notebook ran over {notebook_timeout:g} s (in {where})")
                    else:
                        _stop(outcome, index, TIMED_OUT, f"{where} ran over {cell_timeout:g} s (an infinite loop?): "
                                                         "the kernel was stopped there")
                    break
                except DeadKernelError:
                    _stop(outcome, index, KERNEL_DIED, f"the kernel died in {where}: os._exit, a crash, or out "
                                                       "of memory?")
                    break
            if outcome.stop_reason is None:  # what the last cell's hook printed may arrive after its reply
                nb.cells.append(nbformat.v4.new_code_cell(COLLECT))
                await client.async_execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
    except (CellTimeoutError, DeadKernelError, RuntimeError, OSError) as exc:  # starting or stopping the kernel
        if outcome.stop_reason is None:
            _stop(outcome, None, KERNEL_FAILED, f"the kernel could not run it ({type(exc).__name__}: {exc})")
    nb.cells.pop(0)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            recorded = verdicts_in(cell)
            if recorded is not None:
                outcome.recorded = recorded
            error = error_in(cell)
            if error and index != outcome.stopped_at:
                outcome.errors[index] = error
    outcome.seconds = time.monotonic() - start
    return outcome


def _first_line(cell) -> str:
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return f"`{first[:40]}…`" if len(first) > 40 or len(lines) > 1 else f"`{first}`"


def _stop(outcome: RunOutcome, index: int | None, reason: str, message: str) -> None:
    outcome.stopped_at, outcome.stop_reason, outcome.message = index, reason, message
