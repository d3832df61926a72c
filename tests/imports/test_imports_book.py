"""Importing a book through the services (issue 17): the worked example to the fen (art. 20, 32, 34), a dry run
that writes nothing, a re-import that writes nothing and names every row, a later book that adds only what is
new, backdated rows (SPEC §12) and the daily close after a commit."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from imports_world import TODAY, balances, small_book, xlsx

from riskfund.cob.models import CobRun
from riskfund.imports.models import ImportRun
from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book, import_create, import_process
from riskfund.ledger.models import Transaction
from riskfund.lending.models import Loan, Repayment
from riskfund.pool.models import PoolState

D = Decimal


def commit(rows, **kwargs):
    return import_book(file=xlsx(rows), scope=Scope(), today=TODAY, commit=True, **kwargs)


def assert_ledger_verified() -> None:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()


def test_worked_example_art_20_32_34_to_the_fen(world):
    """The small book (imports_world.small_book): L-2's loss 2,000,000.00 splits 800,000 / 400,000 / 800,000 and the
    pool's 800,000 splits 240,000 / 240,000 / 320,000 (art. 20, 32), all from BOB's 1,000,000 deposit; the recovery
    250,000.03 − 20,000.00 = 230,000.03 returns 92,000.01 to the pool, split 27,600.00 / 27,600.00 / 36,800.01
    (art. 34). So loss:region = loss:city = 212,400.00, loss:150202 = 283,199.99, N = 707,999.99; deposit:BOB =
    1,000,000 − 800,000 + 92,000.01 = 292,000.01; pool:special = 20,000,000 − 1,000,000 + 1,234.56; F =
    20,001,234.56 and B = F − N = 19,293,234.57; only L-3's 500,000 is outstanding."""
    result = commit(small_book())
    outcome = result["outcome"]
    assert outcome.problems == []
    assert result["committed"]
    assert outcome.written == {
        "出资": 3,
        "合作协议": 1,
        "利息": 1,
        "企业": 3,
        "推荐": 3,
        "贷款": 3,
        "还款计划": 4,
        "反担保": 3,
        "还款": 4,
        "贷后事件": 2,
        "代偿": 1,
        "追偿": 1,
    }
    ledger = balances()
    assert ledger["loss:region"] == ledger["loss:city"] == D("212400.00")
    assert ledger["loss:150202"] == D("283199.99")
    assert ledger["deposit:BOB"] == D("292000.01")
    assert ledger["pool:special"] == D("19001234.56")
    assert ledger["pool:interest"] == D("1234.56")
    assert ledger["payable:BOB"] == D("0.00")
    state = PoolState.objects.get(pk=1)
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (
        D("20001234.56"),
        D("707999.99"),
        D("19293234.57"),
    )
    assert state.pool_balance == state.pool_funds - state.net_compensation
    assert state.outstanding_principal == D("500000.00")
    l1, l2, l3 = (Loan.objects.get(contract_no=c) for c in ("L-1", "L-2", "L-3"))
    assert (l1.status, l1.closed_on, l2.status, l3.status) == ("repaid", date(2025, 3, 1), "compensated", "active")
    assert l2.compensation.split_district == D("320000.00") and not l2.compensation.notified_late
    assert [r.net for r in l2.recoveries.all()] == [D("230000.03")]
    assert l1.schedule.count() == 4 and l1.counter_guarantees.count() == 1
    assert not l1.notified_late  # the row's 报送日期 is the disbursement day: in time (art. 27)
    after = result["preview"]["after"]
    assert (after["pool_funds"], after["net_compensation"], after["pool_balance"]) == (
        "20001234.56",
        "707999.99",
        "19293234.57",
    )
    assert (after["credit_capacity"], after["outstanding_principal"]) == ("192932345.70", "500000.00")
    assert result["preview"]["before"]["pool_funds"] == "0.00"
    dongtai = next(d for d in after["districts"] if d["code"] == "150202")
    assert (dongtai["paid_in"], dongtai["loss"], dongtai["outstanding_principal"]) == (
        "8000000.00",
        "283199.99",
        "500000.00",
    )
    assert_ledger_verified()


def test_a_dry_run_writes_nothing_but_previews_the_position(world):
    before = balances()
    result = import_book(file=xlsx(small_book()), scope=Scope(), today=TODAY, commit=False)
    assert result["outcome"].problems == [] and not result["committed"]
    assert result["preview"]["after"]["net_compensation"] == "707999.99"
    assert balances() == before
    assert not Transaction.objects.exists() and not Loan.objects.exists()
    assert PoolState.objects.filter(pool_funds__gt=0).count() == 0


def test_a_second_import_writes_nothing_and_names_every_row(world):
    """Re-import: the natural keys (references, the bank's contract numbers, USCCs, form numbers, the loans'
    dated records) find all 29 rows already there; no transaction, no record is added."""
    commit(small_book())
    ledger, transactions, repayments = balances(), Transaction.objects.count(), Repayment.objects.count()
    result = commit(small_book())
    outcome = result["outcome"]
    assert outcome.problems == [] and outcome.written == {}
    assert sum(outcome.existing.values()) == 29
    assert outcome.existing["还款"] == 4 and outcome.existing["还款计划"] == 4
    named = {(r["sheet"], r["row"]): r["key"] for r in outcome.existing_rows}
    assert named[("贷款", 3)] == "BOB L-1"
    assert named[("出资", 3)] == "CZ-1"
    assert named[("还款", 3)] == "BOB L-1 2024-06-01"
    assert (balances(), Transaction.objects.count(), Repayment.objects.count()) == (ledger, transactions, repayments)


def test_a_later_book_adds_only_what_is_new(world):
    commit(small_book())
    book = small_book()
    book["repayment"].append(
        {
            "bank": "BOB",
            "contract_no": "L-3",
            "paid_on": date(2024, 12, 5),
            "principal": D("100000"),
            "interest": D("1000"),
        }
    )
    result = commit(book)
    assert result["outcome"].written == {"还款": 1}
    assert Loan.objects.get(contract_no="L-3").outstanding_principal == D("400000.00")
    assert PoolState.objects.get(pk=1).outstanding_principal == D("400000.00")


def test_a_row_that_differs_from_riskfund_is_refused_not_overwritten(world):
    commit(small_book())
    book = small_book()
    book["loan"][0]["principal"] = D("1000000.01")
    outcome = commit(book)["outcome"]
    [problem] = outcome.problems
    assert (problem.sheet, problem.row, problem.column, problem.code) == ("贷款", 3, "D", "import_existing_differs")
    assert "1000000.00" in problem.message and "1000000.01" in problem.message
    assert Loan.objects.get(contract_no="L-1").principal == D("1000000.00")


@pytest.mark.django_db(transaction=True)
def test_a_committed_run_closes_its_last_date_and_later_rows_are_backdated(world, django_capture_on_commit_callbacks):
    """SPEC §12: the commit closes the last touched date (2025-03-01, L-1's last instalment); a later book's
    repayment dated 2024-12-05 (before that close) is written and flagged backdated, and closes nothing."""
    run = import_create(file=xlsx(small_book()), source="command", commit=True, today=TODAY, queue=False)
    run = import_process(run_id=run.pk)
    assert run.status == ImportRun.Status.COMMITTED and run.cob_dates == ["2025-03-01"]
    assert PoolState.objects.get(pk=1).last_closed_business_date == date(2025, 3, 1)
    assert list(CobRun.objects.values_list("business_date", flat=True)) == [date(2025, 3, 1)]
    book = small_book()
    book["repayment"].append(
        {
            "bank": "BOB",
            "contract_no": "L-3",
            "paid_on": date(2024, 12, 5),
            "principal": D("100000"),
            "interest": D("0"),
        }
    )
    second = import_process(
        run_id=import_create(file=xlsx(book), source="command", commit=True, today=TODAY, queue=False).pk
    )
    assert second.status == ImportRun.Status.COMMITTED and second.cob_dates == []
    assert second.written == {"还款": 1} and second.existing["贷款"] == 3
    assert Repayment.objects.get(paid_on=date(2024, 12, 5)).backdated
    assert CobRun.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_is_written_outside_the_replays_transaction(world):
    """A big book's replay is one transaction; its progress goes through a side connection, so it shows while
    the replay runs (and stays when a dry run rolls everything back)."""
    from django.db import transaction

    from riskfund.imports.services import _progress

    run = import_create(file=xlsx(small_book()), source="command", today=TODAY, queue=False)
    with transaction.atomic():
        _progress(run.pk, 5, 10)
        transaction.set_rollback(True)
    run.refresh_from_db()
    assert run.progress == 50
