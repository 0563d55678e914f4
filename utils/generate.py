"""Generate the learners' chapters from the worked solutions, and store both notebooks' outputs.

    python -m utils.generate                 # every solutions/NN_topic.ipynb -> chapters/NN_topic.ipynb
    python -m utils.generate 01_activations  # only these (names or paths)
    python -m utils.generate --check         # lint + drift check, no execution: exit 1 if a chapter is stale
    python -m utils.generate --no-execute    # write chapter sources only (fast; outputs left empty)

A chapter is its solution with each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region (inside a function
body of a cell tagged ``exercise:<id>``) replaced by ``# YOUR CODE HERE`` / ``raise NotImplementedError()``,
and cells tagged ``solution-only`` dropped. Cell ids, tags and metadata are kept. Both notebooks are then
executed (nbclient, per-cell timeout) and normalised so that two runs write byte-identical files.

A code cell tagged ``reveals-answer`` (its output gives away an earlier exercise's answer, e.g. a figure after
"predict before you look") is executed like any other, but the chapter stores it as never run: no outputs and
no execution count, so a learner sees the answer only by running the cell. Its first line must be a comment
telling the learner when to run it ("# Run this after Exercise 10: ..."). nbval still runs such a cell and
fails on an error, but compares nothing: it checks the output only of cells that were run when stored (a cell
with ``execution_count`` null is checked "lax", nbval ≥ 0.9), while a run cell with no stored output would fail
on its new output.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

from .tooling import course_environment, kernel_config

with course_environment(__name__, "utils.generate", "make generate"):
    import nbformat

    from .checks.reference import exercise_id_of

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
SOLUTION_ONLY = "solution-only"
REVEALS_ANSWER = "reveals-answer"
CELL_TIMEOUT = 120  # seconds, as in pyproject's --nbval-cell-timeout
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11",
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class MarkerError(ValueError):
    """A solution region is unbalanced, nested, misplaced, or in an untagged cell."""


def _where(notebook: Path | str, index: int, cell) -> str:
    return f"{Path(notebook).name}, cell {index} (id {cell.get('id', '?')})"


def strip_solution(source: str, where: str = "cell") -> str:
    """Replace each marked region by the stub, indented like its BEGIN marker."""
    out, inside, indent = [], False, ""
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise MarkerError(f"{where}: line {number}: '{BEGIN}' inside another solution region")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out += [indent + s for s in STUB]
        elif stripped.startswith(END):
            if not inside:
                raise MarkerError(f"{where}: line {number}: '{END}' without a matching '{BEGIN}'")
            if line[: len(line) - len(line.lstrip())] != indent:
                raise MarkerError(f"{where}: line {number}: '{END}' is not indented like its '{BEGIN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: '{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def _stubs_inside_functions(student_source: str, where: str) -> None:
    try:
        tree = ast.parse(student_source)
    except SyntaxError as exc:
        raise MarkerError(f"{where}: the generated stub is not valid Python ({exc.msg}, line {exc.lineno})") from exc
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        is_stub = (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                   and getattr(node.exc.func, "id", None) == "NotImplementedError" and not node.exc.args)
        if is_stub and id(node) not in inside:
            raise MarkerError(f"{where}: line {node.lineno}: a solution region must sit inside a function "
                              "body (a value answer is a function returning it), so the chapter still runs")


def student_source(source: str, where: str) -> str:
    """The chapter's version of one code cell's source, after linting its markers."""
    if BEGIN not in source and END not in source:
        return source
    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise MarkerError(f"{where}: the solution is not valid Python ({exc.msg}, line {exc.lineno})") from exc
    student = strip_solution(source, where)
    _stubs_inside_functions(student, where)
    return student


def make_chapter(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The student notebook for a solution notebook (sources and tags only; outputs cleared)."""
    chapter = copy.deepcopy(solution)
    cells, seen = [], set()
    for index, cell in enumerate(solution.cells):
        where = _where(name, index, cell)
        tags = cell.get("metadata", {}).get("tags", [])
        exercise_id = exercise_id_of(cell)
        if exercise_id is not None:
            if exercise_id in seen:
                raise MarkerError(f"{where}: exercise id {exercise_id!r} is used twice")
            seen.add(exercise_id)
        if SOLUTION_ONLY in tags:
            continue
        if REVEALS_ANSWER in tags:
            _check_reveals_answer(cell, where)
        new = copy.deepcopy(cell)
        if cell.cell_type == "code":
            source = cell.source
            if (BEGIN in source or END in source) and exercise_id is None:
                raise MarkerError(f"{where}: solution markers in a cell without an 'exercise:<id>' tag")
            new.source = student_source(source, where)
            new.outputs, new.execution_count = [], None
        cells.append(new)
    chapter.cells = cells
    return chapter


def _check_reveals_answer(cell, where: str) -> None:
    """A ``reveals-answer`` cell is a code cell whose first line is a comment saying when to run it."""
    if cell.cell_type != "code":
        raise MarkerError(f"{where}: only a code cell's output can wait to be revealed ('{REVEALS_ANSWER}'); "
                          f"markdown that gives an answer away belongs in '{SOLUTION_ONLY}' or after the check cell")
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    if not (first.startswith("#") and len(first.lstrip("#").split()) >= 3):
        raise MarkerError(f"{where}: a '{REVEALS_ANSWER}' cell starts with a comment telling the learner when to "
                          "run it, e.g. '# Run this after answering Exercise 10: it shows the answer'")


def hide_revealing_outputs(chapter: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Store every ``reveals-answer`` cell of an executed chapter as never run (no outputs, no execution count).

    nbval then runs it (an error still fails) without comparing its output, as for any cell stored unrun.
    """
    for cell in chapter.cells:
        if cell.cell_type == "code" and REVEALS_ANSWER in cell.get("metadata", {}).get("tags", []):
            cell.outputs, cell.execution_count = [], None
    return chapter


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes from run to run: widget state and views, timing, kernel and language versions; and
    merge consecutive stream outputs of the same name (how the kernel splits printed text into messages varies
    from run to run; nbval merges them before comparing anyway)."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
            cell.outputs = _merge_streams(outputs)
    return nb


def _merge_streams(outputs: list) -> list:
    """``outputs`` with each run of consecutive stream outputs of one name (stdout, stderr) joined into one."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
        else:
            merged.append(copy.deepcopy(output))
    return merged


def _text(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel of this Python, working directory ``cwd``."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
                            config=kernel_config(), resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def generate(solution_path: Path, chapters_dir: Path, run: bool = True) -> Path:
    """Write the chapter of one solution notebook; with ``run``, execute both and store outputs."""
    solution = nbformat.read(solution_path, as_version=4)
    chapter = make_chapter(solution, solution_path.name)
    chapter_path = chapters_dir / solution_path.name
    if run:
        solution = normalise(execute(solution, solution_path.parent))
        write(solution, solution_path)
        chapter = hide_revealing_outputs(execute(chapter, chapter_path.parent))
    write(normalise(chapter), chapter_path)
    return chapter_path


def _skeleton(nb: nbformat.NotebookNode) -> list[tuple]:
    return [(c.cell_type, c.get("id"), c.source, tuple(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def drift(solution_path: Path, chapters_dir: Path) -> list[str]:
    """Differences (sources, tags, ids, cell types) between a committed chapter and its regeneration."""
    chapter_path = chapters_dir / solution_path.name
    if not chapter_path.exists():
        return [f"{chapter_path} is missing: run python -m utils.generate"]
    expected = _skeleton(make_chapter(nbformat.read(solution_path, as_version=4), solution_path.name))
    committed = nbformat.read(chapter_path, as_version=4)
    actual = _skeleton(committed)
    problems = [f"{chapter_path.name}, cell {index} (id {cell.get('id', '?')}): tagged '{REVEALS_ANSWER}' but "
                "stores outputs, which show the answer on opening: regenerate it"
                for index, cell in enumerate(committed.cells) if cell.cell_type == "code"
                and REVEALS_ANSWER in cell.get("metadata", {}).get("tags", [])
                and (cell.outputs or cell.execution_count is not None)]
    if len(expected) != len(actual):
        problems.append(f"{chapter_path.name}: {len(actual)} cells, regeneration gives {len(expected)}")
    for index, (want, have) in enumerate(zip(expected, actual)):
        if want != have:
            fields = [n for n, a, b in zip(("type", "id", "source", "tags"), want, have) if a != b]
            problems.append(f"{chapter_path.name}, cell {index}: {', '.join(fields)} differ from the solution's")
            break
    return problems


def _select(names: list[str], solutions_dir: Path) -> list[Path]:
    if not names:
        return sorted(solutions_dir.glob("[0-9]*.ipynb"))
    paths = []
    for name in names:
        stem = Path(name).stem
        path = solutions_dir / f"{stem}.ipynb"
        if not path.exists():
            raise SystemExit(f"no solution notebook {path}")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.generate", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="solution notebooks (names like 01_activations); default all")
    parser.add_argument("--check", action="store_true", help="lint and compare with chapters/, execute nothing")
    parser.add_argument("--no-execute", action="store_true", help="write chapter sources without running")
    parser.add_argument("--root", type=Path, default=ROOT, help="the course folder (default: this repository)")
    args = parser.parse_args(argv)
    solutions_dir, chapters_dir = args.root / "solutions", args.root / "chapters"
    paths = _select(args.notebooks, solutions_dir)
    try:
        if args.check:
            problems = [p for path in paths for p in drift(path, chapters_dir)]
            stale = sorted(set(p.name for p in chapters_dir.glob("[0-9]*.ipynb")) - {p.name for p in paths})
            if not args.notebooks:
                problems += [f"chapters/{name} has no solutions/{name}" for name in stale]
            for problem in problems:
                print(f"drift: {problem}", file=sys.stderr)
            print(f"{len(paths)} notebook(s) checked, {len(problems)} problem(s)")
            return 1 if problems else 0
        for path in paths:
            print(f"{path.name}: generating{'' if args.no_execute else ' and executing'} …", flush=True)
            generate(path, chapters_dir, run=not args.no_execute)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    with course_environment(__name__, "utils.generate", "make generate"):
        sys.exit(main())
