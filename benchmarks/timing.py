"""Latency helpers shared by the benchmarks: per-call milliseconds and percentiles."""

import time
from collections.abc import Callable
from typing import Any


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[str], Any], questions: list[str], rounds: int = 1) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    fn(questions[0])
    out = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - start) * 1000)
    return out
