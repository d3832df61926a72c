"""Funder statements (art. 3, 8, 13, 20, 38): the worked example of September 2024 (see ``conftest.september``), and
every figure reconciled with the ledger to the fen."""

from datetime import date
from decimal import Decimal

from claims_world import TODAY, inject

from riskfund.claims.models import Compensation, Recovery
from riskfund.claims.services import recovery_post
from riskfund.disclosure.statements import funder_statement
from riskfund.ledger.models import Account, Entry
from riskfund.parties.models import Funder

D = Decimal


def statement(code: str, month: str = "2024-09"):
    return funder_statement(Funder.objects.get(code=code), month)


def ledger_balance(code: str, on: date) -> Decimal:
    """The account's balance from its entries dated up to ``on``, summed from scratch (normal side positive)."""
    account = Account.objects.get(code=code)
    total = D("0.00")
    for side, amount in Entry.objects.filter(account=account, transaction__business_date__lte=on).values_list(
        "side", "amount"
    ):
        total += amount if side == account.normal_side else -amount
    return total


def test_art13_art20_a_district_statement_worked_example(september):
    st = statement("150202")
    assert (st.first, st.last) == (date(2024, 9, 1), date(2024, 9, 30))
    # paid-in: 8,000,000.00 + 50,000.00 injection + 96,000.00 replenishment − 50,000.00 reversal = 8,096,000.00
    assert st.opening_paid_in == D("8000000.00")
    assert (st.injections, st.replenishments, st.paid_in_other) == (D("50000.00"), D("96000.00"), D("-50000.00"))
    assert [(m.business_date, m.kind, m.amount) for m in st.paid_in_movements] == [
        (date(2024, 9, 10), "replenishment", D("96000.00")),
        (date(2024, 9, 12), "injection", D("50000.00")),
        (date(2024, 9, 20), "injection_reversal", D("-50000.00")),
    ]
    assert st.closing_paid_in == D("8096000.00")
    # losses: 96,000.00 (L0 in July) + 160,000.01 (L1, art. 20 30:30:40 with the odd fen) − 16,000.00 returned
    assert st.opening_loss == D("96000.00")
    [share] = st.compensations
    assert (share.business_date, share.contract_no, share.bank_code) == (
        date(2024, 9, 28),
        september.compensated_in_september.contract_no,
        "BOB",
    )
    assert (share.whole, share.pool_share, share.amount) == (D("1000000.03"), D("400000.01"), D("160000.01"))
    [returned] = st.recoveries
    assert (returned.business_date, returned.whole, returned.pool_share, returned.amount) == (
        date(2024, 9, 25),
        D("100000.00"),
        D("40000.00"),
        D("16000.00"),
    )
    assert st.other_loss_movements == []
    assert st.closing_loss == D("240000.01")
    assert (st.opening_position, st.closing_position) == (D("7904000.00"), D("7855999.99"))
    # art. 13 / SPEC §6: R = 96,000, M = 8,000,000: max(0, 240,000.01 − 96,000, 8,000,000 − 7,855,999.99) = 144,000.01
    assert (st.replenished, st.minimum, st.replenishment_due) == (D("96000.00"), D("8000000.00"), D("144000.01"))
    # its loans on 2024-09-30: L2 300,000 (28 days overdue, 26–60) and L3 2,000,000 (current)
    d = st.district
    assert (d.active_loans, d.outstanding) == (2, D("2300000.00"))
    assert d.buckets["current"] == {"count": 1, "amount": D("2000000.00")}
    assert d.buckets["26-60"] == {"count": 1, "amount": D("300000.00")}
    assert d.buckets["1-25"]["count"] == d.buckets["61-90"]["count"] == d.buckets["91+"]["count"] == 0
    assert d.compensated_in_month == {"count": 1, "loss": D("1000000.03"), "share": D("160000.01")}
    assert d.compensated_to_date == {"count": 2, "loss": D("1600000.03"), "share": D("256000.01")}
    # art. 13: cap 25 × 8,096,000 = 202,400,000.00; used 2,300,000 ÷ 202,400,000 = 0.01136… → 0.0114
    assert (d.scale_cap, d.cap_used, d.cap_left) == (D("202400000.00"), D("0.0114"), D("200100000.00"))


def test_art20_art38_the_region_and_the_city_bear_30_percent_of_every_compensation(september):
    for code in ("region", "city"):
        st = statement(code)
        assert (st.opening_paid_in, st.closing_paid_in) == (D("6000000.00"), D("6000000.00"))
        assert st.paid_in_movements == []
        # L1: 120,000.00 (the odd fen went to the district), L4: 96,000.00
        assert [(c.contract_no, c.amount) for c in st.compensations] == [
            (september.compensated_in_september.contract_no, D("120000.00")),
            (september.other_district.contract_no, D("96000.00")),
        ]
        assert [r.amount for r in st.recoveries] == [D("12000.00")]
        # 72,000.00 + 216,000.00 − 12,000.00 = 276,000.00
        assert (st.opening_loss, st.compensation_total, st.recovery_total, st.closing_loss) == (
            D("72000.00"),
            D("216000.00"),
            D("12000.00"),
            D("276000.00"),
        )
        assert st.district is None and st.minimum == D("0.00")
        # art. 38: N = 920,000.01 of F = 24,296,000 (3.79 %) is below the 20 % line: the city owes nothing
        assert (st.replenishment_due, st.pool_suspended) == (D("0.00"), False)


def test_every_statement_reconciles_with_the_ledger_to_the_fen(september):
    """Opening and closing balances equal the accounts' entries summed from scratch up to the day before the month and
    its last day; the compensation and recovery lines equal the records' splits; Σ closing paid-in and loss over
    every funder equal the pool's F (less interest) and N; today's balances agree as nothing was posted later."""
    splits = {"region": "split_region", "city": "split_city"}
    paid_total = loss_total = D("0.00")
    for funder in Funder.objects.all():
        st = funder_statement(funder, "2024-09")
        paid, loss = funder.account_code, funder.loss_account_code
        assert st.opening_paid_in == ledger_balance(paid, date(2024, 8, 31))
        assert st.closing_paid_in == ledger_balance(paid, date(2024, 9, 30)) == Account.objects.get(code=paid).balance
        assert st.opening_loss == ledger_balance(loss, date(2024, 8, 31))
        assert st.closing_loss == ledger_balance(loss, date(2024, 9, 30)) == Account.objects.get(code=loss).balance
        assert st.closing_paid_in == st.opening_paid_in + st.injections + st.replenishments + st.paid_in_other
        assert st.closing_loss == st.opening_loss + st.compensation_total - st.recovery_total + st.loss_other
        field = splits.get(funder.code, "split_district")
        own = {"district": funder} if field == "split_district" else {}
        month = {"deducted_on__month": 9, "deducted_on__year": 2024}
        expected = sum(getattr(c, field) for c in Compensation.objects.filter(**month, **own))
        assert st.compensation_total == (expected or D("0.00"))
        own = {"loan__district": funder} if field == "split_district" else {}
        returned = sum(getattr(r, field) for r in Recovery.objects.filter(recovered_on__month=9, **own))
        assert st.recovery_total == (returned or D("0.00"))
        if st.district is not None:
            assert st.district.outstanding == funder.outstanding_principal
        paid_total += st.closing_paid_in
        loss_total += st.closing_loss
    from riskfund.pool.models import PoolState

    state = PoolState.objects.get(pk=1)
    assert (paid_total, loss_total) == (state.pool_funds, state.net_compensation) == (D("24296000.00"), D("920000.01"))


def test_a_later_posting_leaves_a_closed_month_as_it_was(september):
    before = statement("150202")
    recovery_post(
        loan=september.compensated_in_september, recovered_on=date(2024, 10, 8), gross=D("10000"), today=TODAY
    )
    inject("150202", "144000.01", on=date(2024, 10, 9), kind="replenishment")
    after = statement("150202")
    assert (after.closing_paid_in, after.closing_loss, after.replenishment_due) == (
        before.closing_paid_in,
        before.closing_loss,
        before.replenishment_due,
    )
    october = statement("150202", "2024-10")
    # the 10,000 recovery → pool 4,000 → district 1,600.00; the replenishment 144,000.01
    assert october.opening_loss == D("240000.01") and october.recovery_total == D("1600.00")
    assert october.closing_paid_in == D("8240000.01") and october.replenished == D("240000.01")
    # max(0, 238,400.01 − 240,000.01, 8,000,000 − (8,240,000.01 − 238,400.01)) = 0
    assert october.replenishment_due == D("0.00")
