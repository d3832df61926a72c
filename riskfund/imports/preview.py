"""The pool position an import would change: SPEC §4 figures and each district's, JSON-ready (amounts as text)."""

from datetime import date

from riskfund.parties.models import FunderTier
from riskfund.pool.selectors import funder_list, pool_position

FIGURES = (
    "pool_funds",
    "net_compensation",
    "pool_balance",
    "credit_capacity",
    "outstanding_principal",
    "available_capacity",
    "compensation_ratio",
)
DISTRICT_FIGURES = ("paid_in", "loss", "outstanding_principal", "scale_cap")


def position(on: date) -> dict:
    """F, N, B, capacity, outstanding, suspended; per district paid-in, loss, outstanding, cap (art. 9, 13, 37)."""
    pool = pool_position(on)
    figures = {name: str(pool[name]) for name in FIGURES}
    figures["suspended"] = bool(pool["suspended"])
    figures["districts"] = [
        {"code": row["code"], "name": row["name"], **{name: str(row[name]) for name in DISTRICT_FIGURES}}
        for row in funder_list(on)
        if row["tier"] == FunderTier.DISTRICT
    ]
    return figures
