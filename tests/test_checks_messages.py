"""The checker's own wording, for any exercise: expected and got in one number format, with enough digits to
see that they differ; -inf called -inf; a number given as text named as such; changed NumPy settings named."""

from __future__ import annotations

import numpy as np

from utils.checks import judge
from utils.checks.compare import compare, fmt_pair


def test_expected_and_got_share_a_format_and_show_where_they_differ():
    assert fmt_pair(np.array([4.4763e-309, 0.5]), np.array([0.0, 0.5])) == (
        "[4.4763e-309, 5.0000e-01]", "[0.0000e+00, 5.0000e-01]")
    assert fmt_pair(np.array([0.312998123, 1.0]), np.array([0.312997456, 1.0])) == (
        "[0.312998123, 1]", "[0.312997456, 1]")
    assert fmt_pair(np.array([0.25, 0.5]), np.array([0.0, 0.5])) == ("[0.25, 0.5 ]", "[0. , 0.5]")  # as NumPy prints


def test_minus_infinity_is_named_with_its_sign_and_its_likely_cause():
    mismatch = compare(np.array([1.0, -np.inf]), np.array([1.0, -3.0]))
    assert "it returned -inf where a finite number was expected" in mismatch.problem and "log(0)" in mismatch.hint
    mismatch = compare(np.array([np.inf, 2.0]), np.array([1.0, 2.0]))
    assert "it returned inf where" in mismatch.problem and "division by zero" in mismatch.hint


def test_a_number_given_as_text_is_named():
    verdict = judge("backprop.best_steps", lambda: {"forward": "1e-8", "central": "1e-5"})
    assert "give the number itself, 1e-08, not the text '1e-8'" in verdict.hint


def test_the_hint_for_changed_settings_names_what_changed():
    def reseeds(x):
        np.random.seed(0)
        return 0.5 * (1 + np.tanh(0.5 * x))

    def silences(x):
        np.seterr(all="ignore")
        return 0.5 * (1 + np.tanh(0.5 * x))

    assert "np.random.Generator passed in as an argument" in judge("activations.sigmoid", reseeds).hint
    assert judge("activations.sigmoid", silences).hint.startswith(
        "a function should not change NumPy's global settings: to silence a warning only inside your function")


def test_several_arrays_returned_together_are_compared_one_by_one():
    want = (np.zeros(2), np.ones(3))
    assert compare((np.zeros(2), np.ones(3)), want) is None
    assert compare([np.zeros(2), np.ones(3)], want) is None
    second = compare((np.zeros(2), np.array([1.0, 2.0, 1.0])), want)
    assert "returned array 2 of 2" in second.problem and not second.structural
    alone = compare(np.zeros(2), want)
    assert alone.structural and "expected 2 arrays returned together" in alone.problem and "return a0, a1" in alone.hint
    assert compare((np.zeros(3), np.ones(3)), want).structural  # a wrong shape inside is structural too
