"""A plain book for the import benchmark: N loans with their repayments, as rows of the template (no database).

Two years (2024-05-06 … 2026-04-30) under the 2021 policy version; the funders pay in enough for every limit
(F = 500,000,000: capacity 5,000,000,000, each district's cap 500,000,000); five banks; one enterprise per loan;
loans of 100,000–1,000,000, 60 % bullet and 40 % quarterly instalments, each with both due-diligence opinions and
a counter-guarantee, repaid on their due dates with interest (those due after the book's end are still running).
Every row is valid, so an import writes all of it. The same seed gives the same book.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from riskfund.lending.rules import add_months
from riskfund.policy.uscc import uscc_check_char

D = Decimal
START = date(2024, 5, 6)
END = date(2026, 4, 30)
LAST_LOAN = date(2026, 4, 20)
BANKS = ["PBOC", "PICBC", "PCCB", "PIMB", "PRCB"]
DISTRICTS = ["150202", "150203", "150204", "150205", "150206", "150207", "150221", "150222", "150223", "150271"]


def _uscc(serial: int, district: str) -> str:
    first17 = f"91{district}{serial:09d}"
    return first17 + uscc_check_char(first17)


def plain_book(*, loans: int, seed: int = 17) -> dict[str, list[dict]]:
    """The rows by sheet kind (see the module docstring); ``len(rows["loan"]) == loans``."""
    rng = random.Random(seed)  # noqa: S311 — a reproducible book, not a secret
    book: dict[str, list[dict]] = {
        "injection": [
            {"funder": code, "kind": "injection", "paid_on": START, "amount": D(amount), "reference": f"P-{code}"}
            for code, amount in [("region", "150000000"), ("city", "150000000")] + [(c, "20000000") for c in DISTRICTS]
        ],
        "agreement": [
            {
                "bank": code,
                "bank_name": f"基准测试银行{code}",
                "guarantor": "PBJDB",
                "guarantor_name": "基准测试担保",
                "signed_on": START + timedelta(days=1),
            }
            for code in BANKS
        ],
        **{kind: [] for kind in ("enterprise", "recommendation", "loan", "schedule", "counter_guarantee", "repayment")},
    }
    span = (LAST_LOAN - START).days - 30
    for serial in range(1, loans + 1):
        district, bank = rng.choice(DISTRICTS), rng.choice(BANKS)
        uscc = _uscc(700_000_000 + serial, district)
        disbursed = START + timedelta(days=30 + rng.randint(0, span))
        applied = disbursed - timedelta(days=14)
        principal = D(rng.randint(10, 100) * 10_000)
        rate = rng.choice(["3.45", "3.65", "3.85"])
        form, contract = f"P-{serial:07d}", f"P-{bank}-{serial:07d}"
        maturity = add_months(disbursed, 12)
        book["enterprise"].append(
            {
                "uscc": uscc,
                "name": f"基准企业{serial:06d}",
                "district": district,
                "industry": "industry",
                "employees": 50,
                "revenue": D("10000000"),
                "total_assets": D("8000000"),
                "established_on": date(2015, 6, 1),
            }
        )
        book["recommendation"].append(
            {
                "enterprise": uscc,
                "submitted_on": applied,
                "applied_amount": principal,
                "term_months": 12,
                "form_no": form,
                "issued_on": applied,
                "bank": bank,
                "guarantor": "PBJDB",
                "amount": principal,
                "bank_opinion": "approve",
                "bank_reported_on": applied + timedelta(days=3),
                "guarantor_opinion": "approve",
                "guarantor_reported_on": applied + timedelta(days=3),
            }
        )
        instalments = rng.random() < 0.4
        book["loan"].append(
            {
                "bank": bank,
                "contract_no": contract,
                "form_no": form,
                "principal": principal,
                "disbursed_on": disbursed,
                "maturity_on": maturity,
                "annual_rate": rate,
                "repayment_method": "instalments" if instalments else "bullet",
                "reported_on": disbursed + timedelta(days=1),
            }
        )
        book["counter_guarantee"].append({"bank": bank, "contract_no": contract, "kind": "guarantee"})
        if instalments:
            part = (principal / 4).quantize(D("1000"))
            lines = list(
                zip(
                    [add_months(disbursed, 3 * k) for k in (1, 2, 3)] + [maturity],
                    [part] * 3 + [principal - 3 * part],
                    strict=True,
                )
            )
            book["schedule"] += [{"bank": bank, "contract_no": contract, "due_on": d, "principal": p} for d, p in lines]
        else:
            lines = [(maturity, principal)]
        outstanding, since = principal, disbursed
        for due_on, amount in lines:
            if due_on > END:
                break
            interest = (outstanding * D(rate) / 100 * (due_on - since).days / 365).quantize(
                D("0.01"), rounding=ROUND_HALF_UP
            )
            book["repayment"].append(
                {"bank": bank, "contract_no": contract, "paid_on": due_on, "principal": amount, "interest": interest}
            )
            outstanding, since = outstanding - amount, due_on
    return book
