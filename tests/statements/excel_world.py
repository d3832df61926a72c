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

from bank_world import World, assert_problem, bank_client, build_world, make_uscc
from openpyxl import load_workbook
from pipeline_support import COUNTER_GUARANTEES, guarantor_approves

from riskfund.lending.models import Loan
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_create,
    loan_register,
    recommendation_issue,
)
from riskfund.money import FEN

__all__ = ["AS_OF", "World", "assert_problem", "bank_client", "build_world", "cell_money", "lend", "read_sheets"]

D = Decimal
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
    bank = bank or world.bank_a
    serial = next(_serials)
    enterprise = enterprise_create(
        uscc=make_uscc(serial),
        name=name or f"包头对账测试企业{serial}有限公司",
        district_code="150202",
        industry="industry",
        employees=50,
        revenue=D("10000000"),
        total_assets=D("8000000"),
        established_on=date(2015, 6, 1),
    )
    on = date(2024, 6, 1)
    application = application_create(enterprise=enterprise, amount=D(amount), term_months=12, submitted_on=on)
    recommendation = recommendation_issue(
        application=application, bank=bank, guarantor=world.guarantor, amount=D(amount), issued_on=on
    )
    guarantor_approves(recommendation, on)
    due_diligence_record(recommendation=recommendation, party="bank", opinion="approve", reported_on=on)
    recommendation.refresh_from_db()
    values = {
        "bank": bank,
        "recommendation": recommendation,
        "contract_no": contract_no,
        "principal": D(amount),
        "disbursed_on": disbursed_on,
        "maturity_on": add_months(disbursed_on, 12),
        "annual_rate": D("3.45"),
        "repayment_method": "bullet",
    }
    values.update(kwargs)
    return loan_register(**{"counter_guarantees": COUNTER_GUARANTEES, **values})


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
