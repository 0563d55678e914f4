"""utils/checks/predicates.py: each hint predicate on hand-made attempts, at and around its tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from utils.checks import predicates as predicates
from utils.checks.kinds import Attempt, Case
from utils.checks.sandbox import CallResult


def attempt(got, expected=None, *args, exception=None, **kwargs) -> Attempt:
    """An attempt whose answer returned ``got`` (or raised ``exception``) on the case ``(*args, **kwargs)``."""
    return Attempt(Case("case", *args, **kwargs), expected, CallResult(value=got, exception=exception))


def test_same_values_compares_shape_and_values_with_nan_and_inf():
    assert predicates.same_values([1.0, np.nan, np.inf], np.array([1.0, np.nan, np.inf]))
    assert not predicates.same_values([1.0, 2.0], [[1.0, 2.0]])  # same values, another shape
    assert not predicates.same_values([np.inf], [-np.inf])
    assert not predicates.same_values({"a": 1}, [1.0]) and not predicates.same_values(
        [[1.0], [1.0, 2.0]], [1.0]
    )  # not numeric


@pytest.mark.parametrize("relative, same", [(5e-7, True), (2e-6, False)])
def test_the_default_tolerance_is_one_part_in_a_million(relative, same):
    assert predicates.RTOL == 1e-6 and predicates.ATOL == 1e-9
    assert predicates.same_values(1000.0 * (1 + relative), 1000.0) is same
    assert (
        predicates.same_values(1000.0 * (1 + relative), 1000.0, rtol=predicates.TIGHT_RTOL, atol=predicates.TIGHT_ATOL)
        is False
    )


def test_close_looks_at_the_answer():
    assert predicates.close(attempt(np.array([0.5, 1.0])), [0.5, 1.0])
    assert not predicates.close(attempt(np.array([0.5, 1.0])), [0.5, 1.1])
    assert not predicates.close(attempt(None), [0.5])


def test_same_as_recomputes_the_mistake_on_the_case_with_its_keywords():
    mistake = predicates.same_as(lambda x, scale=1.0: scale * x ** 2)
    x = np.array([1.0, -2.0])
    assert mistake(attempt(np.array([3.0, 12.0]), None, x, scale=3.0))
    assert not mistake(attempt(np.array([1.0, 4.0]), None, x, scale=3.0))


def test_same_as_is_false_when_the_mistake_does_not_apply():
    def needs_a_matrix(x):
        return x @ np.ones((3, 3))

    assert not predicates.same_as(needs_a_matrix)(attempt(np.zeros(2), None, np.zeros(2)))


def test_same_as_any_matches_either_mistake():
    either = predicates.same_as_any([lambda x: x + 1, lambda x: x - 1])
    x = np.array([1.0])
    assert either(attempt(np.array([0.0]), None, x)) and either(attempt(np.array([2.0]), None, x))
    assert not either(attempt(np.array([1.0]), None, x))


def test_scaled_is_relative_and_never_claims_a_zero():
    expected = np.array([1.0, -2.0])
    assert predicates.scaled(2.0)(attempt(np.array([2.0, -4.0]), expected))
    assert predicates.scaled(-1.0)(attempt(np.array([-1.0, 2.0]), expected))
    assert not predicates.scaled(2.0)(attempt(np.array([2.0, -4.1]), expected))
    assert not predicates.scaled(2.0)(attempt(1e-9, 0.0))  # 1e-9 where 0 is expected is not "twice" 0
    slightly_off_half = attempt(0.5 * (1 + 5e-6), 1.0)
    assert predicates.scaled(0.5, rtol=1e-5)(slightly_off_half) and not predicates.scaled(0.5)(slightly_off_half)


def test_right_only_where():
    expected = np.array([1.0, 2.0, 3.0])
    mask = np.array([True, True, False])
    assert predicates.right_only_where(attempt(np.array([1.0, 2.0, 9.0]), expected), mask)
    assert not predicates.right_only_where(attempt(np.array([1.0, 9.0, 9.0]), expected), mask)  # wrong inside the mask
    assert not predicates.right_only_where(attempt(expected.copy(), expected), mask)  # right everywhere
    assert not predicates.right_only_where(attempt(np.array([9.0, 9.0, 9.0]), expected), np.ones(3, bool))


def test_not_finite_and_not_finite_only_at_large_inputs():
    x = np.array([-1000.0, -1.0, 0.0, 1000.0])
    assert predicates.not_finite(attempt(np.array([np.nan, 0.3, 0.5, 1.0])))
    assert not predicates.not_finite(attempt(np.array([0.0, 0.3]))) and not predicates.not_finite(attempt("text"))
    assert predicates.not_finite_only_at_large_inputs(attempt(np.array([np.nan, 0.3, 0.5, np.inf]), None, x))
    assert not predicates.not_finite_only_at_large_inputs(attempt(np.array([0.0, np.nan, 0.5, 1.0]), None, x))
    assert not predicates.not_finite_only_at_large_inputs(attempt(np.array([0.0, 0.3, 0.5, 1.0]), None, x))


def test_the_shape_of_an_answer():
    assert predicates.not_one_number(attempt(np.array([1.0, 2.0]))) and not predicates.not_one_number(
        attempt(np.float64(1.0))
    )
    assert predicates.returned_a_list(attempt([1.0])) and predicates.returned_a_list(attempt((1.0,)))
    assert not predicates.returned_a_list(attempt(np.array([1.0])))


def test_raised_reads_the_type_and_the_message():
    broadcast = ValueError("operands could not be broadcast together with shapes (3,4) (3,)")
    assert predicates.raised("broadcast")(attempt(None, exception=broadcast))
    assert predicates.raised("matmul", "broadcast", error=ValueError)(attempt(None, exception=broadcast))
    assert not predicates.raised("broadcast", error=TypeError)(attempt(None, exception=broadcast))
    assert not predicates.raised("broadcast", unless=("(3,)",))(attempt(None, exception=broadcast))
    assert predicates.raised(error=IndexError)(attempt(None, exception=IndexError("index 5 is out of bounds")))
    assert not predicates.raised()(attempt(np.zeros(2)))  # nothing raised


def test_argument_by_keyword_position_or_default():
    x = np.zeros(2)
    assert predicates.argument(attempt(None, None, x, delta=0.5), "delta", 2, 1.0) == 0.5
    assert predicates.argument(attempt(None, None, x, x, 2.0), "delta", 2, 1.0) == 2.0
    assert predicates.argument(attempt(None, None, x, x), "delta", 2, 1.0) == 1.0


def test_a_described_value_stays_short_whatever_it_holds():
    from utils.checks.compare import MAX_CHARS, fmt

    params = {f"W{i}": np.ones((50, 40)) for i in range(1, 12)}
    text = fmt(params)
    assert "'W1': array of shape (50, 40)" in text and text.endswith("…}") and len(text) <= MAX_CHARS
    assert fmt((np.arange(3.0), 2.0)) == "([0., 1., 2.], 2.0)" and fmt("x" * 1000).endswith("…")


def test_quiet_torch_restores_threads_and_random_state_and_seeds_inside():
    import torch

    from utils.checks.sandbox import quiet_torch

    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    with quiet_torch(seed=0) as inside:
        assert inside is torch and torch.get_num_threads() == 1
        first = torch.rand(3)
    with quiet_torch(seed=0):
        assert torch.equal(torch.rand(3), first)  # the same draws at every check
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.rand(1), expected_next)  # the caller's generator untouched
