"""cnnbook.spread: the range rule every comparison of trained results follows."""
import doctest

import pytest

import cnnbook
from cnnbook import spread
from cnnbook.errors import CnnbookError
from cnnbook.spread import compare_ranges, describe_range, range_verdict


def s(mean, low, high):
    return {"mean": mean, "min": low, "max": high, "n": 3}


def test_doctest():
    assert doctest.testmod(spread).failed == 0


def test_compare_ranges():
    assert compare_ranges(s(0.82, 0.81, 0.83), s(0.79, 0.74, 0.80)) == 1
    assert compare_ranges(s(0.79, 0.74, 0.80), s(0.82, 0.81, 0.83)) == -1
    assert compare_ranges(s(0.80, 0.75, 0.81), s(0.82, 0.81, 0.83)) == 0  # touching ranges overlap


def test_verdict_in_both_languages():
    try:
        cnnbook.set_language("en")
        assert range_verdict(s(0.82, 0.81, 0.83), s(0.79, 0.74, 0.80), "cosine") == "cosine higher at every seed"
        cnnbook.set_language("zh")
        assert range_verdict(s(0.8, 0.7, 0.9), s(0.8, 0.7, 0.9), "余弦") == "范围重叠：在噪声之内"
    finally:
        cnnbook.set_language("en")


def test_describe_range():
    assert describe_range(s(0.5, 0.25, 0.75), digits=2) == "0.50 (0.25-0.75)"


@pytest.mark.parametrize("bad", [None, {"mean": 0.5}, {"mean": 0.9, "min": 0.1, "max": 0.5}, [0.1, 0.2]])
def test_bad_summaries(bad):
    with pytest.raises(CnnbookError, match="summary|mean"):
        compare_ranges(bad, s(0.5, 0.4, 0.6))


def test_bad_name():
    with pytest.raises(CnnbookError, match="first_name"):
        range_verdict(s(0.5, 0.4, 0.6), s(0.5, 0.4, 0.6), "")
