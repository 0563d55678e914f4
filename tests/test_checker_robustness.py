"""The checker never crashes on a broken answer, never shows the reference, restores NumPy's global
state, returns None and records a structured verdict."""

from __future__ import annotations

import numpy as np
import pytest

from utils.checks import check, last_verdict, verdicts
from utils.checks.reference import reference_cell

EXERCISE = "activations.sigmoid"


def returns_none(x):
    np.exp(-x)


def returns_list(x):
    return list(1 / (1 + np.exp(-np.ravel(x))))


def wrong_shape(x):
    return np.sum(1 / (1 + np.exp(-np.abs(x))))


def raises_type_error(x):
    return 1 / (1 + "e" ** x)


def returns_nan(x):
    return np.full(np.shape(x), np.nan)


def mutates_input(x):
    x *= -1
    return 1 / (1 + np.exp(x))


def changes_seterr(x):
    np.seterr(all="ignore")
    return 1 / (1 + np.exp(-x))


def changes_printoptions(x):
    np.set_printoptions(precision=2)
    return 0.5 * (1 + np.tanh(0.5 * x))


def reseeds_global_rng(x):
    np.random.seed(0)
    return 0.5 * (1 + np.tanh(0.5 * x))


def integer_result(x):
    return (np.asarray(x) > 0).astype(int)


def recursion(x):
    return recursion(x)


def exits(x):
    raise SystemExit(3)


BROKEN = [
    (returns_none, "returned None", "return"),
    (returns_list, "returned a list", "np.asarray"),
    (wrong_shape, "wrong shape", "axis"),
    (raises_type_error, "raised TypeError", None),
    (returns_nan, "NaN", "overflowed"),
    (mutates_input, "modified its input x", "work on a new array"),
    (changes_seterr, "np.seterr", "np.errstate"),
    (changes_printoptions, "print options", None),
    (reseeds_global_rng, "global random state", "Generator"),
    (integer_result, "integers", None),
    (recursion, "RecursionError", None),
    (exits, "SystemExit", None),
]


@pytest.mark.parametrize("answer, problem, hint", BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_broken_answer_gives_a_verdict_not_a_traceback(capsys, answer, problem, hint):
    before = (np.geterr(), np.get_printoptions(), np.random.get_state()[1].copy())
    result = check(EXERCISE, answer)
    printed = capsys.readouterr()
    assert result is None
    verdict = last_verdict()
    assert verdict.status == "failed"
    assert problem in verdict.summary, verdict.render()
    if hint:
        assert hint in (verdict.hint or ""), verdict.render()
    assert "Traceback" not in printed.out + printed.err
    assert printed.out.startswith("✗ activations.sigmoid: ")
    assert len(printed.out.strip().splitlines()) <= 6  # a few lines, not a wall of text
    # whatever the answer did to NumPy's global state is undone
    assert np.geterr() == before[0]
    assert np.get_printoptions() == before[1]
    assert np.array_equal(np.random.get_state()[1], before[2])


def test_pass_is_one_line_and_recorded(capsys):
    n = len(verdicts())
    check(EXERCISE, lambda x: 0.5 * (1 + np.tanh(0.5 * np.asarray(x, float))))
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ activations.sigmoid: all ")
    assert len(verdicts()) == n + 1 and last_verdict().passed
    assert last_verdict().to_dict()["status"] == "passed"


def test_stub_is_not_attempted(capsys):
    def sigmoid(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    check(EXERCISE, sigmoid)
    out = capsys.readouterr().out
    assert out.startswith("○ activations.sigmoid: not attempted yet")
    assert last_verdict().status == "not_attempted"


def test_a_library_not_implemented_error_is_reported_not_taken_for_the_stub(capsys):
    def sigmoid(x):  # as PyTorch raises it for an operation on a dtype it lacks
        raise NotImplementedError("\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'")

    check(EXERCISE, sigmoid)
    out = capsys.readouterr().out
    assert last_verdict().status == "failed" and "not implemented for 'Long'" in out
    assert "not attempted" not in out and "still raises" not in out


def test_reference_source_is_never_printed(capsys):
    _, source = reference_cell(EXERCISE)
    body = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith(("#", '"'))]
    for answer in (returns_none, returns_nan, mutates_input, sigmoid_ok := (lambda x: 1 / (1 + np.exp(-x)))):
        check(EXERCISE, answer)
    out = capsys.readouterr().out
    assert sigmoid_ok is not None
    assert "BEGIN SOLUTION" not in out
    leaked = [line for line in body[2:] if line in out]  # skip `import numpy as np` / `def sigmoid(x):`
    assert not leaked, leaked


def test_unknown_exercise_suggests_the_close_one(capsys):
    check("activations.sigmoidd", returns_none)
    out = capsys.readouterr().out
    assert "no exercise 'activations.sigmoidd'" in out and "did you mean 'activations.sigmoid'" in out
    assert last_verdict().status == "error"


def test_value_instead_of_function(capsys):
    check(EXERCISE, np.array([0.5]))
    assert "pass your function itself" in capsys.readouterr().out


def test_missing_solutions_folder_is_explained(capsys, monkeypatch, tmp_path):
    from utils.checks import reference

    monkeypatch.setenv(reference.SOLUTIONS_ENV, str(tmp_path / "nowhere"))
    reference.clear_cache()
    try:
        check(EXERCISE, returns_none)
    finally:
        monkeypatch.delenv(reference.SOLUTIONS_ENV)
        reference.clear_cache()
    out = capsys.readouterr().out
    assert "cannot check" in out and "COURSE_SOLUTIONS_DIR" in out
    assert last_verdict().status == "error"


def test_checker_bug_is_reported_not_raised(capsys, monkeypatch):
    from utils.checks import registry

    exercise = registry.get(EXERCISE)
    monkeypatch.setattr(exercise, "cases", lambda: 1 / 0)
    check(EXERCISE, returns_none)
    assert "the checker itself failed (ZeroDivisionError" in capsys.readouterr().out
