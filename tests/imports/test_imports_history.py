"""History needs its law (issue 17, SPEC §2, art. 40): a loan disbursed before any policy version is in force is a
row error naming its date, with the help to enter the earlier version first; once the 2018 version is entered
and approved (maker-checker), the same book imports and the loan keeps that version."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from imports_world import TODAY, enterprise, loan, recommendation, small_book, xlsx

from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.lending.models import Loan
from riskfund.policy.services import policy_version_approve, policy_version_propose

D = Decimal


def book_of_2019() -> dict:
    """The small book's pool and bank, moved to 2019, and one loan disbursed on 2019-06-03."""
    book = small_book()
    for row in book["injection"]:
        row["paid_on"] = date(2019, 1, 2)
    book["agreement"][0]["signed_on"] = date(2019, 1, 3)
    book["enterprise"] = [enterprise(1)]
    book["recommendation"] = [recommendation(1, "BZ-2019-017", "1000000", on=date(2019, 5, 20))]
    book["loan"] = [loan("L-2019", "BZ-2019-017", "1000000", disbursed=date(2019, 6, 3), maturity=date(2020, 6, 3))]
    book["counter_guarantee"] = [{"bank": "BOB", "contract_no": "L-2019", "kind": "guarantee"}]
    for kind in ("schedule", "repayment", "event", "compensation", "recovery", "interest"):
        book.pop(kind)
    return book


def test_art_40_a_loan_before_any_version_names_its_date_and_the_way_out(world):
    outcome = import_book(file=xlsx(book_of_2019()), scope=Scope(), today=TODAY, commit=True)["outcome"]
    [problem] = outcome.problems
    assert (problem.sheet, problem.row, problem.column, problem.code) == ("贷款", 3, "E", "no_policy_in_force")
    assert "2019-06-03" in problem.message and "POST /api/v1/policy-versions/" in problem.message
    assert "enter and approve the version of that time first" in problem.message_en
    assert not Loan.objects.exists()


def test_art_40_with_the_2018_version_entered_the_same_book_imports(world):
    users = get_user_model().objects
    maker, checker = users.create_user(username="bureau1"), users.create_user(username="bureau2")
    for user in (maker, checker):
        user.groups.add(Group.objects.get(name="bureau"))  # SPEC §2: bureau users propose and approve
    version = policy_version_propose(
        user=maker,
        code="2018",
        title="包头市中小微企业助保金贷款管理办法",
        document_no="包府办发〔2018〕123号",
        effective_from=date(2018, 5, 1),
        effective_to=date(2021, 4, 29),
    )
    policy_version_approve(version=version, user=checker)
    result = import_book(file=xlsx(book_of_2019()), scope=Scope(), today=TODAY, commit=True)
    assert result["outcome"].problems == [] and result["committed"]
    assert Loan.objects.get(contract_no="L-2019").policy_version.code == "2018"
    assert result["preview"]["after"]["outstanding_principal"] == "1000000.00"
