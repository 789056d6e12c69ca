"""cnnbook.spread: the range rule every comparison of trained results follows."""
import doctest

import pytest

import cnnbook
from cnnbook import spread
from cnnbook.errors import CnnbookError
from cnnbook.spread import (chance_of_separated_ranges, compare_ranges, describe_range, paired_comparison,
                            paired_verdict, range_verdict, sign_test)


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
        assert range_verdict(s(0.8, 0.7, 0.9), s(0.8, 0.7, 0.9), "余弦") == "范围重叠，差异在噪声之内"
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


def test_chance_of_separated_ranges():
    assert chance_of_separated_ranges(3, 3) == pytest.approx(0.1)  # 2 of the C(6, 3) = 20 orderings
    assert chance_of_separated_ranges(1, 1) == 1.0
    with pytest.raises(CnnbookError, match="first_count"):
        chance_of_separated_ranges(0, 3)


def test_sign_test():
    assert sign_test(3, 0) == pytest.approx(0.25)
    assert sign_test(0, 3) == pytest.approx(0.25)
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(2, 2) == 1.0 and sign_test(0, 0) == 1.0
    assert sign_test(8, 2) == pytest.approx(2 * (1 + 10 + 45) / 1024)


def test_paired_comparison_and_verdict():
    result = paired_comparison([0.80, 0.81, 0.79, 0.70], [0.78, 0.80, 0.79, 0.75])
    assert (result["n"], result["higher"], result["lower"], result["ties"]) == (4, 2, 1, 1)
    assert result["median_difference"] == pytest.approx(0.005)
    assert result["p"] == pytest.approx(1.0)
    try:
        cnnbook.set_language("en")
        three = paired_verdict([0.8, 0.81, 0.79], [0.78, 0.8, 0.77], "cosine")
        assert three == "cosine higher in all 3 pairs (sign test p = 0.25: 3 pairs are too few for p <= 0.05)"
        mixed = paired_verdict([0.8, 0.81, 0.79], [0.78, 0.82, 0.77], "cosine")
        assert mixed == "cosine higher in 2, lower in 1 of 3 pairs (sign test p = 1): within noise"
        ten = paired_verdict(list(range(10)), [v + 1 for v in range(10)], "constant")
        assert ten == "constant lower in 10 of 10 pairs, higher in 0 (sign test p = 0.002)"
        cnnbook.set_language("zh")
        assert "符号检验" in paired_verdict([1, 2, 3], [0, 1, 2], "余弦")
    finally:
        cnnbook.set_language("en")


@pytest.mark.parametrize("first, second, match", [([0.1, 0.2], [0.1], "same"), ([], [], "same"),
                                                  ("abc", [1, 2, 3], "lists of numbers"),
                                                  ([0.1, "x"], [0.1, 0.2], "first")])
def test_paired_bad_input(first, second, match):
    with pytest.raises(CnnbookError, match=match):
        paired_comparison(first, second)


def test_describe_range_in_chinese_uses_full_width_parentheses():
    from cnnbook.i18n import current_language, set_language

    before = current_language()
    try:
        set_language("zh")
        assert describe_range(s(0.5, 0.25, 0.75), digits=2) == "0.50（0.25-0.75）"
    finally:
        set_language(before)
