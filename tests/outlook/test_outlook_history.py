"""The forecast's reads of the database, on the hand-followed pool of ``outlook_world`` (as of 2024-06-30)."""

from datetime import date

import numpy as np
import pytest

from riskfund.outlook.inputs import estimation_dates, gather

AS_OF = date(2024, 6, 30)


def test_transition_counts_from_the_bucket_history(world):
    """Intervals 03-31→04-30, 04-30→05-31, 05-31→06-30 (the daily run began 03-31):
    - A every month nothing due, current → current (3); B nothing due twice (2), and in May its instalment of
      05-01 falls due and is paid (instalment row → current, 1); C nothing due twice (2) and maturing in June → 26–60;
    - D maturing in April → 26–60 on 04-30, then 26–60 → compensated on 05-06."""
    inputs = gather(AS_OF)
    counts = inputs.counts[0]
    assert estimation_dates(AS_OF) == [date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31), AS_OF]
    expected = np.zeros((7, 7), dtype=np.int64)
    expected[0, 0] = 7
    expected[1, 0] = 1
    expected[2, 2] = 2
    expected[4, 6] = 1
    assert counts.tolist() == expected.tolist()


def test_the_book_by_cohort_on_the_as_of_date(world):
    """Cohort (BOB, 东河区, up to 500,000): B current (400,000.00 left; instalment due in month 1, maturing in month
    3) and C in 26–60 with 500,000.00. Cohort (BOB, 东河区, 500,000–1,000,000): A current, maturing in month 3."""
    book = gather(AS_OF).book
    assert book.band.tolist() == [0, 1]
    assert book.scheduled.tolist() == [1, 1]
    assert book.carried.tolist() == [[0, 0, 1, 0, 0], [0, 0, 0, 0, 0]]
    assert book.carried_balance[0, 2] == 500_000 * 100
    assert book.instalment[0].tolist()[:3] == [1.0, 0.0, 0.0]
    assert book.maturing[0].tolist()[:3] == [0.0, 0.0, 1.0]
    assert (book.balance[0, :4] / 100).tolist() == [400_000, 200_000, 200_000, 0]
    assert (book.due_balance[0, :3] / 100).tolist() == [400_000, 200_000, 200_000]
    assert (book.balance[1, :4] / 100).tolist() == [1_000_000, 1_000_000, 1_000_000, 0]
    assert book.pool_fraction.tolist() == pytest.approx([0.4, 0.4])
    assert np.allclose(book.split, [[0.3, 0.3, 0.4]] * 2)


def test_the_money_as_of_the_date(world):
    """F = 24,200,000.00; losses net of the recovery: region 84,000.00, city 84,000.00, 东河区 112,000.00
    (N = 280,000.00); D compensated on 05-06 is one whole month old on 06-30."""
    funds = gather(AS_OF).funds
    assert funds.paid_in.sum() / 100 == 24_200_000
    assert (funds.loss[:3] / 100).tolist() == [84_000, 84_000, 112_000]
    assert funds.loss.sum() / 100 == 280_000
    assert (funds.past_loss[1, :3] / 100).tolist() == [96_000, 96_000, 128_000]
    assert (funds.past_recovered[1, :3] / 100).tolist() == [12_000, 12_000, 16_000]
    assert funds.threshold == 0.2
    assert funds.leverage == 10


def test_an_earlier_date_reads_the_book_as_it_was(world):
    """On 2024-04-30: B has not paid its instalment yet (600,000.00 current), C is current, D is in 26–60. Cohort
    up to 500,000: C (500,000.00); 500,000–1,000,000: A and B current, mean 800,000.00, and D overdue."""
    inputs = gather(date(2024, 4, 30))
    book = inputs.book
    assert book.scheduled.sum() == 3
    assert book.carried.sum() == 1
    assert book.carried_balance.sum() / 100 == 800_000
    assert inputs.funds.loss.sum() == 0
    assert (book.balance[:, 0] / 100).tolist() == [500_000, 800_000]
