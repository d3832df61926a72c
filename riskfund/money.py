"""Money: ``Decimal`` with two places (fen) and the one allocation function of SPEC §3.

No float ever touches an amount. ``allocate`` splits by integer weights with the largest-remainder
method: each part is floored to the fen, then the fens left over go one each to the parts with the
largest remainders, ties to the earlier party. The parts always sum to the amount.
"""

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from riskfund.errors import invalid

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Exact conversion to a two-place Decimal; refuses floats and anything with more than two places."""
    if isinstance(value, float | bool):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    try:
        quantized = amount.quantize(FEN)
    except InvalidOperation as exc:
        raise ValueError(f"amount out of range: {value!r}") from exc
    if quantized != amount:
        raise ValueError(f"more than two decimal places: {value!r}")
    return quantized


def money_input(value: Decimal | int | str, field: str, *, positive: bool = False, clause: str = "") -> Decimal:
    """An amount given to a service: two places, not negative (positive when asked), else a 400 ``InputError`` on
    ``field`` — the same answer whichever path (API, admin, command, import) brought it."""
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        raise invalid(field, str(exc), clause) from exc
    if amount < ZERO or (positive and amount == ZERO):
        raise invalid(field, "须大于0 (must be positive)" if positive else "不能为负数 (must not be negative)", clause)
    return amount


def money_text(value: Decimal | int | str | None) -> str:
    """An amount for people: ``1,234,567.89`` (grouped by three, two places); "—" for none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP):,.2f}"


def percent_text(ratio: Decimal | int | str | None) -> str:
    """A ratio (0.049489) for people: ``4.95 %`` (two places, half up); "—" for none."""
    if ratio is None or ratio == "":
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(FEN, rounding=ROUND_HALF_UP):,.2f} %"


def ceil_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_CEILING)


def allocate(amount: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Split ``amount`` over integer ``weights`` to the fen (SPEC §3, art. 20)."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative integers with a positive sum")
    fens = int(to_money(amount) / FEN)
    if fens < 0:
        raise ValueError("only a non-negative amount is allocated")
    total = sum(weights)
    parts = [fens * w // total for w in weights]
    remainders = [fens * w % total for w in weights]
    left = fens - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        parts[i] += 1
    return [Decimal(p) * FEN for p in parts]
