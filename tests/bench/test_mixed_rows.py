"""The mixed workload's BENCHMARKS.md rows: a kind meets its goal only with p99 ≤ 3 × p50 and no error."""

from tools.bench.measure_mixed import mixed_rows


def _kind(p50: float, p99: float, errors: int = 0) -> dict:
    return {"count": 100, "rate": 5.0, "p50": p50, "p99": p99, "errors": errors, "first_error": ""}


def test_each_kind_is_judged_on_its_tail_and_its_errors_and_the_whole_is_stated():
    measured = {
        "kinds": {"registration": _kind(0.1, 0.3), "repayment": _kind(0.1, 0.31), "loan detail": _kind(0.1, 0.2, 1)},
        "overall": 15.0,
        "seconds": 20.0,
        "workers": 4,
        "clients": 1,
        "load": (1.5, 2.0),
    }
    rows = mixed_rows(measured)
    assert [row[-1] for row in rows] == ["**met**", "**not met**", "**not met**", "—"]
    assert rows[0][2] == "load 1.5 → 2.0" and rows[-1][1] == "15.0 req/s (300 requests in 20.0 s)"
    assert mixed_rows(None) == []
