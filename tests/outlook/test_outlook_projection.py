"""The projection and its figures on a book small enough to follow by hand (art. 9, 13, 20, 37, 38).

The matrix is deterministic: a current loan with nothing due stays current, a maturing one is repaid, an overdue
loan in 1–25 is compensated the next month. One cohort of 150202 (东河区): two current bullets of 500,000.00
maturing in month 2 and one loan of 1,000,000.00 overdue 1–25. Loss weights 40:20:40, split 30:30:40 (art. 20).
"""

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from riskfund.outlook.projection import Book, Funds, draw_multinomial, simulate
from riskfund.outlook.results import crossing_month_p50, funder_rows, monthly

YUAN = 100  # fens
MONTHS = [date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)]
CODES, TIERS = ["region", "city", "150202", "150203"], ["region", "city", "district", "district"]


def deterministic_matrix() -> np.ndarray:
    matrix = np.zeros((7, 7))
    matrix[0, 0] = matrix[1, 0] = 1  # nothing due / instalment due: stays current
    matrix[2, 5] = 1  # maturing: repaid
    matrix[3, 6] = matrix[4, 6] = 1  # 1–25, 26–60: compensated
    matrix[5, 4] = matrix[6, 4] = 1
    return matrix[None]


def small_book() -> Book:
    return Book(
        bank=np.array([0]),
        district=np.array([0]),
        band=np.array([1]),
        pool_fraction=np.array([0.4]),
        split=np.array([[0.3, 0.3, 0.4]]),
        scheduled=np.array([2]),
        maturing=np.array([[0.0, 1.0]]),
        instalment=np.array([[0.0, 0.0]]),
        balance=np.array([[500_000.0, 500_000.0, 0.0]]) * YUAN,
        due_balance=np.array([[500_000.0, 500_000.0]]) * YUAN,
        carried=np.array([[0, 1, 0, 0, 0]]),
        carried_balance=np.array([[0.0, 1_000_000.0, 0.0, 0.0, 0.0]]) * YUAN,
    )


def funds(paid_in=(6_000_000, 6_000_000, 8_000_000, 4_200_000)) -> Funds:
    return Funds(
        paid_in=np.array(paid_in, dtype=float) * YUAN,
        interest=0.0,
        loss=np.zeros(4),
        replenished=np.zeros(4),
        minimum=np.array([0, 0, 8_000_000, 8_000_000], dtype=float) * YUAN,
        injections=np.zeros((2, 4)),
        past_loss=np.zeros((36, 4)),
        past_recovered=np.zeros((36, 4)),
        threshold=0.2,
        leverage=10.0,
    )


def run(book: Book, money: Funds, curve: np.ndarray, paths: int = 50):
    simulated = simulate(book, money, deterministic_matrix(), curve, paths=paths, seed=1)
    return simulated, monthly(simulated, money, MONTHS), funder_rows(simulated, money, CODES, TIERS)


def test_compensation_and_recovery_move_n_art_20_and_capacity_art_9():
    """Month 1: the overdue loan is compensated, pool share 40 % of 1,000,000.00 = 400,000.00 → N = 400,000.00,
    N/F = 400,000 / 24,200,000 = 0.016528 (truncated); outstanding 1,000,000.00 (the two bullets); capacity left
    10 × (24,200,000 − 400,000) − 1,000,000 = 237,000,000.00. Month 2: half of the loss comes back (r[0] = 0.5):
    N = 200,000.00, ratio 0.008264; the bullets are repaid, capacity 10 × 24,000,000 = 240,000,000.00."""
    curve = np.zeros(36)
    curve[0] = 0.5
    _simulated, months, _funders = run(small_book(), funds(), curve)
    first, second = months
    assert first["net_compensation"] == {key: Decimal("400000.00") for key in ("p5", "p50", "p95")}
    assert first["ratio"]["p50"] == Decimal("0.016528")
    assert first["outstanding_p50"] == Decimal("1000000.00")
    assert first["capacity_left"]["p50"] == Decimal("237000000.00")
    assert second["net_compensation"]["p50"] == Decimal("200000.00")
    assert second["ratio"]["p95"] == Decimal("0.008264")
    assert second["capacity_left"]["p5"] == Decimal("240000000.00")
    assert [m["crossed_probability"] for m in months] == [Decimal("0.000000"), Decimal("0.000000")]


def test_funder_rows_split_30_30_40_and_district_replenishment_art_13():
    """Net pool loss after the recovery 200,000.00: region 60,000.00 (30 %), city 60,000.00, 东河区 80,000.00.
    Replenishment due (SPEC §6): 东河区 max(0, 80,000 − 0, 8,000,000 − (8,000,000 − 80,000)) = 80,000.00;
    昆都仑区 (paid 4,200,000 of its 8,000,000 minimum, no loss) 8,000,000 − 4,200,000 = 3,800,000.00; the city owes
    nothing while the pool is open; the region never."""
    curve = np.zeros(36)
    curve[0] = 0.5
    _simulated, _months, rows = run(small_book(), funds(), curve)
    by_code = {row["code"]: row for row in rows}
    assert [by_code[c]["expected_loss"] for c in CODES] == [
        Decimal("60000.00"),
        Decimal("60000.00"),
        Decimal("80000.00"),
        Decimal("0.00"),
    ]
    assert by_code["150202"]["loss_share"] == Decimal("0.400000")
    assert by_code["150202"]["replenishment_due_p95"] == Decimal("80000.00")
    assert by_code["150203"]["replenishment_due_p50"] == Decimal("3800000.00")
    assert by_code["city"]["replenishment_due_p95"] == Decimal("0.00")
    assert by_code["region"]["replenishment_due_p95"] == Decimal("0.00")


def test_crossing_the_threshold_art_37_and_the_city_resume_amount_art_38():
    """F = 1,500,000.00 (region, city 500,000 each, 东河区 500,000): the compensation of month 1 makes N = 400,000.00
    ≥ 20 % × 1,500,000 = 300,000 → every path crosses in month 1 (probability 1.000000, median month 1). With no
    recovery N stays 400,000.00, and the city owes the resume amount 400,000 ÷ 0.2 − 1,500,000 + 0.01 = 500,000.01."""
    money = funds(paid_in=(500_000, 500_000, 500_000, 0))
    simulated, months, rows = run(small_book(), money, np.zeros(36))
    assert [m["crossed_probability"] for m in months] == [Decimal("1.000000"), Decimal("1.000000")]
    assert crossing_month_p50(simulated, money.threshold) == 1
    assert months[0]["ratio"]["p50"] == Decimal("0.266666")
    city = next(row for row in rows if row["code"] == "city")
    assert city["replenishment_due_p50"] == Decimal("500000.01")


def test_committed_injections_raise_f_by_month():
    """昆都仑区 owes 3,800,000.00, paid 1,900,000.00 a month: F goes 24,200,000 → 26,100,000 → 28,000,000."""
    money = funds()
    money.injections[:, 3] = 1_900_000 * YUAN
    _simulated, months, _rows = run(small_book(), money, np.zeros(36))
    assert [m["pool_funds"] for m in months] == [Decimal("26100000.00"), Decimal("28000000.00")]


def test_same_seed_same_paths_other_seed_other_paths():
    book = small_book()
    book.carried = np.array([[0, 40, 0, 0, 0]])
    book.carried_balance = np.array([[0, 40_000_000.0 * YUAN, 0, 0, 0]])
    matrix = deterministic_matrix()
    matrix[0, 3] = [0.5, 0, 0, 0, 0, 0.25, 0.25]
    a = simulate(book, funds(), matrix, np.zeros(36), paths=600, seed=7)
    b = simulate(book, funds(), matrix, np.zeros(36), paths=600, seed=7, workers=1)
    c = simulate(book, funds(), matrix, np.zeros(36), paths=600, seed=8)
    assert np.array_equal(a.net_compensation, b.net_compensation)  # threads do not change the draws
    assert not np.array_equal(a.net_compensation, c.net_compensation)


def test_multinomial_chain_has_the_right_means():
    """Each category's mean over 20,000 draws of 50 loans lies within 4 standard errors of 50 · p."""
    rng = np.random.default_rng(3)
    probs = np.array([[0.6, 0.1, 0.05, 0.0, 0.05, 0.15, 0.05]])
    counts = np.full((1, 20_000), 50)
    drawn = draw_multinomial(rng, counts, probs)
    assert (drawn.sum(axis=2) == 50).all()
    mean = drawn[0].mean(axis=0)
    se = np.sqrt(50 * probs[0] * (1 - probs[0]) / 20_000)
    assert np.all(np.abs(mean - 50 * probs[0]) <= 4 * se + 1e-12)
    assert drawn[0, :, 3].sum() == 0


@pytest.mark.parametrize("paths", [1, 250, 251])
def test_any_path_count_gives_that_many_paths(paths):
    simulated = simulate(small_book(), funds(), deterministic_matrix(), np.zeros(36), paths=paths, seed=1)
    assert simulated.net_compensation.shape == (paths, 3)
