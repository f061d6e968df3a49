"""The figures of a series of timings (`policytracker.benchmarks.stats`)."""

import pytest

from policytracker.benchmarks.stats import median, percentile, ratio, summary


def test_median_of_odd_and_even_counts():
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([7.0]) == 7.0


def test_percentile_interpolates_between_ranks():
    values = [float(n) for n in range(1, 101)]  # 1 … 100
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)


def test_percentile_refuses_nothing_and_nonsense():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_summary_in_milliseconds_with_rate_and_size():
    figures = summary([0.1, 0.2, 0.3, 0.4], [100, 300, 200, 400])
    assert figures["n"] == 4
    assert figures["median_ms"] == pytest.approx(250)
    assert figures["p95_ms"] == pytest.approx(385)
    assert figures["requests_per_second"] == pytest.approx(4 / 1.0)
    assert figures["bytes"] == 250
    assert summary([]) == {"n": 0}


def test_ratio_is_none_without_both_figures():
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(None, 10.0) is None
    assert ratio(30.0, None) is None
    assert ratio(30.0, 0.0) is None
