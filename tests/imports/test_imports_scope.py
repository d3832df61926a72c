"""Who may import what (issue 17, SPEC §1): a district officer its district's enterprises and applications, refused
row by row elsewhere; a bank its own loans' repayments and events, another bank's loan being a row error that
does not tell the loan exists."""

from datetime import date
from decimal import Decimal

from imports_world import TODAY, enterprise, recommendation, small_book, xlsx

from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.lending.models import Application, Repayment
from riskfund.parties.models import Bank, Enterprise

D = Decimal


def run(rows, scope, commit=True):
    return import_book(file=xlsx(rows), scope=scope, today=TODAY, commit=commit)


def district_book() -> dict:
    """昆都仑区 (150203) enterprises 1 and 3 with applications; 东河区 (150202) enterprise 2 with an application;
    a recommendation form and a loan (the bureau's and the bank's business)."""
    application = {
        k: v
        for k, v in recommendation(1, "", "300000", area="150203").items()
        if k in ("enterprise", "submitted_on", "applied_amount", "term_months", "purpose")
    }
    return {
        "enterprise": [enterprise(1, "150203"), enterprise(2, "150202"), enterprise(3, "150203")],
        "recommendation": [
            application,
            {**application, "enterprise": enterprise(2, "150202")["uscc"]},
            {**application, "enterprise": enterprise(3, "150203")["uscc"]},
            recommendation(3, "ZBJ-2024-000009", "300000", area="150203"),
        ],
        "loan": small_book()["loan"][:1],
    }


def test_a_district_officer_is_refused_row_by_row_outside_its_district(world):
    outcome = run(district_book(), Scope(district="150203"))["outcome"]
    refused = sorted((p.sheet, p.row, p.column, p.code) for p in outcome.problems)
    assert refused == [
        ("企业", 4, "C", "import_not_permitted"),  # 东河区's enterprise
        ("推荐", 4, "A", "import_not_permitted"),  # its application
        ("推荐", 6, "F", "import_not_permitted"),  # a recommendation form: the bureau issues it
        ("贷款", 3, "", "import_not_permitted"),  # loans are not a district office's to import
    ]
    assert {p.message_en.split(":")[0] for p in outcome.problems} == {"You may not import this row"}
    assert not Enterprise.objects.exists()  # all or nothing


def test_the_district_officers_own_rows_go_in(world):
    book = district_book()
    book["enterprise"].pop(1)
    book["recommendation"] = [book["recommendation"][0], book["recommendation"][2]]
    del book["loan"]
    result = run(book, Scope(district="150203"))
    assert result["outcome"].problems == [] and result["committed"]
    assert Enterprise.objects.filter(district_id="150203").count() == 2
    assert Application.objects.count() == 2


def repayments_book() -> dict:
    return {
        "repayment": [
            {
                "bank": "BOB",
                "contract_no": "L-3",
                "paid_on": date(2024, 12, 5),
                "principal": D("100000"),
                "interest": D("500"),
            },
            {
                "bank": "BOC",
                "contract_no": "L-9",
                "paid_on": date(2024, 12, 5),
                "principal": D("1"),
                "interest": D("0"),
            },
            {
                "bank": "BOB",
                "contract_no": "L-9",
                "paid_on": date(2024, 12, 5),
                "principal": D("1"),
                "interest": D("0"),
            },
        ],
        "event": [
            {
                "bank": "BOB",
                "contract_no": "L-3",
                "kind": "visit",
                "occurred_on": date(2024, 12, 6),
                "notes": "经营正常",
            }
        ],
        "enterprise": [enterprise(7)],
    }


def a_second_bank_with_a_loan() -> None:
    """BOC with loan L-9 next to the small book's BOB."""
    book = small_book()
    book["agreement"].append(
        {"bank": "BOC", "bank_name": "第二银行", "guarantor": "BJDB", "signed_on": date(2024, 1, 4)}
    )
    book["enterprise"].append(enterprise(9))
    book["recommendation"].append({**recommendation(9, "ZBJ-2024-000099", "300000"), "bank": "BOC"})
    book["loan"].append(
        {
            **small_book()["loan"][2],
            "bank": "BOC",
            "contract_no": "L-9",
            "form_no": "ZBJ-2024-000099",
            "principal": D("300000"),
        }
    )
    book["counter_guarantee"].append({"bank": "BOC", "contract_no": "L-9", "kind": "guarantee"})
    assert run(book, Scope())["committed"]


def test_a_bank_imports_its_own_repayments_and_events_only(world):
    """BOB's key: its L-3 repayment and visit are fine; a row naming BOC is not its to import; BOC's contract L-9
    under BOB's own code is simply not found among BOB's loans (the row error says nothing of BOC)."""
    a_second_bank_with_a_loan()
    outcome = run(repayments_book(), Scope(bank=Bank.objects.get(code="BOB")))["outcome"]
    found = sorted((p.sheet, p.row, p.column, p.code) for p in outcome.problems)
    assert found == [
        ("企业", 3, "", "import_not_permitted"),
        ("还款", 4, "A", "import_not_permitted"),
        ("还款", 5, "B", "import_unknown_reference"),
    ]
    unknown = next(p for p in outcome.problems if p.code == "import_unknown_reference")
    assert "BOC" not in unknown.message and "本行的贷款中没有" in unknown.message
    book = repayments_book()
    book["repayment"] = book["repayment"][:1]
    del book["enterprise"]
    result = run(book, Scope(bank=Bank.objects.get(code="BOB")))
    assert result["committed"] and result["outcome"].written == {"还款": 1, "贷后事件": 1}
    assert Repayment.objects.filter(loan__contract_no="L-3").count() == 1
