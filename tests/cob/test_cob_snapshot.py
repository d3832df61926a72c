"""The daily snapshot (SPEC §4 figures, per district, per bank, buckets) and the flags for the bureau (art. 8, 16,
18); backdating (SPEC §12) is in test_cob_backdated.py."""

from datetime import date
from decimal import Decimal

from riskfund.cob.models import CobFlag, PoolSnapshot
from riskfund.cob.selectors import snapshot_history
from riskfund.cob.services import cob_run
from riskfund.ledger.selectors import account_balance
from riskfund.lending.models import Loan
from riskfund.lending.selectors import loan_outstanding_on, overdue_bucket, overdue_days
from riskfund.parties.models import Agreement, Bank
from riskfund.pool.selectors import funder_list, pool_position

D = date(2025, 8, 5)


def test_snapshot_figures_equal_the_pool_position_and_the_funder_list(portfolio):
    cob_run(business_date=D)
    snapshot = PoolSnapshot.objects.get(business_date=D)
    position = pool_position(D)
    for name in [
        "pool_funds",
        "net_compensation",
        "pool_balance",
        "credit_capacity",
        "outstanding_principal",
        "available_capacity",
        "compensation_ratio",
        "suspension_threshold",
        "suspended",
        "resume_replenishment",
        "policy_version",
    ]:
        assert getattr(snapshot, name) == position[name], name
    assert snapshot.pool_balance == snapshot.pool_funds - snapshot.net_compensation == Decimal("9000000.00")
    assert snapshot.credit_capacity == Decimal("90000000.00")
    assert snapshot.outstanding_principal == Decimal("10900000.00")

    districts = [row for row in funder_list(D) if row["tier"] == "district"]
    assert [row["code"] for row in snapshot.districts] == [row["code"] for row in districts]
    for stored, row in zip(snapshot.districts, districts, strict=True):
        for key in ["paid_in", "loss", "outstanding_principal", "scale_cap", "replenishment_due"]:
            assert Decimal(stored[key]) == row[key], (row["code"], key)
    donghe = next(row for row in snapshot.districts if row["code"] == "150202")
    assert (donghe["paid_in"], donghe["scale_cap"]) == ("4000000.00", "100000000.00")

    banks = {row["code"]: row for row in snapshot.banks}
    for bank in Bank.objects.all():
        deposit = account_balance(bank.deposit_account_code)
        assert Decimal(banks[bank.code]["deposit_balance"]) == deposit
        assert Decimal(banks[bank.code]["outstanding_principal"]) == bank.outstanding_principal
        assert banks[bank.code]["active_loans"] == bank.active_loans
        assert Decimal(banks[bank.code]["topup_trigger"]) == 10 * deposit
    assert banks["BOB"]["topup_needed"] is True
    assert banks["BOC"]["topup_needed"] is False


def test_snapshot_buckets_and_counts(portfolio):
    cob_run(business_date=D)
    snapshot = PoolSnapshot.objects.get(business_date=D)
    active = [loan for loan in Loan.objects.all() if loan.closed_on is None or loan.closed_on > D]
    active = [loan for loan in active if loan.disbursed_on <= D]
    expected = {}
    for loan in active:
        bucket = overdue_bucket(overdue_days(loan, D))
        count, amount = expected.get(bucket, (0, Decimal("0")))
        expected[bucket] = (count + 1, amount + loan_outstanding_on(loan, D))
    for bucket, figures in snapshot.buckets.items():
        assert (figures["count"], Decimal(figures["amount"])) == expected.get(bucket, (0, Decimal("0"))), bucket
    assert snapshot.active_loans == len(active) == 5
    assert (snapshot.overdue_loans, snapshot.overdue_principal) == (1, Decimal("1000000.00"))
    assert snapshot.compensation_eligible_loans == 1
    assert snapshot.late_notices == Loan.objects.filter(notified_late=True, disbursed_on__lte=D).count()
    assert snapshot.counts["topups_awaiting_execution"] == 1
    assert snapshot.pending_approvals == 0
    assert snapshot.flags == CobFlag.objects.filter(business_date=D).count() == 4
    assert list(snapshot_history(since=D)) == [snapshot]


def test_flags_for_the_bureau(portfolio):
    """BOB: 10,900,000 outstanding > 10 × 1,000,000 (art. 16), suggested ceil(1,090,000 − 1,000,000) = 90,000;
    its top-up approved 2025-03-21 was due 2025-04-20 and is not executed; BOC's deposit was due back after its
    agreement ended (art. 18); 昆都仑区 paid 1,000,000 < 8,000,000 by 2025-01-02 (art. 8)."""
    cob_run(business_date=D)
    flags = {flag.kind: flag for flag in CobFlag.objects.filter(business_date=D)}
    assert set(flags) == {"topup_needed", "topup_late", "return_late", "injection_shortfall"}

    needed = flags["topup_needed"]
    assert (needed.subject, needed.amount) == ("BOB", Decimal("90000.00"))
    assert needed.detail["outstanding_principal"] == "10900000.00"
    assert needed.detail["open_topup"] == "approved"

    late = flags["topup_late"]
    assert (late.due_on, late.amount, late.detail["days_late"]) == (date(2025, 4, 20), Decimal("100000.00"), 107)

    agreement = Agreement.objects.get(bank__code="BOC")
    returned = flags["return_late"]
    assert (returned.subject, returned.due_on) == (str(agreement.pk), agreement.return_due_on)
    assert returned.amount == Decimal("1000000.00")

    shortfall = flags["injection_shortfall"]
    assert (shortfall.subject, shortfall.amount, shortfall.due_on) == (
        "150203",
        Decimal("7000000.00"),
        date(2025, 1, 2),
    )


def test_a_district_is_flagged_only_after_its_window(portfolio):
    """东河区 first paid 2024-01-02: its 2-year window ends 2026-01-02, so 4,000,000 < 8,000,000 is flagged from
    2026-01-03 on."""
    cob_run(business_date=date(2026, 1, 2))
    assert not CobFlag.objects.filter(kind="injection_shortfall", subject="150202").exists()
    cob_run(business_date=date(2026, 1, 3))
    flag = CobFlag.objects.get(kind="injection_shortfall", subject="150202")
    assert (flag.business_date, flag.amount) == (date(2026, 1, 3), Decimal("4000000.00"))
