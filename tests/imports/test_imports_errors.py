"""Every problem at once (issue 17): a book with 30 planted errors across its sheets reports exactly those 30 —
sheet, row, column and stable code — writes nothing, and its annotated copy marks each bad cell with a comment."""

from datetime import date
from decimal import Decimal
from io import BytesIO

from factories import make_uscc
from imports_world import TODAY, enterprise, loan, medium_book, recommendation, xlsx
from openpyxl import load_workbook

from riskfund.imports.annotate import annotated_copy
from riskfund.imports.reader import read_book
from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.imports.sheets import BY_KIND
from riskfund.ledger.models import Transaction
from riskfund.lending.models import Loan
from riskfund.parties.models import Bank, Enterprise

D = Decimal
FAR_FUTURE = date(2099, 1, 1)


class Planter:
    def __init__(self, book):
        self.book = book
        self.expected: list[tuple[str, int, str, str]] = []

    def add(self, kind: str, row: dict, field: str, code: str, *, sheet_of_error: str | None = None) -> int:
        """Append ``row`` to ``kind``'s sheet; the error is expected on it (or on ``sheet_of_error``'s row)."""
        self.book[kind].append(row)
        number = 2 + len(self.book[kind])  # row 1 headers, row 2 field names
        self.expected.append((BY_KIND[kind].title, number, BY_KIND[kind].letter(field), code))
        return number

    def valid_loan_setup(self, serial: int, amount: str = "500000", *, on: date = date(2024, 2, 20)) -> str:
        """A good enterprise and recommendation for a planted loan (form ZBJ-2024-5000NN)."""
        self.book["enterprise"].append(enterprise(serial))
        form = f"ZBJ-{on.year}-{500000 + serial:06d}"
        self.book["recommendation"].append(recommendation(serial, form, amount, on=on))
        return form


def planted_book() -> tuple[dict, list]:
    p = Planter(medium_book())
    # 出资 (injections)
    p.add(
        "injection",
        {"funder": "city", "kind": "injection", "paid_on": date(2024, 1, 2), "amount": "八百万", "reference": "E1"},
        "amount",
        "upload_bad_cell",
    )
    p.add(
        "injection",
        {"funder": "999999", "kind": "injection", "paid_on": date(2024, 1, 2), "amount": D("1"), "reference": "E2"},
        "funder",
        "import_bad_value",
    )
    p.add("injection", dict(p.book["injection"][0]), "reference", "import_duplicate_row")
    p.add(
        "injection",
        {"funder": "city", "kind": "injection", "paid_on": FAR_FUTURE, "amount": D("1"), "reference": "E4"},
        "paid_on",
        "date_in_future",
    )
    # 合作协议 (agreements)
    p.add(
        "agreement",
        {"bank": "NEWB", "guarantor": "BJDB", "signed_on": date(2024, 1, 5)},
        "bank_name",
        "import_bad_value",
    )
    p.add(
        "agreement",
        {
            "bank": "BOD",
            "bank_name": "丁银行",
            "guarantor": "BJDB",
            "signed_on": date(2024, 2, 1),
            "ends_on": date(2024, 1, 1),
        },
        "ends_on",
        "validation_error",
    )
    # 利息 (interest)
    p.add(
        "interest",
        {"credited_on": date(2024, 6, 21), "amount": D("10"), "account": "NOBANK", "reference": "E7"},
        "account",
        "import_unknown_reference",
    )
    p.add(
        "interest",
        {"credited_on": date(2024, 6, 21), "amount": D("0"), "account": "special", "reference": "E8"},
        "amount",
        "validation_error",
    )
    # 抵押金补充 (top-ups): BOB lends far below 10 × its deposit
    p.book["topup"] = []
    p.add(
        "topup",
        {"bank": "BOB", "requested_on": date(2024, 4, 1), "requested_amount": D("100000")},
        "requested_amount",
        "topup_not_needed",
    )
    # 企业 (enterprises)
    bad_check = make_uscc(901)[:-1] + ("0" if make_uscc(901)[-1] != "0" else "1")
    p.add("enterprise", {**enterprise(901), "uscc": bad_check}, "uscc", "validation_error")
    p.add("enterprise", {**enterprise(902), "uscc": make_uscc(902, "110101")}, "uscc", "enterprise_not_eligible")
    p.add("enterprise", {**enterprise(903), "industry": "采矿业"}, "industry", "import_bad_value")
    p.add("enterprise", {**enterprise(904), "employees": "很多"}, "employees", "upload_bad_cell")
    # 推荐 (applications and recommendations)
    p.add("recommendation", recommendation(950, "ZBJ-2024-000950", "100000"), "enterprise", "import_unknown_reference")
    p.book["enterprise"].append(
        {**enterprise(951), "employees": 5000, "revenue": D("900000000.00"), "total_assets": D("900000000.00")}
    )
    p.add(
        "recommendation",
        {**recommendation(952, "ZBJ-2024-000952", "100000"), "bank_opinion": "也许"},
        "bank_opinion",
        "import_bad_value",
    )
    p.book["enterprise"].append(enterprise(952))
    p.add("recommendation", recommendation(951, "ZBJ-2024-000951", "100000"), "enterprise", "enterprise_not_eligible")
    p.add("recommendation", dict(p.book["recommendation"][0]), "form_no", "import_duplicate_row")
    # 贷款 (loans)
    form = p.valid_loan_setup(18)
    p.book["counter_guarantee"].append({"bank": "BOB", "contract_no": "E18", "kind": "guarantee"})
    p.add(
        "loan",
        loan("E18", form, "500000", disbursed=date(2024, 3, 1), maturity=date(2026, 3, 1)),
        "maturity_on",
        "term_too_long",
    )
    form = p.valid_loan_setup(19)
    p.book["counter_guarantee"].append({"bank": "BOB", "contract_no": "E19", "kind": "guarantee"})
    p.add(
        "loan",
        loan("E19", form, "600000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1)),
        "principal",
        "amount_exceeds_recommendation",
    )
    form = p.valid_loan_setup(20, on=date(2020, 5, 20))
    p.book["counter_guarantee"].append({"bank": "BOB", "contract_no": "E20", "kind": "guarantee"})
    p.add(
        "loan",
        loan("E20", form, "500000", disbursed=date(2020, 6, 1), maturity=date(2021, 6, 1)),
        "disbursed_on",
        "no_policy_in_force",
    )
    p.add("loan", dict(p.book["loan"][0]), "contract_no", "import_duplicate_row")
    p.add(
        "loan",
        loan("E22", "ZBJ-2024-999999", "500000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1)),
        "form_no",
        "import_unknown_reference",
    )
    form = p.valid_loan_setup(23)
    p.book["counter_guarantee"].append({"bank": "BOB", "contract_no": "E23", "kind": "guarantee"})
    p.add(
        "loan",
        {**loan("E23", form, "500000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1)), "annual_rate": "abc"},
        "annual_rate",
        "validation_error",
    )
    form = p.valid_loan_setup(24)
    p.add(
        "loan",
        {
            **loan("E24", form, "500000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1)),
            "repayment_method": "每月",
        },
        "repayment_method",
        "import_bad_value",
    )
    form = p.valid_loan_setup(25, "300000")
    p.book["counter_guarantee"].append({"bank": "BOB", "contract_no": "E25", "kind": "guarantee"})
    p.book["schedule"] += [
        {"bank": "BOB", "contract_no": "E25", "due_on": date(2024, 9, 1), "principal": D("100000")},
        {"bank": "BOB", "contract_no": "E25", "due_on": date(2025, 3, 1), "principal": D("100000")},
    ]
    p.add(
        "loan",
        loan("E25", form, "300000", disbursed=date(2024, 3, 1), maturity=date(2025, 3, 1), method="instalments"),
        "repayment_method",
        "validation_error",
    )
    # 还款 (repayments)
    p.add(
        "repayment",
        {
            "bank": "BOB",
            "contract_no": "L-3",
            "paid_on": date(2024, 5, 1),
            "principal": D("10000000"),
            "interest": D("0"),
        },
        "principal",
        "repayment_exceeds_outstanding",
    )
    p.add(
        "repayment",
        {"bank": "BOC", "contract_no": "L-4", "paid_on": date(2024, 2, 1), "principal": D("1000"), "interest": D("0")},
        "paid_on",
        "date_before_disbursement",
    )
    p.add(
        "repayment",
        {
            "bank": "BOB",
            "contract_no": "L-404",
            "paid_on": date(2024, 5, 1),
            "principal": D("1000"),
            "interest": D("0"),
        },
        "contract_no",
        "import_unknown_reference",
    )
    # 贷后事件 (events)
    p.add(
        "event",
        {"bank": "BOB", "contract_no": "L-5", "kind": "聚会", "occurred_on": date(2024, 5, 1)},
        "kind",
        "import_bad_value",
    )
    # 代偿 (compensations): L-5 matures on 2025-03-01, nothing is overdue in 2024
    p.add(
        "compensation",
        {"bank": "BOB", "contract_no": "L-5", "deducted_on": date(2024, 9, 10)},
        "deducted_on",
        "compensation_not_due",
    )
    return p.book, p.expected


def test_thirty_planted_errors_are_reported_exactly_and_nothing_is_written(world):
    book, expected = planted_book()
    assert len(expected) == 30
    result = import_book(file=xlsx(book), scope=Scope(), today=TODAY, commit=True)
    found = sorted((p.sheet, p.row, p.column, p.code) for p in result["outcome"].problems)
    assert found == sorted(expected)
    assert not result["committed"]
    assert not Transaction.objects.exists() and not Loan.objects.exists()
    assert not Enterprise.objects.exists() and not Bank.objects.exists()
    messages = {(p.sheet, p.row): p for p in result["outcome"].problems}
    no_policy = messages[("贷款", expected[19][1])]
    assert "2020-06-01" in no_policy.message and "POST /api/v1/policy-versions/" in no_policy.message
    assert no_policy.message_en.startswith("No policy version is in force on the disbursement date")


def test_the_annotated_copy_marks_every_bad_cell_with_a_comment(world):
    book, expected = planted_book()
    data = xlsx(book)
    problems = import_book(file=data, scope=Scope(), today=TODAY, commit=False)["outcome"].problems
    workbook = load_workbook(BytesIO(annotated_copy(read_book(data), problems)))
    listing = workbook["错误清单"]
    assert listing.max_row == 31 and listing["E1"].value == "代码"
    for title, row, column, code in expected:
        cell = workbook[title][f"{column}{row}"]
        assert cell.comment is not None, (title, row, column, code)
        assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert workbook["出资"]["D7"].value == "八百万"  # a bad cell shows what it held, as text
    assert (workbook["出资"]["A3"].value, workbook["出资"]["D3"].value) == ("region", 30000000)  # good cells typed
    assert workbook["出资"]["D7"].comment.text.startswith("单元格格式错误")


def test_a_recommendation_without_its_form_number_is_an_error_not_an_application(world):
    """A row with a bank, a guarantor and opinions but no form number is refused (not taken for a bare
    application); the loan that names the form is then referring to a form the file does not hold."""
    book = medium_book()
    book["recommendation"][0]["form_no"] = None
    problems = import_book(file=xlsx(book), scope=Scope(), today=TODAY, commit=False)["outcome"].problems
    assert [(p.sheet, p.row, p.column, p.code) for p in problems] == [
        ("推荐", 3, "F", "import_bad_value"),
        ("贷款", 3, "C", "import_unknown_reference"),
    ]
    assert "needs its form number" in problems[0].message_en
