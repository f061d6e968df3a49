"""Figures of a series of timings: median, 95th percentile, requests per second."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0 to 100) of `values`, interpolated linearly between the two
    nearest ranks (as spreadsheets and numpy do by default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, not {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def summary(seconds: Sequence[float], sizes: Sequence[int] = ()) -> dict:
    """Median and p95 in milliseconds, requests per second one after another (how many
    requests a single client gets through: count over the time they took together), and the
    median size of the answers in bytes."""
    if not seconds:
        return {"n": 0}
    total = sum(seconds)
    return {
        "n": len(seconds),
        "median_ms": median(seconds) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "requests_per_second": len(seconds) / total if total else None,
        "bytes": int(median(sizes)) if sizes else None,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """`numerator / denominator`, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
