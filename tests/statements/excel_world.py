"""Building blocks for the statement and reconciliation tests, on top of ``tests/banks/bank_world`` (a funded pool,
banks A = BOB and B = BOC with deposits of 1,000,000 each and API keys). Loans are made with the services at fixed
past dates, so the figures of March 2025 are the same whenever the tests run."""

import sys
import uuid
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "banks"))

from bank_world import World, assert_problem, bank_client, build_world
from factories import approved_recommendation, make_uscc, registered_loan, small_enterprise
from openpyxl import load_workbook

from riskfund.lending.models import Loan
from riskfund.money import FEN

__all__ = ["AS_OF", "World", "assert_problem", "bank_client", "build_world", "cell_money", "lend", "read_sheets"]

AS_OF = date(2025, 3, 31)  # the reconciliation tests' date
_serials = iter(range(500, 10_000))


def lend(
    world: World,
    contract_no: str,
    amount: str,
    disbursed_on: date,
    *,
    bank=None,
    name: str | None = None,
    **kwargs,
) -> Loan:
    """A loan registered through the services: enterprise → application → recommendation → approval → loan."""
    serial = next(_serials)
    enterprise = small_enterprise(uscc=make_uscc(serial), name=name or f"包头对账测试企业{serial}有限公司")
    recommendation = approved_recommendation(
        enterprise=enterprise, bank=bank or world.bank_a, guarantor=world.guarantor, amount=amount, on=date(2024, 6, 1)
    )
    values = {"contract_no": contract_no, "principal": amount, "repayment_method": "bullet", **kwargs}
    return registered_loan(recommendation=recommendation, disbursed_on=disbursed_on, **values)


def read_sheets(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows (values as openpyxl reads them), and the workbook for cell-level checks under ``""``."""
    book = load_workbook(BytesIO(content))
    sheets: dict = {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}
    sheets[""] = book
    return sheets


def cell_money(value) -> Decimal:
    """An amount cell as read back: openpyxl gives a float (or an int); its shortest repr is the exact text written."""
    assert value is not None and not isinstance(value, bool)
    return Decimal(repr(value)).quantize(FEN) if isinstance(value, float) else Decimal(value).quantize(FEN)


def idem() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": f"key-{uuid.uuid4()}"}
