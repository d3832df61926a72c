"""The roll-rate model's formulas with hand-computed figures (riskfund/outlook/chain.py docstring)."""

from datetime import date

import numpy as np
import pytest

from riskfund.outlook.chain import DEFAULT_ROWS, estimate, month_steps, recovery_curve, stressed

ROW_1_25 = 3


def counts_two_banks() -> np.ndarray:
    """Row 1–25 only: bank A saw 10 cures, 20 rolls to 26–60, 10 repaid, 10 compensated (50); bank B 30, 10, 40, 20
    (100). Pool: 40, 30, 50, 30 of 150."""
    counts = np.zeros((2, 7, 7))
    counts[0, ROW_1_25] = [10, 0, 20, 0, 0, 10, 10]
    counts[1, ROW_1_25] = [30, 0, 10, 0, 0, 40, 20]
    return counts


def test_pool_matrix_is_the_observed_frequency():
    fitted = estimate(counts_two_banks())
    assert fitted.pool[ROW_1_25] == pytest.approx([40 / 150, 0, 30 / 150, 0, 0, 50 / 150, 30 / 150])


def test_bank_rows_are_shrunk_toward_the_pool_with_a_hundred_pseudo_observations():
    """P_A = (n_A + 100 · P_pool) / (50 + 100): cures (10 + 26⅔)/150 = 11/45, to 26–60 (20 + 20)/150 = 4/15,
    repaid (10 + 33⅓)/150 = 13/45, compensated (10 + 20)/150 = 1/5; bank B over 200: 17/60, 3/20, 11/30, 1/5."""
    fitted = estimate(counts_two_banks())
    assert fitted.banks[0, ROW_1_25] == pytest.approx([11 / 45, 0, 4 / 15, 0, 0, 13 / 45, 1 / 5])
    assert fitted.banks[1, ROW_1_25] == pytest.approx([17 / 60, 0, 3 / 20, 0, 0, 11 / 30, 1 / 5])
    assert fitted.observations[:, ROW_1_25].tolist() == [50, 100]


def test_rows_never_observed_take_the_neutral_default():
    fitted = estimate(counts_two_banks())
    for row in (0, 1, 2, 4, 5, 6):
        assert fitted.pool[row].tolist() == DEFAULT_ROWS[row].tolist()
        assert fitted.banks[:, row] == pytest.approx(np.stack([DEFAULT_ROWS[row]] * 2))
    assert fitted.pool[2, 5] == 1  # maturing → closed
    assert fitted.pool[6, 4] == 1  # 91+ stays 91+


def test_roll_multiplier_scales_the_worse_states_and_the_rest_gives_way():
    """Row 1–25 (0.2, 0, 0.4, 0, 0, 0.2, 0.2): worse = 26–60 … 91+ and compensated, w = 0.6. ×1.5 → w' = 0.9:
    26–60 0.6, compensated 0.3, the rest × 0.1/0.4: cured 0.05, repaid 0.05. ×2 → w' = 1: everything rolls."""
    matrix = np.zeros((7, 7))
    matrix[ROW_1_25] = [0.2, 0, 0.4, 0, 0, 0.2, 0.2]
    matrix[2] = [0, 0.1, 0.05, 0, 0, 0.85, 0]
    assert stressed(matrix, 1.5)[ROW_1_25] == pytest.approx([0.05, 0, 0.6, 0, 0, 0.05, 0.3])
    assert stressed(matrix, 2)[ROW_1_25] == pytest.approx([0, 0, 2 / 3, 0, 0, 0, 1 / 3])
    # maturing row: 1–25 and 26–60 are worse than current; ×2 → 0.2 and 0.1, repaid 0.85 × 0.7/0.85 = 0.7
    assert stressed(matrix, 2)[2] == pytest.approx([0, 0.2, 0.1, 0, 0, 0.7, 0])
    assert stressed(matrix, 1) == pytest.approx(matrix)


def test_roll_multiplier_out_of_range_is_refused():
    with pytest.raises(ValueError):
        stressed(np.eye(7), 11)
    with pytest.raises(ValueError):
        stressed(np.eye(7), -0.5)


def test_recovery_curve_counts_only_complete_months():
    """Losses 1,000,000 (3 months complete) and 500,000 (1 month complete). Recovered: 100,000 and 50,000 in month
    0 → r[0] = 150,000 / 1,500,000 = 0.10; month 1 of the second loss is not complete (its 25,000 is left out) and
    the first recovered nothing → r[1] = 0; month 2: 50,000 / 1,000,000 = 0.05."""
    curve = recovery_curve(
        np.array([1_000_000.0, 500_000.0]),
        np.array([3, 1]),
        np.array([0, 2, 0, 1]),
        np.array([100_000.0, 50_000.0, 50_000.0, 25_000.0]),
        loss_of=np.array([0, 0, 1, 1]),
    )
    assert curve[:4] == pytest.approx([0.10, 0.0, 0.05, 0.0])
    assert curve[3:].sum() == 0


def test_month_steps_keep_month_ends_at_month_ends():
    assert month_steps(date(2026, 2, 28), range(-2, 3)) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert month_steps(date(2026, 1, 15), range(0, 3)) == [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)]
