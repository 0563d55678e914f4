"""Is a learner's function still the exercise's stub, or did they write code and leave the stub's
``raise NotImplementedError()`` line in? Both raise NotImplementedError; only the first is "not attempted".

The stub is the reference cell with its ``### BEGIN SOLUTION`` … ``### END SOLUTION`` regions removed (what the
generator gives learners). The learner's function and the stub's function of the same name are compared line
by line, ignoring blank lines, comments and the ``raise NotImplementedError()`` line itself.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from .reference import ReferenceNotFound, reference_cell

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def _without_solutions(source: str) -> str:
    """The cell as learners get it: each solution region becomes ``raise NotImplementedError()``."""
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
            kept.append(line[: len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif line.strip() == END:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def _meaningful_lines(source: str) -> list[str]:
    lines = (line.strip() for line in source.splitlines())
    return [line for line in lines if line and not line.startswith("#") and line != "raise NotImplementedError()"]


def _body(source: str, name: str | None = None) -> list[str] | None:
    """The meaningful lines of the body of the function ``name`` in ``source`` (the first function when
    ``name`` is None), without its docstring; None when there is no such function."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in (None, node.name):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            return _meaningful_lines("\n".join(ast.get_source_segment(source, statement) or "" for statement in body))
    return None


def edited_stub(answer, exercise_id: str, name: str) -> bool:
    """True when ``answer`` has code of its own besides the stub's: its body (without docstring, comments and
    ``raise NotImplementedError()``) is not empty and differs from the stub's body. False when either source
    cannot be read (then "not attempted" stays)."""
    try:
        learner = _body(textwrap.dedent(inspect.getsource(answer)))
        stub = _body(_without_solutions(reference_cell(exercise_id)[1]), name)
    except (TypeError, OSError, ReferenceNotFound):
        return False
    if learner is None or stub is None or not learner:
        return False
    return learner != stub
