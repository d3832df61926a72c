"""The reads an import keeps for its run (``riskfund.runcache``): once per run inside ``run_cache``, afresh outside."""

from riskfund.runcache import cached, run_cache


def test_a_read_is_kept_for_the_run_and_made_afresh_outside_it():
    calls: list[int] = []

    def read() -> int:
        calls.append(1)
        return len(calls)

    assert [cached(("k",), read), cached(("k",), read)] == [1, 2]
    with run_cache():
        assert [cached(("k",), read), cached(("k",), read), cached(("other",), read)] == [3, 3, 4]
        with run_cache():  # a nested block shares the run's store
            assert cached(("k",), read) == 3
        assert cached(("k",), read) == 3
    assert cached(("k",), read) == 5
