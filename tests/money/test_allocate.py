"""SPEC §3 allocation: worked examples (art. 20) and properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskfund.money import FEN, allocate, to_money


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        ("100.01", (40, 20, 40), ("40.01", "20.00", "40.00")),
        ("230000.03", (40, 20, 40), ("92000.01", "46000.01", "92000.01")),
        ("92000.01", (30, 30, 40), ("27600.00", "27600.00", "36800.01")),
        ("5000000.00", (40, 20, 40), ("2000000.00", "1000000.00", "2000000.00")),
        ("2000000.00", (30, 30, 40), ("600000.00", "600000.00", "800000.00")),
        ("0.01", (40, 20, 40), ("0.01", "0.00", "0.00")),
        ("0.02", (30, 30, 40), ("0.01", "0.00", "0.01")),
        ("0.00", (40, 20, 40), ("0.00", "0.00", "0.00")),
    ],
)
def test_worked_examples_art_20(amount, weights, expected):
    assert allocate(Decimal(amount), weights) == [Decimal(e) for e in expected]


def test_ties_go_to_the_earlier_party():
    # 0.01 over 1:1:1: every remainder equal, the first party takes the fen
    assert allocate(Decimal("0.01"), (1, 1, 1)) == [Decimal("0.01"), Decimal("0.00"), Decimal("0.00")]


@pytest.mark.parametrize("bad", [1.5, "1.005", "NaN", "Infinity", "abc", "1E+400"])
def test_to_money_refuses_floats_and_excess_precision(bad):
    with pytest.raises((TypeError, ValueError)):
        to_money(bad)


def test_allocate_refuses_negative_amounts_and_empty_weights():
    with pytest.raises(ValueError):
        allocate(Decimal("-1.00"), (1, 1))
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), (0, 0))


amounts = st.integers(min_value=0, max_value=10**15).map(lambda f: Decimal(f) * FEN)
weights = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6).filter(lambda w: sum(w) > 0)


@given(amounts, weights)
def test_parts_sum_to_the_amount_each_within_a_fen_of_its_exact_share(amount, ws):
    parts = allocate(amount, ws)
    assert sum(parts) == amount
    for part, w in zip(parts, ws, strict=True):
        exact = amount * w / sum(ws)
        assert abs(part - exact) < FEN
        assert part == part.quantize(FEN)


@given(amounts, weights)
def test_same_input_same_output(amount, ws):
    assert allocate(amount, ws) == allocate(amount, list(ws))
