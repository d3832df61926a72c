"""Honesty of the model on synthetic books generated from a KNOWN transition matrix (issue 14, "Honesty").

1. The estimate converges to the known matrix: every entry of the pool-wide estimate lies within 4 standard errors
   of the truth (σ = √(p(1 − p)/n), n the row's observations), and on the larger book every row seen at least
   10,000 times is within 0.01 of it — tolerance stated, error shrinking as the book grows.
2. Realised outcomes fall in the bands at the stated rate: the projection of a synthetic book from the known matrix
   gives p5–p95 bands for N; 300 futures of the same book realised loan by loan (not by cohort) land inside the
   band at m + 1, m + 3, m + 6 and m + 12 in 90 % ± 7 % of cases (4 binomial standard errors of 300 draws, 1.7 %,
   plus the cohort model's approximation).
"""

from datetime import date

import numpy as np
import pytest
from outlook_synthetic import KNOWN, fresh_book, realised_losses, simulate_history

from riskfund.outlook.book import build_book, transition_counts
from riskfund.outlook.chain import estimate
from riskfund.outlook.projection import Funds, simulate

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize("loans", [4_000, 40_000])
def test_estimate_converges_to_the_known_matrix_within_four_standard_errors(loans):
    rng = np.random.default_rng(20260630)
    history, window = simulate_history(rng, loans=loans, as_of=AS_OF, months=24)
    counts = transition_counts(history, window, banks=2)
    fitted = estimate(counts)
    seen = counts.sum(axis=(0, 2))
    assert seen.sum() > loans * 5  # months observed per loan on average
    se = np.sqrt(KNOWN * (1 - KNOWN) / np.maximum(seen, 1)[:, None])
    observed = seen > 0
    assert np.all(np.abs(fitted.pool - KNOWN)[observed] <= 4 * se[observed] + 1e-12)
    if loans == 40_000:
        well_seen = seen >= 10_000
        assert well_seen[:3].all()  # the three current rows
        assert np.abs(fitted.pool - KNOWN)[well_seen].max() <= 0.01


def test_bank_estimates_shrink_to_the_same_known_matrix():
    """Two banks drawn from one matrix: each bank's shrunk estimate is within 0.02 of the truth on its busy rows."""
    rng = np.random.default_rng(7)
    history, window = simulate_history(rng, loans=40_000, as_of=AS_OF, months=24)
    counts = transition_counts(history, window, banks=2)
    fitted = estimate(counts)
    for bank in range(2):
        busy = fitted.observations[bank] >= 5_000
        assert busy[:3].all()
        assert np.abs(fitted.banks[bank] - KNOWN)[busy].max() <= 0.02


def test_realised_outcomes_fall_in_the_p5_p95_band_about_nine_times_in_ten():
    rng = np.random.default_rng(14)
    book, history, states, months = fresh_book(rng, loans=3_000, as_of=AS_OF)
    cohorts, _keys = build_book(history, months)
    horizon, funders = len(months) - 1, 4
    funds = Funds(
        paid_in=np.full(funders, 1e12),
        interest=0.0,
        loss=np.zeros(funders),
        replenished=np.zeros(funders),
        minimum=np.zeros(funders),
        injections=np.zeros((horizon, funders)),
        past_loss=np.zeros((36, funders)),
        past_recovered=np.zeros((36, funders)),
        threshold=0.2,
        leverage=10.0,
    )
    paths = simulate(cohorts, funds, np.stack([KNOWN, KNOWN]), np.zeros(36), paths=2_000, seed=1)
    low, high = np.percentile(paths.net_compensation, [5, 95], axis=0, method="inverted_cdf")
    realised = np.array([0.4 * np.cumsum(realised_losses(rng, book, states, months)) for _ in range(300)])
    for month in (1, 3, 6, 12):
        inside = (realised[:, month - 1] >= low[month] - 0.5) & (realised[:, month - 1] <= high[month] + 0.5)
        assert 0.83 <= inside.mean() <= 0.97, (month, inside.mean())
    # and the bands are not trivially wide: the median is near the loan-level mean
    mean = realised.mean(axis=0)
    median = np.percentile(paths.net_compensation, 50, axis=0)
    assert abs(median[12] - mean[11]) <= 0.1 * mean[11]
