"""Exact money arithmetic inside SQL updates, on PostgreSQL and on SQLite.

PostgreSQL's ``numeric`` is exact. SQLite stores a decimal column as a double, so ``balance + 0.10`` done
in SQL accumulates binary error (0.10 + 0.20 − 0.30 = 5.55e-17) until a CHECK or a ``< 0`` comparison
misfires. Rounding each result to the fen keeps the stored double the one nearest the exact amount, which
Django reads back as that exact ``Decimal`` (amounts far below 2**53 fen). On PostgreSQL the rounding is
a no-op.
"""

from decimal import Decimal

from django.db.models import DecimalField, F, Value
from django.db.models.functions import Round

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


def money_plus(field: str, delta: Decimal) -> Round:
    """``field + delta`` rounded to the fen, for ``queryset.update(field=money_plus(field, delta))``."""
    return Round(F(field) + Value(delta, output_field=MONEY_FIELD), 2, output_field=MONEY_FIELD)
