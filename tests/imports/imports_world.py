"""A small book written in the template, and the world it is imported into (funders, SME standard, LPR seeded;
the 2021 policy version from the root conftest). Dates are in 2024; ``TODAY`` is passed to every import."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from factories import make_uscc

from riskfund.imports.export import book_bytes
from riskfund.ledger.models import Account

D = Decimal
TODAY = date(2025, 12, 31)


def enterprise(serial: int, area: str = "150202") -> dict:
    return {
        "uscc": make_uscc(serial, area),
        "name": f"包头导入测试企业{serial}有限公司",
        "district": area,
        "industry": "industry",
        "employees": 50,
        "revenue": D("10000000.00"),
        "total_assets": D("8000000.00"),
        "established_on": date(2015, 6, 1),
    }


def recommendation(
    serial: int, form_no: str, amount: str, *, on: date = date(2024, 2, 20), area: str = "150202"
) -> dict:
    return {
        "enterprise": make_uscc(serial, area),
        "submitted_on": on,
        "applied_amount": D(amount),
        "term_months": 12,
        "purpose": "流动资金",
        "form_no": form_no,
        "issued_on": on,
        "bank": "BOB",
        "guarantor": "BJDB",
        "amount": D(amount),
        "bank_opinion": "approve",
        "bank_reported_on": on,
        "guarantor_opinion": "approve",
        "guarantor_reported_on": on,
    }


def loan(contract: str, form_no: str, principal: str, *, disbursed: date, maturity: date, method="bullet") -> dict:
    return {
        "bank": "BOB",
        "contract_no": contract,
        "form_no": form_no,
        "principal": D(principal),
        "disbursed_on": disbursed,
        "maturity_on": maturity,
        "annual_rate": "3.45",
        "repayment_method": method,
        "extended_term": "no",
        "reported_on": disbursed,
    }


def small_book() -> dict[str, list[dict]]:
    """F = 20,001,234.56 (region, city 6,000,000 each, 东河区 8,000,000 on 2024-01-02, interest 1,234.56); BOB × BJDB
    signed 2024-01-03
    (deposit 1,000,000); three enterprises of 东河区; loan L-1 (1,000,000, four
    quarterly instalments of 250,000, repaid in full with interest), loan L-2 (2,000,000 bullet, matures
    2024-09-02, two collection events, compensated 2024-10-08: 36 days overdue; shares 800,000 / 400,000 /
    800,000, pool split 240,000 / 240,000 / 320,000, all from the deposit) and 250,000.03 recovered less
    20,000.00 litigation on 2024-12-02 (net 230,000.03 → 92,000.01 / 46,000.01 / 92,000.01, pool split
    27,600.00 / 27,600.00 / 36,800.01); loan L-3 (500,000 bullet) still active."""
    return copy.deepcopy(
        {
            "injection": [
                {
                    "funder": "region",
                    "kind": "injection",
                    "paid_on": date(2024, 1, 2),
                    "amount": D("6000000"),
                    "reference": "CZ-1",
                },
                {
                    "funder": "city",
                    "kind": "injection",
                    "paid_on": date(2024, 1, 2),
                    "amount": D("6000000"),
                    "reference": "CZ-2",
                },
                {
                    "funder": "150202",
                    "kind": "injection",
                    "paid_on": date(2024, 1, 2),
                    "amount": D("8000000"),
                    "reference": "CZ-3",
                },
            ],
            "agreement": [
                {
                    "bank": "BOB",
                    "bank_name": "包商导入测试银行",
                    "guarantor": "BJDB",
                    "guarantor_name": "包头市百佳融资担保有限责任公司",
                    "signed_on": date(2024, 1, 3),
                }
            ],
            "interest": [
                {"credited_on": date(2024, 3, 21), "amount": D("1234.56"), "account": "special", "reference": "LX-1"}
            ],
            "enterprise": [enterprise(1), enterprise(2), enterprise(3)],
            "recommendation": [
                recommendation(1, "ZBJ-2024-000001", "1000000"),
                recommendation(2, "ZBJ-2024-000002", "2000000"),
                recommendation(3, "ZBJ-2024-000003", "500000"),
            ],
            "loan": [
                loan(
                    "L-1",
                    "ZBJ-2024-000001",
                    "1000000",
                    disbursed=date(2024, 3, 1),
                    maturity=date(2025, 3, 1),
                    method="instalments",
                ),
                loan("L-2", "ZBJ-2024-000002", "2000000", disbursed=date(2024, 3, 1), maturity=date(2024, 9, 2)),
                loan("L-3", "ZBJ-2024-000003", "500000", disbursed=date(2024, 3, 5), maturity=date(2025, 3, 5)),
            ],
            "schedule": [
                {"bank": "BOB", "contract_no": "L-1", "due_on": due, "principal": D("250000")}
                for due in (date(2024, 6, 1), date(2024, 9, 1), date(2024, 12, 1), date(2025, 3, 1))
            ],
            "counter_guarantee": [
                {"bank": "BOB", "contract_no": c, "kind": "guarantee", "description": "法定代表人连带责任保证"}
                for c in ("L-1", "L-2", "L-3")
            ],
            "repayment": [
                {
                    "bank": "BOB",
                    "contract_no": "L-1",
                    "paid_on": due,
                    "principal": D("250000"),
                    "interest": D("2156.25"),
                }
                for due in (date(2024, 6, 1), date(2024, 9, 1), date(2024, 12, 1), date(2025, 3, 1))
            ],
            "event": [
                {"bank": "BOB", "contract_no": "L-2", "kind": "collection_call", "occurred_on": date(2024, 9, 10)},
                {"bank": "BOB", "contract_no": "L-2", "kind": "onsite_collection", "occurred_on": date(2024, 9, 20)},
            ],
            "compensation": [
                {
                    "bank": "BOB",
                    "contract_no": "L-2",
                    "deducted_on": date(2024, 10, 8),
                    "reported_on": date(2024, 10, 9),
                }
            ],
            "recovery": [
                {
                    "bank": "BOB",
                    "contract_no": "L-2",
                    "recovered_on": date(2024, 12, 2),
                    "gross": D("250000.03"),
                    "litigation": D("20000.00"),
                }
            ],
        }
    )


def xlsx(rows: dict[str, list[dict]]) -> bytes:
    return book_bytes(rows)


def balances() -> dict[str, Decimal]:
    return dict(Account.objects.order_by("code").values_list("code", "balance"))


def medium_book() -> dict[str, list[dict]]:
    """Ten loans of 东河区 and 昆都仑区 (2024), funded on 2019-12-02 (F = 100,000,000) and banked with BOB and BOC
    (signed 2020-01-06 and 2020-01-08): L-1 repaid in four instalments, L-2 compensated after two collection
    events and partly recovered, the others bullet loans, some repaid at maturity; every loan with a
    counter-guarantee and both due-diligence opinions."""
    book = small_book()
    funded = date(2019, 12, 2)
    book["injection"] = [
        {"funder": code, "kind": "injection", "paid_on": funded, "amount": D(amount), "reference": f"CZ-{code}"}
        for code, amount in (
            ("region", "30000000"),
            ("city", "30000000"),
            ("150202", "20000000"),
            ("150203", "20000000"),
        )
    ]
    book["agreement"][0]["signed_on"] = date(2020, 1, 6)
    book["agreement"].append(
        {"bank": "BOC", "bank_name": "包头导入测试银行二", "guarantor": "BJDB", "signed_on": date(2020, 1, 8)}
    )
    book["enterprise"] = [enterprise(n, "150202" if n % 2 else "150203") for n in range(1, 13)]
    book["recommendation"] = [
        recommendation(n, f"ZBJ-2024-{n:06d}", "1000000", area="150202" if n % 2 else "150203") for n in range(1, 11)
    ]
    loans = [book["loan"][0], book["loan"][1]]
    for n in range(3, 11):
        loans.append(
            loan(f"L-{n}", f"ZBJ-2024-{n:06d}", "1000000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1))
        )
    loans[1]["principal"] = D("1000000")
    for n in (4, 6, 8):
        loans[n - 1]["bank"] = "BOC"
    book["loan"] = loans
    book["counter_guarantee"] = [
        {"bank": item["bank"], "contract_no": item["contract_no"], "kind": "real_estate", "value": D("1500000")}
        for item in loans
    ]
    book["recommendation"][1]["amount"] = book["recommendation"][1]["applied_amount"] = D("1000000")
    for n in (4, 6, 8):
        book["recommendation"][n - 1]["bank"] = "BOC"
    book["repayment"] += [
        {
            "bank": "BOB",
            "contract_no": f"L-{n}",
            "paid_on": date(2025, 3, 1),
            "principal": D("1000000"),
            "interest": D("34500"),
        }
        for n in (7, 9)
    ]
    book["compensation"] = [
        {"bank": "BOB", "contract_no": "L-2", "deducted_on": date(2024, 10, 8), "reported_on": date(2024, 10, 9)}
    ]
    return book
