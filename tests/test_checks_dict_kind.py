"""The DictExercise kind (several questions answered as one dict), on a small exercise made here, and the
normalisers it reads answers with. The chapters' dict exercises are tested in their own test files."""

from __future__ import annotations

import numpy as np
import pytest

from utils.checks.kinds import ANY, DictExercise
from utils.checks.normalise import ERROR, as_choice, as_shape, as_shape_or_error

RIGHT = {"spam": "sigmoid", "digit": "softmax", "price": "identity"}


def exercise(**overrides) -> DictExercise:
    """An exercise whose reference (normally a solution cell) returns ``RIGHT``."""
    fields = dict(id="test.outputs", reference="outputs", choices=("identity", "sigmoid", "softmax", "relu"),
                  explain={("spam", "softmax"): "softmax over one unit is always 1",
                           (ANY, "relu"): "ReLU is unbounded above",
                           ("price", ANY): "a price change can be any real number"},
                  default_hint="compare the ranges of the functions")
    made = DictExercise(**{**fields, **overrides})
    made.load = lambda: (lambda: dict(RIGHT))
    return made


def test_a_right_dict_passes_with_any_case_of_a_choice():
    verdict = exercise().judge(lambda: {"spam": " Sigmoid", "digit": "SOFTMAX", "price": "identity"})
    assert verdict.passed and verdict.summary == "all 3 answers are right."
    assert exercise(noun="shapes", passed="the property holds. All {n} {noun} are right.").judge(
        dict(RIGHT)).summary == "the property holds. All 3 shapes are right."


@pytest.mark.parametrize("key, answer, hint", [
    ("spam", "softmax", "always 1"),  # explained for this key
    ("digit", "relu", "unbounded above"),  # explained for any key
    ("price", "sigmoid", "any real number"),  # explained for any wrong answer to this key
    ("spam", "identity", "compare the ranges"),  # not explained: the default
])
def test_a_wrong_answer_is_named_with_its_hint_and_the_right_one_stays_hidden(key, answer, hint):
    verdict = exercise().judge(lambda: {**RIGHT, key: answer})
    assert verdict.status == "failed"
    assert verdict.summary == f"1 of 3 answers is not right; first: {key!r} -> {answer!r}"
    assert hint in verdict.hint
    assert RIGHT[key] not in verdict.render()


def test_two_wrong_answers_are_counted_and_the_first_is_explained():
    verdict = exercise().judge(lambda: {"spam": "softmax", "digit": "relu", "price": "identity"})
    assert verdict.summary == "2 of 3 answers are not right; first: 'spam' -> 'softmax'"
    assert verdict.hint == "softmax over one unit is always 1"


@pytest.mark.parametrize("answer, summary", [
    ({"spam": "sigmoid", "digit": "softmax"}, "the keys are not right: missing 'price'"),
    ({**RIGHT, "extra": "relu"}, "the keys are not right: unexpected 'extra'"),
    ({"spam": "sigmoid", "digit": "softmax", "cost": "identity"}, "the keys are not right: missing 'price'; "
                                                                  "unexpected 'cost'"),
])
def test_wrong_keys(answer, summary):
    verdict = exercise().judge(answer)
    assert verdict.status == "failed" and verdict.summary == summary
    assert verdict.hint == "keep the keys exactly as in the exercise cell"


@pytest.mark.parametrize("answer", [["sigmoid", "softmax", "identity"], "sigmoid", 3])
def test_not_a_dict(answer):
    verdict = exercise(not_dict_hint="return the dict").judge(lambda: answer)
    assert verdict.status == "failed"
    assert verdict.summary == f"expected a dict with the keys 'spam', 'digit', 'price', got {type(answer).__name__}"
    assert verdict.hint == "return the dict"


def test_an_answer_that_is_not_a_choice_is_said_so_before_any_is_called_wrong():
    verdict = exercise().judge(lambda: {"spam": "softmax", "digit": "linear", "price": np.array([1, 2])})
    assert verdict.summary == ("'digit': 'linear' is not one of the choices 'identity', 'sigmoid', 'softmax', "
                               "'relu'")


def test_none_an_exception_and_a_stub():
    assert "your answer is None" in exercise().judge(lambda: None).summary
    crashed = exercise().judge(lambda: {}["spam"])
    assert crashed.status == "failed" and "your code raised KeyError" in crashed.summary

    def stub():
        raise NotImplementedError()

    assert exercise().judge(stub).status == "not_attempted"


def test_shapes_are_read_as_tuples():
    shapes = exercise(choices=None, normalise=as_shape, what="a shape", invalid_hint="a tuple of ints",
                      explain={("b", (1, 5)): "a bias is 1-D"}, default_hint=None, noun="shapes")
    shapes.load = lambda: (lambda: {"W": (5, 10), "b": (5,)})
    assert shapes.judge({"W": [5, 10], "b": np.array([5])}).summary == "all 2 shapes are right."
    assert shapes.judge({"W": (5, 10), "b": 5}).passed
    wrong = shapes.judge({"W": (5, 10), "b": (1, 5)})
    assert wrong.summary == "1 of 2 shapes is not right; first: 'b' -> (1, 5)" and wrong.hint == "a bias is 1-D"
    invalid = shapes.judge({"W": "5, 10", "b": (5,)})
    assert invalid.summary == "'W': '5, 10' is not a shape" and invalid.hint == "a tuple of ints"


def test_the_reference_is_validated_against_the_oracle():
    assert exercise(oracle=lambda: {**RIGHT, "spam": "SIGMOID"}).validate_reference() == []
    problems = exercise(oracle=lambda: {**RIGHT, "spam": "softmax"}).validate_reference()
    assert len(problems) == 1 and "disagrees with the oracle" in problems[0]
    bad = exercise()
    bad.load = lambda: (lambda: {**RIGHT, "spam": "linear"})
    assert any("'spam': 'linear' is not one of the choices" in p for p in bad.validate_reference())


@pytest.mark.parametrize("value, shape", [((64, 3), (64, 3)), ([64, 3], (64, 3)), (64, (64,)),
                                          (np.array([2, 5]), (2, 5)), ((), ()), (np.int64(3), (3,)),
                                          ("64, 3", None), ((64.0, 3), None), ((True, 3), None), (None, None),
                                          (np.array([2.0, 5.0]), None)])
def test_as_shape(value, shape):
    assert as_shape(value) == shape


def test_as_shape_or_error_and_as_choice():
    assert as_shape_or_error(" Error ") == ERROR and as_shape_or_error("fails") is None
    assert as_shape_or_error([64, 1]) == (64, 1)
    assert as_choice(" B ") == "b" and as_choice(1e-5) == 1e-5


def test_as_float_array_reads_only_an_array_of_the_shape_asked_for():
    from utils.checks.normalise import as_float_array

    assert as_float_array([[1, 2]], (1, 2)).dtype == np.float64
    assert as_float_array([1, 2], (1, 2)) is None  # another shape
    for not_an_array in (None, "1 2", {"a": 1}, [[1, 2], [3]]):  # ragged too
        assert as_float_array(not_an_array, (2,)) is None
