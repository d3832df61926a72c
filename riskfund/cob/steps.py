"""The steps of the daily close of business (SPEC §12), each ``step_<name>(d) -> rows``.

Every step is idempotent for its date and works set-wise: one statement over all loans (``riskfund.cob.sql``),
or one query over the small tables (banks, top-ups, agreements, districts) and one bulk insert. The runner
(``riskfund.cob.services``) calls each inside the transaction that records it as done.
"""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat

from riskfund.claims.models import Compensation
from riskfund.ledger.chart import DEPOSIT, FUNDER, PAYABLE
from riskfund.ledger.models import Account
from riskfund.ledger.selectors import balances_by_prefix
from riskfund.lending.models import Loan
from riskfund.lending.rules import add_years
from riskfund.money import ZERO
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Funder, FunderTier
from riskfund.policy.models import PolicyVersion
from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.models import DepositTopUp, TopUpStatus
from riskfund.pool.selectors import funder_list, funder_minimum, pool_position, topup_suggested
from riskfund.pool.services import pool_suspension_check

from . import sql
from .events import COMPENSATION_DUE_FIELDS, MATURITY_REMINDER_FIELDS, emit_loan_events
from .models import Bucket, CobFlag, DailyLoanStatus, FlagKind, PoolSnapshot
from .steps_policy import step_policy_expiring  # noqa: F401 — a step of the run (Step.POLICY_EXPIRING)

_MONEY = DecimalField(max_digits=18, decimal_places=2)
# A run that writes more DailyLoanStatus rows than this refreshes the table's planner statistics (step_loan_status).
ANALYZE_AFTER = 50_000


def _active_on(d: date, prefix: str = "") -> Q:
    """ORM twin of ``sql.active_on``: disbursed on or before ``d`` and not closed on ``d``."""
    return Q(**{f"{prefix}disbursed_on__lte": d}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": d})
    )


# --- loans (SPEC §9, art. 31, 32) -------------------------------------------------------------------


def step_loan_status(d: date, part: sql.Part = sql.WHOLE) -> int:
    """Overdue days, bucket and outstanding principal on ``d`` for every active loan of ``part`` (one upsert), then
    the bucket moves of ``d`` (one insert). Returns the DailyLoanStatus rows written."""
    x = sql.dialect()
    written = sql.execute(sql.upsert_loan_status_sql(x, part), d, part)
    if x.is_postgres and written > ANALYZE_AFTER:
        # A first run over a migrated portfolio fills the table in this transaction: without fresh statistics the
        # next steps plan nested loops over a table they think empty (1,023,000 loans: eligibility 4.7–5.0 s →
        # 2.7–3.1 s, maturity reminders 11.4–12.5 s → 6.6–7.5 s with this ANALYZE, which takes ~0.5 s)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cob_dailyloanstatus")
    record_bucket_changes(d, part)
    return written


def record_bucket_changes(d: date, part: sql.Part = sql.WHOLE) -> int:
    return sql.execute(sql.insert_bucket_changes_sql(sql.dialect(), part), d, part)


def step_compensation_eligibility(d: date, part: sql.Part = sql.WHOLE) -> int:
    """Art. 32: compensation is due from day N + 1 of overdue (N = the loan's policy trigger, 25). A loan that
    becomes eligible is announced to its bank (``loan.compensation_due``) once per episode."""
    flipped = sql.execute_returning(sql.compensation_eligibility_sql(sql.dialect(), part), d, part)
    became_eligible = [loan_id for loan_id, eligible in flipped if eligible]

    def data(row: dict) -> dict:
        return {
            "loan": row["loan_id"],
            "contract_no": row["loan__contract_no"],
            "business_date": d,
            "overdue_days": row["overdue_days"],
            "first_unpaid_due": row["first_unpaid_due"],
            "outstanding_principal": row["outstanding_principal"],
            "eligible_since": row["compensation_eligible_since"],
        }

    emit_loan_events("loan.compensation_due", became_eligible, data, d=d, sql_fields=COMPENSATION_DUE_FIELDS)
    return len(flipped)


def step_maturity_reminders(d: date, part: sql.Part = sql.WHOLE) -> int:
    """Art. 31: one reminder per loan, by the first run on or after maturity − N days (``loan.maturity_reminder``
    to the bank; the admin lists ``maturity_reminded_on``)."""
    reminded = [row[0] for row in sql.execute_returning(sql.maturity_reminder_sql(sql.dialect(), part), d, part)]

    def data(row: dict) -> dict:
        return {
            "loan": row["loan_id"],
            "contract_no": row["loan__contract_no"],
            "business_date": d,
            "maturity_on": row["loan__maturity_on"],
            "outstanding_principal": row["outstanding_principal"],
        }

    emit_loan_events("loan.maturity_reminder", reminded, data, d=d, sql_fields=MATURITY_REMINDER_FIELDS)
    return len(reminded)


# --- banks, deposits, districts (art. 8, 16, 18) ------------------------------------------------------


def _flag(d: date, kind: str, subject: str, **values) -> CobFlag:
    return CobFlag(business_date=d, kind=kind, subject=subject[:64], **values)


def _save_flags(flags: list[CobFlag]) -> int:
    CobFlag.objects.bulk_create(flags, ignore_conflicts=True)
    return len(flags)


def _deposit_balance() -> Subquery:
    return Subquery(
        Account.objects.filter(code=Concat(Value(DEPOSIT), OuterRef("code"))).values("balance")[:1],
        output_field=_MONEY,
    )


def step_topup_needed(d: date) -> int:
    """Art. 16: a bank whose outstanding principal exceeds N × its deposit balance needs a top-up."""
    multiple = policy_for_pool(d).deposit_topup_multiple
    trigger = ExpressionWrapper(F("deposit") * Value(multiple), output_field=_MONEY)
    banks = (
        Bank.objects.annotate(deposit=Coalesce(_deposit_balance(), Value(ZERO), output_field=_MONEY))
        .annotate(trigger=trigger)
        .filter(outstanding_principal__gt=F("trigger"))
        .order_by("code")
    )
    open_topups = dict(
        DepositTopUp.objects.filter(status__in=[TopUpStatus.REQUESTED, TopUpStatus.APPROVED]).values_list(
            "bank_id", "status"
        )
    )
    flags = [
        _flag(
            d,
            FlagKind.TOPUP_NEEDED,
            bank.code,
            subject_name=bank.name,
            amount=topup_suggested(bank, d),
            detail={
                "outstanding_principal": str(bank.outstanding_principal),
                "deposit_balance": str(bank.deposit),
                "multiple": multiple,
                "open_topup": open_topups.get(bank.pk, ""),
            },
        )
        for bank in banks
    ]
    return _save_flags(flags)


def step_topup_late(d: date) -> int:
    """Art. 16 (于30日内予以补充): an approved top-up not executed by its due date."""
    late = DepositTopUp.objects.filter(
        status=TopUpStatus.APPROVED, executed_on__isnull=True, due_on__lt=d
    ).select_related("bank")
    flags = [
        _flag(
            d,
            FlagKind.TOPUP_LATE,
            str(topup.pk),
            subject_name=topup.bank.name,
            amount=topup.approved_amount,
            due_on=topup.due_on,
            detail={
                "bank": topup.bank.code,
                "approved_on": topup.approved_on.isoformat(),
                "days_late": (d - topup.due_on).days,
            },
        )
        for topup in late.order_by("due_on", "pk")
    ]
    return _save_flags(flags)


def step_return_late(d: date) -> int:
    """Art. 18: an ending agreement whose deposit was due back before ``d`` and is not returned."""
    late = Agreement.objects.filter(
        status=AgreementStatus.ENDING, return_due_on__lt=d, deposit_returned_on__isnull=True
    ).select_related("bank")
    balances = balances_by_prefix(DEPOSIT)
    flags = [
        _flag(
            d,
            FlagKind.RETURN_LATE,
            str(agreement.pk),
            subject_name=agreement.bank.name,
            amount=balances.get(agreement.bank.deposit_account_code, ZERO),
            due_on=agreement.return_due_on,
            detail={"bank": agreement.bank.code, "days_late": (d - agreement.return_due_on).days},
        )
        for agreement in late.order_by("return_due_on", "pk")
    ]
    return _save_flags(flags)


def step_injection_shortfall(d: date) -> int:
    """Art. 8 / SPEC §6: a district whose paid-in is below its minimum after the injection window (2 years from
    its first payment)."""
    policy = policy_for_pool(d)
    paid = balances_by_prefix(FUNDER)
    flags = []
    for funder in Funder.objects.filter(tier=FunderTier.DISTRICT, first_paid_on__isnull=False).order_by("code"):
        window_end = add_years(funder.first_paid_on, policy.injection_window_years)
        paid_in = paid.get(funder.account_code, ZERO)
        minimum = funder_minimum(funder, policy)
        if d > window_end and paid_in < minimum:
            flags.append(
                _flag(
                    d,
                    FlagKind.INJECTION_SHORTFALL,
                    funder.code,
                    subject_name=funder.name,
                    amount=minimum - paid_in,
                    due_on=window_end,
                    detail={
                        "paid_in": str(paid_in),
                        "minimum": str(minimum),
                        "first_paid_on": funder.first_paid_on.isoformat(),
                    },
                )
            )
    return _save_flags(flags)


# --- the pool (art. 37) and housekeeping ------------------------------------------------------------------


def step_threshold(d: date) -> int:
    """Art. 37: re-check the suspension threshold with the version in force on ``d``; 1 when the state changed."""
    return 1 if pool_suspension_check(business_date=d, cause="cob") is not None else 0


def _late_compensation_notices(d: date) -> int:
    """Compensations notified late (art. 32)."""
    return Compensation.objects.filter(notified_late=True, deducted_on__lte=d).count()


def _bucket_figures(d: date) -> dict[str, dict]:
    rows = (
        DailyLoanStatus.objects.filter(_active_on(d, "loan__"))
        .order_by()
        .values("bucket")
        .annotate(
            count=Count("pk"),
            amount=Sum("outstanding_principal"),
            eligible=Count("pk", filter=Q(compensation_eligible=True)),
        )
    )
    figures = {bucket: {"count": 0, "amount": ZERO, "eligible": 0} for bucket in Bucket.values}
    for row in rows:
        figures[row["bucket"]] = {"count": row["count"], "amount": row["amount"] or ZERO, "eligible": row["eligible"]}
    return figures


def _bank_figures(d: date) -> list[dict]:
    multiple = policy_for_pool(d).deposit_topup_multiple
    payable = Subquery(
        Account.objects.filter(code=Concat(Value(PAYABLE), OuterRef("code"))).values("balance")[:1],
        output_field=_MONEY,
    )
    banks = Bank.objects.annotate(
        deposit=Coalesce(_deposit_balance(), Value(ZERO), output_field=_MONEY),
        payable=Coalesce(payable, Value(ZERO), output_field=_MONEY),
    ).order_by("code")
    return [
        {
            "code": bank.code,
            "name": bank.name,
            "deposit_balance": str(bank.deposit),
            "payable_balance": str(bank.payable),
            "outstanding_principal": str(bank.outstanding_principal),
            "active_loans": bank.active_loans,
            "topup_trigger": str(bank.deposit * multiple),
            "topup_needed": bank.outstanding_principal > bank.deposit * multiple,
        }
        for bank in banks
    ]


def _district_figures(d: date) -> list[dict]:
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "paid_in": str(row["paid_in"]),
            "loss": str(row["loss"]),
            "commitment": None if row["commitment"] is None else str(row["commitment"]),
            "outstanding_principal": str(row["outstanding_principal"]),
            "scale_cap": str(row["scale_cap"]),
            "replenishment_due": str(row["replenishment_due"]),
        }
        for row in funder_list(d)
        if row["tier"] == FunderTier.DISTRICT
    ]


def step_snapshot(d: date) -> int:
    """The ``PoolSnapshot`` of ``d``: SPEC §4 figures from ``pool_position`` (running balances, O(1)), districts
    from ``funder_list``, banks, the overdue buckets of the loans active on ``d``, late notices, pending approvals
    and the flags of the run. Written last so that it sees every other step."""
    position = pool_position(d)
    buckets = _bucket_figures(d)
    overdue = [figures for bucket, figures in buckets.items() if bucket != Bucket.CURRENT]
    late_loans = Loan.objects.filter(notified_late=True, disbursed_on__lte=d).count()
    late_compensations = _late_compensation_notices(d)
    counts = {
        "late_loan_notices": late_loans,
        "late_compensation_notices": late_compensations,
        "topups_requested": DepositTopUp.objects.filter(status=TopUpStatus.REQUESTED).count(),
        "topups_awaiting_execution": DepositTopUp.objects.filter(status=TopUpStatus.APPROVED).count(),
        "policy_versions_awaiting_approval": PolicyVersion.objects.filter(approved_at__isnull=True).count(),
    }
    counts["flags"] = dict(
        CobFlag.objects.filter(business_date=d)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    values = {
        "policy_version": position["policy_version"] or "",  # "": no version in force that day (art. 40)
        "pool_funds": position["pool_funds"],
        "net_compensation": position["net_compensation"],
        "pool_balance": position["pool_balance"],
        "credit_capacity": position["credit_capacity"],
        "outstanding_principal": position["outstanding_principal"],
        "available_capacity": position["available_capacity"],
        "compensation_ratio": position["compensation_ratio"],
        "suspension_threshold": position["suspension_threshold"],
        "suspended": position["suspended"],
        "resume_replenishment": position["resume_replenishment"],
        "active_loans": sum(figures["count"] for figures in buckets.values()),
        "overdue_loans": sum(figures["count"] for figures in overdue),
        "overdue_principal": sum((figures["amount"] for figures in overdue), Decimal("0.00")),
        "compensation_eligible_loans": sum(figures["eligible"] for figures in buckets.values()),
        "late_notices": late_loans + late_compensations,
        "pending_approvals": counts["topups_requested"] + counts["policy_versions_awaiting_approval"],
        "flags": sum(counts["flags"].values()),
        "districts": _district_figures(d),
        "banks": _bank_figures(d),
        "buckets": {
            bucket: {"count": f["count"], "amount": str(f["amount"]), "eligible": f["eligible"]}
            for bucket, f in buckets.items()
        },
        "counts": counts,
    }
    PoolSnapshot.objects.update_or_create(business_date=d, defaults=values)
    return 1
